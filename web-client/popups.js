// Pop-ups on every page: "she is available now" when a watch fires (also as a browser
// notification), new messages while the chat is not in view, and the state of the live
// connection. The region is a live region, so screen readers read each pop-up out.
import { h, announce, userText } from './dom.js';
import { t, tParts } from './i18n.js';
import { on } from './realtime.js';

let region = null;
let unsubscribe = [];

function popupRegion() {
  if (region && document.body.contains(region)) return region;
  region = h('section', { id: 'popups', class: 'popups', 'aria-label': t('popups') });
  document.body.append(region);
  return region;
}

// Shows a pop-up with `text` (or parts) and optional `actions` ([{label, run}]); it stays
// until closed.
export function popup(text, actions = [], kind = 'info') {
  const close = h('button', { type: 'button', class: 'secondary' }, t('close'));
  const box = h('div', { class: `popup ${kind}`, role: 'alert' },
    h('p', {}, text),
    h('p', { class: 'popup-actions' },
      ...actions.map((a) => h('button', { type: 'button', onclick: () => { box.remove(); a.run(); } }, a.label)), close));
  close.addEventListener('click', () => box.remove());
  box.addEventListener('keydown', (e) => { if (e.key === 'Escape') box.remove(); });
  popupRegion().append(box);
  return box;
}

// Asks for permission to show browser notifications (call from a click).
export function askForNotifications() {
  if ('Notification' in window && Notification.permission === 'default') Notification.requestPermission();
}

export function browserNotification(title, body, tag) {
  if (!('Notification' in window) || Notification.permission !== 'granted') return;
  try { new Notification(title, { body, tag, lang: document.documentElement.lang }); } catch { /* not available here */ }
}

// Listens for watches that fire and the connection state; `openChat(login)` starts a chat.
export function startPopups(openChat) {
  stopPopups();
  let wasLive = true;
  unsubscribe = [
    on('watch.fired', (f) => {
      popup(tParts('nowAvailable', { n: userText(f.name) }), [{ label: t('chatWith', { n: f.name }), run: () => openChat(f.login) }], 'watch');
      browserNotification('Durchwahl', t('nowAvailable', { n: f.name }), `watch-${f.login}`);
    }),
    on('live', (up) => {
      if (!up && wasLive) announce(t('offlineLive'));
      if (up && !wasLive) announce(t('liveAgain'));
      document.body.classList.toggle('offline', !up);
      wasLive = up;
    }),
  ];
}

export function stopPopups() {
  for (const off of unsubscribe) off();
  unsubscribe = [];
  if (region) region.replaceChildren();
}

