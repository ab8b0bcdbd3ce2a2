// One's own presence in the header, on every page: a select that applies at once. The
// location, note and "until" set on the team panel stay as they are. "On the phone" and
// "in a meeting" are set by calls and meetings; while one holds, it shows (not choosable).
import { api } from './api.js';
import { h, announce } from './dom.js';
import { t } from './i18n.js';
import { explain } from './sign_in.js';
import { presence, on } from './realtime.js';
import { stateOf, SETTABLE } from './presence_view.js';

const SYMBOLS = { available: '●', busy: '◆', on_the_phone: '☎', in_a_meeting: '▲', away: '◐', do_not_disturb: '⛔', offline: '○' };

let unsubscribe = [];
let shown = null; // { select, login }

// The team panel's form saved a new presence: the header shows it too.
export function ownPresenceChanged(entry) {
  if (shown && entry && entry.login === shown.login) options(shown.select, stateOf(entry));
}

function options(select, state) {
  const all = SETTABLE.includes(state) ? SETTABLE : [state, ...SETTABLE];
  select.replaceChildren(...all.map((s) => h('option', { value: s, selected: s === state, disabled: !SETTABLE.includes(s) },
    `${SYMBOLS[s] || ''} ${t(`st_${s}`)}`)));
  select.className = `st-select st-${state}`;
}

// Fills `box` (in the header) for `me`; clears it when `me` is null.
export function renderPresenceSwitch(box, me) {
  for (const off of unsubscribe) off();
  unsubscribe = [];
  if (!box) return;
  if (!me) { box.replaceChildren(); shown = null; return; }
  const select = h('select', { id: 'presence-switch' });
  shown = { select, login: me.login };
  const current = () => stateOf(presence.get(me.login) || { state: 'available' });
  options(select, current());
  select.addEventListener('change', async () => {
    const mine = presence.get(me.login) || {};
    const future = mine.until && new Date(mine.until) > new Date() ? mine.until : null;
    const body = { state: select.value, location: mine.location || null, note: mine.note || null, until: future };
    const res = await api('PUT', '/api/v1/me/presence', body);
    if (!res.ok) { announce(explain(res)); options(select, current()); return; }
    presence.set(me.login, res.data);
    options(select, stateOf(res.data));
    announce(t('showAs', { s: t(`st_${stateOf(res.data)}`) }));
  });
  const refresh = (entry) => { if (entry.login === me.login && document.activeElement !== select) options(select, stateOf(entry)); };
  unsubscribe = [
    on('presence', (f) => refresh(f.entry)),
    on('presence.snapshot', (f) => f.entries.forEach(refresh)),
  ];
  box.replaceChildren(h('label', { for: 'presence-switch' }, t('myPresence')), select);
}
