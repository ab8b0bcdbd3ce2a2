// The list of one's voicemail messages, newest first: who called (name or "Unbekannt",
// and the number), when, how long, new or heard (a symbol and a word, not colour alone),
// a player (<audio> straight from the API: the page's Content-Security-Policy allows no
// blob: media; the server answers byte ranges, so it shows length and position), and
// the actions: mark heard or unheard, download, call back (the phone's dial), delete
// (asked once more in place). Playing an unheard message marks it heard, once.
// The list is keyed by message id, so a reload (a `voicemail.count` frame) updates the
// entries in place and a message that plays keeps playing.
import { api } from '../api.js';
import { h, announce, userText } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { dial } from '../phone/phone.js';
import { formatNumber, duration } from '../phone/format.js';
import { when, callerLabel } from './format.js';
import { setUnheard } from './unheard.js';

const BASE = '/api/v1/voicemail/messages';

// One message's entry; `ctx` is the list's { box, changed(message), removed(id) }.
function entry(message, ctx) {
  let m = message;
  const id = `vm-${m.id}`;
  const heading = h('h3', { id: `${id}-h`, tabindex: '-1' });
  const marker = h('span', { class: 'vm-marker', 'data-testid': 'vm-marker' });
  const meta = h('p', { class: 'vm-meta', id: `${id}-meta` });
  const player = h('audio', { controls: true, preload: 'none', src: `${BASE}/${m.id}/audio`, 'data-testid': 'vm-play', id: `${id}-audio` });
  const heard = h('button', { type: 'button', class: 'secondary', 'data-testid': 'vm-heard' });
  const download = h('a', { class: 'button secondary', href: `${BASE}/${m.id}/audio?download=true`, download: true, 'data-testid': 'vm-download' },
    h('span', { 'aria-hidden': 'true' }, '⤓ '), t('vmDownload'));
  const callBack = h('button', { type: 'button', class: 'secondary', 'data-testid': 'vm-call-back' },
    h('span', { 'aria-hidden': 'true' }, '☎ '), t('vmCallBack'));
  const remove = h('button', { type: 'button', class: 'danger', 'data-testid': 'vm-delete' }, t('vmDelete'));
  const actions = h('p', { class: 'button-row vm-actions' }, heard, download, callBack, remove);
  const confirmBox = h('div', { class: 'vm-confirm', hidden: true });
  const li = h('li', { class: 'vm-message', 'data-testid': 'vm-message', 'data-id': String(m.id) },
    h('div', { class: 'vm-head' }, heading, marker), meta, h('p', { class: 'vm-player' }, player), actions, confirmBox);
  let autoMarked = false;
  let busy = false;

  const who = () => callerLabel(m);
  const whenText = () => when(m.received_at);

  function draw() {
    li.dataset.heard = String(m.heard);
    li.classList.toggle('vm-new', !m.heard);
    heading.replaceChildren(userText(m.caller_name || t('unknownCaller')));
    marker.replaceChildren(h('span', { class: 'symbol', 'aria-hidden': 'true' }, m.heard ? '○ ' : '● '), t(m.heard ? 'vmHeard' : 'vmNew'));
    const seconds = Math.round(m.duration_ms / 1000);
    meta.replaceChildren(
      m.caller_number ? h('span', { class: 'vm-number' }, userText(formatNumber(m.caller_number))) : null,
      m.caller_number ? ' · ' : null,
      h('time', { datetime: new Date(m.received_at).toISOString() }, whenText()), ' · ',
      h('span', { class: 'vm-length' }, h('span', { class: 'visually-hidden' }, `${t('vmLength')} `), duration(seconds)));
    const vars = { n: who(), w: whenText() };
    player.setAttribute('aria-label', t('vmListen', vars));
    heard.replaceChildren(t(m.heard ? 'vmMarkUnheard' : 'vmMarkHeard'));
    heard.setAttribute('aria-label', t(m.heard ? 'vmMarkUnheardOf' : 'vmMarkHeardOf', vars));
    download.setAttribute('aria-label', t('vmDownloadOf', vars));
    callBack.setAttribute('aria-label', t('vmCallBackOf', { n: who() }));
    callBack.disabled = !m.caller_number;
    remove.setAttribute('aria-label', t('vmDeleteOf', vars));
  }

  async function mark(value, quietly) {
    if (busy) return;
    busy = true;
    const res = await api('PUT', `${BASE}/${m.id}/heard`, { heard: value }).catch(() => ({ ok: false, status: 0 }));
    busy = false;
    if (!res.ok) { announce(explain(res)); return; }
    m = { ...m, heard: value };
    draw();
    setUnheard(ctx.box, res.data.unheard);
    ctx.changed(m);
    if (!quietly) announce(t(value ? 'vmMarkedHeard' : 'vmMarkedUnheard'));
  }

  function closeConfirm(focus) {
    confirmBox.hidden = true;
    confirmBox.replaceChildren();
    actions.hidden = false;
    if (focus) remove.focus();
  }

  function askDelete() {
    const error = h('p', { class: 'error', role: 'alert' });
    const yes = h('button', { type: 'button', class: 'danger', 'data-testid': 'vm-delete-yes', onclick: async () => {
      yes.disabled = true;
      const res = await api('DELETE', `${BASE}/${m.id}`).catch(() => ({ ok: false, status: 0 }));
      yes.disabled = false;
      if (!res.ok) { error.textContent = explain(res); return; }
      setUnheard(ctx.box, res.data.unheard);
      ctx.removed(m.id);
      announce(t('vmDeleted'));
    } }, t('vmDeleteYes'));
    const no = h('button', { type: 'button', class: 'secondary', 'data-testid': 'vm-delete-no', onclick: () => closeConfirm(true) }, t('vmDeleteNo'));
    confirmBox.replaceChildren(h('p', { role: 'alert', class: 'vm-ask' }, t('vmDeleteAsk', { n: who(), w: whenText() })),
      h('p', { class: 'button-row' }, yes, no), error);
    confirmBox.hidden = false;
    actions.hidden = true;
    yes.focus();
  }

  heard.addEventListener('click', () => mark(!m.heard, false));
  callBack.addEventListener('click', () => {
    if (m.caller_number) dial(m.caller_number, { name: m.caller_name || null, number: m.caller_number, login: null, unit: null });
  });
  remove.addEventListener('click', askDelete);
  confirmBox.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.preventDefault(); closeConfirm(true); } });
  // Listening marks it heard, once: a message marked unheard again stays so when replayed.
  player.addEventListener('play', () => {
    if (m.heard || autoMarked) return;
    autoMarked = true;
    mark(true, true);
  });
  draw();
  return {
    li,
    heading,
    set(next) { m = next; if (!busy) draw(); },
  };
}

