// A hotline's case form and appointment slots (#/hotline/{id}/form): administrators
// design the form and add slots, supervisors add slots; agents are told who does.
import { api } from '../../api.js';
import { h, show, pageStillShown, userText } from '../../dom.js';
import { t, tParts } from '../../i18n.js';
import { loadHotlines } from '../access.js';
import { formDesigner } from './form_designer.js';
import { slotsSection } from './slots_admin.js';

export async function showFormPage(hotline) {
  const stillShown = pageStillShown();
  const [list, me] = await Promise.all([loadHotlines(), api('GET', '/api/v1/me').catch(() => ({ ok: false }))]);
  if (!stillShown()) return;
  const known = list.find((hl) => hl.id === hotline);
  // An administrator who supervises the hotline too is listed as its supervisor.
  const admin = me.ok && me.data && (me.data.roles || []).includes('admin');
  const title = known ? tParts('fdPageTitleOf', { h: userText(known.name) }) : t('fdPageTitle');
  const bar = h('p', { class: 'hl-bar' }, h('a', { href: `#/hotline/${hotline}/cases` }, t('caseToList')),
    admin ? h('a', { href: `#/admin/hotlines/${hotline}` }, t('hleDetailLink')) : null);
  if (!known || known.role === 'agent') {
    show(title, bar, h('p', { id: 'fd-not-allowed', role: 'alert', class: 'error' }, t('fdNotAllowed')));
    return;
  }
  show(title, bar, ...(admin ? [formDesigner(hotline)] : []), slotsSection(hotline));
}
