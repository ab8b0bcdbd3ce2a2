// The live connection: one WebSocket per open client (docs/realtime-protocol.md).
// Keeps everyone's presence, remembers the newest chat revision (also across a reload,
// so a new connection resumes without gaps), reconnects by itself, reports idleness,
// and hands every server frame to the listeners registered with on(type, fn).

export const presence = new Map(); // login → presence entry

const listeners = new Map();
const pending = new Map();
let socket = null;
let me = null;
let rev = null;
let nextRef = 1;
let retries = 0;
let running = false;
let reconnectTimer = null;
let idleAfter = 300;
let idle = false;
let idleTimer = null;

// Registers `fn` for frames of `type` (or the client's own events 'live' and 'ended');
// returns a function that unregisters it.
export function on(type, fn) {
  if (!listeners.has(type)) listeners.set(type, new Set());
  listeners.get(type).add(fn);
  return () => listeners.get(type).delete(fn);
}

function emit(type, value) {
  for (const fn of [...(listeners.get(type) || [])]) {
    try { fn(value); } catch (e) { console.error(e); }
  }
}

export function myLogin() { return me ? me.login : null; }
export function isLive() { return socket !== null && socket.readyState === WebSocket.OPEN; }

function revKey() { return `dw-rev:${me.login}`; }

function noteRev(value) {
  if (typeof value !== 'number' || (rev !== null && value <= rev)) return;
  rev = value;
  sessionStorage.setItem(revKey(), String(rev));
}

// Opens the connection for the signed-in person (once; later calls do nothing).
export function startLive(person) {
  if (running && me && me.login === person.login) return;
  stopLive();
  me = person;
  running = true;
  const stored = Number(sessionStorage.getItem(revKey()));
  rev = Number.isFinite(stored) && stored > 0 ? stored : null;
  connect();
  watchInput();
}

// Closes the connection (sign-out) and forgets everything live.
export function stopLive() {
  running = false;
  clearTimeout(reconnectTimer);
  clearTimeout(idleTimer);
  if (socket) socket.close(1000, 'bye');
  socket = null;
  presence.clear();
  failPending('offline');
  me = null;
}

function connect() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(`${scheme}//${location.host}/api/v1/ws`);
  socket = ws;
  ws.onopen = () => {
    const hello = { type: 'hello', protocol: 1 };
    if (rev !== null) hello.since = rev;
    ws.send(JSON.stringify(hello));
  };
  ws.onmessage = (event) => {
    let frame;
    try { frame = JSON.parse(event.data); } catch { return; }
    receive(frame);
  };
  ws.onclose = (event) => {
    if (socket !== ws) return;
    socket = null;
    failPending('offline');
    emit('live', false);
    if (event.code === 4401) { running = false; emit('ended', event.reason); return; }
    if (!running) return;
    const delay = Math.min(30000, 500 * 2 ** Math.min(retries, 6)) * (0.75 + Math.random() / 2);
    retries += 1;
    reconnectTimer = setTimeout(connect, delay);
  };
}

function receive(frame) {
  switch (frame.type) {
    case 'welcome':
      idleAfter = frame.idle_after_seconds || idleAfter;
      retries = 0;
      break;
    case 'presence.snapshot':
      for (const entry of frame.entries) presence.set(entry.login, entry);
      break;
    case 'presence':
      presence.set(frame.entry.login, frame.entry);
      break;
    case 'chat.message':
      noteRev(frame.message.rev);
      break;
    case 'resume.done':
      noteRev(frame.rev);
      if (idle) send({ type: 'presence.activity', idle: true });
      emit('live', true);
      break;
    case 'ack': case 'error': case 'pong':
      settle(frame);
      break;
    default:
      break;
  }
  emit(frame.type, frame);
}

function settle(frame) {
  const waiting = pending.get(frame.ref);
  if (!waiting) return;
  pending.delete(frame.ref);
  if (frame.type === 'error') waiting.reject(Object.assign(new Error(frame.message), { code: frame.code }));
  else waiting.resolve(frame);
}

function failPending(code) {
  for (const waiting of pending.values()) waiting.reject(Object.assign(new Error(code), { code }));
  pending.clear();
}

// Sends a frame without waiting for an answer; false when there is no connection.
export function send(frame) {
  if (!isLive()) return false;
  socket.send(JSON.stringify(frame));
  return true;
}

// Sends a request and resolves with its `ack` (rejects with the `error`, code included).
export function request(frame) {
  const ref = `r${nextRef++}`;
  return new Promise((resolve, reject) => {
    if (!send({ ...frame, ref })) { reject(Object.assign(new Error('offline'), { code: 'offline' })); return; }
    pending.set(ref, { resolve, reject });
  });
}

// Idle after `idle_after_seconds` without keyboard, pointer or focus; active again on input.
function watchInput() {
  if (watchInput.done) { touch(); return; }
  watchInput.done = true;
  let last = 0;
  const onInput = () => {
    const now = Date.now();
    if (!idle && now - last < 1000) return;
    last = now;
    touch();
  };
  for (const type of ['keydown', 'pointerdown', 'pointermove', 'wheel', 'focus']) {
    window.addEventListener(type, onInput, { passive: true, capture: true });
  }
  touch();
}

function touch() {
  if (!running) return;
  if (idle) { idle = false; send({ type: 'presence.activity', idle: false }); }
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => { idle = true; send({ type: 'presence.activity', idle: true }); }, idleAfter * 1000);
}
