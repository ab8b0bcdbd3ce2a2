// The portal "Meine Anwendungen" (#/apps): the internal applications the signed-in
// person may see, as tiles (title, description). An available one is a link: a proxied
// web application opens /apps/NAME/ in a new tab, a link application its address (a
// remote desktop's rdp:// or ica:// address in the same tab, which hands it to the
// program). One the person qualifies for but not now (no second factor, outside the
// office network, outside its hours) is shown without a link, with the reason in words.
import { api } from '../api.js';
import { h, show, announce, pageStillShown, userText } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';

const fail = () => ({ ok: false, status: 0 });

// The list of an answer: an array, or `{ apps: [...] }`.
export function appsOf(data) {
  if (Array.isArray(data)) return data;
  return Array.isArray(data?.apps) ? data.apps : [];
}

export function reasonText(reason) {
  const key = `gwReason_${reason}`;
  const text = t(key);
  return text === key ? t('gwUnavailable') : text;
}

// Where a tile goes; web addresses in a new tab.
function target(app) {
  const url = app.url || (app.kind === 'link' ? app.link : `/apps/${app.name}/`);
  const newTab = app.kind !== 'link' || /^https?:\/\//i.test(url);
  return { url, newTab };
}

function tile(app) {
  const titleId = `apps-title-${app.name}`;
  const description = app.description ? h('p', { class: 'gw-desc' }, userText(app.description)) : null;
  if (app.available === false) {
    const reason = h('p', { class: 'gw-reason' }, h('span', { class: 'gw-badge' }, t('gwUnavailable')),
      h('span', { class: 'visually-hidden' }, ': '), h('span', { 'data-testid': `apps-reason-${app.name}` }, reasonText(app.reason)));
    return h('li', { class: 'gw-tile gw-off', 'data-testid': `apps-tile-${app.name}`, 'data-available': 'false' },
      h('h2', { id: titleId, class: 'gw-tile-title' }, userText(app.title)), description, reason);
  }
  const { url, newTab } = target(app);
  const link = h('a', { href: url, class: 'gw-link', target: newTab ? '_blank' : null, rel: newTab ? 'noopener' : null },
    userText(app.title), newTab ? h('span', { class: 'visually-hidden' }, ` ${t('gwNewTab')}`) : null);
  return h('li', { class: 'gw-tile', 'data-testid': `apps-tile-${app.name}`, 'data-available': 'true' },
    h('h2', { id: titleId, class: 'gw-tile-title' }, link), description,
    h('p', { class: 'gw-kind' }, t(`gwKind_${app.kind === 'link' ? 'link' : 'proxy'}`)));
}

function countText(n) {
  if (n === 0) return t('gwCountNone');
  return n === 1 ? t('gwCountOne') : t('gwCount', { c: n });
}

export async function showApps() {
  const page = pageStillShown();
  const res = await api('GET', '/api/v1/apps').catch(fail);
  if (!page()) return;
  if (!res.ok) { show(t('gwTitle'), h('p', { class: 'error', role: 'alert' }, explain(res))); return; }
  const apps = appsOf(res.data);
  if (!apps.length) {
    show(t('gwTitle'), h('p', { class: 'gw-empty', 'data-testid': 'apps-empty' }, t('gwEmpty')));
  } else {
    show(t('gwTitle'), h('p', { class: 'hint' }, t('gwIntro')),
      h('ul', { class: 'gw-tiles', 'aria-label': t('gwListLabel'), 'data-testid': 'apps-tiles' }, ...apps.map(tile)));
  }
  announce(countText(apps.length));
}
