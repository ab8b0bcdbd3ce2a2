// The capacity page (#/admin/capacity "Kapazität") in Debian's Chromium against the
// real server, sampling every second here ([capacity] sample_secs, a test-only key) and
// with one recipient for warnings. The administrator publishes an application for at
// most one person at once, in front of a small upstream started here, and opens the
// page: every figure of GET /api/v1/admin/capacity is a card with its name, its level
// in words (colour and symbol only repeat it), its value against its limit and its
// 24 hours as a chart hidden from screen readers with a caption saying lowest, highest
// and now. Carl opens the application: at the page's own refresh (every 60 s, no
// reload) its figure is "1 von 1", red, the summary in the live region says so, and
// the focus and an opened table stay where they were. German and English, axe at 1280
// and 375 px, nothing wider than 375 px and the cards in one column there, screenshots.
// Without recipients the page says where to set them. Carl sees no link to the page and
// gets no data from its API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startServer, startBrowser, violations, pageOpener, callAs } from './harness.mjs';
import { shot, fitsWidth } from './hotline_world.mjs';

const APP = 'fachverfahren';
const KEYS = ['cpu', 'memory', 'connections', 'media_legs', 'db_pool', 'write_queue_chat', 'write_queue_registrations', 'disk', 'calls', 'registrations'];
const WORDS = { green: 'Grün: in Ordnung', amber: 'Gelb: erhöht', red: 'Rot: kritisch', unknown: 'Unbekannt' };

let server; let browser; let openPage; let upstream; let upstreamUrl;

