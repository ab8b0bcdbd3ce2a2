// The application form: fixed weekdays (of the rules' working days) or a number of days
// per week, the first day, an optional last day, an optional reason. The service
// agreement's rules are the server's: each rule an application breaks comes back (422)
// with its field and is shown there (aria-invalid, the reason next to the field, the
// focus on the first), all of them also in an alert above the button. The same form
// changes an application when changes were asked for (prefilled).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { WEEKDAYS, problemText, issuesOf, markInvalid, clearInvalid } from './format.js';

// `summary`: the rules as GET /api/v1/mobile-work gives them; `initial`: an agreement to
// change (or null); `send(body)`: posts it, answers like api(); `done(view, res)`: after
// a success; `cancel`: shows a cancel button when given; `ackMissing()`: the first
// acknowledgement button, to focus when the texts are not acknowledged yet.
export function applicationForm({ summary, initial, send, done, cancel, ackMissing }) {
  const ns = initial ? `mw-re-${initial.id}` : 'mw-apply';
  const id = (s) => `${ns}-${s}`;
  const workdays = summary.workdays.length ? summary.workdays : WEEKDAYS.slice(0, 5);
  const byWeekday = !initial || Boolean(initial.days.weekdays);

  const radio = (value, label, checked) => {
    const input = h('input', { type: 'radio', name: id('pattern'), id: id(`pattern-${value}`), value, checked, 'data-testid': `mw-pattern-${value}`,
      onchange: () => showPattern() });
    return [input, h('span', { class: 'mw-choice' }, input, ' ', h('label', { for: id(`pattern-${value}`) }, label))];
  };
  const [byDays, byDaysRow] = radio('weekdays', t('mwPatternWeekdays'), byWeekday);
  const [perWeekRadio, perWeekRow] = radio('per_week', t('mwPatternPerWeek'), !byWeekday);

  const dayBoxes = workdays.map((d) => h('input', { type: 'checkbox', id: id(`day-${d}`), name: 'weekdays', value: d, 'data-testid': `mw-day-${d}`,
    checked: Boolean(initial?.days.weekdays?.includes(d)) }));
  const weekdaysSet = h('fieldset', { class: 'mw-weekdays', id: id('weekdays') },
    h('legend', {}, t('mwWeekdays')),
    ...dayBoxes.map((box, i) => h('span', { class: 'mw-choice' }, box, ' ', h('label', { for: box.id }, t(`mwDay_${workdays[i]}`)))));
  const perWeek = h('input', { type: 'number', id: id('per-week'), name: 'days_per_week', min: '1', max: '7', inputmode: 'numeric', 'data-testid': 'mw-per-week',
    value: initial?.days.days_per_week ? String(initial.days.days_per_week) : '' });
  const perWeekWrap = h('div', {}, h('label', { for: perWeek.id }, t('mwDaysPerWeek')), perWeek);

  const start = h('input', { type: 'date', id: id('start'), name: 'start', required: true, 'data-testid': 'mw-start', value: initial?.start || '' });
  const endRequired = summary.max_term_days != null;
  const end = h('input', { type: 'date', id: id('end'), name: 'end', required: endRequired, 'data-testid': 'mw-end', value: initial?.end || '' });
  const reason = h('textarea', { id: id('reason'), name: 'reason', rows: '3', maxlength: '2000', 'data-testid': 'mw-reason' }, initial?.reason || '');

  // The message next to each group of fields.
  const message = (key) => h('p', { class: 'error mw-field-error', id: id(`err-${key}`), 'data-testid': `mw-error-${key}` });
  const messages = { days: message('days'), start: message('start'), end: message('end'), reason: message('reason') };
  const alert = h('div', { class: 'error mw-alert', role: 'alert', id: id('alert'), 'data-testid': 'mw-apply-error' });
  const button = h('button', { type: 'submit', 'data-testid': initial ? 'mw-resubmit-send' : 'mw-apply' }, t(initial ? 'mwResubmitButton' : 'mwApplyButton'));

  function showPattern() {
    weekdaysSet.hidden = !byDays.checked;
    perWeekWrap.hidden = byDays.checked;
  }
  showPattern();

  // The inputs of a field as the server names it.
  function inputsOf(field) {
    if (field === 'days') return byDays.checked ? dayBoxes : [perWeek];
    if (field === 'weekdays') return dayBoxes;
    if (field === 'start') return [start];
    if (field === 'end') return [end];
    if (field === 'reason') return [reason];
    return [];
  }
  const groupOf = (field) => (field === 'weekdays' ? 'days' : field);
  const all = [...dayBoxes, perWeek, start, end, reason];

  function clear() {
    clearInvalid(all);
    for (const m of Object.values(messages)) m.replaceChildren();
    alert.replaceChildren();
  }

  // Shows `issues` ({ field, problem, message }) at their fields and in the alert; the
  // focus goes to the first field named (or to the acknowledgements).
  function refuse(issues) {
    clear();
    let first = null;
    for (const issue of issues) {
      const text = problemText(issue, summary);
      const group = groupOf(issue.field);
      if (messages[group]) {
        messages[group].append(h('span', {}, text, ' '));
        markInvalid(inputsOf(issue.field), messages[group].id);
        first ??= inputsOf(issue.field)[0];
      } else if (issue.field === 'acknowledgements') first ??= ackMissing?.() || null;
    }
    // Filled a moment after clearing, so screen readers read the new text out.
    setTimeout(() => {
      alert.replaceChildren(h('p', {}, t('mwRefused')), h('ul', {}, ...issues.map((i) => h('li', {}, problemText(i, summary)))));
    }, 50);
    (first || button).focus();
  }

  let busy = false;
  const form = h('form', { class: 'mw-apply', id: id('form'), novalidate: true, 'aria-labelledby': id('h'), onsubmit: async (e) => {
    e.preventDefault();
    if (busy) return;
    const body = { start: start.value.trim() };
    if (byDays.checked) body.weekdays = dayBoxes.filter((b) => b.checked).map((b) => b.value);
    else body.days_per_week = Number(perWeek.value);
    if (end.value.trim()) body.end = end.value.trim();
    if (reason.value.trim()) body.reason = reason.value.trim();
    const local = [];
    if (byDays.checked && body.weekdays.length === 0) local.push({ field: 'days', message: t('mwErrNoDays') });
    if (!byDays.checked && !(body.days_per_week >= 1)) local.push({ field: 'days', message: t('mwErrNoNumber') });
    if (!body.start) local.push({ field: 'start', message: t('mwErrNoStart') });
    if (local.length) { refuse(local); return; }
    busy = true;
    button.setAttribute('aria-disabled', 'true');
    button.textContent = t('mwSending');
    const res = await send(body).catch(() => ({ ok: false, status: 0 }));
    busy = false;
    button.removeAttribute('aria-disabled');
    button.textContent = t(initial ? 'mwResubmitButton' : 'mwApplyButton');
    if (res.ok) { clear(); done(res.data); return; }
    if (res.status === 422 || res.status === 409) refuse(issuesOf(res));
    else refuse([{ field: '', message: explain(res) }]);
  } },
  h('fieldset', { class: 'mw-pattern' }, h('legend', {}, t('mwPattern')), byDaysRow, perWeekRow),
  weekdaysSet, perWeekWrap, messages.days,
  h('div', {}, h('label', { for: start.id }, t('mwStart')), start), messages.start,
  h('div', {}, h('label', { for: end.id }, t(endRequired ? 'mwEndRequired' : 'mwEnd')), end), messages.end,
  h('div', {}, h('label', { for: reason.id }, t('mwReason')), reason), messages.reason,
  alert,
  h('p', { class: 'button-row' }, button, cancel ? h('button', { type: 'button', class: 'secondary', onclick: cancel }, t('mwCancel')) : null));

  return h('section', { class: 'mw-section', 'aria-labelledby': id('h'), 'data-testid': initial ? 'mw-resubmit-form' : 'mw-apply-form' },
    h(initial ? 'h4' : 'h2', { id: id('h'), tabindex: '-1' }, initial ? t('mwResubmitHeading', { n: initial.id }) : t('mwApplyHeading')),
    form);
}
