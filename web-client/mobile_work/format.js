// How mobile work's values read: days (YYYY-MM-DD) and local times (YYYY-MM-DDTHH:MM:SS,
// the administration's calendar) in the page's language, a pattern of days, the
// server's problems in English, and the marks of refused fields.
import { h } from '../dom.js';
import { t, lang } from '../i18n.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const locale = () => (lang() === 'en' ? 'en-GB' : 'de-DE');

// `2026-12-07` as 07.12.2026 (or 07/12/2026); the day as written, never shifted by a zone.
export function day(text) {
  if (!text) return '';
  const d = new Date(`${text.slice(0, 10)}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return text;
  return d.toLocaleDateString(locale(), { timeZone: 'UTC', day: '2-digit', month: '2-digit', year: 'numeric' });
}

// `2026-12-07T09:15:00` as the day and HH:MM.
export function at(text) {
  return `${day(text)}, ${text.slice(11, 16)}`;
}

// A <time> element for a day or a local time.
export function timeOf(text, withClock = false) {
  return h('time', { datetime: text }, withClock ? at(text) : day(text));
}

// The days of an agreement (`{ weekdays, days_per_week }`).
export function daysLabel(days) {
  if (days.weekdays) return days.weekdays.map((d) => t(`mwDay_${d}`)).join(', ');
  return days.days_per_week === 1 ? t('mwPerWeekOne') : t('mwPerWeek', { n: days.days_per_week });
}

// The reason of a refused field: the server's German words, or ours in English when we
// know its problem (numbers from the rules' summary).
export function problemText(issue, summary) {
  if (lang() === 'en' && issue.problem) {
    const key = `mwPr_${issue.problem}`;
    const own = t(key, { n: summary?.days_per_week ?? '', m: summary?.days_per_month ?? '' });
    if (own !== key) return own;
  }
  return issue.message;
}

// The refused fields of a 422 (`fields`, or the single `field`), else one without a field.
export function issuesOf(res) {
  const data = res.data || {};
  if (Array.isArray(data.fields) && data.fields.length) return data.fields;
  return [{ field: data.field || '', problem: data.problem, message: data.message || String(res.status) }];
}

// Marks `inputs` as refused with the message element `messageId` (besides their hints).
export function markInvalid(inputs, messageId) {
  for (const input of inputs) {
    input.setAttribute('aria-invalid', 'true');
    const hints = (input.dataset.hints || '').trim();
    input.setAttribute('aria-describedby', `${messageId} ${hints}`.trim());
  }
}

// Takes every mark of `markInvalid` off `inputs`.
export function clearInvalid(inputs) {
  for (const input of inputs) {
    input.removeAttribute('aria-invalid');
    if (input.dataset.hints) input.setAttribute('aria-describedby', input.dataset.hints);
    else input.removeAttribute('aria-describedby');
  }
}
