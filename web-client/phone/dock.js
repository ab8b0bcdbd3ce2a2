// The phone docked on every page: the dial field, incoming calls, the calls one is in
// with their controls. A column beside the page on wide screens, a bar at the bottom on
// narrow ones that opens it. State changes are announced (aria-live); incoming calls do
// not take the focus, but "Zum Telefon" at the top of the page and the bar reach them.
import { h, userText } from '../dom.js';
import { t, tParts } from '../i18n.js';
import { askForNotifications } from '../popups.js';
import { dialField } from './dial_search.js';
import { partyName, partyDetails, duration } from './format.js';
import { openAudioSettings } from './audio_settings.js';
import { stopInfoTone } from './ringtone.js';
import {
  onPhoneChange, myCalls, ringingIn, currentCall, dial, answer, reject, hangup, setHold, setMute, sendDigits, transfer,
} from './phone.js';

const ui = new WeakMap(); // call → { keypad, transferOpen, transferField }
let dock = null;
let parts = null;
let ticker = null;
let unsubscribe = null;
let serials = 0;

// data-state of `call-state`: the four states the tests and tools know.
export function shownState(call) {
  if (call.state === 'ended') return 'ended';
  if (call.state === 'connected' || call.state === 'held') return call.state;
  return 'ringing';
}

function stateText(call) {
  if (call.state === 'ended') return t('callEnded', { r: call.message || t(`reason_${call.reason}`) || call.reason });
  if (call.state === 'held') return t(call.holding ? 'callHeldHere' : 'callHeld');
  if (call.state === 'connected') return t('callConnected');
  if (call.direction === 'in') return t('callConnecting');
  return t(call.state === 'ringing' ? 'callRinging' : 'callDialing');
}

function uiOf(call) {
  if (!ui.has(call)) ui.set(call, { serial: ++serials, keypad: false, transferOpen: false, transferField: null });
  return ui.get(call);
}

function announce(text, urgent = false) {
  const region = urgent ? parts.alert : parts.live;
  region.textContent = '';
  setTimeout(() => { region.textContent = text; }, 50);
}

// Shows the dock for the signed-in person; again (`redraw`) after a change of language.
export function mountDock(redraw = false) {
  if (parts && !redraw) return;
  unmountDock();
  dock = document.getElementById('phone-dock');
  if (!dock) return;
  dock.hidden = false;
  const field = dialField('dial-input', t('dialLabel'), 'dial-input');
  // Typing the next number is a new action: a busy or "not allowed" tone stops.
  field.input.addEventListener('input', stopInfoTone);
  const toggle = h('button', { type: 'button', class: 'dock-toggle', 'aria-expanded': 'false', 'aria-controls': 'dock-body' },
    h('span', { 'aria-hidden': 'true', class: 'dock-icon' }, '☎'), ' ', h('span', { class: 'toggle-text' }, t('phoneOpen')));
  const summary = h('span', { class: 'dock-summary', 'aria-hidden': 'true' });
  toggle.addEventListener('click', () => setOpen(!dock.classList.contains('open')));
  // Through the own mobile: it rings first, then the number dialled (office caller id).
  const viaMobile = h('input', { type: 'checkbox', id: 'dial-via-mobile', 'data-testid': 'dial-via-mobile' });
  const form = h('form', { class: 'dial', onsubmit: (e) => {
    e.preventDefault();
    const target = field.target();
    if (!target) { field.input.focus(); return; }
    askForNotifications();
    const peer = field.peer();
    field.clear();
    dial(target, peer, viaMobile.checked ? 'mobile' : null);
  } }, field.element,
  h('label', { class: 'via-mobile' }, viaMobile, ' ', t('viaMobile')),
  h('button', { type: 'submit', 'data-testid': 'dial-call' },
    h('span', { 'aria-hidden': 'true' }, '☎ '), t('dialCall')));
  const settings = h('button', { type: 'button', class: 'link', onclick: (e) => openAudioSettings(e.currentTarget) }, t('audioSettings'));
  const testCall = h('button', { type: 'button', class: 'link', onclick: () => dial('*43', { name: t('echoTest'), number: '*43' }) }, t('testCall'));
  parts = {
    toggle, summary, field,
    incoming: h('div', { class: 'incoming-list' }),
    calls: h('div', { class: 'call-list' }),
    live: h('div', { class: 'visually-hidden', 'aria-live': 'polite', id: 'call-live' }),
    alert: h('div', { class: 'visually-hidden', 'aria-live': 'assertive', id: 'call-alert' }),
  };
  dock.replaceChildren(
    h('div', { class: 'dock-bar' }, h('h2', { id: 'dock-h' }, t('phone')), toggle, summary),
    parts.incoming,
    h('div', { id: 'dock-body', class: 'dock-body' }, form, parts.calls,
      h('p', { class: 'dock-links' }, settings, ' · ', testCall, ' · ', h('a', { href: '#/calls' }, t('callHistory')))),
    parts.live, parts.alert);
  dock.setAttribute('aria-labelledby', 'dock-h');
  unsubscribe = onPhoneChange(update);
  ticker = setInterval(tick, 1000);
  dock.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && dock.classList.contains('open') && !e.defaultPrevented) { setOpen(false); toggle.focus(); }
  });
  draw();
}

