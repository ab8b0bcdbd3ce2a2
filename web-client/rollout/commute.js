// One's commute on #/mobile-work (GET/PUT /api/v1/me/commute): voluntary, one's own only.
// The one-way distance in km lets the rollout report estimate the kilometres and CO₂ that
// mobile days save, in sums over at least five people, never per person. Empty removes it.
import { api } from '../api.js';
import { h, announce, errorBox } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';

const PATH = '/api/v1/me/commute';

export function commuteSection() {
  const input = h('input', { id: 'cm-km', type: 'text', inputmode: 'decimal', autocomplete: 'off',
    'aria-describedby': 'cm-hint' });
  const error = errorBox();
  const form = h('form', { class: 'co-form', 'data-testid': 'cm-form', onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    input.removeAttribute('aria-invalid');
    const text = input.value.trim().replace(',', '.');
    // Not a number: sent as typed, so the server's 422 says why.
    const km = text === '' ? null : (Number.isFinite(Number(text)) ? Number(text) : text);
    const r = await api('PUT', PATH, { km }).catch(() => ({ ok: false, status: 0 }));
    if (!r.ok) { error.textContent = explain(r); input.setAttribute('aria-invalid', 'true'); input.focus(); return; }
    announce(r.data.km === null ? t('cmRemoved') : t('cmSaved', { n: String(r.data.km).replace('.', t('cmDecimal')) }));
  } },
  h('div', {}, h('label', { for: input.id }, t('cmLabel')), input),
  h('p', { class: 'button-row' }, h('button', { type: 'submit', 'data-testid': 'cm-save' }, t('cmSave'))));
  api('GET', PATH).then((r) => { if (r.ok && r.data.km !== null) input.value = String(r.data.km).replace('.', t('cmDecimal')); }).catch(() => {});
  return h('section', { class: 'mw-section', 'aria-labelledby': 'cm-h', 'data-testid': 'cm-section' },
    h('h2', { id: 'cm-h' }, t('cmHeading')),
    h('p', { id: 'cm-hint', class: 'hint' }, t('cmHint')), form, error);
}
