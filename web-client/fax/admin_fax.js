// Admin: fax boxes (#/admin/fax). A table of every box (number, whose: a person with
// their login or a unit with its path, where received faxes are mailed) with "Entfernen"
// (asked once more in place), and a small form that adds a box: the number, for a person
// (login) or a unit (chosen from the directory's units), a unit's e-mail address. The
// server's refusals (a bad or taken number, an unknown login) are shown in an alert and
// mark their field.
import { api } from '../api.js';
import { h, show, errorBox, announce, userText, stackedTable, pageStillShown } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { formatNumber } from '../phone/format.js';

const BOXES = '/api/v1/admin/fax/boxes';

function owner(b) {
  const detail = b.kind === 'person' ? b.login : b.unit;
  return [userText(b.name), detail && detail !== b.name ? h('span', { class: 'hint' }, ' (', userText(detail), ')') : null];
}

function table(boxes, reload, error) {
  if (!boxes.length) return h('p', { id: 'fax-admin-none' }, t('faxAdminNone'));
  const rows = boxes.map((b) => {
    const remove = h('button', { type: 'button', class: 'danger', 'data-testid': 'fax-admin-remove',
      'aria-label': t('faxAdminRemoveOf', { n: b.number }) }, t('faxAdminRemove'));
    const cell = h('td', {}, remove);
    remove.addEventListener('click', () => {
      const yes = h('button', { type: 'button', class: 'danger', 'data-testid': 'fax-admin-remove-yes', onclick: async () => {
        yes.disabled = true;
        const r = await api('DELETE', `${BOXES}/${b.id}`).catch(() => ({ ok: false, status: 0 }));
        if (!r.ok) { yes.disabled = false; error.textContent = r.data && r.data.message ? r.data.message : explain(r); return; }
        announce(t('faxAdminRemoved', { n: b.number }));
        reload();
      } }, t('faxDeleteYes'));
      const no = h('button', { type: 'button', class: 'secondary', onclick: () => { cell.replaceChildren(remove); remove.focus(); } }, t('faxDeleteNo'));
      cell.replaceChildren(h('p', { role: 'alert', class: 'fax-ask' }, t('faxAdminRemoveAsk', { n: b.number })), h('p', { class: 'button-row' }, yes, no));
      yes.focus();
    });
    return h('tr', { 'data-testid': 'fax-admin-box', 'data-box': String(b.id) },
      h('th', { scope: 'row' }, formatNumber(b.number)),
      h('td', {}, ...owner(b)),
      h('td', { class: 'fax-admin-email' }, b.email ? userText(b.email) : t('faxAdminNoEmail')),
      cell);
  });
  const heads = ['faxAdminNumber', 'faxAdminOwner', 'faxAdminEmail', 'faxAdminActions'];
  return stackedTable(t('faxAdminCaption'), { id: 'fax-admin-boxes' }, heads.map((k) => t(k)), rows);
}

