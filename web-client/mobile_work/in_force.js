// "Vereinbarungen in Kraft" for heads (and deputies while the head is absent), from GET
// /api/v1/mobile-work/in-force: each agreement of their units' staff with its history,
// renewed until a later last day or revoked with a reason (mobile work then ends after
// the rules' notice period; asked once more). The card shows the new state in place.
import { api } from '../api.js';
import { h, announce } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { agreementCard } from './agreement.js';
import { day, issuesOf, markInvalid, clearInvalid } from './format.js';

function actions(a, replaced) {
  const id = (s) => `mw-in-${a.id}-${s}`;
  const name = a.name || a.login;
  const end = h('input', { type: 'date', id: id('end'), 'data-testid': 'mw-renew-end', min: a.end || undefined });
  const reason = h('textarea', { id: id('reason'), rows: '2', maxlength: '2000', 'data-testid': 'mw-revoke-reason' });
  const error = h('p', { class: 'error', role: 'alert', id: id('error'), 'data-testid': 'mw-in-force-error' });
  let busy = false;

  function refuse(input, message) {
    setTimeout(() => { error.textContent = message; }, 50);
    if (input) { markInvalid([input], error.id); input.focus(); }
  }

  async function send(path, body, input, said) {
    if (busy) return;
    busy = true;
    const res = await api('POST', `/api/v1/mobile-work/agreements/${a.id}/${path}`, body).catch(() => ({ ok: false, status: 0 }));
    busy = false;
    if (!res.ok) { refuse(res.status === 422 ? input : null, res.status === 0 ? explain(res) : issuesOf(res)[0].message); return; }
    replaced(res.data);
    announce(said(res.data));
  }

  const renew = h('button', { type: 'button', 'data-testid': 'mw-renew', 'aria-label': t('mwRenewOf', { w: name }), onclick: () => {
    clearInvalid([end, reason]);
    error.textContent = '';
    if (!end.value) { refuse(end, t('mwErrRenewEnd')); return; }
    send('renewal', { end: end.value }, end, (v) => t('mwRenewed', { w: name, d: day(v.end) }));
  } }, t('mwRenew'));
  const revoke = h('button', { type: 'button', class: 'danger', 'data-testid': 'mw-revoke', 'aria-label': t('mwRevokeOf', { w: name }), onclick: () => {
    clearInvalid([end, reason]);
    error.textContent = '';
    if (!reason.value.trim()) { refuse(reason, t('mwErrRevokeReason')); return; }
    const yes = h('button', { type: 'button', class: 'danger', 'data-testid': 'mw-revoke-yes', onclick: () => {
      ask.remove();
      send('revocation', { reason: reason.value.trim() }, reason, (v) => t('mwRevoked', { w: name, d: day(v.revocation_effective) }));
    } }, t('mwYes'));
    const no = h('button', { type: 'button', class: 'secondary', onclick: () => { ask.remove(); revoke.focus(); } }, t('mwNo'));
    const ask = h('p', { class: 'mw-ask', role: 'group', 'aria-label': t('mwRevokeAsk', { w: name, n: a.id }) },
      h('span', {}, t('mwRevokeAsk', { w: name, n: a.id })), ' ', yes, ' ', no);
    const place = revoke.closest('.mw-revoke');
    place.querySelector('.mw-ask')?.remove();
    place.append(ask);
    yes.focus();
  } }, t('mwRevoke'));

  return h('div', { class: 'mw-decide' },
    h('div', { class: 'mw-renew' }, h('label', { for: end.id }, t('mwRenewEnd')), end, h('p', { class: 'button-row' }, renew)),
    h('div', { class: 'mw-revoke' }, h('label', { for: reason.id }, t('mwRevokeReason')), reason, h('p', { class: 'button-row' }, revoke)),
    error);
}

// The section for `agreements`; `add(view)` puts one more in (an application just
// approved).
export function inForceSection(agreements) {
  const list = h('div', { class: 'mw-list' });
  function card(a) {
    const element = agreementCard(a, { own: false, actions: a.state === 'approved' ? actions(a, (fresh) => {
      const next = card(fresh);
      element.replaceWith(next);
      next.querySelector('h3')?.focus();
    }) : null });
    element.dataset.testid = 'mw-in-force';
    return element;
  }
  for (const a of agreements) list.append(card(a));
  const element = h('section', { class: 'mw-section', 'aria-labelledby': 'mw-in-force-h', 'data-testid': 'mw-in-force-section' },
    h('h2', { id: 'mw-in-force-h' }, t('mwInForceHeading')), h('p', { class: 'hint' }, t('mwInForceIntro')), list);
  return { element, add: (a) => list.append(card(a)) };
}
