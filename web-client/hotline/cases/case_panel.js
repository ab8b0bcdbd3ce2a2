// The case panel (#/hotline/{id}/cases/new and …/cases/{n}, both with ?call=… when opened
// for an answered call): the caller's number, their earlier cases to open instead, the
// hotline's form, the state and the assignee (one of the hotline's people). Saving creates or changes the case; every
// refused field is marked and described under it and the first takes the focus; a slot
// that filled up meanwhile says "ausgebucht" and offers the nearest free ones; a change
// someone else made first is said, with a way to load theirs.
import { h, show, errorBox, announce, onLeave, pageStillShown, userText } from '../../dom.js';
import { t, tParts } from '../../i18n.js';
import { explain } from '../../sign_in.js';
import { formatNumber } from '../../phone/format.js';
import { myHotlines } from '../access.js';
import { caseForm, slots as loadSlots, getCase, createCase, patchCase, earlierCases, members } from './case_api.js';
import { fieldControl } from './field_inputs.js';
import { stateChoice, assigneeChoice, earlierList, historyList, issueText } from './case_parts.js';
import { callContext, casePath, guardDraft } from './call_cases.js';

function hotlineName(hotline, context) {
  const known = myHotlines().find((hl) => hl.id === hotline);
  return known ? known.name : context ? context.hotlineName : '';
}

function title(c, name) {
  const key = c ? 'caseTitleN' : 'caseTitleNew';
  return name ? tParts(`${key}Of`, { n: c ? c.id : '', h: userText(name) }) : t(key, { n: c ? c.id : '' });
}

