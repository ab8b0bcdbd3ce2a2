// The phased rollout and the staff council's report in the web client (issue 19), in
// Debian's Chromium against the real server. The administrator sets up mobile work's
// rollout on #/admin/rollout with a cap of 2 and one criterion; three Bauamt clerks apply
// and Hanna, the head, approves all three on #/mobile-work; the third (Erna) reads her
// waiting place there; the administrator sees her on the waiting list, records her care
// duties (a criterion) and raises the cap
// to 3; Erna's open page says at once (a live frame) that she is admitted. The council
// report (#/council) shows the Bauamt's totals and no person. Erna reads her place in
// English. axe on every page, screenshots at 1280 and 375 px, nothing wider than the
// screen at 375 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startBrowser, violations, pageOpener, callAs, dayFromToday } from './harness.mjs';
import { shot, fitsWidth } from './hotline_world.mjs';

const STAFF = 'h.haupt,Hanna Haupt,Bauamt,2510,,user\ne.erna,Erna Emsig,Bauamt,2512,,user\np.rat,Petra Rat,Personalrat,2590,,user;council\n';

let server; let browser;

let openPage;
// A page signed in as `login` on `hash` (mobile work's page unless told).
const open = (login, options = {}) => openPage(login, { hash: '/mobile-work', heading: 'Mobiles Arbeiten', ...options });
const call = (page, method, path, body) => callAs(page, server, method, path, body);

