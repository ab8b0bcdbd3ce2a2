// The phone in the browser: calls, their states and the `call.*` frames
// (docs/realtime-protocol.md, "Calls"). No DOM here besides each call's <audio>; the dock
// (dock.js) draws what onPhoneChange reports. Anything that wants to call someone uses
// dial(target), whatever page it is on; a hotline's wallboard listens in with listen().
import { on, request } from '../realtime.js';
import { openMicrophone, offerFrom, takeAnswer, closeMedia } from './webrtc.js';
import { ring, ringback, stopTones, infoTone, stopInfoTone } from './ringtone.js';
import { partyName } from './format.js';
import { t } from '../i18n.js';

// A call: { id, direction ('in'|'out'), peer, state ('dialing', 'ringing', 'connected',
// 'held', 'ended'), reason, message (the server's words for a refused listening call),
// answered (this browser took it), connectedAt, muted, holding (this side asked for hold),
// sent, received (DTMF digits), pc, microphone, audio, listening ({ mode, hotline, agent,
// agentName } for a supervisor's listening call, else absent) }.
const calls = new Map();
const early = new Map(); // call id → frames that came before the call was known here
const listeners = new Set();
let unsubscribe = [];
let localNumber = 0;
let lastEnded = null;

export function onPhoneChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }

function changed(call, what) {
  for (const fn of [...listeners]) {
    try { fn(call, what); } catch (e) { console.error(e); }
  }
  tones();
}

// Calls in the order they came, ended ones (shown briefly) included.
export function allCalls() { return [...calls.values()]; }

// Incoming calls this browser has not answered yet.
export function ringingIn() {
  return allCalls().filter((c) => c.direction === 'in' && !c.answered && c.state !== 'ended');
}

// Calls this browser takes part in (dialled or answered), ended ones included.
export function myCalls() {
  return allCalls().filter((c) => c.direction === 'out' || c.answered);
}

// The call the controls act on: the connected one that is not held, else the newest.
export function currentCall() {
  const mine = myCalls().filter((c) => c.state !== 'ended');
  return mine.find((c) => c.state === 'connected') || mine[mine.length - 1] || myCalls().slice(-1)[0] || null;
}

export function lastEndedCall() { return lastEnded; }

function tones() {
  if (ringingIn().length > 0 && !myCalls().some((c) => c.state === 'connected')) ring();
  else if (myCalls().some((c) => c.direction === 'out' && c.state === 'ringing')) ringback();
  else stopTones();
}

function newCall(id, direction, peer) {
  const audio = document.createElement('audio');
  audio.autoplay = true;
  audio.hidden = true;
  audio.dataset.call = id;
  (document.getElementById('call-audio') || document.body).append(audio);
  const call = { id, direction, peer, state: direction === 'out' ? 'dialing' : 'ringing', reason: null, answered: false,
    connectedAt: null, muted: false, holding: false, sent: '', received: '', pc: null, microphone: null, audio };
  calls.set(id, call);
  return call;
}

// Reasons a dialled call ends with that have an information tone (ringtone.js).
const INFO_TONES = { forbidden: 'forbidden', busy: 'busy' };

// Ends a call here: media closed, the reason shown for a few seconds, then gone.
function finish(call, reason) {
  if (call.state === 'ended') return;
  call.state = 'ended';
  call.reason = reason;
  closeMedia(call.pc, call.microphone, call.audio);
  call.pc = null;
  call.microphone = null;
  lastEnded = call;
  changed(call, 'ended');
  // A dialled call that did not come about: the tone says why, as a desk phone's would
  // (not for listening in: the wallboard says why in words).
  if (call.direction === 'out' && !call.listening && INFO_TONES[reason]) infoTone(INFO_TONES[reason]);
  setTimeout(() => {
    if (calls.get(call.id) === call) { calls.delete(call.id); changed(call, 'removed'); }
  }, 5000);
}

function failure(e) {
  const code = e && e.code;
  return ['not_found', 'forbidden', 'busy', 'unavailable', 'rejected', 'no_answer'].includes(code) ? code : 'failed';
}

// Holds the calls this browser is connected in (before taking or making another one).
async function holdOthers(except) {
  for (const c of myCalls()) {
    if (c !== except && c.state === 'connected' && !c.holding) await setHold(c.id, true).catch(() => {});
  }
}

// Calls `target` (an extension, a login or an outside number). `peer` is what is known
// about the target already (from the directory search), shown until the server says more.
export async function dial(target, peer = null, via = null) {
  const number = String(target || '').trim();
  if (!number) return null;
  stopInfoTone();
  const call = newCall(`local-${++localNumber}`, 'out', peer || { name: null, number, login: null, unit: null });
  changed(call, 'added');
  if (via === 'mobile') return dialThrough(call, number);
  return start(call, { type: 'call.dial', target: number });
}

