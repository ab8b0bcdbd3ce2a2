// The admin page of the directory sync ("Verzeichnis (LDAP)", #/admin/directory) in
// Debian's Chromium, against a server that follows a real OpenLDAP: testkit's
// slapd_fixture example (Debian's slapd with 40 generated people, AD-like attributes,
// TLS from a test CA), built here by cargo and started as a child process. The start
// sync in the table, the settings, the preview by keyboard, a report's lines, the guard
// stopping a sync that would disable too many and "apply anyway" after a confirmation,
// English, the directory gone (a clear error, logged as failed), a server without
// [directory.ldap], axe, and screenshots at 1280 and 375 px (tests/browser/screenshots/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { startServer, startBrowser, signInOn, violations, buildExample } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const shots = join(here, 'screenshots');
const PEOPLE = 40;
const PEOPLE_DN = 'ou=Benutzer,dc=landkreis,dc=test';
let server; let browser; let fixture; let ldap;


// Starts slapd with `people` generated people; resolves to the shell variables it prints
// (LDAPS_URL, LDAP_CA_FILE, LDAP_BIND_DN, …) once it says READY.
function startFixture(bin, people) {
  fixture = spawn(bin, [String(people)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const vars = {};
    createInterface({ input: fixture.stdout }).on('line', (line) => {
      const m = /^(\w+)='(.*)'$/.exec(line);
      if (m) vars[m[1]] = m[2];
      if (line === 'READY') resolve(vars);
    });
    fixture.once('error', (e) => reject(new Error(`slapd_fixture: ${e.message}`)));
    fixture.once('exit', (code) => reject(new Error(`slapd_fixture exited with ${code} (scripts/test installs slapd)`)));
  });
}

async function stopFixture() {
  if (!fixture || fixture.exitCode !== null) return;
  const exited = new Promise((r) => fixture.once('exit', r));
  fixture.kill('SIGTERM');
  await exited;
}

// An ldap-utils client as the directory's administrator; its output.
function ldapTool(tool, args, input = '') {
  const r = spawnSync(tool, ['-x', '-H', ldap.LDAP_URL, '-D', ldap.LDAP_ADMIN_DN, '-w', ldap.LDAP_ADMIN_PASSWORD, ...args], { input, encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`${tool}: ${r.error ?? r.stderr}`);
  return r.stdout;
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  ldap = await startFixture(buildExample('slapd_fixture'), PEOPLE);
  const config = `
[directory.ldap]
url = "${ldap.LDAPS_URL}"
ca_file = "${ldap.LDAP_CA_FILE}"
bind_dn = "${ldap.LDAP_BIND_DN}"
bind_password = "${ldap.LDAP_BIND_PASSWORD}"
base_dn = "${PEOPLE_DN}"
user_filter = "(objectClass=inetOrgPerson)"
interval_minutes = 0
timeout_seconds = 5
change_attribute = "modifyTimestamp"

[directory.ldap.mapping]
id_attribute = "entryUUID"
`;
  server = await startServer('', null, { config });
  browser = await startBrowser();
});
after(async () => { await browser?.close(); await server?.stop(); await stopFixture(); });

async function open(width, login = 'a.admin', on = server) {
  const context = await browser.newContext({ viewport: { width, height: 800 }, timezoneId: 'Europe/Berlin' });
  const page = await context.newPage();
  page.on('pageerror', (e) => { throw e; });
  await signInOn(page, on, login);
  return page;
}

// The runs as the API has them once the sync at start has been logged (it runs beside
// the server's start).
async function runsAfterStart(page) {
  for (let i = 0; i < 100; i += 1) {
    const r = await page.request.get(`${server.url}/api/v1/admin/directory`);
    const runs = (await r.json()).runs;
    if (runs.some((run) => run.trigger === 'start')) return runs;
    await page.waitForTimeout(200);
  }
  throw new Error('the sync at start was not logged within 20 s');
}

// The cells of each run's row, the row's header first.
function runRows(page) {
  return page.locator('#dir-runs tbody tr[data-outcome]').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent.trim())));
}

