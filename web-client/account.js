// My account: factors, recovery codes, password, sessions ("sign out everywhere").
import { api } from './api.js';
import { h, field, show, errorBox, announce, formatTime, userText, scrollable } from './dom.js';
import { t, tParts } from './i18n.js';
import { explain, enrolmentPage, showRecoveryCodes } from './sign_in.js';
import { openAudioSettings } from './phone/audio_settings.js';

export async function showAccount(me, restart) {
  const sessions = await api('GET', '/api/v1/me/sessions');
  const sf = me.second_factor;
  const factorPart = [
    h('h2', {}, t('secondFactor')),
    h('p', { id: 'totp-state' }, sf.totp ? t('appActive') : t('appMissing')),
    sf.totp ? null : h('button', { type: 'button', onclick: () => withPassword(t('enrol'), async (password) => {
      const r = await api('POST', '/api/v1/me/totp', { password });
      if (!r.ok) return r;
      enrolmentPage(r, restart, false);
      return null;
    }) }, t('enrol')),
    h('p', {}, t('codesLeft', { n: sf.recovery_codes_left })),
    h('button', { type: 'button', class: 'secondary', onclick: () => withPassword(t('newCodes'), async (password) => {
      const r = await api('POST', '/api/v1/me/recovery-codes', { password });
      if (!r.ok) return r;
      showRecoveryCodes(r.data.recovery_codes, restart);
      return null;
    }) }, t('newCodes')),
  ];
  show(t('account'),
    h('p', {}, tParts('signedInAs', { n: userText(me.name), l: me.login, u: userText(me.unit) })),
    ...factorPart, passwordForm(), audioSection(), sessionTable(sessions.ok ? sessions.data.sessions : [], restart));
}

// Changes that hand out secrets ask for the password again, so a session left open on
// someone else's screen is not enough. `action(password)` answers a failed response or null.
function withPassword(title, action) {
  const error = errorBox();
  const [pwRow, password] = field('confirm-password', t('password'), { type: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    const failed = await action(password.value);
    if (failed) { error.textContent = explain(failed); password.value = ''; password.focus(); }
  } }, h('p', {}, t('confirmWithPassword')), pwRow, h('button', { type: 'submit' }, t('confirm')), error);
  show(title, form);
  password.focus();
}

function passwordForm() {
  const error = errorBox();
  const [curRow, current] = field('current-password', t('currentPassword'), { type: 'password', autocomplete: 'current-password', required: true });
  const [newRow, next] = field('new-password', t('newPassword'), { type: 'password', autocomplete: 'new-password', required: true, minlength: 10 });
  const form = h('form', { onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    const r = await api('POST', '/api/v1/me/password', { current: current.value, new: next.value });
    if (!r.ok) { error.textContent = explain(r); return; }
    current.value = ''; next.value = '';
    announce(t('passwordChanged'));
  } }, curRow, newRow, h('button', { type: 'submit' }, t('save')), error);
  return h('section', { 'aria-labelledby': 'pw-h' }, h('h2', { id: 'pw-h' }, t('changePassword')), form);
}

// Microphone, speaker, the echo test and a headset: the phone's dialog, also from here.
function audioSection() {
  return h('section', { 'aria-labelledby': 'audio-sec-h' }, h('h2', { id: 'audio-sec-h' }, t('audioSettings')),
    h('button', { type: 'button', class: 'secondary', onclick: (e) => openAudioSettings(e.currentTarget) }, t('audioSettingsOpen')));
}

function sessionTable(list, restart) {
  const rows = list.map((s) => h('tr', {},
    h('td', {}, formatTime(s.created_at)), h('td', {}, formatTime(s.last_seen_at)), h('td', {}, s.source),
    h('td', {}, s.user_agent || '–', s.current ? ` (${t('thisSession')})` : ''),
    h('td', {}, h('button', { type: 'button', class: 'secondary', onclick: async () => {
      await api('DELETE', `/api/v1/me/sessions/${s.id}`);
      announce(t('sessionEnded'));
      restart();
    } }, t('end')))));
  return h('section', { 'aria-labelledby': 'sess-h' }, h('h2', { id: 'sess-h' }, t('sessions')),
    scrollable(t('sessions'), h('table', {}, h('thead', {}, h('tr', {}, ...[t('started'), t('lastSeen'), t('from'), t('client'), ''].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...rows))),
    h('button', { type: 'button', class: 'danger', onclick: async () => {
      await api('DELETE', '/api/v1/me/sessions');
      restart();
    } }, t('endAll')));
}
