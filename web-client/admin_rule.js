// Admin: who must use a second factor — everyone, units, or sign-ins from outside the office.
import { api } from './api.js';
import { h, show, errorBox, announce } from './dom.js';
import { t } from './i18n.js';
import { explain } from './sign_in.js';

export async function showRule() {
  const [rule, units] = await Promise.all([api('GET', '/api/v1/admin/second-factor'), api('GET', '/api/v1/admin/units')]);
  const error = errorBox();
  const current = rule.ok ? rule.data : { everyone: false, units: [], outside_office: false };
  const box = (id, label, checked) => h('div', {}, h('input', { type: 'checkbox', id, checked }), ' ', h('label', { for: id, style: 'display:inline' }, label));
  const everyone = box('rule-everyone', t('ruleEveryone'), current.everyone);
  const outside = box('rule-outside', t('ruleOutside'), current.outside_office);
  const unitList = (units.ok ? units.data.units : []).map((u, i) =>
    h('div', {}, h('input', { type: 'checkbox', id: `rule-unit-${i}`, name: 'rule-unit', value: u, checked: current.units.includes(u) }), ' ',
      h('label', { for: `rule-unit-${i}`, style: 'display:inline; font-weight:400' }, u)));
  const form = h('form', { onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    const body = {
      everyone: form.querySelector('#rule-everyone').checked,
      outside_office: form.querySelector('#rule-outside').checked,
      units: [...form.querySelectorAll('input[name=rule-unit]:checked')].map((c) => c.value),
    };
    const r = await api('PUT', '/api/v1/admin/second-factor', body);
    if (!r.ok) { error.textContent = explain(r); return; }
    announce(t('saved'));
  } }, everyone, outside, h('fieldset', {}, h('legend', {}, t('ruleUnits')), ...unitList), h('button', { type: 'submit' }, t('save')), error);
  show(t('rule'), h('p', {}, t('ruleIntro')), form);
}
