// The team panel: one's own status, the own unit, favourites and admin-defined groups with
// everyone's presence (live), "notify me when available", favourites and starting a chat.
import { api } from './api.js';
import { h, show, errorBox, announce, onLeave, pageStillShown, userText } from './dom.js';
import { t, tParts } from './i18n.js';
import { explain } from './sign_in.js';
import { presence, on } from './realtime.js';
import { askForNotifications } from './popups.js';
import { stateBadge, dutyChip, stateOf, locationText, noteText, STATE_RANK, SETTABLE, LOCATIONS } from './presence_view.js';
import { menuButton } from './menu.js';
import { ownPresenceChanged } from './presence_switch.js';
import { dial } from './phone/phone.js';
import { partText } from './desks/desk_view.js';

let me = null;
let openChat = null;
let favourites = new Set();
let watches = new Set();
let sortByState = false;
let filterText = '';
let panelData = null;
let lists = null;

export async function showTeam(person, startChat) {
  me = person;
  openChat = startChat;
  const page = pageStillShown();
  const [panel, watchList] = await Promise.all([api('GET', '/api/v1/team-panel'), api('GET', '/api/v1/me/watches')]);
  if (!page() || !panel.ok) return;
  watches = new Set(watchList.ok ? watchList.data.watches.map((w) => w.login) : []);
  takePanel(panel.data);
  lists = h('div', { id: 'panel-lists' });
  show(t('teamTitle'), controls(), lists, myStatus(), finder());
  redraw();
  onLeave(on('presence', (f) => updateRows(f.entry.login)));
  onLeave(on('presence.snapshot', (f) => f.entries.forEach((e) => updateRows(e.login))));
  onLeave(on('watch.fired', (f) => { watches.delete(f.login); updateRows(f.login); }));
}

function takePanel(data) {
  panelData = data;
  favourites = new Set(data.favourites.map((p) => p.login));
  for (const p of allEntries(data)) if (p.presence && !presence.has(p.login)) presence.set(p.login, p.presence);
}

// Draws the lists again, keeping keyboard focus on the same control.
function redraw() {
  const label = lists.contains(document.activeElement) ? document.activeElement.getAttribute('aria-label') : null;
  lists.replaceChildren(...sections(panelData));
  const again = label && [...lists.querySelectorAll('button')].find((b) => b.getAttribute('aria-label') === label);
  if (again) again.focus();
}

function allEntries(data) {
  return [...data.unit.entries, ...data.favourites, ...data.groups.flatMap((g) => g.entries)];
}

function sections(data) {
  const unit = list('unit', tParts('myUnit', { u: userText(data.unit.path) }), data.unit.entries);
  const favs = list('favourites', t('favourites'), data.favourites, t('noFavourites'));
  const groups = data.groups.map((g) => list(`group-${g.id}`, userText(g.name), g.entries));
  return [unit, favs, ...groups];
}

function matches(p) {
  if (!filterText) return true;
  const needle = filterText.toLowerCase();
  return [p.name, p.login, p.extension || ''].some((v) => v.toLowerCase().includes(needle));
}

function sorted(entries) {
  const byName = (a, b) => a.name.localeCompare(b.name, 'de');
  if (!sortByState) return [...entries].sort(byName);
  const rank = (p) => STATE_RANK[stateOf(presence.get(p.login))];
  return [...entries].sort((a, b) => rank(a) - rank(b) || byName(a, b));
}

function list(id, title, entries, emptyText) {
  const shown = sorted(entries.filter(matches));
  const headingId = `h-${id}`;
  const body = shown.length === 0
    ? h('p', {}, entries.length === 0 && emptyText ? emptyText : t('nobody'))
    : h('ul', { class: 'people', 'aria-labelledby': headingId }, ...shown.map(row));
  return h('section', { 'aria-labelledby': headingId, class: 'panel-list' }, h('h2', { id: headingId }, title), body);
}

// Two letters for the picture: first and last name's initials.
function initials(name) {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = words[0] ? [...words[0]][0] : '?';
  const last = words.length > 1 ? [...words[words.length - 1]][0] : '';
  return (first + last).toUpperCase();
}

// One of eight dark backgrounds for the initials (shell.css; classes, since the CSP
// allows no inline styles), the same for a person every time: decoration only.
function avatar(p) {
  let hash = 0;
  for (const ch of p.login) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return h('span', { class: `avatar av${hash % 8}`, 'aria-hidden': 'true' }, initials(p.name));
}

