// The parts of the wallboard, drawn from one board answer (GET /api/v1/hotlines/{id}/board):
// big tiles with the figures that matter most, the agents by state, who waits, and the
// figures of today, of this quarter hour and per queue (with "Mithören" and "Flüstern" at
// each agent in a conversation, where allowed). Waits tick in the browser from
// `since` (data-since, already in this browser's clock); thresholds in thresholds.js.
import { h, userText, scrollable } from '../dom.js';
import { t } from '../i18n.js';
import { percent, waitText, count, stateBadge, AGENT_STATES } from './format.js';
import { serviceLevelLevel, abandonLevel, waitLevel, levelMark } from './thresholds.js';

// The longest wait now: the first in line, or the figure of today's log.
export function longestSince(board, offset) {
  const since = (board.waiting || []).map((w) => Date.parse(w.since)).filter(Number.isFinite);
  return since.length ? Math.min(...since) - offset : null;
}

function tile(testid, label, value, { level = 'none', note = null } = {}) {
  return h('li', { class: `hl-tile hl-level-${level}`, 'data-testid': testid, 'data-level': level },
    h('span', { class: 'hl-tile-label' }, label),
    h('span', { class: 'hl-tile-value' }, value),
    h('span', { class: 'hl-tile-note' }, levelMark(level), level === 'amber' || level === 'red' ? (note ? ' · ' : '') : null, note));
}

// The longest wait now, ticking (data-since); its level follows the wait (wallboard.js
// draws the tile again when it changes).
export function longestTile(board, offset) {
  const since = longestSince(board, offset);
  if (since === null) {
    return tile('wallboard-longest', t('hlLongestWait'), '–', { note: t('hlTodayLongest', { w: waitText(board.today.longest_wait_secs) }) });
  }
  const waited = (Date.now() - since) / 1000;
  return tile('wallboard-longest', t('hlLongestWait'), h('span', { 'data-since': String(since) }, waitText(waited)),
    { level: waitLevel(waited, board.thresholds.service_level_secs) });
}

export function tiles(board, offset) {
  const today = board.today; const now = board.interval;
  const threshold = board.thresholds.service_level_secs;
  const waiting = board.waiting || [];
  const callbacks = waiting.filter((w) => w.callback).length;
  const agents = board.agents || [];
  const ready = agents.filter((a) => a.state === 'ready').length;
  return h('ul', { class: 'hl-tiles' },
    tile('wallboard-waiting', t('hlTileWaiting'), count(waiting.length),
      { note: callbacks ? t('hlOfThemCallbacks', { n: count(callbacks) }) : null }),
    longestTile(board, offset),
    tile('wallboard-sl', t('hlSlToday'), percent(today.service_level),
      { level: serviceLevelLevel(today.service_level), note: t('hlInThreshold', { s: threshold }) }),
    tile('wallboard-sl-interval', t('hlSlInterval'), percent(now.service_level), { level: serviceLevelLevel(now.service_level) }),
    tile('wallboard-sl2', t('hlSl2'), percent(today.sl2), { level: serviceLevelLevel(today.sl2) }),
    tile('wallboard-asa', t('hlAsa'), waitText(today.asa_secs)),
    tile('wallboard-abandon', t('hlAbandonRate'), percent(today.abandon_rate),
      { level: abandonLevel(today.abandon_rate), note: t('hlAbandonNote', { n: count(today.abandoned), s: count(today.short_abandons) }) }),
    tile('wallboard-handled', t('hlHandled'), count(today.handled)),
    tile('wallboard-callbacks', t('hlCallbacksPending'), count(today.callbacks_pending)),
    tile('wallboard-ready', t('hlAgentsReady'), t('hlOf', { a: count(ready), b: count(agents.length) })));
}

// A figure's cell with its level (colour, symbol and word).
function cell(text, level = 'none') {
  return h('td', { class: `num hl-level-${level}` }, text, level === 'amber' || level === 'red' ? h('span', { class: 'hl-cell-mark' }, ' ', levelMark(level)) : null);
}

