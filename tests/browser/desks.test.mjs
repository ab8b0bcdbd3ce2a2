// Desk sharing in the web client (issue 19), in Debian's Chromium against the real
// server. The administrator (#/admin/desks) adds the building Rathaus, its floor "2. OG"
// with a plan (a PNG made here), the room 2.14 and two desks with equipment, places
// 2.14-A by clicking the plan and 2.14-B by the percent inputs, and reads each desk's QR
// link. Carl books 2.14-A for the morning (#/desks: the marker and the list say so, his
// bookings list it); Dora, whose page still shows the morning free, is refused at the
// desk with who has it (409), then books the afternoon. Carl finds Dora with "Wo sitzt
// …?" and shows her desk on the plan, then checks in through the QR link page; Bärbel
// (a stranger to that desk) opens its QR link before signing in, lands on the check-in
// page once signed in and is refused there with the reason. In English: Dora cancels
// and books 2.14-B for the whole day, Bärbel's stale page is refused at that desk in
// English, and her check-in at 2.14-A is refused in English. axe on every page,
// screenshots at 1280 and 375 px, nothing wider than the screen at 375 px, the desk
// tables as cards there. The release of unchecked bookings is off, so a morning booking
// stays whatever the hour of the run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { startServer, startBrowser, signInOn, violations, PASSWORD } from './harness.mjs';
import { shot, fitsWidth, cellsInView } from './hotline_world.mjs';

let server; let browser;
const sessions = new Map(); // login → storage state (one sign-in per person: the throttle)

