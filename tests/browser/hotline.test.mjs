// The citizen hotline in the web client (issue 16) in Debian's Chromium against the real
// server: the administrator sets up "Bürgertelefon Gesundheitsamt" on the admin page
// (a bad day of opening hours refused and marked on its field, a taken extension said);
// the agent Bärbel (b.user) logs in on the agent panel, pauses with a reason and resumes
// while the supervisor Dora (d.new) watches the wallboard change without a reload; Dora
// calls the hotline from her browser: she waits on the board, Bärbel's phone rings with
// the hotline's name, the call is answered, hung up, and the wrap-up ended early; the TV
// view, the report with its CSV file, English, who may see what, axe, and screenshots at
// 1280 and 375 px (tests/browser/screenshots/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, startBrowser, signInOn, violations } from './harness.mjs';
import { toneWav, phoneArgs, callState } from './call_audio.mjs';

const shots = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
const NAME = 'Bürgertelefon Gesundheitsamt';
let server; let browser; let dir;
let hotline = null; // the id of the hotline set up in the first test
const sessions = new Map(); // login → storage state: one sign-in per person (the sign-in throttle)

before(async () => {
  mkdirSync(shots, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'durchwahl-hotline-'));
  server = await startServer();
  browser = await startBrowser(phoneArgs(toneWav(join(dir, 'tone.wav'), 440)));
});
after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// A page of a fresh browser context signed in as `login` (signing in only the first time);
// `watch(page)` runs before it loads anything.
async function open(login, width = 1280, watch = null) {
  const context = await browser.newContext({ viewport: { width, height: 800 }, timezoneId: 'Europe/Berlin', storageState: sessions.get(login) });
  const page = await context.newPage();
  page.on('pageerror', (e) => { throw e; });
  if (watch) watch(page);
  if (sessions.has(login)) {
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { level: 1, name: 'Teamübersicht' }).waitFor();
  } else {
    await signInOn(page, server, login);
    sessions.set(login, await context.storageState());
  }
  return page;
}

