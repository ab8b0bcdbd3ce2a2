// "Umbenennen oder entfernen" on the administrators' desks page: one form for the chosen
// floor's building, the floor itself, its rooms and its desks. Renaming takes the new name;
// removing asks once more ("Wirklich entfernen?") and the server removes only what is
// empty (a building without floors, a floor without rooms, a room without desks or
// bookings ahead, a desk without bookings ahead), saying what is still there otherwise.
import { api } from '../api.js';
import { h } from '../dom.js';
import { t, lang } from '../i18n.js';

const fail = () => ({ ok: false, status: 0 });

// The form; `reload(focusId, said, floorGone)` draws the page again, `resultLine` makes
// the form's result line.
export function layoutForm({ building, floor, rooms, desks, page, reload, resultLine }) {
  const items = [
    ['buildings', building.id, building.name, 'dkAdminKindBuilding'],
    ['floors', floor.id, floor.name, 'dkAdminKindFloor'],
    ...rooms.map((r) => ['rooms', r.id, r.name, 'dkAdminKindRoom']),
    ...desks.map((d) => ['desks', d.id, d.label, 'dkAdminKindDesk']),
  ];
  const pick = h('select', { id: 'dka-layout-item', 'data-testid': 'dka-layout-item' },
    ...items.map(([kind, id, name, word]) => h('option', { value: `${kind}/${id}` }, `${t(word)}: ${name}`)));
  const name = h('input', { id: 'dka-layout-name', name: 'dka-layout-name', type: 'text', 'data-testid': 'dka-layout-name' });
  const chosen = () => items.find(([kind, id]) => `${kind}/${id}` === pick.value);
  const fill = () => { name.value = chosen()?.[2] || ''; confirmRow.hidden = true; };
  pick.addEventListener('change', fill);
  const result = resultLine('dka-layout-result');

  async function rename() {
    const [kind, id, old] = chosen();
    if (!name.value.trim()) { result.refuse(t('dkAdminNameNeeded')); name.focus(); return; }
    const r = await api('PUT', `/api/v1/admin/desks/layout/${kind}/${id}`, { name: name.value }).catch(fail);
    if (!page()) return;
    if (!r.ok) { result.refuse(r.status === 409 && lang() !== 'de' ? t('dkAdminNameTaken') : r); name.focus(); return; }
    reload('dka-layout-h', t('dkAdminRenamed', { o: old, n: name.value.trim() }));
  }
  async function remove() {
    const [kind, id, old] = chosen();
    const r = await api('DELETE', `/api/v1/admin/desks/layout/${kind}/${id}`).catch(fail);
    if (!page()) return;
    confirmRow.hidden = true;
    if (!r.ok) { result.refuse(r.status === 409 && lang() !== 'de' ? t('dkAdminNotEmpty') : r); pick.focus(); return; }
    reload(kind === 'buildings' || kind === 'floors' ? 'dka-buildings-h' : 'dka-layout-h', t('dkAdminRemoved', { n: old }), kind === 'floors' || kind === 'buildings');
  }
  const yes = h('button', { type: 'button', class: 'danger', 'data-testid': 'dka-layout-remove-yes', onclick: remove }, t('dkAdminRemoveYes'));
  const no = h('button', { type: 'button', class: 'secondary', onclick: () => { confirmRow.hidden = true; pick.focus(); } }, t('dkAdminRemoveNo'));
  const question = h('span', { id: 'dka-layout-question' });
  const confirmRow = h('p', { class: 'button-row', hidden: true, role: 'group', 'aria-labelledby': 'dka-layout-question' }, question, ' ', yes, ' ', no);
  fill();
  const form = h('form', { novalidate: true, 'aria-labelledby': 'dka-layout-h', onsubmit: (e) => { e.preventDefault(); rename(); } },
    h('div', {}, h('label', { for: 'dka-layout-item' }, t('dkAdminLayoutItem')), pick),
    h('div', {}, h('label', { for: 'dka-layout-name' }, t('dkAdminLayoutName')), name), result.p,
    h('p', { class: 'button-row' }, h('button', { type: 'submit', 'data-testid': 'dka-layout-rename' }, t('dkAdminRename')), ' ',
      h('button', { type: 'button', class: 'secondary', 'data-testid': 'dka-layout-remove', onclick: () => {
        question.textContent = t('dkAdminRemoveAsk', { n: chosen()[2] });
        confirmRow.hidden = false;
        yes.focus();
      } }, t('dkAdminRemove'))),
    confirmRow);
  return [h('h3', { id: 'dka-layout-h', tabindex: '-1' }, t('dkAdminLayout')), h('p', { class: 'hint' }, t('dkAdminLayoutHint')), form];
}
