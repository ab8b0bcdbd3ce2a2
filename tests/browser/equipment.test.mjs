// The equipment pool in the web client (issue 19), in Debian's Chromium against the real
// server. The administrator (#/admin/equipment "Geräte verwalten") adds a headset and a
// camera (a used inventory number is refused at the form), lends the headset to Carl
// and the camera to Dora. Carl finds the headset under "Meine Geräte" (#/equipment). No
// camera is free, so Bärbel joins the camera's waiting list and reads her place (1 of
// 1). The administrator takes the camera back: Bärbel's open page shows it kept for her
// (a live frame redraws it). In English: her page and the administrator's. axe on
// every page, screenshots at 1280 and 375 px, nothing wider than the screen at 375 px,
// the tables as cards there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startBrowser, violations, pageOpener, dayFromToday } from './harness.mjs';
import { shot, fitsWidth, cellsInView } from './hotline_world.mjs';

let server; let browser; let openPage;

before(async () => {
  server = await startServer();
  browser = await startBrowser();
  openPage = pageOpener(browser, server);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const status = (page, text) => page.locator('#status').filter({ hasText: text }).waitFor();

async function checkLayout(page, name, table) {
  assert.deepEqual(await violations(page), [], `${name} at 1280 px`);
  assert.doesNotMatch(await page.locator('main').textContent(), /null|undefined|\beq[A-Z]/, `${name}: no placeholder or missing text`);
  await shot(page, `equipment-${name}-1280.png`);
  await page.setViewportSize({ width: 375, height: 800 });
  assert.ok(await fitsWidth(page), `${name} at 375 px`);
  if (table) assert.ok(await cellsInView(page.getByTestId(table).locator('tbody tr')), `${name}: the table as cards`);
  assert.deepEqual(await violations(page), [], `${name} at 375 px`);
  await shot(page, `equipment-${name}-375.png`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function add(admin, number, kind, name) {
  await admin.getByLabel('Inventarnummer').fill(number);
  await admin.getByLabel('Art', { exact: true }).selectOption(kind);
  await admin.getByLabel('Bezeichnung oder Modell').fill(name);
  await admin.getByTestId('eqa-add').click();
}

async function lend(admin, number, login, due) {
  const row = admin.locator(`[data-testid="eqa-item-row"][data-number="${number}"]`);
  await row.getByTestId('eqa-login').fill(login);
  await row.getByTestId('eqa-due').fill(due);
  await row.getByTestId('eqa-lend').click();
}

test('lend, see it under Meine Geräte, wait for a camera and get it kept when it comes back', async () => {
  const admin = await openPage('a.admin', { hash: '/admin/equipment', heading: 'Geräte verwalten' });
  await add(admin, 'HS-001', 'headset', 'Jabra Evolve2 40');
  await status(admin, 'Jabra Evolve2 40 (HS-001) ist im Pool.');
  await add(admin, 'CAM-001', 'camera', 'Logitech C920');
  await status(admin, 'Logitech C920 (CAM-001) ist im Pool.');
  // The same number again: refused at the form, in the server's words.
  await add(admin, 'HS-001', 'laptop', 'ThinkPad');
  await admin.getByTestId('eqa-result').filter({ hasText: 'HS-001' }).filter({ hasText: 'schon vergeben' }).waitFor();
  assert.equal(await admin.getByTestId('eqa-item-row').count(), 2);

  const due = dayFromToday(7);
  await lend(admin, 'HS-001', 'c.clerk', due);
  await status(admin, 'HS-001 ist an Carl Clerk verliehen');
  await lend(admin, 'CAM-001', 'd.new', due);
  await status(admin, 'CAM-001 ist an Dora Neu verliehen');
  await checkLayout(admin, 'admin', 'eqa-items');

  // Carl holds the headset.
  const carl = await openPage('c.clerk', { hash: '/equipment', heading: 'Geräte' });
  await carl.getByTestId('eq-mine-loans').filter({ hasText: 'Headset Jabra Evolve2 40 (HS-001)' }).waitFor();
  await checkLayout(carl, 'mine', 'eq-kinds');

  // No camera is free: Bärbel joins the waiting list and reads her place.
  const baerbel = await openPage('b.user', { hash: '/equipment', heading: 'Geräte' });
  const cameras = baerbel.locator('[data-testid="eq-kind-row"][data-kind="camera"]');
  await cameras.getByRole('button', { name: 'Auf die Warteliste: Kamera' }).click();
  await status(baerbel, 'Sie stehen auf der Warteliste für Kamera: Platz 1 von 1.');
  await baerbel.getByTestId('eq-mine-waiting').filter({ hasText: 'Kamera: Platz 1 von 1' }).waitFor();
  await cameras.filter({ hasText: 'Ihr Platz: 1' }).waitFor();
  await admin.reload();
  await admin.getByTestId('eqa-waiting').filter({ hasText: 'Bärbel Böhm' }).waitFor();

  // The camera comes back: kept for Bärbel, her open page redrawn by the live frame.
  await admin.getByRole('button', { name: 'Zurücknehmen: CAM-001' }).click();
  await status(admin, 'CAM-001 ist zurück.');
  await baerbel.getByTestId('eq-mine-reservations').filter({ hasText: 'für Sie zurückgelegt' }).filter({ hasText: 'CAM-001' }).waitFor();
  assert.equal(await baerbel.getByTestId('eq-mine-waiting').count(), 0);
  assert.equal(await cameras.getByRole('button').count(), 0, 'no waiting for a camera kept for her');
  await checkLayout(baerbel, 'offered', 'eq-items');

  // In English.
  await baerbel.getByLabel('Sprache').selectOption('en');
  await baerbel.getByRole('heading', { level: 1, name: 'Equipment', exact: true }).waitFor();
  await baerbel.getByTestId('eq-mine-reservations').filter({ hasText: 'kept for you' }).waitFor();
  await baerbel.getByRole('heading', { level: 2, name: 'My equipment' }).waitFor();
  await checkLayout(baerbel, 'english', 'eq-kinds');
  const english = await openPage('a.admin', { hash: '/admin/equipment', heading: 'Geräte verwalten' });
  await english.getByLabel('Sprache').selectOption('en');
  await english.getByRole('heading', { level: 1, name: 'Manage equipment', exact: true }).waitFor();
  await english.getByRole('button', { name: 'Take back: HS-001' }).waitFor();
  assert.deepEqual(await violations(english), [], 'the admin page in English');
});
