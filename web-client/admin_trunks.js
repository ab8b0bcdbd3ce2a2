// Admin: the outside lines (SIP trunks of [[trunks]] in durchwahl.toml) and how they are
// doing, refreshed every 30 seconds while the page is open and on a button. A state is a
// symbol and words (never colour alone); a failed trunk says why.
import { api } from './api.js';
import { h, show, errorBox, announce, userText, scrollable, onLeave, pageStillShown } from './dom.js';
import { t, tParts, lang } from './i18n.js';
import { explain } from './sign_in.js';

const REFRESH_MS = 30000;
const SYMBOLS = { registered: '●', registering: '◔', failed: '✕', ip: '◆' };

function locale() { return lang() === 'en' ? 'en-GB' : 'de-DE'; }

// An ISO 8601 UTC time in local date and time (the browser's time zone).
function localTime(iso) {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return h('span', {}, '–');
  return h('time', { datetime: iso }, at.toLocaleString(locale(), { dateStyle: 'medium', timeStyle: 'medium' }));
}

function stateWords(trunk) {
  const known = Object.hasOwn(SYMBOLS, trunk.state);
  return known ? t(`trunkState_${trunk.state}`) : t('trunkStateUnknown', { s: trunk.state });
}

function stateCell(trunk) {
  const known = Object.hasOwn(SYMBOLS, trunk.state);
  const cell = h('td', {}, h('span', { class: `trunk-state st-trunk-${known ? trunk.state : 'unknown'}` },
    h('span', { class: 'symbol', 'aria-hidden': 'true' }, known ? SYMBOLS[trunk.state] : '?'), ' ', stateWords(trunk)));
  if (trunk.state === 'failed' || trunk.detail) {
    cell.append(h('span', { class: 'trunk-why' }, trunk.detail ? tParts('trunkWhy', { d: userText(trunk.detail) }) : t('trunkWhyUnknown')));
  }
  return cell;
}

function row(trunk) {
  const mode = trunk.mode === 'register' || trunk.mode === 'ip' ? t(`trunkMode_${trunk.mode}`) : trunk.mode;
  return h('tr', { 'data-trunk': trunk.name, 'data-state': trunk.state },
    h('th', { scope: 'row' }, userText(trunk.name), trunk.demo ? h('span', { class: 'trunk-demo' }, t('trunkDemo')) : null),
    h('td', {}, mode),
    stateCell(trunk),
    h('td', {}, localTime(trunk.since)));
}

function table(trunks) {
  return scrollable(t('trunks'), h('table', { id: 'trunk-table' },
    h('caption', {}, t('trunksCaption')),
    h('thead', {}, h('tr', {}, ...[t('trunkName'), t('trunkMode'), t('trunkState'), t('trunkSince')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...trunks.map(row))));
}

// What a screen reader hears when a refresh (not asked for) finds a trunk changed.
function changes(before, trunks) {
  if (!before) return [];
  return trunks.filter((tr) => {
    const was = before.get(tr.name);
    return !was || was.state !== tr.state || was.detail !== tr.detail;
  }).map((tr) => t('trunkChanged', { n: tr.name, s: tr.state === 'failed' && tr.detail ? `${stateWords(tr)}, ${tr.detail}` : stateWords(tr) }));
}

export async function showTrunks() {
  const stillShown = pageStillShown();
  const error = errorBox();
  const result = h('div', { class: 'trunks' });
  const asOf = h('p', { class: 'hint', id: 'trunks-as-of' });
  let last = null; // name → { state, detail } of the previous load
  let loading = false;

  async function load(asked) {
    if (loading) return;
    loading = true;
    const r = await api('GET', '/api/v1/admin/trunks').catch(() => ({ ok: false, status: 0 }));
    loading = false;
    if (!stillShown()) return;
    if (!r.ok) { error.textContent = explain(r); return; }
    error.textContent = '';
    const trunks = r.data.trunks || [];
    result.replaceChildren(trunks.length ? table(trunks) : h('p', { id: 'trunks-none' }, t('trunksNone')));
    const now = new Date().toLocaleTimeString(locale());
    asOf.textContent = t('trunksAsOf', { t: now });
    const changed = changes(last, trunks);
    if (asked) announce(t('trunksUpdated', { t: now }));
    else if (changed.length) announce(changed.join('. '));
    last = new Map(trunks.map((tr) => [tr.name, { state: tr.state, detail: tr.detail }]));
  }

  const refresh = h('button', { type: 'button', class: 'secondary', id: 'trunks-refresh', onclick: () => load(true) }, t('trunksRefresh'));
  show(t('trunks'), h('p', {}, t('trunksIntro')), h('div', { class: 'trunks-bar' }, refresh, asOf), error, result);
  const timer = setInterval(() => load(false), REFRESH_MS);
  onLeave(() => clearInterval(timer));
  await load(false);
}
