// The app shell in Debian's Chromium: the phone docked on every page, its test hooks, the
// keyboard path to the dial field and to a colleague's actions menu, phone width (360 and
// 375 px, the dock a bar that opens), axe on every main page, screenshots in German
// (tests/browser/screenshots/, not committed), the manifest and the service worker.
// The phone's side of the `call.*` frames (docs/realtime-protocol.md) is in phone_frames.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, startBrowser, signInOn, violations } from './harness.mjs';

const shots = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
const PAGES = [['team', 'Teamübersicht'], ['chat', 'Chat'], ['calls', 'Anrufliste'], ['account', 'Mein Konto'], ['phones', 'Meine Telefone']];
let server; let browser;

before(async () => {
  mkdirSync(shots, { recursive: true });
  server = await startServer();
  browser = await startBrowser(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']);
});
after(async () => { await browser?.close(); await server?.stop(); });

async function open(width, login = 'c.clerk') {
  const context = await browser.newContext({ viewport: { width, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => { throw e; });
  await signInOn(page, server, login);
  return page;
}

async function visit(page, key, heading) {
  await page.goto(`${server.url}/#/${key}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

test('the phone is docked on every page, with its hooks, and passes axe (1280 px)', async () => {
  const page = await open(1280);
  for (const [key, heading] of PAGES) {
    await visit(page, key, heading);
    const dock = page.getByRole('complementary', { name: 'Telefon' });
    await dock.getByTestId('dial-input').waitFor();
    assert.ok(await dock.getByTestId('dial-call').isVisible(), `${key}: the call button shows`);
    assert.equal(await dock.getByRole('combobox', { name: 'Nummer oder Name' }).count(), 1);
    assert.deepEqual(await violations(page), [], key);
    await page.screenshot({ path: join(shots, `${key}-1280.png`), fullPage: true });
  }
  // The header's own presence switch changes one's presence at once.
  const own = page.getByRole('banner').getByLabel('Mein Status');
  await own.selectOption('busy');
  await page.locator('#status').filter({ hasText: 'Sie erscheinen als: Beschäftigt' }).waitFor();
  await own.selectOption('available');
  await page.locator('#status').filter({ hasText: 'Sie erscheinen als: Verfügbar' }).waitFor();
  await page.context().close();
});

test('the keyboard reaches the dial field and works a colleague\'s actions menu', async () => {
  const page = await open(1280);
  // From the top of the page: "Zum Inhalt springen", then "Zum Telefon springen".
  await page.locator('#skip').focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Zum Telefon springen');
  await page.keyboard.press('Enter');
  let reached = false;
  for (let i = 0; i < 5 && !reached; i += 1) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement.dataset.testid === 'dial-input');
  }
  assert.ok(reached, 'Tab after the skip link reaches the dial field');

  // The actions menu of Dora Neu: Tab to its button, arrows inside, Escape back.
  await page.locator('#panel-filter').focus();
  const button = page.getByRole('button', { name: 'Aktionen für Dora Neu' });
  for (let i = 0; i < 10 && !(await button.evaluate((b) => b === document.activeElement)); i += 1) await page.keyboard.press('Tab');
  assert.equal(await button.getAttribute('aria-haspopup'), 'menu');
  assert.equal(await button.getAttribute('aria-expanded'), 'false');
  await page.keyboard.press('ArrowDown');
  assert.equal(await button.getAttribute('aria-expanded'), 'true');
  const focused = () => page.evaluate(() => document.activeElement.textContent);
  assert.equal(await focused(), 'Anrufen (2502)');
  await page.keyboard.press('ArrowDown');
  assert.equal(await focused(), 'Chat');
  await page.keyboard.press('End');
  assert.match(await focused(), /Favorit$/);
  await page.keyboard.press('ArrowDown');
  assert.equal(await focused(), 'Anrufen (2502)', 'the arrows wrap around');
  await page.keyboard.press('Escape');
  assert.equal(await button.getAttribute('aria-expanded'), 'false');
  assert.equal(await button.evaluate((b) => b === document.activeElement), true, 'Escape returns to the button');
  // Enter opens it again; choosing "Favorit" makes Dora a favourite.
  await page.keyboard.press('Enter');
  await page.keyboard.press('End');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-checked')), 'false');
  await page.keyboard.press('Enter');
  await page.locator('#status').filter({ hasText: 'Dora Neu ist jetzt in Ihren Favoriten.' }).waitFor();
  await page.getByRole('region', { name: 'Favoriten' }).locator('li.person', { hasText: 'Dora Neu' }).waitFor();
  assert.equal(await page.getByRole('menu').count(), 0, 'no menu is left open');
  await page.context().close();
});

for (const width of [360, 375]) {
  test(`at ${width} px nothing is wider than the screen and the dock is a bar that opens`, async () => {
    const page = await open(width);
    for (const [key, heading] of PAGES) {
      await visit(page, key, heading);
      const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      assert.ok(scroll <= inner, `${key}: the page is ${scroll} px wide at ${inner}`);
      if (width === 375) {
        assert.deepEqual(await violations(page), [], `${key} at ${width} px`);
        await page.screenshot({ path: join(shots, `${key}-375.png`), fullPage: true });
      }
    }
    const toggle = page.getByRole('button', { name: 'Telefon öffnen' });
    assert.equal(await page.getByTestId('dial-input').isVisible(), false, 'the dock is folded');
    await toggle.click();
    await page.getByTestId('dial-input').waitFor();
    assert.ok(await page.evaluate(() => document.activeElement.dataset.testid === 'dial-input'), 'opening focuses the dial field');
    assert.equal(await page.getByRole('button', { name: 'Telefon schließen' }).getAttribute('aria-expanded'), 'true');
    const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(scroll <= inner, `the open dock is ${scroll} px wide at ${inner}`);
    if (width === 375) {
      assert.deepEqual(await violations(page), [], 'open dock');
      await page.screenshot({ path: join(shots, 'dock-open-375.png') });
    }
    await page.keyboard.press('Escape');
    assert.equal(await page.getByTestId('dial-input').isVisible(), false, 'Escape folds it again');
    await page.context().close();
  });
}

test('the audio settings choose devices, show the level and return the focus', async () => {
  const page = await open(1280);
  const opener = page.getByRole('button', { name: 'Audioeinstellungen' });
  await opener.click();
  const dialog = page.getByRole('dialog', { name: 'Audioeinstellungen' });
  await dialog.getByLabel('Mikrofon', { exact: true }).waitFor();
  await dialog.getByRole('button', { name: 'Mikrofon prüfen' }).click();
  // Chromium's fake microphone beeps: the meter moves.
  await page.waitForFunction(() => document.getElementById('audio-level').value > 0.01, null, { timeout: 5000 });
  const options = await dialog.getByLabel('Mikrofon', { exact: true }).locator('option').count();
  assert.ok(options >= 2, 'the default and at least the fake microphone');
  await dialog.getByLabel('Mikrofon', { exact: true }).selectOption({ index: 1 });
  const stored = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('dw-')));
  assert.deepEqual(stored, ['dw-microphone'], 'only a device id is kept');
  assert.deepEqual(await violations(page), [], 'audio settings');
  await page.screenshot({ path: join(shots, 'audio-settings-1280.png') });
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await opener.evaluate((b) => b === document.activeElement), true, 'focus back on the opener');
  await page.context().close();
});

test('installable: manifest, icons, and a service worker that caches no API answers', async () => {
  const page = await open(1280);
  const manifest = await page.request.get(`${server.url}/app/manifest.webmanifest`);
  assert.equal(manifest.headers()['content-type'], 'application/manifest+json');
  const body = await manifest.json();
  assert.equal(body.name, 'Durchwahl');
  assert.equal(body.lang, 'de');
  for (const icon of body.icons) {
    const res = await page.request.get(server.url + icon.src);
    assert.equal(res.status(), 200, icon.src);
    assert.equal(res.headers()['content-type'], icon.type);
  }
  const worker = await page.request.get(`${server.url}/app/sw.js`);
  assert.equal(worker.headers()['service-worker-allowed'], '/');
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  assert.equal(scope, `${server.url}/`);
  // Under the worker's control, the pages and the API are used; only shell files are kept.
  await page.reload();
  await page.getByRole('heading', { name: 'Teamübersicht' }).waitFor();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await visit(page, 'calls', 'Anrufliste');
  const cached = await page.evaluate(async () => {
    const urls = [];
    for (const name of await caches.keys()) for (const r of await (await caches.open(name)).keys()) urls.push(new URL(r.url).pathname);
    return urls;
  });
  assert.ok(cached.includes('/app/phone/phone.js'), `the shell is cached: ${cached}`);
  assert.deepEqual(cached.filter((u) => !(u === '/' || u.startsWith('/app/'))), [], 'nothing but the shell');
  await page.context().close();
});