export function unmountDock() {
  if (unsubscribe) unsubscribe();
  unsubscribe = null;
  clearInterval(ticker);
  if (dock) { dock.replaceChildren(); dock.hidden = true; dock.classList.remove('open'); }
  parts = null;
}

function setOpen(open) {
  dock.classList.toggle('open', open);
  parts.toggle.setAttribute('aria-expanded', open ? 'true' : 'false');
  parts.toggle.querySelector('.toggle-text').textContent = t(open ? 'phoneClose' : 'phoneOpen');
  if (open) parts.field.input.focus();
}

function update(call, what) {
  if (!parts) return;
  if (call && what === 'incoming') {
    const details = [partyDetails(call.peer), call.hotline ? t('hlIncomingVia', { h: call.hotline }) : ''].filter(Boolean).join(', ');
    announce(t('incomingAnnounce', { n: partyName(call.peer), d: details ? `, ${details}` : '' }), true);
  } else if (call && (what === 'state' || what === 'ended' || what === 'hold')) {
    announce(`${partyName(call.peer)}: ${stateText(call)}`);
  }
  draw();
}

function tick() {
  for (const el of document.querySelectorAll('#phone-dock [data-since]')) {
    el.textContent = duration((Date.now() - Number(el.dataset.since)) / 1000);
  }
}

// Draws incoming and current calls again, keeping the focus on the same control.
function draw() {
  const focused = dock.contains(document.activeElement) ? document.activeElement.dataset.key : null;
  const incoming = ringingIn();
  parts.incoming.replaceChildren(...incoming.map((c, i) => incomingBox(c, i === 0)));
  const mine = myCalls();
  const current = currentCall();
  parts.calls.replaceChildren(...mine.map((c) => callCard(c, c === current, mine)));
  const active = mine.filter((c) => c.state !== 'ended');
  parts.summary.textContent = incoming.length ? t('incomingShort', { n: partyName(incoming[0].peer) })
    : current ? `${partyName(current.peer)} – ${stateText(current)}` : '';
  dock.classList.toggle('in-call', active.length > 0);
  if (focused) {
    const again = dock.querySelector(`[data-key="${CSS.escape(focused)}"]`);
    if (again) again.focus();
  }
  tick();
}

// A control's name that outlives redraws (and the call's id changing from local to the server's).
function key(call, what) { return `${uiOf(call).serial}-${what}`; }

function incomingBox(call, first) {
  const id = `incoming-${call.id}`;
  const details = partyDetails(call.peer);
  return h('section', { class: 'incoming', role: 'group', 'aria-labelledby': `${id}-h`, 'aria-describedby': `${id}-who`,
    'data-testid': first ? 'incoming-call' : null, 'data-call': call.id },
  h('h3', { id: `${id}-h` }, h('span', { 'aria-hidden': 'true', class: 'ring-icon' }, '☎ '), t('incomingCall')),
  h('p', { id: `${id}-who`, class: 'caller' }, h('strong', {}, userText(partyName(call.peer))),
    details ? h('span', { class: 'caller-details' }, userText(details)) : null,
    call.hotline ? h('span', { class: 'caller-hotline', 'data-testid': first ? 'incoming-hotline' : null },
      tParts('hlIncomingVia', { h: userText(call.hotline) })) : null),
  h('p', { class: 'call-controls' },
    h('button', { type: 'button', class: 'answer', 'data-key': key(call, 'answer'), 'data-testid': first ? 'call-answer' : null,
      onclick: () => answer(call.id) }, t('answer')),
    h('button', { type: 'button', class: 'danger', 'data-key': key(call, 'reject'), 'data-testid': first ? 'call-reject' : null,
      onclick: () => reject(call.id) }, t('reject'))));
}

