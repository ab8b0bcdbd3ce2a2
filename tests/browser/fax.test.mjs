// The fax pages of the web client (issue 17), in Debian's Chromium against the real
// server. The administrator's page "Faxeingänge" (#/admin/fax) makes a box for Carl (a
// number with spaces is kept without them) and one for his unit Bauamt with its e-mail
// address; a number that is Dora's extension and an unknown login are refused in an
// alert that marks the field, and nothing is added. Carl's page "Fax" (#/fax) lists both
// boxes, his own first, each empty ("Keine Faxe."); Dora of Bauamt sees the unit's box
// only. When the administrator removes the unit's box, Carl's open page drops it at once
// (`fax.changed`). Sending: the form offers both boxes, a phone keypad for the number and
// PDFs only; a missing number and a file that is not a PDF are refused in German in the
// form's alert, and no fax appears in the list. axe, screenshots at 1280 and 375 px.
//
// Faxes themselves come only from the server's fax line (no seeding road from here): the
// API's list of faxes, their PDFs and deleting are covered by crates/web/tests/fax_api.rs.
// How the page shows faxes in every status is checked on a list the test hands the page
// in place of the server's (the page's GET /api/v1/fax answered by the test).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, startBrowser, signInOn, violations } from './harness.mjs';
import { shot, fitsWidth, cellsInView } from './hotline_world.mjs';

