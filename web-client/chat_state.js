// The person's rooms with unread counts, kept current from the live connection.
// The server's counts (GET /api/v1/rooms) are the truth after every (re)connect; live
// messages newer than a room's last known message raise its count until read.
import { api } from './api.js';
import { on, myLogin, request, isLive } from './realtime.js';

export const rooms = new Map(); // id → room as GET /api/v1/rooms answers it
const changed = new Set();
let loaded = false;
let early = [];
let unsubscribe = [];
let openRoom = null; // the room on screen (its messages count as read)

export function onRoomsChanged(fn) { changed.add(fn); return () => changed.delete(fn); }
function notify() { for (const fn of [...changed]) fn(); }

export function totalUnread() {
  let n = 0;
  for (const r of rooms.values()) n += r.unread || 0;
  return n;
}

export function roomTitle(room) { return room.title || room.name || ''; }

// Sorted as the server sorts: newest activity first.
export function roomList() {
  return [...rooms.values()].sort((a, b) => (b.last_message || 0) - (a.last_message || 0) || a.id - b.id);
}

export async function loadRooms() {
  const res = await api('GET', '/api/v1/rooms');
  if (!res.ok) return;
  rooms.clear();
  for (const r of res.data.rooms) rooms.set(r.id, r);
  loaded = true;
  const queued = early;
  early = [];
  for (const m of queued) countMessage(m);
  notify();
}

function countMessage(m) {
  const room = rooms.get(m.room);
  if (!room) { loadRooms(); return; }
  if (m.id <= (room.last_message || 0)) return; // an edit or deletion of a known message
  room.last_message = m.id;
  if (m.author !== myLogin() && !m.deleted) {
    if (openRoom === m.room && document.visibilityState === 'visible') markRead(m.room, m.id);
    else room.unread = (room.unread || 0) + 1;
  }
}

// Marks everything up to `upTo` in the room as read (the server answers each client with chat.read).
export function markRead(roomId, upTo) {
  const room = rooms.get(roomId);
  if (!room || upTo <= (room.last_read || 0)) return;
  room.last_read = upTo;
  room.unread = 0;
  request({ type: 'chat.read', room: roomId, up_to: upTo })
    .catch(() => api('POST', `/api/v1/rooms/${roomId}/read`, { up_to: upTo }));
  notify();
}

export function setOpenRoom(roomId) { openRoom = roomId; }

export function startChatState() {
  stopChatState();
  unsubscribe = [
    on('live', (up) => { if (up) loadRooms(); }),
    on('chat.message', (f) => {
      if (!loaded) { early.push(f.message); return; }
      countMessage(f.message);
      notify();
    }),
    on('chat.read', (f) => {
      const room = rooms.get(f.room);
      if (!room) return;
      room.unread = f.unread;
      room.last_read = Math.max(room.last_read || 0, f.up_to);
      notify();
    }),
    on('room.updated', () => loadRooms()),
    on('room.left', (f) => { rooms.delete(f.room); notify(); }),
  ];
  if (isLive()) loadRooms();
}

export function stopChatState() {
  for (const off of unsubscribe) off();
  unsubscribe = [];
  rooms.clear();
  loaded = false;
  early = [];
  openRoom = null;
}
