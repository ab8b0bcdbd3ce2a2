// The team calendar of one's unit on the week page: a row per day (a card per day at
// phone width), a column per person with the day's location, and how many are in the
// office against the unit's minimum.
import { api } from '../api.js';
import { h, stackedTable, userText } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { dayText } from '../desks/desk_view.js';

const fail = () => ({ ok: false, status: 0 });

// A day's cell: one location, or both halves; the short "V:"/"N:" is for the eye, a
// screen reader hears "Vormittag …, Nachmittag …" instead of letters.
export function cellText(day) {
  if (day.morning === day.afternoon) return t(`twLoc_${day.morning}`);
  const m = t(`twLoc_${day.morning}`);
  const a = t(`twLoc_${day.afternoon}`);
  return h('span', {}, h('span', { 'aria-hidden': 'true' }, t('twHalf', { m, a })),
    h('span', { class: 'visually-hidden' }, `${t('twMorning')}: ${m}, ${t('twAfternoon')}: ${a}`));
}

export function teamSection(page, unit, from) {
  const area = h('div', { 'data-testid': 'tw-team' });
  const heading = h('h2', { id: 'tw-team-h' }, t('twTeamOf', { u: unit.path }));
  async function load(day) {
    const q = day || from;
    const res = await api('GET', `/api/v1/team-week/units/${unit.id}/calendar${q ? `?from=${q}` : ''}`).catch(fail);
    if (!page()) return;
    if (!res.ok) { area.replaceChildren(h('p', { class: 'error' }, explain(res))); return; }
    const cal = res.data;
    const heads = [t('twDay'), ...cal.people.map((p) => p.name), t('twInOffice')];
    const rows = cal.dates.map((date, d) => h('tr', {},
      h('th', { scope: 'row' }, dayText(date)),
      ...cal.people.map((p) => h('td', {}, cellText(p.days[d]))),
      h('td', {}, t('twInOfficeOf', { n: cal.in_office[d], m: cal.minimum[d] }))));
    area.replaceChildren(stackedTable(t('twTeamOf', { u: cal.unit }), {}, heads, rows));
  }
  return { section: h('section', { 'aria-labelledby': 'tw-team-h' }, heading, area), load, userText };
}
