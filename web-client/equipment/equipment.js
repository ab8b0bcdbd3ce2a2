// The equipment page (#/equipment, "Geräte"): first "Meine Geräte" (what one holds, with
// the due day and overdue said in words; one's reservations, those kept from a waiting
// list said so, each to cancel; one's places on waiting lists, each to leave), then the
// pool per kind (free today, in stock, waiting, one's place) with "Auf die Warteliste"
// where nothing is free, every item with its state and the days it is taken, and a form
// to reserve an item for days. Tables become cards at phone width (stackedTable). A
// refusal is said at the form in the server's words; the page is drawn again when an
// `equipment.changed` frame says something of one's own changed.
import { api } from '../api.js';
import { h, show, announce, pageStillShown, userText, stackedTable, onLeave } from '../dom.js';
import { t, lang } from '../i18n.js';
import { explain } from '../sign_in.js';
import { on } from '../realtime.js';
import { today, dayText } from '../desks/desk_view.js';

const fail = () => ({ ok: false, status: 0 });
export const kindText = (kind) => t(`eqKind_${kind}`);

// A result line: said as done (status) or refused (alert, the server's words).
export function resultLine(id) {
  const p = h('p', { id, 'data-testid': id });
  return {
    p,
    done(text) { p.className = 'ok'; p.removeAttribute('role'); p.textContent = text; announce(text); },
    refuse(res) {
      p.className = 'error';
      p.setAttribute('role', 'alert');
      p.textContent = '';
      // The server says why in German; in English by its problem code.
      const problem = res.data?.fields?.[0]?.problem;
      const why = lang() !== 'de' && problem && t(`eqProblem_${problem}`) !== `eqProblem_${problem}`
        ? t(`eqProblem_${problem}`) : explain(res).replace(/^.*?: /, '');
      const text = `${t('eqRefused')} ${why}`;
      setTimeout(() => { p.textContent = text; }, 50);
    },
  };
}

function mineSection(mine, redraw, result) {
  const parts = [h('h2', { id: 'eq-mine-h', tabindex: '-1' }, t('eqMineHeading'))];
  if (!mine.loans.length && !mine.reservations.length && !mine.waiting.length) {
    parts.push(h('p', { 'data-testid': 'eq-mine-none' }, t('eqMineNone')));
  }
  if (mine.loans.length) {
    parts.push(h('h3', {}, t('eqHolds')), h('ul', { 'data-testid': 'eq-mine-loans' }, ...mine.loans.map((l) => h('li', {},
      t('eqHoldLine', { k: kindText(l.device.kind), n: l.device.name, i: l.device.inventory_number, d: dayText(l.due) }),
      l.overdue ? [' – ', h('strong', { class: 'error' }, t('eqOverdue'))] : null))));
  }
  if (mine.reservations.length) {
    parts.push(h('h3', {}, t('eqReserved')), h('ul', { 'data-testid': 'eq-mine-reservations' }, ...mine.reservations.map((r) => h('li', {},
      t('eqReservedLine', { k: kindText(r.device.kind), n: r.device.name, i: r.device.inventory_number, f: dayText(r.first), l: dayText(r.last) }),
      r.offered ? [' – ', h('strong', {}, t('eqOffered'))] : null, ' ',
      h('button', { type: 'button', class: 'secondary', 'aria-label': t('eqCancelOf', { n: r.device.name, i: r.device.inventory_number }), onclick: async () => {
        const res = await api('DELETE', `/api/v1/equipment/reservations/${r.id}`).catch(fail);
        if (!res.ok) { result.refuse(res); return; }
        await redraw('eq-mine-h');
        announce(t('eqCancelled'));
      } }, t('eqCancel'))))));
  }
  if (mine.waiting.length) {
    parts.push(h('h3', {}, t('eqWaitingHeading')), h('ul', { 'data-testid': 'eq-mine-waiting' }, ...mine.waiting.map((w) => h('li', {},
      t('eqPlace', { k: kindText(w.kind), p: w.position, o: w.of }), ' ',
      h('button', { type: 'button', class: 'secondary', 'aria-label': t('eqLeaveOf', { k: kindText(w.kind) }), onclick: async () => {
        const res = await api('DELETE', `/api/v1/equipment/waiting/${w.kind}`).catch(fail);
        if (!res.ok) { result.refuse(res); return; }
        await redraw('eq-mine-h');
        announce(t('eqLeft', { k: kindText(w.kind) }));
      } }, t('eqLeave'))))));
  }
  return h('section', { 'aria-labelledby': 'eq-mine-h', 'data-testid': 'eq-mine' }, ...parts);
}

function itemState(item) {
  if (item.state === 'lent') return t('eqStateLent', { d: dayText(item.lent_until) });
  if (item.state === 'retired') return t('eqStateRetired');
  return item.free_today ? t('eqStateFree') : t('eqStateBusy');
}

