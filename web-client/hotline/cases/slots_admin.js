// A hotline's appointment slots for supervisors and administrators: a day's series (from,
// until, minutes each, places each; German local time) and the slots of a period with
// their places, booked and free, a table per day. A slot is removed after a second,
// confirming button in its row; the server keeps a booked one (409) and its reason is
// said in the row. After a removal the focus goes to the next slot's button (else the
// previous one's, else the list's heading).
import { h, announce, scrollable } from '../../dom.js';
import { t, tParts, lang } from '../../i18n.js';
import { explain } from '../../sign_in.js';
import { slots as loadSlots, addSeries, removeSlot } from './case_api.js';
import { issueText } from './case_parts.js';
import { berlinDay, berlinToday, dayName, slotTime } from './when.js';

function row(id, label, control, hint = null) {
  control.id = id;
  if (hint) control.setAttribute('aria-describedby', `${id}-hint`);
  control.dataset.hint = hint ? `${id}-hint` : '';
  return h('div', { class: 'hl-field' }, h('label', { for: id }, label), hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null, control,
    h('p', { class: 'error case-field-error', id: `${id}-error` }));
}

// `actions(slot)`: the contents of the slot's last cell.
function slotTables(list, actions) {
  if (!list.length) return h('p', { id: 'slot-none' }, t('slotNone'));
  const days = new Map();
  for (const s of list) {
    const day = berlinDay(s.start);
    if (!days.has(day)) days.set(day, []);
    days.get(day).push(s);
  }
  return h('div', { class: 'slot-days' }, ...[...days].map(([day, group]) => scrollable(dayName(day), h('table', { class: 'hl-table slot-table', 'data-day': day },
    h('caption', {}, dayName(day), ' ', h('span', { class: 'hl-sub' }, t('slotDaySum', {
      n: group.length, b: group.reduce((n, s) => n + s.booked, 0), c: group.reduce((n, s) => n + s.capacity, 0) }))),
    h('thead', {}, h('tr', {}, ...['slotTime', 'slotCapacity', 'slotBooked', 'slotFree'].map((k) => h('th', { scope: 'col', class: k === 'slotTime' ? null : 'num' }, t(k))),
      h('th', { scope: 'col' }, t('slotActions')))),
    h('tbody', {}, ...group.map((s) => h('tr', { 'data-slot': String(s.id), class: s.free <= 0 ? 'slot-full' : null },
      h('th', { scope: 'row' }, `${slotTime(s.start)}–${slotTime(s.end)}`),
      h('td', { class: 'num' }, String(s.capacity)), h('td', { class: 'num' }, String(s.booked)),
      h('td', { class: 'num slot-free-n' }, s.free <= 0 ? h('span', {}, h('span', { 'aria-hidden': 'true' }, '● '), t('caseSlotFull')) : String(s.free)),
      h('td', { class: 'slot-actions' }, actions(s)))))))));
}

