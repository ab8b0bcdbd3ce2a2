// The administrators' designer of a hotline's case form: the fields in order, each moved
// up or down with buttons (the focus stays on the button that moved it), opened for
// editing (field_editor.js), or removed; new fields of every kind; saved as a whole with
// the version it was read at: a form someone else saved meanwhile is refused, said, and
// loaded again. Nothing changes for cases until "Formular speichern".
import { h, announce, userText } from '../../dom.js';
import { t, lang } from '../../i18n.js';
import { explain } from '../../sign_in.js';
import { caseForm, saveCaseForm } from './case_api.js';
import { fieldEditor, ownProblem, keyFrom } from './field_editor.js';
import { moment } from './when.js';

let serial = 0;

function working(f) {
  return { uid: ++serial, isNew: false, key: f.key, label: f.label, kind: f.kind, required: Boolean(f.required), help: f.help || '',
    options: [...(f.options || [])], min: f.min ?? null, max: f.max ?? null };
}

function sent(f) {
  const out = { key: f.key, label: f.label.trim(), kind: f.kind, required: f.required, help: f.help.trim() };
  if (f.kind === 'choice') out.options = f.options;
  if (f.kind === 'number') { if (f.min !== null) out.min = f.min; if (f.max !== null) out.max = f.max; }
  return out;
}

