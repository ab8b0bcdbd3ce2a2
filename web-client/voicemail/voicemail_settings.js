// The box's settings: on or off, e-mail with the recording / a notice only / none, the
// language of the default greeting and the e-mails, and the absence greeting with its
// last day ("bis einschließlich"). Saved together (PUT /api/v1/voicemail/settings); a
// refusal is shown at its field (aria-invalid, the reason in the field's description,
// the focus on it), the outcome in a status line.
import { api } from '../api.js';
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';

const EMAIL = ['attach', 'link', 'off'];
const LANGUAGES = [['de', 'Deutsch'], ['en', 'English']];

function radios(name, options, checked) {
  return options.map(([value, label, lang]) => {
    const input = h('input', { type: 'radio', name, id: `${name}-${value}`, value, checked: value === checked });
    return h('span', { class: 'vm-choice' }, input, ' ', h('label', { for: input.id, lang: lang || null }, label));
  });
}

// `mailbox` as GET /api/v1/voicemail answers it; `saved(mailbox)` after a change.
// Returns { element, update(mailbox) } (update: what the greetings changed).
export function settingsSection(mailbox, saved) {
  let current = mailbox;
  const enabled = h('input', { type: 'checkbox', id: 'vm-enabled', checked: mailbox.enabled, 'aria-describedby': 'vm-enabled-hint' });
  const email = h('fieldset', { id: 'vm-email', class: 'vm-options' }, h('legend', {}, t('vmEmail')),
    ...radios('vm-email', EMAIL.map((v) => [v, t(`vmEmail_${v}`)]), mailbox.email_mode), h('p', { class: 'error', id: 'vm-email-error' }));
  const language = h('fieldset', { id: 'vm-language', class: 'vm-options' }, h('legend', {}, t('vmLanguage')),
    ...radios('vm-language', LANGUAGES.map(([v, label]) => [v, label, v]), mailbox.language), h('p', { class: 'error', id: 'vm-language-error' }));
  const absenceOn = h('input', { type: 'checkbox', id: 'vm-absence-on', checked: mailbox.absence_on });
  const needsGreeting = h('p', { class: 'hint', id: 'vm-absence-on-hint' }, t('vmAbsenceNeedsGreeting'));
  const until = h('input', { type: 'date', id: 'vm-absence-until', value: mailbox.absence_until || '', 'aria-describedby': 'vm-absence-until-hint' });
  const status = h('p', { class: 'ok', id: 'vm-settings-status', role: 'status' });
  const error = h('p', { class: 'error', id: 'vm-settings-error', role: 'alert' });
  const fieldErrors = {
    absence_on: [absenceOn, h('p', { class: 'error', id: 'vm-absence-on-error' })],
    absence_until: [until, h('p', { class: 'error', id: 'vm-absence-until-error' })],
    email_mode: [email.querySelector('input'), email.querySelector('.error')],
    language: [language.querySelector('input'), language.querySelector('.error')],
  };

  // A field's description: its hint, and the reason it was refused (while it is).
  function describedBy(input, problem) {
    const hint = { 'vm-enabled': 'vm-enabled-hint', 'vm-absence-until': 'vm-absence-until-hint',
      'vm-absence-on': needsGreeting.hidden ? null : 'vm-absence-on-hint' }[input.id];
    const ids = [hint, problem].filter(Boolean).join(' ');
    if (ids) input.setAttribute('aria-describedby', ids); else input.removeAttribute('aria-describedby');
  }

  function clearErrors() {
    error.textContent = '';
    for (const [input, text] of Object.values(fieldErrors)) {
      text.textContent = '';
      input.removeAttribute('aria-invalid');
      describedBy(input, null);
    }
  }

  function drawAbsence() {
    needsGreeting.hidden = current.absence_greeting;
    describedBy(absenceOn, absenceOn.getAttribute('aria-invalid') === 'true' ? fieldErrors.absence_on[1].id : null);
  }

  const form = h('form', { class: 'vm-settings', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    clearErrors();
    status.textContent = '';
    const body = {
      enabled: enabled.checked,
      email_mode: email.querySelector('input:checked')?.value || current.email_mode,
      language: language.querySelector('input:checked')?.value || current.language,
      absence_on: absenceOn.checked,
      absence_until: until.value || null,
    };
    const res = await api('PUT', '/api/v1/voicemail/settings', body).catch(() => ({ ok: false, status: 0 }));
    if (res.ok) {
      current = res.data;
      drawAbsence();
      status.textContent = t('vmSaved');
      saved(current);
      return;
    }
    const field = res.status === 400 && res.data ? fieldErrors[res.data.field] : null;
    if (!field) { error.textContent = explain(res); return; }
    const [input, text] = field;
    // Our own words for what a person can get wrong here; the server's (German) for the rest.
    const own = { absence_until: 'vmErr_absence_until', absence_on: 'vmErr_absence_on' }[res.data.field];
    text.textContent = own ? t(own) : res.data.message;
    input.setAttribute('aria-invalid', 'true');
    describedBy(input, text.id);
    input.focus();
  } },
  h('div', { class: 'vm-check' }, enabled, ' ', h('label', { for: enabled.id }, t('vmEnabled')),
    h('p', { class: 'hint', id: 'vm-enabled-hint' }, t('vmEnabledHint'))),
  email, language,
  h('fieldset', { id: 'vm-absence', class: 'vm-absence' }, h('legend', {}, t('vmAbsence')),
    h('div', { class: 'vm-check' }, absenceOn, ' ', h('label', { for: absenceOn.id }, t('vmAbsenceOn')), needsGreeting, fieldErrors.absence_on[1]),
    h('div', { class: 'vm-until' }, h('label', { for: until.id }, t('vmAbsenceUntil')), until,
      h('p', { class: 'hint', id: 'vm-absence-until-hint' }, t('vmAbsenceUntilHint')), fieldErrors.absence_until[1])),
  h('p', { class: 'button-row' }, h('button', { type: 'submit', 'data-testid': 'vm-settings-save' }, t('vmSave'))), status, error);
  drawAbsence();

  return {
    element: h('section', { class: 'vm-section', 'aria-labelledby': 'vm-settings-h' },
      h('h2', { id: 'vm-settings-h', tabindex: '-1' }, t('vmSettings')), form),
    update(mailbox) {
      current = { ...current, absence_greeting: mailbox.absence_greeting, greeting: mailbox.greeting, absence_on: mailbox.absence_on };
      if (!mailbox.absence_on) absenceOn.checked = false;
      drawAbsence();
    },
  };
}
