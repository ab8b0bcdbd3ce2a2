// The day's chart on the wallboard: calls per 15 minutes as stacked bars (answered,
// abandoned hatched, the rest grey) and the mean wait per quarter hour as a line with
// dots on its own axis. Inline SVG (no library, no outside request); for screen readers a
// sentence that sums it up names the image, and the same figures are a table below.
import { h, scrollable } from '../dom.js';
import { t } from '../i18n.js';
import { waitText, timeOfDay, count } from './format.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 720; const H = 240;
const M = { left: 34, right: 46, top: 12, bottom: 26 };

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

function localHour(iso) { const d = new Date(iso); return [d.getHours(), d.getMinutes()]; }

// From 6 o'clock (or the first call, if earlier) to now.
export function daySlots(chart) {
  const first = chart.findIndex((s) => s.offered > 0);
  const six = chart.findIndex((s) => localHour(s.start)[0] >= 6);
  const from = [first, six].filter((i) => i >= 0);
  return chart.slice(from.length ? Math.min(...from) : 0);
}

// The top of an axis: even, so its middle line is a whole number too.
function niceMax(n) {
  if (n <= 4) return 4;
  const unit = Math.max(2, 2 * 10 ** (Math.floor(Math.log10(n)) - 1));
  return Math.ceil(n / unit) * unit;
}

function summary(slots) {
  const sum = (k) => slots.reduce((a, s) => a + (s[k] || 0), 0);
  const parts = [t('hlChartTotals', { o: count(sum('offered')), a: count(sum('answered')), x: count(sum('abandoned')) })];
  const busiest = slots.reduce((b, s) => (s.offered > (b ? b.offered : 0) ? s : b), null);
  if (busiest) parts.push(t('hlChartBusiest', { n: count(busiest.offered), t: timeOfDay(busiest.start) }));
  const slowest = slots.reduce((b, s) => (s.mean_wait_secs !== null && s.mean_wait_secs > (b ? b.mean_wait_secs : -1) ? s : b), null);
  if (slowest) parts.push(t('hlChartSlowest', { w: waitText(slowest.mean_wait_secs), t: timeOfDay(slowest.start) }));
  return parts.join(' ');
}

function drawing(slots, labelId) {
  const plotW = W - M.left - M.right; const plotH = H - M.top - M.bottom;
  const calls = niceMax(Math.max(0, ...slots.map((s) => s.offered)));
  const waits = niceMax(Math.max(0, ...slots.map((s) => s.mean_wait_secs || 0)));
  const bw = plotW / Math.max(slots.length, 1);
  const y = (n) => M.top + plotH - (n / calls) * plotH;
  const yw = (s) => M.top + plotH - (s / waits) * plotH;
  const parts = [svg('defs', {}, svg('pattern', { id: 'hl-hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
    svg('rect', { width: 6, height: 6, class: 'hl-hatch-bg' }), svg('line', { x1: 0, y1: 0, x2: 0, y2: 6, class: 'hl-hatch-line' })))];
  for (const n of [0, calls / 2, calls]) {
    parts.push(svg('line', { x1: M.left, x2: W - M.right, y1: y(n), y2: y(n), class: 'hl-grid' }),
      svg('text', { x: M.left - 4, y: y(n) + 4, 'text-anchor': 'end', class: 'hl-axis' }, count(n)),
      svg('text', { x: W - M.right + 4, y: yw((n / calls) * waits) + 4, class: 'hl-axis' }, waitText((n / calls) * waits)));
  }
  const points = [];
  slots.forEach((s, i) => {
    const x = M.left + i * bw;
    const other = Math.max(0, s.offered - s.answered - s.abandoned);
    let top = y(0);
    for (const [n, cls] of [[s.answered, 'hl-bar-answered'], [s.abandoned, 'hl-bar-abandoned'], [other, 'hl-bar-other']]) {
      if (!n) continue;
      const hgt = (n / calls) * plotH;
      top -= hgt;
      parts.push(svg('rect', { x: x + bw * 0.1, y: top, width: Math.max(bw * 0.8, 1), height: hgt, class: cls,
        fill: cls === 'hl-bar-abandoned' ? 'url(#hl-hatch)' : null }));
    }
    const [hour, minute] = localHour(s.start);
    if (minute === 0 && (slots.length <= 32 || hour % 2 === 0)) {
      parts.push(svg('text', { x, y: H - 8, class: 'hl-axis' }, `${hour}`));
    }
    if (s.mean_wait_secs !== null && s.mean_wait_secs !== undefined) points.push([x + bw / 2, yw(s.mean_wait_secs)]);
  });
  if (points.length > 1) parts.push(svg('polyline', { points: points.map((p) => p.join(',')).join(' '), class: 'hl-wait-line' }));
  for (const [cx, cy] of points) parts.push(svg('circle', { cx, cy, r: 3, class: 'hl-wait-dot' }));
  return svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': labelId, class: 'hl-chart-svg', focusable: 'false' }, ...parts);
}

function key() {
  const swatch = (cls) => svg('svg', { viewBox: '0 0 12 12', width: 14, height: 14, 'aria-hidden': 'true', class: 'hl-swatch' },
    cls === 'hl-wait-dot' ? svg('circle', { cx: 6, cy: 6, r: 4, class: cls })
      : svg('rect', { width: 12, height: 12, class: cls, fill: cls === 'hl-bar-abandoned' ? 'url(#hl-hatch)' : null }));
  return h('ul', { class: 'hl-chart-key' }, ...[['hl-bar-answered', 'hlAnswered'], ['hl-bar-abandoned', 'hlAbandoned'],
    ['hl-bar-other', 'hlOtherCalls'], ['hl-wait-dot', 'hlMeanWait']].map(([cls, k]) => h('li', {}, swatch(cls), ' ', t(k))));
}

function table(slots) {
  const busy = slots.filter((s) => s.offered > 0);
  if (!busy.length) return h('p', { class: 'hint' }, t('hlChartNone'));
  return scrollable(t('hlChartTable'), h('table', { class: 'hl-table' },
    h('caption', {}, t('hlChartTable')),
    h('thead', {}, h('tr', {}, ...['hlFrom', 'hlOffered', 'hlAnswered', 'hlAbandoned', 'hlMeanWait'].map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, ...busy.map((s) => h('tr', {}, h('th', { scope: 'row' }, timeOfDay(s.start)),
      h('td', { class: 'num' }, count(s.offered)), h('td', { class: 'num' }, count(s.answered)),
      h('td', { class: 'num' }, count(s.abandoned)), h('td', { class: 'num' }, waitText(s.mean_wait_secs)))))));
}

// The chart's section for the board's `chart` (the whole day so far).
export function chartSection(chart) {
  const slots = daySlots(chart || []);
  const labelId = 'hl-chart-summary';
  return h('section', { class: 'hl-chart', 'aria-labelledby': 'hl-chart-h' },
    h('h2', { id: 'hl-chart-h' }, t('hlChartTitle')),
    h('p', { id: labelId, class: 'hl-chart-summary' }, summary(slots)),
    // On a phone the drawing keeps a readable size and scrolls sideways in its own region.
    h('div', { class: 'hl-chart-box table-scroll', role: 'region', tabindex: '0', 'aria-label': t('hlChartTitle') }, drawing(slots, labelId)),
    key(),
    h('details', { class: 'hl-chart-details' }, h('summary', {}, t('hlChartAsTable')), table(slots)));
}