// One colleague on one compact row: picture, name, extension; presence (symbol and word),
// a hotline agent's duty, location and note on one line (two with a duty, should it not
// fit); the actions behind one menu button.
function row(p) {
  const li = h('li', { class: 'person', 'data-login': p.login });
  li.person = p;
  const who = h('span', { class: 'person-who' },
    h('span', { class: 'person-name' }, userText(p.name),
      p.login === me.login ? h('span', { class: 'unit-hint' }, ` (${t('you')})`) : null,
      p.unit && p.unit !== me.unit ? h('span', { class: 'unit-hint' }, ' (', userText(p.unit), ')') : null),
    p.extension ? h('span', { class: 'person-ext' }, h('span', { class: 'visually-hidden' }, `${t('extension')} `), p.extension) : null);
  const status = h('span', { class: 'person-status' });
  li.append(avatar(p), who, status);
  if (p.login !== me.login) {
    li.append(menuButton(t('actionsFor', { n: p.name }), h('span', { 'aria-hidden': 'true' }, '⋮'), () => menuItems(p)));
  }
  fillRow(li);
  return li;
}

function fillRow(li) {
  const p = li.person;
  const entry = presence.get(p.login);
  const where = locationText(entry);
  const note = noteText(entry);
  const status = li.querySelector('.person-status');
  const duty = dutyChip(entry);
  status.classList.toggle('with-duty', !!duty);
  status.replaceChildren(...[stateBadge(entry), duty,
    where ? h('span', { class: 'person-where' }, ' · ', where) : null,
    note.length ? h('span', { class: 'person-note' }, ' · ', ...note) : null].filter(Boolean));
  status.title = status.textContent;
}

function menuItems(p) {
  const entry = presence.get(p.login);
  const items = [];
  if (p.extension || p.login) {
    items.push({ label: p.extension ? t('callExt', { e: p.extension }) : t('dialCall'),
      run: () => dial(p.extension || p.login, { name: p.name, number: p.extension || '', login: p.login, unit: p.unit || null }) });
  }
  items.push({ label: t('chat'), run: () => openChat(p.login) });
  items.push({ label: t('dkSeatMenu'), run: () => showSeatToday(p) });
  const watching = watches.has(p.login);
  if (watching || stateOf(entry) !== 'available') items.push({ label: t('watch'), checked: watching, run: () => toggleWatch(p) });
  items.push({ label: t('favourite'), checked: favourites.has(p.login), run: () => toggleFavourite(p) });
  return items;
}

// "Wo sitzt …?" from the person's menu: their desk today (GET
// /api/v1/desks/people/{login}/today), said and shown under their row.
async function showSeatToday(p) {
  const res = await api('GET', `/api/v1/desks/people/${encodeURIComponent(p.login)}/today`).catch(() => ({ ok: false, status: 0 }));
  const seats = res.ok ? res.data.seats : [];
  const text = !res.ok ? explain(res) : seats.length
    ? t('dkSeatToday', { n: p.name, s: seats.map((s) => t('dkWhereSeat', { p: partText(s.booking.part), l: s.desk, r: s.room, f: s.floor, b: s.building })).join('; ') })
    : t('dkSeatNone', { n: p.name });
  for (const li of document.querySelectorAll(`main li.person[data-login="${CSS.escape(p.login)}"]`)) {
    li.querySelector('.person-seat')?.remove();
    li.append(h('p', { class: 'person-seat', 'data-testid': 'person-seat' }, text));
  }
  announce(text);
}

// Redraws the presence of one person in place (the menu button stays, with its focus).
function updateRows(login) {
  for (const li of document.querySelectorAll(`main li.person[data-login="${CSS.escape(login)}"]`)) fillRow(li);
}

async function toggleWatch(p) {
  if (watches.has(p.login)) {
    const res = await api('DELETE', `/api/v1/me/watches/${encodeURIComponent(p.login)}`);
    if (res.ok) { watches.delete(p.login); announce(t('watchRemoved', { n: p.name })); }
  } else {
    askForNotifications();
    const res = await api('POST', '/api/v1/me/watches', { login: p.login });
    if (!res.ok) { announce(explain(res)); return; }
    // A colleague who is available already fires the watch at once (and the pop-up shows).
    if (stateOf(presence.get(p.login)) !== 'available') watches.add(p.login);
    announce(t('watchSet', { n: p.name }));
  }
  updateRows(p.login);
}

async function toggleFavourite(p) {
  const adding = !favourites.has(p.login);
  const res = await api(adding ? 'PUT' : 'DELETE', `/api/v1/me/favourites/${encodeURIComponent(p.login)}`);
  if (!res.ok) { announce(explain(res)); return; }
  if (adding) favourites.add(p.login); else favourites.delete(p.login);
  const panel = await api('GET', '/api/v1/team-panel');
  if (panel.ok) takePanel(panel.data);
  redraw();
  updateRows(p.login);
  announce(t(adding ? 'favouriteAdded' : 'favouriteRemoved', { n: p.name }));
}