export function slotsSection(hotline) {
  const c = {
    day: h('input', { type: 'date', value: berlinToday(1) }),
    from: h('input', { type: 'time', value: '08:00', step: '300' }),
    until: h('input', { type: 'time', value: '12:00', step: '300' }),
    minutes: h('input', { type: 'number', min: '5', max: '480', step: '5', value: '15' }),
    capacity: h('input', { type: 'number', min: '1', max: '10000', step: '1', value: '1' }),
  };
  const period = { from: h('input', { id: 'slot-show-from', type: 'date', value: berlinToday(0) }),
    until: h('input', { id: 'slot-show-until', type: 'date', value: berlinToday(13) }) };
  const error = h('p', { class: 'error', role: 'alert', id: 'slot-error' });
  const done = h('p', { class: 'ok', role: 'status', id: 'slot-done' });
  const result = h('div', { id: 'slot-list' });
  const listHeading = h('h3', { id: 'slot-list-h', tabindex: '-1' }, t('slotList'));
  const listDone = h('p', { class: 'ok', role: 'status', id: 'slot-list-done' });
  let shown = []; // the slots in the tables, in time order
  const refused = new Map(); // slot id → why the server kept it (said in its row)
  const byField = { 'series.day': c.day, 'series.from': c.from, 'series.until': c.until };
  const byProblem = { step_out_of_range: c.minutes, too_many_slots: c.minutes, capacity_out_of_range: c.capacity,
    empty_series: c.until, end_not_after_start: c.until, slot_in_the_past: c.day, slot_duplicate: c.day };

  function clear() {
    error.textContent = '';
    done.textContent = '';
    for (const input of Object.values(c)) {
      input.removeAttribute('aria-invalid');
      if (input.dataset.hint) input.setAttribute('aria-describedby', input.dataset.hint); else input.removeAttribute('aria-describedby');
      document.getElementById(`${input.id}-error`).textContent = '';
    }
  }

  async function list(asked = false) {
    const r = await loadSlots(hotline, period.from.value, period.until.value);
    if (!r.ok) { result.replaceChildren(h('p', { class: 'error' }, explain(r))); return; }
    shown = r.data.slots;
    result.replaceChildren(slotTables(shown, actions));
    if (asked) announce(t('slotShown', { n: r.data.slots.length }));
  }

  const slotWords = (slot) => `${dayName(berlinDay(slot.start))}, ${slotTime(slot.start)}–${slotTime(slot.end)}`;
  const removeButton = (id) => result.querySelector(`button[data-remove="${id}"]`);

  // A new attempt makes the earlier refusals old news: they go.
  function forgetRefusals() {
    refused.clear();
    for (const old of result.querySelectorAll('.slot-remove-error')) old.remove();
    for (const button of result.querySelectorAll('button[data-remove][aria-describedby]')) button.removeAttribute('aria-describedby');
  }

  // "Entfernen", then "Ja, entfernen" or "Abbrechen" in its place; a refusal under it.
  function actions(slot) {
    const what = slotWords(slot);
    const cell = h('div', { class: 'slot-remove' });
    const why = refused.get(slot.id);
    const error = why ? h('p', { class: 'error slot-remove-error', id: `slot-${slot.id}-error` }, ...why) : null;
    const ask = h('button', { type: 'button', class: 'secondary', 'data-remove': String(slot.id), 'aria-label': t('slotRemoveOf', { s: what }),
      'aria-describedby': error ? error.id : null, onclick: () => {
        forgetRefusals();
        listDone.textContent = '';
        const question = h('span', { class: 'slot-ask', id: `slot-${slot.id}-ask` }, t('slotRemoveAsk'));
        const yes = h('button', { type: 'button', class: 'danger', 'data-remove-yes': String(slot.id), 'aria-label': t('slotRemoveYesOf', { s: what }),
          'aria-describedby': question.id, onclick: () => remove(slot, what) }, t('hleRemoveYes'));
        const no = h('button', { type: 'button', class: 'secondary', onclick: () => { cell.replaceChildren(ask); ask.removeAttribute('aria-describedby'); ask.focus(); } },
          t('hleRemoveNo'));
        cell.replaceChildren(question, h('span', { class: 'slot-ask-buttons' }, yes, no));
        yes.focus();
      } }, t('fdRemove'));
    cell.append(ask, ...(error ? [error] : []));
    return cell;
  }

  async function remove(slot, what) {
    const at = shown.findIndex((s) => s.id === slot.id);
    const after = shown.slice(at + 1).map((s) => s.id);
    const before = shown.slice(0, Math.max(at, 0)).map((s) => s.id).reverse();
    const r = await removeSlot(hotline, slot.id);
    if (!r.ok) {
      const own = r.status === 409 && lang() !== 'de' ? t('slotNotRemovedBooked') : null;
      const message = r.data && r.data.message ? r.data.message : explain(r);
      refused.set(slot.id, tParts('slotNotRemoved', { m: own || (lang() === 'de' ? message : h('span', { lang: 'de' }, message)) }));
    }
    // Drawn anew either way: a refused slot shows its bookings as they are now.
    await list();
    if (r.ok) listDone.textContent = t('slotRemoved', { s: what });
    const target = r.ok ? [...after, ...before].map(removeButton).find(Boolean) : removeButton(slot.id);
    (target || listHeading).focus();
  }

  const form = h('form', { class: 'slot-series', id: 'slot-series', 'data-testid': 'slot-series', novalidate: true, 'aria-labelledby': 'slot-series-h',
    onsubmit: async (e) => {
      e.preventDefault();
      clear();
      const series = { day: c.day.value, from: c.from.value, until: c.until.value, minutes: Number(c.minutes.value), capacity: Number(c.capacity.value) };
      const r = await addSeries(hotline, series);
      if (r.ok) {
        if (series.day < period.from.value || series.day > period.until.value) { period.from.value = series.day; period.until.value = series.day; }
        await list();
        // Said once the new slots are shown (not before: the list is still loading).
        done.textContent = t('slotAdded', { n: r.data.slots.length, d: dayName(series.day) });
        return;
      }
      const input = r.status === 400 && r.data ? byField[r.data.field] || byProblem[r.data.problem] : null;
      if (input) {
        const own = document.getElementById(`${input.id}-error`);
        own.textContent = issueText(r.data);
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', [input.dataset.hint, own.id].filter(Boolean).join(' '));
        input.focus();
        return;
      }
      error.textContent = explain(r);
    } },
  h('h3', { id: 'slot-series-h' }, t('slotSeries')),
  h('div', { class: 'slot-grid' }, row('slot-day', t('slotDay'), c.day), row('slot-from', t('slotFrom'), c.from, t('slotLocalTime')),
    row('slot-until', t('slotUntil'), c.until), row('slot-minutes', t('slotMinutes'), c.minutes, t('slotMinutesHint')),
    row('slot-capacity', t('slotPlaces'), c.capacity, t('slotPlacesHint'))),
  error, h('p', { class: 'button-row' }, h('button', { type: 'submit', id: 'slot-add' }, t('slotAdd'))), done);
  const show = h('form', { class: 'inline slot-period', novalidate: true, 'aria-label': t('slotPeriod'), onsubmit: (e) => { e.preventDefault(); list(true); } },
    h('div', {}, h('label', { for: period.from.id }, t('hlFromDay')), period.from),
    h('div', {}, h('label', { for: period.until.id }, t('hlToDay')), period.until),
    h('button', { type: 'submit', class: 'secondary' }, t('filter')));
  list();
  return h('section', { class: 'slots', 'aria-labelledby': 'slot-h', id: 'slots' }, h('h2', { id: 'slot-h' }, t('slotTitle')),
    h('p', { class: 'hint' }, t('slotIntro')), form, listHeading, show, listDone, result);
}