function poolSection(pool, mine, redraw, result) {
  // Kinds one holds or has kept from a waiting list: no need to wait for another.
  const have = new Set([...mine.loans, ...mine.reservations.filter((r) => r.offered)].map((x) => x.device.kind));
  const kindHeads = [t('eqColKind'), t('eqColFree'), t('eqColWaiting'), t('eqColAction')];
  const kindRows = pool.kinds.filter((k) => k.total > 0 || k.my_position).map((k) => h('tr', { 'data-testid': 'eq-kind-row', 'data-kind': k.kind },
    h('th', { scope: 'row', id: `eq-kind-${k.kind}`, tabindex: '-1' }, kindText(k.kind)),
    h('td', {}, t('eqFreeOf', { f: k.free_today, t: k.total })),
    h('td', {}, String(k.waiting)),
    h('td', {}, k.my_position ? t('eqYourPlace', { p: k.my_position })
      : k.free_today === 0 && !have.has(k.kind) ? h('button', { type: 'button', 'data-testid': 'eq-join', 'aria-label': t('eqJoinOf', { k: kindText(k.kind) }), onclick: async () => {
        const res = await api('POST', '/api/v1/equipment/waiting', { kind: k.kind }).catch(fail);
        if (!res.ok) { result.refuse(res); return; }
        await redraw(`eq-kind-${k.kind}`);
        announce(t('eqJoined', { k: kindText(k.kind), p: res.data.position, o: res.data.of }));
      } }, t('eqJoin')) : '–')));
  const itemHeads = [t('eqColItem'), t('eqColNumber'), t('eqColState'), t('eqColTaken')];
  const itemRows = pool.items.map((i) => h('tr', { 'data-testid': 'eq-item-row' },
    h('th', { scope: 'row' }, kindText(i.kind), ': ', userText(i.name)),
    h('td', {}, userText(i.inventory_number)),
    h('td', {}, itemState(i)),
    h('td', {}, i.reservations.length ? i.reservations.map((r) => t('eqTakenRange', { f: dayText(r.first), l: dayText(r.last) })).join('; ') : t('eqTakenNone'))));
  return h('section', { 'aria-labelledby': 'eq-pool-h' },
    h('h2', { id: 'eq-pool-h' }, t('eqPoolHeading')),
    pool.items.length ? [
      stackedTable(t('eqKindsCaption'), { 'data-testid': 'eq-kinds' }, kindHeads, kindRows),
      stackedTable(t('eqItemsCaption'), { 'data-testid': 'eq-items' }, itemHeads, itemRows),
    ] : h('p', {}, t('eqNoItems')));
}

function reserveForm(pool, redraw, result) {
  const items = pool.items.filter((i) => i.state !== 'retired');
  if (!items.length) return null;
  const select = h('select', { id: 'eq-res-item', 'data-testid': 'eq-res-item' },
    ...items.map((i) => h('option', { value: String(i.id) }, `${kindText(i.kind)}: ${i.name} (${i.inventory_number})`)));
  const first = h('input', { type: 'date', id: 'eq-res-first', min: today(), value: today(), required: true, 'data-testid': 'eq-res-first' });
  const last = h('input', { type: 'date', id: 'eq-res-last', min: today(), value: today(), required: true, 'data-testid': 'eq-res-last' });
  return h('form', { 'aria-labelledby': 'eq-res-h', onsubmit: async (e) => {
    e.preventDefault();
    const item = items.find((i) => String(i.id) === select.value);
    const res = await api('POST', '/api/v1/equipment/reservations', { item: item.id, first: first.value, last: last.value }).catch(fail);
    if (!res.ok) { result.refuse(res); return; }
    await redraw('eq-mine-h');
    announce(t('eqReservedDone', { n: item.name, i: item.inventory_number, f: dayText(first.value), l: dayText(last.value) }));
  } },
  h('h2', { id: 'eq-res-h' }, t('eqReserveHeading')),
  h('div', {}, h('label', { for: 'eq-res-item' }, t('eqReserveItem')), select),
  h('div', {}, h('label', { for: 'eq-res-first' }, t('eqReserveFirst')), first),
  h('div', {}, h('label', { for: 'eq-res-last' }, t('eqReserveLast')), last),
  h('button', { type: 'submit', 'data-testid': 'eq-reserve' }, t('eqReserve')));
}

export async function showEquipment() {
  const page = pageStillShown();
  const result = resultLine('eq-result');
  const body = h('div');
  // Reads both lists and draws them; the focus then goes to `focusId`.
  async function redraw(focusId) {
    const [pool, mine] = await Promise.all([
      api('GET', '/api/v1/equipment').catch(fail),
      api('GET', '/api/v1/equipment/mine').catch(fail),
    ]);
    if (!page()) return;
    if (!pool.ok || !mine.ok) { body.replaceChildren(h('p', { class: 'error', role: 'alert' }, explain(pool.ok ? mine : pool))); return; }
    body.replaceChildren(mineSection(mine.data, redraw, result), result.p, poolSection(pool.data, mine.data, redraw, result),
      reserveForm(pool.data, redraw, result) || '');
    if (focusId) document.getElementById(focusId)?.focus();
  }
  await redraw(null);
  if (!page()) return;
  show(t('eqTitle'), body);
  onLeave(on('equipment.changed', () => redraw(null)));
}
