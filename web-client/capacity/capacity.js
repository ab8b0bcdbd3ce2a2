// The administrators' capacity page (#/admin/capacity): every figure the server samples
// (GET /api/v1/admin/capacity) as a card with its name in words, its value against its
// limit, its level in words with a symbol of its own shape (the colour only repeats
// them) and its last 24 hours as a small chart with a text alternative and a table of
// hours; above them a summary in a live region ("Alles im grünen Bereich", "2 Werte im
// roten Bereich: …"), below them where warnings go. Refreshed every minute in place: the
// cards stay where they are, an open table stays open, the focus stays where it is, and
// only a changed summary is read out.
import { api } from '../api.js';
import { h, show, onLeave, pageStillShown, userText } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { againstLimit, percent, percentText, timeText } from './format.js';
import { chartFigure, historyTable } from './chart.js';

const BASE = '/api/v1/admin/capacity';
const REFRESH_MS = 60000;
const LEVELS = ['green', 'amber', 'red', 'unknown'];
const NS = 'http://www.w3.org/2000/svg';
const fail = () => ({ ok: false, status: 0 });

export const levelOf = (f) => (LEVELS.includes(f.level) ? f.level : 'unknown');
// The figure's key in ids and test hooks: gateway users per application.
export const keyOf = (f) => (f.key === 'gateway_users' && f.app ? `gateway_users-${f.app}` : String(f.key));

function nameOf(f) {
  const key = `capFig_${f.key}`;
  const text = t(key, { a: f.app ?? '' });
  return text === key ? String(f.key) : text;
}

// The level's symbol: a tick in a circle, an exclamation mark in a triangle, a cross in
// an octagon, a question mark in a circle; shapes that differ without their colour.
function symbol(level) {
  const el = (tag, attrs) => {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    return node;
  };
  const shapes = {
    green: [el('circle', { cx: 8, cy: 8, r: 7, class: 'cap-sym-fill' }), el('path', { d: 'M4.5 8.3l2.4 2.4 4.6-5', class: 'cap-sym-mark' })],
    amber: [el('path', { d: 'M8 1.2l7 13H1z', class: 'cap-sym-fill' }), el('path', { d: 'M8 5.6v4.2M8 11.6v.6', class: 'cap-sym-mark' })],
    red: [el('path', { d: 'M5.1 1h5.8L15 5.1v5.8L10.9 15H5.1L1 10.9V5.1z', class: 'cap-sym-fill' }), el('path', { d: 'M5.4 5.4l5.2 5.2M10.6 5.4l-5.2 5.2', class: 'cap-sym-mark' })],
    unknown: [el('circle', { cx: 8, cy: 8, r: 7, class: 'cap-sym-fill' }), el('path', { d: 'M5.9 6.1a2.1 2.1 0 1 1 2.9 1.9c-.6.3-.8.7-.8 1.3v.4M8 11.7v.6', class: 'cap-sym-mark' })],
  };
  const icon = el('svg', { viewBox: '0 0 16 16', class: 'cap-sym', 'aria-hidden': 'true', focusable: 'false' });
  icon.append(...shapes[level]);
  return icon;
}

function levelBadge(f) {
  const level = levelOf(f);
  return h('p', { class: `cap-level cap-level-${level}`, 'data-testid': `capacity-level-${keyOf(f)}`, 'data-level': level },
    symbol(level), h('span', {}, t(`capLevel_${level}`)));
}

function valueLine(f) {
  const p = percent(f);
  const noLimit = f.limit === null || f.limit === undefined;
  return h('p', { class: 'cap-value' }, h('strong', {}, againstLimit(f)),
    p !== null ? h('span', { class: 'cap-share' }, ` (${percentText(p, f)})`) : null,
    noLimit && f.value !== null && f.value !== undefined ? h('span', { class: 'cap-share' }, ` (${t('capNoLimit')})`) : null);
}

// A card whose parts are filled anew on every refresh; the table's button stays.
function card(f) {
  const id = `cap-${keyOf(f)}`;
  const heading = h('h3', { id: `${id}-h`, class: 'cap-name' });
  const level = h('div', { class: 'cap-level-box' });
  const value = h('div');
  const chart = h('div');
  const tableBox = h('div', { id: `${id}-table`, class: 'cap-table-box', hidden: true });
  const nameHidden = h('span', { class: 'visually-hidden' });
  const toggle = h('button', { type: 'button', class: 'secondary cap-toggle', 'aria-expanded': 'false', 'aria-controls': tableBox.id,
    'data-testid': `capacity-table-toggle-${keyOf(f)}` }, t('capTable'), nameHidden);
  const el = h('li', { class: 'cap-card', id, 'data-testid': `capacity-figure-${keyOf(f)}` },
    heading, level, value, chart, toggle, tableBox);
  let figure = f; let end = 0;
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    tableBox.hidden = !open;
    tableBox.replaceChildren(open ? historyTable(figure, nameOf(figure), end) : '');
  });
  return {
    el,
    fill(next, at) {
      figure = next; end = at;
      const name = nameOf(next);
      heading.replaceChildren(f.key === 'gateway_users' ? userText(name) : name);
      nameHidden.textContent = `: ${name}`;
      el.className = `cap-card cap-card-${levelOf(next)}`;
      el.dataset.level = levelOf(next);
      level.replaceChildren(levelBadge(next));
      value.replaceChildren(valueLine(next));
      chart.replaceChildren(chartFigure(next, at, id));
      if (!tableBox.hidden) tableBox.replaceChildren(historyTable(next, name, at));
    },
  };
}