const SETTINGS = [
  ['Server', null],
  ['Suchbasis (Base DN)', PEOPLE_DN],
  ['Filter für Personen', '(objectClass=inetOrgPerson)'],
  ['Abgleich', 'nur beim Serverstart und auf Knopfdruck'],
  ['Schutzgrenze', '10 % (ein Abgleich, der mehr Personen deaktivieren würde, hält an und wartet auf Bestätigung)'],
  ['Anmeldung mit dem Verzeichnis-Passwort', 'ja'],
];

test('the start sync in the table, the settings, a preview by keyboard, axe, screenshot at 1280', async () => {
  const page = await open(1280);
  const runs = await runsAfterStart(page);
  assert.equal(runs.length, 1);
  assert.equal(runs[0].outcome, 'applied', runs[0].lines.join('\n'));
  assert.equal(runs[0].added, PEOPLE);
  assert.equal(runs[0].problems, 0, runs[0].lines.join('\n'));

  // The keyboard reaches "Verzeichnis (LDAP)" in the navigation from the top of the page.
  await page.locator('#skip').focus();
  let reached = false;
  for (let i = 0; i < 40 && !reached; i += 1) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.getAttribute('href') === '#/admin/directory');
  }
  assert.ok(reached, 'Tab reaches the link "Verzeichnis (LDAP)"');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Verzeichnis (LDAP)');
  await page.keyboard.press('Enter');
  const heading = page.getByRole('heading', { level: 1, name: 'Verzeichnis (LDAP)' });
  await heading.waitFor();
  assert.equal(await heading.evaluate((el) => el === document.activeElement), true, 'the focus is on the heading');
  assert.equal(await page.title(), 'Verzeichnis (LDAP) – Durchwahl');
  assert.deepEqual(await page.locator('#main').getByRole('heading').evaluateAll((hs) => hs.map((el) => `${el.tagName} ${el.textContent}`)),
    ['H1 Verzeichnis (LDAP)', 'H2 Einstellungen', 'H2 Abgleichen', 'H2 Letzte Abgleiche']);

  // The settings, the server's URL as configured.
  const settings = await page.locator('#dir-settings').evaluate((dl) => [...dl.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling.textContent]));
  SETTINGS[0][1] = ldap.LDAPS_URL;
  assert.deepEqual(settings, SETTINGS);

  // The start sync: a row in German words, the time in German local format.
  const table = page.getByRole('table', { name: 'Die letzten Abgleiche mit dem Verzeichnis, der neueste zuerst' });
  // (The heads of the counts may break at soft hyphens: they are left out here.)
  assert.deepEqual(await table.locator('thead th').evaluateAll((ths) => ths.map((th) => [th.textContent.replaceAll('\u00AD', ''), th.getAttribute('scope')])),
    [['Beginn', 'col'], ['Auslöser', 'col'], ['Art', 'col'], ['Ergebnis', 'col'], ['Hinzugefügt', 'col'], ['Geändert', 'col'],
      ['Deaktiviert', 'col'], ['Wieder aktiviert', 'col'], ['Probleme', 'col']]);
  const [start] = await runRows(page);
  assert.deepEqual(start.slice(1), ['Serverstart', 'vollständig', '✓ angewendet', String(PEOPLE), '0', '0', '0', '0']);
  const started = table.locator('tbody tr[data-outcome] time').first();
  const iso = await started.getAttribute('datetime');
  assert.equal(await started.textContent(), new Date(iso).toLocaleString('de-DE', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'Europe/Berlin' }));
  assert.match(await started.textContent(), /^\d\d\.\d\d\.\d{4}, \d\d:\d\d:\d\d$/);
  const age = Date.now() - Date.parse(iso);
  assert.ok(age >= -60000 && age < 10 * 60000, `the start sync began at ${iso}`);
  assert.match(start[0], /Dauer: \d+ s$/);
  // Its report folds out: a line per person added, in a box of its own that scrolls.
  const summary = table.locator('summary').first();
  assert.match(await summary.textContent(), /^Bericht \(\d+ Zeilen\) des Abgleichs vom \d\d\.\d\d\.\d{4}, \d\d:\d\d:\d\d$/);
  const lines = table.getByRole('region', { name: /^Bericht des Abgleichs vom / });
  assert.equal(await lines.isVisible(), false, 'the report is folded until asked for');
  await summary.click();
  await lines.waitFor();
  const added = await lines.locator('li').evaluateAll((lis) => lis.map((li) => li.textContent).filter((l) => l.startsWith('add: ')));
  assert.equal(added.length, PEOPLE);
  assert.match(added[0], /^add: [a-z]+\d+ \([^,]+, \d{4}, [^)]+\)$/);
  assert.ok(await lines.evaluate((el) => el.scrollHeight > el.clientHeight), 'the report scrolls inside its box');
  await summary.click();

  // The keyboard: from the heading, Tab reaches the preview, Enter runs it, the result
  // is said in the live region and the focus stays on the button.
  await heading.focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'dir-dry-run');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Vorschau (nichts ändern)');
  await page.keyboard.press('Enter');
  const status = page.locator('#dir-status');
  await status.filter({ hasText: /^Ergebnis: Vorschau\./ }).waitFor();
  assert.equal(await status.getAttribute('role'), 'status');
  assert.equal(await status.textContent(), 'Ergebnis: Vorschau. 0 hinzugefügt, 0 geändert, 0 deaktiviert, 0 wieder aktiviert, 0 Probleme.');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'dir-dry-run', 'the focus stays on the button');
  assert.equal(await page.locator('#dir-result h3').textContent(), 'Ergebnis: Vorschau');
  assert.deepEqual(await page.locator('#dir-result .dir-counts li').allTextContents(),
    ['0 hinzugefügt', '0 geändert', '0 deaktiviert', '0 wieder aktiviert', '0 Probleme']);
  assert.equal(await page.locator('#dir-result .dir-no-lines').textContent(), 'Keine Änderungen und keine Probleme.');
  // The preview is logged, newest first.
  await page.locator('#dir-runs tbody tr[data-outcome]').nth(1).waitFor();
  const [preview] = await runRows(page);
  assert.deepEqual(preview.slice(1), ['Verwaltung', 'vollständig', '◇ Vorschau', '0', '0', '0', '0', '0']);
  // Tab on: the sync button, which works with Enter too (nothing to change).
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'dir-sync');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Jetzt abgleichen');
  await page.keyboard.press('Enter');
  await status.filter({ hasText: /^Ergebnis: angewendet\. 0 hinzugefügt/ }).waitFor();
  await page.locator('#dir-runs tbody tr[data-outcome]').nth(2).waitFor();
  assert.equal(await page.locator('#dir-runs .dir-outcome').evaluateAll((os) => os.map((o) => o.textContent).join(' | ')),
    '✓ angewendet | ◇ Vorschau | ✓ angewendet');
  // The symbols are decoration: a screen reader hears the words only.
  assert.equal(await page.locator('#main .symbol:not([aria-hidden="true"])').count(), 0);

  // The result of a sync that changed something: counts and lines.
  await page.locator('#dir-dry-run').click();
  await status.filter({ hasText: /^Ergebnis: Vorschau\./ }).waitFor();
  await page.locator('#dir-runs tbody tr[data-outcome]').nth(3).waitFor();
  await table.locator('summary').last().click();
  const region = page.getByRole('region', { name: 'Letzte Abgleiche' });
  const [wide, room] = await region.evaluate((el) => [el.scrollWidth, el.clientWidth]);
  assert.ok(wide <= room, `at 1280 px the table fits beside the phone (${wide} px in ${room})`);
  assert.deepEqual(await violations(page), [], 'directory page at 1280 px');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(shots, 'admin-directory-1280.png'), fullPage: true });
  await page.context().close();
});