async function visit(page, hash, heading) {
  await page.goto(`${server.url}/#${hash}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

async function shot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(shots, name), fullPage: true });
}

function fitsWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

const state = (page, value) => page.locator(`[data-testid="hotline-state"][data-state="${value}"]`).waitFor({ timeout: 15000 });
const boardAgent = (page, name) => page.getByTestId('wallboard-agents').locator('li[data-agent]').filter({ hasText: name });

test('the admin sets up a hotline; a bad field is marked on its input, a taken extension is said', async () => {
  const admin = await open('a.admin');
  await admin.getByRole('navigation').getByRole('link', { name: 'Hotlines', exact: true }).click();
  await admin.getByRole('heading', { level: 1, name: 'Hotlines' }).waitFor();
  await admin.locator('#hl-admin-none').waitFor();
  const form = admin.locator('#hl-new-form');
  await form.getByLabel('Name', { exact: true }).fill(NAME);
  await form.getByLabel('Durchwahl', { exact: true }).fill('2900');
  await form.getByLabel('Direkte Nummer von außen (freiwillig)').fill('+49 9321 928-2900');
  await form.getByLabel('Montag').fill('08:00-12:00, 13:00-16:00');
  await form.getByLabel('Dienstag').fill('8-12');
  await form.getByLabel('Name der Warteschlange').fill('Allgemeine Fragen');
  await form.getByLabel('Verteilung').selectOption('longest_idle');
  await form.getByLabel('Agentinnen und Agenten').fill('b.user');
  await form.getByLabel('Supervisoren').fill('d.new');
  await form.getByRole('button', { name: 'Hotline einrichten' }).click();

  // The server's 400 names hours.1: Tuesday's field, and only it, is marked and described.
  const tuesday = form.getByLabel('Dienstag');
  await admin.locator('#hl-new-hours-1[aria-invalid="true"]').waitFor();
  assert.equal(await form.locator('[aria-invalid="true"]').count(), 1, 'only the refused field is marked');
  assert.match(await admin.locator('#hl-new-hours-1-error').textContent(), /^Die Öffnungszeiten am Dienstag bitte wie „08:00-12:00, 13:00-16:00“/);
  assert.equal(await tuesday.getAttribute('aria-describedby'), 'hl-new-hours-1-error');
  assert.equal(await tuesday.evaluate((el) => el === document.activeElement), true, 'the refused field has the focus');
  assert.equal(await admin.locator('#hl-admin-none').count(), 1, 'nothing was set up');
  assert.deepEqual(await violations(admin), [], 'admin page with a refused field');
  await shot(admin, 'hotline-admin-error-1280.png');

  // Always open (no hours at all), so the call below is answered whatever the day.
  await form.getByLabel('Montag').fill('');
  await tuesday.fill('');
  await form.getByRole('button', { name: 'Hotline einrichten' }).click();
  await admin.locator('#hl-new-done').filter({ hasText: `Die Hotline „${NAME}“ ist eingerichtet und unter 2900 erreichbar.` }).waitFor();
  assert.equal(await tuesday.getAttribute('aria-invalid'), null, 'the mark is gone');
  const row = admin.locator('#hl-admin-table tbody tr').filter({ hasText: NAME });
  await row.waitFor();
  hotline = Number(await row.getAttribute('data-hotline'));
  assert.ok(hotline > 0);
  assert.deepEqual(await row.locator('th, td').evaluateAll((cells) => cells.slice(0, 6).map((c) => c.textContent)),
    [NAME, '2900', '+49 9321 928-2900', 'Allgemeine FragenAm längsten frei', '1', '1']);

  // The same extension again: 409, said above the button, the extension marked.
  await form.getByLabel('Name', { exact: true }).fill('Ausländerbehörde');
  await form.getByLabel('Durchwahl', { exact: true }).fill('2900');
  await form.getByLabel('Feiertage').selectOption('BY');
  await form.getByLabel('Freitag').fill('08:00-12:00');
  await form.getByLabel('Name der Warteschlange').fill('Aufenthalt');
  await form.getByRole('button', { name: 'Hotline einrichten' }).click();
  await admin.locator('#hl-new-error').filter({ hasText: 'Nicht eingerichtet: Die Durchwahl 2900 ist schon vergeben.' }).waitFor();
  assert.equal(await form.getByLabel('Durchwahl', { exact: true }).getAttribute('aria-invalid'), 'true');
  // An unknown supervisor is marked on the supervisors' field (the server says "agents").
  await form.getByLabel('Durchwahl', { exact: true }).fill('2901');
  await form.getByLabel('Supervisoren').fill('x.niemand');
  await form.getByRole('button', { name: 'Hotline einrichten' }).click();
  await admin.locator('#hl-new-supervisors[aria-invalid="true"]').waitFor();
  assert.equal(await admin.locator('#hl-new-supervisors-error').textContent(), '„x.niemand“ ist nicht im Verzeichnis. Bitte den Benutzernamen prüfen.');
  await form.getByLabel('Supervisoren').fill('d.new');
  await form.getByRole('button', { name: 'Hotline einrichten' }).click();
  await admin.locator('#hl-admin-table tbody tr').filter({ hasText: 'Ausländerbehörde' }).waitFor();
  assert.equal(await admin.locator('#hl-admin-table tbody tr').count(), 2);
  await shot(admin, 'hotline-admin-1280.png');
  await admin.context().close();

  const narrow = await open('a.admin', 375);
  await visit(narrow, '/admin/hotlines', 'Hotlines');
  await narrow.locator('#hl-admin-table').waitFor();
  assert.ok(await fitsWidth(narrow), 'admin page at 375 px');
  assert.deepEqual(await violations(narrow), [], 'admin page at 375 px');
  await shot(narrow, 'hotline-admin-375.png');
  await narrow.context().close();
});

test('an agent logs in, pauses with a reason and resumes; the wallboard follows live', async () => {
  assert.ok(hotline, 'set up by the first test');
  const boardFetches = [];
  const frames = [];
  const supervisor = await open('d.new', 1280, (page) => {
    page.on('request', (r) => { if (r.url().endsWith(`/api/v1/hotlines/${hotline}/board`)) boardFetches.push(Date.now()); });
    page.on('websocket', (ws) => ws.on('framereceived', (f) => {
      if (typeof f.payload === 'string' && f.payload.includes('"queue.board"')) frames.push(JSON.parse(f.payload));
    }));
  });
  await supervisor.getByRole('navigation').getByRole('link', { name: 'Hotline', exact: true }).click();
  await supervisor.getByRole('link', { name: `Wandtafel von ${NAME}` }).click();
  await supervisor.getByRole('heading', { level: 1, name: `Wandtafel: ${NAME}` }).waitFor();
  assert.match(await supervisor.getByTestId('wallboard-waiting').textContent(), /^Wartende Anrufe0/);
  assert.match(await supervisor.getByTestId('wallboard-longest').textContent(), /^Längste Wartezeit–/);
  assert.match(await supervisor.getByTestId('wallboard-sl').textContent(), /^Servicelevel heute–/);
  await supervisor.getByTestId('wallboard-agents').getByText('Zurzeit ist niemand angemeldet.').waitFor();
  await supervisor.evaluate(() => { window.__sameBoard = true; });

  const agent = await open('b.user');
  await agent.getByRole('navigation').getByRole('link', { name: 'Hotline', exact: true }).click();
  await agent.getByRole('heading', { level: 1, name: 'Hotline' }).waitFor();
  await state(agent, 'logged_out');
  assert.equal(await agent.getByTestId('hotline-chip').textContent(), 'Hotline: ○ Abgemeldet');
  assert.equal(await agent.getByRole('link', { name: /^Wandtafel/ }).count(), 0, 'agents see no wallboard');

  await agent.getByTestId('hotline-login').click();
  await state(agent, 'ready');
  assert.equal(await agent.getByTestId('hotline-state').textContent(), '● Bereit');
  assert.equal(await agent.getByTestId('hotline-chip').textContent(), 'Hotline: ● Bereit');
  await boardAgent(supervisor, 'Bärbel Böhm').and(supervisor.locator('[data-state="ready"]')).waitFor();
  assert.match(await supervisor.getByTestId('wallboard-ready').textContent(), /1 von 1/);

  // Pause with a reason from the list: the focus goes on to "Weiter".
  await agent.getByLabel('Grund der Pause').selectOption('Schulung');
  await agent.getByTestId('hotline-pause').click();
  await state(agent, 'paused');
  assert.equal(await agent.getByTestId('hotline-state').textContent(), '‖ In Pause: Schulung');
  assert.equal(await agent.getByTestId('hotline-resume').evaluate((el) => el === document.activeElement), true);
  await agent.locator('#status').filter({ hasText: 'Hotline: In Pause: Schulung' }).waitFor();
  const paused = boardAgent(supervisor, 'Bärbel Böhm').and(supervisor.locator('[data-state="paused"]'));
  await paused.waitFor();
  assert.match(await paused.textContent(), /In Pause: Schulung/);
  assert.equal(await supervisor.getByTestId('wallboard-agents').locator('[data-count="paused"] strong').textContent(), '1');
  assert.deepEqual(await violations(agent), [], 'agent panel, paused');
  await shot(agent, 'hotline-agent-1280.png');

  await agent.getByTestId('hotline-resume').click();
  await state(agent, 'ready');
  await boardAgent(supervisor, 'Bärbel Böhm').and(supervisor.locator('[data-state="ready"]')).waitFor();
  // "Anderer Grund" without words: the server's 400 is said, nothing changes.
  await agent.getByLabel('Grund der Pause').selectOption('other');
  await agent.getByLabel('Anderer Grund (höchstens 60 Zeichen)').waitFor();
  await agent.getByTestId('hotline-pause').click();
  await agent.locator('#hl-agent-error').filter({ hasText: /Grund für die Pause/ }).waitFor();
  await state(agent, 'ready');
  await agent.getByLabel('Anderer Grund (höchstens 60 Zeichen)').fill('Arzttermin');
  await agent.getByTestId('hotline-pause').click();
  await state(agent, 'paused');
  assert.equal(await agent.getByTestId('hotline-state').textContent(), '‖ In Pause: Arzttermin');
  await agent.getByTestId('hotline-resume').click();
  await state(agent, 'ready');
  assert.deepEqual(await violations(supervisor), [], 'wallboard with an agent');
  await shot(supervisor, 'hotline-wallboard-1280.png');

  // Logging out in the agent's browser empties the board in the supervisor's, live.
  await agent.getByTestId('hotline-logout').click();
  await state(agent, 'logged_out');
  await supervisor.getByTestId('wallboard-agents').getByText('Zurzeit ist niemand angemeldet.').waitFor({ timeout: 5000 });
  assert.equal(await supervisor.evaluate(() => window.__sameBoard), true, 'no reload');
  assert.ok(frames.some((f) => f.hotline === hotline), 'queue.board frames of this hotline arrived');
  // Each change came as a frame and was fetched again, never twice within a second.
  const gaps = boardFetches.slice(1).map((at, i) => at - boardFetches[i]);
  assert.ok(boardFetches.length >= 3, `the board was fetched again (${boardFetches.length})`);
  assert.ok(gaps.slice(1).every((g) => g >= 900), `fetches at least a second apart: ${gaps.join(', ')}`);
  await agent.context().close();
  await supervisor.context().close();
});

test('a caller waits on the board, the agent is rung with the hotline\'s name, answers, wraps up', async () => {
  const agent = await open('b.user');
  await visit(agent, '/hotline', 'Hotline');
  await agent.getByTestId('hotline-login').click();
  await state(agent, 'ready');
  const supervisor = await open('d.new');
  await visit(supervisor, `/hotline/${hotline}/board`, `Wandtafel: ${NAME}`);
  // Dora calls the hotline from her own browser's phone.
  await supervisor.getByTestId('dial-input').fill('2900');
  await supervisor.getByTestId('dial-call').click();
  const incoming = agent.getByTestId('incoming-call');
  await incoming.waitFor({ timeout: 30000 });
  assert.equal(await agent.getByTestId('incoming-hotline').textContent(), `über ${NAME}`);
  await state(agent, 'ringing');
  await supervisor.getByTestId('wallboard-waiting').filter({ hasText: /^Wartende Anrufe1/ }).waitFor();
  const longest = supervisor.getByTestId('wallboard-longest').locator('[data-since]');
  const first = await longest.textContent();
  assert.match(first, /^0:\d\d$/);
  await supervisor.waitForFunction((was) => document.querySelector('[data-testid="wallboard-longest"] [data-since]')?.textContent !== was, first);
  await shot(agent, 'hotline-incoming-1280.png');

  await agent.getByTestId('call-answer').click();
  await callState(agent, 'connected', 20000);
  // Answering opens the case panel for the caller (hotline_cases.test.mjs); back to the panel.
  await agent.getByTestId('case-panel').waitFor();
  assert.equal(await agent.getByTestId('case-number').inputValue(), '2502');
  await visit(agent, '/hotline', 'Hotline');
  await state(agent, 'on_call');
  await supervisor.getByTestId('wallboard-waiting').filter({ hasText: /^Wartende Anrufe0/ }).waitFor();
  await boardAgent(supervisor, 'Bärbel Böhm').and(supervisor.locator('[data-state="on_call"]')).waitFor();
  await agent.getByTestId('call-hangup').click();
  await state(agent, 'wrap_up');
  assert.match(await agent.getByTestId('hotline-state').textContent(), /^✎ Nachbearbeitung · endet in 0:\d\d$/);
  await agent.getByTestId('hotline-end-wrap-up').click();
  await state(agent, 'ready');
  await supervisor.getByTestId('wallboard-handled').filter({ hasText: /Bearbeitet1/ }).waitFor({ timeout: 20000 });
  await agent.getByTestId('hotline-logout').click();
  await state(agent, 'logged_out');
  await agent.context().close();
  await supervisor.context().close();
});

test('the TV view: big numbers without navigation, in and out', async () => {
  const supervisor = await open('d.new');
  await visit(supervisor, `/hotline/${hotline}/board`, `Wandtafel: ${NAME}`);
  await supervisor.getByRole('button', { name: 'Vollbild (TV-Ansicht)' }).click();
  await supervisor.waitForFunction(() => location.hash.endsWith('/board?tv') && document.body.classList.contains('hl-tv'));
  await supervisor.getByTestId('wallboard-sl').waitFor();
  assert.equal(await supervisor.getByRole('banner').isVisible(), false, 'no header');
  assert.equal(await supervisor.getByRole('navigation').count(), 0, 'no navigation for screen readers either');
  const size = await supervisor.getByTestId('wallboard-waiting').locator('.hl-tile-value').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  assert.ok(size >= 56, `big numbers (${size} px)`);
  assert.deepEqual(await violations(supervisor), [], 'TV view');
  await shot(supervisor, 'hotline-tv-1280.png');
  await supervisor.getByRole('button', { name: 'TV-Ansicht verlassen' }).click();
  await supervisor.waitForFunction(() => !document.body.classList.contains('hl-tv') && location.hash.endsWith('/board'));
  assert.equal(await supervisor.getByRole('banner').isVisible(), true);
  await supervisor.context().close();
});

test('the report lists the queue for the last 7 days, with a CSV file', async () => {
  const supervisor = await open('d.new');
  await visit(supervisor, `/hotline/${hotline}/board`, `Wandtafel: ${NAME}`);
  await supervisor.getByRole('link', { name: 'Bericht' }).click();
  await supervisor.getByRole('heading', { level: 1, name: `Bericht: ${NAME}` }).waitFor();
  // Days as the page (in Berlin) counts them, whatever this process's time zone.
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' });
  const day = (back) => { const d = new Date(`${today}T12:00:00Z`); d.setUTCDate(d.getUTCDate() - back); return d.toISOString().slice(0, 10); };
  assert.equal(await supervisor.getByLabel('Vom').inputValue(), day(6));
  assert.equal(await supervisor.getByLabel('Bis einschließlich').inputValue(), day(0));
  const table = supervisor.locator('#hl-report-table');
  assert.deepEqual(await table.locator('thead th').allTextContents(), ['Allgemeine Fragen', 'Gesamt']);
  assert.deepEqual(await table.locator('tr[data-figure="offered"] td').allTextContents(), ['1', '1']);
  assert.deepEqual(await table.locator('tr[data-figure="answered"] td').allTextContents(), ['1', '1']);
  const href = await supervisor.getByRole('link', { name: 'CSV herunterladen' }).getAttribute('href');
  assert.equal(href, `/api/v1/hotlines/${hotline}/report?from=${day(6)}&to=${day(0)}&format=csv`);
  const csv = await supervisor.request.get(server.url + href);
  assert.equal(csv.status(), 200);
  assert.match(csv.headers()['content-type'], /^text\/csv/);
  assert.match(await csv.text(), /Allgemeine Fragen/);
  // The first day after the last: refused here, both fields marked.
  await supervisor.getByLabel('Vom').fill(day(0));
  await supervisor.getByLabel('Bis einschließlich').fill(day(1));
  await supervisor.getByRole('button', { name: 'Anzeigen' }).click();
  await supervisor.locator('#hl-report-error').filter({ hasText: 'Bitte zwei Tage angeben, den ersten zuerst.' }).waitFor();
  assert.equal(await supervisor.getByLabel('Vom').getAttribute('aria-invalid'), 'true');
  assert.deepEqual(await violations(supervisor), [], 'report');
  await supervisor.context().close();
});

test('at 375 px: agent panel, wallboard and TV view fit the width and pass axe', async () => {
  const agent = await open('b.user', 375);
  await visit(agent, '/hotline', 'Hotline');
  await state(agent, 'logged_out');
  await agent.getByTestId('hotline-login').click();
  await state(agent, 'ready');
  assert.ok(await fitsWidth(agent), 'agent panel at 375 px');
  assert.ok(await agent.getByTestId('hotline-pause').isVisible());
  assert.deepEqual(await violations(agent), [], 'agent panel at 375 px');
  await shot(agent, 'hotline-agent-375.png');
  const supervisor = await open('d.new', 375);
  await visit(supervisor, `/hotline/${hotline}/board`, `Wandtafel: ${NAME}`);
  await boardAgent(supervisor, 'Bärbel Böhm').waitFor();
  assert.ok(await fitsWidth(supervisor), 'wallboard at 375 px');
  assert.deepEqual(await violations(supervisor), [], 'wallboard at 375 px');
  await shot(supervisor, 'hotline-wallboard-375.png');
  await visit(supervisor, `/hotline/${hotline}/board?tv`, `Wandtafel: ${NAME}`);
  assert.ok(await fitsWidth(supervisor), 'TV view at 375 px');
  assert.deepEqual(await violations(supervisor), [], 'TV view at 375 px');
  await shot(supervisor, 'hotline-tv-375.png');
  await agent.getByTestId('hotline-logout').click();
  await state(agent, 'logged_out');
  await agent.context().close();
  await supervisor.context().close();
});

test('English; who sees what: agents no wallboard, clerks no admin page', async () => {
  const agent = await open('b.user');
  await agent.locator('#lang-select').selectOption('en');
  await visit(agent, '/hotline', 'Hotline');
  await agent.getByRole('heading', { level: 2, name: 'My state as an agent' }).waitFor();
  await state(agent, 'logged_out');
  assert.equal(await agent.getByTestId('hotline-state').textContent(), '○ Logged out');
  assert.equal(await agent.getByTestId('hotline-login').textContent(), '▶ Log in to the hotline');
  assert.deepEqual(await violations(agent), [], 'agent panel in English');
  await agent.locator('#lang-select').selectOption('de');
  // The board is the supervisors': the server says no, the page says why.
  await visit(agent, `/hotline/${hotline}/board`, 'Wandtafel');
  await agent.getByRole('alert').filter({ hasText: 'Die Wandtafel sehen nur die Supervisoren dieser Hotline.' }).waitFor();
  assert.equal(await agent.getByRole('link', { name: 'Hotlines', exact: true }).count(), 0);
  await agent.context().close();
  // Someone without any hotline role has no "Hotline" entry.
  const clerk = await open('c.clerk');
  assert.equal(await clerk.getByRole('navigation').getByRole('link', { name: 'Hotline', exact: true }).count(), 0);
  await visit(clerk, '/hotline', 'Hotline');
  await clerk.locator('#hl-none').waitFor();
  await clerk.context().close();
});
