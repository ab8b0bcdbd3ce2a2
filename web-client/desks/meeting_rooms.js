// The meeting rooms on the desks page: for the chosen day every meeting room with its
// bookings (time, occasion, who; one's own to cancel) and a form to book a room by the
// clock in quarter hours. The server decides (a room booked meanwhile is a 409 naming
// when and by whom, said at the form); the form's own checks are said at the field.
import { api } from '../api.js';
import { h, announce, userText } from '../dom.js';
import { t, lang } from '../i18n.js';
import { explain } from '../sign_in.js';
import { dayText } from './desk_view.js';

const fail = () => ({ ok: false, status: 0 });

// A labelled input; returns [row, input].
function field(id, label, attrs) {
  const input = h('input', { id, name: id, 'data-testid': id, ...attrs });
  return [h('div', {}, h('label', { for: id }, label), input), input];
}

// The section and its `load()`; `day()` is the day chosen on the page.
export function meetingRoomsSection(page, day) {
  const area = h('div', { 'data-testid': 'dk-rooms' });
  const section = h('section', { class: 'dk-section', 'aria-labelledby': 'dk-rooms-h' }, area);
  let shownDay = null;

  async function load({ focus = null, said = null } = {}) {
    shownDay = day();
    const res = await api('GET', `/api/v1/desks/meeting-rooms?day=${encodeURIComponent(shownDay)}`).catch(fail);
    if (!page()) return;
    if (!res.ok) { area.replaceChildren(h('h2', { id: 'dk-rooms-h' }, t('dkRoomsHeading')), h('p', { class: 'error', role: 'alert' }, explain(res))); return; }
    draw(res.data);
    if (focus) document.getElementById(focus)?.focus();
    if (said) announce(said);
  }

  function draw(rooms) {
    if (!rooms.length) { area.replaceChildren(h('h2', { id: 'dk-rooms-h' }, t('dkRoomsHeading')), h('p', {}, t('dkRoomsNone'))); return; }
    const list = h('ul', { class: 'dk-rooms' }, ...rooms.map((r) => h('li', { 'data-testid': 'dk-room', 'data-room': String(r.id) },
      h('h3', { id: `dk-room-${r.id}` }, userText(r.name)),
      h('p', { class: 'hint' }, t('dkRoomWhere', { b: r.building, f: r.floor, n: r.seats })),
      r.bookings.length ? h('ul', { 'aria-labelledby': `dk-room-${r.id}` }, ...r.bookings.map((b) => h('li', { 'data-testid': 'dk-room-booking' },
        h('strong', {}, `${b.from}–${b.to}`), ' ', userText(b.title), ' – ', b.mine ? t('dkRoomYours') : [t('dkRoomBy'), ' ', userText(b.by)],
        b.mine ? [' ', h('button', { type: 'button', class: 'secondary', 'data-testid': 'dk-room-cancel',
          'aria-label': t('dkRoomCancelOf', { r: r.name, f: b.from, t: b.to }), onclick: () => cancel(b) }, t('dkCancel'))] : null)))
        : h('p', {}, t('dkRoomFree', { d: dayText(shownDay) })))));

    const room = h('select', { id: 'dk-room-pick', 'data-testid': 'dk-room-pick' }, ...rooms.map((r) => h('option', { value: String(r.id) }, t('dkRoomOption', { r: r.name, b: r.building }))));
    const [fromRow, from] = field('dk-room-from', t('dkRoomFrom'), { type: 'time', step: '900', required: true, value: '09:00' });
    const [toRow, to] = field('dk-room-to', t('dkRoomTo'), { type: 'time', step: '900', required: true, value: '10:00' });
    const [titleRow, title] = field('dk-room-title', t('dkRoomTitle'), { type: 'text', required: true, maxlength: '120' });
    const result = h('p', { id: 'dk-room-result', class: 'dk-result' });
    const refuse = (text, input) => {
      result.className = 'error dk-result';
      result.setAttribute('role', 'alert');
      result.textContent = '';
      input?.setAttribute('aria-invalid', 'true');
      input?.focus();
      setTimeout(() => { result.textContent = text; }, 50);
    };
    const form = h('form', { novalidate: true, 'aria-labelledby': 'dk-room-book-h', onsubmit: async (e) => {
      e.preventDefault();
      for (const input of [from, to, title]) input.removeAttribute('aria-invalid');
      if (!title.value.trim()) { refuse(t('dkRoomNeedTitle'), title); return; }
      if (!from.value || !to.value || to.value <= from.value) { refuse(t('dkRoomNeedTimes'), to.value && from.value ? to : from); return; }
      const res = await api('POST', '/api/v1/desks/meeting-rooms/bookings',
        { room: Number(room.value), day: shownDay, from: from.value, to: to.value, title: title.value }).catch(fail);
      if (!page()) return;
      if (!res.ok) {
        const bad = { from, to, title, room, day: from }[res.data?.fields?.[0]?.field];
        const text = res.status === 409 && lang() !== 'de' ? t('dkRoomTaken') : explain(res);
        refuse(text, bad || from);
        return;
      }
      const name = rooms.find((r) => String(r.id) === room.value)?.name || '';
      await load({ focus: 'dk-rooms-h', said: t('dkRoomBooked', { r: name, d: dayText(shownDay), f: res.data.from, t: res.data.to }) });
    } }, h('div', {}, h('label', { for: 'dk-room-pick' }, t('dkRoomPick')), room), fromRow, toRow, titleRow, result,
    h('p', { class: 'button-row' }, h('button', { type: 'submit', 'data-testid': 'dk-room-book' }, t('dkRoomBook'))));

    area.replaceChildren(h('h2', { id: 'dk-rooms-h', tabindex: '-1' }, t('dkRoomsHeading')), list,
      h('h3', { id: 'dk-room-book-h' }, t('dkRoomBookHeading', { d: dayText(shownDay) })), form);
  }

  async function cancel(b) {
    const res = await api('DELETE', `/api/v1/desks/meeting-rooms/bookings/${b.id}`).catch(fail);
    if (!page()) return;
    if (!res.ok) { announce(explain(res)); return; }
    await load({ focus: 'dk-rooms-h', said: t('dkRoomCancelled', { r: b.room_name, f: b.from, t: b.to }) });
  }

  return { section, load };
}
