// "Zu entscheiden": the applications the signed-in head (or deputy, while the head is
// absent) may decide on now, each with its history and a small form: approve, ask for
// changes (with a note) or reject (with a category and a note). A decided application
// leaves the list; the status line says what was decided.
import { api } from '../api.js';
import { h, announce } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { agreementCard } from './agreement.js';
import { issuesOf, markInvalid, clearInvalid } from './format.js';

const CATEGORIES = ['service_needs', 'tasks_unsuitable', 'requirements_not_met', 'other'];

function decisionForm(a, decided) {
  const id = (s) => `mw-dec-${a.id}-${s}`;
  const note = h('textarea', { id: id('note'), rows: '2', maxlength: '2000', 'data-testid': 'mw-decide-note', 'data-hints': id('note-hint'), 'aria-describedby': id('note-hint') });
  const category = h('select', { id: id('category'), 'data-testid': 'mw-decide-category' },
    h('option', { value: '' }, t('mwChooseCategory')), ...CATEGORIES.map((c) => h('option', { value: c }, t(`mwCat_${c}`))));
  const error = h('p', { class: 'error', role: 'alert', id: id('error'), 'data-testid': 'mw-decide-error' });
  let busy = false;

  async function decide(decision) {
    if (busy) return;
    clearInvalid([note, category]);
    error.textContent = '';
    const body = { decision };
    const text = note.value.trim();
    if (decision !== 'approve') {
      if (decision === 'reject' && !category.value) return refuse('category', t('mwErrCategory'));
      if (!text) return refuse('note', t('mwErrNote'));
      body.note = text;
      if (decision === 'reject') body.category = category.value;
    }
    busy = true;
    const res = await api('POST', `/api/v1/mobile-work/agreements/${a.id}/decision`, body).catch(() => ({ ok: false, status: 0 }));
    busy = false;
    if (res.ok) { decided(res.data, decision); return; }
    const [first] = issuesOf(res);
    refuse(first.field, res.status === 422 || res.status === 409 || res.status === 403 ? first.message : explain(res));
  }

  function refuse(field, message) {
    const input = field === 'category' ? category : note;
    setTimeout(() => { error.textContent = message; }, 50);
    if (field === 'category' || field === 'note') { markInvalid([input], error.id); input.focus(); }
  }

  const name = a.name || a.login;
  const button = (decision, label, of, cls) => h('button', { type: 'button', class: cls, 'data-testid': `mw-${decision.replace('_', '-')}`,
    'aria-label': t(of, { w: name }), onclick: () => decide(decision) }, t(label));
  return h('div', { class: 'mw-decide' },
    h('div', {}, h('label', { for: note.id }, t('mwDecideNote')), note, h('p', { class: 'hint', id: id('note-hint') }, t('mwDecideNoteHint'))),
    h('div', {}, h('label', { for: category.id }, t('mwDecideCategory')), category),
    h('p', { class: 'button-row' },
      button('approve', 'mwApprove', 'mwApproveOf', ''),
      button('request_changes', 'mwRequestChanges', 'mwRequestChangesOf', 'secondary'),
      button('reject', 'mwReject', 'mwRejectOf', 'danger')),
    error);
}

// The section for `applications` (non-empty); `approved(view)` gets each agreement
// approved here.
export function decisionsSection(applications, approved) {
  const list = h('div', { class: 'mw-list' });
  const none = h('p', { 'data-testid': 'mw-decide-none', hidden: true }, t('mwDecideNone'));
  const heading = h('h2', { id: 'mw-decide-h', tabindex: '-1' }, t('mwDecideHeading'));
  function decided(a, decision) {
    list.querySelector(`[data-id="${a.id}"]`)?.remove();
    announce(t(`mwDecided_${decision}`, { w: a.name || a.login }));
    const next = list.querySelector('h3');
    if (next) next.focus();
    else { none.hidden = false; heading.focus(); }
    if (decision === 'approve') approved(a);
  }
  for (const a of applications) list.append(agreementCard(a, { own: false, actions: decisionForm(a, decided) }));
  return h('section', { class: 'mw-section', 'aria-labelledby': 'mw-decide-h', 'data-testid': 'mw-decisions' },
    heading, h('p', { class: 'hint' }, t('mwDecideIntro')), list, none);
}
