// A hotline's live wallboard for its supervisors (#/hotline/{id}/board), and the same as a
// full-screen TV view (…/board?tv: big numbers, high contrast, no navigation). The board
// is fetched again at most once a second after each `queue.board` frame of this hotline,
// and every 15 seconds besides (a missed frame, figures that age); waits tick here every
// second from `since`; no two fetches come closer than a second. Changes of who waits and
// who is ready are announced. Where allowed, a supervisor listens in on an agent's
// conversation (or whispers to them) from here, in their phone (wallboard_listen.js);
// whether it is allowed comes with each frame too (`board.listening`), so the buttons
// follow an administrator's switch at once, and the change is announced.
import { api } from '../api.js';
import { h, show, errorBox, announce, onLeave, pageStillShown, userText } from '../dom.js';
import { t, tParts, lang } from '../i18n.js';
import { explain } from '../sign_in.js';
import { on } from '../realtime.js';
import { clockOffset, waitText, count } from './format.js';
import { waitLevel, legend } from './thresholds.js';
import { tiles, longestTile, figuresTable, agentsSection, waitingSection } from './wallboard_view.js';
import { chartSection } from './chart.js';
import { listenControl } from './wallboard_listen.js';

const MIN_GAP_MS = 1000;
const FALLBACK_MS = 15000;

function boardPath(id) { return `#/hotline/${id}/board`; }

async function enterTv(id) {
  try { await document.documentElement.requestFullscreen(); } catch { /* not allowed here: the TV layout alone */ }
  location.hash = `${boardPath(id)}?tv`;
}

async function leaveTv(id) {
  if (document.fullscreenElement) await document.exitFullscreen().catch(() => {});
  location.hash = boardPath(id);
}

