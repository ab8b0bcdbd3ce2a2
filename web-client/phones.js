// My phones: the person's SIP devices, adding an own softphone (its password is shown
// once, with what to type into common softphones), and call forwarding.
import { api } from './api.js';
import { h, show, errorBox, announce, pageStillShown, formatTime, userText, scrollable } from './dom.js';
import { t } from './i18n.js';
import { explain } from './sign_in.js';
import { forwardingSection } from './forwarding.js';

export async function showPhones() {
  const page = pageStillShown();
  const [res, forwarding] = await Promise.all([api('GET', '/api/v1/me/phones'), forwardingSection()]);
  if (!page() || !res.ok) return;
  const { phones, softphone } = res.data;
  show(t('phonesTitle'), h('p', {}, t('phonesIntro')),
    phones.length ? phoneTable(phones) : h('p', {}, t('noPhones')),
    softphone ? addForm() : h('p', { class: 'hint' }, t('noSoftphoneFeature')), forwarding);
}

function phoneTable(phones) {
  const rows = phones.map((p) => h('tr', {},
    h('th', { scope: 'row' }, userText(p.label)), h('td', {}, p.sip_username), h('td', {}, p.extension), h('td', {}, formatTime(p.created_at)),
    h('td', {}, h('button', { type: 'button', class: 'secondary', 'aria-label': `${t('remove')}: ${p.label}`, onclick: async () => {
      if (!confirm(t('confirmRemovePhone', { l: p.label }))) return;
      const r = await api('DELETE', `/api/v1/me/phones/${encodeURIComponent(p.sip_username)}`);
      if (r.ok) { announce(t('phoneRemoved', { l: p.label })); showPhones(); }
    } }, t('remove')))));
  return scrollable(t('phonesTitle'), h('table', { id: 'phone-table' },
    h('thead', {}, h('tr', {}, ...[t('deviceLabel'), t('sipUser'), t('extension'), t('created'), ''].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows)));
}

function addForm() {
  const error = errorBox();
  const label = h('input', { id: 'phone-label', required: true, maxlength: 60, value: t('defaultPhoneLabel') });
  const form = h('form', { class: 'inline', onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    const r = await api('POST', '/api/v1/me/phones', { label: label.value });
    if (!r.ok) { error.textContent = explain(r); return; }
    showCredentials(r.data);
  } },
  h('div', { class: 'grow' }, h('label', { for: 'phone-label' }, t('deviceLabel')), label),
  h('button', { type: 'submit' }, t('addSoftphone')));
  return h('section', { 'aria-labelledby': 'add-phone-h' }, h('h2', { id: 'add-phone-h' }, t('addSoftphone')), form, error);
}

function showCredentials(d) {
  const item = (key, value, id) => [h('dt', {}, t(key)), h('dd', { id }, h('code', {}, value))];
  show(t('credentialsTitle'),
    h('p', { class: 'ok' }, t('credentialsOnce')),
    h('dl', { class: 'credentials' },
      ...item('sipUser', d.sip_username, 'cred-user'), ...item('password', d.sip_password, 'cred-password'),
      ...item('sipDomain', d.domain, 'cred-domain'), ...item('extension', d.extension, 'cred-extension')),
    h('h2', {}, t('howToSetUp')),
    h('ul', {},
      h('li', {}, t('hintGeneric', { u: d.sip_username, d: d.domain })),
      h('li', {}, t('hintLinphone')),
      h('li', {}, t('hintMicrosip')),
      h('li', {}, t('hintBaresip', { u: d.sip_username, d: d.domain }))),
    h('button', { type: 'button', onclick: () => showPhones() }, t('done')));
}
