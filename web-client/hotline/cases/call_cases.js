// Opens the case panel when this browser answers a hotline's call: `call.incoming`
// carries the hotline's name (docs/realtime-protocol.md), matched against the hotlines
// the agent works for (GET /api/v1/hotlines; names are unique there), else the agent's
// own queues. A frame that one day carries `hotline_id` is taken as it is. The call's
// caller number and hotline are kept here for the panel (in memory only: numbers are
// personal data and stay out of the address bar).
import { onPhoneChange } from '../../phone/phone.js';
import { myHotlines, loadHotlines } from '../access.js';
import { agentView } from '../agent_state.js';

const contexts = new Map(); // call id → { call, number, hotline, hotlineName, peer }
let unsubscribe = null;
let draftOpen = () => false;
let onBusy = null;

export function callContext(callId) { return callId ? contexts.get(callId) || null : null; }

// The case panel says whether it holds unsaved input (then a new call does not replace
// it) and how to tell the person about the call instead.
export function guardDraft(isDirty, tell) { draftOpen = isDirty; onBusy = tell; }

function byName(list, name) {
  const found = list.filter((hl) => hl.name === name);
  return found.length === 1 ? found[0].id : null;
}

// The hotline's id for a call, or null when it cannot be told.
export async function hotlineOf(call) {
  if (Number.isInteger(call.hotlineId)) return call.hotlineId;
  if (!call.hotline) return null;
  let id = byName(myHotlines(), call.hotline);
  if (id === null) id = byName(await loadHotlines(), call.hotline);
  if (id === null) {
    const queue = (agentView()?.queues || []).find((q) => q.hotline_name === call.hotline);
    id = queue ? queue.hotline : null;
  }
  return id;
}

export function casePath(hotline, caseId, callId) {
  const base = `#/hotline/${hotline}/cases/${caseId ?? 'new'}`;
  return callId ? `${base}?call=${encodeURIComponent(callId)}` : base;
}

async function answered(call) {
  if (contexts.has(call.id)) return;
  const context = { call: call.id, number: call.peer?.number || '', peer: call.peer, hotlineName: call.hotline, hotline: null };
  contexts.set(call.id, context);
  context.hotline = await hotlineOf(call);
  if (context.hotline === null) return;
  const path = casePath(context.hotline, null, call.id);
  if (draftOpen() && onBusy) { onBusy(context, path); return; }
  location.hash = path;
}

// Follows the phone (once per sign-in).
export function startCallCases() {
  if (unsubscribe) return;
  unsubscribe = onPhoneChange((call, what) => {
    if (call && what === 'state' && call.state === 'connected' && call.answered && call.direction === 'in' && call.hotline) answered(call);
  });
}

export function stopCallCases() {
  if (unsubscribe) unsubscribe();
  unsubscribe = null;
  contexts.clear();
}
