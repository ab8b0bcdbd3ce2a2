// The staff council's report (#/council, administrators), from GET
// /api/v1/mobile-work/council-report: per unit the totals of mobile work over a span of
// months, small numbers hidden by the server; a table that becomes cards at phone width,
// and the same as CSV.
import { api } from '../api.js';
import { h, show, announce, pageStillShown, stackedTable, userText, errorBox } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';

const PATH = '/api/v1/mobile-work/council-report';

function month(d) { return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`; }

// A count as shown: the number, or "fewer than" in the page's language.
function count(c) { return c.value ?? t('coFewer', { n: c.fewer_than }); }

function table(report) {
  if (!report.units.length) return h('p', { 'data-testid': 'co-none' }, t('coNone'));
  const heads = [t('coUnit'), t('coApplications'), t('coApprovals'), t('coRejections'), t('coRevocations'), t('coDays')];
  const rows = report.units.map((u) => h('tr', { 'data-testid': 'co-row' },
    h('th', { scope: 'row' }, userText(u.unit)), h('td', {}, String(count(u.applications))), h('td', {}, String(count(u.approvals))),
    h('td', {}, h('ul', { class: 'co-rejections' }, ...u.rejections.map((r) => h('li', {}, `${t(`mwCat_${r.category}`)}: ${count(r.count)}`)))),
    h('td', {}, String(count(u.revocations))),
    h('td', {}, u.days_used ?? t('coHidden', { n: report.min_group }))));
  return stackedTable(t('coTitle'), { 'data-testid': 'co-table' }, heads, rows);
}

export async function showCouncil() {
  const page = pageStillShown();
  const now = new Date();
  const from = h('input', { id: 'co-from', type: 'month', value: `${now.getFullYear()}-01`, required: true });
  const to = h('input', { id: 'co-to', type: 'month', value: month(now), required: true });
  const error = errorBox();
  const csv = h('a', { 'data-testid': 'co-csv', download: '' }, t('coCsv'));
  const result = h('div', { 'aria-live': 'polite' });
  async function load(say) {
    error.textContent = '';
    const q = `from=${encodeURIComponent(from.value)}&to=${encodeURIComponent(to.value)}`;
    csv.href = `${PATH}?${q}&format=csv`;
    const r = await api('GET', `${PATH}?${q}`).catch(() => ({ ok: false, status: 0 }));
    if (!page()) return;
    if (!r.ok) { error.textContent = explain(r); result.replaceChildren(); return; }
    result.replaceChildren(table(r.data));
    if (say) announce(t('coShown', { n: r.data.units.length }));
  }
  const form = h('form', { class: 'co-form', onsubmit: (e) => { e.preventDefault(); load(true); } },
    h('div', {}, h('label', { for: from.id }, t('coFrom')), from),
    h('div', {}, h('label', { for: to.id }, t('coTo')), to),
    h('p', { class: 'button-row' }, h('button', { type: 'submit' }, t('coShow')), ' ', csv));
  show(t('coTitle'), h('section', { class: 'mw-section' }, h('p', {}, t('coIntro', { n: 3 })), form, error), result);
  await load(false);
}
