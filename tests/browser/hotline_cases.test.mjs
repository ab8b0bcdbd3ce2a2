// The hotline's case database and a hotline's admin page in the web client (issue 16), in
// Debian's Chromium against the real server. The hotline "Bürgertelefon Gesundheitsamt"
// (2900: agent Bärbel b.user, supervisor Dora d.new) is set up over the API; then the
// administrator Anna designs its case form (a text, a choice, an e-mail and an appointment
// field, moved by keyboard; a save over someone else's is refused and reloaded) and adds a
// day's slots; Carl (c.clerk) calls 2900 from his browser, Bärbel answers and the case
// panel opens with his number; a bad e-mail is marked, the case saved with a slot; a slot
// that fills up meanwhile says "ausgebucht" and offers the next free one; the case list
// finds cases and downloads them as CSV; Anna changes a queue's ring time, callback and
// agents, adds a closure, uploads a WAV welcome, records the closed message in the
// browser, and restores the defaults. axe everywhere, screenshots at 1280 and 375 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, startBrowser, signInOn, violations } from './harness.mjs';
import { toneWav, phoneArgs, callState, readWav, amplitudeAt } from './call_audio.mjs';

const shots = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
const NAME = 'Bürgertelefon Gesundheitsamt';
let server; let browser; let dir;
let hotline; let queue;
const sessions = new Map(); // login → storage state: one sign-in per person (the sign-in throttle)
const slotIds = {}; // '08:00' → id of tomorrow's slot

// Tomorrow in Berlin, as the slots are made there.
const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' });
const tomorrow = (() => { const d = new Date(`${today}T12:00:00Z`); d.setUTCDate(d.getUTCDate() + 1); return d.toISOString().slice(0, 10); })();

before(async () => {
  mkdirSync(shots, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'durchwahl-cases-'));
  server = await startServer();
  browser = await startBrowser(phoneArgs(toneWav(join(dir, 'tone.wav'), 440)));
  const admin = await open('a.admin');
  const made = await call(admin, 'POST', '/api/v1/admin/hotlines', {
    name: NAME, extension: '2900', queue: { name: 'Allgemeine Fragen' }, agents: [{ login: 'b.user' }], supervisors: ['d.new'],
  });
  assert.equal(made.status, 201, JSON.stringify(made.data));
  const list = await call(admin, 'GET', '/api/v1/admin/hotlines');
  hotline = list.data.find((hl) => hl.name === NAME).id;
  queue = (await call(admin, 'GET', `/api/v1/admin/hotlines/${hotline}`)).data.queues[0].id;
  await admin.context().close();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// A page of a fresh browser context signed in as `login` (signing in only the first time).
async function open(login, width = 1280) {
  const context = await browser.newContext({ viewport: { width, height: 800 }, timezoneId: 'Europe/Berlin', storageState: sessions.get(login) });
  const page = await context.newPage();
  page.on('pageerror', (e) => { throw e; });
  if (sessions.has(login)) {
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { level: 1, name: 'Teamübersicht' }).waitFor();
  } else {
    await signInOn(page, server, login);
    sessions.set(login, await context.storageState());
  }
  return page;
}

// The API as the page's person, with the session's CSRF token; { status, data }.
async function call(page, method, path, body) {
  const me = await (await page.request.get(`${server.url}/api/v1/me`)).json();
  const r = await page.request.fetch(`${server.url}${path}`, { method, data: body, headers: { 'X-CSRF-Token': me.csrf_token } });
  const json = (r.headers()['content-type'] || '').includes('json');
  return { status: r.status(), data: json ? await r.json() : null, headers: r.headers(), body: json ? null : await r.body() };
}

