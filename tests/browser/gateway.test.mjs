// The access gateway in the web client (docs/gateway.md), in Debian's Chromium against
// the real server and a small upstream started here. The administrator
// (#/admin/apps "Anwendungen veröffentlichen") publishes through the form a proxied web
// application (a bad name first: refused at the field) and a link to a StoreFront, both
// for the unit "Bauamt", and gives a third one, published by the API, the rule "only with
// a second factor" through the form's edit. Carl (Bauamt, signed in with his password
// only) sees both tiles under "Meine Anwendungen" (#/apps) and the third one unavailable
// with its reason; opening the proxied tile shows the upstream's page through
// /apps/eakte/ in a new tab. Bärbel (another unit) sees none of them and a friendly
// sentence. German and English, axe on every page, screenshots at 1280 and 375 px,
// nothing wider than the screen at 375 px, the admin table as cards there. Removing asks
// first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startServer, startBrowser, violations, pageOpener, callAs } from './harness.mjs';
import { shot, fitsWidth, cellsInView } from './hotline_world.mjs';

let server; let browser; let openPage; let upstream; let upstreamUrl;
const seen = [];

before(async () => {
  // The internal application: a page of its own, and what it was asked.
  upstream = createServer((req, res) => {
    seen.push({ url: req.url, identity: req.headers['x-durchwahl-identity'], cookie: req.headers.cookie || '' });
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="de"><head><title>E-Akte Test</title></head><body><h1>E-Akte Testsystem</h1><p>Pfad ${req.url.replace(/[<&]/g, '')}</p></body></html>`);
  });
  await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${upstream.address().port}/eakte/`;
  server = await startServer();
  browser = await startBrowser();
  openPage = pageOpener(browser, server);
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((resolve) => (upstream ? upstream.close(resolve) : resolve()));
});

const status = (page, text) => page.locator('#status').filter({ hasText: text }).waitFor();
// The admin page's result line (role=status) after a change.
const said = (page, text) => page.getByTestId('gateway-result').filter({ hasText: text }).waitFor();

async function checkLayout(page, name, table) {
  assert.deepEqual(await violations(page), [], `${name} at 1280 px`);
  assert.doesNotMatch(await page.locator('main').textContent(), /null|undefined|\bgw[A-Z]/, `${name}: no placeholder or missing text`);
  await shot(page, `gateway-${name}-1280.png`);
  await page.setViewportSize({ width: 375, height: 800 });
  assert.ok(await fitsWidth(page), `${name} at 375 px`);
  if (table) assert.ok(await cellsInView(page.getByTestId(table).locator('tbody tr')), `${name}: the table as cards`);
  assert.deepEqual(await violations(page), [], `${name} at 375 px`);
  await shot(page, `gateway-${name}-375.png`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

// Fills the publishing form (an empty form, or the one being edited).
async function fillForm(admin, { name, title, description, kind = 'proxy', upstream: to, link, units }) {
  const form = admin.getByTestId('gateway-app-form');
  if (name !== undefined) await form.getByLabel('Name (Adresse /apps/NAME/)').fill(name);
  if (title !== undefined) await form.getByLabel('Titel auf der Kachel').fill(title);
  if (description !== undefined) await form.getByLabel('Beschreibung (freiwillig)').fill(description);
  await form.getByLabel(kind === 'proxy' ? 'Webanwendung' : 'Verknüpfung (z. B. Remote-Desktop)').check();
  if (to !== undefined) await form.getByLabel('Adresse der Anwendung (Upstream)').fill(to);
  if (link !== undefined) await form.getByLabel('Adresse, die die Kachel öffnet').fill(link);
  if (units !== undefined) await form.getByLabel('Organisationseinheiten (eine je Zeile)').fill(units);
}

test('publish applications, see them as tiles by unit, open one through /apps/NAME/', async () => {
  const admin = await openPage('a.admin', { hash: '/admin/apps', heading: 'Anwendungen veröffentlichen' });
  await admin.getByRole('navigation').getByRole('link', { name: 'Anwendungen veröffentlichen' }).waitFor();
  await admin.getByTestId('gateway-apps-none').waitFor();

  // A bad name: refused at the name field, which takes the focus.
  await fillForm(admin, { name: 'E-Akte!', title: 'E-Akte', description: 'Die elektronische Akte', upstream: upstreamUrl, units: 'Bauamt' });
  await admin.getByTestId('gateway-app-save').click();
  const nameField = admin.getByTestId('gw-name');
  await admin.getByTestId('gw-name-error').filter({ hasText: /\S/ }).waitFor();
  assert.equal(await nameField.getAttribute('aria-invalid'), 'true');
  assert.match(await nameField.getAttribute('aria-describedby'), /gw-name-error/);
  assert.ok(await nameField.evaluate((el) => el === document.activeElement), 'the refused field has the focus');
  await admin.getByTestId('gw-form-error').filter({ hasText: 'Nicht gespeichert' }).waitFor();
  assert.equal(await admin.getByTestId('gateway-apps-none').count(), 1, 'nothing published');

  // Corrected: the proxied application is published.
  await fillForm(admin, { name: 'eakte' });
  await admin.getByTestId('gateway-app-save').click();
  await said(admin, '„E-Akte“ ist veröffentlicht.');
  const eakteRow = admin.getByTestId('gateway-app-row-eakte');
  await eakteRow.filter({ hasText: '/apps/eakte/' }).filter({ hasText: 'Bauamt' }).waitFor();
  assert.match(await admin.getByTestId('gateway-app-health-eakte').textContent(), /noch nicht geprüft|erreichbar/);
  assert.equal(await nameField.inputValue(), '', 'the form is empty again');
  // The same name again: 409, said at the name field.
  await fillForm(admin, { name: 'eakte', title: 'Noch eine E-Akte', upstream: upstreamUrl });
  await admin.getByTestId('gateway-app-save').click();
  await admin.getByTestId('gw-name-error').filter({ hasText: 'schon' }).waitFor();
  assert.equal(await nameField.getAttribute('aria-invalid'), 'true');
  await fillForm(admin, { name: '', title: '', upstream: '' });

  // The link to the StoreFront.
  await fillForm(admin, { name: 'storefront', title: 'Citrix StoreFront', description: 'Fachverfahren am Remote-Desktop',
    kind: 'link', link: 'https://storefront.example.org/Citrix/StoreWeb/', units: 'Bauamt' });
  await admin.getByTestId('gateway-app-save').click();
  await said(admin, '„Citrix StoreFront“ ist veröffentlicht.');
  await admin.getByTestId('gateway-app-row-storefront').filter({ hasText: 'storefront.example.org' }).waitFor();

  // A third one by the API, then "only with a second factor" by the form's edit.
  const made = await callAs(admin, server, 'POST', '/api/v1/admin/gateway/apps',
    { name: 'bauantrag', title: 'Bauantrag online', kind: 'proxy', upstream: upstreamUrl, units: ['Bauamt'], roles: [], features: [],
      second_factor: false, office_only: false, hours: null, max_users: null, timeout_secs: 30 });
  assert.equal(made.status, 201, JSON.stringify(made.data));
  await admin.reload();
  await admin.getByRole('heading', { level: 1, name: 'Anwendungen veröffentlichen' }).waitFor();
  await admin.getByRole('button', { name: 'Bearbeiten: Bauantrag online' }).click();
  const form = admin.getByTestId('gateway-app-form');
  await admin.getByRole('heading', { name: 'Anwendung bearbeiten: Bauantrag online' }).waitFor();
  assert.equal(await form.getByLabel('Name (Adresse /apps/NAME/)').inputValue(), 'bauantrag');
  assert.ok(await form.getByLabel('Name (Adresse /apps/NAME/)').evaluate((el) => el.readOnly), 'the name stays');
  // Hours that end before they begin: refused at the hours.
  await form.getByLabel('Nur zu bestimmten Zeiten').check();
  await form.getByLabel('Von', { exact: true }).fill('19:00');
  await form.getByLabel('Bis', { exact: true }).fill('07:00');
  await admin.getByTestId('gateway-app-save').click();
  await admin.getByTestId('gw-hours-error').filter({ hasText: /\S/ }).waitFor();
  assert.equal(await form.getByLabel('Von', { exact: true }).getAttribute('aria-invalid'), 'true');
  await form.getByLabel('Nur zu bestimmten Zeiten').uncheck();
  await form.getByLabel('Nur nach Anmeldung mit zweitem Faktor').check();
  await admin.getByTestId('gateway-app-save').click();
  await said(admin, '„Bauantrag online“ ist gespeichert.');
  await admin.getByTestId('gateway-app-row-bauantrag').filter({ hasText: 'zweiter Faktor' }).waitFor();
  assert.equal(await admin.getByTestId('gw-hours-error').textContent(), '', 'the refusal is gone');

  // Carl (Bauamt, password only): both tiles, the third one unavailable with its reason.
  const carl = await openPage('c.clerk', { hash: '/apps', heading: 'Meine Anwendungen' });
  await carl.getByRole('navigation').getByRole('link', { name: 'Meine Anwendungen' }).waitFor();
  assert.equal(await carl.getByRole('navigation').getByRole('link', { name: 'Anwendungen veröffentlichen' }).count(), 0, 'no admin page for Carl');
  const eakte = carl.getByTestId('apps-tile-eakte');
  await eakte.filter({ hasText: 'Die elektronische Akte' }).waitFor();
  assert.equal(await eakte.getByRole('link', { name: /E-Akte/ }).getAttribute('href'), '/apps/eakte/');
  assert.equal(await eakte.getByRole('link').getAttribute('target'), '_blank');
  const storefront = carl.getByTestId('apps-tile-storefront');
  assert.equal(await storefront.getByRole('link', { name: /Citrix StoreFront/ }).getAttribute('href'), 'https://storefront.example.org/Citrix/StoreWeb/');
  const bauantrag = carl.getByTestId('apps-tile-bauantrag');
  await bauantrag.filter({ hasText: 'Nur nach Anmeldung mit zweitem Faktor' }).waitFor();
  assert.equal(await bauantrag.getByRole('link').count(), 0, 'an unavailable application is not a link');
  await status(carl, '3 Anwendungen');
  await checkLayout(carl, 'portal');

  // Opening the tile: the upstream's page through /apps/eakte/, in a new tab, with the
  // identity for the upstream and without Durchwahl's session cookie.
  const [opened] = await Promise.all([carl.context().waitForEvent('page'), eakte.getByRole('link').click()]);
  await opened.getByRole('heading', { name: 'E-Akte Testsystem' }).waitFor();
  assert.equal(new URL(opened.url()).pathname, '/apps/eakte/');
  const asked = seen.find((s) => s.url.startsWith('/eakte/') && s.identity);
  assert.ok(asked, `the upstream was asked with an identity: ${JSON.stringify(seen)}`);
  assert.doesNotMatch(asked.cookie, /dw_session/);
  await opened.close();

  // Bärbel (another unit): none of them, a friendly sentence.
  const baerbel = await openPage('b.user', { hash: '/apps', heading: 'Meine Anwendungen' });
  await baerbel.getByTestId('apps-empty').filter({ hasText: 'noch keine Anwendungen' }).waitFor();
  assert.equal(await baerbel.locator('[data-testid^="apps-tile-"]').count(), 0);
  await checkLayout(baerbel, 'empty');

  // The health check (every 30 seconds) finds the upstream: green, with its status and
  // latency in words.
  const health = admin.getByTestId('gateway-app-health-eakte');
  for (let i = 0; i < 30 && (await health.getAttribute('data-ok')) !== 'true'; i += 1) {
    await admin.waitForTimeout(2000);
    await admin.reload();
    await admin.getByRole('heading', { level: 1, name: 'Anwendungen veröffentlichen' }).waitFor();
  }
  assert.match(await health.textContent(), /erreichbar \(HTTP 200, \d+ ms\)/);
  await checkLayout(admin, 'admin', 'gateway-apps');

  // In English.
  await carl.getByLabel('Sprache').selectOption('en');
  await carl.getByRole('heading', { level: 1, name: 'My applications', exact: true }).waitFor();
  await carl.getByTestId('apps-tile-bauantrag').filter({ hasText: 'Only after signing in with a second factor' }).waitFor();
  assert.deepEqual(await violations(carl), [], 'the portal in English');
  await shot(carl, 'gateway-portal-english-1280.png');
  await baerbel.getByLabel('Sprache').selectOption('en');
  await baerbel.getByTestId('apps-empty').filter({ hasText: 'No applications are published for you yet' }).waitFor();
  await admin.getByLabel('Sprache').selectOption('en');
  await admin.getByRole('heading', { level: 1, name: 'Published applications', exact: true }).waitFor();
  await admin.getByRole('button', { name: 'Remove: Citrix StoreFront' }).waitFor();
  await admin.getByTestId('gateway-app-form').getByLabel('Only after signing in with a second factor').waitFor();
  assert.deepEqual(await violations(admin), [], 'the admin page in English');
  await admin.getByLabel('Language').selectOption('de');
  await admin.getByRole('heading', { level: 1, name: 'Anwendungen veröffentlichen', exact: true }).waitFor();

  // Removing asks first: declined, nothing happens; confirmed, the row goes.
  let asked2 = '';
  admin.once('dialog', (d) => { asked2 = d.message(); d.dismiss(); });
  await admin.getByTestId('gateway-app-remove-storefront').click();
  await admin.waitForTimeout(200);
  assert.match(asked2, /Citrix StoreFront/);
  assert.equal(await admin.getByTestId('gateway-app-row-storefront').count(), 1);
  admin.once('dialog', (d) => d.accept());
  await admin.getByTestId('gateway-app-remove-storefront').click();
  await said(admin, '„Citrix StoreFront“ ist entfernt.');
  await admin.getByTestId('gateway-app-row-storefront').waitFor({ state: 'detached' });
  await carl.reload();
  await carl.getByTestId('apps-tile-eakte').waitFor();
  assert.equal(await carl.getByTestId('apps-tile-storefront').count(), 0);
});
