// A hotline agent's duty in a colleague's team panel, in Debian's Chromium against the real
// server: Dora (d.new) is the agent of a hotline, Carl (c.clerk) shares her unit "Bauamt"
// and has the team panel open. When Dora logs in to the hotline his panel shows
// "Hotline: bereit" beside her state, live, as part of her entry (read with it), and again
// after a reload; after her pause "Hotline: Pause" and never the pause's reason; in
// English "Hotline: paused"; after she logs out the chip is gone and her state stays. axe
// with the chip, 375 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startBrowser, signInOn, violations } from './harness.mjs';

let server; let browser; let carl; let dora;

async function signIn(login, width = 1280) {
  const page = await (await browser.newContext({ viewport: { width, height: 800 } })).newPage();
  page.on('pageerror', (e) => { throw e; });
  await signInOn(page, server, login);
  return page;
}

// The API as the page's person, with the session's CSRF token.
async function call(page, method, path, body) {
  const me = await (await page.request.get(`${server.url}/api/v1/me`)).json();
  const r = await page.request.fetch(`${server.url}${path}`, { method, data: body, headers: { 'X-CSRF-Token': me.csrf_token } });
  return { status: r.status(), data: await r.json().catch(() => null) };
}

async function agent(body) {
  const r = await call(dora, 'POST', '/api/v1/hotline/agent', body);
  assert.equal(r.status, 200, JSON.stringify(r.data));
}

// Dora's entry in Carl's team panel, and its presence line.
const entry = (page) => page.locator('#panel-lists li.person[data-login="d.new"]').first();
const status = (page) => entry(page).locator('.person-status');

before(async () => {
  server = await startServer();
  browser = await startBrowser();
  const admin = await signIn('a.admin');
  const made = await call(admin, 'POST', '/api/v1/admin/hotlines', {
    name: 'Bürgertelefon Bauamt', extension: '2900', queue: { name: 'Bauanträge' }, agents: [{ login: 'd.new' }],
  });
  assert.equal(made.status, 201, JSON.stringify(made.data));
  await admin.context().close();
});
after(async () => { await browser?.close(); await server?.stop(); });

test('a colleague sees the agent\'s hotline duty live beside the state, without a pause\'s reason', async () => {
  carl = await signIn('c.clerk');
  dora = await signIn('d.new');
  await status(carl).getByText('Verfügbar').waitFor();
  const chip = status(carl).locator('.duty');
  assert.equal(await chip.count(), 0, 'no chip before she logs in to the hotline');

  await agent({ action: 'log_in' });
  await chip.filter({ hasText: 'Hotline: bereit' }).waitFor({ timeout: 5000 });
  assert.equal(await chip.getAttribute('data-duty'), 'ready');
  // Read as part of her entry, right after the state.
  assert.match(await status(carl).textContent(), /Verfügbar, Hotline: bereit$/);
  assert.equal(await chip.evaluate((el) => el.closest('[aria-hidden="true"]')), null, 'not hidden from screen readers');
  assert.deepEqual(await violations(carl), [], 'team panel with a hotline chip');
  // The panel's own answer has it too, and so has the panel drawn anew.
  const panel = await call(carl, 'GET', '/api/v1/team-panel');
  assert.equal(panel.data.unit.entries.find((p) => p.login === 'd.new').presence.hotline, 'ready');
  await carl.reload();
  await chip.filter({ hasText: 'Hotline: bereit' }).waitFor();

  await agent({ action: 'pause', reason: 'Schulung' });
  await chip.filter({ hasText: 'Hotline: Pause' }).waitFor({ timeout: 5000 });
  assert.equal(await chip.getAttribute('data-duty'), 'paused');
  await status(carl).getByText('Verfügbar').waitFor();
  assert.equal(await carl.getByText('Schulung').count(), 0, 'the reason stays with the supervisor');
  assert.doesNotMatch(await status(carl).getAttribute('title'), /Schulung/);
  assert.deepEqual(await violations(carl), [], 'team panel with a paused chip');

  // In English, and at 375 px the chip is shown whole.
  await carl.locator('#lang-select').selectOption('en');
  await carl.getByRole('heading', { level: 1, name: 'Team panel' }).waitFor();
  await chip.filter({ hasText: 'Hotline: paused' }).waitFor();
  await carl.locator('#lang-select').selectOption('de');
  await carl.getByRole('heading', { level: 1, name: 'Teamübersicht' }).waitFor();
  const narrow = await signIn('c.clerk', 375);
  const small = status(narrow).locator('.duty');
  await small.filter({ hasText: 'Hotline: Pause' }).waitFor();
  assert.ok(await narrow.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'team panel at 375 px');
  const [inner, outer] = await Promise.all([small.boundingBox(), status(narrow).boundingBox()]);
  assert.ok(inner.x + inner.width <= outer.x + outer.width + 0.5 && inner.y + inner.height <= outer.y + outer.height + 0.5,
    `the chip is not cut off: ${JSON.stringify([inner, outer])}`);
  assert.deepEqual(await violations(narrow), [], 'team panel with a chip at 375 px');

  await agent({ action: 'log_out' });
  await chip.waitFor({ state: 'detached', timeout: 5000 });
  await small.waitFor({ state: 'detached', timeout: 5000 });
  assert.match(await status(carl).textContent(), /Verfügbar$/, 'her state stays');
  await narrow.context().close();
});
