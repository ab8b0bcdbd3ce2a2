// The agent's own panel on the hotline page: the state in big letters, big buttons to log
// in and out (all queues, or one), to pause with a reason and resume, to end the wrap-up
// early (with its countdown), where the calls ring (answer_on.js), and the own queues with
// the callers waiting there, live.
// Changes of state are announced; after a button the focus goes to the next sensible one.
import { h, errorBox, announce, onLeave, userText } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { agentView, onAgentChange, act } from './agent_state.js';
import { stateBadge, stateWords, REASONS, waitText, count } from './format.js';
import { answerOnControl } from './answer_on.js';

const OTHER = 'other';

// The pause form keeps its elements across redraws, so a reason being typed survives a frame.
function pauseForm(run) {
  const reason = h('select', { id: 'hl-reason' },
    ...REASONS.map((r, i) => h('option', { value: r }, t(`hlReason_${i}`))),
    h('option', { value: OTHER }, t('hlReasonOther')));
  const other = h('input', { id: 'hl-reason-other', maxlength: '60', autocomplete: 'off' });
  const otherRow = h('div', { class: 'hl-other', hidden: true }, h('label', { for: other.id }, t('hlReasonOtherLabel')), other);
  reason.addEventListener('change', () => {
    otherRow.hidden = reason.value !== OTHER;
    if (!otherRow.hidden) other.focus();
  });
  const button = h('button', { type: 'submit', class: 'hl-big', 'data-testid': 'hotline-pause', 'data-key': 'pause', 'data-primary': 'true' },
    h('span', { 'aria-hidden': 'true' }, '‖ '), t('hlPause'));
  const form = h('form', { class: 'hl-pause inline', onsubmit: (e) => {
    e.preventDefault();
    const why = reason.value === OTHER ? other.value.trim() : reason.value;
    run(why);
  } }, h('div', {}, h('label', { for: reason.id }, t('hlReasonLabel')), reason), otherRow, button);
  return { form, reason, other };
}

