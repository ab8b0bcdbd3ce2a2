// Admin: team-panel groups (who sees whom besides their unit and favourites) and chat
// rooms that only admins manage.
import { api } from './api.js';
import { h, show, errorBox, announce, pageStillShown, userText } from './dom.js';
import { t } from './i18n.js';
import { explain } from './sign_in.js';

function logins(text) {
  return text.split(/[,;\s]+/).map((l) => l.trim()).filter(Boolean);
}

export async function showGroups() {
  const page = pageStillShown();
  const res = await api('GET', '/api/v1/admin/groups');
  if (!page()) return;
  const groups = res.ok ? res.data.groups : [];
  show(t('groupsTitle'), h('p', {}, t('groupsIntro')),
    ...groups.map(groupSection),
    groups.length ? null : h('p', {}, t('noGroups')),
    createForm('new-group', t('newGroup'), '/api/v1/admin/groups', t('groupCreated')),
    createForm('new-room', t('newManagedRoom'), '/api/v1/admin/rooms', t('roomCreated')));
}

function groupSection(g) {
  const error = errorBox();
  const headingId = `group-h-${g.id}`;
  const members = g.members.map((login) => h('li', {}, login, ' ',
    h('button', { type: 'button', class: 'link', 'aria-label': t('removeMemberOf', { l: login, g: g.name }), onclick: async () => {
      const r = await api('DELETE', `/api/v1/admin/groups/${g.id}/members/${encodeURIComponent(login)}`);
      if (!r.ok) { error.textContent = explain(r); return; }
      announce(t('saved'));
      showGroups();
    } }, t('remove'))));
  const inputId = `group-add-${g.id}`;
  const input = h('input', { id: inputId, required: true, autocomplete: 'off' });
  const form = h('form', { class: 'inline', onsubmit: async (e) => {
    e.preventDefault();
    const r = await api('PUT', `/api/v1/admin/groups/${g.id}/members/${encodeURIComponent(input.value.trim())}`);
    if (!r.ok) { error.textContent = explain(r); return; }
    announce(t('saved'));
    showGroups();
  } }, h('div', {}, h('label', { for: inputId }, t('addMember')), input), h('button', { type: 'submit' }, t('add')));
  return h('section', { 'aria-labelledby': headingId }, h('h2', { id: headingId }, userText(g.name)),
    h('ul', {}, ...members), form, error);
}

function createForm(id, title, path, done) {
  const error = errorBox();
  const name = h('input', { id: `${id}-name`, required: true, maxlength: 100 });
  const members = h('input', { id: `${id}-members`, autocomplete: 'off' });
  const form = h('form', { onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    const r = await api('POST', path, { name: name.value.trim(), members: logins(members.value) });
    if (!r.ok) { error.textContent = explain(r); return; }
    announce(done);
    showGroups();
  } },
  h('div', {}, h('label', { for: `${id}-name` }, t('name')), name),
  h('div', {}, h('label', { for: `${id}-members` }, t('roomMembers')), members),
  h('button', { type: 'submit' }, t('create')), error);
  return h('section', { 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), form);
}
