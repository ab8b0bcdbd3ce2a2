// The mobile-work page (#/mobile-work), from GET /api/v1/mobile-work: what the service
// agreement allows, the texts still to acknowledge (each with its button), the
// application form (while nothing is open), and one's applications and agreements with
// their whole history and the steps open to one. For heads and deputies with
// applications to decide (GET /api/v1/mobile-work/decisions), "Zu entscheiden" comes
// first (decisions.js), then the agreements in force they may renew or revoke
// (in_force.js). After each step the page's data is read again and drawn in place. A
// new application to decide (the live `mobile_work.application` frame) is said at the top
// with a button to show it, not drawn at once (a half-filled form would be lost).
import { api } from '../api.js';
import { h, show, announce, pageStillShown, userText, onLeave } from '../dom.js';
import { on } from '../realtime.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { agreementCard, confirmButton } from './agreement.js';
import { applicationForm } from './apply_form.js';
import { decisionsSection } from './decisions.js';
import { inForceSection } from './in_force.js';
import { rolloutPlaceSection } from './rollout_place.js';
import { commuteSection } from '../rollout/commute.js';

const PATH = '/api/v1/mobile-work';
// States in which one cannot apply again (the server refuses with 409).
const OPEN = ['applied', 'changes_requested', 'approved', 'revoking'];

function rulesSection(summary) {
  const days = summary.workdays.map((d) => t(`mwDay_${d}`)).join(', ');
  return h('section', { class: 'mw-section', 'aria-labelledby': 'mw-rules-h' },
    h('h2', { id: 'mw-rules-h', tabindex: '-1' }, t('mwRulesHeading')),
    h('ul', { class: 'mw-rules', 'data-testid': 'mw-rules' },
      h('li', {}, t('mwRulesLimits', { n: summary.days_per_week, m: summary.days_per_month, d: days })),
      summary.core_hours ? h('li', {}, t('mwRulesCore', { f: summary.core_hours.from, u: summary.core_hours.until })) : null,
      h('li', {}, t('mwRulesNotice', { n: summary.notice_days })),
      h('li', {}, summary.max_term_days ? t('mwRulesTerm', { n: summary.max_term_days }) : t('mwRulesOpen'))));
}

