// How a desk reads and looks, shared by the desks page, the check-in page and the
// administrators' page: its equipment in words, who holds its morning and afternoon,
// days in the page's language, and the floor plan with the desks as markers placed by
// their percent position (positioned through the CSSOM: the page's Content-Security-
// Policy allows no style attributes).
import { h } from '../dom.js';
import { t, lang } from '../i18n.js';

// The server's calendar is the administration's (crates/web/src/desks/mod.rs zone()).
const ZONE = 'Europe/Berlin';

// Today in the administration's calendar, as YYYY-MM-DD.
export function today() {
  return new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

// `2026-12-07` as "Mo., 07.12.2026" (or "Mon, 07/12/2026").
export function dayText(text) {
  const d = new Date(`${text}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return text;
  return d.toLocaleDateString(lang() === 'en' ? 'en-GB' : 'de-DE', { timeZone: 'UTC', weekday: 'short', day: '2-digit', month: '2-digit', year: 'numeric' });
}

export const partText = (part) => t(`dkPart_${part}`);

// Equipment tags in words (unknown tags as written).
export function equipmentText(tags) {
  if (!tags.length) return t('dkNoEquipment');
  return tags.map((tag) => { const key = `dkEq_${tag}`; const text = t(key); return text === key ? tag : text; }).join(', ');
}

// The bookings holding `desk`'s morning and afternoon (a whole day holds both).
export function halves(desk) {
  const of = (part) => desk.bookings.find((b) => b.part === 'whole' || b.part === part) || null;
  return { morning: of('morning'), afternoon: of('afternoon') };
}

// One half in words: free, or who has it.
export function holderText(booking) {
  if (!booking) return t('dkFree');
  if (booking.mine) return `${t('dkYours')}${booking.state === 'checked_in' ? `, ${t('dkCheckedIn')}` : ''}`;
  return t('dkBookedBy', { w: booking.name });
}

// The marker's symbol and state (the symbol repeats the colour's meaning).
export function deskState(desk) {
  const { morning, afternoon } = halves(desk);
  if ((morning && morning.mine) || (afternoon && afternoon.mine)) return ['★', 'mine'];
  if (morning && afternoon) return ['●', 'full'];
  if (morning || afternoon) return ['◐', 'half'];
  return ['○', 'free'];
}

// The accessible name of `desk`'s marker: label, equipment, free or booked by whom.
export function markerName(desk) {
  const { morning, afternoon } = halves(desk);
  const state = !morning && !afternoon ? t('dkMarkerFree')
    : morning && morning === afternoon ? `${partText('whole')} ${holderText(morning)}`
      : t('dkMarkerHalf', { m: holderText(morning), a: holderText(afternoon) });
  return t('dkMarkerName', { l: desk.label, e: equipmentText(desk.equipment), s: state });
}

// The plan of floor `floor` (a FloorItem) with a marker button per placed desk:
// `marker(desk)` gives the button's extra attributes (onclick, testid). `onPick(x, y)`,
// when given, is called with the percent position of a click on the image.
export function floorPlan(floor, desks, { marker, onPick = null, version = '' }) {
  const img = h('img', { src: `/api/v1/desks/floors/${floor.id}/plan${version ? `?v=${version}` : ''}`, alt: t('dkPlanAlt', { f: floor.name }), class: 'dk-plan-img' });
  const box = h('div', { class: `dk-plan-box${onPick ? ' dk-pick' : ''}`, 'data-testid': 'dk-plan' }, img);
  if (onPick) {
    img.addEventListener('click', (e) => {
      const r = img.getBoundingClientRect();
      const round = (v) => Math.round(Math.min(100, Math.max(0, v)) * 10) / 10;
      onPick(round(((e.clientX - r.left) / r.width) * 100), round(((e.clientY - r.top) / r.height) * 100));
    });
  }
  for (const desk of desks) {
    if (!desk.position) continue;
    const [symbol, state] = deskState(desk);
    const button = h('button', { type: 'button', class: `dk-marker dk-${state}`, 'data-desk': String(desk.id), 'data-testid': 'dk-marker',
      'aria-label': markerName(desk), ...marker(desk) },
    h('span', { 'aria-hidden': 'true' }, symbol), ' ', desk.label);
    button.style.left = `${desk.position.x}%`;
    button.style.top = `${desk.position.y}%`;
    box.append(button);
  }
  return box;
}