export function figuresTable(board) {
  const rows = [[t('hlToday'), board.today], [t('hlInterval'), board.interval],
    ...(board.queues || []).length > 1 ? board.queues.map((q) => [h('span', {}, userText(q.name), h('span', { class: 'hl-sub' }, t('hlToday'))), q.today]) : []];
  const heads = ['hlServiceLevel', 'hlSl2', 'hlAsa', 'hlAbandonRate', 'hlOffered', 'hlAnswered', 'hlHandled', 'hlAbandoned', 'hlCallbacksPending'];
  return h('section', { 'aria-labelledby': 'hl-figures-h', class: 'hl-figures' },
    h('h2', { id: 'hl-figures-h' }, t('hlFigures')),
    scrollable(t('hlFigures'), h('table', { class: 'hl-table', id: 'hl-figures-table' },
      h('thead', {}, h('tr', {}, h('td', {}), ...heads.map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, ...rows.map(([label, f]) => h('tr', {}, h('th', { scope: 'row' }, label),
        cell(percent(f.service_level), serviceLevelLevel(f.service_level)), cell(percent(f.sl2), serviceLevelLevel(f.sl2)),
        cell(waitText(f.asa_secs)), cell(percent(f.abandon_rate), abandonLevel(f.abandon_rate)),
        cell(count(f.offered)), cell(count(f.answered)), cell(count(f.handled)), cell(count(f.abandoned)),
        cell(count(f.callbacks_pending))))))));
}

function queueNames(board, ids) {
  const names = new Map((board.queues || []).map((q) => [q.id, q.name]));
  return ids.map((id) => names.get(id) || `#${id}`).join(', ');
}

// Listening in on an agent in a conversation, or whispering to them: two buttons named
// with the agent (the board's agents are one list, the names tell the buttons apart),
// pressed while this browser does so (wallboard_listen.js).
function listenButtons(agent, control) {
  const name = agent.name || `#${agent.id}`;
  const on = control.modeOn(agent.id);
  const button = (mode, label, named) => h('button', { type: 'button', class: 'secondary', 'data-testid': `wallboard-${mode}`,
    'aria-label': t(named, { n: name }), 'aria-pressed': String(on === mode), onclick: () => control.press(agent, mode) }, label);
  return h('span', { class: 'hl-listen' }, button('listen', t('hlListen'), 'hlListenTo'), button('whisper', t('hlWhisper'), 'hlWhisperTo'));
}

// `listen` ({ modeOn, press }, wallboard_listen.js): given where supervisors may listen in
// (not on the TV view), each agent in a conversation has "Mithören" and "Flüstern".
export function agentsSection(board, listen = null) {
  const agents = [...(board.agents || [])].sort((a, b) => AGENT_STATES.indexOf(a.state) - AGENT_STATES.indexOf(b.state)
    || String(a.name || '').localeCompare(String(b.name || '')));
  const counts = AGENT_STATES.filter((s) => s !== 'logged_out').map((s) => [s, agents.filter((a) => a.state === s).length]);
  const list = agents.length
    ? h('ul', { class: 'hl-agent-list' }, ...agents.map((a) => h('li', { 'data-agent': String(a.id), 'data-state': a.state },
      h('span', { class: 'hl-agent-name' }, userText(a.name || `#${a.id}`)), ' ', stateBadge(a.state, a.reason),
      h('span', { class: 'hl-sub' }, t('hlAgentLine', { q: queueNames(board, a.queues || []), n: count(a.calls_today) })),
      listen && a.state === 'on_call' ? listenButtons(a, listen) : null)))
    : h('p', { class: 'hint' }, t('hlNoAgentsIn'));
  return h('section', { 'aria-labelledby': 'hl-agents-h', class: 'hl-agents', 'data-testid': 'wallboard-agents' },
    h('h2', { id: 'hl-agents-h' }, t('hlAgentsTitle', { n: count(agents.length) })),
    listen ? h('p', { class: 'hint', id: 'hl-listen-hint' }, t('hlListenHint')) : null,
    h('ul', { class: 'hl-agent-counts' }, ...counts.map(([s, n]) => h('li', { 'data-count': s }, stateBadge(s, null), ' ', h('strong', {}, count(n))))),
    list);
}

export function waitingSection(board, offset) {
  const waiting = board.waiting || [];
  const names = new Map((board.queues || []).map((q) => [q.id, q.name]));
  const body = waiting.length
    ? scrollable(t('hlWaitingTitle'), h('table', { class: 'hl-table', id: 'hl-waiting-table' },
      h('thead', {}, h('tr', {}, ...['hlPosition', 'hlQueue', 'hlWaitingFor', 'hlCallback'].map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, ...waiting.map((w, i) => h('tr', {}, h('th', { scope: 'row' }, String(i + 1)),
        h('td', {}, userText(names.get(w.queue) || `#${w.queue}`)),
        h('td', { class: 'num' }, h('span', { 'data-since': String(Date.parse(w.since) - offset) }, waitText(w.waited_secs))),
        h('td', {}, w.callback ? t('yes') : t('no')))))))
    : h('p', { class: 'hint' }, t('hlNobodyWaiting'));
  return h('section', { 'aria-labelledby': 'hl-waiting-h', class: 'hl-waiting' }, h('h2', { id: 'hl-waiting-h' }, t('hlWaitingTitle')), body);
}
