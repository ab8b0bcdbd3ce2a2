// The own agent state, live: loaded once at sign-in (GET /api/v1/hotline/agent), then
// followed through `queue.agent` frames (the own state) and `queue.board` frames (callers
// waiting in the own queues). The agent panel and the header's chip draw from here; the
// actions (log in/out, pause, resume, end the wrap-up, where the calls ring) go through
// act().
import { api } from '../api.js';
import { on } from '../realtime.js';

// { state, reason, wrapUpUntilMs, callsToday, answerOn, queues: [{ queue, name, hotline,
// hotline_name, level, logged_in, waiting, waitingSinceMs }] } or null (no agent).
// `answerOn`: where the calls ring (auto, browser, phone, mobile).
let view = null;
let unsubscribe = [];
const listeners = new Set();

export function agentView() { return view; }

export function onAgentChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }

function changed(what) {
  for (const fn of [...listeners]) {
    try { fn(view, what); } catch (e) { console.error(e); }
  }
}

// The GET answer and the queue.agent frame have the same shape (`wrap_up_until` in ISO 8601).
function take(agent, what) {
  const earlier = new Map((view ? view.queues : []).map((q) => [q.queue, q.waitingSinceMs]));
  const until = agent.wrap_up_until ? Date.parse(agent.wrap_up_until) : null;
  view = {
    state: agent.state,
    reason: agent.reason || null,
    wrapUpUntilMs: Number.isFinite(until) ? until : null,
    callsToday: agent.calls_today || 0,
    answerOn: agent.answer_on || 'auto',
    queues: (agent.queues || []).map((q) => ({ ...q, waitingSinceMs: q.waiting ? earlier.get(q.queue) ?? null : null })),
  };
  if (!view.queues.length) view = null;
  changed(what);
}

function board(frame) {
  if (!view || !frame.board) return;
  let touched = false;
  for (const q of view.queues) {
    if (q.hotline !== frame.hotline) continue;
    const waiting = (frame.board.waiting || []).filter((w) => w.queue === q.queue);
    q.waiting = waiting.length;
    q.waitingSinceMs = waiting.length ? Math.min(...waiting.map((w) => w.since_ms)) : null;
    touched = true;
  }
  if (touched) changed('waiting');
}

export async function reloadAgent() {
  const res = await api('GET', '/api/v1/hotline/agent').catch(() => ({ ok: false }));
  if (res.ok) take(res.data, 'loaded');
  return res;
}

// Starts following the own state (once per sign-in).
export function startAgentState() {
  if (unsubscribe.length) return;
  unsubscribe = [
    on('queue.agent', (f) => { if (f.agent) take(f.agent, 'state'); }),
    on('queue.board', board),
    // Back after a lost connection: frames may have been missed.
    on('live', (up) => { if (up) reloadAgent(); }),
  ];
  reloadAgent();
}

export function stopAgentState() {
  for (const off of unsubscribe) off();
  unsubscribe = [];
  view = null;
  changed('reset');
}

// Does `action` (log_in, log_out, pause, resume, end_wrap_up, answer_on); resolves to the answer,
// whose `data.message` says why when refused (nothing changed then).
export async function act(action, extra = {}) {
  const res = await api('POST', '/api/v1/hotline/agent', { action, ...extra }).catch(() => ({ ok: false, status: 0, data: null }));
  if (res.ok) take(res.data, 'acted');
  return res;
}