// The list of the box `box`; `messages` as GET /api/v1/voicemail answers them. Returns
// { element, update(messages, announceNew) (a fresh list from the server) }.
export function messageList(messages, box) {
  const items = new Map(); // id → entry
  const list = h('ul', { class: 'vm-list', 'aria-labelledby': 'vm-messages-h' });
  const summary = h('p', { class: 'vm-summary', id: 'vm-summary' });
  let shown = [];

  function drawSummary() {
    const unheard = shown.filter((m) => !m.heard).length;
    const one = shown.length === 1;
    summary.textContent = shown.length === 0 ? t('vmNone')
      : t(unheard ? (one ? 'vmSummaryOne' : 'vmSummary') : (one ? 'vmSummaryOneHeard' : 'vmSummaryHeard'), { n: shown.length, u: unheard });
    list.hidden = shown.length === 0;
  }

  const ctx = {
    box,
    changed(m) { shown = shown.map((x) => (x.id === m.id ? m : x)); drawSummary(); },
    removed(id) {
      const at = shown.findIndex((x) => x.id === id);
      shown = shown.filter((x) => x.id !== id);
      const item = items.get(id);
      items.delete(id);
      if (item) item.li.remove();
      drawSummary();
      // The focus goes on to the next message (or the one before), else to the heading.
      const next = shown[at] || shown[at - 1];
      (next ? items.get(next.id).heading : document.getElementById('vm-messages-h'))?.focus();
    },
  };

  function update(fresh, announceNew = false) {
    const known = new Set(shown.map((m) => m.id));
    shown = fresh;
    const keep = new Set(fresh.map((m) => m.id));
    for (const [id, item] of items) if (!keep.has(id)) { item.li.remove(); items.delete(id); }
    fresh.forEach((m, i) => {
      let item = items.get(m.id);
      if (item) item.set(m);
      else { item = entry(m, ctx); items.set(m.id, item); }
      const at = list.children[i];
      if (at !== item.li) list.insertBefore(item.li, at || null);
    });
    drawSummary();
    const arrived = fresh.filter((m) => !known.has(m.id));
    if (announceNew && arrived.length) announce(arrived.map((m) => t('vmNewArrived', { n: callerLabel(m) })).join(' '));
  }

  update(messages);
  return { element: h('div', { class: 'vm-messages' }, summary, list), update };
}
