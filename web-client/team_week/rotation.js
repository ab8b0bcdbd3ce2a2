// The rotation on the week page, for a unit's head, deputies and administrators: the
// unit's rules (minimum in the office per weekday; offices with seats and people, one
// per line), "Plan vorschlagen" for the coming weeks with the conflict named when no
// plan exists, the proposal as a table of selects to edit, check and accept, and the
// plan as CSV.
import { api } from '../api.js';
import { h, announce, stackedTable, userText } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { dayText } from '../desks/desk_view.js';

const SPOTS = ['office', 'mobile', 'away', 'off'];
const fail = () => ({ ok: false, status: 0 });

function officesText(offices) {
  return offices.map((o) => `${o.name}; ${o.seats}; ${o.members.join(', ')}`).join('\n');
}

function parseOffices(text) {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((line) => {
    const [name, seats, members] = line.split(';').map((x) => (x || '').trim());
    return { name, seats: Number(seats) || 0, members: (members || '').split(',').map((m) => m.trim()).filter(Boolean) };
  });
}

export function rotationSection(page, week, changed) {
  const units = [...week.leads];
  const section = h('section', { 'aria-labelledby': 'tw-rot-h', hidden: true, 'data-testid': 'tw-rotation' });
  const unitSelect = h('select', { id: 'tw-unit' });
  const rulesArea = h('div');
  const planArea = h('div', { 'data-testid': 'tw-plan' });
  const status = h('p', { role: 'status', 'data-testid': 'tw-rot-status' });
  const csv = h('a', { download: '' }, t('twCsv'));
  let proposal = null;

  const unit = () => Number(unitSelect.value);

  async function loadRules() {
    const res = await api('GET', `/api/v1/team-week/units/${unit()}/rules`).catch(fail);
    if (!page()) return;
    if (!res.ok) { rulesArea.replaceChildren(h('p', { class: 'error' }, explain(res))); return; }
    const names = [0, 1, 2, 3, 4, 5, 6].map((i) => dayText(addDay(week.monday, i)).split(',')[0]);
    const mins = res.data.min_in_office.map((m, i) => h('div', {}, h('label', { for: `tw-min-${i}` }, names[i]),
      h('input', { id: `tw-min-${i}`, type: 'number', min: '0', max: '99', value: String(m), 'data-testid': `tw-min-${i}` })));
    const offices = h('textarea', { id: 'tw-offices', rows: '3', 'data-testid': 'tw-offices' });
    offices.value = officesText(res.data.offices);
    const error = h('p', { class: 'error', role: 'alert' });
    const form = h('form', { onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      const body = { min_in_office: mins.map((m) => Number(m.querySelector('input').value) || 0), offices: parseOffices(offices.value) };
      const r = await api('PUT', `/api/v1/team-week/units/${unit()}/rules`, body).catch(fail);
      if (!page()) return;
      if (r.ok) { status.textContent = t('twRulesSaved'); return; }
      error.textContent = explain(r);
      const f = r.data && r.data.field;
      const target = f && (f.startsWith('min_in_office[') ? document.getElementById(`tw-min-${f[14]}`) : offices);
      if (target) { target.setAttribute('aria-invalid', 'true'); target.focus(); }
    } }, h('fieldset', {}, h('legend', {}, t('twMin')), h('div', { class: 'inline' }, ...mins)),
    h('div', {}, h('label', { for: 'tw-offices' }, t('twOffices')), offices), error,
    h('button', { type: 'submit', 'data-testid': 'tw-save-rules' }, t('twSaveRules')));
    rulesArea.replaceChildren(h('h3', {}, t('twRules')), form);
    csv.href = `/api/v1/team-week/units/${unit()}/plan.csv?from=${addDay(week.monday, 7)}&weeks=2`;
  }

  const weeks = h('input', { id: 'tw-weeks', type: 'number', min: '1', max: '8', value: '1' });
  async function propose(e) {
    e.preventDefault();
    const res = await api('POST', `/api/v1/team-week/units/${unit()}/proposal`, { weeks: Number(weeks.value) || 1 }).catch(fail);
    if (!page()) return;
    if (!res.ok) { planArea.replaceChildren(h('p', { class: 'error', role: 'alert' }, explain(res))); return; }
    proposal = res.data;
    // A new proposal starts without the last one's breaches.
    breaches.replaceChildren();
    if (proposal.conflict) {
      planArea.replaceChildren(h('p', { class: 'error', role: 'alert', 'data-testid': 'tw-conflict' }, t('twConflict', { m: proposal.conflict.message })));
      return;
    }
    drawPlan();
    announce(t('twProposed', { d: dayText(proposal.first_monday), n: proposal.weeks }));
  }

  function edited() {
    return {
      first_monday: proposal.first_monday, weeks: proposal.weeks,
      people: proposal.people.map((p, r) => ({ login: p.login, spots: p.spots.map((_, d) => document.getElementById(`tw-spot-${r}-${d}`).value) })),
    };
  }

  const breaches = h('div', { role: 'alert', 'data-testid': 'tw-breaches' });
  function drawPlan() {
    const heads = [t('twPerson'), ...proposal.dates.map(dayText)];
    const rows = proposal.people.map((p, r) => h('tr', {}, h('th', { scope: 'row' }, userText(p.name)),
      ...p.spots.map((spot, d) => h('td', {}, h('select', { id: `tw-spot-${r}-${d}`, 'aria-label': `${p.name}, ${dayText(proposal.dates[d])}`, 'data-testid': `tw-spot-${p.login}-${d}` },
        ...SPOTS.map((s) => h('option', { value: s, selected: s === spot }, t(`twSpot_${s}`))))))));
    const shares = h('ul', {}, ...proposal.shares.map((s) => h('li', {}, userText(s.name), ': ', t('twShares', { g: s.granted, w: s.wanted }))));
    planArea.replaceChildren(stackedTable(t('twPlanCaption', { d: dayText(proposal.first_monday) }), {}, heads, rows), shares, breaches,
      h('button', { type: 'button', 'data-testid': 'tw-check', onclick: check }, t('twCheck')), ' ',
      h('button', { type: 'button', 'data-testid': 'tw-accept', onclick: accept }, t('twAccept')));
  }

  function showBreaches(list) {
    breaches.replaceChildren(list.length ? h('p', {}, t('twBreaches')) : h('p', {}, t('twNoBreaches')),
      list.length ? h('ul', {}, ...list.map((b) => h('li', {}, b.message))) : '');
  }

  async function check() {
    const res = await api('POST', `/api/v1/team-week/units/${unit()}/check`, edited()).catch(fail);
    if (!page()) return;
    if (!res.ok) { breaches.textContent = explain(res); return; }
    showBreaches(res.data.breaches);
  }

  async function accept() {
    const res = await api('POST', `/api/v1/team-week/units/${unit()}/plan`, edited()).catch(fail);
    if (!page()) return;
    if (res.status === 422 && res.data && res.data.fields) { showBreaches(res.data.fields); return; }
    if (!res.ok) { breaches.textContent = explain(res); return; }
    breaches.replaceChildren();
    // The accept button is gone with the plan: focus goes to the result, not to <body>.
    const done = h('p', { tabindex: '-1', 'data-testid': 'tw-accepted' }, t('twAccepted'));
    planArea.replaceChildren(done);
    done.focus();
    status.textContent = t('twAccepted');
    changed(proposal.first_monday);
  }

  async function setUp() {
    // An administrator plans their own unit too (the rules answer 200 for them).
    if (!units.some((u) => u.id === week.unit.id)) {
      const r = await api('GET', `/api/v1/team-week/units/${week.unit.id}/rules`).catch(fail);
      if (r.ok) units.push(week.unit);
    }
    if (!page() || !units.length) return;
    unitSelect.replaceChildren(...units.map((u) => h('option', { value: String(u.id) }, u.path)));
    section.hidden = false;
    loadRules();
  }
  unitSelect.addEventListener('change', () => { planArea.replaceChildren(); loadRules(); });
  section.append(h('h2', { id: 'tw-rot-h' }, t('twRotation')),
    h('div', {}, h('label', { for: 'tw-unit' }, t('twUnit')), unitSelect), rulesArea,
    h('form', { class: 'inline', onsubmit: propose }, h('div', {}, h('label', { for: 'tw-weeks' }, t('twWeeks')), weeks),
      h('button', { type: 'submit', 'data-testid': 'tw-propose' }, t('twPropose'))),
    planArea, status, h('p', {}, csv));
  setUp();
  return section;
}

function addDay(day, n) {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
