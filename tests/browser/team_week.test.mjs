// The team's week in the web client (issue 19), in Debian's Chromium against the real
// server. Set up through the API: the service agreement's rules and text, Hanna Haupt as
// head of the Bauamt, Carl's agreement for Tuesday and Thursday from next Monday.
// Carl plans next week on "Wochenplanung" (#/week): Tuesday mobile is saved; Wednesday
// mobile is refused at that day with the planner's reason (aria-invalid, focus) and
// nothing is written. Hanna sets the Bauamt's rules (a one-seat office for Carl and Dora,
// four in the office), proposes a plan and reads the conflict; she fixes the rules (two
// seats, three in the office), proposes again and accepts; the team calendar shows
// Carl's Tuesday mobile. Today's plan moves the team panel: Carl on a business trip today
// reads "Unterwegs" in Dora's panel at once. In English: Carl's refusal in English and
// a calendar link. axe everywhere, 1280 and 375 px, nothing wider than the screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startBrowser, violations, pageOpener, callAs, dayFromToday } from './harness.mjs';
import { shot, fitsWidth } from './hotline_world.mjs';

const LEADERS = 'h.haupt,Hanna Haupt,Bauamt,2510,,user\nv.vertreter,Veit Vertreter,Bauamt,2511,,user\n';

let server; let browser; let openPage;
const open = (login, options = {}) => openPage(login, { hash: '/week', heading: 'Wochenplanung', ...options });
const call = (page, method, path, body) => callAs(page, server, method, path, body);

// Next Monday in Berlin.
function nextMonday() {
  for (let n = 1; n <= 7; n += 1) {
    const day = dayFromToday(n);
    if (new Date(`${day}T12:00:00Z`).getUTCDay() === 1) return day;
  }
  throw new Error('no Monday');
}