// `hotline`: its id; returns the designer's section (it loads the form itself).
export function formDesigner(hotline) {
  let fields = [];
  let version = 0;
  let dirty = false;
  const open = new Set(); // uids of fields whose editor is open
  const editors = new Map();
  const list = h('ol', { class: 'fd-list', id: 'fd-list', 'aria-labelledby': 'fd-h' });
  const state = h('p', { class: 'hint', id: 'fd-state' });
  const error = h('div', { class: 'error', role: 'alert', id: 'fd-error', tabindex: '-1' });
  const done = h('p', { class: 'ok', role: 'status', id: 'fd-done' });

  function drawState(savedAt) {
    state.textContent = dirty ? t('fdUnsaved') : version ? t('fdVersion', { v: version, at: savedAt ? moment(savedAt) : '–' }) : t('fdNeverSaved');
  }

  function changed() {
    if (!dirty) { dirty = true; drawState(); }
    for (const f of fields) {
      const label = list.querySelector(`[data-uid="${f.uid}"] .fd-name`);
      if (label) label.replaceChildren(userText(f.label || t('fdUnnamed')));
      const kind = list.querySelector(`[data-uid="${f.uid}"] .fd-kind`);
      if (kind) kind.textContent = kindWords(f);
    }
  }

  function kindWords(f) { return [t(`caseKind_${f.kind}`), f.required ? t('fdRequiredShort') : null].filter(Boolean).join(', '); }

  function item(f, i) {
    const name = f.label || t('fdUnnamed');
    const action = (what, words, onclick, attrs = {}) => h('button', { type: 'button', class: 'secondary', 'data-key': `${f.uid}-${what}`,
      'aria-label': t(`fd${what}Of`, { n: name }), onclick, ...attrs }, words);
    if (!editors.has(f.uid)) editors.set(f.uid, fieldEditor(f, f.uid, () => fields, changed));
    const editor = editors.get(f.uid);
    const isOpen = open.has(f.uid);
    editor.element.hidden = !isOpen;
    return h('li', { class: 'fd-item', 'data-uid': String(f.uid), 'data-key-name': f.key },
      h('div', { class: 'fd-row' },
        h('span', { class: 'fd-title' }, h('span', { class: 'fd-pos' }, `${i + 1}.`), ' ', h('strong', { class: 'fd-name' }, userText(name)),
          h('span', { class: 'hl-sub fd-kind' }, kindWords(f))),
        h('span', { class: 'fd-actions' },
          action('Up', h('span', {}, h('span', { 'aria-hidden': 'true' }, '↑ '), t('fdUp')), () => move(i, -1), { disabled: i === 0 }),
          action('Down', h('span', {}, h('span', { 'aria-hidden': 'true' }, '↓ '), t('fdDown')), () => move(i, 1), { disabled: i === fields.length - 1 }),
          action('Edit', t('fdEdit'), () => toggle(f), { 'aria-expanded': isOpen ? 'true' : 'false', 'aria-controls': `fd-${f.uid}-editor` }),
          action('Remove', t('fdRemove'), () => remove(i), { class: 'danger' }))),
      editor.element);
  }

  function draw(focusKey = null) {
    list.replaceChildren(...fields.map(item));
    if (!fields.length) list.replaceChildren(h('li', { class: 'hint', id: 'fd-empty' }, t('fdEmpty')));
    if (focusKey) {
      const target = list.querySelector(`[data-key="${focusKey}"]`);
      if (target && !target.disabled) target.focus();
      else (list.querySelector(`[data-key="${focusKey.replace(/-(Up|Down)$/, (m, d) => `-${d === 'Up' ? 'Down' : 'Up'}`)}"]`) || addButton).focus();
    }
  }

  function move(i, by) {
    const j = i + by;
    if (j < 0 || j >= fields.length) return;
    [fields[i], fields[j]] = [fields[j], fields[i]];
    changed();
    draw(`${fields[j].uid}-${by < 0 ? 'Up' : 'Down'}`);
    announce(t('fdMoved', { n: fields[j].label || t('fdUnnamed'), p: j + 1, c: fields.length }));
  }

  function toggle(f) {
    if (open.has(f.uid)) open.delete(f.uid); else open.add(f.uid);
    draw(`${f.uid}-Edit`);
    if (open.has(f.uid)) editors.get(f.uid).focus();
  }

  function remove(i) {
    const [gone] = fields.splice(i, 1);
    open.delete(gone.uid);
    editors.delete(gone.uid);
    changed();
    const next = fields[Math.min(i, fields.length - 1)];
    draw(next ? `${next.uid}-Remove` : null);
    if (!next) addButton.focus();
    announce(t('fdRemoved', { n: gone.label || t('fdUnnamed') }));
  }

  function add() {
    const f = { uid: ++serial, isNew: true, key: keyFrom('feld', new Set(fields.map((o) => o.key))), label: '', kind: 'text',
      required: false, help: '', options: [], min: null, max: null };
    fields.push(f);
    open.add(f.uid);
    changed();
    draw();
    editors.get(f.uid).focus();
    announce(t('fdAdded', { p: fields.length }));
  }

  async function load(message = '') {
    const r = await caseForm(hotline);
    if (!r.ok) { error.textContent = explain(r); return; }
    fields = (r.data.fields || []).map(working);
    version = r.data.version;
    dirty = false;
    open.clear();
    editors.clear();
    draw();
    drawState(r.data.updated_at);
    done.textContent = message;
  }

  // Shows a problem on its field's editor (opened), by the field's key or label quoted
  // in the server's message, with the focus on the control concerned.
  function markField(f, problem, message) {
    open.add(f.uid);
    draw();
    const control = editors.get(f.uid).mark(problem, message);
    control.focus();
  }

  async function save() {
    error.textContent = '';
    done.textContent = '';
    for (const ed of editors.values()) ed.clear();
    for (const f of fields) {
      const problem = ownProblem(f, fields);
      if (problem) { error.textContent = t('fdCheckField', { n: f.label || t('fdUnnamed') }); markField(f, problem, t(`fdProblem_${problem}`)); return; }
    }
    const r = await saveCaseForm(hotline, fields.map(sent), version);
    if (r.ok) {
      fields = (r.data.fields || []).map(working);
      version = r.data.version;
      dirty = false;
      open.clear();
      editors.clear();
      draw();
      drawState(r.data.updated_at);
      done.textContent = t('fdSaved', { v: version });
      return;
    }
    if (r.status === 409) {
      await load();
      error.textContent = t('fdStale');
      error.focus();
      return;
    }
    // The server names the field in its German message (its `field` is "fields" only).
    const quoted = /„([^“]*)“/.exec(r.data?.message || '');
    const f = quoted && fields.find((o) => o.key === quoted[1] || o.label === quoted[1]);
    const own = r.data && r.data.problem ? `fdProblem_${r.data.problem}` : null;
    const message = lang() === 'de' || !own || t(own) === own ? r.data?.message : t(own);
    error.textContent = r.status === 400 && r.data ? t('fdRefused', { m: message }) : explain(r);
    if (f) markField(f, r.data.problem, message); else error.focus();
  }

  const addButton = h('button', { type: 'button', class: 'secondary', id: 'fd-add', onclick: add }, h('span', { 'aria-hidden': 'true' }, '+ '), t('fdAdd'));
  const saveButton = h('button', { type: 'button', id: 'fd-save', onclick: save }, t('fdSave'));
  load();
  return h('section', { class: 'fd', 'data-testid': 'form-designer', 'aria-labelledby': 'fd-h' },
    h('h2', { id: 'fd-h' }, t('fdTitle')), h('p', { class: 'hint' }, t('fdIntro')), state, list,
    h('p', { class: 'button-row' }, addButton), error, h('p', { class: 'button-row' }, saveButton), done);
}
