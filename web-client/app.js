// The single-page web client: who is signed in, navigation, and hash routes.
import { api, setCsrf } from './api.js';
import { h, leavePage } from './dom.js';
import { t, lang, setLang } from './i18n.js';
import { showSignIn } from './sign_in.js';
import { ssoSignOut } from './sign_in_sso.js';
import { showAccount } from './account.js';
import { showStaff } from './admin_staff.js';
import { showPerson } from './admin_person.js';
import { showLocked } from './admin_locked.js';
import { showAudit } from './admin_audit.js';
import { showRule } from './admin_rule.js';
import { showTrunks } from './admin_trunks.js';
import { showDirectory } from './admin_directory.js';
import { showMail } from './admin_mail.js';
import { startLive, stopLive, on } from './realtime.js';
import { startPopups, stopPopups } from './popups.js';
import { startChatState, stopChatState, onRoomsChanged, totalUnread } from './chat_state.js';
import { showTeam } from './team_panel.js';
import { showChat, openDirectChat } from './chat.js';
import { showGroups } from './admin_groups.js';
import { showPhones } from './phones.js';
import { renderPresenceSwitch } from './presence_switch.js';
import { startPhone, stopPhone } from './phone/phone.js';
import { mountDock, unmountDock } from './phone/dock.js';
import { showCallHistory } from './phone/history.js';
import { reconnectHeadset } from './phone/hid.js';
import { showHotline, showAdminHotlines, hotlinePage, hasHotlines, onHotlinesChanged, startHotline, stopHotline } from './hotline/routes.js';
import { showVoicemail, voicemailPage } from './voicemail/voicemail.js';
import { startUnheard, stopUnheard, onUnheardChanged, unheardVoicemails } from './voicemail/unheard.js';
import { showFax } from './fax/fax.js';
import { showAdminFax } from './fax/admin_fax.js';
import { showAdminVoicemail } from './voicemail/admin_voicemail.js';
import { showMobileWork } from './mobile_work/mobile_work.js';
import { showAdminMobileWork } from './mobile_work/admin_mobile_work.js';
import { showAdminRollout } from './rollout/admin_rollout.js';
import { showCouncil } from './rollout/council.js';
import { showDesks } from './desks/desks.js';
import { showTeamWeek } from './team_week/team_week.js';
import { checkInPage } from './desks/check_in.js';
import { showAdminDesks } from './desks/admin_desks.js';
import { showEquipment } from './equipment/equipment.js';
import { showAdminEquipment } from './equipment/admin_equipment.js';
import { showApps } from './gateway/apps.js';
import { showAdminApps } from './gateway/admin_apps.js';
import { showCapacity } from './capacity/capacity.js';

let me = null;
// A desk's QR link opened before signing in: its check-in page, shown once signed in
// (signing in goes to the team panel otherwise).
let checkInAfterSignIn = null;

