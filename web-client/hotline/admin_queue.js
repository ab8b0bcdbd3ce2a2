// One queue of a hotline on its admin page, or a new one: name and menu key, distribution
// (ring time, wrap-up, when the next level joins), what waiting callers get (position
// every n seconds, periodic announcement, the callback offer after n seconds of waiting),
// limits and the overflow (a message, another of the hotline's queues or a person:
// admin_overflow.js), the figures'
// thresholds. Saved as a whole (PUT, or POST for a new one); removed after a second
// confirming click (not the last queue, nor one another overflows into: the server says).
import { api } from '../api.js';
import { h, userText } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { STRATEGIES } from './admin_hotline_form.js';
import { row, refuse, clearMarks, settingsMessage } from './form_rows.js';
import { overflowChoice } from './admin_overflow.js';

// Each number's label, hint and allowed range (an empty field: the default, or none).
const NUMBERS = {
  ring_secs: ['hlRingSecs', 'hlRingHint', 5, 120], wrap_up_secs: ['hlWrapSecs', 'hlWrapHint', 0, 900],
  widen_after_secs: ['hleWiden', 'hleWidenHint', 5, 600],
  position_every_secs: ['hlePosition', 'hlePositionHint', 10, 3600], periodic_every_secs: ['hlePeriodic', 'hlePeriodicHint', 10, 3600],
  callback_after_secs: ['hleCallback', 'hleCallbackHint', 0, 3600],
  max_wait_secs: ['hleMaxWait', 'hleMaxWaitHint', 10, 86400], max_length: ['hleMaxLength', 'hleMaxLengthHint', 1, 10000],
  sl_threshold_secs: ['hleSl', 'hleSlHint', 1, 600], short_abandon_secs: ['hleShort', 'hleShortHint', 0, 60],
};
const GROUPS = [['hleGroupDistribution', ['ring_secs', 'wrap_up_secs', 'widen_after_secs']],
  ['hleGroupWaiting', ['position_every_secs', 'periodic_every_secs', 'callback_after_secs']],
  ['hleGroupLimits', ['max_wait_secs', 'max_length']], ['hleGroupFigures', ['sl_threshold_secs', 'short_abandon_secs']]];

