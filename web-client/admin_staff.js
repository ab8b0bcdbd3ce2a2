// Admin: staff list with search and unit filter; switch a feature for a selection or a whole unit.
import { api } from './api.js';
import { h, show, errorBox, announce, userText, scrollable } from './dom.js';
import { t } from './i18n.js';
import { explain } from './sign_in.js';

const FEATURES = ['softphone', 'meetings', 'mobile_work', 'hotline'];

export async function showStaff() {
  const units = await api('GET', '/api/v1/admin/units');
  const error = errorBox();
  const result = h('div', { id: 'staff-result' });
  const search = h('input', { id: 'staff-search', type: 'search' });
  const unit = h('select', { id: 'staff-unit' }, h('option', { value: '' }, t('allUnits')),
    ...(units.ok ? units.data.units : []).map((u) => h('option', { value: u }, u)));
  const feature = h('select', { id: 'feature' }, ...FEATURES.map((f) => h('option', { value: f }, f)));
  const selected = () => [...result.querySelectorAll('input[name=pick]:checked')].map((c) => c.value);

  async function load() {
    const q = new URLSearchParams({ q: search.value, unit: unit.value, limit: '200' });
    const r = await api('GET', `/api/v1/admin/staff?${q}`);
    if (!r.ok) { error.textContent = explain(r); return; }
    const all = h('input', { type: 'checkbox', id: 'pick-all', 'aria-label': t('selectAll'), onchange: (e) => {
      result.querySelectorAll('input[name=pick]').forEach((c) => { c.checked = e.target.checked; });
    } });
    const rows = r.data.staff.map((s) => h('tr', {},
      h('td', {}, h('input', { type: 'checkbox', name: 'pick', value: s.login, 'aria-label': `${t('select')}: ${s.name}` })),
      h('td', {}, h('a', { href: `#/admin/person/${encodeURIComponent(s.login)}` }, userText(s.name))),
      h('td', {}, s.login), h('td', {}, s.extension), h('td', {}, userText(s.unit)),
      h('td', {}, s.roles.join(', ')), h('td', {}, s.features.join(', '))));
    result.replaceChildren(h('p', { role: 'status' }, t(r.data.total === 1 ? 'foundOne' : 'found', { n: r.data.total })),
      scrollable(t('staff'), h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, all),
        ...[t('name'), t('login'), t('extension'), t('unit'), t('roles'), t('features')].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...rows))));
  }

  async function switchFeature(on, wholeUnit) {
    error.textContent = '';
    const body = { feature: feature.value, on };
    if (wholeUnit) { if (!unit.value) { error.textContent = t('allUnits'); return; } body.unit = unit.value; }
    else { body.logins = selected(); if (!body.logins.length) { error.textContent = t('nothingSelected'); return; } }
    const r = await api('POST', '/api/v1/admin/features', body);
    if (!r.ok) { error.textContent = explain(r); return; }
    announce(t('switched', { f: feature.value, c: r.data.changed, s: r.data.selected }));
    await load();
  }

  const filter = h('form', { class: 'inline', role: 'search', onsubmit: (e) => { e.preventDefault(); load(); } },
    h('div', {}, h('label', { for: 'staff-search' }, t('search')), search),
    h('div', {}, h('label', { for: 'staff-unit' }, t('unit')), unit),
    h('button', { type: 'submit' }, t('filter')));
  const actions = h('form', { class: 'inline', onsubmit: (e) => e.preventDefault() },
    h('div', {}, h('label', { for: 'feature' }, t('feature')), feature),
    h('button', { type: 'button', onclick: () => switchFeature(true, false) }, t('switchOn')),
    h('button', { type: 'button', class: 'secondary', onclick: () => switchFeature(false, false) }, t('switchOff')),
    h('button', { type: 'button', onclick: () => switchFeature(true, true) }, t('unitOn')),
    h('button', { type: 'button', class: 'secondary', onclick: () => switchFeature(false, true) }, t('unitOff')));
  show(t('staff'), filter, actions, error, result);
  await load();
}
