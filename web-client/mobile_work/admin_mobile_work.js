// The administrators' mobile-work page (#/admin/mobile-work): the service agreement's
// rules (limits per week and month, the working days, core hours, the notice period, the
// longest term, the eligible units; what the form does not show is kept as stored), the
// texts everyone acknowledges (a new version under a key asks everyone again), and each
// unit's head and deputies (a table that becomes cards on a narrow screen, and a form).
// The server checks everything; what it refuses is shown at the field it names.
import { api } from '../api.js';
import { h, show, announce, pageStillShown, userText, stackedTable } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { WEEKDAYS, day, issuesOf, markInvalid, clearInvalid } from './format.js';
import { STATES } from '../hotline/admin_hotline_form.js';

const RULES = '/api/v1/admin/mobile-work/rules';

// An input with its label in a div; returns [row, input].
function labelled(id, label, attrs, tag = 'input') {
  const input = h(tag, { id, name: id, ...attrs });
  return [h('div', {}, h('label', { for: id }, label), input), input];
}

// A form's alert and a way to refuse at the named field (`fields`: server field → inputs).
function refusals(alertId, fields, fallback) {
  const alert = h('p', { class: 'error', role: 'alert', id: alertId });
  const all = () => Object.values(fields).flat();
  return {
    alert,
    clear() { clearInvalid(all()); alert.textContent = ''; },
    refuse(res) {
      clearInvalid(all());
      const issues = res.status === 422 ? issuesOf(res) : [{ field: '', message: explain(res) }];
      let first = null;
      for (const issue of issues) {
        const key = Object.keys(fields).find((f) => issue.field === f || issue.field.startsWith(`${f}.`));
        if (key) { markInvalid(fields[key], alertId); first ??= fields[key][0]; }
      }
      setTimeout(() => { alert.textContent = `${t('mwAdminRefused')} ${issues.map((i) => i.message).join(' ')}`; }, 50);
      (first || fallback).focus();
    },
  };
}

function rulesForm(page, units) {
  const r = page.rules;
  const [perWeekRow, perWeek] = labelled('mw-rules-week', t('mwAdminPerWeek'), { type: 'number', min: '0', max: '7', inputmode: 'numeric', required: true, 'data-testid': 'mw-rules-week', value: r ? String(r.days_per_week) : '2' });
  const [perMonthRow, perMonth] = labelled('mw-rules-month', t('mwAdminPerMonth'), { type: 'number', min: '0', max: '31', inputmode: 'numeric', required: true, 'data-testid': 'mw-rules-month', value: r ? String(r.days_per_month) : '8' });
  const workdays = WEEKDAYS.map((d) => h('input', { type: 'checkbox', id: `mw-rules-day-${d}`, value: d, checked: r ? r.workdays.includes(d) : !['sat', 'sun'].includes(d) }));
  const [fromRow, from] = labelled('mw-rules-core-from', t('mwAdminCoreFrom'), { type: 'time', 'data-testid': 'mw-rules-core-from', value: r?.core_hours?.from || '' });
  const [untilRow, until] = labelled('mw-rules-core-until', t('mwAdminCoreUntil'), { type: 'time', 'data-testid': 'mw-rules-core-until', value: r?.core_hours?.until || '' });
  const [noticeRow, notice] = labelled('mw-rules-notice', t('mwAdminNotice'), { type: 'number', min: '0', max: '365', inputmode: 'numeric', required: true, 'data-testid': 'mw-rules-notice', value: r ? String(r.notice_days) : '28' });
  const [termRow, term] = labelled('mw-rules-term', t('mwAdminTerm'), { type: 'number', min: '1', max: '3660', inputmode: 'numeric', 'data-testid': 'mw-rules-term', value: r?.max_term_days ? String(r.max_term_days) : '' });
  const holidays = h('select', { id: 'mw-rules-holidays', name: 'mw-rules-holidays', 'data-testid': 'mw-rules-holidays' }, h('option', { value: '' }, t('hlNoState')),
    ...STATES.map((s) => h('option', { value: s, selected: r?.holidays === s }, t(`hlLand${s}`))));
  const holidaysRow = h('div', {}, h('label', { for: 'mw-rules-holidays' }, t('mwAdminHolidays')), holidays);
  const chosen = new Set(r?.eligibility?.units || []);
  const unitBoxes = units.map((u) => h('input', { type: 'checkbox', id: `mw-rules-unit-${u.unit_id}`, value: String(u.unit_id), checked: chosen.has(u.unit_id), 'data-testid': 'mw-rules-unit' }));
  const saved = h('p', { class: 'ok', role: 'status', id: 'mw-rules-saved' });
  const button = h('button', { type: 'submit', 'data-testid': 'mw-rules-save' }, t('mwAdminSaveRules'));
  const number = (input) => (input.value.trim() === '' ? NaN : Number(input.value));
  const marks = refusals('mw-rules-error', {
    days_per_week: [perWeek], days_per_month: [perMonth], workdays, core_hours: [from, until], notice_days: [notice],
    max_term_days: [term], holidays: [holidays], 'eligibility.units': unitBoxes.length ? unitBoxes : [button],
  }, button);
  return h('form', { class: 'mw-admin-form', id: 'mw-rules-form', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    marks.clear();
    saved.textContent = '';
    const body = {
      // What the form does not show stays as stored.
      eligibility: { ...(r?.eligibility || {}), units: unitBoxes.filter((b) => b.checked).map((b) => Number(b.value)) },
      days_per_week: number(perWeek), days_per_month: number(perMonth),
      workdays: workdays.filter((b) => b.checked).map((b) => b.value),
      notice_days: number(notice), reminder_days: r?.reminder_days || [],
    };
    if (from.value || until.value) body.core_hours = { from: from.value, until: until.value };
    if (term.value.trim()) body.max_term_days = number(term);
    if (holidays.value) body.holidays = holidays.value;
    const missing = ['days_per_week', 'days_per_month', 'notice_days'].filter((f) => Number.isNaN(body[f]));
    if (missing.length) { marks.refuse({ status: 422, data: { fields: missing.map((field) => ({ field, message: t('mwAdminErrNumber') })) } }); return; }
    const res = await api('PUT', RULES, body).catch(() => ({ ok: false, status: 0 }));
    if (!res.ok) { marks.refuse(res); return; }
    page.rules = res.data.rules;
    setTimeout(() => { saved.textContent = t('mwAdminRulesSaved'); }, 50);
    announce(t('mwAdminRulesSaved'));
  } },
  r ? null : h('p', { class: 'mw-note', 'data-testid': 'mw-rules-none' }, t('mwAdminRulesNone')),
  perWeekRow, perMonthRow,
  h('fieldset', {}, h('legend', {}, t('mwAdminWorkdays')),
    ...workdays.map((b) => h('span', { class: 'mw-choice' }, b, ' ', h('label', { for: b.id }, t(`mwDay_${b.value}`))))),
  h('fieldset', { class: 'mw-core' }, h('legend', {}, t('mwAdminCore')), fromRow, untilRow),
  noticeRow, termRow, holidaysRow,
  h('fieldset', { class: 'mw-units' }, h('legend', {}, t('mwAdminUnits')),
    ...unitBoxes.map((b, i) => h('span', { class: 'mw-choice' }, b, ' ', h('label', { for: b.id }, userText(units[i].unit))))),
  marks.alert, h('p', { class: 'button-row' }, button), saved);
}

