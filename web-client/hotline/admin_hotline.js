// One hotline for administrators (#/admin/hotlines/{id}): its settings, opening hours and
// closures, whether supervisors may listen in, queues (each editable, one to add), each
// queue's agents, the supervisors, the announcements, and the case form with its
// appointment slots. A list of contents at the top leads to each section. After a save
// only the section concerned is drawn again from the hotline as loaded anew (others keep
// what is being typed there), with its message.
import { api } from '../api.js';
import { h, show, errorBox, pageStillShown, userText } from '../dom.js';
import { t, tParts } from '../i18n.js';
import { explain } from '../sign_in.js';
import { loadHotlines } from './access.js';
import { settingsForm, hoursForm, listeningForm } from './admin_settings.js';
import { closuresEditor } from './admin_closures.js';
import { queueForm } from './admin_queue.js';
import { agentsSection, supervisorsSection } from './admin_people.js';
import { announcementsSection } from './announce/announcements.js';
import { formDesigner } from './cases/form_designer.js';
import { slotsSection } from './cases/slots_admin.js';

function fetchDetail(id) {
  return api('GET', `/api/v1/admin/hotlines/${id}`).catch(() => ({ ok: false, status: 0 }));
}

export async function showAdminHotline(id) {
  const stillShown = pageStillShown();
  const first = await fetchDetail(id);
  if (!stillShown()) return;
  const back = h('p', { class: 'hl-bar' }, h('a', { href: '#/admin/hotlines' }, t('hleBack')));
  if (!first.ok) {
    const error = errorBox();
    show(t('hleTitlePlain'), back, error);
    error.textContent = explain(first);
    return;
  }
  let detail = first.data;

  const queuesPart = (d) => [h('p', { class: 'hint' }, t('hleQueuesHint')), ...(d.queues || []).map((q) => queueForm(id, q, d.queues, ctx)),
    h('details', { class: 'hle-new-queue', id: 'hle-new-queue' }, h('summary', {}, t('hleNewQueue')), queueForm(id, null, d.queues || [], ctx))];
  // Each section: its title, what draws its body from the hotline, and which others a
  // change there touches (a new or removed queue: the agents' lists too).
  const sections = {
    settings: { title: 'hleSettings', build: (d) => settingsForm(id, d, ctx) },
    hours: { title: 'hleHoursClosures', build: (d) => [hoursForm(id, d, ctx), closuresEditor(id, d, ctx)] },
    listening: { title: 'hleListening', build: (d) => listeningForm(id, d, ctx) },
    queues: { title: 'hlQueues', build: queuesPart, also: ['agents'] },
    agents: { title: 'hleAgentsTitle', build: (d) => agentsSection(id, d) },
    supervisors: { title: 'hlSupervisors', build: (d) => supervisorsSection(id, d) },
    announcements: { title: 'hleAnnouncements', build: (d) => announcementsSection(id, d, (m, focusId) => ctx.refresh('announcements', m, focusId)) },
    cases: { title: 'hleCases', build: () => [formDesigner(id), slotsSection(id)], once: true },
  };
  const boxes = {};
  const ctx = {
    detail: () => detail,
    // Loads the hotline again and draws `key`'s section (and those it touches) anew;
    // `message` goes under the section's heading, the focus to `focusId` if given.
    async refresh(key, message, focusId = null) {
      const r = await fetchDetail(id);
      if (!stillShown()) return;
      if (r.ok) detail = r.data;
      const own = key === 'queue' ? 'queues' : key;
      const redraw = key === 'queue' ? [] : [own, ...(sections[own].also || [])];
      for (const k of redraw) boxes[k].body.replaceChildren(...[sections[k].build(detail)].flat());
      boxes[own].status.textContent = '';
      setTimeout(() => { boxes[own].status.textContent = message; }, 50);
      if (key === 'settings') { loadHotlines(); drawTitle(); }
      const target = focusId ? document.getElementById(focusId) : null;
      if (target) target.focus(); else if (redraw.length && !boxes[own].element.contains(document.activeElement)) boxes[own].heading.focus();
    },
  };

  const parts = Object.entries(sections).map(([key, s]) => {
    const heading = h('h2', { id: `hle-${key}-h`, tabindex: '-1' }, t(s.title));
    const status = h('p', { class: 'ok hle-status', role: 'status', id: `hle-${key}-status` });
    const body = h('div', { class: 'hle-body' }, ...[s.build(detail)].flat());
    const element = h('section', { class: `hle-section hle-${key}`, id: `hle-sec-${key}`, 'aria-labelledby': heading.id }, heading, status, body);
    boxes[key] = { heading, status, body, element };
    return element;
  });
  const contents = h('nav', { class: 'hle-contents', 'aria-labelledby': 'hle-contents-h' }, h('h2', { id: 'hle-contents-h' }, t('hleContents')),
    h('ul', {}, ...Object.entries(sections).map(([key, s]) => h('li', {}, h('a', { href: `#hle-${key}-h`, onclick: (e) => {
      // The address holds the route: the link moves the focus instead.
      e.preventDefault();
      boxes[key].heading.focus();
      boxes[key].heading.scrollIntoView({ block: 'start' });
    } }, t(s.title))))));
  const links = h('p', { class: 'hl-bar' }, h('a', { href: '#/admin/hotlines' }, t('hleBack')),
    h('a', { href: `#/hotline/${id}/board` }, t('hlBoardLink')), h('a', { href: `#/hotline/${id}/cases` }, t('caseListLink')));
  function drawTitle() {
    const heading = document.querySelector('#main h1');
    if (!heading) return;
    heading.replaceChildren(...tParts('hleTitle', { n: userText(detail.name) }));
    document.title = `${heading.textContent} – Durchwahl`;
  }
  show(tParts('hleTitle', { n: userText(detail.name) }), links, contents, ...parts);
}
