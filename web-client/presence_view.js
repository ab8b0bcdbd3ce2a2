// How a presence looks: a state with a symbol of its own shape (never colour alone) and
// its name in words; a hotline agent's duty as a small chip in words; location, note and
// "until" as text.
import { h, userText } from './dom.js';
import { t, lang } from './i18n.js';

export const STATES = ['available', 'busy', 'on_the_phone', 'in_a_meeting', 'away', 'do_not_disturb', 'offline'];
// What a person may set by hand (calls and meetings set the others).
export const SETTABLE = ['available', 'busy', 'away', 'do_not_disturb', 'offline'];
export const LOCATIONS = ['office', 'home_office', 'on_the_road'];

const SYMBOLS = {
  available: '●', busy: '◆', on_the_phone: '☎', in_a_meeting: '▲', away: '◐', do_not_disturb: '⛔', offline: '○',
};

// Order for "sort by reachability": who can be reached now comes first.
export const STATE_RANK = Object.fromEntries(STATES.map((s, i) => [s, i]));

export function stateOf(entry) { return (entry && entry.state) || 'offline'; }

export function stateBadge(entry) {
  const state = stateOf(entry);
  return h('span', { class: `presence st-${state}` },
    h('span', { class: 'symbol', 'aria-hidden': 'true' }, SYMBOLS[state] || '○'), ' ', t(`st_${state}`));
}

// A logged-in hotline agent's duty (`hotline` in the entry: ready, paused, wrap-up) as a
// chip beside the state, e.g. "Hotline: Pause" (never a pause's reason: the server keeps
// it from colleagues); null for everyone else. Read as part of the person's entry.
const DUTIES = ['ready', 'paused', 'wrap_up'];
export function dutyChip(entry) {
  const duty = entry && entry.hotline;
  if (!DUTIES.includes(duty)) return null;
  return h('span', { class: `duty duty-${duty}`, 'data-duty': duty },
    h('span', { class: 'visually-hidden' }, ', '), t(`duty_${duty}`));
}

export function formatClock(iso) {
  const date = new Date(iso);
  const today = new Date().toDateString() === date.toDateString();
  const locale = lang() === 'en' ? 'en-GB' : 'de-DE';
  return today
    ? date.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString(locale, { dateStyle: 'short', timeStyle: 'short' });
}

export function locationText(entry) {
  return entry && entry.location ? t(`loc_${entry.location}`) : '';
}

// The note (isolated: people write it) and "until", as parts to append.
export function noteText(entry) {
  if (!entry) return [];
  const parts = [];
  if (entry.note) parts.push(userText(entry.note));
  if (entry.until) parts.push(t('untilTime', { t: formatClock(entry.until) }));
  return parts.flatMap((p, i) => (i ? [' – ', p] : [p]));
}
