// Shared pieces of the administrators' hotline forms (set-up and change): a labelled
// control with its hint and a place for its error under it; marking a refused control
// (invalid, described by its error, focused) and clearing the marks; and the server's
// settings problems (`field`, `problem`) in the reader's language.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';

// A labelled control with a hint and a place for its error under it.
export function row(id, label, control, hint = null) {
  control.id = id;
  const describedBy = hint ? `${id}-hint` : null;
  if (describedBy) control.setAttribute('aria-describedby', describedBy);
  control.dataset.describedby = describedBy || '';
  return h('div', { class: 'hl-field' }, h('label', { for: id }, label),
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null, control,
    h('p', { class: 'error hl-field-error', id: `${id}-error` }));
}

// Marks `input` as refused with `message` under it and gives it the focus.
export function refuse(input, message, focus = true) {
  const own = document.getElementById(`${input.id}-error`);
  if (own) own.textContent = message;
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', [input.dataset.describedby, own ? own.id : null].filter(Boolean).join(' '));
  if (focus) input.focus();
}

// Takes every mark off `inputs`.
export function clearMarks(inputs) {
  for (const input of inputs) {
    input.removeAttribute('aria-invalid');
    if (input.dataset.describedby) input.setAttribute('aria-describedby', input.dataset.describedby); else input.removeAttribute('aria-describedby');
    const own = document.getElementById(`${input.id}-error`);
    if (own) own.textContent = '';
  }
}

// The server's 400 about a hotline's or a queue's setting, in the reader's language.
// `queue`: the form is a queue's (its name has its own words).
export function settingsMessage(data, queue = false) {
  const message = data.message || '';
  const quoted = /„([^“]*)“/.exec(message);
  const range = /(\d+) bis (\d+)/.exec(message);
  const field = String(data.field || '');
  switch (data.problem) {
    case 'hours_invalid': return t('hlProblem_hours_invalid', { d: t(`hlDay_${field.split('.')[1]}`) });
    case 'unknown_login': return t('hlProblem_unknown_login', { l: quoted ? quoted[1] : '' });
    case 'out_of_range': return range ? t('hlProblem_out_of_range', { a: range[1], b: range[2] }) : message;
    case 'name_missing': return t(queue || field === 'queue.name' ? 'hlProblem_queue_name' : 'hlProblem_name_missing');
    case 'extension_invalid': case 'did_invalid': case 'unknown_state': case 'unknown_strategy':
    case 'menu_invalid': case 'overflow_invalid': case 'day_invalid':
      return t(`hlProblem_${data.problem}`);
    default: return message || explain({ status: 400, data });
  }
}
