// Listening in and whispering from the wallboard. The supervisor's listening calls are the
// phone's (phone.js listen()): they show in the phone with its hang-up button. The two
// buttons at an agent are toggles that show which one this browser has on (aria-pressed):
// pressing the one that is on hangs it up, pressing the other switches (the server lets one
// supervisor at a time listen to a conversation, so the first ends before the next starts).
// A refusal is said under the agents, in the server's words.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { listen, hangup, allCalls, onPhoneChange } from '../phone/phone.js';

// `redraw()` draws the agents again when a listening call of this hotline changes.
// Returns { error (the element for refusals), modeOn(agentId), press(agent, mode), stop() }.
export function listenControl(hotline, redraw, stillShown) {
  const error = h('p', { class: 'error hl-listen-error', role: 'alert', id: 'hl-listen-error' });
  const current = (agentId) => allCalls().find((c) => c.listening && c.listening.hotline === hotline
    && c.listening.agent === agentId && c.state !== 'ended') || null;

  async function press(agent, mode) {
    error.textContent = '';
    const on = current(agent.id);
    if (on) {
      await hangup(on.id);
      if (on.listening.mode === mode) return;
    }
    const call = await listen(hotline, agent.id, mode, agent.name);
    if (stillShown() && call && call.state === 'ended' && call.reason !== 'hangup') {
      error.textContent = t(mode === 'whisper' ? 'hlWhisperRefused' : 'hlListenRefused', { m: call.message || t(`reason_${call.reason}`) });
    }
  }

  const stop = onPhoneChange((call) => { if (!call || (call.listening && call.listening.hotline === hotline)) redraw(); });
  return { error, press, modeOn: (agentId) => (current(agentId) ? current(agentId).listening.mode : null), stop };
}