before(async () => {
  upstream = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html lang="de"><head><title>Fachverfahren</title></head><body><h1>Fachverfahren Testsystem</h1></body></html>');
  });
  await new Promise((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${upstream.address().port}/fv/`;
  server = await startServer('', null, { config: '[capacity]\nsample_secs = 1\nalert_to = ["it@lra.example"]\n' });
  browser = await startBrowser();
  openPage = pageOpener(browser, server);
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((resolve) => (upstream ? upstream.close(resolve) : resolve()));
});

const figureId = (f) => (f.key === 'gateway_users' ? `gateway_users-${f.app}` : f.key);

async function checkLayout(page, name) {
  assert.deepEqual(await violations(page), [], `${name} at 1280 px`);
  assert.doesNotMatch(await page.locator('main').textContent(), /null|undefined|NaN|\bcap[A-Z]/, `${name}: no placeholder or missing text`);
  await shot(page, `capacity-${name}-1280.png`);
  await page.setViewportSize({ width: 375, height: 800 });
  assert.ok(await fitsWidth(page), `${name} at 375 px`);
  const column = await page.locator('[data-testid^="capacity-figure-"]').evaluateAll((els) => els.length > 0 && els.every((el) => {
    const r = el.getBoundingClientRect();
    return r.left === els[0].getBoundingClientRect().left && r.right <= window.innerWidth;
  }));
  assert.ok(column, `${name}: the cards in one column at 375 px`);
  assert.deepEqual(await violations(page), [], `${name} at 375 px`);
  await shot(page, `capacity-${name}-375.png`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('an administrator sees every figure with its level and its day, a full application turns red', async () => {
  const admin = await openPage('a.admin', { hash: '/admin/capacity', heading: 'Kapazität' });
  await admin.getByRole('navigation').getByRole('link', { name: 'Kapazität' }).waitFor();
  const made = await callAs(admin, server, 'POST', '/api/v1/admin/gateway/apps',
    { name: APP, title: 'Fachverfahren', kind: 'proxy', upstream: upstreamUrl, units: [], roles: [], features: [],
      second_factor: false, office_only: false, hours: null, max_users: 1, timeout_secs: 30 });
  assert.equal(made.status, 201, JSON.stringify(made.data));

  // The API: every key, the application's figure once sampled, green with nobody on it.
  let api;
  for (let i = 0; i < 30; i += 1) {
    api = await callAs(admin, server, 'GET', '/api/v1/admin/capacity');
    assert.equal(api.status, 200, JSON.stringify(api.data));
    if (api.data.figures.some((f) => f.key === 'gateway_users' && f.app === APP)) break;
    await admin.waitForTimeout(500);
  }
  const { figures } = api.data;
  for (const key of KEYS) assert.ok(figures.some((f) => f.key === key), `the API has ${key}: ${figures.map((f) => f.key)}`);
  const mine = figures.find((f) => f.key === 'gateway_users' && f.app === APP);
  assert.ok(mine, `the application's figure: ${JSON.stringify(figures.map(figureId))}`);
  assert.equal(mine.limit, 1);
  assert.deepEqual(api.data.alert_to, ['it@lra.example']);
  await admin.waitForTimeout(1500);
  // The page's own refresh comes every minute: a fake clock lets the test skip the wait.
  await admin.clock.install();
  await admin.reload();
  await admin.getByRole('heading', { level: 1, name: 'Kapazität' }).waitFor();

  // Every figure a card: its name, its level in words and symbol, its value, its chart.
  for (const f of figures) {
    const id = figureId(f);
    const card = admin.getByTestId(`capacity-figure-${id}`);
    await card.waitFor();
    const level = card.getByTestId(`capacity-level-${id}`);
    const shown = await level.getAttribute('data-level');
    assert.ok(shown in WORDS, `${id}: a level (${shown})`);
    assert.equal((await level.textContent()).trim(), WORDS[shown], `${id}: the level in words`);
    assert.equal(await level.locator('svg').getAttribute('aria-hidden'), 'true', `${id}: the symbol repeats the word`);
    assert.ok(await card.getByRole('heading', { level: 3 }).textContent(), `${id}: a name`);
    const chart = card.locator('figure svg.cap-chart');
    assert.equal(await chart.getAttribute('aria-hidden'), 'true', `${id}: the drawing is hidden`);
    assert.match(await card.locator('figure figcaption').textContent(), /Letzte 24 Stunden: niedrigster Wert .+, höchster .+, jetzt .+\.|noch keine Werte/, `${id}: the caption`);
    if (f.limit !== null && f.limit > 0) {
      for (const line of ['cap-limit', 'cap-90', 'cap-70']) assert.equal(await chart.locator(`line.${line}`).count(), 1, `${id}: ${line}`);
    }
  }
  const cpu = admin.getByTestId('capacity-figure-cpu');
  assert.match(await cpu.locator('.cap-value').textContent(), /von [\d,]+ Kern(en)?|kein Messwert/);
  assert.match(await admin.getByTestId('capacity-figure-memory').locator('.cap-value').textContent(), /^[\d,]+\s(B|[KMGT]iB) von [\d,]+\s(B|[KMGT]iB) \((\d+|unter 1)\s%\)$/);
  const app = admin.getByTestId(`capacity-figure-gateway_users-${APP}`);
  await app.getByRole('heading', { name: `Nutzende der Anwendung „${APP}“` }).waitFor();
  assert.match(await app.locator('.cap-value').textContent(), /^0 von 1 \(0\s%\)$/);
  assert.equal(await app.getByTestId(`capacity-level-gateway_users-${APP}`).getAttribute('data-level'), 'green');
  const summary = admin.getByTestId('capacity-summary');
  assert.equal(await summary.getAttribute('aria-live'), 'polite');
  assert.doesNotMatch(await summary.textContent(), /roten Bereich.*Anwendung/);
  await admin.getByTestId('capacity-alerts').filter({ hasText: 'Bleibt ein Wert 5 Minuten lang im roten Bereich' }).filter({ hasText: 'it@lra.example' }).waitFor();

  // The history as a table behind a button that says whether it is open.
  const toggle = admin.getByTestId('capacity-table-toggle-cpu');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  await cpu.locator('table caption').filter({ hasText: 'Verlauf der letzten 24 Stunden' }).waitFor();
  await checkLayout(admin, 'de');
  await toggle.focus();

  // Carl opens the application: the only place is taken. The page's own refresh shows it
  // red without moving the focus or closing the table.
  const carl = await openPage('c.clerk', { hash: '/apps', heading: 'Meine Anwendungen' });
  await carl.goto(`${server.url}/apps/${APP}/`);
  await carl.getByRole('heading', { name: 'Fachverfahren Testsystem' }).waitFor();
  const appLevel = admin.getByTestId(`capacity-level-gateway_users-${APP}`);
  // The sampler reads every second here; then a minute passes for the page at once.
  await admin.waitForTimeout(2500);
  await admin.clock.fastForward(60_000);
  await admin.locator(`[data-testid="capacity-level-gateway_users-${APP}"][data-level="red"]`).waitFor({ timeout: 90000 });
  assert.equal((await appLevel.textContent()).trim(), 'Rot: kritisch');
  assert.match(await app.locator('.cap-value').textContent(), /^1 von 1 \(100\s%\)$/);
  assert.match(await summary.textContent(), /Werte? im roten Bereich: .*Nutzende der Anwendung „fachverfahren“/);
  assert.equal(await admin.evaluate(() => document.activeElement?.dataset.testid), 'capacity-table-toggle-cpu', 'the focus stays');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true', 'the table stays open');
  await cpu.locator('table').waitFor();
  await checkLayout(admin, 'red');

  // In English.
  await admin.getByLabel('Sprache').selectOption('en');
  await admin.getByRole('heading', { level: 1, name: 'Capacity', exact: true }).waitFor();
  await admin.getByRole('navigation').getByRole('link', { name: 'Capacity' }).waitFor();
  assert.equal((await appLevel.textContent()).trim(), 'Red: critical');
  assert.match(await app.locator('.cap-value').textContent(), /^1 of 1 \(100\s%\)$/);
  assert.match(await summary.textContent(), /figures? in the red range: .*Users of the application “fachverfahren”/);
  assert.match(await cpu.locator('figure figcaption').textContent(), /Last 24 hours: lowest .+, highest .+, now .+\.|no figures/);
  await admin.getByTestId('capacity-alerts').filter({ hasText: 'When a figure stays in the red range for 5 minutes' }).waitFor();
  await checkLayout(admin, 'en');

  // Without recipients (the same answer, alert_to emptied): where to set them.
  await admin.route('**/api/v1/admin/capacity', async (route) => {
    const real = await route.fetch();
    route.fulfill({ response: real, json: { ...(await real.json()), alert_to: [] } });
  });
  await admin.getByLabel('Language').selectOption('de');
  await admin.getByTestId('capacity-alerts').filter({ hasText: 'Keine Empfänger für Warnungen eingerichtet ([capacity] alert_to).' }).waitFor();
  assert.deepEqual(await violations(admin), [], 'no recipients');
});

test('someone who is not an administrator sees no link and gets no data', async () => {
  const carl = await openPage('c.clerk', { hash: '/admin/capacity', heading: 'Teamübersicht' });
  assert.equal(new URL(carl.url()).hash, '#/team', 'sent to the team panel');
  assert.equal(await carl.getByRole('navigation').getByRole('link', { name: 'Kapazität' }).count(), 0);
  assert.equal(await carl.getByTestId('capacity-summary').count(), 0);
  const res = await callAs(carl, server, 'GET', '/api/v1/admin/capacity');
  assert.equal(res.status, 403, JSON.stringify(res.data));
  assert.ok(!res.data || !res.data.figures, 'no figures');
});
