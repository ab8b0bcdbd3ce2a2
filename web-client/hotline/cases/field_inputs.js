// One field of a hotline's case form as a labelled control, by kind: text, long text,
// number (a decimal comma as Germans write it), date, date and time, choice, yes/no,
// phone number, e-mail and appointment slot (slot_picker.js). Each control reads its
// value as the API takes it and can be marked invalid with a message right under it.
import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { slotPicker } from './slot_picker.js';
import { valueDay } from './when.js';

function inputFor(field, id) {
  switch (field.kind) {
    case 'long_text': return h('textarea', { id, rows: '4', maxlength: '10000' });
    case 'number': return h('input', { id, type: 'text', inputmode: 'decimal', autocomplete: 'off' });
    case 'date': return h('input', { id, type: 'date' });
    case 'date_time': return h('input', { id, type: 'datetime-local' });
    case 'phone': return h('input', { id, type: 'tel', autocomplete: 'off' });
    case 'email': return h('input', { id, type: 'email', autocomplete: 'off', spellcheck: 'false' });
    case 'choice': return h('select', { id }, h('option', { value: '' }, t('casePleaseChoose')),
      ...(field.options || []).map((o) => h('option', { value: o }, o)));
    default: return h('input', { id, type: 'text', maxlength: '500', autocomplete: 'off' });
  }
}

// "12,5" → 12.5; what is no number goes as typed, so the server says what is wrong.
function numberOf(text) {
  const raw = text.trim();
  if (!raw) return null;
  const n = /^[+-]?\d+([.,]\d+)?$/.test(raw) ? Number(raw.replace(',', '.')) : NaN;
  return Number.isFinite(n) ? n : raw;
}

function numberText(v) {
  if (typeof v !== 'number') return v === null || v === undefined ? '' : String(v);
  return document.documentElement.lang === 'en' ? String(v) : String(v).replace('.', ',');
}

function labelText(field) {
  return [field.label, field.required ? h('span', { class: 'case-required' }, h('span', { 'aria-hidden': 'true' }, ' *'),
    h('span', { class: 'visually-hidden' }, ` (${t('caseRequired')})`)) : null];
}

// Yes, no, or not said: three radios in a group of their own.
function yesNo(field, id, describedBy) {
  const radios = [['yes', t('yes')], ['no', t('no')], ['', t('caseNotSaid')]].map(([value, words]) =>
    [value, h('input', { type: 'radio', name: id, id: `${id}-${value || 'none'}`, value, 'aria-describedby': describedBy || null }), words]);
  const group = h('fieldset', { class: 'case-yes-no', id, 'aria-required': field.required ? 'true' : null },
    h('legend', {}, ...labelText(field)),
    ...radios.map(([, input, words]) => h('label', { for: input.id }, input, ' ', words)));
  return { group, radios };
}

// `held`: the slot an appointment field's case holds. Returns { key, kind, row, focus(),
// read(), write(v), mark(message), clear(), picker? }.
export function fieldControl(field, slots = [], held = null) {
  const id = `case-f-${field.key}`;
  const hintId = field.help ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const error = h('p', { class: 'error case-field-error', id: errorId });
  const hint = field.help ? h('p', { class: 'hint', id: hintId }, field.help) : null;
  const described = (extra) => [hintId, extra].filter(Boolean).join(' ') || null;
  let targets;
  let row;
  let read;
  let write;
  let picker = null;
  if (field.kind === 'yes_no') {
    const { group, radios } = yesNo(field, id, described(null));
    targets = radios.map(([, input]) => input);
    row = h('div', { class: 'case-field', 'data-key': field.key }, group, hint, error);
    read = () => { const on = radios.find(([, input]) => input.checked); return !on || on[0] === '' ? null : on[0] === 'yes'; };
    write = (v) => { for (const [value, input] of radios) input.checked = value === (v === true ? 'yes' : v === false ? 'no' : ''); };
  } else {
    let input;
    if (field.kind === 'appointment_slot') {
      picker = slotPicker(id, slots, held);
      input = picker.select;
    } else input = inputFor(field, id);
    if (field.required) input.setAttribute('aria-required', 'true');
    if (hintId) input.setAttribute('aria-describedby', hintId);
    input.name = field.key;
    targets = [input];
    row = h('div', { class: 'case-field', 'data-key': field.key }, h('label', { for: id }, ...labelText(field)), hint, input,
      error, picker ? picker.offer : null);
    if (picker) { read = picker.read; write = picker.write; } else if (field.kind === 'number') {
      read = () => numberOf(input.value);
      write = (v) => { input.value = numberText(v); };
    } else {
      read = () => (input.value.trim() === '' ? null : input.value);
      write = (v) => { input.value = v === null || v === undefined ? '' : String(v); };
    }
  }
  return {
    key: field.key,
    kind: field.kind,
    label: field.label,
    row,
    picker,
    focus: () => targets[0].focus(),
    read,
    write,
    mark(message) {
      error.textContent = message;
      for (const el of targets) { el.setAttribute('aria-invalid', 'true'); el.setAttribute('aria-describedby', described(errorId)); }
    },
    clear() {
      error.textContent = '';
      for (const el of targets) {
        el.removeAttribute('aria-invalid');
        if (hintId) el.setAttribute('aria-describedby', hintId); else el.removeAttribute('aria-describedby');
      }
      if (picker) picker.clearOffer();
    },
  };
}

// A stored value as the case list and earlier cases show it (slots by their id's slot).
export function valueText(field, value, slotById = new Map()) {
  if (value === null || value === undefined || value === '') return '';
  switch (field.kind) {
    case 'yes_no': return value ? t('yes') : t('no');
    case 'number': return numberText(value);
    case 'date': case 'date_time': return valueDay(value);
    case 'appointment_slot': return slotById.has(value) ? slotById.get(value) : t('caseSlotNumber', { n: value });
    default: return String(value);
  }
}
