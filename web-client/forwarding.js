// Call forwarding: three rules — always, when busy, when not answered after N seconds —
// each on or off with a target: a colleague's extension or the own voicemail box (the API's
// target "voicemail"), chosen by two radio buttons. A section of "My phones", and of an
// admin's person page. Refusals name the field and a problem code; the text is ours, in the
// chosen language, next to the field it concerns.
import { api } from './api.js';
import { h, errorBox, announce, userText } from './dom.js';
import { t, tParts } from './i18n.js';
import { explain } from './sign_in.js';

const KINDS = ['always', 'busy', 'no_answer'];
// The target that is the person's voicemail box.
const VOICEMAIL = 'voicemail';

// The section for the rules at `path` (GET and PUT): the own ones by default.
export async function forwardingSection(path = '/api/v1/me/forwarding') {
  const res = await api('GET', path);
  const heading = h('h2', { id: 'fwd-h' }, t('forwarding'));
  if (!res.ok) return h('section', { 'aria-labelledby': 'fwd-h' }, heading, h('p', { class: 'error' }, explain(res)));
  return h('section', { 'aria-labelledby': 'fwd-h', class: 'forwarding' }, heading,
    h('p', {}, t('fwdIntro', { e: res.data.extension })), forwardingForm(path, res.data));
}

function ruleFields(kind, rule) {
  const id = `fwd-${kind}`;
  const toBox = rule.target === VOICEMAIL;
  const hint = h('p', { class: 'hint', id: `${id}-hint` }, t(`fwdHint_${kind}`));
  const on = h('input', { type: 'checkbox', id: `${id}-on`, checked: rule.on, 'aria-describedby': hint.id });
  const who = h('p', { class: 'hint', id: `${id}-who` });
  const target = h('input', { id: `${id}-target`, inputmode: 'numeric', autocomplete: 'off', maxlength: 15,
    value: toBox ? '' : rule.target || '', 'aria-describedby': who.id, 'data-describedby': who.id });
  // Where calls go: an extension (typed below) or the voicemail box (nothing to type, so
  // the extension field is hidden, keeping what was typed for switching back).
  const radio = (value, checked) => h('input', { type: 'radio', name: `${id}-to`, id: `${id}-to-${value}`, value, checked,
    onchange: () => { extension.hidden = mailbox.checked; } });
  const toExtension = radio('extension', !toBox);
  const mailbox = radio(VOICEMAIL, toBox);
  const extension = h('div', { hidden: toBox }, h('label', { for: target.id }, t('fwdTarget')), target, who);
  const f = { on, target, who, mailbox };
  const parts = [hint, h('div', {}, on, ' ', h('label', { for: on.id }, t('fwdOn'))),
    h('fieldset', { class: 'fwd-to' }, h('legend', {}, t('fwdTo')),
      h('span', {}, toExtension, ' ', h('label', { for: toExtension.id }, t('fwdToExtension'))),
      h('span', {}, mailbox, ' ', h('label', { for: mailbox.id }, t('fwdToMailbox')))),
    extension];
  if (kind === 'no_answer') {
    f.seconds = h('input', { type: 'number', id: `${id}-seconds`, min: 5, max: 120, step: 1, value: rule.seconds });
    parts.push(h('div', {}, h('label', { for: f.seconds.id }, t('fwdSeconds')), f.seconds));
  }
  showTarget(f, rule);
  return [f, h('fieldset', { id }, h('legend', {}, t(`fwd_${kind}`)), ...parts)];
}

// "Goes to: Dora Dorn" under a target the directory knows.
function showTarget(f, rule) {
  f.who.replaceChildren(...(rule.target_name ? tParts('fwdGoesTo', { n: userText(rule.target_name) }) : []));
}

function forwardingForm(path, data) {
  const error = errorBox();
  error.id = 'fwd-error';
  const saved = h('p', { class: 'ok', id: 'fwd-saved' });
  const fields = {};
  const sets = KINDS.map((kind) => {
    const [f, set] = ruleFields(kind, data[kind]);
    fields[kind] = f;
    return set;
  });
  const inputs = () => KINDS.flatMap((k) => [fields[k].target, fields[k].seconds]).filter(Boolean);

  function clear() {
    error.textContent = '';
    saved.textContent = '';
    for (const input of inputs()) {
      input.removeAttribute('aria-invalid');
      const own = input.dataset.describedby;
      if (own) input.setAttribute('aria-describedby', own); else input.removeAttribute('aria-describedby');
    }
  }

  // Shows a refusal next to its field: marked invalid, described by the message, focused.
  function refuse(field, problem) {
    const [kind, part] = field.split('.');
    const input = part === 'seconds' ? fields.no_answer.seconds : fields[kind]?.target;
    error.textContent = t(`fwdProblem_${problem}`, { r: t(`fwd_${kind}`), x: input ? input.value.trim() : '' });
    if (!input) return;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', `${input.getAttribute('aria-describedby') || ''} ${error.id}`.trim());
    input.focus();
  }

  const form = h('form', { novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    clear();
    const seconds = fields.no_answer.seconds.value.trim();
    if (!/^\d{1,3}$/.test(seconds)) { refuse('no_answer.seconds', 'seconds_out_of_range'); return; }
    const body = {};
    for (const kind of KINDS) {
      const f = fields[kind];
      body[kind] = { on: f.on.checked, target: f.mailbox.checked ? VOICEMAIL : f.target.value.trim() || null };
    }
    body.no_answer.seconds = Number(seconds);
    const r = await api('PUT', path, body);
    if (!r.ok) {
      if (r.status === 400 && r.data && r.data.problem) refuse(r.data.field || '', r.data.problem);
      else error.textContent = explain(r);
      return;
    }
    for (const kind of KINDS) {
      if (r.data[kind].target !== VOICEMAIL) fields[kind].target.value = r.data[kind].target || '';
      showTarget(fields[kind], r.data[kind]);
    }
    saved.textContent = t('fwdSaved');
    announce(t('fwdSaved'));
  } }, ...sets, h('button', { type: 'submit' }, t('fwdSave')), error, saved);
  return form;
}
