// The administrators' page of the access gateway (#/admin/apps): the published
// applications as a table that becomes cards at phone width (each with who may use it,
// its reachability from the last health check – in words, the colour only repeats it –
// and how many use it now; edit and remove with a confirmation), and a form to publish
// one or to change its rule (every field of docs/gateway.md). The server checks
// everything; what it refuses is said at the field it names (and in an alert), the focus
// on the first refused field.
import { api } from '../api.js';
import { h, show, pageStillShown, userText, stackedTable, formatTime } from '../dom.js';
import { t, lang } from '../i18n.js';
import { explain } from '../sign_in.js';
import { appsOf } from './apps.js';

const BASE = '/api/v1/admin/gateway/apps';
const ROLES = ['admin', 'supervisor', 'agent', 'user', 'council'];
const FEATURES = ['softphone', 'meetings', 'mobile_work', 'hotline'];
const DAYS = [1, 2, 3, 4, 5, 6, 7];
const fail = () => ({ ok: false, status: 0 });

// The refused fields of an answer: `fields`, or the single `field`, else one without.
function issuesOf(res) {
  const data = res.data || {};
  if (Array.isArray(data.fields) && data.fields.length) return data.fields;
  if (res.status === 409) return [{ field: data.field || 'name', message: data.message || t('gwErrTaken') }];
  return [{ field: data.field || '', message: res.status === 422 && data.message ? data.message : explain(res) }];
}

