// The admin page of the outside lines ("Amtsleitungen", #/admin/trunks) in Debian's
// Chromium, against a server with two trunks of [[trunks]]: an IP-based demo trunk and a
// registering one whose carrier (a UDP socket here that reads and never answers) stays
// silent. The table with caption and header cells, each state as a symbol and words, a
// failed trunk's reason, the demo mark, local date and time (Europe/Berlin), the refresh
// button and the 30-second refresh (Playwright's clock), the empty page, English, the
// keyboard path, axe, and screenshots at 1280 and 375 px (tests/browser/screenshots/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, startBrowser, signInOn, violations } from './harness.mjs';

const shots = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
let server; let browser; let carrier;

before(async () => {
  mkdirSync(shots, { recursive: true });
  // The carrier of "Telekom": takes the REGISTERs and never answers.
  carrier = createSocket('udp4');
  await new Promise((resolve) => carrier.bind(0, '127.0.0.1', resolve));
  const port = carrier.address().port;
  const config = `
[[trunks]]
name = "Stadtnetz"
proxy = "127.0.0.1:${port}"
listen = "127.0.0.1:0"
mode = "ip"
demo = true

[[trunks]]
name = "Telekom"
proxy = "127.0.0.1:${port}"
listen = "127.0.0.1:0"
mode = "register"
username = "x"
password = "y"
`;
  server = await startServer('', null, { config });
  browser = await startBrowser();
});
after(async () => { await browser?.close(); await server?.stop(); carrier?.close(); });

async function open(width, login = 'a.admin') {
  const context = await browser.newContext({ viewport: { width, height: 800 }, timezoneId: 'Europe/Berlin' });
  const page = await context.newPage();
  page.on('pageerror', (e) => { throw e; });
  await signInOn(page, server, login);
  return page;
}

// The cells of each body row as their text, the row's header first.
function rows(page) {
  return page.locator('#trunk-table tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));
}

test('the outside lines: table, states in words, demo mark, keyboard, axe, screenshots', async () => {
  const page = await open(1280);
  // The keyboard reaches "Amtsleitungen" in the navigation from the top of the page.
  await page.locator('#skip').focus();
  let reached = false;
  for (let i = 0; i < 40 && !reached; i += 1) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.getAttribute('href') === '#/admin/trunks');
  }
  assert.ok(reached, 'Tab reaches the link "Amtsleitungen"');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Amtsleitungen');
  await page.keyboard.press('Enter');
  const heading = page.getByRole('heading', { level: 1, name: 'Amtsleitungen' });
  await heading.waitFor();
  assert.equal(await heading.evaluate((el) => el === document.activeElement), true, 'the focus is on the heading');
  await page.locator('#trunk-table tbody tr').nth(1).waitFor();
  assert.equal(await page.title(), 'Amtsleitungen – Durchwahl');

  const table = page.getByRole('table', { name: 'Amtsleitungen und ihr Zustand' });
  assert.equal(await table.locator('caption').textContent(), 'Amtsleitungen und ihr Zustand');
  assert.deepEqual(await table.locator('thead th').evaluateAll((ths) => ths.map((th) => [th.textContent, th.getAttribute('scope')])),
    [['Name', 'col'], ['Anbindung', 'col'], ['Zustand', 'col'], ['Seit', 'col']]);
  assert.deepEqual(await table.locator('tbody th').evaluateAll((ths) => ths.map((th) => th.getAttribute('scope'))), ['row', 'row']);

  const [ip, register] = await rows(page);
  assert.equal(ip[0], 'StadtnetzDemo – nur zur Anschauung');
  assert.equal(ip[1], 'IP-basiert (ohne Anmeldung)');
  assert.equal(ip[2], '◆ Bereit (IP-basiert)');
  assert.equal(register[0], 'Telekom', 'a real trunk carries no demo mark');
  assert.equal(register[1], 'Mit Anmeldung (Registrierung)');
  // REGISTER gives up after about 32 s (timer F); until then it is still trying.
  assert.match(register[2], /^(◔ Meldet sich an …|✕ GestörtGrund: keine Antwort des Anbieters \(408\))$/);
  // The symbols are decoration: a screen reader hears the words only.
  assert.equal(await table.locator('.symbol:not([aria-hidden="true"])').count(), 0);
  // "Seit" in German date and time, in the browser's time zone.
  const since = await table.locator('tbody tr').first().locator('time');
  const iso = await since.getAttribute('datetime');
  assert.match(iso, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  assert.equal(await since.textContent(), new Date(iso).toLocaleString('de-DE', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'Europe/Berlin' }));
  assert.match(await since.textContent(), /^\d\d\.\d\d\.\d{4}, \d\d:\d\d:\d\d$/);

  // On from the heading: the refresh button, then the table's scrolling region.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'trunks-refresh');
  await page.keyboard.press('Enter');
  await page.locator('#status').filter({ hasText: /^Amtsleitungen aktualisiert, Stand \d\d:\d\d:\d\d\.$/ }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'trunks-refresh', 'the focus stays on the button');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('role')), 'region');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Amtsleitungen');

  assert.deepEqual(await violations(page), [], 'outside lines at 1280 px');
  await page.screenshot({ path: join(shots, 'admin-trunks-1280.png'), fullPage: true });
  // Since the server started (it sets each trunk's state then), not 1970 (seconds and
  // milliseconds mixed up).
  const age = Date.now() - Date.parse(iso);
  assert.ok(age >= -60000 && age < 10 * 60000, `"since" is ${iso}, not a moment since the server started`);
  await page.context().close();
});