test('at 375 px nothing widens the page, the table scrolls in its own region, and axe passes', async () => {
  const page = await open(375);
  await page.goto(`${server.url}/#/admin/directory`);
  await page.locator('#dir-runs tbody tr').first().waitFor();
  await page.locator('#dir-dry-run').click();
  await page.locator('#dir-status').filter({ hasText: /^Ergebnis: Vorschau\./ }).waitFor();
  await page.locator('#dir-runs summary').last().click();
  const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(widths[0] <= widths[1], `the page is ${widths[0]} px wide at ${widths[1]}`);
  const region = page.getByRole('region', { name: 'Letzte Abgleiche' });
  assert.equal(await region.getAttribute('tabindex'), '0');
  assert.ok(await region.evaluate((el) => el.scrollWidth > el.clientWidth), 'the table scrolls sideways in its region');
  // The buttons fit side by side or one under the other, never cut off.
  for (const id of ['dir-dry-run', 'dir-sync', 'dir-runs-refresh']) {
    const box = await page.locator(`#${id}`).boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= 375, `#${id} is inside the screen`);
  }
  assert.deepEqual(await violations(page), [], 'directory page at 375 px');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(shots, 'admin-directory-375.png'), fullPage: true });
  await page.context().close();
});

test('a sync that would disable too many stops with a warning; "Trotzdem anwenden" asks, then applies', async () => {
  // Six of the 40 people are disabled in the directory (AD's userAccountControl 514):
  // more than 10 % of everyone.
  const dns = ldapTool('ldapsearch', ['-LLL', '-o', 'ldif-wrap=no', '-b', PEOPLE_DN, '(objectClass=inetOrgPerson)', 'dn'])
    .split('\n').filter((l) => l.startsWith('dn: ')).map((l) => l.slice(4)).sort().slice(0, 6);
  assert.equal(dns.length, 6);
  ldapTool('ldapmodify', [], dns.map((dn) => `dn: ${dn}\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: 514\n-\n`).join('\n'));

  const page = await open(1280);
  await page.goto(`${server.url}/#/admin/directory`);
  await page.locator('#dir-runs tbody tr').first().waitFor();
  await page.locator('#dir-sync').click();
  const guard = page.locator('#dir-guard');
  await guard.waitFor();
  assert.equal(await guard.getAttribute('role'), 'alert');
  assert.equal(await guard.textContent(),
    'Angehalten: Dieser Abgleich würde 6 Personen deaktivieren, mehr als die Schutzgrenze von 10 %. Es wurde nichts geändert.'
    + 'Bitte zuerst den Filter prüfen. Ist er richtig, lässt sich der Abgleich trotzdem anwenden.');
  assert.equal(await page.locator('#dir-result h3').textContent(), 'Ergebnis: angehalten (Schutzgrenze)');
  assert.equal(await page.locator('#dir-result [data-count="disabled"]').textContent(), '6 deaktiviert');
  assert.match(await page.locator('#dir-result .dir-lines li').first().textContent(), /^STOPPED: the sync would disable 6 of \d+ people/);
  await page.locator('#dir-runs tbody tr[data-outcome="guard"]').first().waitFor();
  const [stopped] = await runRows(page);
  assert.deepEqual(stopped.slice(1), ['Verwaltung', 'vollständig', '⚠ angehalten (Schutzgrenze)', '0', '0', '6', '0', '0']);
  assert.deepEqual(await violations(page), [], 'the guard\'s warning');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(shots, 'admin-directory-guard-1280.png'), fullPage: true });

  // "Trotzdem anwenden" asks first; cancelled, nothing happens.
  const apply = page.getByRole('button', { name: 'Trotzdem anwenden' });
  let asked = null;
  page.once('dialog', (d) => { asked = d.message(); d.dismiss(); });
  let posts = 0;
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/v1/admin/directory/sync')) posts += 1; });
  await apply.click();
  await page.waitForTimeout(300);
  assert.equal(asked, 'Wirklich abgleichen und dabei 6 Personen deaktivieren? Ihre Sitzungen enden und ihre Geräte melden sich ab.');
  assert.equal(posts, 0, 'cancelled: nothing is sent');
  // By keyboard, confirmed: applied, and the focus moves on to the new result.
  page.once('dialog', (d) => d.accept());
  await apply.focus();
  await page.keyboard.press('Enter');
  await page.locator('#dir-status').filter({ hasText: 'Ergebnis: angewendet. 0 hinzugefügt, 0 geändert, 6 deaktiviert, 0 wieder aktiviert, 0 Probleme.' }).waitFor();
  assert.equal(posts, 1);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'dir-result-heading');
  assert.equal(await page.locator('#dir-guard').count(), 0);
  const disabledLines = await page.locator('#dir-result .dir-lines li').allTextContents();
  assert.equal(disabledLines.filter((l) => /^disable: \S+ \(no longer in the directory\)$/.test(l)).length, 6, disabledLines.join('\n'));
  await page.locator('#dir-runs tbody tr[data-outcome="applied"]').first().waitFor();
  const [applied] = await runRows(page);
  assert.deepEqual(applied.slice(1), ['Verwaltung', 'vollständig', '✓ angewendet', '0', '0', '6', '0', '0']);

  // English.
  await page.locator('#lang-select').selectOption('en');
  await page.getByRole('heading', { level: 1, name: 'Directory (LDAP)' }).waitFor();
  await page.getByRole('table', { name: 'The latest syncs with the directory, newest first' }).waitFor();
  const english = await runRows(page);
  assert.deepEqual(english.slice(0, 2).map((r) => r.slice(1, 4)),
    [['Administration', 'full', '✓ applied'], ['Administration', 'full', '⚠ stopped (safety limit)']]);
  assert.deepEqual(english.at(-1).slice(1, 4), ['Server start', 'full', '✓ applied']);
  assert.match(english[0][0], /^\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d:\d\dTook \d+ s$/);
  assert.equal(await page.getByRole('button', { name: 'Preview (change nothing)' }).count(), 1);
  assert.equal(await page.getByRole('button', { name: 'Sync now' }).count(), 1);
  await page.locator('#lang-select').selectOption('de');
  await page.context().close();
});

