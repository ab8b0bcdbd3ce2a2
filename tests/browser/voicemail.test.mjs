// The voicemail page of the web client (issue 17), in Debian's Chromium against the real
// server with a ring time of 5 s: Dora (her fake microphone plays 600 Hz) calls Carl, who
// has the page open and does not answer; she hears the greeting and the signal tone
// (1 kHz, found in what her call receives), speaks, hangs up. Carl's page then shows the
// badge "1" in the navigation (and says it in the link's name), the message with her
// name; it plays for more than a second, playing marks it heard (the badge goes), it
// can be marked unheard again, downloaded (an Ogg file), called back (Dora's phone
// rings) and deleted after a confirmation. The settings read back after a reload; a date
// the server refuses and an absence greeting not yet recorded are marked at their
// fields. Greetings: a WAV file and a recording in the browser become the own greeting,
// a file that is no sound is refused, removing brings the default back. A hotline's box
// (a full queue overflows there) is heard by its supervisor on a page of its own. axe,
// screenshots at 1280 and 375 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, startBrowser, signInOn, violations } from './harness.mjs';
import { toneWav, phoneArgs, callState, hearsTheTone } from './call_audio.mjs';
import { shot, fitsWidth } from './hotline_world.mjs';

let server; let browser; let dir;
const sessions = new Map(); // login → storage state (one sign-in per person: the throttle)

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'durchwahl-voicemail-'));
  mkdirSync(join(dir, 'downloads'));
  server = await startServer('', null, { config: '[sip]\nring_timeout_seconds = 5\n' });
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

// The API as the page's person: { status, data }.
async function call(page, method, path, body) {
  const me = await (await page.request.get(`${server.url}/api/v1/me`)).json();
  const r = await page.request.fetch(`${server.url}${path}`, { method, data: body, headers: { 'X-CSRF-Token': me.csrf_token } });
  return { status: r.status(), data: (r.headers()['content-type'] || '').includes('json') ? await r.json() : null };
}

// The length (s) of an <audio> once its metadata is loaded.
function audioLength(locator) {
  return locator.evaluate((a) => new Promise((resolve, reject) => {
    if (a.readyState >= 1 && a.preload === 'auto') { resolve(a.duration); return; }
    a.addEventListener('loadedmetadata', () => resolve(a.duration), { once: true });
    a.addEventListener('error', () => reject(new Error(`cannot play ${a.src}: ${a.error && a.error.code}`)), { once: true });
    a.preload = 'auto';
    a.load();
  }));
}

const navLink = (page) => page.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: /^Sprachnachrichten/ });

