// Admin: accounts locked after failed sign-ins, with unlock.
import { api } from './api.js';
import { h, show, announce, formatTime } from './dom.js';
import { t } from './i18n.js';

export async function showLocked() {
  const r = await api('GET', '/api/v1/admin/locked');
  const list = r.ok ? r.data.locked : [];
  if (!list.length) { show(t('locked'), h('p', {}, t('noneLocked'))); return; }
  const rows = list.map((l) => h('tr', {}, h('td', {}, l.login), h('td', {}, l.failures), h('td', {}, formatTime(l.locked_until)),
    h('td', {}, h('button', { type: 'button', onclick: async () => {
      await api('POST', `/api/v1/admin/staff/${encodeURIComponent(l.login)}/unlock`);
      announce(t('unlocked'));
      showLocked();
    } }, `${t('unlock')}: ${l.login}`))));
  show(t('locked'), h('table', {}, h('thead', {}, h('tr', {}, ...[t('login'), t('failures'), t('lockedUntil'), ''].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows)));
}
