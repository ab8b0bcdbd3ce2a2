// The call history (#/calls): one's calls, newest first; missed calls stand out by a
// symbol and the word "Verpasst" (not by colour alone); calling back is one click.
import { api } from '../api.js';
import { h, show, pageStillShown, userText } from '../dom.js';
import { t, lang } from '../i18n.js';
import { explain } from '../sign_in.js';
import { dial } from './phone.js';
import { partyName, formatNumber, duration } from './format.js';

function when(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const locale = lang() === 'en' ? 'en-GB' : 'de-DE';
  return date.toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}

function kind(entry) {
  if (entry.direction === 'in' && !entry.answered) return 'missed';
  if (entry.direction === 'in') return 'in';
  return entry.answered ? 'out' : 'unanswered';
}

const SYMBOLS = { missed: '✕', in: '↙', out: '↗', unanswered: '↗' };

function item(entry) {
  const k = kind(entry);
  const peer = entry.peer || {};
  const number = peer.number || peer.login || '';
  const name = partyName(peer);
  const details = [peer.unit, peer.name && peer.number ? formatNumber(peer.number) : null].filter(Boolean).join(', ');
  return h('li', { class: `history-entry ${k}` },
    h('span', { class: 'history-kind' }, h('span', { class: 'symbol', 'aria-hidden': 'true' }, SYMBOLS[k]), ' ', t(`hist_${k}`)),
    h('span', { class: 'history-who' }, h('strong', {}, userText(name)), details ? h('span', { class: 'caller-details' }, userText(details)) : null),
    h('span', { class: 'history-when' }, h('time', { datetime: entry.started_at }, when(entry.started_at)),
      entry.answered ? ` · ${t('lasted', { d: duration(entry.duration_seconds || 0) })}` : ''),
    number ? h('button', { type: 'button', class: 'secondary', 'aria-label': t('callBackTo', { n: name }),
      onclick: () => dial(number, { name: peer.name || null, number: peer.number || number, login: peer.login || null, unit: peer.unit || null }) },
    h('span', { 'aria-hidden': 'true' }, '☎ '), t('callBack')) : null);
}

export async function showCallHistory() {
  const page = pageStillShown();
  const res = await api('GET', '/api/v1/me/calls');
  if (!page()) return;
  // Before the server keeps a history (404), the list is simply empty.
  const entries = res.ok && res.data && Array.isArray(res.data.entries) ? res.data.entries : [];
  const failed = !res.ok && res.status !== 404 ? h('p', { class: 'error' }, explain(res)) : null;
  const missed = entries.filter((e) => kind(e) === 'missed').length;
  show(t('callsTitle'),
    failed,
    entries.length ? h('p', {}, t('historySummary', { n: entries.length, m: missed })) : null,
    entries.length ? h('ul', { class: 'history', 'aria-label': t('callsTitle') }, ...entries.map(item)) : h('p', {}, t('noCalls')));
}
