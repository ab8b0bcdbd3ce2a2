// Admin: one person — edit, reset the second factor, enrolment letter, unlock, call forwarding.
import { api } from './api.js';
import { h, field, show, errorBox, announce, formatTime, userText } from './dom.js';
import { t } from './i18n.js';
import { explain } from './sign_in.js';
import { forwardingSection } from './forwarding.js';

const ROLES = ['admin', 'supervisor', 'agent', 'user', 'council'];
const FEATURES = ['softphone', 'meetings', 'mobile_work', 'hotline'];

function checks(group, all, chosen) {
  return h('fieldset', {}, h('legend', {}, t(group)), ...all.map((v) => h('span', {},
    h('input', { type: 'checkbox', id: `${group}-${v}`, name: group, value: v, checked: chosen.includes(v) }),
    h('label', { for: `${group}-${v}` }, v))));
}

export async function showPerson(login) {
  const r = await api('GET', `/api/v1/admin/staff/${encodeURIComponent(login)}`);
  const error = errorBox();
  if (!r.ok) { show(t('person'), h('p', { class: 'error', role: 'alert' }, explain(r))); return; }
  const p = r.data;
  const [nameRow, name] = field('p-name', t('name'), { value: p.name, required: true, dir: 'auto' });
  const [extRow, ext] = field('p-extension', t('extension'), { value: p.extension, required: true, inputmode: 'numeric' });
  const [mailRow, mail] = field('p-email', t('email'), { value: p.email || '', type: 'email' });
  const [mobRow, mob] = field('p-mobile', t('mobile'), { value: p.mobile || '', type: 'tel' });
  const form = h('form', { onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    const values = (n) => [...form.querySelectorAll(`input[name=${n}]:checked`)].map((c) => c.value);
    const res = await api('PATCH', `/api/v1/admin/staff/${encodeURIComponent(login)}`, {
      name: name.value, extension: ext.value, email: mail.value || null, mobile: mob.value || null,
      roles: values('roles'), features: values('features'),
    });
    if (!res.ok) { error.textContent = explain(res); return; }
    announce(t('saved'));
  } }, nameRow, extRow, mailRow, mobRow, checks('roles', ROLES, p.roles), checks('features', FEATURES, p.features),
  h('button', { type: 'submit' }, t('save')), error);

  const letter = h('div', { id: 'letter' });
  const sf = p.second_factor;
  const security = h('section', { 'aria-labelledby': 'sec-h' }, h('h2', { id: 'sec-h' }, t('secondFactor')),
    h('p', {}, sf.totp ? t('appActive') : t('appMissing'), ' ', t('codesLeft', { n: sf.recovery_codes_left })),
    h('p', {}, `${t('hasPassword')}: ${p.has_password ? t('yes') : t('no')}`),
    p.locked_until ? h('p', { class: 'error' }, `${t('lockedUntil')}: ${formatTime(p.locked_until)}`) : null,
    h('button', { type: 'button', class: 'danger', onclick: async () => {
      if (!confirm(t('confirmReset'))) return;
      const res = await api('POST', `/api/v1/admin/staff/${encodeURIComponent(login)}/reset-factors`);
      announce(res.ok ? t('resetDone') : explain(res));
    } }, t('resetFactors')), ' ',
    h('button', { type: 'button', onclick: async () => {
      const res = await api('POST', `/api/v1/admin/staff/${encodeURIComponent(login)}/letter-code`);
      if (!res.ok) { error.textContent = explain(res); return; }
      letter.replaceChildren(h('div', { class: 'letter' }, h('h2', {}, t('letterTitle')),
        h('p', {}, userText(res.data.name), ` (${res.data.login})`), h('p', {}, t('letterText')),
        h('p', { class: 'codes', id: 'letter-code' }, res.data.code),
        h('p', {}, `${t('validUntil')}: ${formatTime(res.data.expires_at)}`),
        h('button', { type: 'button', class: 'no-print', onclick: () => window.print() }, t('print'))));
      letter.querySelector('h2').focus?.();
    } }, t('letterCode')), ' ',
    h('button', { type: 'button', class: 'secondary', onclick: async () => {
      const res = await api('POST', `/api/v1/admin/staff/${encodeURIComponent(login)}/unlock`);
      announce(res.ok ? t('unlocked') : explain(res));
    } }, t('unlock')), letter);
  const forwarding = await forwardingSection(`/api/v1/admin/staff/${encodeURIComponent(login)}/forwarding`);
  show([userText(p.name), ` (${p.login})`], h('p', {}, h('a', { href: '#/admin/staff' }, t('back'))), h('p', {}, `${t('unit')}: `, userText(p.unit)), form, security, forwarding);
}