// The form that adds a box; `units` the directory's unit paths.
function addForm(units, added) {
  const problem = h('p', { class: 'error', role: 'alert', id: 'fax-admin-error', 'data-testid': 'fax-admin-error' });
  const number = h('input', { id: 'fax-admin-number', name: 'number', inputmode: 'tel', autocomplete: 'off', required: true,
    'aria-describedby': 'fax-admin-number-hint', 'data-testid': 'fax-admin-number' });
  const kindPerson = h('input', { type: 'radio', name: 'fax-kind', id: 'fax-kind-person', value: 'person', checked: true });
  const kindUnit = h('input', { type: 'radio', name: 'fax-kind', id: 'fax-kind-unit', value: 'unit', 'data-testid': 'fax-admin-kind-unit' });
  const login = h('input', { id: 'fax-admin-login', name: 'login', autocomplete: 'off', 'data-testid': 'fax-admin-login' });
  const unit = h('select', { id: 'fax-admin-unit', name: 'unit', 'data-testid': 'fax-admin-unit' },
    ...units.map((u) => h('option', { value: u }, u)));
  const email = h('input', { id: 'fax-admin-email', name: 'email', type: 'email', autocomplete: 'off', 'data-testid': 'fax-admin-email' });
  const personPart = h('div', {}, h('label', { for: 'fax-admin-login' }, t('faxAdminLogin')), login);
  const unitPart = h('div', { hidden: true }, h('label', { for: 'fax-admin-unit' }, t('faxAdminUnit')), unit,
    h('label', { for: 'fax-admin-email' }, t('faxAdminEmailUnit')), email);
  const fields = { number, login, unit, email };
  function kindChanged() {
    personPart.hidden = kindUnit.checked;
    unitPart.hidden = !kindUnit.checked;
  }
  kindPerson.addEventListener('change', kindChanged);
  kindUnit.addEventListener('change', kindChanged);
  let busy = false;
  const form = h('form', { id: 'fax-admin-add', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    if (busy) return;
    for (const input of Object.values(fields)) input.removeAttribute('aria-invalid');
    const body = { number: number.value.trim() };
    if (kindUnit.checked) {
      body.unit = unit.value;
      if (email.value.trim()) body.email = email.value.trim();
    } else body.login = login.value.trim();
    busy = true;
    const r = await api('POST', BOXES, body).catch(() => ({ ok: false, status: 0 }));
    busy = false;
    if (!r.ok) {
      problem.textContent = r.data && r.data.message ? r.data.message : explain(r);
      const field = r.data && (r.data.field === 'owner' ? (kindUnit.checked ? 'unit' : 'login') : r.data.field);
      const input = (Object.hasOwn(fields, field) && fields[field]) || (r.status === 409 ? number : null);
      if (input) { input.setAttribute('aria-invalid', 'true'); input.focus(); }
      return;
    }
    problem.textContent = '';
    number.value = '';
    login.value = '';
    email.value = '';
    announce(t('faxAdminCreated', { n: r.data.number }));
    added();
  } },
  h('div', {}, h('label', { for: 'fax-admin-number' }, t('faxAdminNumber')), number,
    h('p', { class: 'hint', id: 'fax-admin-number-hint' }, t('faxAdminNumberHint'))),
  h('fieldset', {}, h('legend', {}, t('faxAdminKind')),
    kindPerson, h('label', { for: 'fax-kind-person' }, t('faxAdminKindPerson')),
    kindUnit, h('label', { for: 'fax-kind-unit' }, t('faxAdminKindUnit'))),
  personPart, unitPart,
  h('p', { class: 'button-row' }, h('button', { type: 'submit', 'data-testid': 'fax-admin-create' }, t('faxAdminCreate'))));
  return [form, problem];
}

export async function showAdminFax() {
  const stillShown = pageStillShown();
  const error = errorBox();
  const holder = h('div', { id: 'fax-admin-list' });
  const [boxes, units] = await Promise.all([api('GET', BOXES), api('GET', '/api/v1/admin/units')]
    .map((p) => p.catch(() => ({ ok: false, status: 0 }))));
  if (!stillShown()) return;
  async function reload() {
    const r = await api('GET', BOXES).catch(() => ({ ok: false, status: 0 }));
    if (!stillShown()) return;
    if (!r.ok) { error.textContent = explain(r); return; }
    holder.replaceChildren(table(r.data.boxes, reload, error));
  }
  if (!boxes.ok) { show(t('faxAdminTitle'), h('p', { class: 'error' }, explain(boxes))); return; }
  holder.replaceChildren(table(boxes.data.boxes, reload, error));
  show(t('faxAdminTitle'), h('p', { class: 'fax-section' }, t('faxAdminIntro')), error, holder,
    h('h2', {}, t('faxAdminAdd')), ...addForm(units.ok ? units.data.units : [], reload));
}