function controls() {
  const filter = h('input', { id: 'panel-filter', type: 'search', value: filterText, autocomplete: 'off' });
  filter.addEventListener('input', () => { filterText = filter.value.trim(); redraw(); });
  const sort = h('select', { id: 'panel-sort' },
    h('option', { value: 'name', selected: !sortByState }, t('sortName')),
    h('option', { value: 'state', selected: sortByState }, t('sortState')));
  sort.addEventListener('change', () => { sortByState = sort.value === 'state'; redraw(); });
  return h('form', { class: 'inline', role: 'search', onsubmit: (e) => e.preventDefault() },
    h('div', {}, h('label', { for: 'panel-filter' }, t('filterPanel')), filter),
    h('div', {}, h('label', { for: 'panel-sort' }, t('sortBy')), sort));
}

function myStatus() {
  const mine = presence.get(me.login) || {};
  const error = errorBox();
  const state = h('select', { id: 'my-state' }, ...SETTABLE.map((s) =>
    h('option', { value: s, selected: (mine.state || 'available') === s }, t(`st_${s}`))));
  const where = h('select', { id: 'my-location' }, h('option', { value: '' }, t('loc_none')),
    ...LOCATIONS.map((l) => h('option', { value: l, selected: mine.location === l }, t(`loc_${l}`))));
  const note = h('input', { id: 'my-note', maxlength: 200, value: mine.note || '' });
  const until = h('input', { id: 'my-until', type: 'datetime-local' });
  const current = h('p', { id: 'my-current' }, t('showAs', { s: t(`st_${stateOf(mine)}`) }));
  // The own state as it arrives (the page may have been drawn before the socket
  // connected: then it said "offline"); the form follows until the person changes it.
  let touched = false;
  state.addEventListener('change', () => { touched = true; });
  const mineNow = (entry) => {
    if (entry.login !== me.login) return;
    current.textContent = t('showAs', { s: t(`st_${entry.state}`) });
    if (!touched && SETTABLE.includes(entry.state)) state.value = entry.state;
  };
  onLeave(on('presence', (f) => mineNow(f.entry)));
  onLeave(on('presence.snapshot', (f) => f.entries.forEach(mineNow)));
  const form = h('form', { class: 'inline', onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    const body = { state: state.value, location: where.value || null, note: note.value.trim() || null,
      until: until.value ? new Date(until.value).toISOString().replace(/\.\d+Z$/, 'Z') : null };
    const res = await api('PUT', '/api/v1/me/presence', body);
    if (!res.ok) { error.textContent = explain(res); return; }
    presence.set(me.login, res.data);
    ownPresenceChanged(res.data);
    current.textContent = t('showAs', { s: t(`st_${res.data.state}`) });
    announce(t('statusSaved'));
  } },
  h('div', {}, h('label', { for: 'my-state' }, t('state')), state),
  h('div', {}, h('label', { for: 'my-location' }, t('location')), where),
  h('div', { class: 'grow' }, h('label', { for: 'my-note' }, t('note')), note),
  h('div', {}, h('label', { for: 'my-until' }, t('statusUntil')), until),
  h('button', { type: 'submit' }, t('save')));
  return h('section', { 'aria-labelledby': 'my-h' }, h('h2', { id: 'my-h' }, t('myStatus')), current, form, error);
}

function finder() {
  const results = h('div', { id: 'find-results', 'aria-live': 'polite' });
  const input = h('input', { id: 'find-q', type: 'search', required: true, maxlength: 100, autocomplete: 'off' });
  const form = h('form', { class: 'inline', role: 'search', onsubmit: async (e) => {
    e.preventDefault();
    const res = await api('GET', `/api/v1/presence?q=${encodeURIComponent(input.value.trim())}`);
    if (!res.ok) { results.replaceChildren(h('p', { class: 'error' }, explain(res))); return; }
    for (const p of res.data.entries) if (p.presence) presence.set(p.login, p.presence);
    results.replaceChildren(list('found', t(res.data.entries.length === 1 ? 'foundOne' : 'found', { n: res.data.entries.length }), res.data.entries));
  } },
  h('div', { class: 'grow' }, h('label', { for: 'find-q' }, t('findLabel')), input),
  h('button', { type: 'submit' }, t('find')));
  return h('section', { 'aria-labelledby': 'find-h' }, h('h2', { id: 'find-h' }, t('findColleagues')), form, results);
}
