// The admin page of outgoing e-mail ("E-Mail-Versand", #/admin/mail) in Debian's Chromium,
// against a server whose [smtp] points at a real SMTP receiver: Debian's aiosmtpd
// (python3-aiosmtpd, installed by scripts/test), started here on a free loopback port with
// a Maildir. The page reached by keyboard, the counts, a test mail sent from the form that
// arrives at the receiver and is then counted as sent, a bad address refused at the field
// (by the browser's check and by the server's), failed attempts (pending with the next
// try, given up, never tried) with the server's reasons, the banner without a mail server,
// English, the 30-second refresh (Playwright's clock), clerks kept out, axe, and
// screenshots at 1280 and 375 px (tests/browser/screenshots/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, startBrowser, signInOn, violations } from './harness.mjs';

const shots = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
let server; let browser; let receiver;

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => { const { port } = probe.address(); probe.close(() => resolve(port)); });
  });
}

// Whether something on `port` greets with 220.
function greets(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(2000);
    socket.once('data', (data) => { socket.destroy(); resolve(data.toString().startsWith('220')); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });
}

// aiosmtpd with its Mailbox handler into a Maildir of its own (made whole here: the
// handler's Python makes one only where no folder is).
async function startReceiver() {
  const dir = mkdtempSync(join(tmpdir(), 'durchwahl-mail-'));
  for (const sub of ['tmp', 'new', 'cur']) mkdirSync(join(dir, 'maildir', sub), { recursive: true });
  const port = await freePort();
  const args = ['-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', join(dir, 'maildir')];
  const command = spawnSync('sh', ['-c', 'command -v aiosmtpd']).status === 0 ? ['aiosmtpd', args] : ['python3', ['-m', 'aiosmtpd', ...args]];
  const child = spawn(command[0], command[1], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; !(await greets(port)); i += 1) {
    if (i > 200 || child.exitCode !== null) throw new Error('aiosmtpd did not start (scripts/test installs python3-aiosmtpd)');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    messages: () => readdirSync(join(dir, 'maildir', 'new')).map((f) => readFileSync(join(dir, 'maildir', 'new', f), 'utf8')),
    async stop() {
      if (child.exitCode === null) { const exited = new Promise((r) => child.once('exit', r)); child.kill('SIGTERM'); await exited; }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  receiver = await startReceiver();
  const config = `
[smtp]
host = "127.0.0.1"
port = ${receiver.port}
security = "none"
from = "Durchwahl <durchwahl@lra.example>"
first_retry_seconds = 1
`;
  server = await startServer('', null, { config });
  browser = await startBrowser();
});
after(async () => { await browser?.close(); await server?.stop(); await receiver?.stop(); });

async function open(width, login = 'a.admin', context = null) {
  const ctx = context ?? await browser.newContext({ viewport: { width, height: 800 }, timezoneId: 'Europe/Berlin' });
  const page = await ctx.newPage();
  page.on('pageerror', (e) => { throw e; });
  await signInOn(page, server, login);
  return page;
}

function countTexts(page) {
  return page.locator('#mail-counts li').evaluateAll((lis) => lis.map((li) => [li.dataset.count, li.textContent]));
}

const focusedId = (page) => page.evaluate(() => document.activeElement?.id);

test('by keyboard: the counts, a test mail that arrives and is counted, a bad address, axe, screenshot', async () => {
  const page = await open(1280);
  await page.locator('#skip').focus();
  let reached = false;
  for (let i = 0; i < 40 && !reached; i += 1) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.getAttribute('href') === '#/admin/mail');
  }
  assert.ok(reached, 'Tab reaches the link "E-Mail-Versand"');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'E-Mail-Versand');
  await page.keyboard.press('Enter');
  const heading = page.getByRole('heading', { level: 1, name: 'E-Mail-Versand' });
  await heading.waitFor();
  assert.equal(await heading.evaluate((el) => el === document.activeElement), true, 'the focus is on the heading');
  assert.equal(await page.title(), 'E-Mail-Versand – Durchwahl');
  await page.locator('#mail-counts').waitFor();
  assert.deepEqual(await countTexts(page), [
    ['pending', '0 warten auf den Versand'], ['failed', '0 aufgegeben (letzte 30 Tage)'], ['sent_24h', '0 in den letzten 24 Stunden gesendet']]);
  assert.equal(await page.locator('#mail-counts').getAttribute('aria-label'), 'Übersicht');
  assert.equal(await page.locator('#mail-failures-none').textContent(), 'Keine fehlgeschlagenen Versuche.');
  assert.equal(await page.locator('#mail-off').count(), 0, 'a mail server is configured');

  // On from the heading: the refresh button, then the address field and the send button.
  await page.keyboard.press('Tab');
  assert.equal(await focusedId(page), 'mail-refresh');
  await page.keyboard.press('Tab');
  assert.equal(await focusedId(page), 'mail-test-to');
  const field = page.getByRole('textbox', { name: 'E-Mail-Adresse' });
  assert.equal(await field.getAttribute('type'), 'email');
  await page.keyboard.type('dora.neu@lra.example');
  await page.keyboard.press('Enter');
  const status = page.locator('#mail-test-status');
  await status.filter({ hasText: /^Die Testnachricht an dora\.neu@lra\.example ist unterwegs\./ }).waitFor();
  assert.equal(await status.getAttribute('role'), 'status');

  // It arrives at the receiver …
  let mails = [];
  for (let i = 0; i < 200 && mails.length === 0; i += 1) { mails = receiver.messages(); if (!mails.length) await page.waitForTimeout(50); }
  assert.equal(mails.length, 1, 'the test mail arrived');
  assert.match(mails[0], /^Subject: Testnachricht von Durchwahl$/m);
  assert.match(mails[0], /^X-RcptTo: dora\.neu@lra\.example$/m);
  assert.match(mails[0], /filename="durchwahl-test\.txt"/);
  // … and the page counts it once refreshed (by keyboard: the focus stays on the button).
  await page.locator('#mail-refresh').focus();
  const sent = page.locator('#mail-counts li[data-count="sent_24h"]');
  for (let i = 0; i < 50 && (await sent.textContent()) !== '1 in den letzten 24 Stunden gesendet'; i += 1) {
    await page.keyboard.press('Enter');
    await page.waitForTimeout(100);
  }
  assert.equal(await sent.textContent(), '1 in den letzten 24 Stunden gesendet');
  await page.locator('#status').filter({ hasText: /^E-Mail-Versand aktualisiert, Stand \d\d:\d\d:\d\d\.$/ }).waitFor();
  assert.equal(await focusedId(page), 'mail-refresh');

  // A bad address: the browser's check, then the server's (no dot in the domain).
  for (const bad of ['dora at lra', 'dora@lra']) {
    await field.fill(bad);
    await page.getByRole('button', { name: 'Testnachricht senden' }).click();
    await page.locator('#mail-test-problem').filter({ hasText: 'Bitte eine gültige E-Mail-Adresse angeben.' }).waitFor();
    assert.equal(await field.getAttribute('aria-invalid'), 'true', bad);
    assert.equal(await focusedId(page), 'mail-test-to', `${bad}: the focus is back in the field`);
    assert.equal(await field.getAttribute('aria-describedby'), 'mail-test-problem mail-test-hint');
    await field.fill('');
    await page.locator('#mail-test-problem').evaluate((p) => { p.textContent = ''; });
  }
  assert.equal(receiver.messages().length, 1, 'nothing more was sent');

  assert.deepEqual(await violations(page), [], 'outgoing e-mail at 1280 px');
  await page.screenshot({ path: join(shots, 'admin-mail-1280.png'), fullPage: true });
  await page.context().close();
});