async function visit(page, hash, heading) {
  await page.goto(`${server.url}/#${hash}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

async function shot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(shots, name), fullPage: true });
}

const fitsWidth = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
const focusedLabel = (page) => page.evaluate(() => document.activeElement.getAttribute('aria-label') || document.activeElement.id);
const state = (page, value) => page.locator(`[data-testid="hotline-state"][data-state="${value}"]`).waitFor({ timeout: 15000 });

test('the admin designs the case form by keyboard, a stale save is refused, and adds a day of slots', async () => {
  const admin = await open('a.admin');
  await admin.getByRole('navigation').getByRole('link', { name: 'Hotlines', exact: true }).click();
  await admin.getByRole('link', { name: `${NAME} bearbeiten` }).click();
  await admin.getByRole('heading', { level: 1, name: `Hotline: ${NAME}` }).waitFor();
  const designer = admin.getByTestId('form-designer');
  await designer.getByText('Noch keine Felder.').waitFor();

  // Four fields; a new field's key is made from its label.
  async function addField(label, kind, more = async () => {}) {
    await designer.getByRole('button', { name: 'Feld hinzufügen' }).click();
    const editor = designer.locator('.fd-item').last();
    assert.equal(await editor.getByLabel('Bezeichnung', { exact: true }).evaluate((el) => el === document.activeElement), true, 'the new field\'s label has the focus');
    await admin.keyboard.type(label);
    await editor.getByLabel('Art', { exact: true }).selectOption(kind);
    await more(editor);
    return editor;
  }
  const name = await addField('Name', 'text', (e) => e.getByLabel('Pflichtfeld', { exact: true }).check());
  assert.equal(await name.getByLabel('Schlüssel', { exact: true }).inputValue(), 'name');
  await addField('Anliegen', 'choice', (e) => e.getByLabel('Auswahlmöglichkeiten', { exact: true }).fill('Test\nBefund\nSonstiges'));
  const mail = await addField('E-Mail', 'email');
  assert.equal(await mail.getByLabel('Schlüssel', { exact: true }).inputValue(), 'e_mail');
  await addField('Testtermin', 'appointment_slot');
  await designer.getByText('Nicht gespeicherte Änderungen.').waitFor();

  // "E-Mail" one up, by keyboard: the focus stays on its button, which moved with it.
  await designer.getByRole('button', { name: '„E-Mail“ nach oben' }).focus();
  await admin.keyboard.press('Enter');
  assert.equal(await focusedLabel(admin), '„E-Mail“ nach oben');
  assert.deepEqual(await designer.locator('.fd-name').allTextContents(), ['Name', 'E-Mail', 'Anliegen', 'Testtermin']);
  await admin.locator('#status').filter({ hasText: '„E-Mail“ ist jetzt Feld 2 von 4.' }).waitFor();
  // The first field's "up" is disabled: moving it up once more leaves the focus on "down".
  await designer.getByRole('button', { name: '„Name“ nach unten' }).focus();
  await admin.keyboard.press('Enter');
  await designer.getByRole('button', { name: '„Name“ nach oben' }).focus();
  await admin.keyboard.press('Enter');
  assert.equal(await focusedLabel(admin), '„Name“ nach unten');
  assert.deepEqual(await designer.locator('.fd-name').allTextContents(), ['Name', 'E-Mail', 'Anliegen', 'Testtermin']);
  assert.deepEqual(await violations(admin), [], 'designer with open editors');

  await designer.getByRole('button', { name: 'Formular speichern' }).click();
  await designer.getByText('Das Formular ist gespeichert (Version 1).').waitFor();
  const saved = await call(admin, 'GET', `/api/v1/hotlines/${hotline}/case-form`);
  assert.equal(saved.data.version, 1);
  assert.deepEqual(saved.data.fields.map((f) => [f.key, f.kind, f.required]),
    [['name', 'text', true], ['e_mail', 'email', false], ['anliegen', 'choice', false], ['testtermin', 'appointment_slot', false]]);
  assert.deepEqual(saved.data.fields[2].options, ['Test', 'Befund', 'Sonstiges']);

  // Someone else saves version 2 meanwhile: this page's save is refused and it reloads.
  await designer.getByRole('button', { name: '„Anliegen“ bearbeiten' }).click();
  await designer.locator('.fd-item').nth(2).getByLabel('Bezeichnung', { exact: true }).fill('Anliegen des Anrufs');
  const other = await call(admin, 'PUT', `/api/v1/hotlines/${hotline}/case-form`, {
    version: 1, fields: [...saved.data.fields, { key: 'bemerkung', label: 'Bemerkung', kind: 'long_text' }] });
  assert.equal(other.status, 200);
  await designer.getByRole('button', { name: 'Formular speichern' }).click();
  await designer.getByRole('alert').filter({ hasText: 'Jemand hat das Formular inzwischen gespeichert.' }).waitFor();
  assert.deepEqual(await designer.locator('.fd-name').allTextContents(), ['Name', 'E-Mail', 'Anliegen', 'Testtermin', 'Bemerkung']);
  assert.equal((await call(admin, 'GET', `/api/v1/hotlines/${hotline}/case-form`)).data.fields[2].label, 'Anliegen', 'nothing of the stale save');
  await designer.getByText(/^Gespeichert: Version 2 vom /).waitFor();

  // A day's series: a bad length is marked on its field, then three slots of 30 minutes.
  const series = admin.getByTestId('slot-series');
  await series.getByLabel('Tag').fill(tomorrow);
  await series.getByLabel('Von').fill('08:00');
  await series.getByLabel('Bis').fill('09:30');
  await series.getByLabel('Minuten je Termin').fill('3');
  await series.getByRole('button', { name: 'Termine anlegen' }).click();
  await admin.locator('#slot-minutes[aria-invalid="true"]').waitFor();
  assert.match(await admin.locator('#slot-minutes-error').textContent(), /5 bis 480 Minuten/);
  await series.getByLabel('Minuten je Termin').fill('30');
  await series.getByRole('button', { name: 'Termine anlegen' }).click();
  await series.getByText(/^3 Termine am .* angelegt\.$/).waitFor();
  const day = admin.locator(`table.slot-table[data-day="${tomorrow}"]`);
  assert.deepEqual(await day.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent))),
    [['08:00–08:30', '1', '0', '1'], ['08:30–09:00', '1', '0', '1'], ['09:00–09:30', '1', '0', '1']]);
  const slots = await call(admin, 'GET', `/api/v1/hotlines/${hotline}/slots?from=${tomorrow}&until=${tomorrow}`);
  for (const s of slots.data.slots) {
    slotIds[new Date(s.start).toLocaleTimeString('de-DE', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' })] = s.id;
  }
  assert.deepEqual(Object.keys(slotIds), ['08:00', '08:30', '09:00']);
  assert.deepEqual(await violations(admin), [], 'hotline page with the designer and slots');
  await admin.context().close();

  // The same on the case form page, for the screenshots.
  for (const width of [1280, 375]) {
    const page = await open('a.admin', width);
    await visit(page, `/hotline/${hotline}/form`, `Fallformular und Termine – ${NAME}`);
    await page.getByTestId('form-designer').locator('.fd-item').nth(4).waitFor();
    await page.getByRole('button', { name: '„Anliegen“ bearbeiten' }).click();
    await page.locator(`table.slot-table[data-day="${tomorrow}"]`).waitFor();
    assert.ok(await fitsWidth(page), `form designer at ${width} px`);
    assert.deepEqual(await violations(page), [], `form designer at ${width} px`);
    await shot(page, `hotline-form-designer-${width}.png`);
    await page.context().close();
  }
});

test('an agent answers a hotline call: the case panel opens with the number; a bad e-mail is marked; saved with a slot', async () => {
  assert.ok(slotIds['08:00'], 'slots from the first test');
  const agent = await open('b.user');
  await visit(agent, '/hotline', 'Hotline');
  await agent.getByTestId('hotline-login').click();
  await state(agent, 'ready');
  const caller = await open('c.clerk');
  await caller.getByTestId('dial-input').fill('2900');
  await caller.getByTestId('dial-call').click();
  await agent.getByTestId('incoming-call').waitFor({ timeout: 30000 });
  await agent.getByTestId('call-answer').click();
  await callState(agent, 'connected', 20000);

  const panel = agent.getByTestId('case-panel');
  await panel.waitFor();
  await agent.getByRole('heading', { level: 1, name: `Neuer Fall – ${NAME}` }).waitFor();
  assert.match(await agent.evaluate(() => location.hash), new RegExp(`^#/hotline/${hotline}/cases/new\\?call=`));
  assert.equal(await agent.getByTestId('case-number').inputValue(), '2501');
  assert.equal(await agent.locator('#case-call').textContent(), `☎ Anruf von 2501 über ${NAME}`);
  await panel.getByText('Keine früheren Fälle mit dieser Nummer.').waitFor();
  assert.equal(await agent.getByTestId('call-state').getAttribute('data-state'), 'connected', 'the call goes on beside the panel');

  await panel.getByLabel(/^Name/).fill('Erika Mustermann');
  await panel.getByLabel('E-Mail').fill('erika@');
  await panel.getByLabel('Anliegen').selectOption('Test');
  await panel.getByLabel('Testtermin').selectOption(String(slotIds['08:00']));
  await agent.getByTestId('case-save').click();
  const mail = panel.getByLabel('E-Mail');
  await agent.locator('#case-f-e_mail[aria-invalid="true"]').waitFor();
  assert.equal(await agent.locator('#case-f-e_mail-error').textContent(), '„E-Mail“: „erika@“ ist keine gültige E-Mail-Adresse.');
  assert.equal(await mail.getAttribute('aria-describedby'), 'case-f-e_mail-error');
  assert.equal(await mail.evaluate((el) => el === document.activeElement), true, 'the refused field has the focus');
  assert.equal(await agent.locator('#case-error').textContent(), 'Ein Feld bitte prüfen (unten markiert).');
  assert.equal(await panel.locator('[aria-invalid="true"]').count(), 1, 'only the e-mail is marked');
  assert.equal((await call(agent, 'GET', `/api/v1/hotlines/${hotline}/cases`)).data.total, 0, 'nothing saved');
  assert.deepEqual(await violations(agent), [], 'case panel with a refused field');

  await mail.fill('erika@example.org');
  await panel.getByLabel('in Bearbeitung').check();
  await panel.getByRole('button', { name: 'Mir zuweisen' }).click();
  await agent.getByTestId('case-save').click();
  await agent.locator('#case-done').filter({ hasText: 'Fall 1 angelegt.' }).waitFor();
  await agent.getByRole('heading', { level: 1, name: `Fall 1 – ${NAME}` }).waitFor();
  assert.match(await agent.evaluate(() => location.hash), new RegExp(`^#/hotline/${hotline}/cases/1\\?call=`));
  assert.equal(await agent.getByTestId('case-save').evaluate((el) => el === document.activeElement), true);
  assert.equal(await panel.locator('[aria-invalid="true"]').count(), 0);
  const saved = (await call(agent, 'GET', `/api/v1/hotlines/${hotline}/cases/1`)).data;
  assert.equal(saved.caller_number, '2501');
  assert.equal(saved.state, 'in_progress');
  assert.equal(saved.assignee.login, 'b.user');
  assert.deepEqual(saved.values, { name: 'Erika Mustermann', e_mail: 'erika@example.org', anliegen: 'Test', testtermin: slotIds['08:00'] });
  assert.deepEqual(saved.bookings.map((b) => [b.field, b.slot.id, b.slot.free]), [['testtermin', slotIds['08:00'], 0]]);
  assert.match(await panel.getByLabel('Testtermin').locator('option:checked').textContent(), /^08:00–08:30 \(gebucht für diesen Fall\)$/);
  assert.equal(await panel.getByLabel('neu').isDisabled(), true, 'a case in progress does not go back to new');
  assert.deepEqual(await violations(agent), [], 'case panel after saving');
  await shot(agent, 'hotline-case-panel-1280.png');

  await agent.getByTestId('call-hangup').click();
  await agent.goto(`${server.url}/#/hotline`);
  await state(agent, 'wrap_up');
  await agent.getByTestId('hotline-end-wrap-up').click();
  await state(agent, 'ready');
  await agent.getByTestId('hotline-logout').click();
  await state(agent, 'logged_out');
  await agent.context().close();
  await caller.context().close();
});