// A hotline's supervisor listens in on (`mode` 'listen') or whispers to ('whisper') the
// agent `agent` (their id; `agentName` shown until the server names the call) in the
// conversation they have at `hotline`: a call of this browser's own, in the phone like
// any other. Listening only, nobody hears the supervisor, so no microphone is asked for
// (the call only receives; it counts as muted); whispering needs it.
// A refusal ends the call at once with the server's words in `message`.
export async function listen(hotline, agent, mode, agentName) {
  stopInfoTone();
  const name = t(mode === 'whisper' ? 'hlWhisperPeer' : 'hlListenPeer', { n: agentName || `#${agent}` });
  const call = newCall(`local-${++localNumber}`, 'out', { name, number: null, login: null, unit: null });
  call.listening = { mode, hotline, agent, agentName };
  call.muted = listensOnly(call);
  changed(call, 'added');
  return start(call, { type: 'call.listen', hotline, agent, mode });
}

// The codes an `error` frame about a call has.
const SERVER_CODES = ['not_found', 'forbidden', 'bad_request', 'unavailable'];

// A supervisor listening in: nobody hears them, so the call has no microphone.
function listensOnly(call) { return !!call.listening && call.listening.mode === 'listen'; }

// Makes the offer for a call dialled here and sends it in `frame` (`call.dial` or
// `call.listen`); the server's id for it comes with the `ack`. Listening only, the offer
// receives and no microphone is opened (nor its permission asked for).
async function start(call, frame) {
  await holdOthers(call);
  try {
    if (!listensOnly(call)) call.microphone = await openMicrophone();
  } catch {
    finish(call, 'no_microphone');
    return call;
  }
  try {
    call.pc = await offerFrom(call.microphone, call.audio);
    if (call.state === 'ended') { closeMedia(call.pc, call.microphone, null); return call; }
    adopt(call, await request({ ...frame, sdp: call.pc.localDescription.sdp }));
  } catch (e) {
    // The server's reason in its words (German) where the reasons of a dialled call do
    // not fit: "not found" means the agent talks to nobody, not a wrong number.
    if (call.listening && e && SERVER_CODES.includes(e.code)) call.message = e.message;
    finish(call, failure(e));
  }
  return call;
}

// The call dialled here gets the server's id from `ack`; frames that came for it before
// are handled now. Hung up here meanwhile: the server is told.
function adopt(call, ack) {
  if (!ack || !ack.call) throw Object.assign(new Error('no call'), { code: 'failed' });
  calls.delete(call.id);
  call.id = ack.call;
  call.audio.dataset.call = call.id;
  calls.set(call.id, call);
  if (call.state === 'ended') { request({ type: 'call.hangup', call: call.id }).catch(() => {}); return; }
  changed(call, 'id');
  for (const frame of early.get(call.id) || []) receive(frame);
  early.delete(call.id);
}

// Answers a ringing call with this browser's microphone (other calls go on hold).
export async function answer(id) {
  const call = calls.get(id);
  if (!call || call.answered || call.state === 'ended') return;
  stopInfoTone();
  call.answered = true;
  call.state = 'ringing';
  changed(call, 'answering');
  await holdOthers(call);
  try {
    call.microphone = await openMicrophone();
    call.pc = await offerFrom(call.microphone, call.audio);
    if (call.state === 'ended') { closeMedia(call.pc, call.microphone, null); return; }
    await request({ type: 'call.answer', call: id, sdp: call.pc.localDescription.sdp });
  } catch (e) {
    if (call.state !== 'ended') request({ type: 'call.hangup', call: id }).catch(() => {});
    finish(call, e && e.name === 'NotAllowedError' ? 'no_microphone' : failure(e));
  }
}

export async function reject(id) {
  const call = calls.get(id);
  if (!call) return;
  request({ type: 'call.reject', call: id }).catch(() => {});
  finish(call, 'rejected_here');
}

export async function hangup(id) {
  const call = calls.get(id);
  if (!call || call.state === 'ended') return;
  if (!id.startsWith('local-')) request({ type: 'call.hangup', call: id }).catch(() => {});
  finish(call, 'hangup');
}

export async function setHold(id, on) {
  const call = calls.get(id);
  if (!call || call.state === 'ended') return;
  call.holding = on;
  changed(call, 'hold');
  try {
    await request({ type: 'call.hold', call: id, on });
  } catch (e) {
    call.holding = !on;
    changed(call, 'hold');
    throw e;
  }
}

// Mute is local only: the track stops sending sound, the call stays as it is. Listening
// only, there is nothing to switch (nobody hears this side).
export function setMute(id, on) {
  const call = calls.get(id);
  if (!call || listensOnly(call)) return;
  call.muted = on;
  if (call.microphone) for (const track of call.microphone.getAudioTracks()) track.enabled = !on;
  changed(call, 'mute');
}