test('a call nobody answers is a message: badge, list, playing marks it heard, download, call back, delete', async () => {
  const carl = await open('c.clerk');
  await carl.getByText('Keine Sprachnachrichten.').waitFor();
  assert.equal(await carl.getByTestId('vm-unheard-count').count(), 0, 'no badge while the box is empty');
  assert.equal(await navLink(carl).getAttribute('aria-current'), 'page');

  // Dora calls Carl's extension; Carl's page rings and nobody answers.
  const dora = await open('d.new', { hash: '/team', heading: 'Teamübersicht' });
  await dora.getByTestId('dial-input').fill('2501');
  await dora.getByTestId('dial-call').click();
  await carl.getByTestId('incoming-call').waitFor({ timeout: 15000 });
  // After the ring time the box answers: the greeting, the tone, then she speaks.
  await callState(dora, 'connected', 20000);
  await hearsTheTone(dora);
  await dora.waitForTimeout(3500); // she speaks for 3.5 s: a duration, not an event
  await dora.getByTestId('call-hangup').click();
  await callState(dora, 'ended');

  // The badge comes live, and the link says it.
  await carl.getByTestId('vm-unheard-count').filter({ hasText: /^1$/ }).waitFor({ timeout: 15000 });
  // (The visually hidden part is a block of its own: a space before its comma.)
  await carl.getByRole('link', { name: /^Sprachnachrichten\W+1 neu$/ }).waitFor();
  const message = carl.getByTestId('vm-message');
  await message.waitFor();
  assert.equal(await message.count(), 1);
  const id = await message.getAttribute('data-id');
  assert.equal(await message.getByRole('heading', { level: 3 }).textContent(), 'Dora Neu');
  assert.equal(await message.getAttribute('data-heard'), 'false');
  assert.match(await message.getByTestId('vm-marker').textContent(), /Neu$/);
  assert.match(await message.locator('.vm-meta').textContent(), /^2502 · heute \d\d:\d\d · Länge 0:0[2-6]$/);
  await carl.getByText('1 Nachricht, davon 1 neu').waitFor();

  // The player: more than a second of audio; playing marks it heard and the badge goes.
  const player = message.getByTestId('vm-play');
  assert.equal(await player.getAttribute('src'), `/api/v1/voicemail/messages/${id}/audio`);
  assert.equal(await player.getAttribute('aria-label'), `Anhören: Nachricht von Dora Neu, ${await message.locator('time').textContent()}`);
  const length = await audioLength(player);
  assert.ok(length > 1 && length < 8, `the message plays for ${length} s`);
  await player.evaluate((a) => { a.muted = true; return a.play(); });
  await carl.locator(`[data-testid="vm-message"][data-id="${id}"][data-heard="true"]`).waitFor();
  await carl.getByTestId('vm-unheard-count').waitFor({ state: 'detached' });
  assert.equal(await navLink(carl).textContent(), 'Sprachnachrichten');
  assert.match(await message.getByTestId('vm-marker').textContent(), /Gehört$/);
  await carl.getByText('1 Nachricht, gehört', { exact: true }).waitFor();
  assert.equal((await call(carl, 'GET', '/api/v1/voicemail')).data.unheard, 0);
  await player.evaluate((a) => a.pause());

  // Unheard again by its button (the badge returns), then heard again.
  const heard = message.getByTestId('vm-heard');
  assert.equal(await heard.textContent(), 'Als ungehört markieren');
  await heard.click();
  await carl.getByTestId('vm-unheard-count').filter({ hasText: /^1$/ }).waitFor();
  await carl.locator('#status').filter({ hasText: 'Als ungehört markiert.' }).waitFor();
  assert.equal(await heard.textContent(), 'Als gehört markieren');
  assert.equal(await heard.evaluate((el) => el === document.activeElement), true, 'the focus stays on the button');
  await heard.click();
  await carl.getByTestId('vm-unheard-count').waitFor({ state: 'detached' });

  // Download: the Ogg Opus file, as the server names it.
  const [download] = await Promise.all([carl.waitForEvent('download'), message.getByTestId('vm-download').click()]);
  assert.match(download.suggestedFilename(), /^Sprachnachricht-\d{4}-\d{2}-\d{2}-\d{4}\.opus$/, 'named by when it came');
  const saved = join(dir, 'downloads', 'message.opus');
  await download.saveAs(saved);
  assert.equal(readFileSync(saved).subarray(0, 4).toString('latin1'), 'OggS');

  assert.doesNotMatch(await carl.locator('main').textContent(), /null|undefined|\bvm[A-Z]/, 'no placeholder or missing text');
  assert.deepEqual(await violations(carl), [], 'voicemail page with a message');
  await shot(carl, 'voicemail-1280.png');

  // At 375 px it fits and passes axe.
  const narrow = await open('c.clerk', { width: 375 });
  await narrow.getByTestId('vm-message').waitFor();
  assert.ok(await fitsWidth(narrow), 'voicemail page at 375 px');
  assert.deepEqual(await violations(narrow), [], 'voicemail page at 375 px');
  await shot(narrow, 'voicemail-375.png');
  await narrow.context().close();

  // Call back: the phone dials her number and her page rings; Carl hangs up again.
  const callBack = message.getByTestId('vm-call-back');
  assert.equal(await callBack.getAttribute('aria-label'), 'Zurückrufen: Dora Neu');
  await callBack.click();
  await dora.getByTestId('incoming-call').getByText('Carl Clerk').waitFor({ timeout: 15000 });
  await carl.getByTestId('call-hangup').click();
  await callState(carl, 'ended');

  // Delete, asked once more in place: "Abbrechen" keeps it, "Ja, löschen" deletes it.
  await message.getByTestId('vm-delete').click();
  await message.getByRole('alert').filter({ hasText: /^Die Nachricht von Dora Neu \(heute \d\d:\d\d\) wirklich löschen\?$/ }).waitFor();
  assert.equal(await message.getByTestId('vm-delete-yes').evaluate((el) => el === document.activeElement), true);
  await message.getByTestId('vm-delete-no').click();
  assert.equal(await message.getByTestId('vm-delete').evaluate((el) => el === document.activeElement), true);
  await message.getByTestId('vm-delete').click();
  await message.getByTestId('vm-delete-yes').click();
  await carl.getByTestId('vm-message').waitFor({ state: 'detached' });
  await carl.locator('#status').filter({ hasText: 'Nachricht gelöscht.' }).waitFor();
  await carl.getByText('Keine Sprachnachrichten.').waitFor();
  assert.deepEqual((await call(carl, 'GET', '/api/v1/voicemail')).data.messages, []);
  assert.equal((await call(carl, 'GET', `/api/v1/voicemail/messages/${id}/audio`)).status, 404);
  await carl.context().close();
  await dora.context().close();
});

