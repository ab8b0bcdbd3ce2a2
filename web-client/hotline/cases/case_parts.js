// Parts of the case panel: the state as three choices (new, in progress, done; nothing
// goes back to new), the assignee (one of the hotline's people, "me" or nobody),
// a case's short summary, the caller's earlier cases and a case's history.
import { h, userText } from '../../dom.js';
import { t, lang } from '../../i18n.js';
import { myLogin } from '../../realtime.js';
import { valueText } from './field_inputs.js';
import { moment } from './when.js';
import { casePath } from './call_cases.js';

export const CASE_STATES = ['new', 'in_progress', 'done'];
const SYMBOLS = { new: '○', in_progress: '◐', done: '✓' };

export function stateWords(state) { return CASE_STATES.includes(state) ? t(`caseState_${state}`) : String(state); }

// The state as a symbol of its own shape and words.
export function stateBadge(state) {
  return h('span', { class: `case-state case-st-${state}` }, h('span', { class: 'symbol', 'aria-hidden': 'true' }, SYMBOLS[state] || '?'), ' ', stateWords(state));
}

// Three radios that look like a row of buttons; `current` is the stored state (null for
// a new case): a case that was taken up cannot go back to "new".
export function stateChoice(current) {
  const radios = CASE_STATES.map((s) => h('input', { type: 'radio', name: 'case-state', id: `case-state-${s}`, value: s,
    checked: s === (current || 'new'), disabled: Boolean(current) && current !== 'new' && s === 'new' }));
  const element = h('fieldset', { class: 'case-states', id: 'case-states' }, h('legend', {}, t('caseState')),
    h('div', { class: 'case-state-row' }, ...radios.map((r, i) => h('label', { for: r.id, class: 'case-state-option' }, r, ' ',
      h('span', { 'aria-hidden': 'true', class: 'symbol' }, SYMBOLS[CASE_STATES[i]]), ' ', t(`caseState_${CASE_STATES[i]}`)))));
  return { element, read: () => radios.find((r) => r.checked)?.value || 'new', focus: () => (radios.find((r) => r.checked) || radios[0]).focus() };
}

// The person a case is assigned to, chosen from the hotline's agents and supervisors
// (GET …/members: `people`, null when they could not be loaded), or nobody; "me" is a
// button when one is among them. Someone assigned who has left the hotline stays a choice
// (marked) until another is chosen. The option's value is the login.
export function assigneeChoice(current, people) {
  const list = people || [];
  const names = new Map();
  for (const p of list) names.set(p.name, (names.get(p.name) || 0) + 1);
  // Two people of the same name are told apart by their logins.
  const label = (p) => (names.get(p.name) > 1 ? `${p.name} (${p.login})` : p.name);
  const select = h('select', { id: 'case-assignee', 'data-testid': 'case-assignee', 'aria-describedby': 'case-assignee-hint' },
    h('option', { value: '' }, t('caseNobody')),
    ...list.map((p) => h('option', { value: p.login }, label(p))));
  if (current && !list.some((p) => p.login === current.login)) {
    select.append(h('option', { value: current.login }, t('caseFormerMember', { n: current.name || current.login })));
  }
  select.value = current ? current.login : '';
  const error = h('p', { class: 'error case-field-error', id: 'case-assignee-error' });
  const me = myLogin();
  const mine = list.some((p) => p.login === me) ? h('button', { type: 'button', class: 'secondary', onclick: () => {
    select.value = me;
    select.dispatchEvent(new Event('change', { bubbles: true }));
    select.focus();
  } }, t('caseAssignMe')) : null;
  const element = h('div', { class: 'case-assignee case-field' }, h('label', { for: select.id }, t('caseAssignee')),
    h('p', { class: 'hint', id: 'case-assignee-hint' }, t(people ? 'caseAssigneeHint' : 'caseMembersFailed')), select,
    mine ? h('p', { class: 'button-row' }, mine) : null, error);
  return {
    element,
    input: select,
    read: () => select.value || null,
    mark(message) {
      error.textContent = message;
      select.setAttribute('aria-invalid', 'true');
      select.setAttribute('aria-describedby', `case-assignee-hint ${error.id}`);
    },
    clear() {
      error.textContent = '';
      select.removeAttribute('aria-invalid');
      select.setAttribute('aria-describedby', 'case-assignee-hint');
    },
  };
}

// The first two filled values of a case (not slots), for lists.
export function summary(form, c) {
  return (form.fields || []).filter((f) => f.kind !== 'appointment_slot')
    .map((f) => [f, valueText(f, (c.values || {})[f.key])]).filter(([, v]) => v).slice(0, 2)
    .map(([f, v]) => `${f.label}: ${v}`).join(' · ');
}

// The caller's earlier cases at this hotline, each to open instead of a new one.
export function earlierList(hotline, form, list, callId, exceptId) {
  const others = list.filter((c) => c.id !== exceptId);
  if (!others.length) return h('p', { class: 'hint', id: 'case-earlier-none' }, t('caseNoEarlier'));
  return h('ul', { class: 'case-earlier-list', 'aria-labelledby': 'case-earlier-h' }, ...others.map((c) => h('li', { 'data-case': String(c.id) },
    h('a', { href: casePath(hotline, c.id, callId) }, t('caseNumberN', { n: c.id })), ' ',
    stateBadge(c.state), h('span', { class: 'hl-sub' }, moment(c.created_at), summary(form, c) ? ' · ' : '', userText(summary(form, c))))));
}

// What happened to a case, oldest first (the server's audit lines name fields, never values).
export function historyList(history) {
  if (!history || !history.length) return null;
  return h('details', { class: 'case-history' }, h('summary', {}, t(history.length === 1 ? 'caseHistoryOne' : 'caseHistory', { n: history.length })),
    h('ol', {}, ...history.map((e) => h('li', {}, h('span', { class: 'case-when' }, moment(e.at)), ' ',
      e.actor ? userText(e.actor) : t('caseSystem'), ': ', t(e.action === 'case.created' ? 'caseCreatedAction' : 'caseChangedAction'),
      e.detail ? h('span', { class: 'hl-sub', lang: 'de' }, userText(e.detail)) : null))));
}

// A server's refusal of one field in the reader's language (the German text names the
// field by its label already; English has its own words by problem code).
export function issueText(issue) {
  if (lang() === 'de' || !issue.problem) return issue.message;
  const key = `caseProblem_${issue.problem}`;
  const own = t(key);
  return own === key ? issue.message : own;
}
