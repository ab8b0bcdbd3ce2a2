// A hotline's admin page in the web client (issue 16), in Debian's Chromium against the
// real server, with the hotline of hotline_world.mjs: the administrator Anna changes a
// queue's ring time, callback, menu key and agents (Carl found by name), adds a closure,
// uploads a WAV welcome, records the closed message in the browser (the fake microphone's
// 440 Hz is found in what the server plays back) and restores the defaults; refused
// values are marked where they were typed. A queue's overflow goes to a person (Dora,
// found by name; nobody named and an unknown login are refused at the person's field and
// change nothing), reads back on a fresh page and goes back to the message. axe,
// screenshots at 1280 and 375 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { violations } from './harness.mjs';
import { toneWav, readWav, amplitudeAt } from './call_audio.mjs';
import { NAME, startHotlineWorld, shot, fitsWidth } from './hotline_world.mjs';

let world; let hotline; let queue; let dir; let open; let call; let visit;

before(async () => {
  world = await startHotlineWorld();
  ({ hotline, queue, dir, open, call, visit } = world);
  // A case form, so the page shows the designer with fields.
  const admin = await open('a.admin');
  const form = await call(admin, 'PUT', `/api/v1/hotlines/${hotline}/case-form`, { fields: [
    { key: 'name', label: 'Name', kind: 'text', required: true }, { key: 'termin', label: 'Testtermin', kind: 'appointment_slot' }] });
  assert.equal(form.status, 200);
  await admin.context().close();
});
after(async () => { await world?.stop(); });

