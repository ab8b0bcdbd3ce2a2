// A case's assignee chosen from the hotline's people, and appointment slots removed, in
// Debian's Chromium against the real server with the hotline of hotline_world.mjs (agent
// b.user, supervisor d.new) and a case form with an appointment field. Dora removes an
// unbooked slot by keyboard (asked once more, "Abbrechen" first), the focus going to the
// next slot; a booked slot is refused with the server's words in its row and stays; an
// agent may not remove one; in English the refusal has the page's words. Bärbel's case form offers "niemand", Bärbel and Dora (from
// GET …/members) and "Mir zuweisen"; Dora assigned is saved and reads back on a fresh
// page, then nobody. Someone who left the hotline stays shown as the assignee, marked.
// axe on each view, 375 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { violations } from './harness.mjs';
import { NAME, startHotlineWorld, shot, fitsWidth } from './hotline_world.mjs';

let world; let hotline; let open; let call; let visit;
const slot = {}; // '10:00' → id of tomorrow's slot

const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' });
const tomorrow = (() => { const d = new Date(`${today}T12:00:00Z`); d.setUTCDate(d.getUTCDate() + 1); return d.toISOString().slice(0, 10); })();
const tomorrowName = new Date(`${tomorrow}T12:00:00Z`).toLocaleDateString('de-DE',
  { timeZone: 'UTC', weekday: 'long', day: '2-digit', month: '2-digit', year: 'numeric' });