test('without a call: earlier cases of a number, and a slot taken meanwhile says "ausgebucht" and offers the next', async () => {
  const agent = await open('b.user', 375);
  await visit(agent, '/hotline', 'Hotline');
  await agent.getByRole('link', { name: `Neuer Fall bei ${NAME}` }).click();
  await agent.getByRole('heading', { level: 1, name: `Neuer Fall – ${NAME}` }).waitFor();
  const panel = agent.getByTestId('case-panel');
  assert.doesNotMatch(await agent.locator('#main').innerText(), /\b(null|undefined)\b/, 'nothing left out shows as a word');
  await agent.getByTestId('case-number').fill('2501');
  await agent.getByTestId('case-number').press('Tab');
  const earlier = panel.locator('.case-earlier-list li');
  await earlier.first().waitFor();
  assert.match(await earlier.first().textContent(), /^Fall 1 ◐ in Bearbeitung.*Name: Erika Mustermann · E-Mail: erika@example\.org$/);
  await earlier.first().getByRole('link', { name: 'Fall 1' }).click();
  await agent.getByRole('heading', { level: 1, name: `Fall 1 – ${NAME}` }).waitFor();
  assert.equal(await panel.getByLabel(/^Name/).inputValue(), 'Erika Mustermann');
  assert.equal(await agent.getByTestId('case-number').getAttribute('readonly'), '');
  await agent.getByRole('link', { name: 'Neuer Fall' }).click();
  await agent.getByRole('heading', { level: 1, name: `Neuer Fall – ${NAME}` }).waitFor();

  // 08:00 is full (case 1 holds it): listed, but it cannot be chosen.
  const slot = panel.getByLabel('Testtermin');
  assert.equal(await slot.locator(`option[value="${slotIds['08:00']}"]`).isDisabled(), true);
  assert.match(await slot.locator(`option[value="${slotIds['08:00']}"]`).textContent(), /ausgebucht/);
  await panel.getByLabel(/^Name/).fill('Max Mustermann');
  await slot.selectOption(String(slotIds['08:30']));
  // Someone else books 08:30 first.
  const admin = await open('a.admin');
  const taken = await call(admin, 'POST', `/api/v1/hotlines/${hotline}/cases`, { values: { name: 'Anruf am Schalter', testtermin: slotIds['08:30'] } });
  assert.equal(taken.status, 201);
  await admin.context().close();
  await agent.getByTestId('case-save').click();
  await agent.locator('#case-f-testtermin[aria-invalid="true"]').waitFor();
  assert.match(await agent.locator('#case-f-testtermin-error').textContent(), /^„Testtermin“: Der Termin ist ausgebucht/);
  const offer = panel.locator('.case-offer');
  assert.match(await offer.textContent(), /^Dieser Termin ist ausgebucht\. Freie Termine in der Nähe:/);
  assert.equal(await offer.getByRole('button').count(), 1, 'only 09:00 is free');
  assert.ok(await fitsWidth(agent), 'case panel at 375 px');
  assert.deepEqual(await violations(agent), [], 'case panel at 375 px, slot full');
  await shot(agent, 'hotline-case-panel-375.png');
  await offer.getByRole('button').click();
  assert.equal(await slot.inputValue(), String(slotIds['09:00']));
  assert.equal(await slot.evaluate((el) => el === document.activeElement), true);
  await agent.getByTestId('case-save').click();
  await agent.locator('#case-done').filter({ hasText: 'Fall 3 angelegt.' }).waitFor();
  assert.equal((await call(agent, 'GET', `/api/v1/hotlines/${hotline}/cases/3`)).data.bookings[0].slot.id, slotIds['09:00']);
  await agent.context().close();
});