export async function showMobileWork() {
  const page = pageStillShown();
  const [res, pending, inForce] = await Promise.all([
    api('GET', PATH).catch(() => ({ ok: false, status: 0 })),
    api('GET', `${PATH}/decisions`).catch(() => ({ ok: false, status: 0 })),
    api('GET', `${PATH}/in-force`).catch(() => ({ ok: false, status: 0 })),
  ]);
  if (!page()) return;
  if (!res.ok) { show(t('mwTitle'), h('p', { class: 'error' }, explain(res))); return; }
  const content = h('div', { class: 'mw-page' });
  const applications = pending.ok ? pending.data.applications : [];
  const agreementsInForce = inForce.ok ? inForce.data.agreements : [];
  let team = agreementsInForce.length ? inForceSection(agreementsInForce) : null;
  // An application approved here is in force: it joins that list (made when missing).
  const decisions = applications.length ? decisionsSection(applications, (view) => {
    if (!team) {
      team = inForceSection([]);
      decisions.after(team.element);
    }
    team.add(view);
  }) : null;
  let resubmitting = null; // the id of the agreement whose changed form is open

  // Draws the own part from `data` (an Overview); `focus` is an element id to focus after.
  function draw(data, focus) {
    const parts = [];
    if (!data.rules) parts.push(h('p', { class: 'mw-note', 'data-testid': 'mw-no-rules' }, t('mwNoRules')));
    else parts.push(rulesSection(data.rules));
    if (data.to_acknowledge.length) parts.push(ackSection(data.to_acknowledge));
    const open = data.agreements.some((a) => OPEN.includes(a.state));
    if (data.rules && !open) {
      parts.push(applicationForm({ summary: data.rules, initial: null,
        send: (body) => api('POST', `${PATH}/applications`, body),
        done: (view) => after(t('mwApplied'), `mw-a-own-${view.id}`),
        ackMissing: () => content.querySelector('[data-testid="mw-ack"]') }));
    } else if (data.rules && data.agreements.some((a) => a.state === 'applied' || a.state === 'approved')) {
      parts.push(h('p', { class: 'hint mw-open-note' }, t('mwOpenNote')));
    }
    parts.push(mine(data));
    content.replaceChildren(...parts);
    // The focus on what the step changed; on the page's heading when that is gone.
    if (focus) (document.getElementById(focus) || document.querySelector('main h1'))?.focus();
  }

  function ackSection(texts) {
    return h('section', { class: 'mw-section', 'aria-labelledby': 'mw-ack-h', 'data-testid': 'mw-ack-section' },
      h('h2', { id: 'mw-ack-h', tabindex: '-1' }, t('mwAckHeading')),
      h('p', {}, t('mwAckIntro')),
      ...texts.map((text) => {
        const hid = `mw-ack-${text.key}-h`;
        const button = h('button', { type: 'button', 'data-testid': 'mw-ack', 'data-key': text.key,
          'aria-label': t('mwAckButtonOf', { t: text.title, v: text.version }), onclick: async () => {
            const r = await api('POST', `${PATH}/acknowledgements`, { key: text.key, version: text.version }).catch(() => ({ ok: false, status: 0 }));
            if (!page()) return;
            if (!r.ok) { announce(explain(r)); return; }
            announce(r.data.to_acknowledge.length ? t('mwAcked', { t: text.title }) : `${t('mwAcked', { t: text.title })} ${t('mwAckAllDone')}`);
            const next = r.data.to_acknowledge.length ? `mw-ack-${r.data.to_acknowledge[0].key}-h` : (r.data.rules ? 'mw-apply-h' : 'mw-rules-h');
            current = r.data;
            draw(current, next);
          } }, t('mwAckButton'));
        return h('article', { class: 'mw-card mw-ack', 'aria-labelledby': hid },
          h('h3', { id: hid, tabindex: '-1' }, userText(text.title), ' ', h('span', { class: 'mw-version' }, `(${t('mwAckVersion', { v: text.version })})`)),
          h('div', { class: 'mw-ack-body', tabindex: '0', role: 'region', 'aria-labelledby': hid }, userText(text.body)),
          h('p', { class: 'button-row' }, button));
      }));
  }

  // A step on one's agreement `a` at `path`; true when done.
  async function step(a, path, said) {
    const r = await api('POST', `${PATH}/agreements/${a.id}/${path}`).catch(() => ({ ok: false, status: 0 }));
    if (!page()) return true;
    if (!r.ok) { announce(explain(r)); return false; }
    await after(t(said, { n: a.id }), `mw-a-own-${a.id}`);
    return true;
  }

  function actions(a) {
    if (resubmitting === a.id) {
      return applicationForm({ summary: current.rules || { workdays: [], max_term_days: null }, initial: a,
        send: (body) => api('POST', `${PATH}/agreements/${a.id}/resubmission`, body),
        done: () => { resubmitting = null; after(t('mwResubmitted'), `mw-a-own-${a.id}`); },
        cancel: () => { resubmitting = null; draw(current, `mw-a-own-${a.id}`); },
        ackMissing: () => content.querySelector('[data-testid="mw-ack"]') });
    }
    const buttons = [];
    if (a.state === 'changes_requested' && current.rules) {
      buttons.push(h('button', { type: 'button', 'data-testid': 'mw-resubmit', onclick: () => { resubmitting = a.id; draw(current, `mw-re-${a.id}-h`); } }, t('mwResubmit')));
    }
    if (a.state === 'applied' || a.state === 'changes_requested') {
      buttons.push(confirmButton({ label: t('mwWithdraw'), question: t('mwWithdrawAsk', { n: a.id }), testid: 'mw-withdraw', danger: true,
        act: () => step(a, 'withdrawal', 'mwWithdrawn') }));
    }
    if (a.state === 'approved') {
      buttons.push(confirmButton({ label: t('mwEnd_'), question: t('mwEndAsk', { n: a.id }), testid: 'mw-end', danger: true,
        act: () => step(a, 'end', 'mwEnded') }));
    }
    return buttons.length ? h('div', { class: 'mw-actions' }, ...buttons) : null;
  }

  function mine(data) {
    // Newest first: the one that matters now on top.
    const list = [...data.agreements].reverse();
    return h('section', { class: 'mw-section', 'aria-labelledby': 'mw-mine-h', 'data-testid': 'mw-mine' },
      h('h2', { id: 'mw-mine-h' }, t('mwMineHeading')),
      list.length ? h('div', { class: 'mw-list' }, ...list.map((a) => agreementCard(a, { own: true, actions: actions(a) })))
        : h('p', {}, t('mwMineNone')));
  }

  let current = res.data;
  // Reads the page's data again after a step, says `said`, focuses `focus`.
  async function after(said, focus) {
    const fresh = await api('GET', PATH).catch(() => null);
    if (!page()) return;
    if (fresh && fresh.ok) current = fresh.data;
    draw(current, focus);
    announce(said);
  }

  show(t('mwTitle'), ...[decisions, team?.element, rolloutPlaceSection(), content, commuteSection()].filter(Boolean));
  draw(current, null);
  onLeave(on('mobile_work.application', () => {
    if (!page()) return;
    if (!document.getElementById('mw-new-application')) {
      document.querySelector('#main h1')?.after(h('p', { id: 'mw-new-application', class: 'mw-note', 'data-testid': 'mw-new-application' },
        t('mwNewApplication'), ' ', h('button', { type: 'button', class: 'secondary', onclick: () => showMobileWork() }, t('mwShowNew'))));
    }
    announce(t('mwNewApplication'));
  }));
}