let server; let browser; let dir;
const sessions = new Map(); // login → storage state (one sign-in per person: the throttle)

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'durchwahl-fax-'));
  server = await startServer();
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// A page of a fresh context signed in as `login`, `width` px wide, on `hash`.
async function open(login, { width = 1280, hash = '/fax', heading = 'Fax' } = {}) {
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

const boxRows = (page) => page.getByTestId('fax-admin-box');

test('the administrator makes boxes; the clerk sees his and his unit\'s, live; bad sends are refused', async () => {
  const admin = await open('a.admin', { hash: '/admin/fax', heading: 'Faxeingänge' });
  await admin.getByText('Es gibt noch keinen Faxeingang.').waitFor();
  assert.equal(await admin.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Faxeingänge' }).getAttribute('aria-current'), 'page');

  // A person's box: the number as people write it.
  await admin.getByLabel('Faxnummer').fill('+49 89 123-2501');
  await admin.getByLabel('Benutzername der Person').fill('c.clerk');
  await admin.getByTestId('fax-admin-create').click();
  await boxRows(admin).filter({ hasText: 'Carl Clerk' }).waitFor();
  await admin.locator('#status').filter({ hasText: 'Faxeingang +49891232501 angelegt.' }).waitFor();
  assert.match(await boxRows(admin).first().textContent(), /^\+49 89 123-2501Carl Clerk \(c\.clerk\)keine/);

  // Refused: Dora's extension, a login nobody has; the field is marked, nothing added.
  await admin.getByLabel('Faxnummer').fill('2502');
  await admin.getByLabel('Benutzername der Person').fill('c.clerk');
  await admin.getByTestId('fax-admin-create').click();
  await admin.getByTestId('fax-admin-error').filter({ hasText: 'Die Nummer 2502 ist schon die Durchwahl von Dora Neu.' }).waitFor();
  assert.equal(await admin.getByLabel('Faxnummer').getAttribute('aria-invalid'), 'true');
  await admin.getByLabel('Faxnummer').fill('2590');
  await admin.getByLabel('Benutzername der Person').fill('x.niemand');
  await admin.getByTestId('fax-admin-create').click();
  await admin.getByTestId('fax-admin-error').filter({ hasText: 'Im Verzeichnis gibt es niemanden mit dem Benutzernamen „x.niemand“.' }).waitFor();
  assert.equal(await admin.getByLabel('Benutzername der Person').getAttribute('aria-invalid'), 'true');
  assert.equal(await boxRows(admin).count(), 1);

  // The unit's box, with its address.
  await admin.getByLabel('eine Organisationseinheit').check();
  await admin.getByLabel('Organisationseinheit', { exact: true }).selectOption('Bauamt');
  await admin.getByLabel('E-Mail-Adresse für eingehende Faxe (freiwillig)').fill('bauamt@stadt.example');
  await admin.getByTestId('fax-admin-create').click();
  await boxRows(admin).filter({ hasText: 'bauamt@stadt.example' }).waitFor();
  assert.equal(await admin.getByTestId('fax-admin-error').textContent(), '');
  assert.equal(await boxRows(admin).count(), 2);
  assert.deepEqual(await violations(admin), [], 'admin fax boxes');
  await shot(admin, 'admin-fax-1280.png');

  // Carl's page: his box first, then Bauamt's, each empty.
  const carl = await open('c.clerk');
  const boxes = carl.locator('section.fax-box');
  await boxes.nth(1).waitFor();
  assert.deepEqual(await boxes.locator('h2').allTextContents(), ['Carl Clerk – +49 89 123-2501', 'Bauamt – 2590']);
  assert.deepEqual(await boxes.locator('.fax-summary').allTextContents(), ['Keine Faxe.', 'Keine Faxe.']);
  assert.equal(await carl.getByTestId('fax-item').count(), 0);
  const dora = await open('d.new');
  await dora.locator('section.fax-box').first().waitFor();
  assert.deepEqual(await dora.locator('section.fax-box h2').allTextContents(), ['Bauamt – 2590']);
  await dora.context().close();

  // Sending, as this server can (its fax service is wired and says it works): the form
  // offers both boxes, a keypad for the number, PDFs only.
  const number = carl.getByTestId('fax-send-number');
  const file = carl.getByTestId('fax-send-file');
  assert.equal(await carl.getByTestId('fax-unavailable').count(), 0);
  assert.equal(await number.getAttribute('inputmode'), 'tel');
  assert.equal(await file.getAttribute('accept'), 'application/pdf,.pdf');
  assert.deepEqual(await carl.getByLabel('Senden von').locator('option').allTextContents(), ['Carl Clerk – +49 89 123-2501', 'Bauamt – 2590']);
  const error = carl.getByTestId('fax-error');
  assert.equal(await error.getAttribute('role'), 'alert');

  // No number: said at once, the field marked and focused.
  writeFileSync(join(dir, 'foto.pdf'), 'GIF89a, kein PDF');
  await file.setInputFiles(join(dir, 'foto.pdf'));
  await carl.getByTestId('fax-send').click();
  await error.filter({ hasText: 'Bitte die Faxnummer der Gegenstelle eingeben.' }).waitFor();
  assert.equal(await number.getAttribute('aria-invalid'), 'true');
  assert.equal(await number.evaluate((el) => el === document.activeElement), true);

  // Not a PDF (whatever its name says): the server's German answer at the file field.
  await number.fill('089 123456');
  await carl.getByTestId('fax-send').click();
  await error.filter({ hasText: 'Die Datei ist kein PDF. Bitte eine PDF-Datei wählen.' }).waitFor();
  assert.equal(await file.getAttribute('aria-invalid'), 'true');
  assert.equal(await number.getAttribute('aria-invalid'), null);
  assert.equal(await carl.getByTestId('fax-item').count(), 0, 'nothing appears in the list');
  assert.deepEqual((await call(carl, 'GET', '/api/v1/fax')).data.boxes.map((b) => b.faxes.length), [0, 0], 'nothing stored');
  assert.doesNotMatch(await carl.locator('main').innerText(), /null|undefined|\bfax[A-Z]/, 'no placeholder or missing text');
  assert.deepEqual(await violations(carl), [], 'fax page with a refused send');
  await shot(carl, 'fax-1280.png');

  // At 375 px it fits and passes axe.
  const narrow = await open('c.clerk', { width: 375 });
  await narrow.locator('section.fax-box').nth(1).waitFor();
  assert.ok(await fitsWidth(narrow), 'fax page at 375 px');
  assert.deepEqual(await violations(narrow), [], 'fax page at 375 px');
  await shot(narrow, 'fax-375.png');
  await narrow.context().close();
  const narrowAdmin = await open('a.admin', { width: 375, hash: '/admin/fax', heading: 'Faxeingänge' });
  await boxRows(narrowAdmin).nth(1).waitFor();
  assert.ok(await fitsWidth(narrowAdmin), 'admin fax boxes at 375 px');
  assert.ok(await cellsInView(boxRows(narrowAdmin)), 'every cell of the boxes shown at 375 px');
  assert.deepEqual(await violations(narrowAdmin), [], 'admin fax boxes at 375 px');
  await shot(narrowAdmin, 'admin-fax-375.png');
  await narrowAdmin.context().close();

  // The administrator removes the unit's box (asked once more): Carl's page drops it live.
  const unitRow = boxRows(admin).filter({ hasText: 'Bauamt' });
  await unitRow.getByTestId('fax-admin-remove').click();
  await unitRow.getByRole('alert').filter({ hasText: 'Faxeingang 2590 mit allen seinen Faxen entfernen?' }).waitFor();
  await unitRow.getByTestId('fax-admin-remove-yes').click();
  await admin.locator('#status').filter({ hasText: 'Faxeingang 2590 entfernt.' }).waitFor();
  assert.equal(await boxRows(admin).count(), 1);
  await carl.locator('section.fax-box').nth(1).waitFor({ state: 'detached', timeout: 10000 });
  assert.deepEqual(await carl.locator('section.fax-box h2').allTextContents(), ['Carl Clerk – +49 89 123-2501']);
  // With one box the form names it instead of offering a choice.
  await carl.getByText('Senden von: Carl Clerk – +49 89 123-2501').waitFor();
});

test('English texts and the navigation entry', async () => {
  const carl = await open('c.clerk');
  await carl.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Fax', exact: true }).waitFor();
  await carl.selectOption('#lang-select', 'en');
  await carl.getByRole('heading', { level: 1, name: 'Fax' }).waitFor();
  await carl.getByRole('heading', { level: 2, name: 'Send a fax' }).waitFor();
  await carl.getByLabel('Fax number to send to').waitFor();
  await carl.getByTestId('fax-send').click();
  await carl.getByTestId('fax-error').filter({ hasText: 'Please enter the fax number to send to.' }).waitFor();
  assert.doesNotMatch(await carl.locator('main').innerText(), /null|undefined|\bfax[A-Z]/);
  await carl.selectOption('#lang-select', 'de');
  await carl.context().close();
});

// Faxes in every status, as GET /api/v1/fax lists them (box 1 is Carl's own).
function listWithFaxes() {
  const at = (min) => new Date(Date.now() - min * 60000).toISOString();
  const fax = (id, more) => ({ id, remote_ident: null, pages: 0, reason: null, attempts: 0, finished_at: null, next_attempt_at: null, sender: null, pdf: null, ...more });
  return {
    available: true, unavailable_reason: null,
    boxes: [{ id: 1, number: '2599', name: 'Carl Clerk', kind: 'person', faxes: [
      fax(906, { direction: 'out', remote: '+4989123456', status: 'queued', attempts: 1, reason: 'Besetzt', pages: 3, created_at: at(1), sender: 'Carl Clerk' }),
      fax(905, { direction: 'out', remote: '+4989123457', status: 'sending', pages: 1, created_at: at(2), sender: 'Carl Clerk' }),
      fax(904, { direction: 'in', remote: '+4930111222', status: 'receiving', created_at: at(3) }),
      fax(903, { direction: 'out', remote: '0301234567', status: 'sent', pages: 2, created_at: at(10), sender: 'Carl Clerk', pdf: '/api/v1/fax/903/pdf' }),
      fax(902, { direction: 'out', remote: '+4940555123', status: 'failed', reason: 'Keine Faxgegenstelle', created_at: at(20), pdf: null }),
      fax(901, { direction: 'in', remote: '+4930333444', remote_ident: 'AMT MUENCHEN', status: 'received', pages: 4, created_at: at(60), pdf: '/api/v1/fax/901/pdf' }),
    ] }],
  };
}

test('every status in words, the PDF in a new tab, deleting asked once more', async () => {
  const carl = await open('c.clerk', { hash: '/team', heading: 'Teamübersicht' });
  let list = listWithFaxes();
  await carl.route('**/api/v1/fax', (route) => (route.request().method() === 'GET'
    ? route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(list) })
    : route.fallback()));
  await carl.goto(`${server.url}/#/fax`);
  await carl.getByRole('heading', { level: 1, name: 'Fax' }).waitFor();
  const items = carl.getByTestId('fax-item');
  await items.nth(5).waitFor();
  assert.deepEqual(await carl.getByTestId('fax-status').allTextContents(), [
    '… In der Warteschlange (Versuch 2) – letzter Versuch: Besetzt',
    '↻ Wird gesendet',
    '↻ Wird empfangen',
    '✓ Gesendet, 2 Seiten',
    '✕ Fehlgeschlagen: Keine Faxgegenstelle',
    '✓ Empfangen',
  ]);
  assert.deepEqual(await items.locator('h3').allTextContents(), ['Fax an +49 89 123456', 'Fax an +49 89 123457', 'Fax von +49 30 111222',
    'Fax an 030 123-4567', 'Fax an +49 40 555123', 'Fax von +49 30 333444']);
  const received = items.nth(5);
  assert.match(await received.locator('.fax-meta').textContent(), /^heute \d\d:\d\d · 4 Seiten · Kennung: AMT MUENCHEN$/);
  assert.match(await received.locator('.fax-way').textContent(), /Eingang$/);
  assert.match(await items.nth(3).locator('.fax-meta').textContent(), /^heute \d\d:\d\d · gesendet von Carl Clerk$/);

  // "PDF öffnen" only where there is a PDF, in a new tab; no deleting while on the line.
  const openPdf = received.getByTestId('fax-open-pdf');
  assert.equal(await openPdf.getAttribute('href'), '/api/v1/fax/901/pdf');
  assert.equal(await openPdf.getAttribute('target'), '_blank');
  assert.match(await openPdf.getAttribute('aria-label'), /^PDF öffnen: Fax von \+49 30 333444, heute \d\d:\d\d \(neuer Tab\)$/);
  assert.deepEqual(await Promise.all([0, 1, 2, 3, 4, 5].map((i) => items.nth(i).getByTestId('fax-open-pdf').isVisible())), [false, false, false, true, false, true]);
  assert.deepEqual(await Promise.all([0, 1, 2, 3, 4, 5].map((i) => items.nth(i).getByTestId('fax-delete').isVisible())), [true, false, false, true, true, true]);
  assert.deepEqual(await violations(carl), [], 'fax page with faxes');
  await shot(carl, 'fax-list-1280.png');

  // A status change is announced when a `fax.changed` frame reloads the list (the frame
  // comes from the server: the administrator makes Carl another box).
  list = listWithFaxes();
  list.boxes[0].faxes[1] = { ...list.boxes[0].faxes[1], status: 'sent', pages: 1, pdf: '/api/v1/fax/905/pdf' };
  const admin = await open('a.admin', { hash: '/admin/fax', heading: 'Faxeingänge' });
  assert.equal((await call(admin, 'POST', '/api/v1/admin/fax/boxes', { number: '2597', login: 'c.clerk' })).status, 201);
  await admin.context().close();
  await carl.locator('#status').filter({ hasText: 'Fax an +49 89 123457: Gesendet, 1 Seite.' }).waitFor();
  assert.equal(await items.nth(1).getByTestId('fax-status').textContent(), '✓ Gesendet, 1 Seite');

  // Deleting is asked once more; the server's refusal (this fax is not its) is shown.
  await received.getByTestId('fax-delete').click();
  await received.getByRole('alert').filter({ hasText: /^Fax von \+49 30 333444 \(heute \d\d:\d\d\) wirklich löschen\?$/ }).waitFor();
  assert.equal(await received.getByTestId('fax-delete-yes').evaluate((el) => el === document.activeElement), true);
  await received.getByTestId('fax-delete-no').click();
  assert.equal(await received.getByTestId('fax-delete').evaluate((el) => el === document.activeElement), true);
  await received.getByTestId('fax-delete').click();
  await received.getByTestId('fax-delete-yes').click();
  await received.locator('.fax-confirm .error').filter({ hasText: 'Dieses Fax gibt es nicht (mehr).' }).waitFor();
  assert.equal(await items.count(), 6);

  // At 375 px the cards fit.
  await carl.setViewportSize({ width: 375, height: 800 });
  assert.ok(await fitsWidth(carl), 'fax list at 375 px');
  assert.deepEqual(await violations(carl), [], 'fax list at 375 px');
  await shot(carl, 'fax-list-375.png');
  await carl.context().close();
});
