// The page behind a desk's QR code (#/desks/check-in/{id}): says which desk (found on
// the floors of today), checks the signed-in person in there (POST
// /api/v1/desks/{id}/check-in: their booking of today) or says why not: not booked by
// them, booked by someone else, released meanwhile, no such desk. Already checked in:
// said without asking the server again.
import { api } from '../api.js';
import { h, show, announce, pageStillShown } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { partText, equipmentText } from './desk_view.js';

const fail = () => ({ ok: false, status: 0 });

// The desk `id` with its room, floor and building, from today's floors; null if none.
async function findDesk(id) {
  const buildings = await api('GET', '/api/v1/desks/buildings').catch(fail);
  if (!buildings.ok) return null;
  const floors = buildings.data.flatMap((b) => b.floors.map((f) => ({ id: f.id, building: b.name })));
  const days = await Promise.all(floors.map((f) => api('GET', `/api/v1/desks/floors/${f.id}`).catch(fail)));
  for (const [i, res] of days.entries()) {
    const desk = res.ok ? res.data.desks.find((d) => d.id === id) : null;
    if (desk) return { desk, room: res.data.rooms.find((r) => r.id === desk.room)?.name || '', floor: res.data.floor.name, building: floors[i].building };
  }
  return null;
}

export function checkInPage(hash) {
  const m = hash.match(/^#\/desks\/check-in\/(\d+)$/);
  return m ? () => showCheckIn(Number(m[1])) : null;
}

async function showCheckIn(id) {
  const page = pageStillShown();
  const found = await findDesk(id);
  if (!page()) return;
  const result = h('p', { 'data-testid': 'dk-checkin-result', class: 'dk-checkin-result' });
  const back = h('p', {}, h('a', { href: '#/desks' }, t('dkToDesks')));
  if (!found) {
    show(t('dkCheckInTitle'), result, back);
    result.classList.add('error'); result.textContent = t('dkCheckInUnknown'); announce(result.textContent);
    return;
  }
  const { desk } = found;
  const place = h('p', { 'data-testid': 'dk-checkin-desk' }, t('dkCheckInPlace', { r: found.room, f: found.floor, b: found.building }), ' ', t('dkCheckInEquipment', { e: equipmentText(desk.equipment) }));
  show(t('dkCheckInAt', { l: desk.label }), place, result, back);
  const say = (text, ok) => { result.classList.add(ok ? 'ok' : 'error'); result.textContent = text; announce(text); };
  const already = desk.bookings.filter((b) => b.mine && b.state === 'checked_in');
  if (already.length) { say(t('dkAlreadyIn', { p: already.map((b) => partText(b.part)).join(', ') }), true); return; }
  const res = await api('POST', `/api/v1/desks/${id}/check-in`).catch(fail);
  if (!page()) return;
  if (res.ok) {
    say(t('dkCheckedInNow', { p: res.data.map((b) => partText(b.part)).join(', '), l: desk.label }), true);
    return;
  }
  const why = { 403: 'dkCheckInOther', 404: 'dkCheckInNotYours', 409: 'dkCheckInGone' }[res.status];
  say(why ? t(why, { l: desk.label }) : explain(res), false);
}
