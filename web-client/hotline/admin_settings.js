// A hotline's own settings on its admin page: name, numbers, public holidays and how long
// closed cases are kept (one form), and the opening hours per weekday (another). Both
// send the whole set (PUT /api/v1/admin/hotlines/{id}): each takes the other's values
// from the hotline as last loaded. A refused field is marked under it; a taken number said.
// Whether supervisors may listen in and whisper is a switch of its own (…/listening).
import { api } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { formatNumber } from '../phone/format.js';
import { STATES } from './admin_hotline_form.js';
import { row, refuse, clearMarks, settingsMessage } from './form_rows.js';

const DAYS = [0, 1, 2, 3, 4, 5, 6];

// The hotline's settings as the PUT takes them, from the detail.
function bodyOf(d) {
  return { name: d.name, extension: d.extension, did: d.did || undefined, holiday_state: d.holiday_state || undefined,
    hours: (d.hours || []).some(Boolean) ? d.hours : undefined, case_retention_days: d.case_retention_days };
}

// Sends `body`; marks the refused control (by the server's field) or says why.
async function put(id, body, byField, error) {
  const r = await api('PUT', `/api/v1/admin/hotlines/${id}`, body).catch(() => ({ ok: false, status: 0 }));
  if (r.ok) return true;
  const input = r.status === 400 && r.data ? byField[r.data.field] : null;
  if (input) { refuse(input, settingsMessage(r.data)); return false; }
  error.textContent = r.status === 409 && r.data ? t('hleNotSaved', { m: r.data.message }) : explain(r);
  return false;
}

// `ctx`: { detail(), refresh(key, message) }.
export function settingsForm(id, d, ctx) {
  const c = {
    name: h('input', { maxlength: '80', autocomplete: 'off', value: d.name }),
    extension: h('input', { inputmode: 'numeric', maxlength: '8', autocomplete: 'off', value: d.extension }),
    did: h('input', { inputmode: 'tel', autocomplete: 'off', value: d.did ? formatNumber(d.did) : '' }),
    holiday_state: h('select', {}, h('option', { value: '' }, t('hlNoState')),
      ...STATES.map((s) => h('option', { value: s, selected: s === d.holiday_state }, t(`hlLand${s}`)))),
    case_retention_days: h('input', { type: 'number', min: '1', max: '3650', step: '1', value: String(d.case_retention_days ?? 90) }),
  };
  const error = h('p', { class: 'error', role: 'alert', id: 'hle-settings-error' });
  const form = h('form', { class: 'hl-new-form', id: 'hle-settings', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    clearMarks(Object.values(c));
    const body = { ...bodyOf(ctx.detail()), name: c.name.value.trim(), extension: c.extension.value.trim(),
      did: c.did.value.replace(/[\s\-/().]/g, '') || undefined, holiday_state: c.holiday_state.value || undefined,
      case_retention_days: c.case_retention_days.value.trim() === '' ? undefined : Number(c.case_retention_days.value) };
    if (await put(id, body, c, error)) await ctx.refresh('settings', t('hleSaved'));
  } },
  row('hle-name', t('name'), c.name),
  row('hle-extension', t('hlExtension'), c.extension, t('hlExtensionHint')),
  row('hle-did', t('hlDid'), c.did, t('hlDidHint')),
  row('hle-state', t('hlHolidayState'), c.holiday_state, t('hlHolidayHint')),
  row('hle-retention', t('hleRetention'), c.case_retention_days, t('hleRetentionHint')),
  error, h('p', {}, h('button', { type: 'submit', id: 'hle-settings-save' }, t('hleSaveSettings'))));
  return form;
}

export function hoursForm(id, d, ctx) {
  const hours = DAYS.map((i) => h('input', { autocomplete: 'off', value: (d.hours || [])[i] || '' }));
  const error = h('p', { class: 'error', role: 'alert', id: 'hle-hours-error' });
  const byField = Object.fromEntries(hours.map((input, i) => [`hours.${i}`, input]));
  return h('form', { class: 'hl-new-form', id: 'hle-hours', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    clearMarks(hours);
    const days = hours.map((input) => input.value.trim());
    const body = { ...bodyOf(ctx.detail()), hours: days.some(Boolean) ? days : undefined };
    if (await put(id, body, byField, error)) await ctx.refresh('hours', t('hleHoursSaved'));
  } },
  h('fieldset', { 'aria-describedby': 'hle-hours-hint' }, h('legend', {}, t('hlHours')),
    h('p', { class: 'hint', id: 'hle-hours-hint' }, t('hlHoursHint')),
    h('div', { class: 'hl-hours' }, ...hours.map((input, i) => row(`hle-hours-${i}`, t(`hlDay_${i}`), input)))),
  error, h('p', {}, h('button', { type: 'submit', id: 'hle-hours-save' }, t('hleSaveHours'))));
}

// Supervisors' listening in and whispering (PUT /api/v1/admin/hotlines/{id}/listening):
// off until the staff council has agreed, which the switch's hint says.
export function listeningForm(id, d, ctx) {
  const box = h('input', { type: 'checkbox', id: 'hle-listening-on', checked: d.listening === true, 'aria-describedby': 'hle-listening-hint' });
  const error = h('p', { class: 'error', role: 'alert', id: 'hle-listening-error' });
  return h('form', { class: 'hl-new-form', id: 'hle-listening', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    const r = await api('PUT', `/api/v1/admin/hotlines/${id}/listening`, { on: box.checked }).catch(() => ({ ok: false, status: 0 }));
    if (!r.ok) { error.textContent = explain(r); return; }
    await ctx.refresh('listening', t(r.data && r.data.listening ? 'hleListeningOn' : 'hleListeningOff'));
  } },
  h('p', {}, t('hleListeningIntro')),
  h('div', { class: 'hle-check' }, box, ' ', h('label', { for: box.id }, t('hleListeningAllow')),
    h('p', { class: 'hint', id: 'hle-listening-hint' }, t('hleListeningHint'))),
  error, h('p', {}, h('button', { type: 'submit', id: 'hle-listening-save' }, t('hleSaveListening'))));
}