function textsSection(texts) {
  const list = h('ul', { class: 'mw-texts', 'data-testid': 'mw-admin-texts' });
  const none = h('p', {}, t('mwAdminTextsNone'));
  function fill(items) {
    list.replaceChildren(...items.map((x) => h('li', {}, t('mwAdminTextLine', { t: x.title, k: x.key, v: x.version, d: day(x.published) }))));
    none.hidden = items.length > 0;
    list.hidden = items.length === 0;
  }
  let current = texts;
  fill(current);
  const [keyRow, key] = labelled('mw-text-key', t('mwAdminTextKey'), { type: 'text', autocomplete: 'off', autocapitalize: 'none', 'data-testid': 'mw-text-key' });
  const [titleRow, title] = labelled('mw-text-title', t('mwAdminTextTitle'), { type: 'text', 'data-testid': 'mw-text-title' });
  const [bodyRow, body] = labelled('mw-text-body', t('mwAdminTextBody'), { rows: '5', 'data-testid': 'mw-text-body' }, 'textarea');
  const done = h('p', { class: 'ok', role: 'status' });
  const button = h('button', { type: 'submit', 'data-testid': 'mw-text-publish' }, t('mwAdminPublish'));
  const marks = refusals('mw-text-error', { key: [key], title: [title], body: [body] }, button);
  const form = h('form', { class: 'mw-admin-form', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    marks.clear();
    done.textContent = '';
    const res = await api('POST', '/api/v1/admin/mobile-work/texts', { key: key.value.trim(), title: title.value.trim(), body: body.value })
      .catch(() => ({ ok: false, status: 0 }));
    if (!res.ok) { marks.refuse(res); return; }
    current = [...current.filter((x) => x.key !== res.data.key), res.data];
    fill(current);
    const said = t('mwAdminPublished', { t: res.data.title, v: res.data.version });
    setTimeout(() => { done.textContent = said; }, 50);
    key.value = ''; title.value = ''; body.value = '';
  } }, keyRow, titleRow, bodyRow, marks.alert, h('p', { class: 'button-row' }, button), done);
  return h('section', { class: 'mw-section', 'aria-labelledby': 'mw-admin-texts-h' },
    h('h2', { id: 'mw-admin-texts-h' }, t('mwAdminTexts')), h('p', { class: 'hint' }, t('mwAdminTextsIntro')), list, none, form);
}