const routes = [
  { path: '#/team', key: 'team', view: () => showTeam(me, openDirectChat) },
  { path: '#/chat', key: 'chat', view: () => showChat(me, null) },
  { path: '#/calls', key: 'calls', view: () => showCallHistory() },
  { path: '#/voicemail', key: 'vmNav', view: () => showVoicemail() },
  { path: '#/fax', key: 'faxNav', view: () => showFax() },
  { path: '#/hotline', key: 'hlNav', hotline: true, view: () => showHotline() },
  { path: '#/mobile-work', key: 'mwNav', view: () => showMobileWork() },
  { path: '#/desks', key: 'dkNav', view: () => showDesks() },
  { path: '#/week', key: 'twNav', view: () => showTeamWeek() },
  { path: '#/equipment', key: 'eqNav', view: () => showEquipment() },
  { path: '#/apps', key: 'gwNav', view: () => showApps() },
  { path: '#/account', key: 'account', view: () => showAccount(me, start) },
  { path: '#/phones', key: 'phones', view: () => showPhones() },
  { path: '#/admin/staff', key: 'staff', admin: true, view: () => showStaff() },
  { path: '#/admin/locked', key: 'locked', admin: true, view: () => showLocked() },
  { path: '#/admin/audit', key: 'audit', admin: true, view: () => showAudit() },
  { path: '#/admin/second-factor', key: 'rule', admin: true, view: () => showRule() },
  { path: '#/admin/groups', key: 'groups', admin: true, view: () => showGroups() },
  { path: '#/admin/trunks', key: 'trunks', admin: true, view: () => showTrunks() },
  { path: '#/admin/directory', key: 'directory', admin: true, view: () => showDirectory() },
  { path: '#/admin/mail', key: 'mailPage', admin: true, view: () => showMail() },
  { path: '#/admin/fax', key: 'faxAdminNav', admin: true, view: () => showAdminFax() },
  { path: '#/admin/voicemail', key: 'vmAdminNav', admin: true, view: () => showAdminVoicemail() },
  { path: '#/admin/hotlines', key: 'hlAdminNav', admin: true, view: () => showAdminHotlines() },
  { path: '#/admin/mobile-work', key: 'mwAdminNav', admin: true, view: () => showAdminMobileWork() },
  { path: '#/admin/rollout', key: 'roNav', admin: true, view: () => showAdminRollout() },
  { path: '#/council', key: 'coNav', council: true, view: () => showCouncil() },
  { path: '#/admin/desks', key: 'dkAdminNav', admin: true, view: () => showAdminDesks() },
  { path: '#/admin/equipment', key: 'eqAdminNav', admin: true, view: () => showAdminEquipment() },
  { path: '#/admin/apps', key: 'gwAdminNav', admin: true, view: () => showAdminApps() },
  { path: '#/admin/capacity', key: 'capNav', admin: true, view: () => showCapacity() },
];

function isAdmin() { return me && me.roles.includes('admin'); }
// The staff council's report: for its members and the administrators.
function isCouncil() { return me && (me.roles.includes('council') || isAdmin()); }
// Whether `r` is a page for the signed-in person.
const mayOpen = (r) => (!r.admin || isAdmin()) && (!r.council || isCouncil());

function renderChrome() {
  document.getElementById('skip').textContent = t('skip');
  document.getElementById('lang-label').textContent = t('language');
  const toPhone = document.getElementById('skip-phone');
  toPhone.textContent = t('skipPhone');
  toPhone.hidden = !me;
  const nav = document.getElementById('nav');
  nav.setAttribute('aria-label', t('nav'));
  renderPresenceSwitch(document.getElementById('my-presence'), me);
  document.body.classList.toggle('signed-in', Boolean(me));
  if (!me) { nav.replaceChildren(); return; }
  const items = routes.filter((r) => mayOpen(r) && (!r.hotline || hasHotlines())).map((r) =>
    h('li', {}, h('a', { href: r.path, 'aria-current': location.hash.startsWith(r.path) ? 'page' : false }, t(r.key),
      r.key === 'chat' ? h('span', { id: 'chat-badge' }) : null,
      r.key === 'vmNav' ? h('span', { id: 'vm-badge' }) : null)));
  const logout = h('button', { class: 'link', type: 'button', onclick: signOut }, t('logout'));
  nav.replaceChildren(h('ul', {}, ...items, h('li', {}, logout)));
  showUnread();
  showUnheard();
}

// The number of unread chat messages next to "Chat" in the navigation.
function showUnread() {
  const badge = document.getElementById('chat-badge');
  if (!badge) return;
  const n = totalUnread();
  badge.replaceChildren(...(n ? [h('span', { class: 'badge', 'aria-hidden': 'true' }, String(n)),
    h('span', { class: 'visually-hidden' }, `, ${t('unreadNav', { n })}`)] : []));
}

