// How many voicemail messages are unheard, per box one may hear (one's own, and the
// hotlines' one supervises), for the badge in the navigation (their sum) and the page:
// read from GET /api/v1/voicemail after sign-in and after every (re)connect, then kept
// current by the server's `voicemail.count` frames (docs/realtime-protocol.md).
import { api } from '../api.js';
import { on, isLive } from '../realtime.js';

const changed = new Set();
let counts = new Map(); // box id → unheard
let unsubscribe = [];

// `fn()` runs whenever a count changes; returns a function that unregisters it.
export function onUnheardChanged(fn) { changed.add(fn); return () => changed.delete(fn); }

function notify() {
  for (const fn of [...changed]) {
    try { fn(); } catch (e) { console.error(e); }
  }
}

function count(n) { return Number.isInteger(n) && n > 0 ? n : 0; }

// All unheard messages one may hear.
export function unheardVoicemails() {
  let n = 0;
  for (const value of counts.values()) n += value;
  return n;
}

// The unheard messages of one box (0 for a box not known here).
export function unheardIn(box) { return counts.get(box) || 0; }

// Takes the counts from an answer of GET /api/v1/voicemail.
export function setInbox(inbox) {
  counts = new Map([[inbox.mailbox.id, count(inbox.unheard)], ...(inbox.boxes || []).map((b) => [b.id, count(b.unheard)])]);
  notify();
}

// Sets one box's count (from a frame, or the answer to marking or deleting a message).
export function setUnheard(box, n) {
  const value = count(n);
  if (counts.get(box) === value) return;
  counts.set(box, value);
  notify();
}

async function load() {
  const res = await api('GET', '/api/v1/voicemail').catch(() => null);
  if (res && res.ok && res.data) setInbox(res.data);
}

export function startUnheard() {
  stopUnheard();
  unsubscribe = [
    on('live', (up) => { if (up) load(); }),
    on('voicemail.count', (f) => {
      // A box not known yet (one has just become a hotline's supervisor): all afresh.
      if (!counts.has(f.box)) load(); else setUnheard(f.box, f.unheard);
    }),
  ];
  if (isLive()) load();
}

export function stopUnheard() {
  for (const off of unsubscribe) off();
  unsubscribe = [];
  counts = new Map();
  notify();
}
