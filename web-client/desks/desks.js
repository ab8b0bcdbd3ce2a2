// The desks page (#/desks, "Arbeitsplätze"): a day (today by default) and a floor; the
// floor's plan with the desks as markers (desk_view.js) and the same desks as a table
// that becomes cards at phone width, each with who holds its morning and afternoon and
// the buttons to book what is free (whole day, morning, afternoon). A taken desk (409:
// someone was quicker) is said at the desk, the floor drawn again. Below: one's own
// bookings from today on, each to cancel, the day's meeting rooms with their bookings
// and a form to book one by the clock (meeting_rooms.js), and "Wo sitzt …?" (where.js).
import { api } from '../api.js';
import { h, show, announce, pageStillShown, userText, stackedTable } from '../dom.js';
import { t, lang } from '../i18n.js';
import { explain } from '../sign_in.js';
import { today, dayText, partText, equipmentText, halves, holderText, floorPlan } from './desk_view.js';
import { whereSection } from './where.js';
import { meetingRoomsSection } from './meeting_rooms.js';

const BOOK = [['whole', 'dkBookWhole'], ['morning', 'dkBookMorning'], ['afternoon', 'dkBookAfternoon']];
const fail = () => ({ ok: false, status: 0 });

export async function showDesks() {
  const page = pageStillShown();
  const [buildings, mineRes] = await Promise.all([
    api('GET', '/api/v1/desks/buildings').catch(fail),
    api('GET', '/api/v1/desks/bookings').catch(fail),
  ]);
  if (!page()) return;
  if (!buildings.ok) { show(t('dkTitle'), h('p', { class: 'error' }, explain(buildings))); return; }
  const floors = buildings.data.flatMap((b) => b.floors.map((f) => ({ ...f, building: b.name })));
  const desksById = new Map(); // desk id → { label, floor }, from the floors read so far
  let mine = mineRes.ok ? mineRes.data : [];
  let floorDay = null;

  const dayInput = h('input', { type: 'date', id: 'dk-day', min: today(), value: today(), required: true, 'data-testid': 'dk-day' });
  const floorSelect = h('select', { id: 'dk-floor', 'data-testid': 'dk-floor' },
    ...buildings.data.filter((b) => b.floors.length).map((b) => h('optgroup', { label: b.name },
      ...b.floors.map((f) => h('option', { value: String(f.id) }, t('dkFloorOption', { b: b.name, f: f.name }))))));
  const chooser = h('form', { class: 'inline dk-choose', 'aria-labelledby': 'dk-choose-h', onsubmit: (e) => { e.preventDefault(); load(); } },
    h('div', {}, h('label', { for: 'dk-day' }, t('dkDay')), dayInput),
    h('div', { class: 'grow' }, h('label', { for: 'dk-floor' }, t('dkFloor')), floorSelect));
  const rooms = meetingRoomsSection(page, () => dayInput.value || today());
  dayInput.addEventListener('change', () => { if (dayInput.value) { load(); rooms.load(); } });
  floorSelect.addEventListener('change', () => load());

  const planArea = h('div', { class: 'dk-plan-area' });
  const listArea = h('div', { class: 'dk-list-area' });
  const mineArea = h('div', { 'data-testid': 'dk-mine' });

  // Reads the chosen floor on the chosen day and draws it; `then` runs after drawing.
  async function load({ quiet = false } = {}) {
    const id = floorSelect.value;
    if (!id) return;
    const day = dayInput.value || today();
    const res = await api('GET', `/api/v1/desks/floors/${id}?day=${encodeURIComponent(day)}`).catch(fail);
    if (!page()) return;
    if (!res.ok) { listArea.replaceChildren(h('p', { class: 'error', role: 'alert' }, explain(res))); return; }
    floorDay = res.data;
    for (const d of floorDay.desks) desksById.set(d.id, { label: d.label, floor: floorDay.floor.name });
    draw();
    if (!quiet) announce(t('dkLoaded', { f: floorDay.floor.name, d: dayText(floorDay.day), n: floorDay.desks.length }));
  }

  const rowHeader = (id) => document.getElementById(`dk-desk-${id}`);
  // A room's team zone under its name: one's own team's, or another's (booked ahead only
  // by that team).
  const zoneNote = (room) => (room?.zone ? h('span', { class: `dk-zone${room.my_zone ? ' dk-zone-mine' : ''}`, 'data-testid': 'dk-zone' },
    t(room.my_zone ? 'dkZoneMine' : 'dkZoneOthers', { u: room.zone })) : null);

  function draw() {
    const { floor, desks, rooms, day } = floorDay;
    const roomName = (id) => rooms.find((r) => r.id === id)?.name || '';
    const unplaced = desks.filter((d) => !d.position).map((d) => d.label);
    planArea.replaceChildren(...[
      h('h2', { id: 'dk-plan-h' }, t('dkPlanHeading')),
      ...(floor.has_plan ? [
        h('p', { class: 'hint' }, t('dkLegend')),
        floorPlan(floor, desks, { marker: (d) => ({ onclick: () => { rowHeader(d.id)?.scrollIntoView({ block: 'center' }); rowHeader(d.id)?.focus(); } }) }),
        unplaced.length ? h('p', { class: 'hint' }, t('dkUnplaced', { l: unplaced.join(', ') })) : null,
      ] : [h('p', { class: 'hint' }, t('dkNoPlan'))]),
    ].filter(Boolean));
    const heads = [t('dkColDesk'), t('dkColRoom'), t('dkColEquipment'), t('dkColMorning'), t('dkColAfternoon'), t('dkColBook')];
    const rows = desks.map((d) => {
      const { morning, afternoon } = halves(d);
      const free = { whole: !morning && !afternoon, morning: !morning, afternoon: !afternoon };
      const buttons = BOOK.filter(([part]) => free[part]).map(([part, key]) => h('button', { type: 'button', class: part === 'whole' ? '' : 'secondary',
        'data-testid': `dk-book-${part}`, 'aria-label': t('dkBookOf', { a: t(key), l: d.label }), onclick: (e) => book(d, part, e.currentTarget) }, t(key)));
      const holder = (b) => h('td', { class: b ? (b.mine ? 'dk-h-mine' : 'dk-h-taken') : 'dk-h-free' }, b && !b.mine ? [t('dkBookedBy', { w: '' }).trim(), ' ', userText(b.name)] : holderText(b));
      return h('tr', { 'data-testid': 'dk-desk-row', 'data-desk': String(d.id) },
        h('th', { scope: 'row', id: `dk-desk-${d.id}`, tabindex: '-1' }, userText(d.label)),
        h('td', {}, userText(roomName(d.room)), zoneNote(rooms.find((r) => r.id === d.room))),
        h('td', {}, equipmentText(d.equipment)),
        holder(morning), holder(afternoon),
        h('td', {}, h('div', { class: 'dk-buttons' }, ...(buttons.length ? buttons : [t('dkNothingToBook')])),
          h('p', { class: 'error dk-desk-error', role: 'alert', 'data-testid': 'dk-desk-error', id: `dk-err-${d.id}` })));
    });
    listArea.replaceChildren(h('h2', { id: 'dk-list-h' }, t('dkListHeading')),
      desks.length ? stackedTable(t('dkListCaption', { f: floor.name, d: dayText(day) }), { 'data-testid': 'dk-desks' }, heads, rows)
        : h('p', {}, t('dkNoDesks')));
  }

  // Books `part` of `desk` on the shown day; a refusal is said at the desk.
  async function book(desk, part, button) {
    // One request per click: a second click while the first is under way would be
    // refused as a desk already held.
    if (button.getAttribute('aria-disabled') === 'true') return;
    button.setAttribute('aria-disabled', 'true');
    const day = floorDay.day;
    const res = await api('POST', '/api/v1/desks/bookings', { desk: desk.id, day, part }).catch(fail);
    if (!page()) return;
    if (res.ok) {
      await Promise.all([load({ quiet: true }), readMine()]);
      rowHeader(desk.id)?.focus();
      announce(t('dkBooked', { l: desk.label, d: dayText(day), p: partText(part) }));
      return;
    }
    await load({ quiet: true });
    const message = refusal(res, desk, part);
    rowHeader(desk.id)?.focus();
    const box = document.getElementById(`dk-err-${desk.id}`);
    if (box) setTimeout(() => { box.textContent = message; }, 50);
    else announce(message);
  }

  // Why a booking of `part` of `desk` was refused, from the floor as it is now.
  function refusal(res, desk, part) {
    if (res.status !== 409) return explain(res);
    const now = floorDay.desks.find((d) => d.id === desk.id);
    const { morning, afternoon } = now ? halves(now) : {};
    const holder = [part !== 'afternoon' ? morning : null, part !== 'morning' ? afternoon : null].find((b) => b && !b.mine);
    if (holder) return lang() === 'de' && res.data?.message ? res.data.message : t('dkTaken', { l: desk.label, p: partText(part), w: holder.name });
    const other = mine.some((b) => b.day === floorDay.day && ['booked', 'checked_in'].includes(b.state));
    if (other) return t('dkYouHoldOther');
    return res.data?.message ? t('failed', { m: res.data.message }) : t('dkTakenNobody', { l: desk.label, p: partText(part) });
  }

  async function readMine() {
    const res = await api('GET', '/api/v1/desks/bookings').catch(fail);
    if (!page()) return;
    if (res.ok) mine = res.data;
    await drawMine();
  }

  // The labels of desks on floors not read yet: every floor once (few in a building).
  let allRead = false;
  async function labelsFor(bookings) {
    if (allRead || bookings.every((b) => desksById.has(b.desk))) return;
    allRead = true;
    const all = await Promise.all(floors.map((f) => api('GET', `/api/v1/desks/floors/${f.id}`).catch(fail)));
    for (const r of all) if (r.ok) for (const d of r.data.desks) desksById.set(d.id, { label: d.label, floor: r.data.floor.name });
  }

  async function drawMine() {
    const shown = mine.filter((b) => b.state !== 'cancelled');
    await labelsFor(shown);
    if (!page()) return;
    const label = (b) => desksById.get(b.desk)?.label || t('dkDeskNo', { n: b.desk });
    mineArea.replaceChildren(h('h2', { id: 'dk-mine-h', tabindex: '-1' }, t('dkMineHeading')),
      shown.length ? h('ul', { class: 'dk-mine' }, ...shown.map((b) => h('li', { 'data-testid': 'dk-mine-item', 'data-booking': String(b.id) },
        h('span', {}, t('dkMineLine', { d: dayText(b.day), p: partText(b.part), l: label(b) }), ' – ', h('strong', {}, t(`dkState_${b.state}`))), ' ',
        ['booked', 'checked_in'].includes(b.state) ? h('button', { type: 'button', class: 'secondary', 'data-testid': 'dk-cancel',
          'aria-label': t('dkCancelOf', { l: label(b), d: dayText(b.day), p: partText(b.part) }), onclick: () => cancel(b, label(b)) }, t('dkCancel')) : null)))
        : h('p', {}, t('dkMineNone')));
  }

  async function cancel(b, label) {
    const res = await api('DELETE', `/api/v1/desks/bookings/${b.id}`).catch(fail);
    if (!page()) return;
    if (!res.ok) { announce(explain(res)); return; }
    await Promise.all([readMine(), load({ quiet: true })]);
    document.getElementById('dk-mine-h')?.focus();
    announce(t('dkCancelled', { l: label, d: dayText(b.day), p: partText(b.part) }));
  }

  // "Auf dem Plan zeigen" from the search: today, that floor, the desk focused.
  async function showSeat(seat) {
    dayInput.value = today();
    floorSelect.value = String(seat.floor_id);
    await load();
    const marker = document.querySelector(`.dk-marker[data-desk="${seat.booking.desk}"]`);
    (marker || rowHeader(seat.booking.desk))?.focus();
  }

  if (!floors.length) {
    show(t('dkTitle'), h('p', { class: 'dk-note', 'data-testid': 'dk-no-floors' }, t('dkNoFloors')), mineArea, whereSection(page, showSeat));
    await drawMine();
    return;
  }
  show(t('dkTitle'),
    h('section', { class: 'dk-section', 'aria-labelledby': 'dk-choose-h' }, h('h2', { id: 'dk-choose-h', class: 'visually-hidden' }, t('dkChoose')), chooser),
    h('section', { class: 'dk-section', 'aria-labelledby': 'dk-plan-h' }, planArea),
    h('section', { class: 'dk-section', 'aria-labelledby': 'dk-list-h' }, listArea),
    h('section', { class: 'dk-section', 'aria-labelledby': 'dk-mine-h' }, mineArea),
    rooms.section,
    whereSection(page, showSeat));
  await Promise.all([load({ quiet: true }), rooms.load()]);
  await drawMine();
}