export async function sendDigits(id, digits) {
  const call = calls.get(id);
  const clean = String(digits).toUpperCase().replace(/[^0-9*#A-D]/g, '');
  if (!call || !clean) return;
  call.sent += clean;
  changed(call, 'dtmf');
  await request({ type: 'call.dtmf', call: id, digits: clean });
}

// Blind transfer to `target`, or (with `toCall`) connects the other sides of both calls.
export async function transfer(id, { target, toCall }) {
  const frame = { type: 'call.transfer', call: id };
  if (toCall) frame.to_call = toCall; else frame.target = String(target).trim();
  await request(frame);
}

function stateFrame(f) {
  if (!calls.has(f.call) && f.state === 'ended') return;
  const call = calls.get(f.call) || newCall(f.call, f.direction || 'in', f.peer);
  // A listening call keeps its name in the reader's language (the server's is German).
  if (f.peer) call.peer = call.listening ? { ...f.peer, name: call.peer.name } : f.peer;
  if (f.state === 'ended') { finish(call, f.reason || 'hangup'); return; }
  if (f.state === 'connected' && !call.connectedAt) call.connectedAt = Date.now();
  if (f.state === 'connected') call.holding = false;
  call.state = f.state;
  changed(call, 'state');
}

function receive(f) {
  const call = calls.get(f.call);
  if (!call && f.type !== 'call.incoming' && f.type !== 'call.state') return;
  switch (f.type) {
    case 'call.incoming': {
      if (call) return;
      const fresh = newCall(f.call, 'in', f.from);
      // A hotline's caller offered to this agent: the hotline's name is shown with them.
      fresh.hotline = f.hotline || null;
      // Its id, for the case panel (hotline/cases/call_cases.js).
      fresh.hotlineId = Number.isInteger(f.hotline_id) ? f.hotline_id : null;
      changed(fresh, 'incoming');
      notifyIncoming(fresh);
      break;
    }
    case 'call.media':
      if (call.pc) takeAnswer(call.pc, f.sdp).catch(() => finish(call, 'failed'));
      break;
    case 'call.state':
      stateFrame(f);
      break;
    case 'call.dtmf':
      call.received += f.digit;
      changed(call, 'dtmf');
      break;
    default:
      break;
  }
}

function remember(f) {
  if (calls.has(f.call) || f.type === 'call.incoming') { receive(f); return; }
  // Frames for a call this browser dials whose `ack` has not arrived yet: kept until then.
  if (allCalls().some((c) => c.id.startsWith('local-') && c.state !== 'ended')) {
    if (!early.has(f.call)) early.set(f.call, []);
    early.get(f.call).push(f);
    return;
  }
  receive(f);
}

// A notification for a call ringing while the tab is in the background (through the
// service worker where there is one, so it shows for an installed app too).
async function notifyIncoming(call) {
  if (document.visibilityState !== 'hidden' || !('Notification' in window) || Notification.permission !== 'granted') return;
  const options = { body: t('incomingFrom', { n: partyName(call.peer) }), tag: `call-${call.id}`, requireInteraction: true, lang: document.documentElement.lang };
  try {
    const registration = navigator.serviceWorker && await navigator.serviceWorker.getRegistration();
    if (registration) await registration.showNotification('Durchwahl', options);
    else new Notification('Durchwahl', options);
  } catch { /* notifications not available */ }
}

async function closeNotification(call) {
  try {
    const registration = navigator.serviceWorker && await navigator.serviceWorker.getRegistration();
    if (!registration) return;
    for (const n of await registration.getNotifications({ tag: `call-${call.id}` })) n.close();
  } catch { /* none */ }
}

// Listens for calls (once per sign-in: calls in progress survive a second start()).
export function startPhone() {
  if (unsubscribe.length) return;
  unsubscribe = ['call.incoming', 'call.media', 'call.state', 'call.dtmf'].map((type) => on(type, remember));
  unsubscribe.push(onPhoneChange((call, what) => { if (what === 'ended' || what === 'answering') closeNotification(call); }));
}

export function stopPhone() {
  for (const off of unsubscribe) off();
  unsubscribe = [];
  for (const call of allCalls()) { closeMedia(call.pc, call.microphone, call.audio); calls.delete(call.id); }
  early.clear();
  stopTones();
  stopInfoTone();
  changed(null, 'reset');
}

// For the browser tests only: the calls with their peer connections and remote audio.
window.__durchwahlPhone = {
  calls: () => allCalls().map((c) => ({ id: c.id, state: c.state, direction: c.direction, pc: c.pc, audio: c.audio, muted: c.muted,
    listening: c.listening ? c.listening.mode : null, microphoneOn: !!c.microphone && c.microphone.getAudioTracks().some((tr) => tr.enabled) })),
};

// A call through the person's own mobile: no audio in the browser; the server rings the
// mobile, then the number, and the browser follows the state (and can hang up).
async function dialThrough(call, number) {
  try {
    adopt(call, await request({ type: 'call.dial', target: number, via: 'mobile' }));
  } catch (e) {
    finish(call, failure(e));
  }
  return call;
}
