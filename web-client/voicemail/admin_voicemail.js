// Admin: units' voicemail boxes (#/admin/voicemail). A table of every unit's box (its
// number, the unit with its path, where new messages are mailed, the language, how many
// messages it holds) with "Entfernen" (asked once more in place), and a small form that
// adds one: the number, the unit (chosen from the directory's units), an e-mail address
// and the language. The server's refusals (a bad or taken number, a unit that has a box)
// are shown in an alert and mark their field.
import { api } from '../api.js';
import { h, show, errorBox, announce, userText, stackedTable, pageStillShown } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { formatNumber } from '../phone/format.js';

const BOXES = '/api/v1/admin/voicemail/boxes';
const LANGUAGES = [['de', 'Deutsch'], ['en', 'English']];

function unitCell(b) {
  return [userText(b.name), b.unit !== b.name ? h('span', { class: 'hint' }, ' (', userText(b.unit), ')') : null];
}

function table(boxes, reload, error) {
  if (!boxes.length) return h('p', { id: 'vm-admin-none' }, t('vmAdminNone'));
  const rows = boxes.map((b) => {
    const number = formatNumber(b.number);
    const remove = h('button', { type: 'button', class: 'danger', 'data-testid': 'vm-admin-remove',
      'aria-label': t('vmAdminRemoveOf', { n: number }) }, t('vmAdminRemove'));
    const cell = h('td', {}, remove);
    remove.addEventListener('click', () => {
      const yes = h('button', { type: 'button', class: 'danger', 'data-testid': 'vm-admin-remove-yes', onclick: async () => {
        yes.disabled = true;
        const r = await api('DELETE', `${BOXES}/${b.id}`).catch(() => ({ ok: false, status: 0 }));
        if (!r.ok) { yes.disabled = false; error.textContent = r.data && r.data.message ? r.data.message : explain(r); return; }
        announce(t('vmAdminRemoved', { n: number }));
        reload();
      } }, t('vmAdminRemoveYes'));
      const no = h('button', { type: 'button', class: 'secondary', onclick: () => { cell.replaceChildren(remove); remove.focus(); } }, t('vmAdminRemoveNo'));
      const cancelOnEscape = (e) => { if (e.key === 'Escape') no.click(); };
      cell.replaceChildren(h('p', { role: 'alert', class: 'vm-ask' }, t('vmAdminRemoveAsk', { n: number })),
        h('p', { class: 'button-row', onkeydown: cancelOnEscape }, yes, no));
      yes.focus();
    });
    const language = LANGUAGES.find(([v]) => v === b.language);
    return h('tr', { 'data-testid': 'vm-admin-box', 'data-box': String(b.id) },
      h('th', { scope: 'row' }, number),
      h('td', {}, ...unitCell(b)),
      h('td', {}, b.email ? userText(b.email) : t('vmAdminNoEmail')),
      h('td', { lang: b.language }, language ? language[1] : b.language),
      h('td', { class: 'vm-admin-count' }, String(b.messages)),
      cell);
  });
  const heads = ['vmAdminNumber', 'vmAdminUnit', 'vmAdminEmail', 'vmAdminLanguage', 'vmAdminMessages', 'vmAdminActions'];
  return stackedTable(t('vmAdminCaption'), { id: 'vm-admin-boxes' }, heads.map((k) => t(k)), rows);
}

// The form that adds a box; `units` the directory's unit paths.
function addForm(units, added) {
  const problem = h('p', { class: 'error', role: 'alert', id: 'vm-admin-error', 'data-testid': 'vm-admin-error' });
  const number = h('input', { id: 'vm-admin-number', name: 'number', inputmode: 'tel', autocomplete: 'off', required: true,
    'aria-describedby': 'vm-admin-number-hint', 'data-testid': 'vm-admin-number' });
  const unit = h('select', { id: 'vm-admin-unit', name: 'unit', 'data-testid': 'vm-admin-unit' },
    ...units.map((u) => h('option', { value: u }, u)));
  const email = h('input', { id: 'vm-admin-email', name: 'email', type: 'email', autocomplete: 'off', 'data-testid': 'vm-admin-email' });
  const language = h('select', { id: 'vm-admin-language', name: 'language', 'data-testid': 'vm-admin-language' },
    ...LANGUAGES.map(([v, label]) => h('option', { value: v, lang: v }, label)));
  const fields = { number, unit, email, language };
  let busy = false;
  const form = h('form', { id: 'vm-admin-add', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    if (busy) return;
    for (const input of Object.values(fields)) input.removeAttribute('aria-invalid');
    const body = { number: number.value.trim(), unit: unit.value, language: language.value };
    if (email.value.trim()) body.email = email.value.trim();
    busy = true;
    const r = await api('POST', BOXES, body).catch(() => ({ ok: false, status: 0 }));
    busy = false;
    if (!r.ok) {
      problem.textContent = r.data && r.data.message ? r.data.message : explain(r);
      // Every refusal names its field (a taken number, a unit that has a box already).
      const field = r.data && r.data.field;
      const input = (Object.hasOwn(fields, field) && fields[field]) || (r.status === 409 ? number : null);
      if (input) { input.setAttribute('aria-invalid', 'true'); input.focus(); }
      return;
    }
    problem.textContent = '';
    number.value = '';
    email.value = '';
    announce(t('vmAdminCreated', { n: formatNumber(r.data.number) }));
    added();
  } },
  h('div', {}, h('label', { for: 'vm-admin-number' }, t('vmAdminNumberField')), number,
    h('p', { class: 'hint', id: 'vm-admin-number-hint' }, t('vmAdminNumberHint'))),
  h('div', {}, h('label', { for: 'vm-admin-unit' }, t('vmAdminUnit')), unit),
  h('div', {}, h('label', { for: 'vm-admin-email' }, t('vmAdminEmailField')), email),
  h('div', {}, h('label', { for: 'vm-admin-language' }, t('vmAdminLanguageField')), language),
  h('p', { class: 'button-row' }, h('button', { type: 'submit', 'data-testid': 'vm-admin-create' }, t('vmAdminCreate'))));
  return [form, problem];
}

export async function showAdminVoicemail() {
  const stillShown = pageStillShown();
  const error = errorBox();
  const holder = h('div', { id: 'vm-admin-list' });
  const [boxes, units] = await Promise.all([api('GET', BOXES), api('GET', '/api/v1/admin/units')]
    .map((p) => p.catch(() => ({ ok: false, status: 0 }))));
  if (!stillShown()) return;
  async function reload() {
    const r = await api('GET', BOXES).catch(() => ({ ok: false, status: 0 }));
    if (!stillShown()) return;
    if (!r.ok) { error.textContent = explain(r); return; }
    holder.replaceChildren(table(r.data.boxes, reload, error));
  }
  if (!boxes.ok) { show(t('vmAdminTitle'), h('p', { class: 'error' }, explain(boxes))); return; }
  holder.replaceChildren(table(boxes.data.boxes, reload, error));
  show(t('vmAdminTitle'), h('p', { class: 'vm-section' }, t('vmAdminIntro')), error, holder,
    h('h2', {}, t('vmAdminAdd')), ...addForm(units.ok ? units.data.units : [], reload));
}
