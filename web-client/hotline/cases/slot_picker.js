// An appointment field: a list of the hotline's slots by day, each with its free places.
// Full slots stay in the list but cannot be chosen (except the one the case holds). When
// the server says the chosen slot filled up meanwhile ("ausgebucht"), the nearest free
// slots are offered as buttons right under it.
import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { berlinDay, dayName, slotTime, slotText } from './when.js';

const OFFERED = 4;

// `held`: the slot the case holds now (from its bookings), shown even when full or past.
export function slotPicker(id, allSlots, held) {
  const select = h('select', { id, 'data-kind': 'appointment_slot' });
  const offer = h('div', { class: 'case-offer', id: `${id}-offer` });
  let list = [];
  let mine = held ? held.id : null;

  function option(slot) {
    const full = slot.free <= 0 && slot.id !== mine;
    const words = slot.id === mine ? t('caseSlotHeld') : full ? t('caseSlotFull') : t('caseSlotFree', { n: slot.free });
    return h('option', { value: String(slot.id), disabled: full }, `${slotTime(slot.start)}–${slotTime(slot.end)} (${words})`);
  }

  function draw(slots) {
    const keep = select.value;
    list = [...slots];
    if (held && !list.some((s) => s.id === held.id)) list.push(held);
    list.sort((a, b) => a.start.localeCompare(b.start));
    const days = new Map();
    for (const s of list) {
      const day = berlinDay(s.start);
      if (!days.has(day)) days.set(day, []);
      days.get(day).push(s);
    }
    select.replaceChildren(h('option', { value: '' }, list.length ? t('caseNoSlot') : t('caseNoSlots')),
      ...[...days].map(([day, group]) => h('optgroup', { label: dayName(day) }, ...group.map(option))));
    if (keep && list.some((s) => String(s.id) === keep)) select.value = keep;
  }

  // The slot `full` is taken: it is marked, and the free ones nearest to it are offered.
  function offerInstead(full, slots, label) {
    draw(slots);
    const wanted = list.find((s) => s.id === full);
    const at = wanted ? wanted.start : '';
    const free = list.filter((s) => s.free > 0 && s.id !== full && s.id !== mine)
      .sort((a, b) => Math.abs(Date.parse(a.start) - Date.parse(at)) - Math.abs(Date.parse(b.start) - Date.parse(at)))
      .slice(0, OFFERED)
      .sort((a, b) => a.start.localeCompare(b.start));
    if (!free.length) { offer.replaceChildren(h('p', { class: 'hint' }, t('caseNoFreeSlots'))); return; }
    offer.replaceChildren(h('p', { class: 'hint', id: `${id}-offer-h` }, t('caseFreeInstead')),
      h('ul', { class: 'case-offer-list', 'aria-labelledby': `${id}-offer-h` }, ...free.map((s) => h('li', {},
        h('button', { type: 'button', class: 'secondary', 'aria-label': t('caseTakeSlotOf', { s: `${slotText(s)} (${t('caseSlotFree', { n: s.free })})`, f: label }), onclick: () => {
          select.value = String(s.id);
          offer.replaceChildren();
          select.dispatchEvent(new Event('change', { bubbles: true }));
          select.focus();
        } }, `${slotText(s)} (${t('caseSlotFree', { n: s.free })})`)))));
  }

  draw(allSlots);
  if (mine) select.value = String(mine);
  return {
    select,
    offer,
    read: () => (select.value ? Number(select.value) : null),
    write: (v) => { select.value = v === null || v === undefined ? '' : String(v); },
    // After a save: the case now holds `slot` (or none).
    hold: (slot) => { held = slot; mine = slot ? slot.id : null; },
    redraw: draw,
    offerInstead,
    clearOffer: () => offer.replaceChildren(),
  };
}