// A field's top-level key: `hours.from` → hours, `units[1]` → units.
const topOf = (field) => String(field || '').split(/[.[]/)[0];

// A labelled control with its hint and its own error line; `inputs` are what a refusal
// marks (the control, or a group's checkboxes).
function describe(input, ...ids) {
  const list = ids.filter(Boolean).join(' ');
  input.dataset.hints = list;
  if (list) input.setAttribute('aria-describedby', list); else input.removeAttribute('aria-describedby');
}

function errorLine(id) {
  return h('p', { class: 'gw-field-error error', id: `${id}-error`, 'data-testid': `${id}-error` });
}

function labelled(id, label, attrs, { tag = 'input', hint = null } = {}) {
  const input = h(tag, { id, name: id, 'data-testid': id, ...attrs });
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  const err = errorLine(id);
  describe(input, hintEl?.id);
  return { row: h('div', { class: 'gw-row' }, h('label', { for: id }, label), hintEl, input, err), input, inputs: [input], err };
}

function checkboxes(prefix, values, textOf) {
  return values.map((v) => h('input', { type: 'checkbox', id: `${prefix}-${v}`, name: prefix, value: String(v), 'data-testid': `${prefix}-${v}` }))
    .map((box) => ({ box, item: h('span', { class: 'gw-choice' }, box, ' ', h('label', { for: box.id }, textOf(box.value))) }));
}

function group(id, legend, boxes, { hint = null, extra = [] } = {}) {
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  const err = errorLine(id);
  for (const b of boxes) describe(b.box, hintEl?.id);
  const set = h('fieldset', { class: 'gw-group', id }, h('legend', {}, legend), hintEl, h('div', { class: 'gw-choices' }, ...boxes.map((b) => b.item)), ...extra, err);
  return { row: set, inputs: boxes.map((b) => b.box), err };
}

function appForm(done) {
  let editing = null;
  const heading = h('h2', { id: 'gw-form-h', tabindex: '-1' }, t('gwFormNew'));
  const name = labelled('gw-name', t('gwName'), { type: 'text', required: true, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', maxlength: '40' }, { hint: t('gwNameHint') });
  const title = labelled('gw-title', t('gwFTitle'), { type: 'text', required: true, maxlength: '80' });
  const description = labelled('gw-description', t('gwDescription'), { rows: '2', maxlength: '300' }, { tag: 'textarea' });
  const kinds = ['proxy', 'link'].map((k) => h('input', { type: 'radio', id: `gw-kind-${k}`, name: 'gw-kind', value: k, 'data-testid': `gw-kind-${k}`, checked: k === 'proxy' }));
  const kind = group('gw-kind', t('gwKind'), kinds.map((box) => ({ box, item: h('span', { class: 'gw-choice' }, box, ' ', h('label', { for: box.id }, t(`gwKind_${box.value}`))) })));
  const upstream = labelled('gw-upstream', t('gwUpstream'), { type: 'url', autocomplete: 'off', spellcheck: 'false' }, { hint: t('gwUpstreamHint') });
  const caPem = labelled('gw-ca-pem', t('gwCaPem'), { rows: '4', spellcheck: 'false', class: 'gw-mono' }, { tag: 'textarea', hint: t('gwCaPemHint') });
  const link = labelled('gw-link', t('gwLink'), { type: 'text', autocomplete: 'off', spellcheck: 'false', inputmode: 'url' }, { hint: t('gwLinkHint') });
  const host = labelled('gw-host', t('gwHost'), { type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'akte.durchwahl.lra.example' }, { hint: t('gwHostHint') });
  const healthPath = labelled('gw-health-path', t('gwHealthPath'), { type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: '/' }, { hint: t('gwHealthPathHint') });
  const units = labelled('gw-units', t('gwUnits'), { rows: '3', spellcheck: 'false' }, { tag: 'textarea', hint: t('gwUnitsHint') });
  const roles = group('gw-roles', t('gwRoles'), checkboxes('gw-role', ROLES, (r) => t(`gwRole_${r}`)));
  const features = group('gw-features', t('gwFeatures'), checkboxes('gw-feature', FEATURES, (f) => t(`gwFeature_${f}`)));
  const second = h('input', { type: 'checkbox', id: 'gw-second-factor', name: 'gw-second-factor', 'data-testid': 'gw-second-factor' });
  const office = h('input', { type: 'checkbox', id: 'gw-office-only', name: 'gw-office-only', 'data-testid': 'gw-office-only' });
  const secondErr = errorLine('gw-second-factor');
  const officeErr = errorLine('gw-office-only');
  // Hours: none, or the weekdays and a time span.
  const hoursOn = h('input', { type: 'checkbox', id: 'gw-hours-on', name: 'gw-hours-on', 'data-testid': 'gw-hours-on', 'aria-controls': 'gw-hours-detail' });
  const dayBoxes = DAYS.map((d) => {
    const box = h('input', { type: 'checkbox', id: `gw-day-${d}`, name: 'gw-day', value: String(d), 'data-testid': `gw-day-${d}` });
    return { box, item: h('span', { class: 'gw-choice' }, box, ' ', h('label', { for: box.id }, h('abbr', { title: t(`gwDayLong_${d}`) }, t(`gwDay_${d}`)))) };
  });
  const from = h('input', { type: 'time', id: 'gw-hours-from', name: 'gw-hours-from', 'data-testid': 'gw-hours-from', value: '07:00' });
  const to = h('input', { type: 'time', id: 'gw-hours-to', name: 'gw-hours-to', 'data-testid': 'gw-hours-to', value: '19:00' });
  const hoursErr = errorLine('gw-hours');
  const hoursDetail = h('div', { id: 'gw-hours-detail', class: 'gw-hours-detail', hidden: true },
    h('fieldset', { class: 'gw-group' }, h('legend', {}, t('gwHoursDays')), h('div', { class: 'gw-choices' }, ...dayBoxes.map((b) => b.item))),
    h('div', { class: 'gw-times' },
      h('div', {}, h('label', { for: from.id }, t('gwFrom')), from),
      h('div', {}, h('label', { for: to.id }, t('gwTo')), to)),
    h('p', { class: 'hint', id: 'gw-hours-hint' }, t('gwHoursHint')));
  for (const input of [from, to, ...dayBoxes.map((b) => b.box)]) describe(input, 'gw-hours-hint');
  hoursOn.addEventListener('change', () => { hoursDetail.hidden = !hoursOn.checked; });
  const conditions = h('fieldset', { class: 'gw-group' }, h('legend', {}, t('gwConditions')),
    h('div', { class: 'gw-check' }, second, ' ', h('label', { for: second.id }, t('gwSecond'))), secondErr,
    h('div', { class: 'gw-check' }, office, ' ', h('label', { for: office.id }, t('gwOffice'))), officeErr,
    h('div', { class: 'gw-check' }, hoursOn, ' ', h('label', { for: hoursOn.id }, t('gwHoursOn'))), hoursDetail, hoursErr);
  const maxUsers = labelled('gw-max-users', t('gwMax'), { type: 'number', min: '1', step: '1', inputmode: 'numeric' });
  const timeout = labelled('gw-timeout', t('gwTimeout'), { type: 'number', min: '1', max: '600', step: '1', inputmode: 'numeric', value: '30' });

  const fields = {
    name, title, description, kind, upstream, ca_pem: caPem, link, host, health_path: healthPath, units, roles, features,
    second_factor: { inputs: [second], err: secondErr }, office_only: { inputs: [office], err: officeErr },
    hours: { inputs: [hoursOn, ...dayBoxes.map((b) => b.box), from, to], err: hoursErr },
    max_users: maxUsers, timeout_secs: timeout,
  };
  const alert = h('p', { class: 'error', role: 'alert', id: 'gw-form-error', 'data-testid': 'gw-form-error' });
  const save = h('button', { type: 'submit', 'data-testid': 'gateway-app-save' }, t('gwSave'));
  const cancel = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => { reset(); heading.focus(); } }, t('gwCancel'));

  const kindNow = () => kinds.find((k) => k.checked)?.value || 'proxy';
  function showKind() {
    const proxy = kindNow() === 'proxy';
    upstream.row.hidden = !proxy;
    caPem.row.hidden = !proxy;
    healthPath.row.hidden = !proxy;
    host.row.hidden = !proxy;
    link.row.hidden = proxy;
  }
  for (const k of kinds) k.addEventListener('change', showKind);

  function clear() {
    alert.textContent = '';
    for (const f of Object.values(fields)) {
      f.err.textContent = '';
      for (const input of f.inputs) {
        input.removeAttribute('aria-invalid');
        describe(input, ...(input.dataset.hints || '').split(' '));
      }
    }
  }

  function refuse(res) {
    clear();
    const issues = issuesOf(res);
    let first = null;
    for (const issue of issues) {
      const f = fields[topOf(issue.field)];
      if (!f) continue;
      f.err.textContent = `${f.err.textContent} ${issue.message}`.trim();
      for (const input of f.inputs) {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', `${f.err.id} ${input.dataset.hints || ''}`.trim());
      }
      // A refused kind's field shows, even if hidden for the other kind.
      first ??= f.inputs.find((i) => !i.closest('[hidden]')) || f.inputs[0];
    }
    setTimeout(() => { alert.textContent = `${t('gwRefused')} ${issues.map((i) => i.message).join(' ')}`; }, 50);
    (first || save).focus();
  }

  const number = (input) => (input.value.trim() === '' ? null : Number(input.value));

  function body() {
    const proxy = kindNow() === 'proxy';
    const b = {
      title: title.input.value.trim(),
      kind: kindNow(),
      units: units.input.value.split('\n').map((s) => s.trim()).filter(Boolean),
      roles: roles.inputs.filter((x) => x.checked).map((x) => x.value),
      features: features.inputs.filter((x) => x.checked).map((x) => x.value),
      second_factor: second.checked,
      office_only: office.checked,
      hours: hoursOn.checked ? { days: dayBoxes.filter((d) => d.box.checked).map((d) => Number(d.box.value)), from: from.value, to: to.value } : null,
      max_users: number(maxUsers.input),
    };
    if (!editing) b.name = name.input.value.trim();
    if (description.input.value.trim()) b.description = description.input.value.trim();
    const secs = number(timeout.input);
    if (secs !== null) b.timeout_secs = secs;
    if (proxy) {
      b.upstream = upstream.input.value.trim();
      if (caPem.input.value.trim()) b.ca_pem = caPem.input.value;
      if (healthPath.input.value.trim()) b.health_path = healthPath.input.value.trim();
      if (host.input.value.trim()) b.host = host.input.value.trim();
    } else {
      b.link = link.input.value.trim();
    }
    return b;
  }

  function fill(app) {
    editing = app;
    clear();
    name.input.value = app?.name || '';
    name.input.readOnly = Boolean(app);
    title.input.value = app?.title || '';
    description.input.value = app?.description || '';
    for (const k of kinds) k.checked = k.value === (app?.kind || 'proxy');
    upstream.input.value = app?.upstream || '';
    caPem.input.value = app?.ca_pem || '';
    link.input.value = app?.link || '';
    healthPath.input.value = app?.health_path || '';
    host.input.value = app?.host || '';
    units.input.value = (app?.units || []).join('\n');
    for (const r of roles.inputs) r.checked = (app?.roles || []).includes(r.value);
    for (const f of features.inputs) f.checked = (app?.features || []).includes(f.value);
    second.checked = Boolean(app?.second_factor);
    office.checked = Boolean(app?.office_only);
    const hours = app?.hours;
    hoursOn.checked = Boolean(hours);
    hoursDetail.hidden = !hours;
    for (const d of dayBoxes) d.box.checked = hours ? hours.days.includes(Number(d.box.value)) : Number(d.box.value) <= 5;
    from.value = hours?.from || '07:00';
    to.value = hours?.to || '19:00';
    maxUsers.input.value = app?.max_users != null ? String(app.max_users) : '';
    timeout.input.value = String(app?.timeout_secs ?? 30);
    heading.textContent = app ? t('gwFormEdit', { t: app.title }) : t('gwFormNew');
    save.textContent = app ? t('gwSaveEdit') : t('gwSave');
    cancel.hidden = !app;
    showKind();
  }
  function reset() { fill(null); }

  const form = h('form', { class: 'gw-form', id: 'gateway-app-form', 'data-testid': 'gateway-app-form', novalidate: true, 'aria-labelledby': 'gw-form-h', onsubmit: async (e) => {
    e.preventDefault();
    clear();
    const b = body();
    const numbers = [['max_users', b.max_users], ['timeout_secs', b.timeout_secs]]
      .filter(([, v]) => v !== null && v !== undefined && (!Number.isInteger(v)));
    if (numbers.length) { refuse({ status: 422, data: { fields: numbers.map(([field]) => ({ field, message: t('gwErrNumber') })) } }); return; }
    const res = editing
      ? await api('PUT', `${BASE}/${encodeURIComponent(editing.name)}`, b).catch(fail)
      : await api('POST', BASE, b).catch(fail);
    if (!res.ok) { refuse(res); return; }
    const saved = res.data && res.data.name ? res.data : { ...b, name: editing ? editing.name : b.name };
    const said = t(editing ? 'gwChanged' : 'gwCreated', { t: saved.title });
    reset();
    await done(saved.name, said);
  } },
  heading, name.row, title.row, description.row, kind.row, upstream.row, caPem.row, host.row, healthPath.row, link.row,
  units.row, roles.row, features.row, conditions, maxUsers.row, timeout.row,
  alert, h('p', { class: 'button-row' }, save, ' ', cancel));
  reset();
  return { form, edit(app) { fill(app); name.input.readOnly ? title.input.focus() : name.input.focus(); heading.scrollIntoView({ block: 'start' }); }, heading };
}

function timeText(at) {
  if (at === null || at === undefined) return '';
  if (typeof at === 'number') return formatTime(at);
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? String(at) : d.toLocaleString(lang() === 'en' ? 'en-GB' : 'de-DE');
}

function healthCell(app) {
  if (app.kind === 'link') return t('gwHealthLink');
  const hl = app.health;
  if (!hl) return h('span', { class: 'gw-h-none', 'data-testid': `gateway-app-health-${app.name}` }, t('gwHealthNone'));
  const parts = [];
  if (hl.status !== null && hl.status !== undefined) parts.push(t('gwHealthStatus', { s: hl.status }));
  if (hl.error) parts.push(userText(hl.error));
  if (hl.latency_ms !== null && hl.latency_ms !== undefined) parts.push(t('gwHealthLatency', { m: hl.latency_ms }));
  const detail = parts.length ? [' (', ...parts.flatMap((p, i) => (i ? [', ', p] : [p])), ')'] : [];
  return h('span', { class: hl.ok ? 'gw-h-ok' : 'gw-h-bad', 'data-testid': `gateway-app-health-${app.name}`, 'data-ok': String(Boolean(hl.ok)) },
    h('span', { class: 'gw-dot', 'aria-hidden': 'true' }, hl.ok ? '● ' : '▲ '),
    h('strong', {}, t(hl.ok ? 'gwHealthOk' : 'gwHealthBad')), ...detail,
    hl.checked_at ? h('span', { class: 'gw-at' }, t('gwHealthAt', { w: timeText(hl.checked_at) })) : null);
}

function usersCell(app) {
  const users = app.users_now ?? app.users ?? app.active_users ?? app.in_use ?? 0;
  if (Array.isArray(users)) {
    if (!users.length) return '0';
    return [String(users.length), ': ', ...users.flatMap((u, i) => [i ? ', ' : '', userText(typeof u === 'string' ? u : (u.name || u.login || ''))])];
  }
  return String(users);
}

function ruleCell(app) {
  const lines = [];
  lines.push((app.units || []).length ? t('gwRuleUnits', { x: app.units.join(', ') }) : `${t('unit')}: ${t('gwRuleAll')}`);
  if ((app.roles || []).length) lines.push(t('gwRuleRoles', { x: app.roles.map((r) => t(`gwRole_${r}`)).join(', ') }));
  if ((app.features || []).length) lines.push(t('gwRuleFeatures', { x: app.features.map((f) => t(`gwFeature_${f}`)).join(', ') }));
  if (app.second_factor) lines.push(t('gwRuleSecond'));
  if (app.office_only) lines.push(t('gwRuleOffice'));
  if (app.hours) lines.push(t('gwRuleHours', { d: app.hours.days.map((d) => t(`gwDay_${d}`)).join(', '), f: app.hours.from, u: app.hours.to }));
  if (app.max_users) lines.push(t('gwRuleMax', { c: app.max_users }));
  return h('ul', { class: 'gw-rule' }, ...lines.map((l) => h('li', {}, userText(l))));
}

function table(apps, form, result, again) {
  const heads = [t('gwColApp'), t('gwColKind'), t('gwColRule'), t('gwColHealth'), t('gwColUsers'), t('gwColAction')];
  const rows = apps.map((app) => h('tr', { 'data-testid': `gateway-app-row-${app.name}` },
    h('th', { scope: 'row', id: `gw-row-${app.name}`, tabindex: '-1' }, userText(app.title), h('br'), h('code', {}, app.host ? `${app.host}/` : `/apps/${app.name}/`)),
    h('td', {}, t(`gwKind_${app.kind === 'link' ? 'link' : 'proxy'}`), app.kind === 'link' && app.link ? [h('br'), h('code', { class: 'gw-addr' }, app.link)] : null,
      app.kind !== 'link' && app.upstream ? [h('br'), h('code', { class: 'gw-addr' }, app.upstream)] : null),
    h('td', {}, ruleCell(app)),
    h('td', {}, healthCell(app)),
    h('td', { 'data-testid': `gateway-app-users-${app.name}` }, usersCell(app)),
    h('td', {}, h('div', { class: 'gw-actions' },
      h('button', { type: 'button', class: 'secondary', 'data-testid': `gateway-app-edit-${app.name}`, 'aria-label': t('gwEditOf', { t: app.title }), onclick: () => form.edit(app) }, t('gwEdit')),
      h('button', { type: 'button', class: 'danger', 'data-testid': `gateway-app-remove-${app.name}`, 'aria-label': t('gwRemoveOf', { t: app.title }), onclick: async () => {
        if (!confirm(t('gwConfirmRemove', { t: app.title, n: app.name }))) return;
        const res = await api('DELETE', `${BASE}/${encodeURIComponent(app.name)}`).catch(fail);
        if (!res.ok) { result.say(explain(res), true); return; }
        await again(null, t('gwRemoved', { t: app.title }));
      } }, t('gwRemove'))))));
  return rows.length
    ? stackedTable(t('gwAdminList'), { 'data-testid': 'gateway-apps', class: 'gw-table' }, heads, rows)
    : h('p', { 'data-testid': 'gateway-apps-none' }, t('gwAdminNone'));
}

export async function showAdminApps() {
  const page = pageStillShown();
  const res = await api('GET', BASE).catch(fail);
  if (!page()) return;
  if (!res.ok) { show(t('gwAdminTitle'), h('p', { class: 'error', role: 'alert' }, explain(res))); return; }
  const status = h('p', { class: 'ok gw-result', role: 'status', 'data-testid': 'gateway-result' });
  const result = {
    say(text, bad = false) {
      status.textContent = '';
      status.className = `${bad ? 'error' : 'ok'} gw-result`;
      setTimeout(() => { status.textContent = text; }, 50);
    },
  };
  const list = h('div');
  const listHeading = h('h2', { id: 'gw-list-h', tabindex: '-1' }, t('gwAdminList'));
  const listSection = h('section', { class: 'gw-section', 'aria-labelledby': 'gw-list-h' }, listHeading, list);
  // After a change: the list again, the result said, the focus on the changed row (or
  // the list's heading after a removal).
  async function again(name, said) {
    const next = await api('GET', BASE).catch(fail);
    if (!page()) return;
    if (!next.ok) { result.say(explain(next), true); return; }
    list.replaceChildren(table(appsOf(next.data), form, result, again));
    if (said) result.say(said);
    const row = name && document.getElementById(`gw-row-${name}`);
    (row || listHeading).focus();
  }
  const form = appForm(again);
  list.replaceChildren(table(appsOf(res.data), form, result, again));
  show(t('gwAdminTitle'), h('p', { class: 'hint gw-intro' }, t('gwAdminIntro')), status, listSection,
    h('section', { class: 'gw-section', 'aria-labelledby': 'gw-form-h' }, form.form));
}
