// Where a queue's calls go when it overflows (after the longest wait, or when it is full):
// the "closed" message, another of the hotline's queues, a person, rung like any call
// to them, or the hotline's voicemail box (its supervisors hear the messages). The person is picked with the directory search of the phone (dial_search.js:
// type a name, choose with the arrow keys) or typed as a login; the server names them by
// login (`overflow_target`) and refuses one not in the directory at the person's field.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { dialField } from '../phone/dial_search.js';
import { row, refuse } from './form_rows.js';

const PERSON = 'person';
const VOICEMAIL = 'voicemail';

// `p`: the form's id prefix; `q`: the queue (null: a new one); `queues`: the hotline's.
// Returns { rows (to place in the form), controls (to clear marks on), inputFor(field),
// body() ({ overflow_kind, overflow_target }, or null after marking a missing person) }.
export function overflowChoice(p, q, queues) {
  const kind = q ? q.overflow_kind : 'closed';
  const select = h('select', {}, h('option', { value: '' }, t('hleOverflowClosed')),
    ...queues.filter((o) => !q || o.id !== q.id).map((o) => h('option', { value: String(o.id),
      selected: kind === 'queue' && q.overflow_target === String(o.id) }, t('hleOverflowTo', { n: o.name }))),
    h('option', { value: PERSON, selected: kind === PERSON }, t('hleOverflowPerson')),
    h('option', { value: VOICEMAIL, selected: kind === VOICEMAIL }, t('hleOverflowVoicemail')));
  const id = `${p}-overflow-person`;
  const search = dialField(id, t('hleOverflowWho'), id, t('hleOverflowWhoHint'));
  const input = search.input;
  // As row() has it: the hint stays among what describes the field when a mark comes off.
  input.dataset.describedby = `${id}-hint`;
  if (kind === PERSON) input.value = q.overflow_target || '';
  const person = h('div', { class: 'hl-field hle-overflow-person' }, search.element,
    h('p', { class: 'error hl-field-error', id: `${id}-error` }));
  const follow = () => { person.hidden = select.value !== PERSON; };
  select.addEventListener('change', follow);
  follow();

  const toPerson = () => select.value === PERSON;
  return {
    rows: [row(`${p}-overflow`, t('hleOverflow'), select, t('hleOverflowHint')), person],
    controls: [select, input],
    // The server's field: the person's when a person was named, else the choice.
    inputFor: (field) => (/(^|\.)overflow_(kind|target)$/.test(field) ? (toPerson() && /target$/.test(field) ? input : select) : null),
    body() {
      if (select.value === VOICEMAIL) return { overflow_kind: VOICEMAIL };
      if (!toPerson()) return { overflow_kind: select.value ? 'queue' : 'closed', overflow_target: select.value || undefined };
      const chosen = search.peer();
      const login = chosen ? chosen.login : input.value.trim();
      if (!login) { refuse(input, t('hleOverflowWhoMissing')); return null; }
      return { overflow_kind: PERSON, overflow_target: login };
    },
  };
}
