// The hotline's case database in the web client (issue 16), in Debian's Chromium against
// the real server, with the hotline of hotline_world.mjs: the administrator Anna designs
// its case form (a text, a choice, an e-mail and an appointment field, moved by keyboard;
// a save over someone else's is refused and reloaded) and adds a day's slots; Carl
// (c.clerk) calls 2900 from his browser, Bärbel (b.user) answers and the case panel opens
// with his number; a bad e-mail is marked, the case saved with a slot; without a call the
// number's earlier cases open, and a slot that fills up meanwhile says "ausgebucht" and
// offers the next free one; the case list finds cases, pages and downloads them as CSV.
// axe everywhere, screenshots at 1280 and 375 px (the hotline's admin page:
// hotline_admin.test.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { violations } from './harness.mjs';
import { callState } from './call_audio.mjs';
import { NAME, startHotlineWorld, shot, fitsWidth } from './hotline_world.mjs';

let world; let server; let hotline; let open; let call; let visit;
const slotIds = {}; // '08:00' → id of tomorrow's slot

// Tomorrow in Berlin, as the slots are made there.
const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' });
const tomorrow = (() => { const d = new Date(`${today}T12:00:00Z`); d.setUTCDate(d.getUTCDate() + 1); return d.toISOString().slice(0, 10); })();

before(async () => {
  world = await startHotlineWorld();
  ({ server, hotline, open, call, visit } = world);
});
after(async () => { await world?.stop(); });

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
    [['08:00–08:30', '1', '0', '1', 'Entfernen'], ['08:30–09:00', '1', '0', '1', 'Entfernen'], ['09:00–09:30', '1', '0', '1', 'Entfernen']]);
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
