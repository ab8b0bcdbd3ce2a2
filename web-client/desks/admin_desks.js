// The administrators' desks page (#/admin/desks): buildings and their floors (a floor
// with its plan image, uploaded as the request's body), then one floor at a time: its
// plan (replaced by a new upload), its rooms, new desks with equipment tags, a desk
// placed on the plan by clicking the image or by two percent inputs (for keyboards),
// and every desk with its QR link and sign (the server draws the QR code of the check-in
// page's URL; "Schilder drucken" lays out one sign per desk and opens the browser's print
// dialogue, with everything but the signs hidden). The server checks everything; a
// refusal is said at the form (its German message; the form's own checks in English
// too).
import { api, upload } from '../api.js';
import { h, show, announce, pageStillShown, userText, stackedTable } from '../dom.js';
import { t } from '../i18n.js';
import { explain } from '../sign_in.js';
import { equipmentText, floorPlan } from './desk_view.js';
import { layoutForm } from './admin_layout.js';

const TAGS = ['docking', 'two_screens', 'height_adjustable', 'accessible'];
const fail = () => ({ ok: false, status: 0 });

// An input with its label; returns [row, input].
function labelled(id, label, attrs, tag = 'input') {
  const input = h(tag, { id, name: id, 'data-testid': id, ...attrs });
  return [h('div', {}, h('label', { for: id }, label), input), input];
}

// A form's result line: said as done (status) or refused (alert).
function resultLine(id) {
  const p = h('p', { id, class: 'dk-result' });
  return {
    p,
    done(text) { p.className = 'ok dk-result'; p.removeAttribute('role'); p.textContent = text; announce(text); },
    refuse(res) {
      p.className = 'error dk-result';
      p.setAttribute('role', 'alert');
      p.textContent = '';
      const text = res.status === undefined ? res : `${t('dkAdminRefused')} ${explain(res).replace(/^.*?: /, '')}`;
      setTimeout(() => { p.textContent = text; }, 50);
    },
  };
}

export const checkInLink = (id) => `${location.origin}/#/desks/check-in/${id}`;
const signImage = (d, cls) => h('img', { class: cls, src: `/api/v1/admin/desks/desks/${d.id}/qr.svg?origin=${encodeURIComponent(location.origin)}`,
  alt: t('dkAdminQrAlt', { l: d.label }), 'data-testid': 'dka-qr-image' });

// The signs of a floor's desks, one per desk (QR code, desk, room, link), and the print
// dialogue for them; "Zurück" (or Escape after printing) returns to the page.
function printSigns(floor, desks, roomName, back) {
  const close = h('button', { type: 'button', class: 'no-print', 'data-testid': 'dka-signs-back', onclick: back }, t('dkAdminSignsBack'));
  show(t('dkAdminSignsTitle', { f: floor.name }), h('p', { class: 'no-print hint' }, t('dkAdminSignsHint')), h('p', { class: 'no-print button-row' }, close),
    h('ul', { class: 'dk-signs', 'data-testid': 'dka-signs' }, ...desks.map((d) => h('li', { class: 'dk-sign' },
      signImage(d, 'dk-sign-qr'), h('p', { class: 'dk-sign-desk' }, userText(d.label)), h('p', {}, userText(roomName(d.room))),
      h('p', {}, t('dkAdminSignScan')), h('p', {}, h('code', {}, checkInLink(d.id)))))));
  close.focus();
  setTimeout(() => window.print(), 300);
}

