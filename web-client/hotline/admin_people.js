// The people of a hotline on its admin page: each queue's agents with their level (1 is
// offered first) and the supervisors. People are added by the directory search of the
// phone (dial_search.js: type a name, choose with the arrow keys) or by their login, and
// removed; each list is saved as a whole (PUT …/queues/{q}/agents, PUT …/supervisors).
import { api } from '../api.js';
import { h, announce, userText } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { dialField } from '../phone/dial_search.js';
import { settingsMessage } from './form_rows.js';

const LEVELS = [1, 2, 3, 4, 5, 6, 7, 8, 9];

// `p`: the id prefix; `entries`: [{ login, level?, logged_in? }]; `save(entries)` resolves
// to the API's answer; `what`: the list's name for the buttons.
function peopleEditor({ p, entries, withLevel, save, what, saved }) {
  const people = entries.filter((e) => e.login).map((e) => ({ login: e.login, name: null, level: e.level || 1, loggedIn: e.logged_in }));
  const list = h('ul', { class: 'hle-people', id: `${p}-list`, 'aria-label': what });
  const none = h('p', { class: 'hint', id: `${p}-none` }, t('hleNobody'));
  const error = h('p', { class: 'error', role: 'alert', id: `${p}-error` });
  const done = h('p', { class: 'ok', role: 'status', id: `${p}-done` });
  const search = dialField(`${p}-add`, t('hleAddPerson'), `${p}-add`, t('hleAddPersonHint'));

  function item(person, i) {
    const level = withLevel ? h('select', { id: `${p}-level-${i}`, 'aria-label': t('hleLevelOf', { n: person.name || person.login }),
      onchange: () => { person.level = Number(level.value); } }, ...LEVELS.map((l) => h('option', { value: String(l), selected: l === person.level }, t('hlLevelN', { n: l })))) : null;
    const remove = h('button', { type: 'button', class: 'secondary', 'data-key': `remove-${person.login}`, 'aria-label': t('hleRemovePerson', { n: person.name || person.login }),
      onclick: () => {
        people.splice(people.indexOf(person), 1);
        draw();
        (list.querySelectorAll('button')[Math.min(i, people.length - 1)] || search.input).focus();
        announce(t('hleRemovedPerson', { n: person.name || person.login }));
      } }, t('fdRemove'));
    return h('li', { 'data-login': person.login },
      h('span', { class: 'hle-person' }, person.name ? [userText(person.name), ' '] : null, h('span', { class: person.name ? 'hl-sub' : null }, userText(person.login)),
        person.loggedIn ? h('span', { class: 'hl-sub' }, t('hlLoggedIn')) : null),
      level, remove);
  }

  function draw() {
    list.replaceChildren(...people.map(item));
    none.hidden = people.length > 0;
  }

  function add() {
    const peer = search.peer();
    const login = peer ? peer.login : search.input.value.trim();
    if (!login) { search.input.focus(); return; }
    if (people.some((x) => x.login === login)) { error.textContent = t('hleAlreadyThere', { n: login }); search.input.focus(); return; }
    error.textContent = '';
    people.push({ login, name: peer ? peer.name : null, level: 1 });
    search.clear();
    draw();
    search.input.focus();
    announce(t('hleAddedPerson', { n: peer ? peer.name : login }));
  }
  search.input.addEventListener('keydown', (e) => {
    // Enter with the list closed adds (with it open, it takes the suggestion first).
    if (e.key === 'Enter' && !e.defaultPrevented && search.input.getAttribute('aria-expanded') !== 'true') { e.preventDefault(); add(); }
  });

  const saveButton = h('button', { type: 'button', id: `${p}-save`, onclick: async () => {
    error.textContent = '';
    done.textContent = '';
    const r = await save(people.map((x) => (withLevel ? { login: x.login, level: x.level } : x.login))).catch(() => ({ ok: false, status: 0 }));
    if (r.ok) { done.textContent = saved(people.length); return; }
    error.textContent = r.status === 400 && r.data ? settingsMessage(r.data) : explain(r);
    saveButton.focus();
  } }, t('hleSavePeople', { n: what }));
  draw();
  return h('div', { class: 'hle-people-box' }, none, list,
    h('div', { class: 'hle-add' }, search.element, h('button', { type: 'button', class: 'secondary', id: `${p}-add-button`, onclick: add }, t('hleAdd'))),
    error, h('p', { class: 'button-row' }, saveButton), done);
}

export function agentsSection(hotline, d) {
  const queues = d.queues || [];
  return h('div', {}, h('p', { class: 'hint' }, t('hleAgentsHint')), ...queues.map((q) => h('section', { class: 'hle-agents', 'data-queue': String(q.id), 'aria-labelledby': `hle-ag${q.id}-h` },
    h('h3', { id: `hle-ag${q.id}-h` }, userText(q.name)),
    peopleEditor({ p: `hle-ag${q.id}`, entries: q.agents || [], withLevel: true, what: t('hleAgentsOf', { n: q.name }),
      saved: (n) => t('hleAgentsSaved', { n, q: q.name }),
      save: (body) => api('PUT', `/api/v1/admin/hotlines/${hotline}/queues/${q.id}/agents`, body) }))));
}

export function supervisorsSection(hotline, d) {
  return peopleEditor({ p: 'hle-sv', entries: (d.supervisors || []).map((login) => ({ login })), withLevel: false, what: t('hlSupervisors'),
    saved: (n) => t('hleSupervisorsSaved', { n }),
    save: (body) => api('PUT', `/api/v1/admin/hotlines/${hotline}/supervisors`, body) });
}