export function agentSection() {
  const error = errorBox();
  error.id = 'hl-agent-error';
  const state = h('div', { class: 'hl-state-box' });
  const controls = h('div', { class: 'hl-controls', role: 'group', 'aria-label': t('hlControls') });
  const queues = h('div', { id: 'hl-my-queues' });
  const pause = pauseForm((why) => run('pause', { reason: why }));
  const answerOn = answerOnControl();
  let busy = false;
  let lastState = null;
  let waitingBefore = new Map();

  async function run(action, extra = {}) {
    if (busy) return;
    busy = true;
    error.textContent = '';
    controls.setAttribute('aria-busy', 'true');
    const res = await act(action, extra);
    busy = false;
    controls.removeAttribute('aria-busy');
    if (!res.ok) {
      error.textContent = res.data && res.data.message ? res.data.message : explain(res);
      if (action === 'pause' && pause.reason.value === OTHER) pause.other.focus();
    }
  }

  function button(key, label, onclick, { testid = null, primary = false, kind = '', icon = '' } = {}) {
    return h('button', { type: 'button', class: `hl-big ${kind}`.trim(), 'data-key': key, 'data-testid': testid,
      'data-primary': primary ? 'true' : null, onclick }, icon ? h('span', { 'aria-hidden': 'true' }, `${icon} `) : null, label);
  }

  function drawState(v) {
    const timer = v.state === 'wrap_up' && v.wrapUpUntilMs
      ? h('span', { class: 'hl-countdown' }, ' · ', t('hlWrapUpLeft'), ' ', h('span', { role: 'timer', 'data-until': String(v.wrapUpUntilMs) }, '')) : null;
    state.replaceChildren(
      h('p', { class: 'hl-state-big', 'data-testid': 'hotline-state', 'data-state': v.state }, stateBadge(v.state, v.reason), timer),
      h('p', { class: 'hint' }, t('hlCallsToday', { n: count(v.callsToday) })));
  }

  function drawControls(v) {
    const anyIn = v.queues.some((q) => q.logged_in);
    const anyOut = v.queues.some((q) => !q.logged_in);
    const items = [];
    if (anyOut) {
      items.push(button('login', t(v.queues.length > 1 ? 'hlLogInAll' : 'hlLogInOne'), () => run('log_in'),
        { testid: 'hotline-login', primary: !anyIn, icon: '▶' }));
    }
    if (v.state === 'paused') {
      items.push(button('resume', t('hlResume'), () => run('resume'), { testid: 'hotline-resume', primary: true, icon: '▶' }));
    }
    if (v.state === 'wrap_up') {
      items.push(button('end-wrap-up', t('hlEndWrapUp'), () => run('end_wrap_up'), { testid: 'hotline-end-wrap-up', primary: true, icon: '✓' }));
    }
    if (anyIn && (v.state === 'ready' || v.state === 'wrap_up')) items.push(pause.form);
    if (v.state === 'ringing' || v.state === 'on_call') items.push(h('p', { class: 'hint' }, t('hlNoPauseInCall')));
    if (anyIn) {
      items.push(button('logout', t(v.queues.length > 1 ? 'hlLogOutAll' : 'hlLogOutOne'), () => run('log_out'),
        { testid: 'hotline-logout', kind: 'secondary', icon: '■' }));
    }
    controls.replaceChildren(...items);
  }

  // A queue as a line of its own (narrow screens too): name and hotline, signed in or not,
  // who waits there (the longest wait ticking), and its own log-in or log-out button.
  function queueItem(q) {
    const label = q.logged_in ? t('hlLogOutOf', { q: q.name }) : t('hlLogInTo', { q: q.name });
    const toggle = h('button', { type: 'button', class: 'secondary', 'data-key': `queue-${q.queue}`, 'aria-label': label,
      onclick: () => run(q.logged_in ? 'log_out' : 'log_in', { queue: q.queue }) }, t(q.logged_in ? 'hlLogOut' : 'hlLogIn'));
    const longest = q.waiting && q.waitingSinceMs
      ? h('span', {}, ', ', t('hlLongest'), ' ', h('span', { 'data-since': String(q.waitingSinceMs) }, '')) : null;
    return h('li', { 'data-queue': String(q.queue), 'data-logged-in': String(q.logged_in), class: q.waiting ? 'hl-has-waiting' : null },
      h('span', { class: 'hl-queue-name' }, h('strong', {}, userText(q.name)),
        h('span', { class: 'hl-sub' }, userText(q.hotline_name), ' · ', t('hlLevelN', { n: q.level }))),
      h('span', { class: q.logged_in ? 'hl-yes' : 'hl-no' }, h('span', { 'aria-hidden': 'true' }, q.logged_in ? '✓ ' : '– '),
        t(q.logged_in ? 'hlLoggedIn' : 'hlLoggedOut')),
      h('span', { class: 'hl-queue-waiting' }, h('strong', { class: 'hl-waiting-count' }, count(q.waiting)), ' ', t('hlWaiting'), longest),
      toggle);
  }

  function drawQueues(v) {
    queues.replaceChildren(h('h3', { id: 'hl-my-queues-h' }, t('hlMyQueues')),
      h('ul', { class: 'hl-queue-list', 'aria-labelledby': 'hl-my-queues-h' }, ...v.queues.map(queueItem)));
  }

  function tick() {
    for (const el of section.querySelectorAll('[data-until]')) el.textContent = waitText((Number(el.dataset.until) - Date.now()) / 1000);
    for (const el of section.querySelectorAll('[data-since]')) el.textContent = waitText((Date.now() - Number(el.dataset.since)) / 1000);
  }

  // Draws again, keeping the focus on the same control, else on the new state's main one.
  function draw(v, what) {
    if (!v) { section.replaceChildren(h('h2', { id: 'hl-agent-h' }, t('hlAgentTitle')), h('p', {}, t('hlNoAgent'))); return; }
    const active = document.activeElement;
    const hadFocus = section.contains(active);
    const key = hadFocus ? active.dataset.key : null;
    drawState(v);
    if (what !== 'waiting') drawControls(v);
    drawQueues(v);
    answerOn.show(v.answerOn);
    tick();
    // A control moved (the pause form is kept and put back) or drawn anew gets the focus
    // back; one that is gone hands it to the new state's main button.
    if (hadFocus && document.activeElement !== active) {
      const again = (section.contains(active) && active)
        || (key && section.querySelector(`[data-key="${CSS.escape(key)}"]`)) || controls.querySelector('[data-primary="true"]');
      if (again) again.focus();
    }
    if (lastState !== null && v.state !== lastState) announce(t('hlNowState', { s: stateWords(v.state, v.reason) }));
    else if (what === 'waiting') announceWaiting(v);
    lastState = v.state;
    waitingBefore = new Map(v.queues.map((q) => [q.queue, q.waiting]));
  }

  // A caller more in one of the queues one is logged in to is said (fewer: not).
  function announceWaiting(v) {
    const more = v.queues.filter((q) => q.logged_in && q.waiting > (waitingBefore.get(q.queue) ?? 0));
    if (more.length) announce(more.map((q) => t('hlWaitingNow', { q: q.name, n: count(q.waiting) })).join('. '));
  }

  const section = h('section', { 'aria-labelledby': 'hl-agent-h', class: 'hl-agent' });
  const body = [h('h2', { id: 'hl-agent-h' }, t('hlAgentTitle')), state, controls, error, answerOn.element, queues];
  section.replaceChildren(...body);
  const v = agentView();
  if (v) draw(v, 'loaded'); else draw(null);
  onLeave(onAgentChange((view, what) => {
    if (view && !section.contains(state)) section.replaceChildren(...body);
    draw(view, what);
  }));
  const ticker = setInterval(tick, 1000);
  onLeave(() => clearInterval(ticker));
  return section;
}
