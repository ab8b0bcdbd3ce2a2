// Opens the case panel when this browser answers a hotline's call: `call.incoming`
// carries the hotline's id beside its name (docs/realtime-protocol.md), for a caller
// offered to the agent and for a callback the agent makes. The call's caller number and
// hotline are kept here for the panel (in memory only: numbers are personal data and stay
// out of the address bar).
import { onPhoneChange } from '../../phone/phone.js';

const contexts = new Map(); // call id → { call, number, hotline, hotlineName, peer }
let unsubscribe = null;
let draftOpen = () => false;
let onBusy = null;

export function callContext(callId) { return callId ? contexts.get(callId) || null : null; }

// The case panel says whether it holds unsaved input (then a new call does not replace
// it) and how to tell the person about the call instead.
export function guardDraft(isDirty, tell) { draftOpen = isDirty; onBusy = tell; }

// The hotline's id for a call (from its frame), or null for a call of no hotline.
function hotlineOf(call) {
  return Number.isInteger(call.hotlineId) ? call.hotlineId : null;
}

export function casePath(hotline, caseId, callId) {
  const base = `#/hotline/${hotline}/cases/${caseId ?? 'new'}`;
  return callId ? `${base}?call=${encodeURIComponent(callId)}` : base;
}

function answered(call) {
  if (contexts.has(call.id)) return;
  const context = { call: call.id, number: call.peer?.number || '', peer: call.peer, hotlineName: call.hotline, hotline: null };
  contexts.set(call.id, context);
  context.hotline = hotlineOf(call);
  if (context.hotline === null) return;
  const path = casePath(context.hotline, null, call.id);
  if (draftOpen() && onBusy) { onBusy(context, path); return; }
  location.hash = path;
}

// Follows the phone (once per sign-in).
export function startCallCases() {
  if (unsubscribe) return;
  unsubscribe = onPhoneChange((call, what) => {
    if (call && what === 'state' && call.state === 'connected' && call.answered && call.direction === 'in' && hotlineOf(call) !== null) answered(call);
  });
}

export function stopCallCases() {
  if (unsubscribe) unsubscribe();
  unsubscribe = null;
  contexts.clear();
}
