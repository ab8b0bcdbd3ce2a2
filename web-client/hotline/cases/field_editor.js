// The editor of one field of the case form designer: label, kind, key, required, help,
// a choice's options (one per line) and a number's bounds. It edits the field object it
// is given in place and says so through `changed()`. A field's key is made from its
// label while it is new; a saved field keeps its key, so stored values stay its own.
import { h } from '../../dom.js';
import { t } from '../../i18n.js';

export const KINDS = ['text', 'long_text', 'number', 'date', 'date_time', 'choice', 'yes_no', 'phone', 'email', 'appointment_slot'];

// "Geburtsdatum (Kind)" → "geburtsdatum_kind": a–z, 0–9 and _, starting with a letter.
export function keyFrom(label, taken) {
  const base = label.toLowerCase().replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/ß/g, 'ss')
    .normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 36);
  const start = /^[a-z]/.test(base) ? base : `feld_${base}`.replace(/_+$/, '');
  let key = start;
  for (let n = 2; taken.has(key); n += 1) key = `${start}_${n}`;
  return key;
}

export function fieldEditor(field, uid, others, changed) {
  const id = (what) => `fd-${uid}-${what}`;
  const c = {
    label: h('input', { id: id('label'), maxlength: '100', autocomplete: 'off', value: field.label }),
    kind: h('select', { id: id('kind') }, ...KINDS.map((k) => h('option', { value: k, selected: k === field.kind }, t(`caseKind_${k}`)))),
    key: h('input', { id: id('key'), maxlength: '40', autocomplete: 'off', spellcheck: 'false', value: field.key, readonly: !field.isNew,
      'aria-describedby': id('key-hint') }),
    required: h('input', { id: id('required'), type: 'checkbox', checked: field.required }),
    help: h('textarea', { id: id('help'), rows: '2', maxlength: '500' }, field.help || ''),
    options: h('textarea', { id: id('options'), rows: '4', 'aria-describedby': id('options-hint') }, (field.options || []).join('\n')),
    min: h('input', { id: id('min'), type: 'text', inputmode: 'decimal', autocomplete: 'off', value: field.min ?? '' }),
    max: h('input', { id: id('max'), type: 'text', inputmode: 'decimal', autocomplete: 'off', value: field.max ?? '' }),
  };
  let keyTouched = !field.isNew;
  const error = h('p', { class: 'error case-field-error', id: id('error') });
  const row = (control, label, hint = null) => h('div', { class: 'hl-field' }, h('label', { for: control.id }, label),
    hint ? h('p', { class: 'hint', id: `${control.id}-hint` }, hint) : null, control);
  const optionsRow = row(c.options, t('fdOptions'), t('fdOptionsHint'));
  const bounds = h('div', { class: 'fd-bounds' }, row(c.min, t('fdMin')), row(c.max, t('fdMax')));
  const number = (text) => { const v = text.trim().replace(',', '.'); return v === '' ? null : Number(v); };

  function showKindParts() {
    optionsRow.hidden = c.kind.value !== 'choice';
    bounds.hidden = c.kind.value !== 'number';
  }

  function take() {
    field.label = c.label.value;
    field.kind = c.kind.value;
    if (field.isNew && !keyTouched) {
      const taken = new Set(others().filter((o) => o !== field).map((o) => o.key));
      c.key.value = keyFrom(c.label.value, taken);
    }
    field.key = c.key.value.trim();
    field.required = c.required.checked;
    field.help = c.help.value;
    field.options = c.options.value.split('\n').map((o) => o.trim()).filter(Boolean);
    field.min = number(c.min.value);
    field.max = number(c.max.value);
    showKindParts();
    changed();
  }

  c.key.addEventListener('input', () => { keyTouched = true; });
  for (const control of Object.values(c)) control.addEventListener(control.type === 'checkbox' || control.tagName === 'SELECT' ? 'change' : 'input', take);
  showKindParts();
  const element = h('div', { class: 'fd-editor', id: id('editor') },
    row(c.label, t('fdLabel')), row(c.kind, t('fdKind')),
    row(c.key, t('fdKey'), t(field.isNew ? 'fdKeyHintNew' : 'fdKeyHintSaved')),
    h('div', { class: 'fd-check' }, c.required, ' ', h('label', { for: c.required.id }, t('fdRequired'))),
    row(c.help, t('fdHelp')), optionsRow, bounds, error);

  // Marks the control a problem is about (by the server's or our own problem code).
  function mark(problem, message) {
    const control = { key_invalid: c.key, key_duplicate: c.key, label_missing: c.label, label_too_long: c.label, help_too_long: c.help,
      options_missing: c.options, too_many_options: c.options, option_empty: c.options, option_too_long: c.options, option_duplicate: c.options,
      bounds_reversed: c.min, bound_not_finite: c.min }[problem] || c.label;
    error.textContent = message;
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby', [control.dataset.hint, error.id].filter(Boolean).join(' '));
    return control;
  }

  function clear() {
    error.textContent = '';
    for (const control of Object.values(c)) {
      control.removeAttribute('aria-invalid');
      if (control.dataset.hint) control.setAttribute('aria-describedby', control.dataset.hint); else control.removeAttribute('aria-describedby');
    }
  }
  c.key.dataset.hint = id('key-hint');
  c.options.dataset.hint = id('options-hint');
  return { element, mark, clear, focus: () => c.label.focus() };
}

// What is wrong with a field before it goes to the server (the server checks again).
export function ownProblem(field, all) {
  if (!field.label.trim()) return 'label_missing';
  if (!/^[a-z][a-z0-9_]{0,39}$/.test(field.key)) return 'key_invalid';
  if (all.filter((f) => f.key === field.key).length > 1) return 'key_duplicate';
  if (field.kind === 'choice' && !field.options.length) return 'options_missing';
  if (field.kind === 'choice' && new Set(field.options).size !== field.options.length) return 'option_duplicate';
  if (field.kind === 'number' && [field.min, field.max].some((v) => v !== null && !Number.isFinite(v))) return 'bound_not_finite';
  if (field.kind === 'number' && field.min !== null && field.max !== null && field.min > field.max) return 'bounds_reversed';
  return null;
}
