// The chat page: the person's rooms with unread badges, the open room, search in one's
// own rooms, and new group rooms. Also starts a 1:1 chat from the team panel.
import { api } from './api.js';
import { h, show, errorBox, onLeave, pageStillShown, userText } from './dom.js';
import { t } from './i18n.js';
import { explain } from './sign_in.js';
import { rooms, roomList, roomTitle, onRoomsChanged, loadRooms } from './chat_state.js';
import { roomView } from './chat_room.js';
import { formatClock } from './presence_view.js';

// Opens (creating once) the 1:1 room with `login`.
export async function openDirectChat(login) {
  const res = await api('POST', '/api/v1/rooms/direct', { login });
  if (res.ok) location.hash = `#/chat/${res.data.id}`;
}

export async function showChat(me, roomId) {
  const page = pageStillShown();
  if (!rooms.size || (roomId && !rooms.has(roomId))) await loadRooms();
  if (!page()) return;
  const nav = h('nav', { class: 'rooms', 'aria-label': t('rooms') });
  const drawRooms = () => nav.replaceChildren(roomLinks(roomId));
  drawRooms();
  onLeave(onRoomsChanged(drawRooms));
  const room = roomId ? rooms.get(roomId) : null;
  const main = room ? roomView(room, me) : h('p', { class: 'choose' }, rooms.size ? t('chooseRoom') : t('noRooms'));
  show(t('chatTitle'), h('div', { class: 'chat' }, nav, main), searchSection(), newRoomSection());
}

function roomLinks(current) {
  const list = roomList();
  if (list.length === 0) return h('p', {}, t('noRooms'));
  return h('ul', {}, ...list.map((r) => h('li', {},
    h('a', { href: `#/chat/${r.id}`, 'aria-current': r.id === current ? 'page' : false },
      userText(roomTitle(r)),
      r.unread ? h('span', { class: 'badge', 'aria-hidden': 'true' }, String(r.unread)) : null,
      r.unread ? h('span', { class: 'visually-hidden' }, `, ${t('unread', { n: r.unread })}`) : null))));
}

function searchSection() {
  const results = h('div', { id: 'search-results', 'aria-live': 'polite' });
  const input = h('input', { id: 'chat-search', type: 'search', required: true, maxlength: 100 });
  const form = h('form', { class: 'inline', role: 'search', onsubmit: async (e) => {
    e.preventDefault();
    const res = await api('GET', `/api/v1/search?q=${encodeURIComponent(input.value.trim())}`);
    if (!res.ok) { results.replaceChildren(h('p', { class: 'error' }, explain(res))); return; }
    const found = res.data.messages;
    results.replaceChildren(h('h3', {}, t('searchResults', { n: found.length })),
      found.length === 0 ? h('p', {}, t('noResults')) : h('ul', {}, ...found.map((m) => h('li', {},
        h('a', { href: `#/chat/${m.room}` }, rooms.has(m.room) ? userText(roomTitle(rooms.get(m.room))) : `#${m.room}`),
        ' – ', userText(m.author_name), `, ${formatClock(m.sent_at)}: `, userText(m.text)))));
  } },
  h('div', { class: 'grow' }, h('label', { for: 'chat-search' }, t('searchChats')), input),
  h('button', { type: 'submit' }, t('find')));
  return h('section', { 'aria-labelledby': 'search-h' }, h('h2', { id: 'search-h' }, t('searchChats')), form, results);
}

function newRoomSection() {
  const error = errorBox();
  const name = h('input', { id: 'room-name', required: true, maxlength: 100 });
  const members = h('input', { id: 'room-members', autocomplete: 'off' });
  const form = h('form', { onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    const logins = members.value.split(/[,;\s]+/).map((l) => l.trim()).filter(Boolean);
    const res = await api('POST', '/api/v1/rooms', { name: name.value.trim(), members: logins });
    if (!res.ok) { error.textContent = explain(res); return; }
    await loadRooms();
    location.hash = `#/chat/${res.data.id}`;
  } },
  h('div', {}, h('label', { for: 'room-name' }, t('roomName')), name),
  h('div', {}, h('label', { for: 'room-members' }, t('roomMembers')), members),
  h('button', { type: 'submit' }, t('create')), error);
  return h('section', { 'aria-labelledby': 'new-room-h' }, h('h2', { id: 'new-room-h' }, t('newRoom')), form);
}
