// BITV 2.0 / WCAG 2.1 AA, checked by axe-core (Deque's rules engine) on every page of the
// web client in Debian's Chromium, in German and English; and the admin's team-panel
// groups reaching a clerk's panel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startBrowser, signIn as harnessSignIn, violations, PASSWORD } from './harness.mjs';

let server; let browser;

before(async () => {
  server = await startServer();
  browser = await startBrowser();
});
after(async () => { await browser?.close(); await server?.stop(); });

const signIn = (login) => harnessSignIn(browser, server, login);

test('the admin defines a team-panel group and the clerk sees it in the panel', async () => {
  const admin = await signIn('a.admin');
  await admin.getByRole('link', { name: 'Gruppen' }).click();
  await admin.getByRole('heading', { name: 'Gruppen und verwaltete Räume' }).waitFor();
  assert.deepEqual(await violations(admin), []);
  const form = admin.getByRole('region', { name: 'Neue Gruppe' });
  await form.getByLabel('Name', { exact: true }).fill('Krisenstab');
  await form.getByLabel('Mitglieder').fill('c.clerk, b.user');
  await form.getByRole('button', { name: 'Anlegen' }).click();
  await admin.getByRole('heading', { name: 'Krisenstab' }).waitFor();
  // A wrong login is refused and changes nothing.
  const group = admin.getByRole('region', { name: 'Krisenstab' });
  await group.getByLabel('Mitglied hinzufügen').fill('x.niemand');
  await group.getByRole('button', { name: 'Hinzufügen' }).click();
  await group.getByRole('alert').filter({ hasText: 'gibt es nicht' }).waitFor();
  assert.equal(await group.getByRole('listitem').count(), 2);

  const clerk = await signIn('c.clerk');
  const section = clerk.getByRole('region', { name: 'Krisenstab' });
  await section.getByRole('listitem').filter({ hasText: 'Bärbel Böhm' }).waitFor();
  await admin.close();
  await clerk.close();
});

for (const language of ['de', 'en']) {
  test(`every page passes WCAG 2.1 AA checks (${language})`, async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.url}/?lang=${language}`);
    await page.locator('main h1').waitFor();
    assert.deepEqual(await violations(page), [], 'sign-in page');
    await page.locator('#login').fill('c.clerk');
    await page.locator('#password').fill(PASSWORD);
    await page.locator('#login').press('Enter');
    await page.locator('#panel-lists').waitFor();
    assert.deepEqual(await violations(page), [], 'team panel');
    await page.goto(`${server.url}/?lang=${language}#/chat`);
    await page.locator('nav.rooms a').first().click();
    await page.locator('#chat-text').fill('Barrierefrei?');
    await page.locator('#chat-text').press('Enter');
    await page.locator('#messages li').first().waitFor();
    assert.deepEqual(await violations(page), [], 'chat');
    await page.goto(`${server.url}/?lang=${language}#/account`);
    await page.locator('#totp-state').waitFor();
    assert.deepEqual(await violations(page), [], 'account');
    await page.close();
  });
}

test('at phone width the wide admin tables scroll in their own region, not the page', async () => {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  await page.locator('#login').fill('a.admin');
  await page.locator('#password').fill(PASSWORD);
  await page.locator('#login').press('Enter');
  await page.locator('#panel-lists').waitFor();
  for (const [link, region] of [['Mitarbeitende', 'Mitarbeitende'], ['Protokoll', 'Protokoll']]) {
    await page.getByRole('link', { name: link }).click();
    if (link === 'Mitarbeitende') await page.getByRole('button', { name: 'Anzeigen' }).click();
    const box = page.getByRole('region', { name: region });
    await box.locator('table').waitFor();
    const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(widths[0] <= widths[1], `${link}: the page is ${widths[0]} px wide at ${widths[1]}`);
    // The staff page loads its list once on opening and again on "Anzeigen": the region
    // may be replaced while it is measured, so measure the one in the page until it
    // scrolls (fails after the timeout).
    const scrolls = await page.waitForFunction((name) => {
      const el = document.querySelector(`[role=region][aria-label="${name}"]`);
      return el && el.scrollWidth > el.clientWidth && [el.scrollWidth, el.clientWidth];
    }, region, { timeout: 3000 }).then((h) => h.jsonValue(), () => null);
    assert.ok(scrolls, `${link}: the table scrolls inside its region`);
    await box.focus();
    await page.keyboard.press('ArrowRight');
    // Keyboard scrolling is animated: wait for it to move (fails after the timeout).
    await page.waitForFunction((el) => el.scrollLeft > 0, await box.elementHandle(), { timeout: 3000 });
    assert.deepEqual(await violations(page), [], link);
  }
  await context.close();
});
