// Admin: outgoing e-mail ("E-Mail-Versand", [smtp] in durchwahl.toml). Whether a mail
// server is configured, the outbox's counts, the latest failed attempts (a state is a
// symbol and words, never colour alone; the server's reason in German), refreshed every
// 30 seconds and on a button, and a test mail sent from a small form.
import { api } from './api.js';
import { h, show, errorBox, announce, userText, scrollable, onLeave, pageStillShown } from './dom.js';
import { t, lang } from './i18n.js';
import { explain } from './sign_in.js';

const REFRESH_MS = 30000;
const SYMBOLS = { pending: '↻', failed: '✕' };
const COUNTS = [['pending', 'mailPending'], ['failed', 'mailFailed'], ['sent_24h', 'mailSent']];

function locale() { return lang() === 'en' ? 'en-GB' : 'de-DE'; }

function timeText(iso) {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? '–' : at.toLocaleString(locale(), { dateStyle: 'medium', timeStyle: 'medium' });
}

// An ISO 8601 UTC time in local date and time (the browser's time zone).
function localTime(iso) {
  const text = timeText(iso);
  return text === '–' ? h('span', {}, text) : h('time', { datetime: iso }, text);
}

function counts(data) {
  return h('ul', { class: 'dir-counts', id: 'mail-counts', 'aria-label': t('mailCounts') }, ...COUNTS.map(([field, words]) => {
    const n = data[field] ?? 0;
    const key = field === 'pending' && n === 1 ? 'mailPendingOne' : words;
    return h('li', { 'data-count': field }, h('strong', {}, String(n)), ' ', t(key));
  }));
}

function stateCell(f) {
  const known = Object.hasOwn(SYMBOLS, f.state);
  const words = known ? t(`mailState_${f.state}`) : t('mailStateUnknown', { s: f.state });
  const cell = h('td', {}, h('span', { class: `trunk-state mail-state-${known ? f.state : 'unknown'}` },
    h('span', { class: 'symbol', 'aria-hidden': 'true' }, known ? SYMBOLS[f.state] : '?'), ' ', words));
  if (f.state === 'pending' && f.next_attempt_at) {
    cell.append(h('span', { class: 'trunk-why' }, t('mailNextAt', { t: timeText(f.next_attempt_at) })));
  }
  return cell;
}

function row(f) {
  return h('tr', { 'data-mail': String(f.id), 'data-state': f.state },
    h('th', { scope: 'row' }, userText(f.to)),
    h('td', {}, userText(f.subject)),
    // The reason is the server's German (or the mail server's own words).
    h('td', { class: 'mail-error' }, h('span', { lang: 'de' }, userText(f.error))),
    h('td', { class: 'num' }, String(f.attempts)),
    h('td', {}, f.last_attempt_at ? localTime(f.last_attempt_at) : t('mailNotTried')),
    stateCell(f));
}

function failuresTable(failures) {
  if (!failures.length) return h('p', { id: 'mail-failures-none' }, t('mailFailuresNone'));
  const heads = ['mailTo', 'mailSubject', 'mailError', 'mailAttempts', 'mailWhen', 'mailState'];
  return scrollable(t('mailFailures'), h('table', { id: 'mail-failures' },
    h('caption', {}, t('mailFailuresCaption')),
    h('thead', {}, h('tr', {}, ...heads.map((k) => h('th', { scope: 'col', class: k === 'mailAttempts' ? 'num' : null }, t(k))))),
    h('tbody', {}, ...failures.map(row))));
}

// The test mail: one address field and a button; the answer in a live region of its own.
function testForm(onSent) {
  const input = h('input', { id: 'mail-test-to', name: 'to', type: 'email', autocomplete: 'email', required: true,
    'aria-describedby': 'mail-test-hint' });
  const problem = h('p', { id: 'mail-test-problem', class: 'error' });
  const status = h('p', { id: 'mail-test-status', role: 'status' });
  let busy = false;
  const button = h('button', { type: 'submit', id: 'mail-test-send' }, t('mailTestSend'));
  const form = h('form', { class: 'inline', id: 'mail-test', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    if (busy) return;
    const to = input.value.trim();
    const invalid = (message) => {
      problem.textContent = message;
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', 'mail-test-problem mail-test-hint');
      status.textContent = '';
      input.focus();
    };
    if (!to || !input.checkValidity()) { invalid(t('mailTestBad')); return; }
    busy = true;
    button.setAttribute('aria-disabled', 'true');
    const r = await api('POST', '/api/v1/admin/mail/test', { to }).catch(() => ({ ok: false, status: 0 }));
    busy = false;
    button.removeAttribute('aria-disabled');
    if (r.status === 400 && r.data && r.data.field === 'to') { invalid(lang() === 'en' ? t('mailTestBad') : r.data.message); return; }
    problem.textContent = '';
    input.removeAttribute('aria-invalid');
    input.setAttribute('aria-describedby', 'mail-test-hint');
    if (!r.ok) { status.textContent = explain(r); return; }
    status.textContent = t(r.data.configured ? 'mailTestQueued' : 'mailTestWaiting', { a: to });
    onSent();
  } },
  h('div', { class: 'grow' }, h('label', { for: 'mail-test-to' }, t('mailTestTo')), input),
  button);
  return [h('p', { class: 'hint', id: 'mail-test-hint' }, t('mailTestHint')), form, problem, status];
}

export async function showMail() {
  const stillShown = pageStillShown();
  const error = errorBox();
  const off = h('div', { id: 'mail-off-box' });
  const overview = h('div', { id: 'mail-overview' });
  const failures = h('div', { id: 'mail-failures-box' });
  const asOf = h('p', { class: 'hint', id: 'mail-as-of' });
  let loading = false;

  async function load(asked) {
    if (loading) return;
    loading = true;
    const r = await api('GET', '/api/v1/admin/mail').catch(() => ({ ok: false, status: 0 }));
    loading = false;
    if (!stillShown()) return;
    if (!r.ok) { error.textContent = explain(r); return; }
    error.textContent = '';
    off.replaceChildren(...(r.data.configured ? [] : [h('p', { id: 'mail-off' }, h('strong', {}, t('mailOff')))]));
    overview.replaceChildren(counts(r.data));
    failures.replaceChildren(failuresTable(r.data.recent_failures || []));
    const now = new Date().toLocaleTimeString(locale());
    asOf.textContent = t('mailAsOf', { t: now });
    if (asked) announce(t('mailUpdated', { t: now }));
  }

  const refresh = h('button', { type: 'button', class: 'secondary', id: 'mail-refresh', onclick: () => load(true) }, t('mailRefresh'));
  show(t('mailPage'), h('p', {}, t('mailIntro')), off, error,
    h('h2', {}, t('mailCounts')), h('div', { class: 'trunks-bar' }, refresh, asOf), overview,
    h('h2', {}, t('mailFailures')), failures,
    h('h2', {}, t('mailTest')), ...testForm(() => load(false)));
  const timer = setInterval(() => load(false), REFRESH_MS);
  onLeave(() => clearInterval(timer));
  await load(false);
}
