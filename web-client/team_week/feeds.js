// Calendar links (iCal) on the week page: create one for one's week or one's team (its
// address is shown once, in a read-only field to copy), list and revoke them.
import { api } from '../api.js';
import { h, announce, formatTime } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';

const fail = () => ({ ok: false, status: 0 });

export function feedsSection(page) {
  const list = h('ul', { 'data-testid': 'tw-feeds' });
  const created = h('div');
  const status = h('p', { role: 'status' });
  async function load() {
    const res = await api('GET', '/api/v1/team-week/feeds').catch(fail);
    if (!page()) return;
    if (!res.ok) { status.textContent = explain(res); return; }
    if (!res.data.feeds.length) { list.replaceChildren(h('li', {}, t('twNoFeeds'))); return; }
    list.replaceChildren(...res.data.feeds.map((f) => {
      const vars = { s: t(`twFeedScope_${f.scope}`), d: formatTime(f.created_ms / 1000) };
      return h('li', {}, t('twFeedLine', vars), ' ', h('button', { type: 'button', 'aria-label': t('twRevokeOf', vars), onclick: async () => {
        const r = await api('DELETE', `/api/v1/team-week/feeds/${f.id}`).catch(fail);
        if (!page()) return;
        status.textContent = r.ok ? t('twRevoked') : explain(r);
        load();
      } }, t('twRevoke')));
    }));
  }
  async function create(scope) {
    const res = await api('POST', '/api/v1/team-week/feeds', { scope }).catch(fail);
    if (!page()) return;
    if (!res.ok) { status.textContent = explain(res); return; }
    const url = new URL(res.data.url, location.origin).href;
    const input = h('input', { id: 'tw-feed-url', readonly: true, value: url, 'data-testid': 'tw-feed-url' });
    created.replaceChildren(h('label', { for: 'tw-feed-url' }, t('twFeedUrl')), input);
    input.focus();
    input.select();
    announce(t('twFeedUrl'));
    load();
  }
  load();
  return h('section', { 'aria-labelledby': 'tw-feeds-h' }, h('h2', { id: 'tw-feeds-h' }, t('twFeeds')), h('p', {}, t('twFeedsHint')),
    h('button', { type: 'button', onclick: () => create('person') }, t('twFeedPerson')), ' ',
    h('button', { type: 'button', onclick: () => create('unit') }, t('twFeedUnit')),
    created, status, list);
}