before(async () => {
  server = await startServer(STAFF);
  browser = await startBrowser();
  openPage = pageOpener(browser, server);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const status = (page, text) => page.locator('#status').filter({ hasText: text }).waitFor();

async function checkLayout(page, name) {
  assert.deepEqual(await violations(page), [], `${name} at 1280 px`);
  assert.doesNotMatch(await page.locator('main').textContent(), /null|undefined|\b(ro|co|mw)[A-Z]/, `${name}: no placeholder or missing text`);
  await shot(page, `rollout-${name}-1280.png`);
  await page.setViewportSize({ width: 375, height: 800 });
  const wide = await page.evaluate(() => [...document.querySelectorAll('main *')].filter((el) => el.getBoundingClientRect().right > window.innerWidth).map((el) => `${el.tagName}.${el.className}#${el.id} ${Math.round(el.getBoundingClientRect().right)}`).slice(0, 8));
  assert.ok(await fitsWidth(page), `${name} at 375 px: ${wide.join(', ')}`);
  assert.deepEqual(await violations(page), [], `${name} at 375 px`);
  await shot(page, `rollout-${name}-375.png`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('a cap of 2 puts the third on the waiting list, raising it admits her; the council sees totals only', async () => {
  const admin = await open('a.admin', { hash: '/admin/rollout', heading: 'Stufenweise Einführung' });
  // Mobile work's rules, its text and the Bauamt's head, as the mobile-work test makes them.
  let r = await call(admin, 'PUT', '/api/v1/admin/mobile-work/rules', { days_per_week: 2, days_per_month: 10,
    core_hours: { from: '09:00', until: '15:00' }, notice_days: 28, max_term_days: 365, reminder_days: [14] });
  assert.equal(r.status, 200);
  r = await call(admin, 'POST', '/api/v1/admin/mobile-work/texts', { key: 'datenschutz', title: 'Belehrung Datenschutz', body: 'Bitte lesen.' });
  assert.equal(r.status, 201);
  const units = (await call(admin, 'GET', '/api/v1/admin/mobile-work/units')).data.units;
  const bauamt = units.find((u) => u.unit === 'Bauamt');
  r = await call(admin, 'PUT', `/api/v1/admin/units/${bauamt.unit_id}/leaders`, { head: 'h.haupt', deputies: [] });
  assert.equal(r.status, 200);

  // The rollout of mobile work: a cap of 2, care duties weigh 3.
  const mw = admin.getByTestId('ro-feature-mobile_work');
  await mw.getByText('Nicht eingerichtet: ohne Obergrenze.').waitFor();
  await mw.getByLabel('Obergrenze (leer: keine)').fill('2');
  await mw.getByLabel(/^Kriterien, eines je Zeile/).fill('pflege; Pflege von Angehörigen; 3');
  await mw.getByRole('button', { name: 'Einrichten' }).click();
  await status(admin, '„Mobiles Arbeiten“ ist eingerichtet.');
  await mw.getByTestId('ro-status').filter({ hasText: 'Obergrenze: 2 · Nutzen es: 0 · Warteliste: 0' }).waitFor();

  // Three clerks apply.
  const clerks = { 'c.clerk': 'Carl Clerk', 'd.new': 'Dora Neu', 'e.erna': 'Erna Emsig' };
  const pages = {};
  for (const login of Object.keys(clerks)) {
    const page = await open(login);
    pages[login] = page;
    assert.equal((await call(page, 'POST', '/api/v1/mobile-work/acknowledgements', { key: 'datenschutz', version: 1 })).status, 200);
    const applied = await call(page, 'POST', '/api/v1/mobile-work/applications', { weekdays: ['tue'], start: dayFromToday(14), end: dayFromToday(100) });
    assert.equal(applied.status, 201, JSON.stringify(applied.data));
  }

  // Hanna approves all three.
  const hanna = await open('h.haupt');
  for (const name of Object.values(clerks)) {
    await hanna.getByRole('button', { name: `Antrag von ${name} genehmigen` }).click();
    await status(hanna, `Der Antrag von ${name} ist genehmigt.`);
  }
  await hanna.context().close();

  // Erna waits at place 1; Carl has it.
  const erna = pages['e.erna'];
  await erna.reload();
  await erna.getByTestId('mw-rollout-state').filter({ hasText: 'Mobiles Arbeiten: Sie stehen auf der Warteliste auf Platz 1 von 1.' }).waitFor();
  await checkLayout(erna, 'waiting');
  const carl = pages['c.clerk'];
  await carl.reload();
  await carl.getByTestId('mw-rollout-state').filter({ hasText: 'Mobiles Arbeiten: Sie sind zugelassen.' }).waitFor();

  // The administrator sees her on the list and raises the cap to 3.
  await admin.reload();
  await admin.getByRole('heading', { level: 1, name: 'Stufenweise Einführung' }).waitFor();
  await mw.getByTestId('ro-status').filter({ hasText: 'Obergrenze: 2 · Nutzen es: 2 · Warteliste: 1' }).waitFor();
  const row = mw.getByTestId('ro-waiting-row');
  assert.equal(await row.count(), 1);
  assert.equal(await row.getAttribute('data-login'), 'e.erna');
  await row.getByRole('rowheader', { name: 'Erna Emsig' }).waitFor();
  // Her care duties, recorded by the administration, stay ticked.
  await row.getByLabel('Pflege von Angehörigen').check();
  await row.getByRole('button', { name: 'Kriterien von Erna Emsig speichern' }).click();
  await status(admin, 'Kriterien von Erna Emsig gespeichert.');
  assert.ok(await mw.getByTestId('ro-waiting-row').getByLabel('Pflege von Angehörigen').isChecked());
  assert.deepEqual((await call(admin, 'GET', '/api/v1/admin/rollout/mobile_work')).data.waiting[0].criteria, ['pflege']);
  await checkLayout(admin, 'admin');
  await mw.getByLabel('Obergrenze (leer: keine)').fill('3');
  await mw.getByRole('button', { name: 'Obergrenze speichern' }).click();
  await status(admin, 'Obergrenze für „Mobiles Arbeiten“ gespeichert. Nachgerückt: 1.');
  await mw.getByTestId('ro-status').filter({ hasText: 'Obergrenze: 3 · Nutzen es: 3 · Warteliste: 0' }).waitFor();
  await mw.getByTestId('ro-waiting-none').waitFor();

  // Erna's open page hears it at once.
  await erna.getByTestId('mw-rollout-state').filter({ hasText: 'Mobiles Arbeiten: Sie sind zugelassen.' }).waitFor();
  await status(erna, 'Sie sind für „Mobiles Arbeiten“ zugelassen.');

  // Lowering the cap takes it from nobody.
  await mw.getByLabel('Obergrenze (leer: keine)').fill('1');
  await mw.getByRole('button', { name: 'Obergrenze speichern' }).click();
  await mw.getByTestId('ro-status').filter({ hasText: 'Obergrenze: 1 · Nutzen es: 3 · Warteliste: 0' }).waitFor();

  // The council report, read by a member of the staff council (no administrator): the
  // Bauamt's totals, nobody's name; the administration's pages are not hers.
  const council = await open('p.rat', { hash: '/council', heading: 'Bericht für den Personalrat' });
  const nav = council.getByRole('navigation', { name: 'Hauptnavigation' });
  assert.equal(await nav.getByRole('link', { name: 'Bericht für den Personalrat' }).getAttribute('aria-current'), 'page');
  assert.equal(await nav.getByRole('link', { name: /verwalten|Stufenweise Einführung/ }).count(), 0, 'no administration pages');
  const line = council.getByTestId('co-row');
  await line.first().waitFor();
  assert.equal(await line.count(), 1);
  const cells = await line.locator('th, td').allTextContents();
  assert.deepEqual(cells.slice(0, 3), ['Bauamt', '3', '3']);
  const text = await council.locator('main').textContent();
  for (const who of ['Carl', 'Dora', 'Erna', 'Hanna', 'c.clerk', 'e.erna', 'd.new']) assert.ok(!text.includes(who), `${who} in the report`);
  assert.match(await council.getByTestId('co-csv').getAttribute('href'), /format=csv/);
  await checkLayout(council, 'council');
  await council.context().close();

  // In English.
  await erna.getByLabel('Sprache').selectOption('en');
  await erna.getByRole('heading', { level: 1, name: 'Mobile work', exact: true }).waitFor();
  await erna.getByTestId('mw-rollout-state').filter({ hasText: 'Mobile work: you are admitted.' }).waitFor();
  assert.deepEqual(await violations(erna), [], 'in English');
  await shot(erna, 'rollout-english-1280.png');
});
