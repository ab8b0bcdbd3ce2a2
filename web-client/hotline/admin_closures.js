// A hotline's one-off closures (a day or several, with a reason): rows to add, change and
// remove, saved together (PUT …/closures); a refused row is marked on its first day.
import { api } from '../api.js';
import { h, announce } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { refuse, clearMarks, settingsMessage } from './form_rows.js';

let serial = 0;

export function closuresEditor(id, d, ctx) {
  const rows = [];
  const list = h('ul', { class: 'hle-closures', id: 'hle-closures', 'aria-labelledby': 'hle-closures-h' });
  const error = h('p', { class: 'error', role: 'alert', id: 'hle-closures-error' });
  const none = h('p', { class: 'hint', id: 'hle-closures-none' }, t('hleNoClosures'));

  function addRow(c = { first_day: '', last_day: '', reason: '' }, focus = false) {
    const n = ++serial;
    const first = h('input', { type: 'date', id: `hle-cl-${n}-first`, value: c.first_day });
    const last = h('input', { type: 'date', id: `hle-cl-${n}-last`, value: c.last_day });
    const reason = h('input', { id: `hle-cl-${n}-reason`, maxlength: '120', autocomplete: 'off', value: c.reason || '' });
    const item = h('li', { class: 'hle-closure', 'data-closure': String(n) });
    const entry = { item, first, last, reason };
    const remove = h('button', { type: 'button', class: 'secondary', onclick: () => {
      const at = rows.indexOf(entry);
      rows.splice(at, 1);
      item.remove();
      relabel();
      (rows[at]?.first || rows[at - 1]?.first || addButton).focus();
      announce(t('hleClosureRemoved'));
    } }, t('fdRemove'));
    entry.remove = remove;
    const cell = (input, label) => h('div', {}, h('label', { for: input.id }, label), input, h('p', { class: 'error hl-field-error', id: `${input.id}-error` }));
    item.append(cell(first, t('hleFirstDay')), cell(last, t('hleLastDay')), cell(reason, t('hleReason')), remove);
    rows.push(entry);
    list.append(item);
    relabel();
    if (focus) first.focus();
  }

  // Each row's remove button names its row; the hint shows while there is none.
  function relabel() {
    rows.forEach((r, i) => r.remove.setAttribute('aria-label', t('hleRemoveClosureN', { n: i + 1 })));
    none.hidden = rows.length > 0;
  }

  for (const c of d.closures || []) addRow(c);
  const addButton = h('button', { type: 'button', class: 'secondary', id: 'hle-closure-add', onclick: () => addRow(undefined, true) },
    h('span', { 'aria-hidden': 'true' }, '+ '), t('hleAddClosure'));
  const save = h('button', { type: 'button', id: 'hle-closures-save', onclick: async () => {
    error.textContent = '';
    clearMarks(rows.flatMap((r) => [r.first, r.last]));
    // An untouched empty row is no closure.
    const filled = rows.filter((r) => r.first.value || r.last.value || r.reason.value.trim());
    const body = filled.map((r) => ({ first_day: r.first.value, last_day: r.last.value || r.first.value, reason: r.reason.value.trim() }));
    const r = await api('PUT', `/api/v1/admin/hotlines/${id}/closures`, body).catch(() => ({ ok: false, status: 0 }));
    if (r.ok) { await ctx.refresh('hours', t('hleClosuresSaved', { n: body.length })); return; }
    const at = r.status === 400 && r.data ? /^closures\.(\d+)$/.exec(r.data.field || '') : null;
    if (at && filled[Number(at[1])]) {
      const bad = filled[Number(at[1])];
      const message = settingsMessage(r.data);
      refuse(bad.last.value && bad.first.value ? bad.last : bad.first, message);
      error.textContent = t('hleClosureRefused', { n: Number(at[1]) + 1, m: message });
      return;
    }
    error.textContent = explain(r);
  } }, t('hleSaveClosures'));
  return h('div', { class: 'hle-closures-box' }, h('h3', { id: 'hle-closures-h' }, t('hleClosures')),
    h('p', { class: 'hint' }, t('hleClosuresHint')), none, list, h('p', { class: 'button-row' }, addButton, save), error);
}