// "Alles im grünen Bereich." or a line each for the red, amber and unknown ones: how
// many (the headline) and which.
export function summaryLines(figures) {
  if (!figures.length) return [{ head: t('capNone'), names: [] }];
  const lines = [];
  for (const [level, one, many] of [['red', 'capRedOne', 'capRed'], ['amber', 'capAmberOne', 'capAmber'], ['unknown', 'capUnknownOne', 'capUnknown']]) {
    const these = figures.filter((f) => levelOf(f) === level);
    if (these.length) lines.push({ head: t(these.length === 1 ? one : many, { n: these.length }), names: these.map(nameOf) });
  }
  return lines.length ? lines : [{ head: t('capAllGreen'), names: [] }];
}

function worst(figures) {
  return ['red', 'amber', 'unknown'].find((l) => figures.some((f) => levelOf(f) === l)) || 'green';
}

function alerts(data) {
  const to = Array.isArray(data.alert_to) ? data.alert_to.filter(Boolean) : [];
  if (!to.length) return h('p', { 'data-testid': 'capacity-alerts', class: 'cap-alerts-none' }, t('capAlertsNone'));
  return h('div', { 'data-testid': 'capacity-alerts' },
    h('p', {}, t('capAlertsTo', { m: data.red_minutes ?? '–' })),
    h('ul', { class: 'cap-alert-to' }, ...to.map((a) => h('li', {}, h('code', {}, userText(a))))));
}

export async function showCapacity() {
  const page = pageStillShown();
  const first = await api('GET', BASE).catch(fail);
  if (!page()) return;
  if (!first.ok) { show(t('capTitle'), h('p', { class: 'error', role: 'alert', 'data-testid': 'capacity-error' }, explain(first))); return; }

  const summary = h('p', { class: 'cap-summary', role: 'status', 'aria-live': 'polite', 'data-testid': 'capacity-summary' });
  const summaryBox = h('div', { class: 'cap-summary-box' });
  const asOf = h('p', { class: 'hint cap-as-of', 'data-testid': 'capacity-as-of' });
  const stale = h('p', { class: 'error cap-stale', role: 'alert' });
  const list = h('ul', { class: 'cap-cards', 'aria-labelledby': 'cap-figures-h' });
  const alertBox = h('div');
  const cards = new Map();
  let lastAt = null;

  function render(data) {
    const figures = Array.isArray(data.figures) ? data.figures : [];
    // sampled_at is null before the server's first reading (and then there are no figures).
    const sampled = typeof data.sampled_at === 'number';
    const at = sampled ? data.sampled_at : Math.floor(Date.now() / 1000);
    lastAt = at;
    const lines = summaryLines(figures).map(({ head, names }, i) => h('span', { class: 'cap-summary-line' }, i ? ' ' : null,
      h('strong', {}, names.length ? `${head}: ` : head), names.length ? `${names.join(', ')}.` : null));
    const level = worst(figures);
    summaryBox.className = `cap-summary-box cap-summary-${level}`;
    summaryBox.replaceChildren(symbol(level), summary);
    // Only a changed summary is put in anew (and so read out).
    if (summary.textContent !== lines.map((l) => l.textContent).join('')) summary.replaceChildren(...lines);
    asOf.textContent = sampled ? t('capAsOf', { w: timeText(at, true) }) : '';
    asOf.hidden = !sampled;
    stale.textContent = '';
    // The cards in the answer's order, moving none that is in place already (a moved
    // element loses the focus); the focus goes back where it was if it was lost anyway.
    const focused = document.activeElement;
    const wanted = figures.map((f) => {
      const key = keyOf(f);
      if (!cards.has(key)) cards.set(key, card(f));
      const c = cards.get(key);
      c.fill(f, at);
      return c.el;
    });
    let next = list.firstChild;
    for (const el of wanted) {
      if (el === next) next = next.nextSibling; else list.insertBefore(el, next);
    }
    while (next) { const gone = next; next = next.nextSibling; gone.remove(); }
    for (const [key, c] of cards) if (c.el.parentNode !== list) cards.delete(key);
    if (focused && focused !== document.activeElement && focused.isConnected) focused.focus({ preventScroll: true });
    alertBox.replaceChildren(alerts(data));
  }

  let loading = false;
  async function reload() {
    if (loading) return;
    loading = true;
    const res = await api('GET', BASE).catch(fail);
    loading = false;
    if (!page()) return;
    if (!res.ok) {
      const message = t('capStale', { e: explain(res), w: lastAt ? timeText(lastAt, true) : '–' });
      if (stale.textContent !== message) stale.textContent = message;
      return;
    }
    render(res.data || {});
  }

  render(first.data || {});
  show(t('capTitle'), h('p', { class: 'hint cap-intro' }, t('capIntro')), summaryBox, asOf, stale,
    h('section', { class: 'cap-section', 'aria-labelledby': 'cap-figures-h' }, h('h2', { id: 'cap-figures-h' }, t('capFigures')), list),
    h('section', { class: 'cap-section', 'aria-labelledby': 'cap-alerts-h' }, h('h2', { id: 'cap-alerts-h' }, t('capAlerts')), alertBox));
  const timer = setInterval(reload, REFRESH_MS);
  onLeave(() => clearInterval(timer));
}
