// Single sign-on in Debian's Chromium: the sign-in page's button (its label from
// [auth.oidc]), the way through testkit's OpenID Connect provider (the oidc_provider
// example, built here by cargo, signs b.user in at once) back to the team panel, signing
// out at the provider too, and the page's answers to a refusal and to a second factor
// that the server asks for after the provider, in German and English.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, startBrowser, buildExample } from './harness.mjs';

let server; let browser; let provider;

// Resolves to the provider's issuer once it says READY.
function startProvider(bin, login) {
  provider = spawn(bin, [login], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let issuer;
    createInterface({ input: provider.stdout }).on('line', (line) => {
      const m = /^OIDC_ISSUER='(.*)'$/.exec(line);
      if (m) issuer = m[1];
      if (line === 'READY') resolve(issuer);
    });
    provider.once('exit', (code) => reject(new Error(`oidc_provider exited with ${code}`)));
  });
}

// A free loopback port: the redirect URL names the server's address before it starts.
async function freePort() {
  const probe = createServer();
  await new Promise((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address();
  await new Promise((r) => probe.close(r));
  return port;
}

before(async () => {
  const issuer = await startProvider(buildExample('oidc_provider'), 'b.user');
  const port = await freePort();
  server = await startServer('', null, {
    httpListen: `127.0.0.1:${port}`,
    config: `[auth.oidc]
issuer = "${issuer}"
client_id = "durchwahl"
client_secret = "test-secret-for-oidc"
redirect_url = "http://127.0.0.1:${port}/api/v1/auth/oidc/callback"
label = "Landkreis-Konto"
local_accounts = true
`,
  });
  browser = await startBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  if (provider && provider.exitCode === null) {
    const exited = new Promise((r) => provider.once('exit', r));
    provider.kill('SIGTERM');
    await exited;
  }
});

test('the button signs in through the provider, and signing out goes there too', async () => {
  const page = await browser.newPage();
  await page.goto(server.url + '/');
  await page.getByRole('heading', { name: 'Anmelden' }).waitFor();
  const button = page.getByRole('button', { name: 'Mit Landkreis-Konto anmelden' });
  await button.waitFor();
  // Keyboard only: the button is reached with Tab after the form.
  await button.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Teamübersicht' }).waitFor();
  const me = await page.evaluate(async () => (await (await fetch('/api/v1/me')).json()).login);
  assert.equal(me, 'b.user');

  await page.getByRole('button', { name: 'Abmelden', exact: true }).click();
  // Through the provider's end session endpoint and back to our sign-in page.
  await page.getByRole('heading', { name: 'Anmelden' }).waitFor();
  assert.equal(new URL(page.url()).host, new URL(server.url).host);
  const after = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
  assert.equal(after, 401);
  await page.close();
});

test('a refusal is an alert in German or English, and leaves the address', async () => {
  const page = await browser.newPage();
  await page.goto(server.url + '/?sso_error=unknown');
  await page.getByRole('alert').filter({ hasText: 'keinen Zugang zu Durchwahl' }).waitFor();
  assert.equal(new URL(page.url()).search, '', 'the code is gone from the address');
  await page.getByRole('button', { name: 'Mit Landkreis-Konto anmelden' }).waitFor();
  const shots = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: join(shots, `sign-in-sso-${width}.png`), fullPage: true });
  }
  await page.goto(server.url + '/?lang=en&sso_error=state');
  await page.getByRole('alert').filter({ hasText: 'The single sign-on has expired' }).waitFor();
  await page.getByRole('button', { name: 'Sign in with Landkreis-Konto' }).waitFor();
  await page.goto(server.url + '/?lang=de');
  await page.close();
});

test('after the provider, the page asks for the second factor the server named', async () => {
  const page = await browser.newPage();
  await page.goto(server.url + '/?sso=second_factor&methods=totp,recovery');
  await page.getByRole('heading', { name: 'Zweiter Faktor' }).waitFor();
  await page.getByLabel('Code aus der Authenticator-App').waitFor();
  await page.getByLabel('Wiederherstellungscode').waitFor();
  await page.close();
});