export async function showCasePanel(hotline, caseId, callId) {
  const stillShown = pageStillShown();
  const context = callContext(callId);
  const [formRes, slotRes, caseRes, peopleRes] = await Promise.all([caseForm(hotline), loadSlots(hotline),
    caseId ? getCase(hotline, caseId) : Promise.resolve(null), members(hotline)]);
  if (!stillShown()) return;
  const name = hotlineName(hotline, context);
  const error = errorBox();
  error.id = 'case-error';
  const failed = [formRes, caseRes].find((r) => r && !r.ok);
  if (failed) {
    show(title(null, name), error, h('p', {}, h('a', { href: '#/hotline' }, t('hlBackToHotline'))));
    error.textContent = explain(failed);
    return;
  }
  const form = formRes.data;
  let current = caseRes ? caseRes.data : null;
  let slotList = slotRes.ok ? slotRes.data.slots : [];
  const people = peopleRes.ok ? peopleRes.data.members : null;
  let dirty = false;
  let saving = false;
  let parts = null;

  const number = h('input', { id: 'case-number', type: 'tel', autocomplete: 'off', 'data-testid': 'case-number', 'aria-describedby': 'case-number-hint' });
  const numberError = h('p', { class: 'error case-field-error', id: 'case-number-error' });
  const earlier = h('div', { id: 'case-earlier' });
  const earlierCount = h('p', { class: 'visually-hidden', 'aria-live': 'polite', id: 'case-earlier-count' });
  const fields = h('div', { class: 'case-fields' });
  const sidePart = h('div', { class: 'case-more' });
  const status = h('p', { class: 'ok', role: 'status', id: 'case-done' });
  const notice = h('div', { id: 'case-call-notice', role: 'status' });
  const save = h('button', { type: 'submit', id: 'case-save', 'data-testid': 'case-save', class: 'hl-big' });
  const links = h('p', { class: 'hl-bar' }, h('a', { href: `#/hotline/${hotline}/cases` }, t('caseToList')));

  let earlierAsked = 0;
  async function showEarlier() {
    const wanted = number.value.trim();
    const mine = ++earlierAsked;
    if (!wanted) { earlier.replaceChildren(); earlierCount.textContent = ''; return; }
    const r = await earlierCases(hotline, wanted);
    if (mine !== earlierAsked || !stillShown()) return;
    const list = r.ok ? r.data.cases.filter((c) => !current || c.id !== current.id) : [];
    earlier.replaceChildren(h('h2', { id: 'case-earlier-h' }, t('caseEarlier', { n: formatNumber(wanted) })),
      r.ok ? earlierList(hotline, form, list, callId, current ? current.id : null) : h('p', { class: 'error' }, explain(r)));
    earlierCount.textContent = list.length ? t('caseEarlierCount', { n: list.length }) : '';
  }

  // Builds the controls for `c` (null: a new case).
  function build(c) {
    const values = c ? c.values || {} : {};
    const held = new Map((c && c.bookings ? c.bookings : []).map((b) => [b.field, b.slot]));
    const controls = (form.fields || []).map((f) => fieldControl(f, slotList, held.get(f.key) || null));
    controls.forEach((ctl) => ctl.write(values[ctl.key] ?? null));
    const state = stateChoice(c ? c.state : null);
    const assignee = assigneeChoice(c ? c.assignee : null, people);
    fields.replaceChildren(...(controls.length ? controls.map((ctl) => ctl.row) : [h('p', { class: 'hint' }, t('caseNoFields'))]));
    sidePart.replaceChildren(state.element, assignee.element);
    number.readOnly = Boolean(c);
    if (c) number.value = c.caller_number || '';
    save.textContent = t(c ? 'caseSaveChanges' : 'caseCreate');
    parts = { controls, state, assignee };
  }

  function clearMarks() {
    error.replaceChildren();
    status.textContent = '';
    numberError.textContent = '';
    number.removeAttribute('aria-invalid');
    number.setAttribute('aria-describedby', 'case-number-hint');
    parts.assignee.clear();
    for (const ctl of parts.controls) ctl.clear();
  }

  // Marks what the server refused; returns the first control to focus.
  async function refuse(r) {
    const issues = r.data && r.data.fields ? r.data.fields : r.data && r.data.field ? [r.data] : [];
    let first = null;
    let full = null;
    for (const issue of issues) {
      const key = String(issue.field || '').replace(/^values\./, '');
      const ctl = parts.controls.find((c) => c.key === key);
      if (ctl) {
        ctl.mark(issueText(issue));
        first ??= ctl.focus;
        if (issue.problem === 'slot_full' && ctl.picker) full ??= { ctl, slot: ctl.read() };
      } else if (issue.field === 'caller_number') {
        numberError.textContent = issueText(issue);
        number.setAttribute('aria-invalid', 'true');
        number.setAttribute('aria-describedby', `case-number-hint ${numberError.id}`);
        first ??= () => number.focus();
      } else if (issue.field === 'assignee') {
        parts.assignee.mark(issueText(issue));
        first ??= () => parts.assignee.input.focus();
      }
    }
    if (full) {
      const fresh = await loadSlots(hotline);
      if (fresh.ok) slotList = fresh.data.slots;
      full.ctl.picker.offerInstead(full.slot, slotList, full.ctl.label);
    }
    if (issues.length) {
      error.textContent = t(issues.length === 1 ? 'caseCheckOne' : 'caseCheckMany', { n: issues.length });
    } else if (r.status === 409 && current) {
      error.replaceChildren(t('failed', { m: r.data?.message || r.status }), ' ',
        h('button', { type: 'button', class: 'secondary', id: 'case-reload', onclick: reload }, t('caseReload')));
      first = () => document.getElementById('case-reload').focus();
    } else {
      error.textContent = explain(r);
    }
    return first;
  }

  async function reload() {
    const r = await getCase(hotline, current.id);
    if (!stillShown() || !r.ok) return;
    current = r.data;
    await afterSave(t('caseReloaded'));
  }

  async function afterSave(message) {
    const fresh = await loadSlots(hotline);
    if (!stillShown()) return;
    if (fresh.ok) slotList = fresh.data.slots;
    build(current);
    history.replaceState(null, '', casePath(hotline, current.id, callId));
    const heading = document.querySelector('#main h1');
    heading.replaceChildren(...[title(current, name)].flat());
    document.title = `${heading.textContent} – Durchwahl`;
    drawHistory();
    dirty = false;
    status.textContent = message;
    save.focus();
    showEarlier();
  }

  async function submit(e) {
    e.preventDefault();
    if (saving) return;
    clearMarks();
    const values = Object.fromEntries(parts.controls.map((ctl) => [ctl.key, ctl.read()]));
    const state = parts.state.read();
    const assignee = parts.assignee.read();
    let r;
    saving = true;
    save.setAttribute('aria-disabled', 'true');
    if (current) {
      const body = { values, revision: current.revision };
      if (state !== current.state) body.state = state;
      if (assignee !== (current.assignee ? current.assignee.login : null)) body.assignee = assignee;
      r = await patchCase(hotline, current.id, body);
    } else {
      const filled = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null));
      r = await createCase(hotline, { caller_number: number.value.trim() || undefined, values: filled, state, assignee: assignee || undefined });
    }
    saving = false;
    save.removeAttribute('aria-disabled');
    if (!stillShown()) return;
    if (r.ok) {
      const created = !current;
      current = r.data;
      await afterSave(t(created ? 'caseCreated' : 'caseSaved', { n: current.id }));
      return;
    }
    const first = await refuse(r);
    (first || (() => save.focus()))();
  }

  const historyBox = h('div', { id: 'case-history' });
  function drawHistory() { historyBox.replaceChildren(...[current ? historyList(current.history) : null].filter(Boolean)); }

  build(current);
  if (!current && context) number.value = context.number;
  drawHistory();
  const callBox = context ? h('p', { class: 'case-call', id: 'case-call' }, h('span', { 'aria-hidden': 'true' }, '☎ '),
    ...tParts('caseCallFrom', { n: h('strong', {}, formatNumber(context.number) || t('unknownCaller')), h: userText(context.hotlineName || name) })) : null;
  if (current) links.append(' ', h('a', { href: casePath(hotline, null, callId) }, t('caseNew')));
  const formEl = h('form', { id: 'case-form', class: 'case-form', novalidate: true, onsubmit: submit,
    oninput: () => { dirty = true; }, onchange: () => { dirty = true; } },
  h('div', { class: 'case-field' }, h('label', { for: number.id }, t('caseCallerNumber')),
    h('p', { class: 'hint', id: 'case-number-hint' }, t('caseCallerNumberHint')), number, numberError),
  earlier, earlierCount, fields, sidePart, error, h('p', { class: 'button-row' }, save), status);
  number.addEventListener('change', () => { if (!current) showEarlier(); });
  show(title(current, name), links, ...[callBox].filter(Boolean), notice,
    h('section', { class: 'case-panel', 'data-testid': 'case-panel', 'aria-label': t('caseFormLabel') }, formEl, historyBox));
  showEarlier();
  // A call answered while this case holds unsaved input: said here, not replaced.
  guardDraft(() => dirty && stillShown(), (ctx, path) => {
    notice.replaceChildren(h('p', { class: 'case-notice' }, t('caseOtherCall', { n: formatNumber(ctx.number) || t('unknownCaller') }), ' ',
      h('a', { href: path }, t('caseOpenForCall'))));
    announce(t('caseOtherCall', { n: formatNumber(ctx.number) || t('unknownCaller') }));
  });
  onLeave(() => guardDraft(() => false, null));
}
