// Days and times of the case database as people read them. Slots are German local time
// (the server makes a day's series in Europe/Berlin), so they are shown in that zone
// whatever the browser's; a case's own times (created, changed) in the reader's.
import { lang } from '../../i18n.js';

const ZONE = 'Europe/Berlin';

function locale() { return lang() === 'en' ? 'en-GB' : 'de-DE'; }

// "2026-12-07" of an instant, in Berlin.
export function berlinDay(iso) {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  return at.toLocaleDateString('sv-SE', { timeZone: ZONE });
}

// Today in Berlin, or `days` later (may be negative).
export function berlinToday(days = 0) {
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: ZONE });
  const at = new Date(`${today}T12:00:00Z`);
  at.setUTCDate(at.getUTCDate() + days);
  return at.toISOString().slice(0, 10);
}

// "Montag, 07.12.2026" for a day "2026-12-07".
export function dayName(day) {
  const at = new Date(`${day}T12:00:00Z`);
  if (Number.isNaN(at.getTime())) return String(day);
  return at.toLocaleDateString(locale(), { timeZone: 'UTC', weekday: 'long', day: '2-digit', month: '2-digit', year: 'numeric' });
}

// "08:15" of an instant, in Berlin.
export function slotTime(iso) {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? '–' : at.toLocaleTimeString(locale(), { timeZone: ZONE, hour: '2-digit', minute: '2-digit' });
}

// "Mo., 07.12.2026, 08:00–08:15" for a slot.
export function slotText(slot) {
  const at = new Date(slot.start);
  const day = Number.isNaN(at.getTime()) ? '' : at.toLocaleDateString(locale(), { timeZone: ZONE, weekday: 'short', day: '2-digit', month: '2-digit', year: 'numeric' });
  return `${day}, ${slotTime(slot.start)}–${slotTime(slot.end)}`;
}

// "06.12.2026, 17:20" of an instant, in the reader's zone.
export function moment(iso) {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? '–' : at.toLocaleString(locale(), { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

// A stored day "2026-03-05" or local time "2026-03-05T14:30" as the reader writes it.
export function valueDay(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(String(text));
  if (!m) return String(text);
  const day = lang() === 'en' ? `${m[3]}/${m[2]}/${m[1]}` : `${m[3]}.${m[2]}.${m[1]}`;
  return m[4] ? `${day} ${m[4]}:${m[5]}` : day;
}