test('at 375 px the table scrolls in its own region, and the page passes axe', async () => {
  const page = await open(375);
  await page.goto(`${server.url}/#/admin/trunks`);
  await page.locator('#trunk-table tbody tr').nth(1).waitFor();
  const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(widths[0] <= widths[1], `the page is ${widths[0]} px wide at ${widths[1]}`);
  assert.deepEqual(await violations(page), [], 'outside lines at 375 px');
  await page.screenshot({ path: join(shots, 'admin-trunks-375.png'), fullPage: true });
  await page.context().close();
});

test('a failed trunk says why; the page refreshes every 30 seconds and announces a change', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'Europe/Berlin' });
  await context.clock.install();
  const page = await context.newPage();
  page.on('pageerror', (e) => { throw e; });
  let state = { state: 'registering', detail: null };
  let loads = 0;
  await page.route('**/api/v1/admin/trunks', (route) => {
    loads += 1;
    route.fulfill({ json: { trunks: [{ name: 'Telekom', mode: 'register', demo: false, ...state, since: '2026-12-06T09:30:00Z' }] } });
  });
  await signInOn(page, server, 'a.admin');
  await page.getByRole('link', { name: 'Amtsleitungen' }).click();
  const cell = page.locator('#trunk-table tbody tr td').nth(1);
  await cell.filter({ hasText: 'Meldet sich an …' }).waitFor();
  assert.equal(await page.locator('#trunk-table time').textContent(), '06.12.2026, 10:30:00', 'UTC shown as Berlin time');
  assert.equal(loads, 1);

  state = { state: 'failed', detail: 'keine Antwort des Anbieters (408)' };
  await page.clock.fastForward(30000);
  await cell.filter({ hasText: 'Gestört' }).waitFor();
  assert.equal(loads, 2, 'one refresh after 30 seconds');
  assert.equal(await cell.textContent(), '✕ GestörtGrund: keine Antwort des Anbieters (408)');
  assert.equal(await cell.locator('.trunk-why').textContent(), 'Grund: keine Antwort des Anbieters (408)');
  await page.locator('#status').filter({ hasText: 'Amtsleitung Telekom: Gestört, keine Antwort des Anbieters (408)' }).waitFor();
  assert.deepEqual(await violations(page), [], 'a failed trunk');

  // English.
  await page.locator('#lang-select').selectOption('en');
  await page.getByRole('heading', { level: 1, name: 'Outside lines' }).waitFor();
  await page.getByRole('table', { name: 'Outside lines and their state' }).waitFor();
  await cell.filter({ hasText: 'Out of order' }).waitFor();
  assert.equal(await cell.locator('.trunk-why').textContent(), 'Reason: keine Antwort des Anbieters (408)');
  assert.equal(await page.locator('#trunk-table time').textContent(), '6 Dec 2026, 10:30:00');
  await page.locator('#lang-select').selectOption('de');

  // Leaving the page stops the refresh.
  await page.getByRole('link', { name: 'Team', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Teamübersicht' }).waitFor();
  const before = loads;
  await page.clock.fastForward(65000);
  await page.waitForTimeout(500);
  assert.equal(loads, before, 'no refresh once the page is left');
  await context.close();
});

test('no trunk configured: a clear sentence where to configure one; clerks do not see the page', async () => {
  const page = await open(1280);
  await page.route('**/api/v1/admin/trunks', (route) => route.fulfill({ json: { trunks: [] } }));
  await page.goto(`${server.url}/#/admin/trunks`);
  const none = page.locator('#trunks-none');
  await none.waitFor();
  assert.match(await none.textContent(), /^Es ist keine Amtsleitung eingerichtet\..*durchwahl\.toml.*\[\[trunks\]\]/);
  assert.equal(await page.locator('#trunk-table').count(), 0);
  assert.deepEqual(await violations(page), [], 'no trunks');
  await page.context().close();

  const clerk = await open(1280, 'c.clerk');
  assert.equal(await clerk.getByRole('link', { name: 'Amtsleitungen' }).count(), 0);
  await clerk.goto(`${server.url}/#/admin/trunks`);
  await clerk.getByRole('heading', { level: 1, name: 'Teamübersicht' }).waitFor();
  await clerk.context().close();
});