test('settings read back after a reload; a refused date and an absence without its greeting are marked at their fields', async () => {
  let page = await open('b.user');
  const settings = page.locator('section[aria-labelledby="vm-settings-h"]');
  assert.equal(await settings.getByLabel('Mailbox eingeschaltet').isChecked(), true);
  assert.equal(await settings.getByLabel('mit Aufnahme').isChecked(), true);
  assert.equal(await settings.getByLabel('Deutsch').isChecked(), true);
  assert.equal(await page.getByTestId('vm-box-off').isVisible(), false);

  await settings.getByLabel('Mailbox eingeschaltet').uncheck();
  await settings.getByLabel('nur Hinweis').check();
  await settings.getByLabel('English').check();
  await settings.getByRole('button', { name: 'Einstellungen speichern' }).click();
  await settings.getByRole('status').filter({ hasText: 'Einstellungen gespeichert.' }).waitFor();
  await page.getByTestId('vm-box-off').waitFor();

  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Sprachnachrichten' }).waitFor();
  assert.equal(await settings.getByLabel('Mailbox eingeschaltet').isChecked(), false);
  assert.equal(await settings.getByLabel('nur Hinweis').isChecked(), true);
  assert.equal(await settings.getByLabel('English').isChecked(), true);
  assert.equal(await page.getByTestId('vm-box-off').isVisible(), true);
  const box = (await call(page, 'GET', '/api/v1/voicemail')).data.mailbox;
  assert.deepEqual([box.enabled, box.email_mode, box.language], [false, 'link', 'en']);

  // A year of five digits (the date field takes it): refused by the server, at the field.
  const until = settings.getByLabel('bis einschließlich');
  await until.fill('20266-12-31');
  await settings.getByRole('button', { name: 'Einstellungen speichern' }).click();
  await page.locator('#vm-absence-until[aria-invalid="true"]').waitFor();
  assert.match(await page.locator('#vm-absence-until-error').textContent(), /^Das ist kein gültiges Datum/);
  assert.deepEqual((await until.getAttribute('aria-describedby')).split(' '), ['vm-absence-until-hint', 'vm-absence-until-error']);
  assert.equal(await until.evaluate((el) => el === document.activeElement), true, 'the refused field has the focus');
  assert.equal((await call(page, 'GET', '/api/v1/voicemail')).data.mailbox.absence_until, null, 'nothing changed');
  assert.deepEqual(await violations(page), [], 'settings with a refused date');

  // The absence greeting switched on before one is recorded: said at the switch.
  await until.fill('2026-12-31');
  const absence = settings.getByLabel('Abwesenheitsansage einschalten');
  assert.equal(await absence.getAttribute('aria-describedby'), 'vm-absence-on-hint');
  await absence.check();
  await settings.getByRole('button', { name: 'Einstellungen speichern' }).click();
  await page.locator('#vm-absence-on[aria-invalid="true"]').waitFor();
  assert.equal(await page.locator('#vm-absence-on-error').textContent(), 'Nehmen Sie zuerst eine Abwesenheitsansage auf.');
  assert.equal(await until.getAttribute('aria-invalid'), null, 'the date is fine now');

  // Back to the start, and the page in English.
  await absence.uncheck();
  await settings.getByLabel('Mailbox eingeschaltet').check();
  await settings.getByLabel('mit Aufnahme').check();
  await settings.getByLabel('Deutsch').check();
  await until.fill('');
  await settings.getByRole('button', { name: 'Einstellungen speichern' }).click();
  await settings.getByRole('status').filter({ hasText: 'Einstellungen gespeichert.' }).waitFor();
  const back = (await call(page, 'GET', '/api/v1/voicemail')).data.mailbox;
  assert.deepEqual([back.enabled, back.email_mode, back.language, back.absence_on, back.absence_until], [true, 'attach', 'de', false, null]);
  await page.goto(`${server.url}/?lang=en#/voicemail`);
  await page.getByRole('heading', { level: 1, name: 'Voicemail' }).waitFor();
  await page.getByRole('heading', { level: 2, name: 'Greetings' }).waitFor();
  await page.getByText('No voicemail messages.').waitFor();
  await page.context().close();
  page = null;
});

