// One room on screen: history with paging, live messages (new, edited, deleted) in order,
// typing indicator, read marker, members, and the composer with an optional attachment.
import { api, upload } from './api.js';
import { h, errorBox, announce, onLeave, userText } from './dom.js';
import { t, tParts } from './i18n.js';
import { explain } from './sign_in.js';
import { on, request, send } from './realtime.js';
import { markRead, setOpenRoom, roomTitle } from './chat_state.js';
import { messageItem } from './chat_message.js';
import { dial } from './phone/phone.js';

export function roomView(room, me) {
  const known = new Map(); // id → message (the one with the highest rev wins)
  const list = h('ol', { id: 'messages', class: 'messages' });
  const log = h('div', { class: 'messages-box', role: 'log', 'aria-label': t('messages') }, list);
  const older = h('button', { type: 'button', class: 'secondary', hidden: true }, t('older'));
  const typing = h('p', { id: 'typing', class: 'typing', 'aria-live': 'polite' });
  const actions = {
    edit: (m, text) => act({ type: 'chat.edit', id: m.id, text }, 'PATCH', `/api/v1/rooms/${room.id}/messages/${m.id}`, { text }),
    remove: (m) => act({ type: 'chat.delete', id: m.id }, 'DELETE', `/api/v1/rooms/${room.id}/messages/${m.id}`),
  };

  function put(m) {
    const had = known.get(m.id);
    if (had && had.rev >= m.rev) return;
    known.set(m.id, m);
    const item = messageItem(m, me.login, actions);
    const old = document.getElementById(`msg-${m.id}`);
    if (old && list.contains(old)) { old.replaceWith(item); return; }
    const after = [...list.children].find((li) => Number(li.id.slice(4)) > m.id);
    list.insertBefore(item, after || null);
  }

  function newest() { return Math.max(0, ...known.keys()); }

  function readUpToNewest() {
    if (document.visibilityState === 'visible' && known.size > 0) markRead(room.id, newest());
  }

  async function loadPage(before) {
    const query = before ? `?before=${before}&limit=50` : '?limit=50';
    const res = await api('GET', `/api/v1/rooms/${room.id}/messages${query}`);
    if (!res.ok) return;
    for (const m of res.data.messages) put(m);
    older.hidden = !res.data.more;
  }
  older.addEventListener('click', async () => {
    const first = list.firstElementChild;
    await loadPage(Math.min(...known.keys()));
    if (first) first.scrollIntoView({ block: 'start' });
  });

  let typingTimer = null;
  onLeave(on('chat.message', (f) => {
    if (f.message.room !== room.id) return;
    const fresh = !known.has(f.message.id);
    put(f.message);
    if (fresh && f.message.author !== me.login) { typing.textContent = ''; list.lastElementChild?.scrollIntoView({ block: 'nearest' }); }
  }));
  onLeave(on('chat.typing', (f) => {
    if (f.room !== room.id || f.login === me.login) return;
    typing.replaceChildren(...tParts('typing', { n: userText(f.name) }));
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => { typing.textContent = ''; }, 5000);
  }));
  onLeave(on('live', (up) => { if (up) loadPage().then(readUpToNewest); }));
  const visible = () => readUpToNewest();
  document.addEventListener('visibilitychange', visible);
  onLeave(() => { document.removeEventListener('visibilitychange', visible); setOpenRoom(null); clearTimeout(typingTimer); });
  setOpenRoom(room.id);

  const element = h('section', { class: 'room', 'aria-labelledby': 'room-h' },
    h('h2', { id: 'room-h' }, userText(roomTitle(room)), ' ', h('span', { class: 'kind' }, `(${t(`kind_${room.kind}`)}${room.managed ? `, ${t('managed')}` : ''})`)),
    callButton(room, me), members(room, me), older, log, typing, composer(room));
  loadPage().then(() => { readUpToNewest(); list.lastElementChild?.scrollIntoView({ block: 'nearest' }); });
  return element;
}

