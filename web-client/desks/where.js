// "Wo sitzt …?": people found by name, login or extension in the directory (GET
// /api/v1/presence?q=, the team panel's search), each with where they sit today (GET
// /api/v1/desks/people/{login}/today) and a button to show the desk on the plan.
import { api } from '../api.js';
import { h, announce, userText } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { partText } from './desk_view.js';

const MOST = 10;
const fail = () => ({ ok: false, status: 0 });

// The section; `page()` says whether the page is still shown, `showSeat(seat)` shows a
// seat on the plan.
export function whereSection(page, showSeat) {
  const results = h('div', { class: 'dk-where-results', 'data-testid': 'dk-where-results' });
  const input = h('input', { id: 'dk-where-q', type: 'search', maxlength: '100', autocomplete: 'off', 'data-testid': 'dk-where-q' });
  const form = h('form', { class: 'inline', role: 'search', 'aria-labelledby': 'dk-where-h', onsubmit: async (e) => {
    e.preventDefault();
    const q = input.value.trim();
    if (!q) { results.replaceChildren(h('p', { class: 'error', role: 'alert' }, t('dkWhereShort'))); return; }
    const found = await api('GET', `/api/v1/presence?q=${encodeURIComponent(q)}`).catch(fail);
    if (!page()) return;
    if (!found.ok) { results.replaceChildren(h('p', { class: 'error', role: 'alert' }, explain(found))); return; }
    const people = found.data.entries.slice(0, MOST);
    const seats = await Promise.all(people.map((p) => api('GET', `/api/v1/desks/people/${encodeURIComponent(p.login)}/today`).catch(fail)));
    if (!page()) return;
    results.replaceChildren(people.length ? h('ul', { class: 'dk-where' }, ...people.map((p, i) => item(p, seats[i]))) : h('p', {}, t('dkWhereNone')));
    announce(people.length ? `${t('dkWhereCount', { n: people.length })} ${results.textContent}` : t('dkWhereNone'));
  } },
  h('div', { class: 'grow' }, h('label', { for: 'dk-where-q' }, t('dkWhereLabel')), input),
  h('button', { type: 'submit', 'data-testid': 'dk-where-search' }, t('dkWhereSearch')));

  function item(person, res) {
    const who = [userText(person.name), ...(person.unit ? [' (', userText(person.unit), ')'] : [])];
    if (!res.ok) return h('li', { 'data-testid': 'dk-where-item' }, who, ': ', explain(res));
    const seats = res.data.seats;
    if (!seats.length) return h('li', { 'data-testid': 'dk-where-item' }, who, ': ', t('dkWhereNoSeat'));
    return h('li', { 'data-testid': 'dk-where-item' }, who, ':',
      h('ul', {}, ...seats.map((s) => h('li', {},
        t('dkWhereSeat', { p: partText(s.booking.part), l: s.desk, r: s.room, f: s.floor, b: s.building }), ' ',
        h('button', { type: 'button', class: 'link', 'data-testid': 'dk-where-show', 'aria-label': t('dkWhereShowOf', { l: s.desk }),
          onclick: () => showSeat(s) }, t('dkWhereShow'))))));
  }

  return h('section', { class: 'dk-section', 'aria-labelledby': 'dk-where-h' },
    h('h2', { id: 'dk-where-h' }, t('dkWhereHeading')), form, results);
}