test('greetings: a WAV file and a recording become the own greeting, no sound is refused, removing brings the default back', async () => {
  const page = await open('a.admin');
  const personal = page.locator('#vm-greeting-personal');
  const state = personal.getByTestId('vm-greeting-personal-state');
  assert.equal(await state.getAttribute('data-origin'), 'default');
  assert.match(await state.textContent(), /Standardansage$/);
  assert.match(await personal.locator('audio').getAttribute('src'), /^\/api\/v1\/voicemail\/greetings\/default\?v=\d+$/);
  const defaultLength = await audioLength(personal.locator('audio'));
  assert.ok(defaultLength > 1, `the default greeting plays for ${defaultLength} s`);
  assert.equal(await personal.getByTestId('vm-greeting-personal-remove').isVisible(), false);

  // Not a sound: refused at the file field, nothing changes.
  writeFileSync(join(dir, 'kein-ton.wav'), 'Das ist kein Ton.');
  await personal.getByLabel('Tondatei (WAV, MP3 oder Ogg)').setInputFiles(join(dir, 'kein-ton.wav'));
  await personal.getByTestId('vm-greeting-personal-upload').click();
  await personal.getByRole('alert').filter({ hasText: /^Nicht gespeichert: / }).waitFor();
  assert.equal(await personal.getByLabel('Tondatei (WAV, MP3 oder Ogg)').getAttribute('aria-invalid'), 'true');
  assert.equal(await state.getAttribute('data-origin'), 'default');

  // A two-second WAV: the own greeting, which plays for two seconds.
  await personal.getByLabel('Tondatei (WAV, MP3 oder Ogg)').setInputFiles(toneWav(join(dir, 'greeting.wav'), 880, { seconds: 2, rate: 16000 }));
  await personal.getByTestId('vm-greeting-personal-upload').click();
  await personal.locator('[data-origin="own"]').filter({ hasText: 'Eigene Ansage' }).waitFor();
  await page.locator('#status').filter({ hasText: 'Persönliche Ansage: eigene Ansage gespeichert (2 Sekunden).' }).waitFor();
  assert.equal(await page.locator('#vm-greeting-personal-error').textContent(), '', 'the refusal is gone');
  assert.match(await personal.locator('audio').getAttribute('src'), /^\/api\/v1\/voicemail\/greetings\/personal\?v=\d+$/);
  const ownLength = await audioLength(personal.locator('audio'));
  assert.ok(Math.abs(ownLength - 2) < 0.1, `the own greeting plays for ${ownLength} s`);
  assert.equal((await call(page, 'GET', '/api/v1/voicemail')).data.mailbox.greeting, true);
  assert.deepEqual(await violations(page), [], 'greetings with an own one');
  await shot(page, 'voicemail-greetings-1280.png');

  // Removed: the default again.
  await personal.getByTestId('vm-greeting-personal-remove').click();
  await personal.locator('[data-origin="default"]').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'vm-greeting-personal-h');
  assert.equal((await call(page, 'GET', '/api/v1/voicemail')).data.mailbox.greeting, false);

  // Recorded in the browser (the hotline's recorder; the fake microphone plays 600 Hz).
  await personal.getByRole('button', { name: 'Aufnahme starten: Persönliche Ansage' }).click();
  await personal.getByText('Aufnahme läuft (höchstens 2:00).').waitFor();
  await page.waitForFunction(() => /^0:0[2-9] von 2:00$/.test(document.getElementById('vm-greeting-personal-rec-time').textContent));
  await personal.getByRole('button', { name: 'Aufnahme beenden: Persönliche Ansage' }).click();
  await personal.getByText(/^Aufnahme beendet: 0:0\d\.$/).waitFor();
  await personal.getByTestId('vm-greeting-personal-rec-upload').click();
  await personal.locator('[data-origin="own"]').waitFor();
  const recorded = await audioLength(personal.locator('audio'));
  assert.ok(recorded >= 1.5, `the recorded greeting plays for ${recorded} s`);

  // The absence greeting: uploaded, switched on until a day, read back; removing it
  // switches it off.
  const absence = page.locator('#vm-greeting-absence');
  assert.equal(await absence.getByTestId('vm-greeting-absence-state').getAttribute('data-origin'), 'none');
  assert.equal(await absence.locator('audio').isVisible(), false, 'nothing to listen to');
  await absence.getByLabel('Tondatei (WAV, MP3 oder Ogg)').setInputFiles(join(dir, 'greeting.wav'));
  await absence.getByTestId('vm-greeting-absence-upload').click();
  await absence.locator('[data-origin="own"]').waitFor();
  const settings = page.locator('section[aria-labelledby="vm-settings-h"]');
  assert.equal(await page.locator('#vm-absence-on-hint').isVisible(), false, 'no more need to record one first');
  await settings.getByLabel('Abwesenheitsansage einschalten').check();
  await settings.getByLabel('bis einschließlich').fill('2026-12-31');
  await settings.getByRole('button', { name: 'Einstellungen speichern' }).click();
  await settings.getByRole('status').filter({ hasText: 'Einstellungen gespeichert.' }).waitFor();
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Sprachnachrichten' }).waitFor();
  assert.equal(await settings.getByLabel('Abwesenheitsansage einschalten').isChecked(), true);
  assert.equal(await settings.getByLabel('bis einschließlich').inputValue(), '2026-12-31');
  await absence.getByTestId('vm-greeting-absence-remove').click();
  await absence.locator('[data-origin="none"]').waitFor();
  assert.equal(await settings.getByLabel('Abwesenheitsansage einschalten').isChecked(), false);
  const box = (await call(page, 'GET', '/api/v1/voicemail')).data.mailbox;
  assert.deepEqual([box.absence_greeting, box.absence_on, box.greeting], [false, false, true]);
  await page.context().close();
});