test('the directory gone: a clear error, nothing hangs, the failure is logged', async () => {
  await stopFixture();
  const page = await open(1280);
  await page.goto(`${server.url}/#/admin/directory`);
  await page.locator('#dir-runs tbody tr').first().waitFor();
  const before = await page.locator('#dir-runs tbody tr[data-outcome]').count();
  // While the request runs, the page says so and a second click sends nothing.
  let posts = 0;
  await page.route('**/api/v1/admin/directory/sync', async (route) => {
    posts += 1;
    await new Promise((r) => setTimeout(r, 500));
    await route.continue();
  });
  const started = Date.now();
  await page.locator('#dir-dry-run').click();
  await page.locator('#dir-status').filter({ hasText: 'Vorschau läuft …' }).waitFor();
  assert.equal(await page.locator('#dir-status').isVisible(), true, '"running" shows beside the buttons');
  assert.equal(await page.locator('#dir-sync').getAttribute('aria-disabled'), 'true');
  // (Forced: Playwright would wait for aria-disabled to go.)
  await page.locator('#dir-sync').click({ force: true });
  const error = page.locator('#main .error');
  await error.filter({ hasText: /^Das Verzeichnis ist nicht erreichbar; es wurde nichts geändert\. \(.+\)$/ }).waitFor({ timeout: 15000 });
  assert.ok(Date.now() - started < 12000, 'within the configured timeout');
  assert.equal(await error.getAttribute('role'), 'alert');
  assert.equal(await page.locator('#dir-status').textContent(), '');
  assert.equal(posts, 1, 'one request for two clicks');
  assert.equal(await page.locator('#dir-sync').getAttribute('aria-disabled'), 'false');
  await page.locator('#dir-runs tbody tr[data-outcome]').nth(before).waitFor();
  const [failed] = await runRows(page);
  assert.equal(failed[3], '✕ fehlgeschlagen');
  assert.deepEqual(await violations(page), [], 'the directory unreachable');
  await page.context().close();
});

test('without [directory.ldap] the page says how to turn it on; clerks do not see it', async () => {
  const plain = await startServer();
  try {
    const page = await open(1280, 'a.admin', plain);
    await page.getByRole('link', { name: 'Verzeichnis (LDAP)' }).click();
    const none = page.locator('#dir-none');
    await none.waitFor();
    assert.match(await none.textContent(), /^Es ist kein Verzeichnis eingerichtet\..*durchwahl\.toml.*\[directory\.ldap\].*docs\/directory-sync\.md/);
    assert.equal(await page.locator('#dir-dry-run').count(), 0);
    assert.equal(await page.locator('#dir-settings').count(), 0);
    assert.equal(await page.locator('#dir-runs').count(), 0);
    assert.deepEqual(await violations(page), [], 'no directory');
    await page.context().close();

    const clerk = await open(1280, 'c.clerk', plain);
    assert.equal(await clerk.getByRole('link', { name: 'Verzeichnis (LDAP)' }).count(), 0);
    await clerk.goto(`${plain.url}/#/admin/directory`);
    await clerk.getByRole('heading', { level: 1, name: 'Teamübersicht' }).waitFor();
    await clerk.context().close();
  } finally {
    await plain.stop();
  }
});
