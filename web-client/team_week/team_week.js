// The team's week (#/week, "Wochenplanung"): one's own week by morning and afternoon
// (office, mobile, away with its kind, off) with save, refusals shown at the day they
// concern; one's wished mobile days; the unit's team calendar (team_calendar.js); for
// heads, deputies and administrators the rotation (rotation.js); calendar links (feeds.js).
import { api } from '../api.js';
import { h, show, announce, pageStillShown, stackedTable } from '../dom.js';
import { t, lang } from '../i18n.js';
import { explain } from '../sign_in.js';
import { today, dayText } from '../desks/desk_view.js';
import { teamWeekProblems } from './texts_team_week.js';
import { teamSection } from './team_calendar.js';
import { rotationSection } from './rotation.js';
import { feedsSection } from './feeds.js';

export const LOCATIONS = ['office', 'mobile', 'off', 'leave', 'business_trip', 'sick', 'away'];
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const fail = () => ({ ok: false, status: 0 });

// The message of a refused field: the server's German words, ours in English.
export function problemText(issue) {
  if (lang() === 'en' && teamWeekProblems[issue.problem]) return teamWeekProblems[issue.problem];
  return issue.message;
}

export function addDays(day, n) {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export async function showTeamWeek() {
  const page = pageStillShown();
  const res = await api('GET', '/api/v1/team-week/me').catch(fail);
  if (!page()) return;
  if (!res.ok) { show(t('twTitle'), h('p', { class: 'error', role: 'alert' }, explain(res))); return; }
  const mine = myWeekSection(page, res.data);
  const team = teamSection(page, res.data.unit);
  const parts = [mine.section, team.section];
  const rotation = rotationSection(page, res.data, (monday) => team.load(monday));
  if (rotation) parts.push(rotation);
  parts.push(feedsSection(page));
  show(t('twTitle'), ...parts);
  team.load();
  mine.onSaved = (monday) => team.load(monday);
}

function myWeekSection(page, first) {
  let week = first;
  const me = { onSaved: null };
  const dayInput = h('input', { type: 'date', id: 'tw-week', value: today(), required: true });
  const general = h('p', { class: 'error', role: 'alert', id: 'tw-week-error' });
  const agreement = h('p', { 'data-testid': 'tw-agreement' });
  const tableArea = h('div');
  const wishesArea = h('div');

  async function load(day) {
    const res = await api('GET', `/api/v1/team-week/me?week=${encodeURIComponent(day)}`).catch(fail);
    if (!page()) return;
    if (!res.ok) { general.textContent = explain(res); return; }
    week = res.data;
    draw();
    if (me.onSaved) me.onSaved(week.monday);
  }

  function draw() {
    general.textContent = '';
    agreement.textContent = week.agreement ? t('twAgreement', { a: week.agreement }) : t('twNoAgreement');
    const rows = week.days.map((day, i) => {
      const label = dayText(day.date);
      const select = (half) => h('select', { id: `tw-${half}-${i}`, 'aria-label': t('twCellLabel', { d: label, h: t(half === 'morning' ? 'twMorning' : 'twAfternoon') }),
        'aria-describedby': `tw-error-${i}`, 'data-testid': `tw-${half}-${i}` },
        ...LOCATIONS.map((l) => h('option', { value: l, selected: day[half] === l }, t(`twLoc_${l}`))));
      return h('tr', { 'data-testid': `tw-day-${i}` }, h('th', { scope: 'row' }, label),
        h('td', {}, select('morning')), h('td', {}, select('afternoon')),
        h('td', {}, h('p', { class: 'error', id: `tw-error-${i}`, 'data-testid': `tw-error-${i}` })));
    });
    const table = stackedTable(t('twMine'), {}, [t('twDay'), t('twMorning'), t('twAfternoon'), ''], rows);
    tableArea.replaceChildren(table);
    drawWishes();
  }

  async function save(e) {
    e.preventDefault();
    const days = week.days.map((_, i) => ({
      morning: document.getElementById(`tw-morning-${i}`).value,
      afternoon: document.getElementById(`tw-afternoon-${i}`).value,
    }));
    for (let i = 0; i < 7; i += 1) {
      document.getElementById(`tw-error-${i}`).textContent = '';
      for (const half of ['morning', 'afternoon']) document.getElementById(`tw-${half}-${i}`).removeAttribute('aria-invalid');
    }
    general.textContent = '';
    const res = await api('PUT', '/api/v1/team-week/me', { monday: week.monday, days }).catch(fail);
    if (!page()) return;
    if (res.ok) { week = res.data; draw(); announce(t('twSaved')); if (me.onSaved) me.onSaved(week.monday); return; }
    const fields = (res.data && res.data.fields) || [];
    let first = null;
    const general_ = [];
    for (const issue of fields) {
      const m = /^days\[(\d)\]/.exec(issue.field || '');
      if (m) {
        const i = Number(m[1]);
        const out = document.getElementById(`tw-error-${i}`);
        out.textContent = [out.textContent, problemText(issue)].filter(Boolean).join(' ');
        for (const half of ['morning', 'afternoon']) document.getElementById(`tw-${half}-${i}`).setAttribute('aria-invalid', 'true');
        first = first || document.getElementById(`tw-morning-${i}`);
      } else general_.push(problemText(issue));
    }
    general.textContent = t('twNotSaved', { m: general_.length ? general_.join(' ') : (fields.length ? '' : explain(res)) }).trim();
    if (first) first.focus();
  }

  function drawWishes() {
    const boxes = WEEKDAYS.slice(0, 5).map((d, i) => {
      const id = `tw-wish-${d}`;
      return h('label', { for: id }, h('input', { type: 'checkbox', id, value: d, checked: week.wishes.includes(d) }), ' ', dayText(week.days[i].date).split(',')[0]);
    });
    const status = h('p', { role: 'status' });
    const form = h('form', { onsubmit: async (e) => {
      e.preventDefault();
      const weekdays = boxes.map((b) => b.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
      const res = await api('PUT', '/api/v1/team-week/me/wishes', { weekdays }).catch(fail);
      if (!page()) return;
      status.textContent = res.ok ? t('twWishesSaved') : explain(res);
    } }, h('fieldset', {}, h('legend', {}, t('twWishes')), h('p', { class: 'hint' }, t('twWishesHint')), ...boxes),
    h('button', { type: 'submit' }, t('twSaveWishes')), status);
    wishesArea.replaceChildren(form);
  }

  const chooser = h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); if (dayInput.value) load(dayInput.value); } },
    h('div', {}, h('label', { for: 'tw-week' }, t('twWeekOf')), dayInput),
    h('button', { type: 'submit' }, t('twShow')),
    h('button', { type: 'button', onclick: () => load(addDays(week.monday, -7)) }, t('twPrev')),
    h('button', { type: 'button', onclick: () => load(addDays(week.monday, 7)) }, t('twNext')));
  const form = h('form', { onsubmit: save, 'aria-labelledby': 'tw-mine-h' }, tableArea, general,
    h('button', { type: 'submit', 'data-testid': 'tw-save' }, t('twSave')));
  draw();
  me.section = h('section', { 'aria-labelledby': 'tw-mine-h' }, h('h2', { id: 'tw-mine-h' }, t('twMine')), chooser, agreement, form, wishesArea);
  return me;
}