// What the page shows of failed attempts, without waiting a day for a real one to be given up.
const FAILING = {
  configured: false, pending: 2, failed: 1, sent_24h: 0,
  recent_failures: [
    { id: 7, to: 'dora.neu@lra.example', subject: 'Neue Sprachnachricht von 0931 4711', error: 'Keine Verbindung zum Mailserver mail.lra.example:587: Connection refused (os error 111)',
      attempts: 3, state: 'pending', queued_at: '2026-12-06T09:00:00Z', last_attempt_at: '2026-12-06T09:07:00Z', next_attempt_at: '2026-12-06T09:15:00Z' },
    { id: 5, to: 'carl.clerk@lra.example', subject: 'Neue Sprachnachricht von +49 151 5550123', error: 'Der Mailserver lehnt ab: 550 5.1.1 <carl.clerk@lra.example>: Recipient address rejected: User unknown in virtual mailbox table',
      attempts: 1, state: 'failed', queued_at: '2026-12-06T08:00:00Z', last_attempt_at: '2026-12-06T08:00:01Z', next_attempt_at: null },
    { id: 9, to: 'baerbel.boehm@lra.example', subject: 'Testnachricht von Durchwahl', error: 'SMTP ist nicht eingerichtet',
      attempts: 0, state: 'pending', queued_at: '2026-12-06T10:00:00Z', last_attempt_at: null, next_attempt_at: '2026-12-06T10:00:00Z' },
  ],
};