function leadersSection(units) {
  const heads = [t('mwAdminLeaderUnit'), t('mwAdminHead'), t('mwAdminDeputies')];
  const who = (l) => (l ? [userText(l.name), ` (${l.login})`] : t('mwAdminNobody'));
  const rowOf = (u) => h('tr', { 'data-testid': 'mw-leaders-row', 'data-unit': String(u.unit_id) },
    h('th', { scope: 'row' }, userText(u.unit)),
    h('td', {}, who(u.head)),
    h('td', {}, u.deputies.length ? u.deputies.flatMap((d, i) => [i ? ', ' : '', ...who(d)]) : t('mwAdminNobody')));
  const table = stackedTable(t('mwAdminLeadersCaption'), { id: 'mw-leaders-table', 'data-testid': 'mw-leaders-table' }, heads, units.map(rowOf));
  const unit = h('select', { id: 'mw-leaders-unit', 'data-testid': 'mw-leaders-unit' }, ...units.map((u) => h('option', { value: String(u.unit_id) }, u.unit)));
  const [headRow, head] = labelled('mw-leaders-head', t('mwAdminHeadLogin'), { type: 'text', autocomplete: 'off', autocapitalize: 'none', 'data-testid': 'mw-leaders-head' });
  const [depRow, deputies] = labelled('mw-leaders-deputies', t('mwAdminDeputyLogins'), { type: 'text', autocomplete: 'off', autocapitalize: 'none', 'data-testid': 'mw-leaders-deputies' });
  const done = h('p', { class: 'ok', role: 'status' });
  const button = h('button', { type: 'submit', 'data-testid': 'mw-leaders-save' }, t('mwAdminSaveLeaders'));
  const marks = refusals('mw-leaders-error', { head: [head], deputies: [deputies] }, unit);
  const byId = (id) => units.find((u) => u.unit_id === id);
  function prefill() {
    const u = byId(Number(unit.value));
    head.value = u?.head?.login || '';
    deputies.value = (u?.deputies || []).map((d) => d.login).join(', ');
  }
  unit.addEventListener('change', () => { marks.clear(); prefill(); });
  prefill();
  const form = h('form', { class: 'mw-admin-form', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    marks.clear();
    done.textContent = '';
    const id = Number(unit.value);
    const body = { head: head.value.trim() || null, deputies: deputies.value.split(',').map((s) => s.trim()).filter(Boolean) };
    const res = await api('PUT', `/api/v1/admin/units/${id}/leaders`, body).catch(() => ({ ok: false, status: 0 }));
    if (!res.ok) { marks.refuse(res); return; }
    const i = units.findIndex((u) => u.unit_id === id);
    units[i] = res.data;
    table.querySelector(`tr[data-unit="${id}"]`)?.replaceWith(stackedRow(rowOf(res.data)));
    const said = t('mwAdminLeadersSaved', { w: res.data.unit });
    setTimeout(() => { done.textContent = said; }, 50);
  } }, h('div', {}, h('label', { for: unit.id }, t('mwAdminLeaderUnit')), unit), headRow, depRow, marks.alert, h('p', { class: 'button-row' }, button), done);
  // A new row labelled like those stackedTable made.
  function stackedRow(row) {
    row.setAttribute('role', 'row');
    [...row.children].forEach((cell, i) => { cell.setAttribute('role', cell.tagName === 'TH' ? 'rowheader' : 'cell'); cell.dataset.label = heads[i]; });
    return row;
  }
  // Without units there is nobody to lead (the directory import makes them).
  return h('section', { class: 'mw-section', 'aria-labelledby': 'mw-admin-leaders-h' },
    h('h2', { id: 'mw-admin-leaders-h' }, t('mwAdminLeaders')), h('p', { class: 'hint' }, t('mwAdminLeadersIntro')),
    units.length ? [table, form] : null);
}

export async function showAdminMobileWork() {
  const page = pageStillShown();
  const [rules, units] = await Promise.all([
    api('GET', RULES).catch(() => ({ ok: false, status: 0 })),
    api('GET', '/api/v1/admin/mobile-work/units').catch(() => ({ ok: false, status: 0 })),
  ]);
  if (!page()) return;
  if (!rules.ok || !units.ok) { show(t('mwAdminTitle'), h('p', { class: 'error' }, explain(rules.ok ? units : rules))); return; }
  const list = units.data.units;
  show(t('mwAdminTitle'),
    h('section', { class: 'mw-section', 'aria-labelledby': 'mw-admin-rules-h' }, h('h2', { id: 'mw-admin-rules-h' }, t('mwAdminRules')), rulesForm(rules.data, list)),
    textsSection(rules.data.texts),
    leadersSection(list));
}
