// One agreement (from its application on) as a card: its state in words, the days, the
// period, the reason, the decision's note or rejection reason, and the whole history
// (what happened, who decided in which capacity, when). The applicant's own cards add
// the steps open to them: withdraw, change and apply again, end by agreement (each asked
// once more).
import { h, userText } from '../dom.js';
import { t } from '../i18n.js';
import { timeOf, daysLabel } from './format.js';

function actorText(step, own) {
  if (step.actor === 'applicant') return t(own ? 'mwByApplicant' : 'mwByTheApplicant');
  if (step.actor === 'calendar') return t('mwByCalendar');
  const who = step.decider_name || step.decider_login || '?';
  return t(step.capacity === 'deputy' ? 'mwByDeputy' : 'mwByHead', { w: who });
}

function history(a, own) {
  const id = `mw-history-${own ? 'own' : 'dec'}-${a.id}`;
  return h('div', { class: 'mw-history' },
    h('h4', { id }, t('mwHistory')),
    h('ol', { 'aria-labelledby': id, 'data-testid': 'mw-history' }, ...a.history.map((s) => h('li', { 'data-action': s.action },
      timeOf(s.at, true), ' – ', h('strong', {}, t(`mwAct_${s.action}`)), ' ', actorText(s, own)))));
}

// A term and its value in the card's list.
const item = (term, ...value) => [h('dt', {}, term), h('dd', {}, ...value)];

// The card of `a` (an AgreementView). `own`: the applicant's own view; `actions`: the
// buttons and forms below the history (or null).
export function agreementCard(a, { own, headingLevel = 'h3', actions = null }) {
  const headingId = `mw-a-${own ? 'own' : 'dec'}-${a.id}`;
  const period = a.end ? t('mwFromTo', { d: '{d}', e: '{e}' }) : t('mwFromOpen', { d: '{d}' });
  // The period with its days as <time> elements.
  const periodParts = period.split(/(\{d\}|\{e\})/).filter(Boolean)
    .map((p) => (p === '{d}' ? timeOf(a.start) : p === '{e}' ? timeOf(a.end) : p));
  const details = h('dl', { class: 'mw-terms' },
    own ? null : item(t('mwApplicant'), userText(a.name)),
    own || !a.unit ? null : item(t('mwUnit'), userText(a.unit)),
    item(t('mwDays'), daysLabel(a.days)),
    item(t('mwPeriod'), ...periodParts),
    a.reason ? item(t('mwReasonGiven'), h('span', { class: 'mw-text' }, userText(a.reason))) : null,
    a.rejection_category ? item(t('mwCategory'), t(`mwCat_${a.rejection_category}`)) : null,
    a.note ? item(t('mwNote'), h('span', { class: 'mw-text' }, userText(a.note))) : null,
    a.revocation_effective ? item(t('mwRevocationFrom'), timeOf(a.revocation_effective)) : null);
  return h('article', { class: 'mw-card', 'data-state': a.state, 'data-testid': own ? 'mw-agreement' : 'mw-decision', 'data-id': String(a.id), 'aria-labelledby': headingId },
    h('div', { class: 'mw-card-head' },
      h(headingLevel, { id: headingId, tabindex: '-1' }, own ? t('mwAgreementTitle', { n: a.id }) : [userText(a.name), ` – ${t('mwAgreementTitle', { n: a.id })}`]),
      h('p', { class: `mw-state mw-st-${a.state}`, 'data-testid': 'mw-state' }, t(`mwSt_${a.state}`))),
    details, history(a, own), actions);
}

// A button that asks once more before `act()` (which answers true when done): the
// question with yes and no replaces the button until answered.
export function confirmButton({ label, question, testid, danger = false, act }) {
  const wrap = h('div', { class: 'mw-confirm' });
  const button = h('button', { type: 'button', class: danger ? 'danger' : 'secondary', 'data-testid': testid, onclick: () => ask() }, label);
  function ask() {
    const yes = h('button', { type: 'button', class: danger ? 'danger' : '', 'data-testid': `${testid}-yes`, onclick: async () => {
      yes.setAttribute('aria-disabled', 'true');
      if (!(await act())) { wrap.replaceChildren(button); button.focus(); }
    } }, t('mwYes'));
    const no = h('button', { type: 'button', class: 'secondary', onclick: () => { wrap.replaceChildren(button); button.focus(); } }, t('mwNo'));
    wrap.replaceChildren(h('p', { class: 'mw-ask', role: 'group', 'aria-label': question }, h('span', {}, question), ' ', yes, ' ', no));
    yes.focus();
  }
  wrap.append(button);
  return wrap;
}
