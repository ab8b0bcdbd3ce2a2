// A hotline's report for a period (#/hotline/{id}/report): from and to days (the last 7
// days at first), the figures per queue and together in one table (a row per figure, a
// column per queue: narrow enough for a phone), and the same as a CSV file for Excel.
import { api } from '../api.js';
import { h, show, errorBox, announce, pageStillShown, userText, scrollable } from '../dom.js';
import { t, tParts, lang } from '../i18n.js';
import { explain } from '../sign_in.js';
import { percent, waitText, count } from './format.js';

// Each row: the figure's key, its label, how it reads.
const ROWS = [
  ['offered', 'hlOffered', count], ['answered', 'hlAnswered', count], ['answered_in_threshold', 'hlAnsweredInThreshold', count],
  ['service_level', 'hlServiceLevel', percent], ['sl2', 'hlSl2', percent], ['asa_secs', 'hlAsa', waitText],
  ['abandoned', 'hlAbandoned', count], ['short_abandons', 'hlShortAbandons', count], ['abandon_rate', 'hlAbandonRate', percent],
  ['overflowed', 'hlOverflowed', count], ['callbacks_requested', 'hlCallbacksRequested', count],
  ['callbacks_done', 'hlCallbacksDone', count], ['handled', 'hlHandled', count], ['longest_wait_secs', 'hlLongestWait', waitText],
];

// A local day as YYYY-MM-DD, `back` days before today.
export function dayBefore(back, today = new Date()) {
  const d = new Date(today.getFullYear(), today.getMonth(), today.getDate() - back);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function csvHref(id, from, to) {
  return `/api/v1/hotlines/${id}/report?${new URLSearchParams({ from, to, format: 'csv' })}`;
}

// "2026-12-06" as the reader writes a day (06.12.2026 / 06/12/2026).
function dayText(iso) {
  const [y, m, d] = String(iso).split('-').map(Number);
  const at = new Date(y, m - 1, d);
  return Number.isNaN(at.getTime()) ? String(iso) : at.toLocaleDateString(lang() === 'en' ? 'en-GB' : 'de-DE', { day: '2-digit', month: '2-digit', year: 'numeric' });
}

function table(report) {
  const columns = [...(report.queues || []).map((q) => [userText(q.name), q.figures]), [t('hlTotal'), report.total]];
  return scrollable(t('hlReportTable'), h('table', { class: 'hl-table', id: 'hl-report-table' },
    h('caption', {}, t('hlReportCaption', { f: dayText(report.from), t: dayText(report.to) })),
    h('thead', {}, h('tr', {}, h('td', {}), ...columns.map(([name]) => h('th', { scope: 'col', class: 'num' }, name)))),
    h('tbody', {}, ...ROWS.map(([key, label, read]) => h('tr', { 'data-figure': key }, h('th', { scope: 'row' }, t(label)),
      ...columns.map(([, f]) => h('td', { class: 'num' }, read(f[key]))))))));
}

export async function showReport(id) {
  const stillShown = pageStillShown();
  const error = errorBox();
  error.id = 'hl-report-error';
  const from = h('input', { type: 'date', id: 'hl-from', value: dayBefore(6), required: true });
  const to = h('input', { type: 'date', id: 'hl-to', value: dayBefore(0), required: true });
  const result = h('div', { id: 'hl-report-result' });
  const csv = h('a', { href: csvHref(id, from.value, to.value), id: 'hl-csv', download: '' }, h('span', { 'aria-hidden': 'true' }, '⤓ '), t('hlCsv'));

  function mark(bad) {
    for (const input of [from, to]) {
      if (bad) { input.setAttribute('aria-invalid', 'true'); input.setAttribute('aria-describedby', error.id); } else {
        input.removeAttribute('aria-invalid'); input.removeAttribute('aria-describedby');
      }
    }
  }

  async function load(asked) {
    error.textContent = '';
    mark(false);
    if (!from.value || !to.value || from.value > to.value) {
      error.textContent = t('hlBadPeriod');
      mark(true);
      from.focus();
      return null;
    }
    const query = new URLSearchParams({ from: from.value, to: to.value });
    const r = await api('GET', `/api/v1/hotlines/${id}/report?${query}`).catch(() => ({ ok: false, status: 0 }));
    if (!stillShown()) return null;
    if (!r.ok) {
      error.textContent = explain(r);
      if (r.status === 400) mark(true);
      return null;
    }
    csv.href = csvHref(id, from.value, to.value);
    result.replaceChildren(table(r.data));
    if (asked) announce(t('hlReportShown', { f: dayText(r.data.from), t: dayText(r.data.to) }));
    return r.data;
  }

  const form = h('form', { class: 'inline hl-report-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); load(true); } },
    h('div', {}, h('label', { for: from.id }, t('hlFromDay')), from),
    h('div', {}, h('label', { for: to.id }, t('hlToDay')), to),
    h('button', { type: 'submit' }, t('filter')));
  const first = await load(false);
  if (!stillShown()) return;
  const name = first && first.hotline ? userText(first.hotline.name) : null;
  show(name ? tParts('hlReportTitle', { n: name }) : t('hlReportTitlePlain'),
    h('p', { class: 'hl-bar' }, h('a', { href: `#/hotline/${id}/board` }, t('hlBoardLink'))),
    form, error, h('p', {}, csv, ' ', h('span', { class: 'hint' }, t('hlCsvHint'))), result);
}
