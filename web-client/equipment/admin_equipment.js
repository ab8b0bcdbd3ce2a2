// The equipment managers' page (#/admin/equipment, administrators for now): a form to
// add an item (inventory number, kind, name, notes), the stock as a table that becomes
// cards at phone width (each item with its state, who has it until when, its
// reservations, and per state the step it allows: lend to a login until a day, take
// back, retire), and the waiting lists in order. The server checks everything; a
// refusal is said at the form in its words, and the focus stays where one was.
import { api } from '../api.js';
import { h, show, announce, pageStillShown, userText, stackedTable } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { today, dayText } from '../desks/desk_view.js';
import { kindText, resultLine } from './equipment.js';

const KINDS = ['headset', 'camera', 'laptop', 'mobile_phone', 'other'];
const fail = () => ({ ok: false, status: 0 });

function labelled(id, label, attrs, tag = 'input', ...children) {
  const input = h(tag, { id, name: id, 'data-testid': id, ...attrs }, ...children);
  return [h('div', {}, h('label', { for: id }, label), input), input];
}

function addForm(again, result) {
  const [numberRow, number] = labelled('eqa-number', t('eqNumber'), { type: 'text', required: true, autocomplete: 'off' });
  const [kindRow, kind] = labelled('eqa-kind', t('eqKind'), {}, 'select', ...KINDS.map((k) => h('option', { value: k }, kindText(k))));
  const [nameRow, name] = labelled('eqa-name', t('eqName'), { type: 'text', required: true });
  const [notesRow, notes] = labelled('eqa-notes', t('eqNotes'), { type: 'text' });
  return h('form', { novalidate: true, 'aria-labelledby': 'eqa-add-h', onsubmit: async (e) => {
    e.preventDefault();
    const res = await api('POST', '/api/v1/admin/equipment/items',
      { inventory_number: number.value, kind: kind.value, name: name.value, notes: notes.value || null }).catch(fail);
    if (!res.ok) {
      result.refuse(res);
      ({ inventory_number: number, kind, name, notes })[res.data?.field]?.focus();
      return;
    }
    await again('eqa-number', t('eqAdded', { n: res.data.name, i: res.data.inventory_number }));
  } }, h('h2', { id: 'eqa-add-h' }, t('eqAddHeading')), numberRow, kindRow, nameRow, notesRow,
  h('button', { type: 'submit', 'data-testid': 'eqa-add' }, t('eqAdd')));
}

// The step an item allows: lend (login and due day), take back, retire.
function actions(item, again, result) {
  const i = item.inventory_number;
  const step = (method, path, body, said, focusId) => async () => {
    const res = await api(method, path, body).catch(fail);
    if (!res.ok) { result.refuse(res); return; }
    await again(focusId, said(res.data));
  };
  if (item.state === 'retired') return t('eqStateRetired');
  if (item.state === 'lent') {
    return h('button', { type: 'button', 'data-testid': 'eqa-return', 'aria-label': t('eqReturnOf', { i }),
      onclick: step('POST', `/api/v1/admin/equipment/items/${item.id}/return`, {}, () => t('eqReturned', { i }), `eqa-item-${item.id}`) }, t('eqReturn'));
  }
  const login = h('input', { type: 'text', id: `eqa-login-${item.id}`, 'data-testid': 'eqa-login', autocomplete: 'off', required: true });
  const due = h('input', { type: 'date', id: `eqa-due-${item.id}`, 'data-testid': 'eqa-due', min: today(), required: true });
  const lend = h('form', { class: 'inline', novalidate: true, 'aria-label': t('eqLendOf', { i }), onsubmit: async (e) => {
    e.preventDefault();
    await step('POST', `/api/v1/admin/equipment/items/${item.id}/loan`, { login: login.value.trim(), due: due.value },
      (loan) => t('eqLent', { i, w: loan.person.name, d: dayText(loan.due) }), `eqa-item-${item.id}`)();
  } },
  h('div', {}, h('label', { for: login.id }, t('eqLendLogin')), login),
  h('div', {}, h('label', { for: due.id }, t('eqLendDue')), due),
  h('button', { type: 'submit', 'data-testid': 'eqa-lend', 'aria-label': t('eqLendOf', { i }) }, t('eqLend')));
  const retire = h('button', { type: 'button', class: 'secondary', 'data-testid': 'eqa-retire', 'aria-label': t('eqRetireOf', { i }),
    onclick: step('POST', `/api/v1/admin/equipment/items/${item.id}/retire`, {}, () => t('eqRetired', { i }), `eqa-item-${item.id}`) }, t('eqRetire'));
  return h('div', {}, lend, retire);
}

function stock(overview, again, result) {
  const heads = [t('eqColItem'), t('eqColNumber'), t('eqColState'), t('eqColHolder'), t('eqColReservations'), t('eqColAction')];
  const rows = overview.items.map((item) => h('tr', { 'data-testid': 'eqa-item-row', 'data-number': item.inventory_number },
    h('th', { scope: 'row', id: `eqa-item-${item.id}`, tabindex: '-1' }, kindText(item.kind), ': ', userText(item.name)),
    h('td', {}, userText(item.inventory_number)),
    h('td', {}, item.state === 'lent' ? t('eqStateLentNow') : item.state === 'retired' ? t('eqStateRetired') : item.free_today ? t('eqStateFree') : t('eqStateBusy')),
    h('td', {}, ...(item.loan ? [userText(item.loan.person.name), ', ', t('eqStateLent', { d: dayText(item.loan.due) }),
      ...(item.loan.overdue ? [' – ', h('strong', { class: 'error' }, t('eqOverdue'))] : [])] : ['–'])),
    h('td', {}, item.reservations.length ? h('ul', {}, ...item.reservations.map((r) => h('li', {},
      t('eqReservationBy', { w: r.person?.name || '', f: dayText(r.first), l: dayText(r.last) }), r.offered ? ` (${t('eqOfferedShort')})` : ''))) : '–'),
    h('td', {}, actions(item, again, result))));
  return h('section', { 'aria-labelledby': 'eqa-items-h' }, h('h2', { id: 'eqa-items-h' }, t('eqAdminItemsHeading')),
    rows.length ? stackedTable(t('eqAdminItemsHeading'), { 'data-testid': 'eqa-items' }, heads, rows) : h('p', {}, t('eqNoItems')));
}

function waitingLists(overview) {
  const lists = overview.waiting.filter((k) => k.waiting.length);
  return h('section', { 'aria-labelledby': 'eqa-waiting-h', 'data-testid': 'eqa-waiting' }, h('h2', { id: 'eqa-waiting-h' }, t('eqAdminWaitingHeading')),
    lists.length ? lists.flatMap((k) => [h('h3', {}, kindText(k.kind)),
      h('ol', {}, ...k.waiting.map((w) => h('li', {}, userText(w.person.name))))]) : h('p', {}, t('eqAdminWaitingNone')));
}

export async function showAdminEquipment() {
  const page = pageStillShown();
  const result = resultLine('eqa-result');
  const body = h('div');
  async function again(focusId, said) {
    const res = await api('GET', '/api/v1/admin/equipment').catch(fail);
    if (!page()) return;
    if (!res.ok) { body.replaceChildren(h('p', { class: 'error', role: 'alert' }, explain(res))); return; }
    body.replaceChildren(addForm(again, result), result.p, stock(res.data, again, result), waitingLists(res.data));
    if (said) result.done(said);
    if (focusId) document.getElementById(focusId)?.focus();
  }
  await again(null, null);
  if (!page()) return;
  show(t('eqAdminTitle'), body);
}