before(async () => {
  world = await startHotlineWorld();
  ({ hotline, open, call, visit } = world);
  const admin = await open('a.admin');
  const form = await call(admin, 'PUT', `/api/v1/hotlines/${hotline}/case-form`, { fields: [
    { key: 'name', label: 'Name', kind: 'text' }, { key: 'termin', label: 'Termin', kind: 'appointment_slot' }] });
  assert.equal(form.status, 200, JSON.stringify(form.data));
  const added = await call(admin, 'POST', `/api/v1/hotlines/${hotline}/slots`,
    { series: { day: tomorrow, from: '10:00', until: '11:30', minutes: 30, capacity: 1 } });
  assert.equal(added.status, 201, JSON.stringify(added.data));
  for (const s of added.data.slots) {
    slot[new Date(s.start).toLocaleTimeString('de-DE', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' })] = s.id;
  }
  assert.deepEqual(Object.keys(slot), ['10:00', '10:30', '11:00']);
  // 10:00 is booked by a case.
  const booked = await call(admin, 'POST', `/api/v1/hotlines/${hotline}/cases`, { values: { name: 'Am Schalter', termin: slot['10:00'] } });
  assert.equal(booked.status, 201, JSON.stringify(booked.data));
  await admin.context().close();
});
after(async () => { await world?.stop(); });

const focused = (page) => page.evaluate(() => document.activeElement.getAttribute('aria-label') || document.activeElement.id);
const slotIds = async (page) => (await call(page, 'GET', `/api/v1/hotlines/${hotline}/slots?from=${tomorrow}&until=${tomorrow}`)).data.slots.map((s) => s.id);

test('a supervisor removes an unbooked slot by keyboard; a booked one is refused in its row and stays', async () => {
  const supervisor = await open('d.new', 375);
  await visit(supervisor, `/hotline/${hotline}/form`, `Fallformular und Termine – ${NAME}`);
  const day = supervisor.locator(`table.slot-table[data-day="${tomorrow}"]`);
  await day.waitFor();
  assert.deepEqual(await day.locator('thead th').allTextContents(), ['Zeit', 'Plätze', 'Gebucht', 'Frei', 'Entfernen']);
  assert.deepEqual(await day.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.slot)),
    [slot['10:00'], slot['10:30'], slot['11:00']].map(String));

  // "Entfernen" asks once more; "Abbrechen" puts the button back with the focus on it.
  const remove30 = `Entfernen: Termin ${tomorrowName}, 10:30–11:00`;
  await supervisor.getByRole('button', { name: remove30 }).focus();
  await supervisor.keyboard.press('Enter');
  assert.equal(await focused(supervisor), `Ja, entfernen: Termin ${tomorrowName}, 10:30–11:00`);
  assert.equal(await day.locator(`tr[data-slot="${slot['10:30']}"] .slot-ask`).textContent(), 'Wirklich entfernen?');
  assert.ok(await fitsWidth(supervisor), 'the question at 375 px');
  assert.deepEqual(await violations(supervisor), [], 'slots with the question open');
  await supervisor.keyboard.press('Tab');
  assert.equal(await supervisor.evaluate(() => document.activeElement.textContent), 'Abbrechen');
  await supervisor.keyboard.press('Enter');
  assert.equal(await focused(supervisor), remove30);
  assert.equal((await slotIds(supervisor)).length, 3, 'nothing removed');

  // Removed: said, gone from the table and the server; the focus on the next slot's button.
  await supervisor.keyboard.press('Enter');
  await supervisor.keyboard.press('Enter');
  await supervisor.locator('#slot-list-done').filter({ hasText: `Termin ${tomorrowName}, 10:30–11:00 entfernt.` }).waitFor();
  assert.deepEqual(await day.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.slot)), [slot['10:00'], slot['11:00']].map(String));
  assert.deepEqual(await slotIds(supervisor), [slot['10:00'], slot['11:00']]);
  assert.equal(await focused(supervisor), `Entfernen: Termin ${tomorrowName}, 11:00–11:30`);
  assert.match(await day.locator('caption').textContent(), /2 Termine, 1 von 2 Plätzen gebucht/);

  // The booked 10:00: what the server says (read from the API first: it keeps the slot).
  const asked = await call(supervisor, 'DELETE', `/api/v1/hotlines/${hotline}/slots/${slot['10:00']}`);
  assert.equal(asked.status, 409);
  const message = asked.data.message;
  assert.match(message, /gebucht/);
  const remove00 = `Entfernen: Termin ${tomorrowName}, 10:00–10:30`;
  await supervisor.getByRole('button', { name: remove00 }).click();
  await supervisor.getByRole('button', { name: `Ja, entfernen: Termin ${tomorrowName}, 10:00–10:30` }).click();
  const why = supervisor.locator(`#slot-${slot['10:00']}-error`);
  await why.waitFor();
  assert.equal(await why.textContent(), `Nicht entfernt: ${message}`);
  assert.equal(await focused(supervisor), remove00, 'the focus back on the row\'s button');
  assert.equal(await supervisor.getByRole('button', { name: remove00 }).getAttribute('aria-describedby'), `slot-${slot['10:00']}-error`);
  assert.equal(await day.locator('tbody tr').count(), 2, 'the booked slot stays');
  assert.deepEqual(await slotIds(supervisor), [slot['10:00'], slot['11:00']]);
  assert.equal(await supervisor.locator('#slot-list-done').textContent(), '');
  assert.ok(await fitsWidth(supervisor), 'the refusal at 375 px');
  assert.deepEqual(await violations(supervisor), [], 'slots with a refusal');
  await shot(supervisor, 'hotline-slot-remove-375.png');

  // The last slot of the list removed: the focus goes to the one before it.
  await supervisor.getByRole('button', { name: `Entfernen: Termin ${tomorrowName}, 11:00–11:30` }).click();
  await supervisor.getByRole('button', { name: `Ja, entfernen: Termin ${tomorrowName}, 11:00–11:30` }).click();
  await supervisor.locator('#slot-list-done').filter({ hasText: 'entfernt.' }).waitFor();
  assert.equal(await focused(supervisor), remove00);
  assert.equal(await why.count(), 0, 'the earlier refusal is gone');
  assert.deepEqual(await slotIds(supervisor), [slot['10:00']]);

  // In English: the refusal in the page's own words.
  await supervisor.locator('#lang-select').selectOption('en');
  await supervisor.getByRole('heading', { level: 1, name: `Case form and appointments – ${NAME}` }).waitFor();
  const englishDay = new Date(`${tomorrow}T12:00:00Z`).toLocaleDateString('en-GB',
    { timeZone: 'UTC', weekday: 'long', day: '2-digit', month: '2-digit', year: 'numeric' });
  await supervisor.getByRole('button', { name: `Remove: appointment ${englishDay}, 10:00–10:30` }).click();
  await supervisor.getByRole('button', { name: `Yes, remove: appointment ${englishDay}, 10:00–10:30` }).click();
  await why.filter({ hasText: 'Not removed: This appointment is booked; it can be removed once no booking is left on it.' }).waitFor();
  assert.deepEqual(await violations(supervisor), [], 'slots in English with a refusal');
  await supervisor.locator('#lang-select').selectOption('de');
  await supervisor.context().close();

  // An agent may not remove slots (the page does not offer it; the server refuses).
  const agent = await open('b.user');
  assert.equal((await call(agent, 'DELETE', `/api/v1/hotlines/${hotline}/slots/${slot['10:00']}`)).status, 403);
  await visit(agent, `/hotline/${hotline}/form`, `Fallformular und Termine – ${NAME}`);
  await agent.locator('#fd-not-allowed').waitFor();
  assert.equal(await agent.locator('button[data-remove]').count(), 0);
  await agent.context().close();
});