export async function showAdminDesks(chosenFloor = null) {
  const page = pageStillShown();
  const res = await api('GET', '/api/v1/desks/buildings').catch(fail);
  if (!page()) return;
  if (!res.ok) { show(t('dkAdminTitle'), h('p', { class: 'error' }, explain(res))); return; }
  const buildings = res.data;
  const floors = buildings.flatMap((b) => b.floors.map((f) => ({ ...f, building: b.name })));
  const again = (floorId, focusId, said) => showAdminDesks(floorId).then(() => {
    document.getElementById(focusId)?.focus();
    if (said) announce(said);
  });

  // Buildings with their floors, and the forms for new ones.
  const overview = buildings.length ? h('ul', { 'data-testid': 'dka-buildings' }, ...buildings.map((b) => h('li', {}, userText(b.name), b.address ? [', ', userText(b.address)] : null,
    b.floors.length ? h('ul', {}, ...b.floors.map((f) => h('li', {}, t('dkAdminFloorLine', { f: f.name, n: f.level }), ' – ', t(f.has_plan ? 'dkAdminHasPlan' : 'dkAdminNoPlanYet')))) : null)))
    : h('p', {}, t('dkAdminNoBuildings'));

  const [bNameRow, bName] = labelled('dka-building-name', t('dkAdminBuildingName'), { type: 'text', required: true });
  const [bAddrRow, bAddr] = labelled('dka-building-address', t('dkAdminAddress'), { type: 'text' });
  const bResult = resultLine('dka-building-result');
  const buildingForm = h('form', { novalidate: true, 'aria-label': t('dkAdminAddBuilding'), onsubmit: async (e) => {
    e.preventDefault();
    const r = await api('POST', '/api/v1/admin/desks/buildings', { name: bName.value, address: bAddr.value || null }).catch(fail);
    if (!page()) return;
    if (!r.ok) { bResult.refuse(r); bName.focus(); return; }
    again(chosenFloor, 'dka-floor-name', t('dkAdminBuildingAdded', { b: r.data.name }));
  } }, bNameRow, bAddrRow, bResult.p, h('p', { class: 'button-row' }, h('button', { type: 'submit', 'data-testid': 'dka-building-add' }, t('dkAdminAddBuilding'))));

  let floorForm = null;
  if (buildings.length) {
    const building = h('select', { id: 'dka-floor-building', 'data-testid': 'dka-floor-building' }, ...buildings.map((b) => h('option', { value: String(b.id) }, b.name)));
    const [fNameRow, fName] = labelled('dka-floor-name', t('dkAdminFloorName'), { type: 'text', required: true });
    const [levelRow, level] = labelled('dka-floor-level', t('dkAdminLevel'), { type: 'number', step: '1', value: '0', inputmode: 'numeric' });
    const [fileRow, file] = labelled('dka-floor-plan', t('dkAdminPlanFile'), { type: 'file', accept: 'image/png,image/jpeg,image/webp' });
    const fResult = resultLine('dka-floor-result');
    floorForm = h('form', { novalidate: true, 'aria-labelledby': 'dka-new-floor-h', onsubmit: async (e) => {
      e.preventDefault();
      const r = await api('POST', `/api/v1/admin/desks/buildings/${building.value}/floors`, { name: fName.value, level: Number(level.value || 0) }).catch(fail);
      if (!page()) return;
      if (!r.ok) { fResult.refuse(r); fName.focus(); return; }
      let said = t('dkAdminFloorAdded', { f: r.data.name });
      if (file.files[0]) {
        const u = await upload(`/api/v1/admin/desks/floors/${r.data.id}/plan`, file.files[0], 'PUT').catch(fail);
        if (!page()) return;
        // The floor stands; its plan can be uploaded again below.
        if (!u.ok) said = `${said} ${explain(u)}`;
        else said = t('dkAdminFloorAddedPlan', { f: r.data.name });
      }
      again(r.data.id, 'dka-edit-h', said);
    } }, h('h3', { id: 'dka-new-floor-h' }, t('dkAdminNewFloor')),
    h('div', {}, h('label', { for: 'dka-floor-building' }, t('dkAdminBuilding')), building), fNameRow, levelRow, fileRow, fResult.p,
    h('p', { class: 'button-row' }, h('button', { type: 'submit', 'data-testid': 'dka-floor-add' }, t('dkAdminAddFloor'))));
  }

  const parts = [
    h('section', { class: 'dk-section', 'aria-labelledby': 'dka-buildings-h' }, h('h2', { id: 'dka-buildings-h', tabindex: '-1' }, t('dkAdminBuildings')), overview,
      h('h3', {}, t('dkAdminAddBuilding')), buildingForm, floorForm),
  ];
  const editSection = h('section', { class: 'dk-section', 'aria-labelledby': 'dka-edit-h' }, h('h2', { id: 'dka-edit-h', tabindex: '-1' }, t('dkAdminEdit')));
  parts.push(editSection);
  if (!floors.length) {
    editSection.append(h('p', {}, t('dkAdminNoFloorYet')));
    show(t('dkAdminTitle'), ...parts);
    return;
  }
  const current = floors.find((f) => f.id === chosenFloor) || floors[0];
  const floorSelect = h('select', { id: 'dka-floor', 'data-testid': 'dka-floor', onchange: () => again(Number(floorSelect.value), 'dka-floor') },
    ...floors.map((f) => h('option', { value: String(f.id), selected: f.id === current.id }, t('dkFloorOption', { b: f.building, f: f.name }))));
  editSection.append(h('div', { class: 'dka-pick-floor' }, h('label', { for: 'dka-floor' }, t('dkAdminEditFloor')), floorSelect));
  const day = await api('GET', `/api/v1/desks/floors/${current.id}`).catch(fail);
  if (!page()) return;
  if (!day.ok) { editSection.append(h('p', { class: 'error' }, explain(day))); show(t('dkAdminTitle'), ...parts); return; }
  const { floor, rooms, desks } = day.data;
  const reload = (focusId, said) => again(current.id, focusId, said);

  // The plan: upload, and the placing form (the image takes clicks).
  const [planRow, planFile] = labelled('dka-plan-file', t('dkAdminPlanFile').replace(/; .*\)/, ')'), { type: 'file', accept: 'image/png,image/jpeg,image/webp' });
  const pResult = resultLine('dka-plan-result');
  const planForm = h('form', { novalidate: true, 'aria-label': t('dkAdminUploadPlan'), onsubmit: async (e) => {
    e.preventDefault();
    if (!planFile.files[0]) { pResult.refuse(t('dkAdminChooseFile')); planFile.focus(); return; }
    const u = await upload(`/api/v1/admin/desks/floors/${floor.id}/plan`, planFile.files[0], 'PUT').catch(fail);
    if (!page()) return;
    if (!u.ok) { pResult.refuse(u); planFile.focus(); return; }
    reload('dka-plan-h', t('dkAdminPlanUploaded'));
  } }, planRow, pResult.p, h('p', { class: 'button-row' }, h('button', { type: 'submit', class: 'secondary', 'data-testid': 'dka-plan-upload' }, t('dkAdminUploadPlan'))));

  const placeDesk = h('select', { id: 'dka-place-desk', 'data-testid': 'dka-place-desk' }, ...desks.map((d) => h('option', { value: String(d.id) }, d.label)));
  const [xRow, x] = labelled('dka-place-x', t('dkAdminX'), { type: 'number', min: '0', max: '100', step: '0.1', inputmode: 'decimal' });
  const [yRow, y] = labelled('dka-place-y', t('dkAdminY'), { type: 'number', min: '0', max: '100', step: '0.1', inputmode: 'decimal' });
  const fillFrom = () => { const d = desks.find((k) => String(k.id) === placeDesk.value); x.value = d?.position ? String(d.position.x) : ''; y.value = d?.position ? String(d.position.y) : ''; };
  placeDesk.addEventListener('change', fillFrom);
  fillFrom();
  const placeResult = resultLine('dka-place-result');
  async function place() {
    const [px, py] = [Number(x.value), Number(y.value)];
    if (x.value.trim() === '' || y.value.trim() === '' || ![px, py].every((v) => v >= 0 && v <= 100)) { placeResult.refuse(t('dkAdminNumbers')); x.focus(); return; }
    const desk = desks.find((k) => String(k.id) === placeDesk.value);
    const r = await api('PUT', `/api/v1/admin/desks/desks/${desk.id}/position`, { position: { x: px, y: py } }).catch(fail);
    if (!page()) return;
    if (!r.ok) { placeResult.refuse(r); x.focus(); return; }
    await reload('dka-place-desk', t('dkAdminPlaced', { l: desk.label, x: px, y: py }));
    const select = document.getElementById('dka-place-desk');
    if (select) { select.value = String(desk.id); select.dispatchEvent(new Event('change')); }
  }
  const placeForm = h('form', { class: 'inline dka-place', novalidate: true, 'aria-labelledby': 'dka-place-h', onsubmit: (e) => { e.preventDefault(); place(); } },
    h('div', {}, h('label', { for: 'dka-place-desk' }, t('dkAdminPlaceDesk')), placeDesk), xRow, yRow,
    h('button', { type: 'submit', 'data-testid': 'dka-place-save' }, t('dkAdminPlaceSave')));
  const plan = floor.has_plan ? floorPlan(floor, desks, {
    version: String(Date.now()),
    marker: (d) => ({ 'aria-label': `${d.label}: ${t('dkAdminPlace')}`, onclick: () => { placeDesk.value = String(d.id); fillFrom(); x.focus(); } }),
    onPick: desks.length ? (px, py) => { x.value = String(px); y.value = String(py); place(); } : null,
  }) : null;
  editSection.append(
    h('h3', { id: 'dka-plan-h', tabindex: '-1' }, t('dkAdminPlan')), planForm,
    ...(desks.length ? [h('h3', { id: 'dka-place-h' }, t('dkAdminPlace')), h('p', { class: 'hint' }, t('dkAdminPlaceHint')), placeForm, placeResult.p] : []),
    plan ? h('div', { class: 'dka-plan-wrap', title: desks.length ? t('dkAdminPlanClick') : null }, plan) : h('p', { class: 'hint' }, t('dkNoPlan')));

  // Rooms.
  const [rNameRow, rName] = labelled('dka-room-name', t('dkAdminRoomName'), { type: 'text', required: true });
  const kind = h('select', { id: 'dka-room-kind', 'data-testid': 'dka-room-kind' }, ...['office', 'meeting'].map((k) => h('option', { value: k }, t(`dkAdminKind_${k}`))));
  const [seatsRow, seats] = labelled('dka-room-seats', t('dkAdminSeats'), { type: 'number', min: '0', step: '1', value: '1', inputmode: 'numeric' });
  const rResult = resultLine('dka-room-result');
  const roomForm = h('form', { novalidate: true, 'aria-label': t('dkAdminAddRoom'), onsubmit: async (e) => {
    e.preventDefault();
    const r = await api('POST', `/api/v1/admin/desks/floors/${floor.id}/rooms`, { name: rName.value, kind: kind.value, seats: Math.max(0, Number(seats.value || 0)) }).catch(fail);
    if (!page()) return;
    if (!r.ok) { rResult.refuse(r); rName.focus(); return; }
    reload('dka-desk-label', t('dkAdminRoomAdded', { r: r.data.name }));
  } }, rNameRow, h('div', {}, h('label', { for: 'dka-room-kind' }, t('dkAdminKind')), kind), seatsRow, rResult.p,
  h('p', { class: 'button-row' }, h('button', { type: 'submit', 'data-testid': 'dka-room-add' }, t('dkAdminAddRoom'))));
  editSection.append(h('h3', { id: 'dka-rooms-h' }, t('dkAdminRooms')),
    rooms.length ? h('ul', { 'data-testid': 'dka-rooms' }, ...rooms.map((r) => h('li', {}, t('dkAdminRoomLine', { r: r.name, k: t(`dkAdminKind_${r.kind}`), n: r.seats }),
      r.zone ? [' – ', t('dkAdminZoneOf', { u: r.zone })] : null))) : h('p', {}, t('dkAdminNoRooms')),
    roomForm);

  // Team zones: an office made a unit's zone (its team books ahead, others on the day).
  const offices = rooms.filter((r) => r.kind === 'office');
  if (offices.length) {
    const units = await api('GET', '/api/v1/admin/units').catch(fail);
    if (!page()) return;
    const zRoom = h('select', { id: 'dka-zone-room', 'data-testid': 'dka-zone-room' }, ...offices.map((r) => h('option', { value: String(r.id) }, r.name)));
    const zUnit = h('select', { id: 'dka-zone-unit', 'data-testid': 'dka-zone-unit' }, h('option', { value: '' }, t('dkAdminZoneNone')),
      ...(units.ok ? units.data.units : []).map((u) => h('option', { value: u }, u)));
    const fillZone = () => { zUnit.value = offices.find((r) => String(r.id) === zRoom.value)?.zone || ''; };
    zRoom.addEventListener('change', fillZone);
    fillZone();
    const zResult = resultLine('dka-zone-result');
    editSection.append(h('h3', { id: 'dka-zones-h' }, t('dkAdminZones')), h('p', { class: 'hint' }, t('dkAdminZonesHint')),
      h('form', { class: 'inline', novalidate: true, 'aria-labelledby': 'dka-zones-h', onsubmit: async (e) => {
        e.preventDefault();
        const r = await api('PUT', `/api/v1/admin/desks/rooms/${zRoom.value}/zone`, { unit: zUnit.value || null }).catch(fail);
        if (!page()) return;
        if (!r.ok) { zResult.refuse(r); zUnit.focus(); return; }
        const name = offices.find((o) => String(o.id) === zRoom.value)?.name || '';
        reload('dka-zones-h', zUnit.value ? t('dkAdminZoneSet', { r: name, u: zUnit.value }) : t('dkAdminZoneEnded', { r: name }));
      } }, h('div', {}, h('label', { for: 'dka-zone-room' }, t('dkAdminZoneRoom')), zRoom), h('div', { class: 'grow' }, h('label', { for: 'dka-zone-unit' }, t('dkAdminZoneUnit')), zUnit),
      h('button', { type: 'submit', 'data-testid': 'dka-zone-save' }, t('dkAdminZoneSave'))), zResult.p);
  }

  // New desks.
  editSection.append(h('h3', { id: 'dka-new-desk-h' }, t('dkAdminNewDesk')));
  if (!rooms.length) editSection.append(h('p', {}, t('dkAdminNeedRoom')));
  else {
    const room = h('select', { id: 'dka-desk-room', 'data-testid': 'dka-desk-room' }, ...rooms.map((r) => h('option', { value: String(r.id) }, r.name)));
    const [labelRow, label] = labelled('dka-desk-label', t('dkAdminLabel'), { type: 'text', required: true });
    const boxes = TAGS.map((tag) => h('input', { type: 'checkbox', id: `dka-tag-${tag}`, value: tag, 'data-testid': `dka-tag-${tag}` }));
    const [moreRow, more] = labelled('dka-desk-more', t('dkAdminMoreTags'), { type: 'text', autocapitalize: 'none' });
    const dResult = resultLine('dka-desk-result');
    editSection.append(h('form', { novalidate: true, 'aria-labelledby': 'dka-new-desk-h', onsubmit: async (e) => {
      e.preventDefault();
      const equipment = [...boxes.filter((b) => b.checked).map((b) => b.value), ...more.value.split(',').map((s) => s.trim()).filter(Boolean)];
      const r = await api('POST', `/api/v1/admin/desks/rooms/${room.value}/desks`, { label: label.value, equipment }).catch(fail);
      if (!page()) return;
      if (!r.ok) { dResult.refuse(r); label.focus(); return; }
      reload('dka-desk-label', t('dkAdminDeskAdded', { l: r.data.name }));
    } }, h('div', {}, h('label', { for: 'dka-desk-room' }, t('dkAdminDeskRoom')), room), labelRow,
    h('fieldset', {}, h('legend', {}, t('dkAdminEquipment')), ...boxes.map((b) => h('span', { class: 'dk-choice' }, b, ' ', h('label', { for: b.id }, t(`dkEq_${b.value}`))))),
    moreRow, dResult.p, h('p', { class: 'button-row' }, h('button', { type: 'submit', 'data-testid': 'dka-desk-add' }, t('dkAdminAddDesk')))));
  }

  // Every desk with its QR link.
  if (desks.length) {
    const heads = [t('dkColDesk'), t('dkColRoom'), t('dkColEquipment'), t('dkAdminColPosition'), t('dkAdminColLink')];
    const roomName = (id) => rooms.find((r) => r.id === id)?.name || '';
    const signs = h('button', { type: 'button', id: 'dka-print-signs', 'data-testid': 'dka-print-signs', onclick: () => printSigns(floor, desks, roomName, () => again(floor.id, 'dka-print-signs')) }, t('dkAdminPrintSigns'));
    editSection.append(h('h3', { id: 'dka-desks-h', tabindex: '-1' }, t('dkAdminDesks')), h('p', { class: 'hint' }, t('dkAdminQrNote')), h('p', { class: 'button-row' }, signs),
      stackedTable(t('dkAdminDesksCaption', { f: floor.name }), { 'data-testid': 'dka-desks' }, heads, desks.map((d) => h('tr', { 'data-testid': 'dka-desk-row', 'data-desk': String(d.id) },
        h('th', { scope: 'row' }, userText(d.label)), h('td', {}, userText(roomName(d.room))), h('td', {}, equipmentText(d.equipment)),
        h('td', {}, d.position ? t('dkAdminAt', { x: d.position.x, y: d.position.y }) : t('dkAdminNotPlaced')),
        h('td', {}, signImage(d, 'dk-qr-thumb'), ' ', h('code', { class: 'dk-link', 'data-testid': 'dka-qr-link' }, checkInLink(d.id)))))));
  }
  // Renaming and removing.
  const building = buildings.find((b) => b.floors.some((f) => f.id === current.id));
  editSection.append(...layoutForm({ building, floor, rooms, desks, page, resultLine,
    reload: (focusId, said, gone) => again(gone ? null : current.id, focusId, said) }));
  show(t('dkAdminTitle'), ...parts);
}
