// The administrators' form that sets up a hotline in one step (POST /api/v1/admin/hotlines):
// name, numbers, holidays of a state, opening hours per weekday, the first queue, agents
// and supervisors by login. A refused field (400: field, problem) is marked invalid and
// described by its message right under it, and takes the focus; a taken number (409) is
// said above the button. Messages are ours, in the chosen language.
import { api } from '../api.js';
import { h, errorBox } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { row, refuse, clearMarks, settingsMessage } from './form_rows.js';

export const STATES = ['BW', 'BY', 'BE', 'BB', 'HB', 'HH', 'HE', 'MV', 'NI', 'NW', 'RP', 'SL', 'SN', 'ST', 'SH', 'TH'];
export const STRATEGIES = ['longest_idle', 'ring_all', 'round_robin', 'fewest_calls', 'skills'];
const DAYS = [0, 1, 2, 3, 4, 5, 6];

function logins(text) { return text.split(/[,;\s]+/).map((l) => l.trim()).filter(Boolean); }

// `created(answer, name)` runs after a hotline was set up.
export function hotlineForm(created) {
  const c = {
    name: h('input', { maxlength: '80', autocomplete: 'off' }),
    extension: h('input', { inputmode: 'numeric', maxlength: '8', autocomplete: 'off' }),
    did: h('input', { inputmode: 'tel', autocomplete: 'off' }),
    holiday_state: h('select', {}, h('option', { value: '' }, t('hlNoState')), ...STATES.map((s) => h('option', { value: s }, t(`hlLand${s}`)))),
    queueName: h('input', { maxlength: '80', autocomplete: 'off' }),
    strategy: h('select', {}, ...STRATEGIES.map((s) => h('option', { value: s }, t(`hlStrategy_${s}`)))),
    ring: h('input', { type: 'number', min: '5', max: '120', step: '1', value: '20' }),
    wrap: h('input', { type: 'number', min: '0', max: '900', step: '1', value: '30' }),
    agents: h('input', { autocomplete: 'off' }),
    supervisors: h('input', { autocomplete: 'off' }),
  };
  const hours = DAYS.map(() => h('input', { autocomplete: 'off' }));
  const error = errorBox();
  error.id = 'hl-new-error';
  const done = h('p', { class: 'ok', role: 'status', id: 'hl-new-done' });
  // Where each of the server's fields is shown.
  const byField = { name: c.name, extension: c.extension, did: c.did, holiday_state: c.holiday_state,
    'queue.name': c.queueName, 'queue.strategy': c.strategy, 'queue.ring_secs': c.ring, 'queue.wrap_up_secs': c.wrap,
    agents: c.agents, 'agents.level': c.agents, supervisors: c.supervisors };
  hours.forEach((input, i) => { byField[`hours.${i}`] = input; });
  const controls = [...Object.values(c), ...hours];

  function clear() {
    error.textContent = '';
    done.textContent = '';
    clearMarks(controls);
  }

  // The server names "agents" for any unknown login; one that is only among the
  // supervisors is marked there.
  function inputFor(data) {
    const quoted = /„([^“]*)“/.exec(data.message || '');
    if (data.problem === 'unknown_login' && quoted && logins(c.supervisors.value).includes(quoted[1])
      && !logins(c.agents.value).includes(quoted[1])) return c.supervisors;
    return byField[data.field] || null;
  }

  function body() {
    const number = (input) => (input.value.trim() === '' ? undefined : Number(input.value));
    const days = hours.map((input) => input.value.trim());
    return {
      // "+49 9321 928-2900" as people write it, sent as the server takes it (E.164).
      name: c.name.value.trim(), extension: c.extension.value.trim(), did: c.did.value.replace(/[\s\-/().]/g, '') || undefined,
      holiday_state: c.holiday_state.value || undefined,
      hours: days.some(Boolean) ? days : undefined,
      queue: { name: c.queueName.value.trim(), strategy: c.strategy.value, ring_secs: number(c.ring), wrap_up_secs: number(c.wrap) },
      agents: logins(c.agents.value).map((login) => ({ login })),
      supervisors: logins(c.supervisors.value),
    };
  }

  const submit = h('button', { type: 'submit', id: 'hl-new-submit' }, t('hlCreate'));
  const form = h('form', { id: 'hl-new-form', class: 'hl-new-form', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    clear();
    const sent = body();
    const r = await api('POST', '/api/v1/admin/hotlines', sent).catch(() => ({ ok: false, status: 0, data: null }));
    if (r.ok) {
      form.reset();
      done.textContent = t('hlCreated', { n: sent.name, e: sent.extension });
      created(r.data, sent.name);
      return;
    }
    const input = r.status === 400 && r.data ? inputFor(r.data) : null;
    if (input) { refuse(input, settingsMessage(r.data)); return; }
    if (r.status === 409 && r.data) {
      // The taken number is the direct number when the message names it, else the extension.
      const taken = sent.did && (r.data.message || '').includes(sent.did) ? c.did : c.extension;
      error.textContent = t('hlTaken', { m: r.data.message });
      taken.setAttribute('aria-invalid', 'true');
      taken.setAttribute('aria-describedby', [taken.dataset.describedby, error.id].filter(Boolean).join(' '));
      taken.focus();
      return;
    }
    error.textContent = explain(r);
  } },
  h('fieldset', {}, h('legend', {}, t('hlNameNumbers')),
    row('hl-new-name', t('name'), c.name),
    row('hl-new-extension', t('hlExtension'), c.extension, t('hlExtensionHint')),
    row('hl-new-did', t('hlDid'), c.did, t('hlDidHint')),
    row('hl-new-state', t('hlHolidayState'), c.holiday_state, t('hlHolidayHint'))),
  h('fieldset', { 'aria-describedby': 'hl-hours-hint' }, h('legend', {}, t('hlHours')),
    h('p', { class: 'hint', id: 'hl-hours-hint' }, t('hlHoursHint')),
    h('div', { class: 'hl-hours' }, ...hours.map((input, i) => row(`hl-new-hours-${i}`, t(`hlDay_${i}`), input)))),
  h('fieldset', {}, h('legend', {}, t('hlFirstQueue')),
    row('hl-new-queue', t('hlQueueName'), c.queueName),
    row('hl-new-strategy', t('hlStrategy'), c.strategy, t('hlStrategyHint')),
    row('hl-new-ring', t('hlRingSecs'), c.ring, t('hlRingHint')),
    row('hl-new-wrap', t('hlWrapSecs'), c.wrap, t('hlWrapHint'))),
  h('fieldset', {}, h('legend', {}, t('hlPeople')),
    row('hl-new-agents', t('hlAgents'), c.agents, t('hlLoginsHint')),
    row('hl-new-supervisors', t('hlSupervisors'), c.supervisors, t('hlLoginsHint'))),
  error, submit, done);
  return form;
}
