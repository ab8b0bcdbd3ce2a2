// Small charts as inline SVG, drawn here (no library): a line chart of values per day and
// a bar chart of two counts per day against a total. Each comes inside a figure with its
// caption and its data as a table (stackedTable, cards at phone width) in a details
// element: the picture is named by the caption, the figures are in the table. Series
// differ by colour and by dash or fill, so colour is never the only difference.
import { h, stackedTable } from '../dom.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 600;
const H = 220;
const PAD = { left: 40, right: 10, top: 10, bottom: 30 };

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const c of children) if (c) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

// A round top for the y axis: 1, 2 or 5 times a power of ten, at least `max`.
function niceTop(max) {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= max);
}

// The frame: y grid lines with numbers, the first and last day under the x axis.
function frame(days, top) {
  const g = s('g', { class: 'chart-frame' });
  for (const v of [0, top / 2, top]) {
    const y = PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / top);
    g.append(s('line', { x1: PAD.left, x2: W - PAD.right, y1: y, y2: y, stroke: '#767676', 'stroke-width': v === 0 ? 1 : 0.5 }),
      s('text', { x: PAD.left - 6, y: y + 4, 'text-anchor': 'end', 'font-size': 12 }, Number.isInteger(v) ? v : v.toFixed(1)));
  }
  if (days.length) {
    g.append(s('text', { x: PAD.left, y: H - 8, 'font-size': 12 }, days[0]),
      s('text', { x: W - PAD.right, y: H - 8, 'font-size': 12, 'text-anchor': 'end' }, days[days.length - 1]));
  }
  return g;
}

const xOf = (i, n) => PAD.left + (n <= 1 ? 0 : ((W - PAD.left - PAD.right) * i) / (n - 1));
const yOf = (v, top) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / top);

function legend(items) {
  return h('ul', { class: 'chart-legend' }, ...items.map((it) => h('li', {},
    s('svg', { width: 24, height: 10, 'aria-hidden': 'true', focusable: 'false' },
      it.bar ? s('rect', { x: 0, y: 0, width: 24, height: 10, fill: it.colour })
        : s('line', { x1: 0, x2: 24, y1: 5, y2: 5, stroke: it.colour, 'stroke-width': 3, 'stroke-dasharray': it.dash || null })),
    ' ', it.name)));
}

function figure(id, caption, svg, items, table, tableLabel) {
  return h('figure', { class: 'chart', 'aria-labelledby': `${id}-cap`, 'data-testid': id },
    h('figcaption', { id: `${id}-cap` }, caption),
    svg, legend(items),
    h('details', { class: 'chart-data' }, h('summary', {}, tableLabel), table));
}

// Lines over days. `series`: [{ name, values (numbers or null for a gap), colour, dash }].
// `heads` and `rows` (tr elements) are the table; `tableLabel` the details' summary.
export function lineChart({ id, caption, days, series, heads, rows, tableLabel }) {
  const top = niceTop(Math.max(0, ...series.flatMap((x) => x.values.filter((v) => v !== null))));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart-svg', role: 'img', 'aria-labelledby': `${id}-cap` }, frame(days, top));
  for (const line of series) {
    let points = [];
    const flush = () => {
      if (points.length === 1) svg.append(s('circle', { cx: points[0][0], cy: points[0][1], r: 3, fill: line.colour }));
      if (points.length > 1) {
        svg.append(s('polyline', { points: points.map((p) => p.join(',')).join(' '), fill: 'none', stroke: line.colour,
          'stroke-width': 2.5, 'stroke-dasharray': line.dash || null, 'data-series': line.name }));
      }
      points = [];
    };
    line.values.forEach((v, i) => { if (v === null) flush(); else points.push([xOf(i, days.length), yOf(v, top)]); });
    flush();
  }
  const items = series.map((x) => ({ name: x.name, colour: x.colour, dash: x.dash }));
  return figure(id, caption, svg, items, stackedTable(caption, {}, heads, rows), tableLabel);
}

// Two counts per day as bars (the second drawn inside the first) against a total line.
export function barChart({ id, caption, days, outer, inner, total, heads, rows, tableLabel }) {
  const top = niceTop(Math.max(total.value, ...outer.values));
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart-svg', role: 'img', 'aria-labelledby': `${id}-cap` }, frame(days, top));
  const slot = (W - PAD.left - PAD.right) / Math.max(1, days.length);
  const base = yOf(0, top);
  days.forEach((_, i) => {
    const x = PAD.left + slot * i + slot * 0.15;
    const w = Math.max(1, slot * 0.7);
    for (const [bars, colour] of [[outer, outer.colour], [inner, inner.colour]]) {
      const v = bars.values[i];
      if (v > 0) svg.append(s('rect', { x, y: yOf(v, top), width: w, height: base - yOf(v, top), fill: colour }));
    }
  });
  const y = yOf(total.value, top);
  svg.append(s('line', { x1: PAD.left, x2: W - PAD.right, y1: y, y2: y, stroke: total.colour, 'stroke-width': 2, 'stroke-dasharray': '6 4' }));
  const items = [
    { name: outer.name, colour: outer.colour, bar: true },
    { name: inner.name, colour: inner.colour, bar: true },
    { name: total.name, colour: total.colour, dash: '6 4' },
  ];
  return figure(id, caption, svg, items, stackedTable(caption, {}, heads, rows), tableLabel);
}
