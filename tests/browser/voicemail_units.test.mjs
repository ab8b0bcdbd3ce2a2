// Units' voicemail boxes in the web client (issue 17), in Debian's Chromium against the
// real server. The administrator's page "Mailboxen" (#/admin/voicemail) gives Bauamt a box
// under 2590 with an e-mail address, in English; Carl's extension and a second box for
// Bauamt are refused in an alert that marks the number or the unit, and nothing is added.
// Carl (of Bauamt) has his voicemail page open: the box appears there at once under
// "Mailboxen Ihrer Organisationseinheit" with its number. Bärbel (of another unit) calls
// 2590 from her browser (her fake microphone plays 600 Hz): she hears the box's greeting
// and the signal tone, speaks, hangs up. Carl's badge and the box's link say "1 neu"; the
// box's page lists Bärbel's message and has the box's greeting, which Carl replaces with
// a WAV file. Dora (of Bauamt too) sees the box; Bärbel's page for it says it does not
// exist; Dora's page in English. The administrator removes the box (asked once more):
// Carl's page drops it. axe, screenshots and the layout at 1280 and 375 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, startBrowser, signInOn, violations } from './harness.mjs';
import { toneWav, phoneArgs, callState, hearsTheTone } from './call_audio.mjs';
import { shot, fitsWidth, cellsInView } from './hotline_world.mjs';