test('a hotline\'s box: a full queue overflows there; its supervisor sees the count live, opens the box and hears the message', async () => {
  const admin = await open('a.admin', { hash: '/team', heading: 'Teamübersicht' });
  const made = await call(admin, 'POST', '/api/v1/admin/hotlines', { name: 'Mailboxhotline', extension: '2900', supervisors: ['c.clerk'],
    queue: { name: 'Fragen', max_length: 1, overflow_kind: 'voicemail' } });
  assert.equal(made.status, 201, JSON.stringify(made.data));
  await admin.context().close();

  const carl = await open('c.clerk');
  await carl.getByText('Keine Sprachnachrichten.').waitFor();
  assert.equal(await carl.getByTestId('vm-box-link').count(), 0, 'the box has had no message yet');

  // Bärbel waits in the queue (nobody answers); the line is full, so Dora reaches the box.
  const barbel = await open('b.user', { hash: '/team', heading: 'Teamübersicht' });
  await barbel.getByTestId('dial-input').fill('2900');
  await barbel.getByTestId('dial-call').click();
  await callState(barbel, 'connected', 15000);
  const dora = await open('d.new', { hash: '/team', heading: 'Teamübersicht' });
  await dora.getByTestId('dial-input').fill('2900');
  await dora.getByTestId('dial-call').click();
  await callState(dora, 'connected', 15000);
  await hearsTheTone(dora);
  await dora.waitForTimeout(2500); // she speaks
  await dora.getByTestId('call-hangup').click();
  await callState(dora, 'ended');
  await barbel.getByTestId('call-hangup').click();

  // Carl's page: the badge, and the hotline's box appears with its count.
  await carl.getByTestId('vm-unheard-count').filter({ hasText: /^1$/ }).waitFor({ timeout: 15000 });
  const link = carl.getByRole('link', { name: /^Mailboxhotline\W+1 neu$/ });
  await link.waitFor();
  assert.equal(await carl.getByTestId('vm-message').count(), 0, 'his own box stays empty');
  await link.click();
  await carl.getByRole('heading', { level: 1, name: 'Sprachnachrichten: Mailboxhotline' }).waitFor();
  const message = carl.getByTestId('vm-message');
  await message.waitFor();
  assert.equal(await message.getByRole('heading', { level: 3 }).textContent(), 'Dora Neu');
  assert.deepEqual(await violations(carl), [], 'a hotline\'s box');
  const length = await audioLength(message.getByTestId('vm-play'));
  assert.ok(length > 1, `the message plays for ${length} s`);
  await message.getByTestId('vm-play').evaluate((a) => { a.muted = true; return a.play(); });
  await carl.getByTestId('vm-unheard-count').waitFor({ state: 'detached' });
  await message.getByTestId('vm-delete').click();
  await message.getByTestId('vm-delete-yes').click();
  await carl.getByText('Keine Sprachnachrichten.').waitFor();
  await carl.getByRole('link', { name: 'Zurück zu meinen Sprachnachrichten' }).click();
  await carl.getByRole('heading', { level: 1, name: 'Sprachnachrichten' }).waitFor();
  await carl.getByRole('link', { name: 'Mailboxhotline', exact: true }).waitFor();
  for (const page of [carl, barbel, dora]) await page.context().close();
});