function callCard(call, primary, all) {
  const state = uiOf(call);
  const tid = (name) => (primary ? name : null);
  const live = call.state !== 'ended';
  const timer = call.connectedAt && live
    ? h('span', { class: 'timer', role: 'timer', 'data-since': String(call.connectedAt) }, '0:00') : null;
  const peerLine = h('p', { class: 'call-peer' }, h('strong', {}, userText(partyName(call.peer))),
    partyDetails(call.peer) ? h('span', { class: 'caller-details' }, userText(partyDetails(call.peer))) : null,
    call.hotline ? h('span', { class: 'caller-hotline' }, tParts('hlIncomingVia', { h: userText(call.hotline) })) : null);
  const stateLine = h('p', { class: `call-state st-call-${shownState(call)}`, 'data-testid': tid('call-state'), 'data-state': shownState(call) },
    h('span', { class: 'symbol', 'aria-hidden': 'true' }, { ringing: '◔', connected: '●', held: '‖', ended: '○' }[shownState(call)]), ' ',
    stateText(call), timer ? ' · ' : null, timer);
  // Listening in: who hears the supervisor (nobody, or only the agent).
  const listening = call.listening;
  const note = listening && live ? h('p', { class: 'hint call-listen-note', 'data-testid': tid('call-listen-note') },
    t(listening.mode === 'whisper' ? 'hlWhisperNote' : 'hlListenNote', { n: listening.agentName || '' })) : null;
  const card = h('section', { class: `call ${live ? '' : 'ended'}`, 'aria-label': t('callWith', { n: partyName(call.peer) }), 'data-call': call.id },
    peerLine, stateLine, note);
  if (!live) return card;
  const button = (what, label, onclick, attrs = {}) => h('button', { type: 'button', class: 'secondary', 'data-key': key(call, what),
    'data-testid': tid(`call-${what}`), onclick, ...attrs }, label);
  const canTalk = call.state === 'connected' || call.state === 'held';
  // A listening call has no keypad and nothing to pass on; listening only, no microphone.
  const dialled = canTalk && !listening;
  const controls = h('p', { class: 'call-controls' },
    listening && listening.mode === 'listen' ? null
      : button('mute', t(call.muted ? 'unmute' : 'mute'), () => setMute(call.id, !call.muted), { 'aria-pressed': call.muted ? 'true' : 'false' }),
    canTalk ? button('hold', t('hold'), () => setHold(call.id, !call.holding).catch(() => {}),
      { 'aria-pressed': call.holding ? 'true' : 'false' }) : null,
    dialled ? button('keypad', t('keypad'), () => { state.keypad = !state.keypad; draw(); },
      { 'aria-expanded': state.keypad ? 'true' : 'false' }) : null,
    dialled ? button('transfer', t('transfer'), () => { state.transferOpen = !state.transferOpen; draw(); },
      { 'aria-expanded': state.transferOpen ? 'true' : 'false' }) : null,
    h('button', { type: 'button', class: 'danger', 'data-key': key(call, 'hangup'), 'data-testid': tid('call-hangup'),
      onclick: () => hangup(call.id) }, t('hangup')));
  card.append(controls);
  if (dialled && state.keypad) card.append(keypad(call));
  if (dialled && state.transferOpen) card.append(transferForm(call, state, all));
  return card;
}

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

function keypad(call) {
  const id = `keypad-${call.id}`;
  const shown = h('p', { class: 'dtmf-digits' },
    h('span', {}, t('dtmfSent'), ' ', h('output', { class: 'digits', 'aria-live': 'polite' }, call.sent || '–')), ' ',
    h('span', {}, t('dtmfReceived'), ' ', h('output', { class: 'digits', 'aria-live': 'polite' }, call.received || '–')));
  const grid = h('div', { class: 'keypad-grid', role: 'group', 'aria-label': t('keypad') }, ...KEYS.map((k) =>
    h('button', { type: 'button', class: 'secondary', 'data-key': key(call, `key${k}`), onclick: () => sendDigits(call.id, k).catch(() => {}) }, k)));
  grid.addEventListener('keydown', (e) => {
    if (KEYS.includes(e.key)) { e.preventDefault(); sendDigits(call.id, e.key).catch(() => {}); }
  });
  return h('div', { class: 'keypad', id }, grid, shown);
}

function transferForm(call, state, all) {
  if (!state.transferField) state.transferField = dialField(`transfer-${state.serial}`, t('transferTo'), null);
  const field = state.transferField;
  const error = h('p', { class: 'error', role: 'alert' });
  const run = async (how) => {
    error.textContent = '';
    try {
      await transfer(call.id, how);
      announce(t('transferred'));
    } catch (e) { error.textContent = t('failed', { m: e.message }); }
  };
  const others = all.filter((c) => c !== call && !c.listening && (c.state === 'connected' || c.state === 'held'));
  return h('div', { class: 'transfer' },
    h('form', { class: 'transfer-form', onsubmit: (e) => {
      e.preventDefault();
      if (field.target()) run({ target: field.target() });
    } }, field.element, h('button', { type: 'submit', 'data-key': key(call, 'blind') }, t('transferBlind'))),
    ...others.map((o) => h('button', { type: 'button', 'data-key': key(call, `to-${o.id}`), onclick: () => run({ toCall: o.id }) },
      t('transferConnect', { n: partyName(o.peer) }))),
    error);
}