before(async () => {
  server = await startServer(LEADERS);
  browser = await startBrowser();
  openPage = pageOpener(browser, server);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function checkLayout(page, name) {
  assert.deepEqual(await violations(page), [], `${name} at 1280 px`);
  assert.doesNotMatch(await page.locator('main').textContent(), /null|undefined|\btw[A-Z]/, `${name}: no placeholder`);
  await shot(page, `team-week-${name}-1280.png`);
  await page.setViewportSize({ width: 375, height: 800 });
  assert.ok(await fitsWidth(page), `${name} at 375 px`);
  assert.deepEqual(await violations(page), [], `${name} at 375 px`);
  await shot(page, `team-week-${name}-375.png`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

const isFocused = (locator) => locator.evaluate((el) => el === document.activeElement);

test('a week within the agreement, a refused day, the rotation with a conflict fixed and accepted, the panel', async () => {
  // The set-up, through the API.
  const admin = await openPage('a.admin', { hash: '/team', heading: 'Teamübersicht' });
  assert.equal((await call(admin, 'PUT', '/api/v1/admin/mobile-work/rules', {
    days_per_week: 2, days_per_month: 10, core_hours: { from: '09:00', until: '15:00' }, notice_days: 28, max_term_days: 365,
  })).status, 200);
  assert.equal((await call(admin, 'POST', '/api/v1/admin/mobile-work/texts', { key: 'datenschutz', title: 'Belehrung', body: 'Bitte lesen.' })).status, 201);
  const units = (await call(admin, 'GET', '/api/v1/admin/mobile-work/units')).data.units;
  const bauamt = units.find((u) => u.unit === 'Bauamt').unit_id;
  assert.equal((await call(admin, 'PUT', `/api/v1/admin/units/${bauamt}/leaders`, { head: 'h.haupt', deputies: ['v.vertreter'] })).status, 200);
  await admin.context().close();
  const monday = nextMonday();
  const carl = await open('c.clerk');
  assert.equal((await call(carl, 'POST', '/api/v1/mobile-work/acknowledgements', { key: 'datenschutz', version: 1 })).status, 200);
  const applied = await call(carl, 'POST', '/api/v1/mobile-work/applications', { weekdays: ['tue', 'thu'], start: monday, end: dayFromToday(180) });
  assert.equal(applied.status, 201, JSON.stringify(applied.data));
  const hanna = await open('h.haupt');
  assert.equal((await call(hanna, 'POST', `/api/v1/mobile-work/agreements/${applied.data.id}/decision`, { decision: 'approve' })).status, 200);

  // Carl plans next week: Tuesday mobile is fine.
  await carl.reload();
  await carl.getByRole('heading', { level: 1, name: 'Wochenplanung' }).waitFor();
  await carl.getByLabel('Woche mit dem Tag').fill(monday);
  await carl.getByRole('button', { name: 'Anzeigen' }).click();
  await carl.getByTestId('tw-agreement').filter({ hasText: 'Ihre Vereinbarung: feste Tage: Di, Do.' }).waitFor();
  // The week asked for is drawn (not still this week's grid): its Monday's date is there.
  const [y, m, d] = monday.split('-');
  await carl.getByTestId('tw-day-0').getByRole('rowheader', { name: new RegExp(`${d}\\.${m}\\.${y}`) }).waitFor();
  await carl.getByTestId('tw-morning-1').selectOption('mobile');
  await carl.getByTestId('tw-afternoon-1').selectOption('mobile');
  await carl.getByTestId('tw-save').click();
  await carl.locator('#status').filter({ hasText: 'Ihre Woche ist gespeichert.' }).waitFor();
  // Wednesday is no agreed day: refused at Wednesday, nothing written.
  await carl.getByTestId('tw-morning-2').selectOption('mobile');
  await carl.getByTestId('tw-save').click();
  await carl.getByTestId('tw-error-2').filter({ hasText: 'ist kein vereinbarter Tag für mobile Arbeit' }).waitFor();
  assert.equal(await carl.getByTestId('tw-morning-2').getAttribute('aria-invalid'), 'true');
  assert.ok(await isFocused(carl.getByTestId('tw-morning-2')));
  const stored = (await call(carl, 'GET', `/api/v1/team-week/me?week=${monday}`)).data.days;
  assert.deepEqual([stored[1].morning, stored[2].morning], ['mobile', 'office'], 'nothing written');
  await checkLayout(carl, 'refused');

  // Hanna: a one-seat office for Carl and Dora and four in the office: no plan.
  await hanna.reload();
  const rotation = hanna.getByTestId('tw-rotation');
  await rotation.getByTestId('tw-offices').waitFor();
  for (let i = 0; i < 5; i += 1) await rotation.getByTestId(`tw-min-${i}`).fill('4');
  await rotation.getByTestId('tw-offices').fill('1.12; 1; c.clerk, d.new');
  await rotation.getByTestId('tw-save-rules').click();
  await rotation.getByTestId('tw-rot-status').filter({ hasText: 'Die Regeln sind gespeichert.' }).waitFor();
  await rotation.getByTestId('tw-propose').click();
  const conflict = rotation.getByTestId('tw-conflict');
  await conflict.filter({ hasText: 'Kein Plan: Kein Plan möglich' }).waitFor();
  assert.match(await conflict.textContent(), /Büro 1\.12/);
  assert.match(await conflict.textContent(), /mindestens 4/);
  // Fixed: two seats, three in the office.
  for (let i = 0; i < 5; i += 1) await rotation.getByTestId(`tw-min-${i}`).fill('3');
  await rotation.getByTestId('tw-offices').fill('1.12; 2; c.clerk, d.new');
  // The status says the same as after the first save: wait for this save's answer.
  const saved = hanna.waitForResponse((r) => r.url().endsWith('/rules') && r.request().method() === 'PUT');
  await rotation.getByTestId('tw-save-rules').click();
  assert.equal((await saved).status(), 200);
  await rotation.getByTestId('tw-propose').click();
  await rotation.getByTestId('tw-spot-c.clerk-1').waitFor();
  assert.equal(await rotation.getByTestId('tw-spot-c.clerk-1').inputValue(), 'mobile');
  assert.equal(await rotation.getByTestId('tw-spot-c.clerk-0').inputValue(), 'office');
  // An edit breaking a rule is named by the check.
  await rotation.getByTestId('tw-spot-d.new-0').selectOption('mobile');
  await rotation.getByTestId('tw-check').click();
  await rotation.getByTestId('tw-breaches').filter({ hasText: 'Dora Neu hat am' }).waitFor();
  await rotation.getByTestId('tw-spot-d.new-0').selectOption('office');
  await rotation.getByTestId('tw-check').click();
  await rotation.getByTestId('tw-breaches').filter({ hasText: 'Der Plan hält alle Regeln ein.' }).waitFor();
  await checkLayout(hanna, 'rotation');
  await rotation.getByTestId('tw-accept').click();
  await rotation.getByTestId('tw-accepted').waitFor();
  // Focus lands on the result, not on <body>.
  assert.equal(await hanna.evaluate(() => document.activeElement.dataset.testid), 'tw-accepted');
  // The team calendar shows next week with Carl's mobile Tuesday.
  const team = hanna.getByTestId('tw-team');
  await team.getByRole('cell', { name: 'Mobil' }).first().waitFor();
  const tuesday = team.getByRole('row').nth(2);
  assert.match(await tuesday.textContent(), /Mobil/);
  assert.match(await tuesday.textContent(), /3 \(mindestens 3\)/);
  await checkLayout(hanna, 'team');
  await hanna.context().close();

  // Today's plan moves the team panel at once: Carl on a business trip today.
  const dora = await openPage('d.new', { hash: '/team', heading: 'Teamübersicht' });
  const carlRow = dora.locator('#panel-lists li.person', { has: dora.locator('.person-name', { hasText: 'Carl Clerk' }) }).first().locator('.person-status');
  const today = dayFromToday(0);
  const thisWeek = (await call(carl, 'GET', `/api/v1/team-week/me?week=${today}`)).data;
  const i = thisWeek.days.findIndex((d) => d.date === today);
  const days = thisWeek.days.map(({ morning, afternoon }) => ({ morning, afternoon }));
  days[i] = { morning: 'business_trip', afternoon: 'business_trip' };
  assert.equal((await call(carl, 'PUT', '/api/v1/team-week/me', { monday: thisWeek.monday, days })).status, 200);
  await carlRow.getByText('Unterwegs').waitFor();
  await dora.context().close();

  // In English: the refusal in English, and a calendar link.
  await carl.evaluate(() => localStorage.setItem('lang', 'en'));
  await carl.reload();
  await carl.getByRole('heading', { level: 1, name: 'Week planning' }).waitFor();
  await carl.getByLabel('Week with the day').fill(monday);
  await carl.getByRole('button', { name: 'Show', exact: true }).click();
  await carl.getByTestId('tw-agreement').filter({ hasText: 'Your agreement' }).waitFor();
  // As above: the asked week's grid, not this week's (its Monday in en-GB's dd/mm/yyyy).
  await carl.getByTestId('tw-day-0').getByRole('rowheader', { name: new RegExp(`${d}/${m}/${y}`) }).waitFor();
  await carl.getByTestId('tw-morning-2').selectOption('mobile');
  await carl.getByTestId('tw-save').click();
  await carl.getByTestId('tw-error-2').filter({ hasText: 'This is not an agreed day for mobile work.' }).waitFor();
  await carl.getByRole('button', { name: 'Create a link for my week' }).click();
  const url = await carl.getByTestId('tw-feed-url').inputValue();
  const ics = await (await fetch(url)).text();
  assert.match(ics, /^BEGIN:VCALENDAR\r\n/);
  assert.match(ics, /SUMMARY:Mobil\r\n/);
  await carl.getByRole('button', { name: /^Revoke: My week/ }).waitFor();
  await checkLayout(carl, 'en');
  await carl.context().close();
});
