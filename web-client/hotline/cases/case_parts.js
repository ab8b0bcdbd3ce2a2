// Parts of the case panel: the state as three choices (new, in progress, done; nothing
// goes back to new), the assignee (a person from the directory search, "me" or nobody),
// a case's short summary, the caller's earlier cases and a case's history.
import { h, userText } from '../../dom.js';
import { t, lang } from '../../i18n.js';
import { dialField } from '../../phone/dial_search.js';
import { myLogin, presence } from '../../realtime.js';
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

// The person a case is assigned to: searched by name, or the buttons "me" and "nobody".
export function assigneeChoice(current) {
  const field = dialField('case-assignee', t('caseAssignee'), 'case-assignee', t('caseAssigneeHint'));
  if (current) field.choose({ login: current.login, name: current.name });
  const error = h('p', { class: 'error case-field-error', id: 'case-assignee-error' });
  const mine = () => {
    const login = myLogin();
    field.choose({ login, name: presence.get(login)?.name || login });
    field.input.dispatchEvent(new Event('change', { bubbles: true }));
    field.input.focus();
  };
  const nobody = () => { field.clear(); field.input.dispatchEvent(new Event('change', { bubbles: true })); field.input.focus(); };
  const element = h('div', { class: 'case-assignee' }, field.element,
    h('p', { class: 'button-row' }, h('button', { type: 'button', class: 'secondary', onclick: mine }, t('caseAssignMe')),
      h('button', { type: 'button', class: 'secondary', onclick: nobody }, t('caseAssignNobody'))), error);
  return {
    element,
    input: field.input,
    read: () => { const p = field.peer(); return p ? p.login : field.input.value.trim() || null; },
    mark(message) {
      error.textContent = message;
      field.input.setAttribute('aria-invalid', 'true');
      field.input.setAttribute('aria-describedby', `case-assignee-hint ${error.id}`);
    },
    clear() {
      error.textContent = '';
      field.input.removeAttribute('aria-invalid');
      field.input.setAttribute('aria-describedby', 'case-assignee-hint');
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
