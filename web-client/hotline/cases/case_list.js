// A hotline's case list (#/hotline/{id}/cases) for its agents, supervisors and
// administrators: search words, state, a period of creation, "only mine", pages of 25,
// each case to open, and the same selection as a CSV file for Excel. The filters are
// kept while signed in, so coming back from a case finds the list as it was.
import { h, show, errorBox, announce, pageStillShown, userText, scrollable } from '../../dom.js';
import { t, tParts } from '../../i18n.js';
import { explain } from '../../sign_in.js';
import { formatNumber } from '../../phone/format.js';
import { myLogin } from '../../realtime.js';
import { myHotlines } from '../access.js';
import { caseForm, cases, csvHref } from './case_api.js';
import { stateBadge, summary, CASE_STATES } from './case_parts.js';
import { casePath } from './call_cases.js';
import { moment } from './when.js';

const PAGE = 25;
const kept = new Map(); // hotline → filter

function filterOf(c, offset) {
  return { q: c.q.value.trim(), state: c.state.value, from: c.from.value, until: c.until.value,
    assignee: c.mine.checked ? myLogin() : '', limit: PAGE, offset };
}

function table(hotline, form, list) {
  if (!list.cases.length) return h('p', { id: 'case-list-none' }, t('caseListNone'));
  const heads = ['caseNumberCol', 'caseState', 'caseCallerCol', 'caseAssignee', 'caseCreatedCol', 'caseChangedCol', 'caseSummaryCol'];
  return scrollable(t('caseListTable'), h('table', { class: 'hl-table case-table', id: 'case-table' },
    h('caption', { class: 'visually-hidden' }, t('caseListTable')),
    h('thead', {}, h('tr', {}, ...heads.map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, ...list.cases.map((c) => h('tr', { 'data-case': String(c.id) },
      h('th', { scope: 'row' }, h('a', { href: casePath(hotline, c.id, null), 'aria-label': t('caseOpenN', { n: c.id }) }, String(c.id))),
      h('td', {}, stateBadge(c.state)),
      h('td', { class: 'hl-nowrap' }, c.caller_number ? formatNumber(c.caller_number) : '–'),
      h('td', {}, c.assignee ? userText(c.assignee.name) : '–'),
      h('td', { class: 'hl-nowrap' }, moment(c.created_at)),
      h('td', { class: 'hl-nowrap' }, moment(c.updated_at)),
      h('td', {}, userText(summary(form, c))))))));
}

export async function showCaseList(hotline) {
  const stillShown = pageStillShown();
  const before = kept.get(hotline) || { q: '', state: '', from: '', until: '', mine: false, offset: 0 };
  const c = {
    q: h('input', { id: 'case-q', type: 'search', value: before.q, autocomplete: 'off', 'data-testid': 'case-search', 'aria-describedby': 'case-q-hint' }),
    state: h('select', { id: 'case-filter-state' }, h('option', { value: '' }, t('caseAllStates')),
      ...CASE_STATES.map((s) => h('option', { value: s, selected: s === before.state }, t(`caseState_${s}`)))),
    from: h('input', { id: 'case-from', type: 'date', value: before.from }),
    until: h('input', { id: 'case-until', type: 'date', value: before.until }),
    mine: h('input', { id: 'case-mine', type: 'checkbox', checked: before.mine }),
  };
  const error = errorBox();
  error.id = 'case-list-error';
  const result = h('div', { id: 'case-list-result' });
  const count = h('p', { id: 'case-count', role: 'status' });
  const pager = h('nav', { class: 'case-pager', 'aria-label': t('casePages') });
  const csv = h('a', { id: 'case-csv', 'data-testid': 'case-csv', download: '', href: '#' }, h('span', { 'aria-hidden': 'true' }, '⤓ '), t('caseCsv'));
  let offset = before.offset;
  let form = { fields: [] };

  async function load(asked, focusAfter = null) {
    error.textContent = '';
    for (const input of [c.from, c.until]) input.removeAttribute('aria-invalid');
    if (c.from.value && c.until.value && c.from.value > c.until.value) {
      error.textContent = t('hlBadPeriod');
      c.from.setAttribute('aria-invalid', 'true');
      c.from.focus();
      return;
    }
    const filter = filterOf(c, offset);
    kept.set(hotline, { q: filter.q, state: filter.state, from: filter.from, until: filter.until, mine: c.mine.checked, offset });
    const r = await cases(hotline, filter);
    if (!stillShown()) return;
    if (!r.ok) {
      error.textContent = explain(r);
      if (r.status === 400 && (r.data?.field === 'from' || r.data?.field === 'until')) c[r.data.field].setAttribute('aria-invalid', 'true');
      return;
    }
    csv.href = csvHref(hotline, filter);
    result.replaceChildren(table(hotline, form, r.data));
    const { total } = r.data;
    const last = Math.min(total, offset + r.data.cases.length);
    count.textContent = total ? t('caseShown', { a: offset + 1, b: last, n: total }) : '';
    drawPager(total);
    if (asked) announce(total ? t(total === 1 ? 'caseFoundOne' : 'caseFound', { n: total }) : t('caseListNone'));
    if (focusAfter) (pager.querySelector(`[data-go="${focusAfter}"]:not([disabled])`) || pager.querySelector('button:not([disabled])') || result).focus();
  }

  function drawPager(total) {
    const go = (to, which) => { offset = to; load(false, which); };
    const prev = h('button', { type: 'button', class: 'secondary', 'data-go': 'prev', disabled: offset === 0,
      onclick: () => go(Math.max(0, offset - PAGE), 'prev') }, t('casePrev'));
    const next = h('button', { type: 'button', class: 'secondary', 'data-go': 'next', disabled: offset + PAGE >= total,
      onclick: () => go(offset + PAGE, 'next') }, t('caseNext'));
    pager.replaceChildren(...(total > PAGE ? [prev, ' ', next] : []));
  }

  const filters = h('form', { class: 'inline case-filters', id: 'case-filters', novalidate: true, role: 'search', 'aria-label': t('caseFilters'),
    onsubmit: (e) => { e.preventDefault(); offset = 0; load(true); } },
  h('div', { class: 'grow' }, h('label', { for: c.q.id }, t('caseSearch')), c.q, h('p', { class: 'hint', id: 'case-q-hint' }, t('caseSearchHint'))),
  h('div', {}, h('label', { for: c.state.id }, t('caseState')), c.state),
  h('div', {}, h('label', { for: c.from.id }, t('caseCreatedFrom')), c.from),
  h('div', {}, h('label', { for: c.until.id }, t('caseCreatedUntil')), c.until),
  h('div', { class: 'case-mine' }, c.mine, ' ', h('label', { for: c.mine.id }, t('caseOnlyMine'))),
  h('button', { type: 'submit', id: 'case-filter-go' }, t('filter')));

  const formRes = await caseForm(hotline);
  if (!stillShown()) return;
  if (formRes.ok) form = formRes.data;
  const known = myHotlines().find((hl) => hl.id === hotline);
  show(known ? tParts('caseListTitleOf', { h: userText(known.name) }) : t('caseListTitle'),
    h('p', { class: 'hl-bar' }, h('a', { href: casePath(hotline, null, null), class: 'case-new-link' }, h('span', { 'aria-hidden': 'true' }, '+ '), t('caseNew')),
      h('a', { href: '#/hotline' }, t('hlBackToHotline'))),
    filters, error, h('p', { class: 'hl-bar' }, csv, h('span', { class: 'hint' }, t('hlCsvHint'))),
    h('section', { 'data-testid': 'case-list', 'aria-labelledby': 'case-list-h', class: 'case-list' },
      h('h2', { id: 'case-list-h' }, t('caseListTable')), count, result, pager));
  if (!formRes.ok) { error.textContent = explain(formRes); return; }
  await load(false);
}
