// The administrators' rollout page (#/admin/rollout), from GET /api/v1/admin/rollout: per
// offer its cap, how many use it and the waiting list in order (a table that becomes cards
// at phone width), a form to raise or lower the cap (PUT …/{feature}/cap: a higher cap
// admits the next in line) and the set-up of the list's order and criteria (PUT …/{feature}).
import { api } from '../api.js';
import { h, show, announce, pageStillShown, stackedTable, userText, errorBox } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { reportSection } from './report.js';

const PATH = '/api/v1/admin/rollout';

const name = (f) => t(`roF_${f.feature}`);

// "key; label; weight" lines as criteria.
function parseCriteria(text) {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((line) => {
    const [key = '', label = '', weight = '0'] = line.split(';').map((p) => p.trim());
    return { key, label, weight: Number.parseInt(weight, 10) || 0 };
  });
}

// The criteria `w` meets, as checkboxes with a save button (the administration records
// them from the proof it holds; they order the list).
function criteriaCell(f, w, reload) {
  if (!f.criteria.length) return h('td', {}, '–');
  const base = `ro-${f.feature}-${w.login.replace(/[^a-z0-9]/gi, '_')}`;
  const boxes = f.criteria.map((c) => h('input', { type: 'checkbox', id: `${base}-${c.key}`, value: c.key, checked: w.criteria.includes(c.key) }));
  const save = h('button', { type: 'button', class: 'secondary', 'data-testid': 'ro-save-criteria',
    'aria-label': t('roSaveCriteriaOf', { w: w.name }), onclick: async () => {
      const criteria = boxes.filter((b) => b.checked).map((b) => b.value);
      const r = await api('PUT', `${PATH}/${f.feature}/waiting/${encodeURIComponent(w.login)}`, { criteria }).catch(() => ({ ok: false, status: 0 }));
      if (!r.ok) { announce(explain(r)); return; }
      await reload(`ro-${f.feature}-waiting-h`);
      announce(t('roCriteriaSaved', { w: w.name }));
    } }, t('roSaveCriteria'));
  return h('td', {}, h('fieldset', { class: 'ro-criteria' }, h('legend', { class: 'visually-hidden' }, t('roCriteriaOf', { w: w.name })),
    ...f.criteria.map((c, i) => h('div', {}, boxes[i], ' ', h('label', { for: boxes[i].id }, userText(c.label))))), save);
}

function waitingTable(f, reload) {
  if (!f.waiting.length) return h('p', { 'data-testid': 'ro-waiting-none' }, t('roWaitingNone'));
  const heads = [t('roPosition'), t('roName'), t('roUnit'), t('roApplied'), t('roCriteriaMet')];
  const rows = f.waiting.map((w) => h('tr', { 'data-testid': 'ro-waiting-row', 'data-login': w.login },
    h('td', {}, String(w.position)), h('th', { scope: 'row' }, userText(w.name)), h('td', {}, userText(w.unit)),
    h('td', {}, w.applied_at.replace('T', ' ').slice(0, 16)), criteriaCell(f, w, reload)));
  return stackedTable(t('roWaiting'), {}, heads, rows);
}

function featureSection(f, reload) {
  const id = `ro-${f.feature}`;
  const error = errorBox();
  const capInput = h('input', { id: `${id}-cap`, type: 'number', min: '0', inputmode: 'numeric', value: f.cap ?? '',
    'aria-describedby': `${id}-status` });
  const capValue = () => (capInput.value.trim() === '' ? null : Number(capInput.value));
  const capForm = h('form', { class: 'ro-cap', 'data-testid': 'ro-cap-form', onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    const before = f.holders;
    const r = await api('PUT', `${PATH}/${f.feature}/cap`, { cap: capValue() }).catch(() => ({ ok: false, status: 0 }));
    if (!r.ok) { error.textContent = explain(r); capInput.setAttribute('aria-invalid', 'true'); capInput.focus(); return; }
    await reload(`${id}-h`);
    announce(t('roCapSaved', { f: name(f), n: r.data.holders - before > 0 ? r.data.holders - before : 0 }));
  } },
  h('label', { for: capInput.id }, t('roCap')), capInput,
  h('button', { type: 'submit', 'data-testid': 'ro-save-cap' }, t('roSaveCap')));
  const scheme = h('select', { id: `${id}-scheme` },
    h('option', { value: 'weights', selected: f.scheme === 'weights' }, t('roWeights')),
    h('option', { value: 'tiers', selected: f.scheme === 'tiers' }, t('roTiers')));
  const criteria = h('textarea', { id: `${id}-criteria`, rows: '3', 'aria-describedby': `${id}-criteria-hint` },
    f.criteria.map((c) => `${c.key}; ${c.label}; ${c.weight}`).join('\n'));
  const settings = h('form', { class: 'ro-settings', 'data-testid': 'ro-settings-form', onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    const body = { cap: f.configured ? f.cap : capValue(), scheme: scheme.value, criteria: parseCriteria(criteria.value) };
    const r = await api('PUT', `${PATH}/${f.feature}`, body).catch(() => ({ ok: false, status: 0 }));
    if (!r.ok) { error.textContent = explain(r); criteria.focus(); return; }
    await reload(`${id}-h`);
    announce(t('roSettingsSaved', { f: name(f) }));
  } },
  f.configured ? null : h('div', {}, h('label', { for: capInput.id }, t('roCap')), capInput),
  h('div', {}, h('label', { for: scheme.id }, t('roScheme')), scheme),
  h('div', {}, h('label', { for: criteria.id }, t('roCriteria')), h('p', { class: 'hint', id: `${id}-criteria-hint` }, t('roCriteriaHint')), criteria),
  h('p', { class: 'button-row' }, h('button', { type: 'submit', 'data-testid': 'ro-save-settings' }, f.configured ? t('roSaveSettings') : t('roSetUp'))));
  const status = f.configured
    ? `${t('roCapIs', { c: f.cap ?? t('roCapNone') })} · ${t('roHolders', { n: f.holders })} · ${t('roWaiting')}: ${f.waiting.length}`
    : t('roNotSetUp');
  return h('section', { class: 'mw-section ro-feature', 'aria-labelledby': `${id}-h`, 'data-testid': `ro-feature-${f.feature}` },
    h('h2', { id: `${id}-h`, tabindex: '-1' }, name(f)),
    h('p', { id: `${id}-status`, 'data-testid': 'ro-status' }, status),
    error,
    f.configured ? capForm : null,
    f.configured ? h('h3', { id: `${id}-waiting-h`, tabindex: '-1' }, t('roWaiting')) : null,
    f.configured ? waitingTable(f, reload) : null,
    h('details', { open: !f.configured }, h('summary', {}, t('roSettings')), settings));
}

export async function showAdminRollout() {
  const page = pageStillShown();
  const content = h('div', { class: 'ro-page' });
  async function reload(focus) {
    const r = await api('GET', PATH).catch(() => ({ ok: false, status: 0 }));
    if (!page()) return;
    if (!r.ok) { content.replaceChildren(h('p', { class: 'error' }, explain(r))); return; }
    content.replaceChildren(...r.data.features.map((f) => featureSection(f, reload)));
    if (focus) document.getElementById(focus)?.focus();
  }
  show(t('roTitle'), h('p', { class: 'mw-section' }, t('roIntro')), content, reportSection());
  await reload(null);
}
