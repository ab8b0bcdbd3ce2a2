// "My phones" in Debian's Chromium: a clerk with telephony switched on adds her own
// softphone and sees its password once, with set-up hints; the list never shows it again;
// she removes it. A clerk without the feature gets a hint instead of the form.
// axe-core checks both pages against WCAG 2.1 AA.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startBrowser, signIn as harnessSignIn, violations } from './harness.mjs';

let server; let browser;

before(async () => {
  server = await startServer();
  server.cli(['users', 'enable', 'softphone', '--login', 'd.new']);
  browser = await startBrowser();
});
after(async () => { await browser?.close(); await server?.stop(); });

async function signIn(login) {
  const page = await harnessSignIn(browser, server, login);
  await page.getByRole('link', { name: 'Meine Telefone' }).click();
  await page.getByRole('heading', { name: 'Meine Telefone' }).waitFor();
  return page;
}

test('a clerk adds her own softphone, sees the password once, and removes it', async () => {
  const page = await signIn('d.new');
  await page.getByText('Sie haben noch kein Gerät.').waitFor();
  await page.getByLabel('Bezeichnung').fill('Softphone Homeoffice');
  await page.getByRole('button', { name: 'Softphone hinzufügen' }).click();
  await page.getByRole('heading', { name: 'Zugangsdaten Ihres Softphones' }).waitFor();
  assert.equal(await page.locator('#cred-user').textContent(), '2502-1');
  assert.equal(await page.locator('#cred-domain').textContent(), 'durchwahl.local');
  const password = await page.locator('#cred-password').textContent();
  assert.match(password, /^[0-9a-z]{4}(-[0-9a-z]{4}){4}$/);
  await page.getByText('<sip:2502-1@durchwahl.local>;auth_pass=PASSWORT').waitFor();
  assert.deepEqual(await violations(page), []);

  await page.getByRole('button', { name: 'Fertig' }).click();
  await page.getByRole('rowheader', { name: 'Softphone Homeoffice' }).waitFor();
  assert.ok(!(await page.content()).includes(password), 'the password is not shown again');
  assert.deepEqual(await violations(page), []);
  await page.reload();
  await page.getByRole('rowheader', { name: 'Softphone Homeoffice' }).waitFor();
  assert.ok(!(await page.content()).includes(password));

  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Entfernen: Softphone Homeoffice' }).click();
  await page.getByText('Sie haben noch kein Gerät.').waitFor();
  await page.close();
});

test('without the softphone feature there is a hint instead of the form', async () => {
  const page = await signIn('c.clerk');
  await page.getByText('nicht eingeschaltet').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Softphone hinzufügen' }).count(), 0);
  assert.deepEqual(await violations(page), []);
  await page.close();
});