test('the admin changes a queue\'s ring time, callback and agents, adds a closure, uploads and records announcements', async () => {
  const admin = await open('a.admin');
  await visit(admin, `/admin/hotlines/${hotline}`, `Hotline: ${NAME}`);
  const detail = async () => (await call(admin, 'GET', `/api/v1/admin/hotlines/${hotline}`)).data;

  // The contents move the focus to a section.
  await admin.getByRole('navigation', { name: 'Inhalt dieser Seite' }).getByRole('link', { name: 'Ansagen' }).click();
  assert.equal(await admin.evaluate(() => document.activeElement.id), 'hle-announcements-h');
  assert.match(await admin.evaluate(() => location.hash), /^#\/admin\/hotlines\/\d+$/, 'the route stays');

  // The queue: a ring time out of range is marked; 25 s and a callback after 60 s are saved.
  const q = admin.locator(`section.hle-queue[data-queue="${queue}"]`);
  await q.getByLabel('Klingeldauer je Agent (Sekunden)').fill('200');
  await q.getByRole('button', { name: 'Warteschlange speichern' }).click();
  await admin.locator(`#hle-q${queue}-ring_secs[aria-invalid="true"]`).waitFor();
  assert.equal(await admin.locator(`#hle-q${queue}-ring_secs-error`).textContent(), 'Erlaubt sind 5 bis 120.');
  await q.getByLabel('Klingeldauer je Agent (Sekunden)').fill('25');
  await q.getByLabel('Rückruf anbieten nach (Sekunden Wartezeit)').fill('60');
  await q.getByLabel('Menütaste').selectOption('1');
  await q.getByRole('button', { name: 'Warteschlange speichern' }).click();
  await admin.locator('#hle-queues-status').filter({ hasText: 'Die Warteschlange „Allgemeine Fragen“ ist gespeichert.' }).waitFor();
  let d = await detail();
  assert.deepEqual([d.queues[0].ring_secs, d.queues[0].callback_after_secs, d.queues[0].menu_digit, d.queues[0].wrap_up_secs], [25, 60, '1', 30]);

  // Agents: Carl is found by name in the directory and gets level 2.
  const agents = admin.locator(`section.hle-agents[data-queue="${queue}"]`);
  assert.deepEqual(await agents.locator('li[data-login]').evaluateAll((li) => li.map((x) => x.dataset.login)), ['b.user']);
  const add = agents.getByLabel('Person hinzufügen');
  await add.fill('Carl');
  await agents.getByRole('option', { name: /Carl Clerk/ }).waitFor();
  await add.press('ArrowDown');
  await add.press('Enter');
  assert.equal(await add.inputValue(), 'Carl Clerk');
  await add.press('Enter');
  await agents.locator('li[data-login="c.clerk"]').waitFor();
  await agents.getByLabel('Stufe von Carl Clerk').selectOption('2');
  await agents.getByRole('button', { name: 'Agenten von Allgemeine Fragen speichern' }).click();
  await agents.getByText('2 Agenten für „Allgemeine Fragen“ gespeichert.').waitFor();
  d = await detail();
  assert.deepEqual(d.queues[0].agents.map((a) => [a.login, a.level]), [['b.user', 1], ['c.clerk', 2]]);

  // A closure: the last day before the first is refused, then Christmas is saved.
  await admin.getByRole('button', { name: 'Schließzeit hinzufügen' }).click();
  const closure = admin.locator('.hle-closure').last();
  assert.equal(await closure.getByLabel('Erster Tag').evaluate((el) => el === document.activeElement), true);
  await closure.getByLabel('Erster Tag').fill('2026-12-26');
  await closure.getByLabel('Letzter Tag').fill('2026-12-24');
  await closure.getByLabel('Grund (freiwillig)').fill('Weihnachten');
  await admin.getByRole('button', { name: 'Schließzeiten speichern' }).click();
  await admin.locator('#hle-closures-error').filter({ hasText: 'Schließzeit 1:' }).waitFor();
  assert.equal(await closure.locator('[aria-invalid="true"]').count(), 1);
  await closure.getByLabel('Erster Tag').fill('2026-12-24');
  await closure.getByLabel('Letzter Tag').fill('2026-12-26');
  await admin.getByRole('button', { name: 'Schließzeiten speichern' }).click();
  await admin.locator('#hle-hours-status').filter({ hasText: 'Schließzeiten gespeichert (1).' }).waitFor();
  assert.deepEqual((await detail()).closures, [{ first_day: '2026-12-24', last_day: '2026-12-26', reason: 'Weihnachten' }]);

  // The welcome from a WAV file: "own", and the server plays it back; a text file is refused.
  const welcome = admin.locator('#ann-welcome');
  assert.equal(await welcome.getByTestId('ann-welcome-state').getAttribute('data-origin'), 'builtin');
  writeFileSync(join(dir, 'kein-ton.wav'), 'Das ist kein Ton.');
  await welcome.getByLabel('Tondatei (WAV, MP3 oder Ogg)').setInputFiles(join(dir, 'kein-ton.wav'));
  await welcome.getByTestId('ann-welcome-send').click();
  await welcome.getByRole('alert').filter({ hasText: /^Nicht gespeichert: Die (Datei ist keine Tondatei|Tondatei ist beschädigt)/ }).waitFor();
  assert.equal(await welcome.getByTestId('ann-welcome-state').getAttribute('data-origin'), 'builtin', 'nothing changed');
  await welcome.getByLabel('Tondatei (WAV, MP3 oder Ogg)').setInputFiles(toneWav(join(dir, 'welcome.wav'), 880, { seconds: 2, rate: 16000 }));
  await welcome.getByTestId('ann-welcome-send').click();
  await admin.locator('#ann-welcome [data-origin="own"]').waitFor();
  await admin.locator('#hle-announcements-status').filter({ hasText: 'Begrüßung: eigene Ansage gespeichert (2 Sekunden).' }).waitFor();
  assert.equal((await detail()).announcements.welcome, 'own');
  const played = await call(admin, 'GET', `/api/v1/admin/hotlines/${hotline}/announcements/welcome`);
  assert.equal(played.headers['x-announcement'], 'own');
  assert.match(await admin.locator('#ann-welcome-audio').getAttribute('src'), new RegExp(`/api/v1/admin/hotlines/${hotline}/announcements/welcome\\?v=\\d+$`));
  assert.equal(played.headers['content-type'], 'audio/ogg', 'the uploaded quality, as Opus');
  // Chromium plays the Opus copy: two seconds, as uploaded; the switch plays the phone's copy.
  const duration = () => admin.locator('#ann-welcome-audio').evaluate((a) => new Promise((resolve, reject) => {
    a.addEventListener('loadedmetadata', () => resolve(a.duration), { once: true });
    a.addEventListener('error', () => reject(new Error(`cannot play: ${a.error && a.error.code}`)), { once: true });
    a.preload = 'auto'; a.load();
  }));
  const opusLength = await duration();
  assert.ok(Math.abs(opusLength - 2) < 0.05, `the Opus copy plays for 2 s, not ${opusLength}`);
  await admin.getByLabel('So, wie es am Telefon klingt').first().check();
  assert.match(await admin.locator('#ann-welcome-audio').getAttribute('src'), /&sound=phone$/);
  assert.ok(Math.abs(await duration() - 2) < 0.05, 'the telephone copy plays for 2 s');
  assert.deepEqual(await violations(admin), [], 'hotline page after changes');
  await shot(admin, 'hotline-detail-1280.png');
  await admin.locator('#ann-welcome').getByTestId('ann-welcome-restore').click();
  await admin.locator('#ann-welcome [data-origin="builtin"]').waitFor();
  assert.equal((await detail()).announcements.welcome, 'builtin');

  // The closed message recorded in the browser (the fake microphone plays 440 Hz).
  const closed = admin.locator('#ann-closed');
  await closed.getByRole('button', { name: 'Aufnahme starten: Ansage außerhalb der Öffnungszeiten' }).click();
  await closed.getByText('Aufnahme läuft (höchstens 2:00).').waitFor();
  await admin.waitForFunction(() => /^0:0[2-9] von 2:00$/.test(document.getElementById('ann-closed-rec-time').textContent));
  assert.ok(await closed.locator('meter').evaluate((m) => m.value > 0), 'the level meter moves');
  await closed.getByRole('button', { name: 'Aufnahme beenden: Ansage außerhalb der Öffnungszeiten' }).click();
  await closed.getByText(/^Aufnahme beendet: 0:0\d\.$/).waitFor();
  assert.equal(await closed.getByRole('button', { name: 'Probe anhören' }).evaluate((el) => el === document.activeElement), true);
  await closed.getByTestId('ann-closed-rec-upload').click();
  await admin.locator('#ann-closed [data-origin="own"]').waitFor();
  const recorded = await call(admin, 'GET', `/api/v1/admin/hotlines/${hotline}/announcements/closed?sound=phone`);
  assert.equal(recorded.headers['x-announcement'], 'own');
  writeFileSync(join(dir, 'closed.wav'), recorded.body);
  const { rate, samples } = readWav(join(dir, 'closed.wav'));
  assert.ok(samples.length / rate >= 1.5, `recorded ${samples.length / rate} s`);
  const tail = samples.slice(-rate);
  assert.ok(amplitudeAt(tail, rate, 440) > 5 * amplitudeAt(tail, rate, 880), 'the recording holds the microphone\'s 440 Hz');
  await admin.locator('#ann-closed').getByTestId('ann-closed-restore').click();
  await admin.locator('#ann-closed [data-origin="builtin"]').waitFor();
  await admin.context().close();

  const narrow = await open('a.admin', 375);
  await visit(narrow, `/admin/hotlines/${hotline}`, `Hotline: ${NAME}`);
  await narrow.getByTestId('form-designer').locator('.fd-item').first().waitFor();
  assert.ok(await fitsWidth(narrow), 'hotline page at 375 px');
  assert.deepEqual(await violations(narrow), [], 'hotline page at 375 px');
  await shot(narrow, 'hotline-detail-375.png');
  await narrow.context().close();
});

test('a queue overflows to a person found by name; it reads back after a reload; an unknown login is refused at the field', async () => {
  const admin = await open('a.admin');
  await visit(admin, `/admin/hotlines/${hotline}`, `Hotline: ${NAME}`);
  const detail = async () => (await call(admin, 'GET', `/api/v1/admin/hotlines/${hotline}`)).data.queues.find((x) => x.id === queue);
  const q = admin.locator(`section.hle-queue[data-queue="${queue}"]`);
  const overflow = q.getByLabel('Überlauf', { exact: true });
  const who = q.getByLabel('Person für den Überlauf');
  const save = q.getByRole('button', { name: 'Warteschlange speichern' });
  const whoId = `hle-q${queue}-overflow-person`;
  assert.equal(await who.isVisible(), false, 'no person to name while the overflow is the message');
  assert.deepEqual(await overflow.locator('option').allTextContents(), ['Ansage „geschlossen“, dann Ende', 'An eine Person weiterleiten', 'Mailbox der Hotline (Nachrichten hören die Supervisoren)']);

  // Nobody named: said at the field, nothing sent.
  await overflow.selectOption({ label: 'An eine Person weiterleiten' });
  await who.waitFor();
  await save.click();
  await admin.locator(`#${whoId}[aria-invalid="true"]`).waitFor();
  assert.equal(await admin.locator(`#${whoId}-error`).textContent(), 'Bitte die Person angeben, zu der der Überlauf geht.');

  // A login not in the directory: the server's refusal at the field, which has the focus; nothing changes.
  await who.fill('x.niemand');
  await save.click();
  await admin.locator(`#${whoId}-error`).filter({ hasText: '„x.niemand“ ist nicht im Verzeichnis. Bitte den Benutzernamen prüfen.' }).waitFor();
  assert.equal(await who.getAttribute('aria-invalid'), 'true');
  assert.deepEqual((await who.getAttribute('aria-describedby')).split(' '), [`${whoId}-hint`, `${whoId}-error`]);
  assert.equal(await who.evaluate((el) => el === document.activeElement), true, 'the refused field has the focus');
  assert.equal(await overflow.getAttribute('aria-invalid'), null, 'only the person is marked');
  assert.deepEqual(await q.locator('[aria-invalid="true"]').count(), 1);
  const before = await detail();
  assert.deepEqual([before.overflow_kind, before.overflow_target], ['closed', null], 'nothing changed');
  assert.deepEqual(await violations(admin), [], 'queue with a refused person');

  // Dora, found by name in the directory: saved by her login.
  await who.fill('Dora');
  await q.getByRole('option', { name: /Dora Neu/ }).waitFor();
  await who.press('ArrowDown');
  await who.press('Enter');
  assert.equal(await who.inputValue(), 'Dora Neu');
  await save.click();
  await admin.locator('#hle-queues-status').filter({ hasText: 'Die Warteschlange „Allgemeine Fragen“ ist gespeichert.' }).waitFor();
  assert.equal(await who.getAttribute('aria-invalid'), null, 'the mark is gone');
  assert.equal(await admin.locator(`#${whoId}-error`).textContent(), '');
  const after = await detail();
  assert.deepEqual([after.overflow_kind, after.overflow_target], ['person', 'd.new']);

  // A fresh page reads it back; at 375 px it fits.
  await admin.context().close();
  const narrow = await open('a.admin', 375);
  await visit(narrow, `/admin/hotlines/${hotline}`, `Hotline: ${NAME}`);
  const again = narrow.locator(`section.hle-queue[data-queue="${queue}"]`);
  assert.equal(await again.getByLabel('Überlauf', { exact: true }).inputValue(), 'person');
  assert.equal(await again.getByLabel('Person für den Überlauf').inputValue(), 'd.new');
  assert.ok(await fitsWidth(narrow), 'queue with a person as the overflow at 375 px');
  assert.deepEqual(await violations(narrow), [], 'queue with a person as the overflow at 375 px');

  // Back to the message: no person is sent, none is kept.
  await again.getByLabel('Überlauf', { exact: true }).selectOption({ label: 'Ansage „geschlossen“, dann Ende' });
  assert.equal(await again.getByLabel('Person für den Überlauf').isVisible(), false);
  await again.getByRole('button', { name: 'Warteschlange speichern' }).click();
  await narrow.locator('#hle-queues-status').filter({ hasText: 'ist gespeichert.' }).waitFor();
  const closed = (await call(narrow, 'GET', `/api/v1/admin/hotlines/${hotline}`)).data.queues.find((x) => x.id === queue);
  assert.deepEqual([closed.overflow_kind, closed.overflow_target], ['closed', null]);

  // The hotline's voicemail box: no person to name; it reads back.
  await again.getByLabel('Überlauf', { exact: true }).selectOption({ label: 'Mailbox der Hotline (Nachrichten hören die Supervisoren)' });
  assert.equal(await again.getByLabel('Person für den Überlauf').isVisible(), false);
  await again.getByRole('button', { name: 'Warteschlange speichern' }).click();
  let boxed;
  for (let tries = 0; tries < 50; tries += 1) {
    boxed = (await call(narrow, 'GET', `/api/v1/admin/hotlines/${hotline}`)).data.queues.find((x) => x.id === queue);
    if (boxed.overflow_kind === 'voicemail') break;
    await narrow.waitForTimeout(100);
  }
  assert.deepEqual([boxed.overflow_kind, boxed.overflow_target], ['voicemail', null]);
  await narrow.context().close();
});