before(async () => {
  server = await startServer('', null, { config: '[desks]\nrelease_unchecked = false\n' });
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

// A PNG of `width` x `height`: a light floor with a darker wall grid (RFC 2083 chunks).
function planPng(width, height) {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => { let c = 0xffffffff; for (const b of buf) c = table[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB
  const rows = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x += 1) {
      const wall = x % 100 < 3 || y % 100 < 3;
      row.fill(wall ? 90 : 235, 1 + x * 3, 4 + x * 3);
    }
    rows.push(row);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

// A page of a fresh context signed in as `login`, `width` px wide, on `hash`.
async function open(login, { width = 1280, hash = '/desks', heading = 'Arbeitsplätze', language = 'de' } = {}) {
  const context = await browser.newContext({ viewport: { width, height: 800 }, locale: language === 'en' ? 'en-GB' : 'de-DE', timezoneId: 'Europe/Berlin', storageState: sessions.get(login) });
  const page = await context.newPage();
  page.on('pageerror', (e) => { throw e; });
  if (!sessions.has(login)) {
    await signInOn(page, server, login);
    sessions.set(login, await context.storageState());
  }
  await page.goto(`${server.url}/?lang=${language}#${hash}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  return page;
}

// The API as the page's person: { status, data }.
async function call(page, method, path, body) {
  const me = await (await page.request.get(`${server.url}/api/v1/me`)).json();
  const r = await page.request.fetch(`${server.url}${path}`, { method, data: body, headers: { 'X-CSRF-Token': me.csrf_token } });
  return { status: r.status(), data: (r.headers()['content-type'] || '').includes('json') ? await r.json() : null };
}

const isFocused = (locator) => locator.evaluate((el) => el === document.activeElement);
const status = (page, text) => page.locator('#status').filter({ hasText: text }).waitFor();
const row = (page, label) => page.getByTestId('dk-desk-row').filter({ has: page.getByRole('rowheader', { name: label, exact: true }) });

async function checkLayout(page, name, cards = null) {
  assert.deepEqual(await violations(page), [], `${name} at 1280 px`);
  assert.doesNotMatch(await page.locator('main').textContent(), /null|undefined|\bdk[A-Z]/, `${name}: no placeholder or missing text`);
  await shot(page, `desks-${name}-1280.png`);
  await page.setViewportSize({ width: 375, height: 800 });
  assert.ok(await fitsWidth(page), `${name} at 375 px`);
  if (cards) assert.ok(await cellsInView(page.getByTestId(cards)), `${name}: the table is cards at 375 px`);
  assert.deepEqual(await violations(page), [], `${name} at 375 px`);
  await shot(page, `desks-${name}-375.png`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

let desks = {}; // label → id
let floorId;

test('the administration builds a floor with a plan, a room and two desks and places them', async () => {
  const admin = await open('a.admin', { hash: '/admin/desks', heading: 'Arbeitsplätze verwalten' });
  assert.equal(await admin.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Arbeitsplätze verwalten' }).getAttribute('aria-current'), 'page');
  // An empty name is refused, nothing stored.
  await admin.getByTestId('dka-building-add').click();
  await admin.locator('#dka-building-result[role="alert"]').filter({ hasText: 'Nicht gespeichert' }).waitFor();
  assert.deepEqual((await call(admin, 'GET', '/api/v1/desks/buildings')).data, []);

  await admin.getByLabel('Name des Gebäudes').fill('Rathaus');
  await admin.getByLabel('Anschrift (freiwillig)').fill('Markt 1');
  await admin.getByTestId('dka-building-add').click();
  await status(admin, 'Das Gebäude „Rathaus“ ist angelegt.');
  assert.ok(await isFocused(admin.getByLabel('Name der Etage (z. B. 2. OG)')));
  await admin.getByLabel('Name der Etage (z. B. 2. OG)').fill('2. OG');
  await admin.getByLabel('Ebene (0: Erdgeschoss)').fill('2');
  await admin.getByTestId('dka-floor-plan').setInputFiles({ name: 'plan-2og.png', mimeType: 'image/png', buffer: planPng(800, 400) });
  await admin.getByTestId('dka-floor-add').click();
  await status(admin, 'Die Etage „2. OG“ ist mit Plan angelegt.');
  const buildings = (await call(admin, 'GET', '/api/v1/desks/buildings')).data;
  assert.equal(buildings[0].floors[0].has_plan, true);
  floorId = buildings[0].floors[0].id;
  await admin.getByRole('img', { name: 'Plan der Etage 2. OG' }).waitFor();

  await admin.getByLabel('Raum (Name oder Nummer)').fill('2.14');
  await admin.getByLabel('Sitzplätze').fill('4');
  await admin.getByTestId('dka-room-add').click();
  await status(admin, 'Der Raum „2.14“ ist angelegt.');
  assert.ok(await isFocused(admin.getByLabel('Bezeichnung des Platzes')));
  await admin.getByLabel('Bezeichnung des Platzes').fill('2.14-A');
  await admin.getByLabel('Dockingstation').check();
  await admin.getByLabel('zwei Bildschirme').check();
  await admin.getByTestId('dka-desk-add').click();
  await status(admin, 'Der Platz „2.14-A“ ist angelegt.');
  // A bad tag is refused at the form.
  await admin.getByLabel('Bezeichnung des Platzes').fill('2.14-B');
  await admin.getByLabel(/^Weitere Merkmale/).fill('zwei Bildschirme');
  await admin.getByTestId('dka-desk-add').click();
  await admin.locator('#dka-desk-result[role="alert"]').filter({ hasText: 'Ausstattungsmerkmale' }).waitFor();
  await admin.getByLabel(/^Weitere Merkmale/).fill('');
  await admin.getByLabel('höhenverstellbar').check();
  await admin.getByTestId('dka-desk-add').click();
  await status(admin, 'Der Platz „2.14-B“ ist angelegt.');
  const floor = (await call(admin, 'GET', `/api/v1/desks/floors/${floorId}`)).data;
  desks = Object.fromEntries(floor.desks.map((d) => [d.label, d.id]));
  assert.deepEqual(floor.desks.map((d) => d.equipment), [['docking', 'two_screens'], ['height_adjustable']]);

  // 2.14-A by a click on the plan at a quarter of its width and 40 % of its height.
  await admin.getByTestId('dka-place-desk').selectOption({ label: '2.14-A' });
  const img = admin.getByRole('img', { name: 'Plan der Etage 2. OG' });
  const box = await img.boundingBox();
  await img.click({ position: { x: box.width * 0.25, y: box.height * 0.4 } });
  await status(admin, /Platz 2.14-A liegt jetzt bei/);
  // 2.14-B by the inputs (keyboard users).
  await admin.getByTestId('dka-place-desk').selectOption({ label: '2.14-B' });
  await admin.getByLabel('Von links (%)').fill('60');
  await admin.getByLabel('Von oben (%)').fill('40.5');
  await admin.getByLabel('Von oben (%)').press('Enter');
  await status(admin, 'Platz 2.14-B liegt jetzt bei 60 % von links und 40.5 % von oben.');
  const placed = (await call(admin, 'GET', `/api/v1/desks/floors/${floorId}`)).data.desks;
  assert.ok(Math.abs(placed[0].position.x - 25) < 1.5 && Math.abs(placed[0].position.y - 40) < 1.5, JSON.stringify(placed[0].position));
  assert.deepEqual(placed[1].position, { x: 60, y: 40.5 });
  await admin.getByRole('button', { name: '2.14-B: Platz auf dem Plan setzen' }).waitFor();
  // Each desk's QR link, as text.
  const links = await admin.getByTestId('dka-qr-link').allTextContents();
  assert.deepEqual(links, [`${server.url}/#/desks/check-in/${desks['2.14-A']}`, `${server.url}/#/desks/check-in/${desks['2.14-B']}`]);
  // Each desk's sign: the QR code drawn by the server, named for screen readers.
  const qr = admin.getByRole('img', { name: 'QR-Code zum Einchecken am Platz 2.14-A' });
  await qr.waitFor();
  assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR code loads');
  await checkLayout(admin, 'admin', 'dka-desk-row');
  // The signs for printing: one per desk with its QR code and link; back to the floor.
  await admin.getByTestId('dka-print-signs').click();
  const signs = admin.getByTestId('dka-signs').getByRole('listitem');
  await signs.first().waitFor();
  assert.equal(await signs.count(), 2);
  await signs.nth(1).getByText(`${server.url}/#/desks/check-in/${desks['2.14-B']}`).waitFor();
  assert.ok(await signs.nth(1).getByRole('img', { name: 'QR-Code zum Einchecken am Platz 2.14-B' })
    .evaluate((img) => img.complete && img.naturalWidth > 0), 'the sign\'s QR code loads');
  await admin.getByTestId('dka-signs-back').click();
  assert.ok(await isFocused(admin.getByTestId('dka-print-signs')));
  await admin.context().close();
});

let dora;

test('Carl books the morning, Dora finds it taken and books the afternoon', async () => {
  // Dora's page is read before Carl books: it still offers the morning.
  dora = await open('d.new');
  await row(dora, '2.14-A').getByRole('button', { name: 'Vormittags buchen: Platz 2.14-A' }).waitFor();

  const carl = await open('c.clerk');
  assert.equal(await carl.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Arbeitsplätze', exact: true }).getAttribute('aria-current'), 'page');
  await carl.getByRole('button', { name: /^Platz 2\.14-A \(Dockingstation, zwei Bildschirme\): ganztägig frei$/ }).waitFor();
  await carl.getByRole('img', { name: 'Plan der Etage 2. OG' }).waitFor();
  // The marker leads to the desk in the list.
  await carl.getByRole('button', { name: /^Platz 2\.14-A/ }).click();
  assert.ok(await isFocused(carl.getByRole('rowheader', { name: '2.14-A', exact: true })));
  await row(carl, '2.14-A').getByTestId('dk-book-morning').click();
  await status(carl, /Platz 2.14-A ist für Sie gebucht: .*, vormittags\./);
  await row(carl, '2.14-A').getByRole('cell', { name: 'Ihre Buchung' }).waitFor();
  await carl.getByRole('button', { name: /^Platz 2\.14-A .*: vormittags Ihre Buchung, nachmittags frei$/ }).waitFor();
  await carl.getByTestId('dk-mine-item').filter({ hasText: /vormittags: Platz 2\.14-A – gebucht/ }).waitFor();
  await checkLayout(carl, 'booked', 'dk-desk-row');

  // Dora's click on the morning: someone was quicker (409), said at the desk.
  await row(dora, '2.14-A').getByTestId('dk-book-morning').click();
  const refused = row(dora, '2.14-A').getByRole('alert');
  await refused.filter({ hasText: /Der Platz „2\.14-A“ ist am .* vormittags schon gebucht – von Carl Clerk\./ }).waitFor();
  assert.ok(await isFocused(dora.getByRole('rowheader', { name: '2.14-A', exact: true })));
  await row(dora, '2.14-A').getByRole('cell', { name: 'gebucht von Carl Clerk' }).waitFor();
  assert.equal(await row(dora, '2.14-A').getByTestId('dk-book-morning').count(), 0);
  await checkLayout(dora, 'taken', 'dk-desk-row');
  await row(dora, '2.14-A').getByRole('button', { name: 'Nachmittags buchen: Platz 2.14-A' }).click();
  await status(dora, /Platz 2.14-A ist für Sie gebucht: .*, nachmittags\./);
  const mine = (await call(dora, 'GET', '/api/v1/desks/bookings')).data;
  assert.deepEqual(mine.map((b) => [b.desk, b.part, b.state]), [[desks['2.14-A'], 'afternoon', 'booked']]);
  await row(dora, '2.14-A').getByRole('cell', { name: 'gebucht von Carl Clerk' }).waitFor();
  assert.equal(await row(dora, '2.14-A').getByText('nicht mehr frei').count(), 1);

  // From the team panel: Dora's menu says where Carl sits today.
  await dora.goto(`${server.url}/#/team`);
  await dora.getByRole('button', { name: 'Aktionen für Carl Clerk' }).first().click();
  await dora.getByRole('menuitem', { name: 'Arbeitsplatz heute' }).click();
  await dora.getByTestId('person-seat').first().filter({ hasText: 'Carl Clerk sitzt heute vormittags an Platz 2.14-A, Raum 2.14, 2. OG, Rathaus.' }).waitFor();
  await status(dora, 'Carl Clerk sitzt heute vormittags an Platz 2.14-A');
  assert.deepEqual(await violations(dora), [], 'the team panel with the seat');

  // "Wo sitzt …?": Carl finds Dora, and her desk on the plan.
  await carl.getByLabel('Name, Benutzername oder Durchwahl').fill('Dora');
  await carl.getByTestId('dk-where-search').click();
  await carl.getByTestId('dk-where-item').filter({ hasText: 'Dora Neu (Bauamt):nachmittags an Platz 2.14-A, Raum 2.14, 2. OG, Rathaus' }).waitFor();
  await status(carl, '1 gefunden.');
  await carl.getByRole('button', { name: 'Auf dem Plan zeigen: Platz 2.14-A' }).click();
  // The floor is read again, then the focus is on the desk's marker.
  await carl.waitForFunction((id) => document.activeElement?.matches(`.dk-marker[data-desk="${id}"]`), desks['2.14-A']);
  await carl.getByLabel('Name, Benutzername oder Durchwahl').fill('Bärbel');
  await carl.getByTestId('dk-where-search').click();
  await carl.getByTestId('dk-where-item').filter({ hasText: 'Bärbel Böhm (Gesundheitsamt/Hotline): heute kein Platz gebucht.' }).waitFor();
  await checkLayout(carl, 'where');

  // Carl checks in through the QR link page.
  await carl.goto(`${server.url}/#/desks/check-in/${desks['2.14-A']}`);
  await carl.getByRole('heading', { level: 1, name: 'Einchecken an Platz 2.14-A' }).waitFor();
  await carl.getByTestId('dk-checkin-desk').filter({ hasText: 'Raum 2.14, 2. OG, Rathaus' }).waitFor();
  await carl.getByTestId('dk-checkin-result').filter({ hasText: 'Sie sind eingecheckt: heute vormittags an Platz 2.14-A.' }).waitFor();
  await status(carl, 'Sie sind eingecheckt');
  assert.equal((await call(carl, 'GET', '/api/v1/desks/bookings')).data[0].state, 'checked_in');
  await checkLayout(carl, 'checkin');
  // Again: already checked in, said so.
  await carl.reload();
  await carl.getByTestId('dk-checkin-result').filter({ hasText: 'Sie sind hier heute schon eingecheckt (vormittags).' }).waitFor();
  await carl.goto(`${server.url}/#/desks`);
  await carl.getByTestId('dk-mine-item').filter({ hasText: 'eingecheckt' }).waitFor();
  await carl.context().close();

  // A stranger at Carl's desk, opening the QR link before signing in: after signing in
  // the check-in page, which refuses with the reason.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'de-DE', timezoneId: 'Europe/Berlin' });
  const baerbel = await context.newPage();
  baerbel.on('pageerror', (e) => { throw e; });
  await baerbel.goto(`${server.url}/?lang=de#/desks/check-in/${desks['2.14-A']}`);
  await baerbel.getByLabel('Benutzername').fill('b.user');
  await baerbel.getByLabel('Passwort').fill(PASSWORD);
  await baerbel.getByRole('button', { name: 'Anmelden' }).click();
  await baerbel.getByRole('heading', { level: 1, name: 'Einchecken an Platz 2.14-A' }).waitFor();
  sessions.set('b.user', await context.storageState());
  await baerbel.getByTestId('dk-checkin-result').filter({ hasText: 'Einchecken nicht möglich: Platz 2.14-A ist heute für jemand anderen gebucht.' }).waitFor();
  await checkLayout(baerbel, 'refused');
  await baerbel.goto(`${server.url}/#/desks/check-in/${desks['2.14-B']}`);
  await baerbel.getByTestId('dk-checkin-result').filter({ hasText: 'Einchecken nicht möglich: Sie haben Platz 2.14-B für heute nicht gebucht.' }).waitFor();
  await baerbel.goto(`${server.url}/#/desks/check-in/999999`);
  await baerbel.getByTestId('dk-checkin-result').filter({ hasText: 'Diesen Platz gibt es nicht.' }).waitFor();
  const held = (await call(baerbel, 'GET', `/api/v1/desks/floors/${floorId}`)).data.desks[0].bookings;
  assert.deepEqual(held.map((b) => [b.login, b.part, b.state]), [['c.clerk', 'morning', 'checked_in'], ['d.new', 'afternoon', 'booked']]);
  await baerbel.context().close();
  await dora.context().close();
});

test('in English: cancel, book the whole day, a taken desk and a refused check-in', async () => {
  const baerbel = await open('b.user', { heading: 'Desks', language: 'en' });
  await row(baerbel, '2.14-B').getByRole('button', { name: 'Book whole day: desk 2.14-B' }).waitFor();

  const doraEn = await open('d.new', { heading: 'Desks', language: 'en' });
  await doraEn.getByTestId('dk-mine-item').filter({ hasText: /in the afternoon: desk 2\.14-A – booked/ }).waitFor();
  await doraEn.getByRole('button', { name: /^Cancel: desk 2\.14-A, .*, in the afternoon$/ }).click();
  await status(doraEn, /The booking of desk 2\.14-A .* is cancelled\./);
  assert.ok(await isFocused(doraEn.getByRole('heading', { name: 'My bookings' })));
  await doraEn.getByText('You have no bookings from today on.').waitFor();
  await row(doraEn, '2.14-B').getByRole('button', { name: 'Book whole day: desk 2.14-B' }).click();
  await status(doraEn, /Desk 2\.14-B is booked for you: .*, all day\./);
  await doraEn.getByRole('button', { name: /^Desk 2\.14-B \(height-adjustable\): all day your booking$/ }).waitFor();
  await checkLayout(doraEn, 'en', 'dk-desk-row');
  await doraEn.context().close();

  // Bärbel's page still offered 2.14-B: refused at the desk, in English.
  await row(baerbel, '2.14-B').getByTestId('dk-book-whole').click();
  await row(baerbel, '2.14-B').getByRole('alert').filter({ hasText: 'Not booked: desk 2.14-B is already taken all day – by Dora Neu.' }).waitFor();
  assert.equal((await call(baerbel, 'GET', '/api/v1/desks/bookings')).data.length, 0);
  await checkLayout(baerbel, 'taken-en', 'dk-desk-row');
  await baerbel.getByLabel('Name, login or extension').fill('c.clerk');
  await baerbel.getByTestId('dk-where-search').click();
  await baerbel.getByTestId('dk-where-item').filter({ hasText: 'Carl Clerk (Bauamt):in the morning at desk 2.14-A, room 2.14, 2. OG, Rathaus' }).waitFor();

  await baerbel.goto(`${server.url}/#/desks/check-in/${desks['2.14-A']}`);
  await baerbel.getByRole('heading', { level: 1, name: 'Check in at desk 2.14-A' }).waitFor();
  await baerbel.getByTestId('dk-checkin-result').filter({ hasText: 'Cannot check in: desk 2.14-A is booked for someone else today.' }).waitFor();
  await checkLayout(baerbel, 'refused-en');
  await baerbel.context().close();
});

test('a meeting room booked by the clock: Carl books, Dora is told who has it, then books after him; in English too', async () => {
  const admin = await open('a.admin');
  const made = await call(admin, 'POST', `/api/v1/admin/desks/floors/${floorId}/rooms`, { name: 'Sitzungssaal', kind: 'meeting', seats: 12 });
  assert.equal(made.status, 201, JSON.stringify(made.data));
  await admin.context().close();
  const tomorrow = new Date(Date.now() + 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' });

  const carl = await open('c.clerk');
  const doraPage = await open('d.new');
  for (const page of [carl, doraPage]) {
    await page.getByTestId('dk-day').fill(tomorrow);
    await page.getByTestId('dk-day').dispatchEvent('change');
    await page.getByTestId('dk-room').filter({ hasText: 'Sitzungssaal' }).getByText(/^Am .* frei\.$/).waitFor();
  }
  // The form's own check: no occasion.
  await carl.getByTestId('dk-room-book').click();
  await carl.locator('#dk-room-result').filter({ hasText: 'Bitte geben Sie einen Anlass an.' }).waitFor();
  assert.ok(await isFocused(carl.getByLabel('Anlass')));
  await carl.getByLabel('Anlass').fill('Bauausschuss');
  await carl.getByLabel('Von').fill('09:00');
  await carl.getByLabel('Bis').fill('10:30');
  await carl.getByTestId('dk-room-book').click();
  await status(carl, /Sitzungssaal ist am .* von 09:00 bis 10:30 für Sie gebucht\./);
  await carl.getByTestId('dk-room-booking').filter({ hasText: '09:00–10:30 Bauausschuss – Ihre Buchung' }).waitFor();
  await checkLayout(carl, 'rooms');
  await carl.context().close();

  // Dora's page was read before: her overlapping booking is refused with who and when.
  await doraPage.getByLabel('Anlass').fill('Statik');
  await doraPage.getByLabel('Von').fill('10:00');
  await doraPage.getByLabel('Bis').fill('11:00');
  await doraPage.getByTestId('dk-room-book').click();
  await doraPage.locator('#dk-room-result[role="alert"]').filter({ hasText: /Der Raum „Sitzungssaal“ ist am .* von 09:00–10:30 schon gebucht – von Carl Clerk\./ }).waitFor();
  await doraPage.getByLabel('Von').fill('10:30');
  await doraPage.getByTestId('dk-room-book').click();
  await status(doraPage, /von 10:30 bis 11:00 für Sie gebucht/);
  const listed = await doraPage.getByTestId('dk-room-booking').allTextContents();
  assert.deepEqual(listed.map((s) => s.replace(/\s+/g, ' ').trim()), ['09:00–10:30 Bauausschuss – gebucht von Carl Clerk', '10:30–11:00 Statik – Ihre Buchung Stornieren']);
  await doraPage.context().close();

  // In English: Dora cancels hers.
  const doraEn = await open('d.new', { heading: 'Desks', language: 'en' });
  await doraEn.getByTestId('dk-day').fill(tomorrow);
  await doraEn.getByTestId('dk-day').dispatchEvent('change');
  await doraEn.getByRole('button', { name: 'Cancel booking Sitzungssaal 10:30–11:00' }).click();
  await status(doraEn, 'The booking Sitzungssaal 10:30–11:00 is cancelled.');
  assert.ok(await isFocused(doraEn.getByRole('heading', { name: 'Meeting rooms' })));
  await doraEn.getByTestId('dk-room-booking').filter({ hasText: '09:00–10:30 Bauausschuss – booked by Carl Clerk' }).waitFor();
  assert.equal(await doraEn.getByTestId('dk-room-booking').count(), 1);
  await checkLayout(doraEn, 'rooms-en');
  await doraEn.context().close();
});

test('a team zone: the administration makes 2.14 the Bauamt\'s, Bärbel may book it only on the day, Carl sees his team\'s zone', async () => {
  const admin = await open('a.admin', { hash: '/admin/desks', heading: 'Arbeitsplätze verwalten' });
  await admin.getByLabel('Büro', { exact: true }).selectOption({ label: '2.14' });
  await admin.getByLabel('Teamzone von').selectOption('Bauamt');
  await admin.getByTestId('dka-zone-save').click();
  await status(admin, 'Das Büro 2.14 ist jetzt Teamzone von Bauamt.');
  await admin.getByTestId('dka-rooms').getByText('2.14', { exact: false }).filter({ hasText: 'Teamzone von Bauamt' }).waitFor();
  await checkLayout(admin, 'zones');
  await admin.context().close();

  const tomorrow = new Date(Date.now() + 86_400_000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' });
  const baerbel = await open('b.user');
  await baerbel.getByTestId('dk-day').fill(tomorrow);
  await baerbel.getByTestId('dk-day').dispatchEvent('change');
  await row(baerbel, '2.14-A').getByTestId('dk-zone').filter({ hasText: 'Teamzone Bauamt: im Voraus nur für dieses Team, heute für alle' }).waitFor();
  await row(baerbel, '2.14-A').getByTestId('dk-book-whole').click();
  await row(baerbel, '2.14-A').getByRole('alert').filter({ hasText: 'Der Platz gehört zur Teamzone von Bauamt.' }).waitFor();
  assert.equal((await call(baerbel, 'GET', '/api/v1/desks/bookings')).data.filter((b) => b.day === tomorrow).length, 0);
  await checkLayout(baerbel, 'zone-refused', 'dk-desk-row');
  await baerbel.context().close();

  const carl = await open('c.clerk');
  await row(carl, '2.14-A').getByTestId('dk-zone').filter({ hasText: 'Teamzone Ihres Teams (Bauamt)' }).waitFor();
  // The zone ends again (by the API), for whoever comes next.
  await carl.context().close();
  const adminAgain = await open('a.admin');
  const rooms = (await call(adminAgain, 'GET', `/api/v1/desks/floors/${floorId}`)).data.rooms;
  const room = rooms.find((r) => r.name === '2.14');
  assert.equal((await call(adminAgain, 'PUT', `/api/v1/admin/desks/rooms/${room.id}/zone`, { unit: null })).status, 200);
  await adminAgain.context().close();
});

test('the administration renames a desk and is told why a booked desk and a full room stay', async () => {
  const admin = await open('a.admin', { hash: '/admin/desks', heading: 'Arbeitsplätze verwalten' });
  await admin.getByLabel('Was', { exact: true }).selectOption({ label: 'Platz: 2.14-B' });
  assert.equal(await admin.getByLabel('Neuer Name').inputValue(), '2.14-B');
  await admin.getByLabel('Neuer Name').fill('2.14-Fenster');
  await admin.getByTestId('dka-layout-rename').click();
  await status(admin, '„2.14-B“ heißt jetzt „2.14-Fenster“.');
  await admin.getByTestId('dka-desk-row').getByRole('rowheader', { name: '2.14-Fenster' }).waitFor();
  // Removing asks once more; a room with desks stays, said at the form.
  await admin.getByLabel('Was', { exact: true }).selectOption({ label: 'Raum: 2.14' });
  assert.equal(await admin.getByTestId('dka-layout-remove-yes').isVisible(), false, 'asked only after a click');
  await admin.getByTestId('dka-layout-remove').click();
  await admin.getByRole('group', { name: '„2.14“ wirklich entfernen?' }).waitFor();
  assert.ok(await isFocused(admin.getByTestId('dka-layout-remove-yes')));
  await admin.getByTestId('dka-layout-remove-yes').click();
  await admin.locator('#dka-layout-result[role="alert"]').filter({ hasText: 'Der Raum hat noch 2 Platz/Plätze; entfernen Sie zuerst diese.' }).waitFor();
  await checkLayout(admin, 'layout');
  assert.equal((await call(admin, 'GET', `/api/v1/desks/floors/${floorId}`)).data.rooms.filter((r) => r.name === '2.14').length, 1);
  await admin.context().close();
});