test('the case form offers the hotline\'s people as the assignee; one chosen is saved and read back', async () => {
  const agent = await open('b.user');
  await visit(agent, `/hotline/${hotline}/cases/new`, `Neuer Fall – ${NAME}`);
  const panel = agent.getByTestId('case-panel');
  const assignee = panel.getByLabel('Zuständig');
  await assignee.waitFor();
  assert.equal(await assignee.evaluate((el) => el.tagName), 'SELECT');
  assert.deepEqual(await assignee.locator('option').evaluateAll((o) => o.map((x) => [x.value, x.textContent])),
    [['', 'niemand'], ['b.user', 'Bärbel Böhm'], ['d.new', 'Dora Neu']]);
  assert.equal(await assignee.inputValue(), '', 'nobody at first');
  assert.deepEqual(await violations(agent), [], 'new case with the assignee list');

  // "Mir zuweisen" picks Bärbel; then Dora is chosen and saved.
  await panel.getByRole('button', { name: 'Mir zuweisen' }).click();
  assert.equal(await assignee.inputValue(), 'b.user');
  assert.equal(await assignee.evaluate((el) => el === document.activeElement), true);
  await panel.getByLabel('Name').fill('Max Mustermann');
  await assignee.selectOption('d.new');
  await agent.getByTestId('case-save').click();
  const created = agent.locator('#case-done').filter({ hasText: /^Fall \d+ angelegt\.$/ });
  await created.waitFor();
  const id = Number(/Fall (\d+)/.exec(await created.textContent())[1]);
  assert.equal((await call(agent, 'GET', `/api/v1/hotlines/${hotline}/cases/${id}`)).data.assignee.login, 'd.new');
  await agent.context().close();

  // On a fresh page at 375 px: Dora reads back; nobody is saved.
  const again = await open('b.user', 375);
  await visit(again, `/hotline/${hotline}/cases/${id}`, `Fall ${id} – ${NAME}`);
  const field = again.getByTestId('case-panel').getByLabel('Zuständig');
  await field.waitFor();
  assert.equal(await field.inputValue(), 'd.new');
  assert.equal(await field.locator('option:checked').textContent(), 'Dora Neu');
  assert.ok(await fitsWidth(again), 'case panel at 375 px');
  assert.deepEqual(await violations(again), [], 'case panel with an assignee at 375 px');
  await shot(again, 'hotline-case-assignee-375.png');
  await field.selectOption('');
  await again.getByTestId('case-save').click();
  await again.locator('#case-done').filter({ hasText: `Fall ${id} gespeichert.` }).waitFor();
  assert.equal((await call(again, 'GET', `/api/v1/hotlines/${hotline}/cases/${id}`)).data.assignee, null);
  assert.equal(await again.getByTestId('case-panel').getByLabel('Zuständig').inputValue(), '');

  // Dora assigned again, then she leaves the hotline: still shown as the assignee, marked.
  const body = (await call(again, 'GET', `/api/v1/hotlines/${hotline}/cases/${id}`)).data;
  assert.equal((await call(again, 'PATCH', `/api/v1/hotlines/${hotline}/cases/${id}`, { revision: body.revision, values: body.values, assignee: 'd.new' })).status, 200);
  await again.context().close();
  const admin = await open('a.admin');
  assert.equal((await call(admin, 'PUT', `/api/v1/admin/hotlines/${hotline}/supervisors`, [])).status, 200);
  await visit(admin, `/hotline/${hotline}/cases/${id}`, `Fall ${id} – ${NAME}`);
  const kept = admin.getByTestId('case-panel').getByLabel('Zuständig');
  await kept.waitFor();
  assert.equal(await kept.inputValue(), 'd.new');
  assert.equal(await kept.locator('option:checked').textContent(), 'Dora Neu (nicht mehr bei der Hotline)');
  assert.deepEqual(await kept.locator('option').evaluateAll((o) => o.map((x) => x.value)), ['', 'b.user', 'd.new']);
  assert.equal(await admin.getByRole('button', { name: 'Mir zuweisen' }).count(), 0, 'the administrator is none of the hotline\'s people');
  assert.deepEqual(await violations(admin), [], 'case panel with a former member');
  await admin.context().close();
});
