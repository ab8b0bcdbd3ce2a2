// Times and callers of voicemail messages as people read them: "heute 14:12",
// "gestern 09:03", else "03.12.2026, 14:12"; the caller by name, else by number, else
// "Unbekannt".
import { t, lang } from '../i18n.js';
import { formatNumber } from '../phone/format.js';

function locale() { return lang() === 'en' ? 'en-GB' : 'de-DE'; }

function startOfDay(date) { return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime(); }

// `ms`: Unix milliseconds; `now` for the words "today" and "yesterday".
export function when(ms, now = new Date()) {
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return '';
  const clock = date.toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit' });
  const days = Math.round((startOfDay(now) - startOfDay(date)) / 86400000);
  if (days === 0) return t('vmToday', { t: clock });
  if (days === 1) return t('vmYesterday', { t: clock });
  return date.toLocaleString(locale(), { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

// Who left a message, for labels: the name, else the number, else "Unbekannt".
export function callerLabel(m) {
  return m.caller_name || formatNumber(m.caller_number) || t('unknownCaller');
}