export async function showWallboard(id, tv) {
  const stillShown = pageStillShown();
  const first = await api('GET', `/api/v1/hotlines/${id}/board`).catch(() => ({ ok: false, status: 0 }));
  if (!stillShown()) return;
  const error = errorBox();
  if (!first.ok) {
    show(t('hlBoardTitlePlain'), error, h('p', {}, h('a', { href: '#/hotline' }, t('hlBackToHotline'))));
    error.textContent = explain(first);
    return;
  }
  let board = first.data;
  let offset = clockOffset(board.now);
  let chartJson = '';
  const parts = {
    tiles: h('div', { id: 'hl-tiles', role: 'region', 'aria-label': t('hlKeyFigures') }),
    agents: h('div'), waiting: h('div'), figures: h('div'), chart: h('div'),
  };
  const asOf = h('p', { class: 'hint hl-as-of', id: 'hl-as-of' });
  const tvButton = tv
    ? h('button', { type: 'button', class: 'secondary', id: 'hl-tv-leave', onclick: () => leaveTv(id) }, t('hlTvLeave'))
    : h('button', { type: 'button', class: 'secondary', id: 'hl-tv', onclick: () => enterTv(id) },
      t('hlTvEnter'));
  // Listening in, where an administrator allowed it; not on the TV view (nobody works at it).
  const control = listenControl(id, () => keepingFocus(drawAgents), stillShown);
  const allowed = (b) => !!(b.hotline && b.hotline.listening === true);
  const listening = (b) => (!tv && allowed(b) ? control : null);
  const drawAgents = (b = board) => parts.agents.replaceChildren(agentsSection(b, listening(b)));
  // Said when the switch changed while the board is open (not on the TV view: no buttons).
  const sayListening = (before, now) => {
    if (!tv && before !== now) announce(t(now ? 'hlListenAllowedNow' : 'hlListenOffNow'));
  };
  const bar = h('div', { class: 'hl-bar' }, tvButton,
    tv ? null : h('a', { href: `#/hotline/${id}/report` }, t('hlReportLink')), asOf);

  function summaryOf(b) {
    return { waiting: (b.waiting || []).length, ready: (b.agents || []).filter((a) => a.state === 'ready').length,
      agents: (b.agents || []).map((a) => `${a.id}:${a.state}`).join(',') };
  }

  // A focused scroll region or control that is drawn again keeps the focus (found again by
  // its name), so a keyboard user is not thrown to the top every second.
  function keepingFocus(redraw) {
    const active = document.activeElement;
    const holder = Object.values(parts).find((p) => p.contains(active) && p !== active);
    const name = holder && (active.getAttribute('aria-label') || active.textContent);
    redraw();
    if (holder && !holder.contains(active)) {
      const again = [...holder.querySelectorAll('[tabindex="0"], button, a, summary')]
        .find((el) => (el.getAttribute('aria-label') || el.textContent) === name);
      (again || document.getElementById('main')).focus();
    }
  }

  function draw(b, before) {
    keepingFocus(() => drawParts(b));
    if (!before) return;
    const now = summaryOf(b);
    if (now.waiting !== before.waiting || now.ready !== before.ready || now.agents !== before.agents) {
      announce(t('hlBoardNow', { w: count(now.waiting), r: count(now.ready), a: count((b.agents || []).length) }));
    }
  }

  function drawParts(b) {
    parts.tiles.replaceChildren(tiles(b, offset));
    drawAgents(b);
    parts.waiting.replaceChildren(waitingSection(b, offset));
    parts.figures.replaceChildren(figuresTable(b));
    const json = JSON.stringify(b.chart);
    if (json !== chartJson) {
      const open = parts.chart.querySelector('details')?.open;
      parts.chart.replaceChildren(chartSection(b.chart));
      if (open) parts.chart.querySelector('details').open = true;
      chartJson = json;
    }
    asOf.textContent = t('hlAsOf', { t: new Date(Date.parse(b.now) - offset).toLocaleTimeString(lang() === 'en' ? 'en-GB' : 'de-DE') });
  }

  let last = 0;
  let timer = null;
  let loading = false;
  let again = false;
  // The switch as the newest frame said it, and how many frames said it: a board asked
  // for before a frame came may be older than the frame.
  const framed = { count: 0, listening: false };

  async function load() {
    if (loading) { again = true; return; }
    loading = true;
    last = Date.now();
    const seen = framed.count;
    const r = await api('GET', `/api/v1/hotlines/${id}/board`).catch(() => ({ ok: false, status: 0 }));
    loading = false;
    if (!stillShown()) return;
    if (r.ok) {
      error.textContent = '';
      if (framed.count !== seen && r.data.hotline) r.data.hotline.listening = framed.listening;
      const before = summaryOf(board);
      const allowedBefore = allowed(board);
      board = r.data;
      offset = clockOffset(board.now);
      draw(board, before);
      sayListening(allowedBefore, allowed(board));
    } else {
      error.textContent = t('hlBoardStale', { m: explain(r) });
    }
    if (again) { again = false; soon(); }
  }

  // At most one fetch a second, however many frames come.
  function soon() {
    if (timer) return;
    timer = setTimeout(() => { timer = null; load(); }, Math.max(0, last + MIN_GAP_MS - Date.now()));
  }

  function tick() {
    for (const el of document.querySelectorAll('#main [data-since]')) el.textContent = waitText((Date.now() - Number(el.dataset.since)) / 1000);
    const tile = parts.tiles.querySelector('[data-testid="wallboard-longest"]');
    const since = tile && tile.querySelector('[data-since]');
    if (since && tile.dataset.level !== waitLevel((Date.now() - Number(since.dataset.since)) / 1000, board.thresholds.service_level_secs)) {
      tile.replaceWith(longestTile(board, offset));
    }
  }

  document.body.classList.toggle('hl-tv', tv);
  draw(board, null);
  const title = tParts('hlBoardTitle', { n: userText(board.hotline.name) });
  show(title, bar, error, parts.tiles, h('div', { class: 'hl-board-columns' }, h('div', {}, parts.agents, control.error), parts.waiting),
    parts.figures, parts.chart, legend(board.thresholds.service_level_secs));
  onLeave(() => document.body.classList.remove('hl-tv'));
  onLeave(control.stop);
  onLeave(on('queue.board', (f) => {
    if (f.hotline !== id) return;
    // The switch from the frame at once; the figures with the fetch that follows.
    const now = f.board && f.board.listening;
    if (typeof now === 'boolean') { framed.count += 1; framed.listening = now; }
    if (typeof now === 'boolean' && board.hotline && allowed(board) !== now) {
      board = { ...board, hotline: { ...board.hotline, listening: now } };
      keepingFocus(drawAgents);
      sayListening(!now, now);
    }
    soon();
  }));
  onLeave(on('live', (up) => { if (up) soon(); }));
  const fallback = setInterval(soon, FALLBACK_MS);
  const ticker = setInterval(tick, 1000);
  onLeave(() => { clearInterval(fallback); clearInterval(ticker); clearTimeout(timer); });
}
