// Admin: the audit log with filters and CSV export.
import { api } from './api.js';
import { h, show, errorBox, formatTime, userText, scrollable } from './dom.js';
import { t } from './i18n.js';
import { explain } from './sign_in.js';

export async function showAudit() {
  const error = errorBox();
  const result = h('div', {});
  const input = (id, label, type = 'text') => {
    const el = h('input', { id, type });
    return [h('div', {}, h('label', { for: id }, label), el), el];
  };
  const [personRow, person] = input('audit-person', t('personFilter'));
  const [actionRow, action] = input('audit-action', t('actionFilter'));
  const [sinceRow, since] = input('audit-since', t('since'), 'date');
  const [untilRow, until] = input('audit-until', t('until'), 'date');
  const csv = h('a', { href: '/api/v1/admin/audit.csv', download: 'audit.csv' }, t('exportCsv'));

  function query() {
    const q = new URLSearchParams();
    if (person.value) q.set('person', person.value.trim().toLowerCase());
    if (action.value) q.set('action', action.value.trim());
    if (since.value) q.set('since', String(Date.parse(since.value) / 1000));
    if (until.value) q.set('until', String(Date.parse(until.value) / 1000 + 86400));
    return q;
  }

  async function load() {
    const q = query();
    csv.href = `/api/v1/admin/audit.csv?${q}`;
    const r = await api('GET', `/api/v1/admin/audit?${q}`);
    if (!r.ok) { error.textContent = explain(r); return; }
    const rows = r.data.entries.map((e) => h('tr', {}, h('td', {}, formatTime(e.at)), h('td', {}, e.actor || '–'),
      h('td', {}, e.action), h('td', {}, e.target ? userText(e.target) : '–'), h('td', {}, e.source || '–'), h('td', {}, userText(e.detail))));
    result.replaceChildren(h('p', { role: 'status' }, t('entries', { n: r.data.entries.length })),
      scrollable(t('audit'), h('table', { id: 'audit-table' }, h('thead', {}, h('tr', {}, ...[t('time'), t('actor'), t('action'), t('target'), t('source'), t('detail')].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, ...rows))));
  }

  const form = h('form', { class: 'inline', role: 'search', onsubmit: (e) => { e.preventDefault(); load(); } },
    personRow, actionRow, sinceRow, untilRow, h('button', { type: 'submit' }, t('filter')));
  show(t('audit'), form, h('p', {}, csv), error, result);
  await load();
}