// In a direct room: call the other person (by login; the server finds the extension).
function callButton(room, me) {
  const other = room.kind === 'direct' ? room.members.find((l) => l !== me.login) : null;
  if (!other) return null;
  return h('p', {}, h('button', { type: 'button', class: 'secondary', 'aria-label': t('callPerson', { n: roomTitle(room) }),
    onclick: () => dial(other, { name: roomTitle(room), number: '', login: other, unit: null }) },
  h('span', { 'aria-hidden': 'true' }, '☎ '), t('dialCall')));
}

// A request over the live connection, or over REST when it is down.
async function act(frame, method, path, body) {
  try {
    return await request(frame);
  } catch (e) {
    if (e.code !== 'offline') { announce(t('failed', { m: e.message })); return null; }
    const res = await api(method, path, body);
    if (!res.ok) announce(explain(res));
    return res.ok ? res.data : null;
  }
}

function composer(room) {
  const error = errorBox();
  const area = h('textarea', { id: 'chat-text', rows: 3, maxlength: 4000, 'aria-describedby': 'chat-hint' });
  const file = h('input', { id: 'chat-file', type: 'file' });
  let lastTyping = 0;
  area.addEventListener('input', () => {
    const now = Date.now();
    if (now - lastTyping > 3000) { lastTyping = now; send({ type: 'chat.typing', room: room.id }); }
  });
  const form = h('form', { class: 'composer', onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    const text = area.value;
    if (!text.trim() && file.files.length === 0) return;
    let attachment;
    if (file.files.length > 0) {
      const up = await upload(`/api/v1/rooms/${room.id}/attachments?name=${encodeURIComponent(file.files[0].name)}`, file.files[0]);
      if (!up.ok) { error.textContent = explain(up); return; }
      attachment = up.data.id;
    }
    const sent = await sendMessage(room.id, text, attachment, error);
    if (!sent) return;
    area.value = '';
    file.value = '';
    lastTyping = 0;
    area.focus();
  } },
  h('label', { for: 'chat-text' }, tParts('messageTo', { r: userText(roomTitle(room)) })), area,
  h('p', { id: 'chat-hint', class: 'hint' }, t('sendHint')),
  h('div', {}, h('label', { for: 'chat-file' }, t('attach')), file),
  h('button', { type: 'submit' }, t('send')), error);
  area.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
  });
  return form;
}

async function sendMessage(roomId, text, attachment, error) {
  const frame = { type: 'chat.send', room: roomId, text };
  if (attachment) frame.attachment = attachment;
  try {
    await request(frame);
    return true;
  } catch (e) {
    if (e.code !== 'offline') { error.textContent = t('failed', { m: e.message }); return false; }
    const body = attachment ? { text, attachment } : { text };
    const res = await api('POST', `/api/v1/rooms/${roomId}/messages`, body);
    if (!res.ok) { error.textContent = explain(res); return false; }
    return true;
  }
}

function members(room, me) {
  const error = errorBox();
  const list = h('ul', {}, ...room.members.map((l) => h('li', {}, l)));
  const parts = [h('summary', {}, t('members', { n: room.members.length })), list];
  if (room.kind === 'group') {
    const input = h('input', { id: 'add-member', autocomplete: 'off', required: true });
    parts.push(h('form', { class: 'inline', onsubmit: async (e) => {
      e.preventDefault();
      const res = await api('POST', `/api/v1/rooms/${room.id}/members`, { login: input.value.trim() });
      if (!res.ok) { error.textContent = explain(res); return; }
      input.value = '';
      announce(t('saved'));
    } }, h('div', {}, h('label', { for: 'add-member' }, t('addMember')), input), h('button', { type: 'submit' }, t('add'))));
  }
  if (room.kind === 'group' && !room.managed) {
    parts.push(h('button', { type: 'button', class: 'danger', onclick: async () => {
      if (!confirm(t('confirmLeave'))) return;
      const res = await api('DELETE', `/api/v1/rooms/${room.id}/members/${encodeURIComponent(me.login)}`);
      if (!res.ok) { error.textContent = explain(res); return; }
      announce(t('left'));
      location.hash = '#/chat';
    } }, t('leave')));
  }
  parts.push(error);
  return h('details', { class: 'members' }, ...parts);
}
