// The rollout over time, on #/admin/rollout below the features (GET
// /api/v1/admin/rollout/report): per feature a chart of its holders, cap and waiting list
// per day, per building a chart of desks booked and checked in against its desks, usage
// per month and the CO₂ estimate as tables (aggregates only; small groups come hidden
// from the server), a span of days and the CSV download. Each chart has its caption and
// its figures as a table.
import { api } from '../api.js';
import { h, announce, pageStillShown, stackedTable, userText, errorBox } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { lineChart, barChart } from './chart.js';

const PATH = '/api/v1/admin/rollout/report';

function isoDay(d) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

const row = (head, ...cells) => h('tr', {}, h('th', { scope: 'row' }, head), ...cells.map((c) => h('td', {}, String(c))));

function featureChart(f) {
  const name = t(`roF_${f.feature}`);
  const days = f.days.map((d) => d.day);
  return lineChart({
    id: `rr-feature-${f.feature}`,
    caption: t('rrFeatureCaption', { f: name, from: days[0], to: days[days.length - 1] }),
    days,
    series: [
      { name: t('rrHolders'), values: f.days.map((d) => d.holders), colour: '#0b3d66' },
      { name: t('rrCap'), values: f.days.map((d) => d.cap), colour: '#a4000f', dash: '8 4' },
      { name: t('rrWaiting'), values: f.days.map((d) => d.waiting), colour: '#b35900', dash: '2 3' },
    ],
    heads: [t('rrDay'), t('rrHolders'), t('rrCap'), t('rrWaiting')],
    rows: f.days.map((d) => row(d.day, d.holders, d.cap ?? t('roCapNone'), d.waiting)),
    tableLabel: t('rrTable', { f: name }),
  });
}

function buildingChart(b, i) {
  const days = b.days.map((d) => d.day);
  return barChart({
    id: `rr-building-${i}`,
    caption: t('rrBuildingCaption', { b: b.building, n: b.desks }),
    days,
    outer: { name: t('rrBooked'), values: b.days.map((d) => d.booked), colour: '#8fb3d9' },
    inner: { name: t('rrCheckedIn'), values: b.days.map((d) => d.checked_in), colour: '#0b3d66' },
    total: { name: t('rrDesks'), value: b.desks, colour: '#a4000f' },
    heads: [t('rrDay'), t('rrBooked'), t('rrCheckedIn'), t('rrDesks')],
    rows: b.days.map((d) => row(d.day, d.booked, d.checked_in, b.desks)),
    tableLabel: t('rrTable', { f: b.building }),
  });
}

// A hidden group's total, in the page's language.
const hidden = (n) => t('rrHidden', { n });

function usageTable(report) {
  const heads = [t('rrMonth'), t('rrFeature'), t('rrMeasure'), t('rrPeople'), t('rrTotal')];
  const rows = report.usage.map((u) => h('tr', { 'data-testid': 'rr-usage-row', 'data-month': u.month, 'data-measure': u.measure },
    h('th', { scope: 'row' }, u.month), h('td', {}, t(`roF_${u.feature}`)), h('td', {}, t(`rrM_${u.measure}`)),
    h('td', {}, u.people ?? hidden(u.fewer_than)), h('td', {}, u.total ?? '–')));
  return stackedTable(t('rrUsage'), { 'data-testid': 'rr-usage' }, heads, rows);
}

function savingsTable(report) {
  const heads = [t('rrMonth'), t('rrPeopleCommute'), t('rrKm'), t('rrCo2')];
  const rows = report.savings.map((x) => h('tr', { 'data-testid': 'rr-savings-row' },
    h('th', { scope: 'row' }, x.month), h('td', {}, x.people ?? hidden(x.fewer_than)), h('td', {}, x.km ?? '–'), h('td', {}, x.co2_kg ?? '–')));
  return stackedTable(t('rrSavings'), { 'data-testid': 'rr-savings' }, heads, rows);
}

function sections(report) {
  const features = report.features.length
    ? report.features.map(featureChart)
    : [h('p', {}, t('rrNoHistory'))];
  const buildings = report.buildings.length
    ? report.buildings.map(buildingChart)
    : [h('p', {}, t('rrNoBuildings'))];
  return [
    h('h3', {}, t('rrFeaturesHeading')), ...features,
    h('h3', {}, t('rrOccupancyHeading')), ...buildings,
    h('h3', {}, t('rrUsage')), h('p', {}, t('rrUsageIntro', { n: report.min_group })), usageTable(report),
    h('p', { 'data-testid': 'rr-meetings' }, t('rrMeetings')),
    h('h3', {}, t('rrSavings')),
    h('p', { 'data-testid': 'rr-factor' }, t('rrSavingsIntro', { g: report.co2_grams_per_km, n: report.min_group }), ' ', userText(report.co2_source), '.'),
    savingsTable(report),
  ];
}

// The section: its form and what the server reports; loads itself.
export function reportSection() {
  const page = pageStillShown();
  const today = new Date();
  const start = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 55);
  const from = h('input', { id: 'rr-from', type: 'date', value: isoDay(start), required: true });
  const to = h('input', { id: 'rr-to', type: 'date', value: isoDay(today), required: true });
  const error = errorBox();
  const csv = h('a', { 'data-testid': 'rr-csv', download: '' }, t('rrCsv'));
  const result = h('div', { class: 'rr-result' });
  async function load(say) {
    error.textContent = '';
    const q = `from=${encodeURIComponent(from.value)}&to=${encodeURIComponent(to.value)}`;
    csv.href = `${PATH}.csv?${q}`;
    const r = await api('GET', `${PATH}?${q}`).catch(() => ({ ok: false, status: 0 }));
    if (!page()) return;
    if (!r.ok) { error.textContent = explain(r); result.replaceChildren(); return; }
    result.replaceChildren(...sections(r.data));
    if (say) announce(t('rrShown', { from: r.data.from, to: r.data.to }));
  }
  const form = h('form', { class: 'co-form', onsubmit: (e) => { e.preventDefault(); load(true); } },
    h('div', {}, h('label', { for: from.id }, t('rrFrom')), from),
    h('div', {}, h('label', { for: to.id }, t('rrTo')), to),
    h('p', { class: 'button-row' }, h('button', { type: 'submit', 'data-testid': 'rr-show' }, t('rrShow')), ' ', csv));
  load(false);
  return h('section', { class: 'mw-section rr-report', 'aria-labelledby': 'rr-h', 'data-testid': 'rr-report' },
    h('h2', { id: 'rr-h' }, t('rrHeading')), h('p', {}, t('rrIntro')), form, error, result);
}