// `q`: the queue (null: a new one); `queues`: all of the hotline's (for the overflow);
// `ctx`: { refresh(key, message, focusId) }.
export function queueForm(hotline, q, queues, ctx) {
  const p = q ? `hle-q${q.id}` : 'hle-qnew';
  const value = (k) => (q && q[k] !== null && q[k] !== undefined ? String(q[k]) : '');
  const c = {
    name: h('input', { maxlength: '80', autocomplete: 'off', value: q ? q.name : '' }),
    menu_digit: h('select', {}, h('option', { value: '' }, t('hleNoMenu')),
      ...['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => h('option', { value: d, selected: q && q.menu_digit === d }, d))),
    strategy: h('select', {}, ...STRATEGIES.map((s) => h('option', { value: s, selected: q ? q.strategy === s : s === 'longest_idle' }, t(`hlStrategy_${s}`)))),
  };
  const overflow = overflowChoice(p, q, queues);
  for (const [k, [, , min, max]] of Object.entries(NUMBERS)) {
    c[k] = h('input', { type: 'number', min: String(min), max: String(max), step: '1', value: q ? value(k) : { ring_secs: '20', wrap_up_secs: '30' }[k] || '' });
  }
  const error = h('p', { class: 'error', role: 'alert', id: `${p}-error-all` });
  const controls = [...Object.values(c), ...overflow.controls];

  // The queue as sent; null when the overflow's person is missing (marked there).
  function body() {
    const where = overflow.body();
    if (!where) return null;
    const out = { name: c.name.value.trim(), strategy: c.strategy.value, menu_digit: c.menu_digit.value || undefined, ...where };
    for (const k of Object.keys(NUMBERS)) if (c[k].value.trim() !== '') out[k] = Number(c[k].value);
    return out;
  }

  const submit = async (e) => {
    e.preventDefault();
    error.textContent = '';
    clearMarks(controls);
    const sent = body();
    if (!sent) return;
    const r = await (q ? api('PUT', `/api/v1/admin/hotlines/${hotline}/queues/${q.id}`, sent) : api('POST', `/api/v1/admin/hotlines/${hotline}/queues`, sent))
      .catch(() => ({ ok: false, status: 0 }));
    if (r.ok) {
      await ctx.refresh(q ? 'queue' : 'queues', t(q ? 'hleQueueSaved' : 'hleQueueAdded', { n: sent.name }), q ? null : `hle-q${r.data.id}-h`);
      return;
    }
    const input = r.status === 400 && r.data ? c[r.data.field] || overflow.inputFor(r.data.field) : null;
    if (input) { refuse(input, settingsMessage(r.data, true)); return; }
    error.textContent = r.status === 409 && r.data ? t('hleNotSaved', { m: r.data.message }) : explain(r);
    if (r.status === 409 && /Menütaste/.test(r.data?.message || '')) refuse(c.menu_digit, t('hleMenuTaken'));
  };

  const rows = (keys) => keys.map((k) => row(`${p}-${k}`, t(NUMBERS[k][0]), c[k], t(NUMBERS[k][1])));
  const form = h('form', { class: 'hl-new-form hle-queue-form', id: `${p}-form`, novalidate: true, onsubmit: submit },
    h('fieldset', {}, h('legend', {}, t('hleGroupQueue')),
      row(`${p}-name`, t('hlQueueName'), c.name), row(`${p}-menu`, t('hleMenu'), c.menu_digit, t('hleMenuHint')),
      row(`${p}-strategy`, t('hlStrategy'), c.strategy, t('hlStrategyHint'))),
    ...GROUPS.map(([legend, keys]) => h('fieldset', {}, h('legend', {}, t(legend)), ...rows(keys),
      ...(legend === 'hleGroupLimits' ? overflow.rows : []))),
    error, h('p', { class: 'button-row' }, h('button', { type: 'submit', id: `${p}-save` }, t(q ? 'hleSaveQueue' : 'hleAddQueue'))));
  if (!q) return form;
  return h('section', { class: 'hle-queue', 'data-queue': String(q.id), 'aria-labelledby': `${p}-h` },
    h('h3', { id: `${p}-h`, tabindex: '-1' }, userText(q.name), q.menu_digit ? h('span', { class: 'hl-sub' }, t('hleMenuKeyN', { d: q.menu_digit })) : null),
    form, removeControl(hotline, q, ctx, p));
}

// "Remove" asks once more in place; the server refuses the last queue and an overflow target.
function removeControl(hotline, q, ctx, p) {
  const box = h('div', { class: 'hle-remove' });
  const error = h('p', { class: 'error', role: 'alert', id: `${p}-remove-error` });
  const ask = h('button', { type: 'button', class: 'danger', id: `${p}-remove`, 'aria-label': t('hleRemoveQueueOf', { n: q.name }), onclick: () => {
    const yes = h('button', { type: 'button', class: 'danger', id: `${p}-remove-yes`, onclick: async () => {
      const r = await api('DELETE', `/api/v1/admin/hotlines/${hotline}/queues/${q.id}`).catch(() => ({ ok: false, status: 0 }));
      if (r.ok) { await ctx.refresh('queues', t('hleQueueRemoved', { n: q.name }), 'hle-queues-h'); return; }
      error.textContent = r.status === 409 && r.data ? t('hleNotRemoved', { m: r.data.message }) : explain(r);
      box.replaceChildren(ask, error);
      ask.focus();
    } }, t('hleRemoveYes'));
    const no = h('button', { type: 'button', class: 'secondary', onclick: () => { box.replaceChildren(ask, error); ask.focus(); } }, t('hleRemoveNo'));
    box.replaceChildren(h('p', { role: 'alert', class: 'hle-confirm' }, t('hleRemoveQueueAsk', { n: q.name })), h('p', { class: 'button-row' }, yes, no), error);
    yes.focus();
  } }, t('hleRemoveQueue'));
  box.append(ask, error);
  return box;
}