test('the case list finds cases by words, state and "mine", pages, and downloads them as CSV', async () => {
  const supervisor = await open('d.new');
  await visit(supervisor, '/hotline', 'Hotline');
  await supervisor.getByRole('link', { name: `Fälle von ${NAME}` }).click();
  await supervisor.getByRole('heading', { level: 1, name: `Fälle – ${NAME}` }).waitFor();
  const list = supervisor.getByTestId('case-list');
  await list.locator('#case-table').waitFor();
  assert.deepEqual(await list.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.case)), ['3', '2', '1']);
  assert.equal(await list.locator('#case-count').textContent(), 'Fälle 1 bis 3 von 3');

  await supervisor.getByTestId('case-search').fill('erika mustermann');
  await supervisor.getByRole('button', { name: 'Anzeigen' }).click();
  await list.locator('tbody tr').nth(1).waitFor({ state: 'detached' });
  const row = list.locator('tbody tr');
  assert.deepEqual(await row.locator('th, td').evaluateAll((cells) => cells.slice(0, 4).map((c) => c.textContent)), ['1', '◐ in Bearbeitung', '2501', 'Bärbel Böhm']);
  await supervisor.locator('#status').filter({ hasText: 'Ein Fall gefunden' }).waitFor();
  const csv = supervisor.getByTestId('case-csv');
  assert.equal(await csv.getAttribute('href'), `/api/v1/hotlines/${hotline}/cases?q=erika+mustermann&format=csv`);
  const [download] = await Promise.all([supervisor.waitForEvent('download'), csv.click()]);
  assert.equal(download.suggestedFilename(), `faelle-hotline-${hotline}.csv`);
  const text = readFileSync(await download.path(), 'utf8');
  assert.match(text, /^\uFEFF"Fall-Nr\.";"Status"/);
  assert.match(text, /"1";"in Bearbeitung";"2501";"Bärbel Böhm"/);
  assert.match(text, /"Erika Mustermann";"erika@example\.org";"Test";"[^"]*08:00[^"]*"/);
  assert.equal(text.trim().split('\r\n').length, 2, 'the header and the one case found');
  assert.deepEqual(await violations(supervisor), [], 'case list with a search');
  await shot(supervisor, 'hotline-case-list-1280.png');

  // "erledigt": none; the search kept when coming back from a case.
  await supervisor.getByLabel('Status', { exact: true }).selectOption('done');
  await supervisor.getByRole('button', { name: 'Anzeigen' }).click();
  await list.locator('#case-list-none').waitFor();
  await supervisor.getByLabel('Status', { exact: true }).selectOption('');
  await supervisor.getByRole('button', { name: 'Anzeigen' }).click();
  await list.getByRole('link', { name: 'Fall 1 öffnen' }).click();
  await supervisor.getByRole('heading', { level: 1, name: `Fall 1 – ${NAME}` }).waitFor();
  await supervisor.getByRole('link', { name: 'Zur Fallliste' }).click();
  await list.locator('#case-table').waitFor();
  assert.equal(await supervisor.getByTestId('case-search').inputValue(), 'erika mustermann');

  // Pages of 25: 24 more cases, the second page by keyboard keeps the focus in the pager.
  for (let i = 0; i < 24; i += 1) {
    const made = await call(supervisor, 'POST', `/api/v1/hotlines/${hotline}/cases`, { caller_number: `0301234${String(i).padStart(2, '0')}`, values: { name: `Anruf ${i}` } });
    assert.equal(made.status, 201);
  }
  await supervisor.getByTestId('case-search').fill('');
  await supervisor.getByRole('button', { name: 'Anzeigen' }).click();
  await list.locator('#case-count').filter({ hasText: 'Fälle 1 bis 25 von 27' }).waitFor();
  assert.equal(await list.locator('tbody tr').count(), 25);
  assert.equal(await list.getByRole('button', { name: 'Vorige Seite' }).isDisabled(), true);
  await list.getByRole('button', { name: 'Nächste Seite' }).focus();
  await supervisor.keyboard.press('Enter');
  await list.locator('#case-count').filter({ hasText: 'Fälle 26 bis 27 von 27' }).waitFor();
  assert.deepEqual(await list.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.case)), ['2', '1']);
  assert.equal(await list.getByRole('button', { name: 'Nächste Seite' }).isDisabled(), true, 'the last page');
  assert.equal(await supervisor.evaluate(() => document.activeElement.textContent), 'Vorige Seite', 'the focus stays in the pager');
  await supervisor.context().close();

  // Bärbel's own: only case 1 is assigned to her.
  const agent = await open('b.user', 375);
  await visit(agent, `/hotline/${hotline}/cases`, `Fälle – ${NAME}`);
  await agent.getByLabel('Nur meine Fälle').check();
  await agent.getByRole('button', { name: 'Anzeigen' }).click();
  await agent.locator('#case-count').filter({ hasText: 'Fälle 1 bis 1 von 1' }).waitFor();
  assert.ok((await agent.getByTestId('case-csv').getAttribute('href')).includes('assignee=b.user'));
  assert.ok(await fitsWidth(agent), 'case list at 375 px');
  assert.deepEqual(await violations(agent), [], 'case list at 375 px');
  await shot(agent, 'hotline-case-list-375.png');
  // In English.
  await agent.locator('#lang-select').selectOption('en');
  await agent.getByRole('heading', { level: 1, name: `Cases – ${NAME}` }).waitFor();
  assert.equal(await agent.getByTestId('case-csv').textContent(), '⤓ Download as CSV');
  assert.deepEqual(await violations(agent), [], 'case list in English');
  await agent.locator('#lang-select').selectOption('de');
  await agent.context().close();
  // Someone without a role at the hotline gets no cases.
  const clerk = await open('c.clerk');
  await visit(clerk, `/hotline/${hotline}/cases`, 'Fälle');
  await clerk.getByRole('alert').filter({ hasText: 'Die Fälle einer Hotline sehen nur ihre Agenten und Supervisoren.' }).waitFor();
  await clerk.context().close();
});

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
  const recorded = await call(admin, 'GET', `/api/v1/admin/hotlines/${hotline}/announcements/closed`);
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
