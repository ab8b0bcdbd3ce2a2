// Admin: the hotlines (#/admin/hotlines): the list with numbers, queues and how many
// agents and supervisors each has, links to each one's page (admin_hotline.js), wallboard
// and report, and the form that sets up a new one (admin_hotline_form.js).
import { api } from '../api.js';
import { h, show, errorBox, announce, pageStillShown, userText, scrollable } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { formatNumber } from '../phone/format.js';
import { hotlineForm, STRATEGIES } from './admin_hotline_form.js';
import { loadHotlines } from './access.js';

function strategyWord(s) { return STRATEGIES.includes(s) ? t(`hlStrategy_${s}`) : String(s); }

function hotlineRow(hl) {
  const queues = hl.queues || [];
  const agents = queues.reduce((n, q) => n + (q.agents || 0), 0);
  return h('tr', { 'data-hotline': String(hl.id) },
    h('th', { scope: 'row' }, userText(hl.name)),
    h('td', { class: 'num' }, hl.extension),
    h('td', { class: 'hl-nowrap' }, hl.did ? formatNumber(hl.did) : '–'),
    h('td', {}, queues.length ? h('ul', { class: 'hl-plain' }, ...queues.map((q) => h('li', {}, userText(q.name),
      h('span', { class: 'hl-sub' }, strategyWord(q.strategy))))) : '–'),
    h('td', { class: 'num' }, String(agents)),
    h('td', { class: 'num' }, String(hl.supervisors ?? 0)),
    h('td', {}, h('a', { href: `#/admin/hotlines/${hl.id}`, 'aria-label': t('hleEditOf', { n: hl.name }) }, t('hleEdit')), ' · ',
      h('a', { href: `#/hotline/${hl.id}/board`, 'aria-label': t('hlBoardOf', { n: hl.name }) }, t('hlBoardLink')), ' · ',
      h('a', { href: `#/hotline/${hl.id}/report`, 'aria-label': t('hlReportOf', { n: hl.name }) }, t('hlReportLink'))));
}

function listTable(list) {
  if (!list.length) return h('p', { id: 'hl-admin-none' }, t('hlAdminNone'));
  const heads = ['name', 'hlExtension', 'hlDidShort', 'hlQueues', 'hlAgents', 'hlSupervisors', 'hlLinks'];
  return scrollable(t('hlAdminList'), h('table', { class: 'hl-table', id: 'hl-admin-table' },
    h('caption', { class: 'visually-hidden' }, t('hlAdminList')),
    h('thead', {}, h('tr', {}, ...heads.map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, ...list.map(hotlineRow))));
}

export async function showAdminHotlines() {
  const stillShown = pageStillShown();
  const error = errorBox();
  const box = h('div', { id: 'hl-admin-list' });

  async function loadList() {
    const r = await api('GET', '/api/v1/admin/hotlines').catch(() => ({ ok: false, status: 0 }));
    if (!stillShown()) return;
    if (!r.ok) { error.textContent = explain(r); return; }
    error.textContent = '';
    box.replaceChildren(listTable(r.data || []));
  }

  await loadList();
  if (!stillShown()) return;
  const form = hotlineForm(async (_answer, name) => {
    announce(t('hlCreatedShort', { n: name }));
    await loadList();
    // The navigation shows "Hotline" from the first one on.
    loadHotlines();
  });
  show(t('hlAdminTitle'), h('p', {}, t('hlAdminIntro')),
    h('h2', { id: 'hl-admin-list-h' }, t('hlAdminList')), error, box,
    h('h2', { id: 'hl-admin-new-h' }, t('hlNewHotline')), form);
}