let server; let browser; let dir;
const sessions = new Map(); // login → storage state (one sign-in per person: the throttle)

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'durchwahl-vm-units-'));
  server = await startServer();
  browser = await startBrowser(phoneArgs(toneWav(join(dir, 'speech-600.wav'), 600)));
});
after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// A page of a fresh context signed in as `login`, `width` px wide, on `hash`.
async function open(login, { width = 1280, hash = '/voicemail', heading = 'Sprachnachrichten' } = {}) {
  const context = await browser.newContext({ viewport: { width, height: 800 }, locale: 'de-DE', timezoneId: 'Europe/Berlin', storageState: sessions.get(login) });
  const page = await context.newPage();
  page.on('pageerror', (e) => { throw e; });
  if (!sessions.has(login)) {
    await signInOn(page, server, login);
    sessions.set(login, await context.storageState());
  }
  await page.goto(`${server.url}/#${hash}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  return page;
}

const rows = (page) => page.getByTestId('vm-admin-box');
const unitLinks = (page) => page.getByTestId('vm-unit-boxes').getByTestId('vm-box-link');

test('an administrator gives Bauamt a box; its members hear the message a caller leaves there', async () => {
  const carl = await open('c.clerk');
  await carl.getByText('Keine Sprachnachrichten.').waitFor();
  assert.equal(await carl.getByTestId('vm-unit-boxes').count(), 0, 'no unit box yet');

  // The administrator's page: empty, then Bauamt's box in English with its address.
  const admin = await open('a.admin', { hash: '/admin/voicemail', heading: 'Mailboxen der Organisationseinheiten' });
  await admin.getByText('Es gibt noch keine Mailbox einer Organisationseinheit.').waitFor();
  assert.equal(await admin.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Mailboxen' }).getAttribute('aria-current'), 'page');
  await admin.getByLabel('Rufnummer der Mailbox').fill('25 90');
  await admin.getByLabel('Organisationseinheit', { exact: true }).selectOption('Bauamt');
  await admin.getByLabel('E-Mail-Adresse für neue Nachrichten (freiwillig)').fill('bauamt@lra.example');
  await admin.getByLabel('Sprache der Standardansage und der E-Mails').selectOption('en');
  await admin.getByTestId('vm-admin-create').click();
  await rows(admin).filter({ hasText: 'bauamt@lra.example' }).waitFor();
  await admin.locator('#status').filter({ hasText: 'Mailbox 2590 angelegt.' }).waitFor();
  assert.deepEqual(await rows(admin).first().locator('th, td').allTextContents(),
    ['2590', 'Bauamt', 'bauamt@lra.example', 'English', '0', 'Entfernen']);

  // Refused: Carl's extension (at the number), a second box for Bauamt (at the unit).
  await admin.getByLabel('Rufnummer der Mailbox').fill('2501');
  await admin.getByLabel('Organisationseinheit', { exact: true }).selectOption('Gesundheitsamt/Hotline');
  await admin.getByTestId('vm-admin-create').click();
  await admin.getByTestId('vm-admin-error').filter({ hasText: 'Die Nummer 2501 ist schon die Durchwahl von Carl Clerk.' }).waitFor();
  assert.equal(await admin.getByLabel('Rufnummer der Mailbox').getAttribute('aria-invalid'), 'true');
  assert.equal(await admin.getByLabel('Rufnummer der Mailbox').evaluate((el) => el === document.activeElement), true);
  await admin.getByLabel('Rufnummer der Mailbox').fill('2591');
  await admin.getByLabel('Organisationseinheit', { exact: true }).selectOption('Bauamt');
  await admin.getByTestId('vm-admin-create').click();
  await admin.getByTestId('vm-admin-error').filter({ hasText: 'Bauamt hat schon eine Mailbox.' }).waitFor();
  assert.equal(await admin.getByLabel('Organisationseinheit', { exact: true }).getAttribute('aria-invalid'), 'true');
  assert.equal(await admin.getByLabel('Rufnummer der Mailbox').getAttribute('aria-invalid'), null);
  assert.equal(await rows(admin).count(), 1, 'nothing added');
  assert.deepEqual(await violations(admin), [], 'admin voicemail boxes');
  await shot(admin, 'admin-voicemail-1280.png');
  await admin.setViewportSize({ width: 375, height: 800 });
  assert.ok(await fitsWidth(admin), 'admin voicemail boxes at 375 px');
  assert.ok(await cellsInView(rows(admin)), 'every cell of the boxes shown at 375 px');
  assert.deepEqual(await violations(admin), [], 'admin voicemail boxes at 375 px');
  await shot(admin, 'admin-voicemail-375.png');

  // Carl's open page shows the box at once, with its number.
  const link = unitLinks(carl);
  await link.waitFor({ timeout: 10000 });
  assert.equal(await link.textContent(), 'Bauamt (2590)');
  await carl.getByRole('heading', { level: 2, name: 'Mailboxen Ihrer Organisationseinheit' }).waitFor();

  // Bärbel calls 2590 from her browser: the greeting, the tone, then she speaks.
  const barbel = await open('b.user', { hash: '/team', heading: 'Teamübersicht' });
  await barbel.getByTestId('dial-input').fill('2590');
  await barbel.getByTestId('dial-call').click();
  await callState(barbel, 'connected', 15000);
  await hearsTheTone(barbel);
  await barbel.waitForTimeout(2500); // she speaks for 2.5 s: a duration, not an event
  await barbel.getByTestId('call-hangup').click();
  await callState(barbel, 'ended');

  // Carl: the badge and the box's link say it; his own box stays empty.
  await carl.getByTestId('vm-unheard-count').filter({ hasText: /^1$/ }).waitFor({ timeout: 15000 });
  const counted = carl.getByRole('link', { name: /^Bauamt \(2590\)\W+1 neu$/ });
  await counted.waitFor();
  assert.equal(await carl.getByTestId('vm-message').count(), 0, 'his own box stays empty');
  assert.doesNotMatch(await carl.locator('main').textContent(), /null|undefined|\bvm[A-Z]/, 'no placeholder or missing text');
  assert.deepEqual(await violations(carl), [], 'voicemail page with a unit box');
  await shot(carl, 'voicemail-unit-list-1280.png');

  // The box's page: what it is, Bärbel's message, and its greeting.
  await counted.click();
  await carl.getByRole('heading', { level: 1, name: 'Sprachnachrichten: Bauamt' }).waitFor();
  assert.equal(await carl.getByTestId('vm-unit-about').textContent(),
    'Anrufe unter 2590 landen hier. Alle Mitglieder der Organisationseinheit Bauamt und ihrer Untereinheiten hören diese Mailbox ab.');
  const message = carl.getByTestId('vm-message');
  await message.waitFor();
  assert.equal(await message.getByRole('heading', { level: 3 }).textContent(), 'Bärbel Böhm');
  assert.match(await message.locator('.vm-meta').textContent(), /^2401 · heute \d\d:\d\d · Länge 0:0[1-5]$/);
  const state = carl.getByTestId('vm-greeting-personal-state');
  assert.match(await state.textContent(), /Standardansage$/);
  assert.equal(await carl.getByTestId('vm-greeting-absence-state').count(), 0, 'a unit box has no absence greeting');
  await carl.getByLabel('Tondatei (WAV, MP3 oder Ogg)').setInputFiles(toneWav(join(dir, 'greeting.wav'), 700, { seconds: 2, rate: 16000 }));
  await carl.getByTestId('vm-greeting-personal-upload').click();
  await carl.locator('#status').filter({ hasText: /^Persönliche Ansage: eigene Ansage gespeichert \(2 Sekunden\)\.$/ }).waitFor();
  assert.match(await state.textContent(), /Eigene Ansage$/);
  assert.deepEqual(await violations(carl), [], 'a unit\'s box');
  await shot(carl, 'voicemail-unit-box-1280.png');
  const boxId = Number((await carl.evaluate(() => location.hash)).split('/').pop());

  // Dora of Bauamt hears it too; to Bärbel it does not exist.
  const dora = await open('d.new', { width: 375, hash: `/voicemail/box/${boxId}`, heading: 'Sprachnachrichten: Bauamt' });
  await dora.getByTestId('vm-message').waitFor();
  assert.ok(await fitsWidth(dora), 'a unit\'s box at 375 px');
  assert.deepEqual(await violations(dora), [], 'a unit\'s box at 375 px');
  await shot(dora, 'voicemail-unit-box-375.png');
  await dora.selectOption('#lang-select', 'en');
  await dora.getByRole('heading', { level: 1, name: 'Voicemail: Bauamt' }).waitFor();
  assert.equal(await dora.getByTestId('vm-unit-about').textContent(),
    'Calls to 2590 end up here. Every member of the unit Bauamt and of its sub-units hears this box.');
  await dora.getByText('Callers hear the own greeting, else the default greeting with the box\'s number. Any member can change it.').waitFor();
  assert.doesNotMatch(await dora.locator('main').innerText(), /null|undefined|\bvm[A-Z]/, 'no placeholder or missing text');
  await barbel.goto(`${server.url}/#/voicemail/box/${boxId}`);
  await barbel.getByRole('heading', { level: 1, name: 'Sprachnachrichten' }).waitFor();
  await barbel.getByText('Diese Mailbox gibt es nicht.').waitFor();
  assert.equal(await barbel.getByTestId('vm-message').count(), 0);

  // The administrator removes the box (asked once more): Carl's page drops it.
  await carl.getByRole('link', { name: 'Zurück zu meinen Sprachnachrichten' }).click();
  await unitLinks(carl).waitFor();
  await admin.setViewportSize({ width: 1280, height: 800 });
  await rows(admin).getByTestId('vm-admin-remove').click();
  await admin.getByRole('alert').filter({ hasText: 'Mailbox 2590 mit allen ihren Nachrichten entfernen?' }).waitFor();
  await admin.getByTestId('vm-admin-remove-yes').click();
  await admin.getByText('Es gibt noch keine Mailbox einer Organisationseinheit.').waitFor();
  await admin.locator('#status').filter({ hasText: 'Mailbox 2590 entfernt.' }).waitFor();
  await carl.getByTestId('vm-unit-boxes').waitFor({ state: 'detached', timeout: 10000 });
  for (const page of [carl, dora, barbel, admin]) await page.context().close();
});