// The number of unheard voicemail messages (the own box's, those of the hotlines one
// supervises and of one's units) next to "Sprachnachrichten": the link's name says it
// too ("…, 2 neu").
function showUnheard() {
  const badge = document.getElementById('vm-badge');
  if (!badge) return;
  const n = unheardVoicemails();
  badge.replaceChildren(...(n ? [h('span', { class: 'badge', 'aria-hidden': 'true', 'data-testid': 'vm-unheard-count' }, String(n)),
    h('span', { class: 'visually-hidden' }, `, ${t('vmUnheardNav', { n })}`)] : []));
}

async function signOut() {
  await api('POST', '/api/v1/auth/logout');
  goOffline();
  me = null;
  setCsrf(null);
  location.hash = '';
  if (ssoSignOut()) return;
  start();
}

function route() {
  leavePage();
  renderChrome();
  if (!me) {
    if (checkInPage(location.hash)) checkInAfterSignIn = location.hash;
    return showSignIn(start);
  }
  const roomMatch = location.hash.match(/^#\/chat\/(\d+)$/);
  if (roomMatch) return showChat(me, Number(roomMatch[1]));
  const personMatch = location.hash.match(/^#\/admin\/person\/(.+)$/);
  if (personMatch && isAdmin()) return showPerson(decodeURIComponent(personMatch[1]));
  const hotline = hotlinePage(location.hash);
  if (hotline) return hotline();
  const voicemailBox = voicemailPage(location.hash);
  if (voicemailBox) return voicemailBox();
  const checkIn = checkInPage(location.hash);
  if (checkIn) return checkIn();
  const found = routes.find((r) => location.hash === r.path && mayOpen(r));
  if (found) return found.view();
  location.hash = '#/team';
}

function goLive() {
  startLive(me);
  startPopups(openDirectChat);
  startChatState();
  startPhone();
  mountDock();
  reconnectHeadset();
  startHotline();
  startUnheard();
}

function goOffline() {
  stopUnheard();
  stopHotline();
  unmountDock();
  stopPhone();
  stopChatState();
  stopPopups();
  stopLive();
}

// Loads the signed-in person (if any) and shows the right page.
export async function start() {
  const res = await api('GET', '/api/v1/me');
  me = res.ok ? res.data : null;
  setCsrf(me ? me.csrf_token : null);
  if (me) goLive(); else goOffline();
  if (me && checkInAfterSignIn) {
    history.replaceState(null, '', checkInAfterSignIn);
    checkInAfterSignIn = null;
  }
  route();
}

onRoomsChanged(showUnread);
onUnheardChanged(showUnheard);
// "Hotline" joins the navigation once the person is known to have a role in one.
onHotlinesChanged(() => { if (me) renderChrome(); });
// Signed out elsewhere ("sign out everywhere", an admin): back to the sign-in page.
on('ended', () => { goOffline(); start(); });

const select = document.getElementById('lang-select');
select.value = lang();
setLang(lang());
select.addEventListener('change', () => {
  setLang(select.value);
  if (me) { mountDock(true); startHotline(); }
  route();
});
// The skip links move the focus without touching the hash (which holds the route).
for (const link of document.querySelectorAll('a.skip')) {
  link.addEventListener('click', (e) => {
    const target = document.querySelector(link.getAttribute('href'));
    if (!target) return;
    e.preventDefault();
    target.focus();
  });
}
// The dock sits below the header, which stays at the top on wide screens.
new ResizeObserver(([entry]) => {
  document.documentElement.style.setProperty('--header-height', `${Math.ceil(entry.borderBoxSize[0].blockSize)}px`);
}).observe(document.querySelector('header'));
// The installable app's service worker: the static shell for a start without network,
// and notifications of incoming calls while the tab is in the background.
if ('serviceWorker' in navigator) navigator.serviceWorker.register('/app/sw.js', { scope: '/' }).catch(() => {});
window.addEventListener('hashchange', route);
start();
