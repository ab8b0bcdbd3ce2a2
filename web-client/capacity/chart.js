// A capacity figure's last 24 hours as a small line chart: inline SVG drawn here (no
// library, no outside request), the value as a line over a light area, the limit as a
// solid line and 90 % and 70 % of it dashed and dotted, gaps where no sample was taken.
// The drawing is hidden from screen readers; the <figure>'s caption says lowest, highest
// and now, and the same history is a table of hours behind a button.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { valueText, timeText } from './format.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 320; const H = 72; const PAD = 4;
const DAY = 86400;
// Samples further apart than this are not joined by the line (the server was down).
const GAP = 300;

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c) el.append(c);
  return el;
}

const present = (v) => typeof v === 'number' && Number.isFinite(v);
const round = (n) => Math.round(n * 10) / 10;

// The points with a value, oldest first, within the 24 hours before `end`.
export function pointsOf(figure, end) {
  return (Array.isArray(figure.history) ? figure.history : [])
    .filter((p) => Array.isArray(p) && present(p[0]) && present(p[1]) && p[0] > end - DAY - 60 && p[0] <= end + 60)
    .sort((a, b) => a[0] - b[0]);
}

// Runs of points without a gap.
function runs(points) {
  const out = [];
  for (const p of points) {
    const last = out.at(-1);
    if (last && p[0] - last.at(-1)[0] <= GAP) last.push(p); else out.push([p]);
  }
  return out;
}

function drawing(figure, points, end) {
  const limit = present(figure.limit) && figure.limit > 0 ? figure.limit : null;
  const highest = Math.max(0, ...points.map((p) => p[1]), present(figure.value) ? figure.value : 0);
  const top = Math.max(limit || 0, highest) * 1.08 || 1;
  const x = (at) => round(((at - (end - DAY)) / DAY) * W);
  const y = (v) => round(H - PAD - (Math.max(0, v) / top) * (H - 2 * PAD));
  const base = H - PAD;
  const parts = [svg('line', { x1: 0, x2: W, y1: base, y2: base, class: 'cap-base' })];
  for (const run of runs(points)) {
    const line = run.map((p, i) => `${i ? 'L' : 'M'}${x(p[0])} ${y(p[1])}`).join(' ');
    const first = x(run[0][0]); const last = x(run.at(-1)[0]);
    if (run.length > 1) parts.push(svg('path', { d: `${line} L${last} ${base} L${first} ${base} Z`, class: 'cap-area' }));
    parts.push(svg('path', { d: run.length > 1 ? line : `${line} l0.01 0`, class: 'cap-line' }));
  }
  if (limit) {
    for (const [share, cls] of [[0.7, 'cap-70'], [0.9, 'cap-90'], [1, 'cap-limit']]) {
      parts.push(svg('line', { x1: 0, x2: W, y1: y(limit * share), y2: y(limit * share), class: cls }));
    }
  }
  const now = points.at(-1);
  if (now) parts.push(svg('circle', { cx: x(now[0]), cy: y(now[1]), r: 3, class: 'cap-dot' }));
  return svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'cap-chart', 'aria-hidden': 'true', focusable: 'false' }, ...parts);
}

// The figure's chart with its caption; `id` makes the caption's id unique.
export function chartFigure(figure, end, id) {
  const points = pointsOf(figure, end);
  const values = points.map((p) => p[1]);
  const say = (v) => valueText(figure, v);
  const limit = present(figure.limit) && figure.limit > 0;
  const caption = values.length
    ? t('capChartCaption', { lo: say(Math.min(...values)), hi: say(Math.max(...values)), now: say(present(figure.value) ? figure.value : values.at(-1)) })
    : t('capChartEmpty');
  const legend = limit
    ? h('ul', { class: 'cap-legend', 'aria-hidden': 'true' },
      h('li', {}, h('span', { class: 'cap-swatch cap-swatch-limit' }), t('capLegendLimit')),
      h('li', {}, h('span', { class: 'cap-swatch cap-swatch-90' }), t('capLegend90')),
      h('li', {}, h('span', { class: 'cap-swatch cap-swatch-70' }), t('capLegend70')))
    : null;
  return h('figure', { class: 'cap-figure' },
    h('div', { class: 'cap-plot' }, drawing(figure, points, end),
      h('div', { class: 'cap-axis', 'aria-hidden': 'true' }, h('span', {}, t('capAgo24')), h('span', {}, t('capNow')))),
    legend,
    h('figcaption', { id: `${id}-caption`, class: 'cap-caption' }, caption,
      limit ? ` ${t('capChartLimit', { l: say(figure.limit) })}` : ''));
}

// The history by hour, newest first: lowest, highest and last value of each hour.
export function historyTable(figure, name, end) {
  const points = pointsOf(figure, end);
  const say = (v) => valueText(figure, v, true);
  const hours = new Map();
  for (const p of points) {
    const hour = Math.floor(p[0] / 3600) * 3600;
    const seen = hours.get(hour);
    if (seen) { seen.lo = Math.min(seen.lo, p[1]); seen.hi = Math.max(seen.hi, p[1]); seen.last = p[1]; } else hours.set(hour, { lo: p[1], hi: p[1], last: p[1] });
  }
  const day = (at) => new Date(at * 1000).toDateString();
  const rows = [...hours.entries()].sort((a, b) => b[0] - a[0]).map(([hour, v], i, all) => {
    const withDate = i === 0 || day(all[i - 1][0]) !== day(hour);
    return h('tr', {}, h('th', { scope: 'row' }, h('time', { datetime: new Date(hour * 1000).toISOString() }, timeText(hour, withDate))),
      h('td', {}, say(v.lo)), h('td', {}, say(v.hi)), h('td', {}, say(v.last)));
  });
  if (!rows.length) return h('p', { class: 'hint' }, t('capChartEmpty'));
  return h('table', { class: 'cap-table' },
    h('caption', {}, t(figure.unit === 'cores' ? 'capTableInCores' : 'capTableCaption', { f: name })),
    h('thead', {}, h('tr', {}, ...['capColHour', 'capColMin', 'capColMax', 'capColLast'].map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, ...rows));
}
