// Single sign-on on the sign-in page: the button to the administration's provider (when
// the server offers one), what the server says when the browser comes back (?sso=… to go
// on with our second factor, ?sso_error=… when it was refused), and signing out at the
// provider too after a sign-in through it (a shared office PC must not sign the next
// person in with the provider's still open session).
import { api } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';

const ERRORS = ['state', 'denied', 'provider', 'unreachable', 'token', 'unknown', 'throttled', 'busy'];
const METHODS = ['totp', 'sms', 'recovery', 'letter'];
const USED = 'signedInBySso';

// What the server's redirect put in the address, read once and removed from it (a reload
// or a bookmark must not show it again). `step` is 'second_factor' or
// 'enrolment_required'; `error` one of ERRORS (or 'other').
export function ssoReturn() {
  const params = new URLSearchParams(location.search);
  const step = params.get('sso');
  const code = params.get('sso_error');
  if (!step && !code) return null;
  const methods = (params.get('methods') || '').split(',').filter((m) => METHODS.includes(m));
  for (const name of ['sso', 'sso_error', 'methods']) params.delete(name);
  const query = params.toString();
  history.replaceState(null, '', location.pathname + (query ? `?${query}` : '') + location.hash);
  return {
    step: ['second_factor', 'enrolment_required'].includes(step) ? step : null,
    methods,
    error: code ? (ERRORS.includes(code) ? code : 'other') : null,
  };
}

// The sentence for a refusal, for the page's alert.
export function ssoErrorText(code) {
  return t(`sso_${code}`);
}

// The button to the provider, or null when single sign-on is not configured (asked
// after the form is shown: the page never waits for it).
export async function ssoButton() {
  const res = await api('GET', '/api/v1/auth/oidc');
  if (!res.ok || !res.data || !res.data.enabled) return null;
  return h('div', { class: 'sso' },
    h('p', {}, t('ssoOr')),
    h('button', { type: 'button', class: 'secondary', onclick: () => {
      localStorage.setItem(USED, '1');
      location.assign('/api/v1/auth/oidc/start');
    } }, t('ssoButton', { label: res.data.label })));
}

// A password sign-in: the next sign-out stays here.
export function signedInByPassword() { localStorage.removeItem(USED); }

// After our sign-out: to the provider's sign-out when this browser signed in through it.
export function ssoSignOut() {
  if (localStorage.getItem(USED) !== '1') return false;
  localStorage.removeItem(USED);
  location.assign('/api/v1/auth/oidc/logout');
  return true;
}
