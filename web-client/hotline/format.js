// How the hotline's figures and states read: ratios as percentages, waits as minutes and
// seconds, agents' states as a symbol of their own shape and words (never colour alone),
// pause reasons in the reader's language when they are one of the offered ones.
import { h, userText } from '../dom.js';
import { t, lang } from '../i18n.js';
import { duration } from '../phone/format.js';

export const AGENT_STATES = ['ready', 'ringing', 'on_call', 'wrap_up', 'paused', 'logged_out'];
const SYMBOLS = { ready: '●', ringing: '◔', on_call: '☎', wrap_up: '✎', paused: '‖', logged_out: '○' };

// The offered pause reasons, stored in German whatever the agent's language (so a German
// supervisor reads them); shown in the reader's language.
export const REASONS = ['Pause', 'Schulung', 'Nachbearbeitung', 'Besprechung'];

function locale() { return lang() === 'en' ? 'en-GB' : 'de-DE'; }

// 0.853 → "85,3 %" (de) / "85.3%" (en); null → "–". One decimal, so 5.3 % does not
// read as the 5 % it exceeds.
export function percent(ratio) {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '–';
  return new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 1 }).format(ratio);
}

// 83 → "1:23"; null → "–".
export function waitText(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  return duration(seconds);
}

export function count(n) { return new Intl.NumberFormat(locale()).format(n || 0); }

export function reasonText(reason) {
  if (!reason) return '';
  const at = REASONS.indexOf(reason);
  return at >= 0 ? t(`hlReason_${at}`) : reason;
}

export function stateWords(state, reason) {
  const known = AGENT_STATES.includes(state);
  const words = known ? t(`hlState_${state}`) : String(state);
  return reason && state === 'paused' ? t('hlPausedWhy', { s: words, r: reasonText(reason) }) : words;
}

// The state as a symbol (hidden from screen readers) and words; a reason that is free
// text stays in its own bidi isolate.
export function stateBadge(state, reason, attrs = {}) {
  const known = AGENT_STATES.includes(state);
  const words = known ? t(`hlState_${state}`) : String(state);
  const why = reason && state === 'paused'
    ? [': ', REASONS.includes(reason) ? reasonText(reason) : userText(reason)] : [];
  return h('span', { class: `hl-state hl-st-${known ? state : 'unknown'}`, ...attrs },
    h('span', { class: 'symbol', 'aria-hidden': 'true' }, SYMBOLS[state] || '?'), ' ', words, ...why);
}

// The difference between the server's clock and this browser's (ms to add to Date.now()).
export function clockOffset(serverNowIso) {
  const server = Date.parse(serverNowIso);
  return Number.isFinite(server) ? server - Date.now() : 0;
}

export function timeOfDay(iso) {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? '–' : at.toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit' });
}