function rows(page) {
  return page.locator('#mail-failures tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));
}

test('failed attempts: reasons, next try, given up, never tried, no mail server, English, 375 px, axe', async () => {
  const context = await browser.newContext({ viewport: { width: 375, height: 800 }, timezoneId: 'Europe/Berlin' });
  const page = await open(375, 'a.admin', context);
  await page.route('**/api/v1/admin/mail', (route) => route.fulfill({ json: FAILING }));
  await page.goto(`${server.url}/#/admin/mail`);
  await page.locator('#mail-failures tbody tr').nth(2).waitFor();
  assert.match(await page.locator('#mail-off').textContent(), /^Es ist kein Mailserver eingerichtet: .*durchwahl\.toml.*\[smtp\].*docs\/mail\.md\.$/);
  assert.deepEqual(await countTexts(page), [
    ['pending', '2 warten auf den Versand'], ['failed', '1 aufgegeben (letzte 30 Tage)'], ['sent_24h', '0 in den letzten 24 Stunden gesendet']]);
  const table = page.getByRole('table', { name: 'Die letzten fehlgeschlagenen Versuche, der neueste zuerst' });
  assert.deepEqual(await table.locator('thead th').evaluateAll((ths) => ths.map((th) => [th.textContent, th.getAttribute('scope')])),
    [['Empfänger', 'col'], ['Betreff', 'col'], ['Grund', 'col'], ['Versuche', 'col'], ['Zuletzt', 'col'], ['Stand', 'col']]);
  const [pending, failed, held] = await rows(page);
  assert.deepEqual(pending, ['dora.neu@lra.example', 'Neue Sprachnachricht von 0931 4711', FAILING.recent_failures[0].error, '3',
    '06.12.2026, 10:07:00', '↻ Wird wiederholtnächster Versuch: 06.12.2026, 10:15:00']);
  assert.deepEqual(failed.slice(3), ['1', '06.12.2026, 09:00:01', '✕ Aufgegeben']);
  assert.equal(failed[2], FAILING.recent_failures[1].error);
  assert.deepEqual([held[2], held[3], held[4]], ['SMTP ist nicht eingerichtet', '0', 'noch nicht versucht']);
  // The symbols are decoration; the reasons are the server's German.
  assert.equal(await table.locator('.symbol:not([aria-hidden="true"])').count(), 0);
  assert.equal(await table.locator('td.mail-error [lang="de"]').count(), 3);
  const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(widths[0] <= widths[1], `the page is ${widths[0]} px wide at ${widths[1]}`);
  assert.deepEqual(await violations(page), [], 'failed attempts at 375 px');
  await page.screenshot({ path: join(shots, 'admin-mail-375.png'), fullPage: true });

  await page.locator('#lang-select').selectOption('en');
  await page.getByRole('heading', { level: 1, name: 'Outgoing e-mail' }).waitFor();
  await page.getByRole('table', { name: 'The latest failed attempts, newest first' }).locator('tbody tr').nth(2).waitFor();
  const [en, enFailed] = await rows(page);
  assert.equal(en[5], '↻ Will be retriednext attempt: 6 Dec 2026, 10:15:00');
  assert.equal(enFailed[5], '✕ Given up');
  assert.equal(en[2], FAILING.recent_failures[0].error, 'the reason stays as the server gave it');
  assert.match(await page.locator('#mail-off').textContent(), /^No mail server is configured/);
  assert.deepEqual(await violations(page), [], 'in English');
  await page.locator('#lang-select').selectOption('de');
  await context.close();
});

test('the page refreshes every 30 seconds until it is left; clerks do not see it', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, timezoneId: 'Europe/Berlin' });
  await context.clock.install();
  const page = await open(1280, 'a.admin', context);
  let loads = 0;
  await page.route('**/api/v1/admin/mail', (route) => { loads += 1; route.fulfill({ json: { ...FAILING, configured: true, pending: loads } }); });
  await page.getByRole('link', { name: 'E-Mail-Versand' }).click();
  const pendingCount = page.locator('#mail-counts li[data-count="pending"]');
  await pendingCount.filter({ hasText: '1 wartet auf den Versand' }).waitFor();
  assert.equal(await page.locator('#mail-off').count(), 0);
  await page.clock.fastForward(30000);
  await pendingCount.filter({ hasText: '2 warten auf den Versand' }).waitFor();
  assert.equal(loads, 2, 'one refresh after 30 seconds');
  await page.getByRole('link', { name: 'Team', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Teamübersicht' }).waitFor();
  const before = loads;
  await page.clock.fastForward(65000);
  await page.waitForTimeout(500);
  assert.equal(loads, before, 'no refresh once the page is left');
  await context.close();

  const clerk = await open(1280, 'c.clerk');
  assert.equal(await clerk.getByRole('link', { name: 'E-Mail-Versand' }).count(), 0);
  await clerk.goto(`${server.url}/#/admin/mail`);
  await clerk.getByRole('heading', { level: 1, name: 'Teamübersicht' }).waitFor();
  await clerk.context().close();
});
