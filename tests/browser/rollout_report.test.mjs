// The rollout report on #/admin/rollout (issue 19), in Debian's Chromium against the real
// server. The administrator caps the softphone at 4 and builds a building with three desks;
// Carl books one and checks in, Dora books one. The page's charts say so in their tables
// (today: cap 4; 2 booked, 1 checked in of 3 desks), usage per month shows its totals and
// the meetings note, the CSV downloads with its columns. Carl states his commute on
// #/mobile-work. In English the same. axe, 375 px without sideways scrolling.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, startBrowser, violations, pageOpener, callAs, dayFromToday } from './harness.mjs';
import { shot, fitsWidth } from './hotline_world.mjs';

let server; let browser; let openPage;
const call = (page, method, path, body) => callAs(page, server, method, path, body);

before(async () => {
  server = await startServer();
  browser = await startBrowser();
  openPage = pageOpener(browser, server);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function checkLayout(page, name) {
  assert.deepEqual(await violations(page), [], `${name} at 1280 px`);
  assert.doesNotMatch(await page.locator('main').textContent(), /null|undefined|\b(ro|rr|cm)[A-Z]/, `${name}: no placeholder or missing text`);
  await shot(page, `rollout-report-${name}-1280.png`);
  await page.setViewportSize({ width: 375, height: 800 });
  assert.ok(await fitsWidth(page), `${name} at 375 px is wider than the screen`);
  assert.deepEqual(await violations(page), [], `${name} at 375 px`);
  await shot(page, `rollout-report-${name}-375.png`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

// The cells of the row for `day` in a chart's table (opened first).
async function dayRow(figure, day) {
  await figure.locator('summary').click();
  const row = figure.getByRole('row').filter({ has: figure.page().getByRole('rowheader', { name: day, exact: true }) });
  await row.waitFor();
  return row.getByRole('cell').allTextContents();
}

test('the report charts the cap and the desks, hides nothing it need not, and downloads as CSV', async () => {
  const today = dayFromToday(0);
  const admin = await openPage('a.admin', { hash: '/admin/rollout', heading: 'Stufenweise Einführung' });
  let r = await call(admin, 'PUT', '/api/v1/admin/rollout/softphone', { cap: 4, scheme: 'weights', criteria: [] });
  assert.equal(r.status, 200, JSON.stringify(r.data));
  r = await call(admin, 'POST', '/api/v1/admin/desks/buildings', { name: 'Rathaus' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  r = await call(admin, 'POST', `/api/v1/admin/desks/buildings/${r.data.id}/floors`, { name: 'EG' });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  r = await call(admin, 'POST', `/api/v1/admin/desks/floors/${r.data.id}/rooms`, { name: '0.01', seats: 3 });
  assert.equal(r.status, 201, JSON.stringify(r.data));
  const room = r.data.id;
  const desks = [];
  for (const label of ['A', 'B', 'C']) {
    r = await call(admin, 'POST', `/api/v1/admin/desks/rooms/${room}/desks`, { label });
    assert.equal(r.status, 201, JSON.stringify(r.data));
    desks.push(r.data.id);
  }
  const carl = await openPage('c.clerk', { hash: '/mobile-work', heading: 'Mobiles Arbeiten' });
  const dora = await openPage('d.new', { hash: '/mobile-work', heading: 'Mobiles Arbeiten' });
  assert.equal((await call(carl, 'POST', '/api/v1/desks/bookings', { desk: desks[0], day: today })).status, 201);
  assert.equal((await call(carl, 'POST', `/api/v1/desks/${desks[0]}/check-in`)).status, 200);
  assert.equal((await call(dora, 'POST', '/api/v1/desks/bookings', { desk: desks[1], day: today })).status, 201);

  // Carl states his commute (voluntary, his own).
  await carl.getByLabel('Einfacher Arbeitsweg in km').fill('12,5');
  await carl.getByTestId('cm-save').click();
  await carl.locator('#status').filter({ hasText: 'Arbeitsweg gespeichert: 12,5 km.' }).waitFor();
  assert.deepEqual((await call(carl, 'GET', '/api/v1/me/commute')).data, { km: 12.5 });
  await checkLayout(carl, 'commute');

  // The report, drawn again for today's span.
  await admin.reload();
  const report = admin.getByTestId('rr-report');
  const softphone = report.getByTestId('rr-feature-softphone');
  await softphone.locator('figcaption').filter({ hasText: 'Softphone: Nutzende, Obergrenze und Warteliste je Tag' }).waitFor();
  assert.equal(await softphone.locator('svg[role="img"] polyline, svg[role="img"] circle').count() > 0, true);
  assert.deepEqual(await dayRow(softphone, today), ['0', '4', '0']);
  const rathaus = report.getByTestId('rr-building-0');
  await rathaus.locator('figcaption').filter({ hasText: 'Rathaus: gebuchte und eingecheckte Arbeitsplätze je Tag, von 3 Arbeitsplätzen' }).waitFor();
  assert.deepEqual(await dayRow(rathaus, today), ['2', '1', '3']);
  assert.equal(await rathaus.locator('svg[role="img"] rect').count(), 2, 'one bar booked, one checked in');
  // Usage only for whole months that are over: last month, not the running one.
  const [y, m] = today.split('-').map(Number);
  const lastMonth = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
  const calls = report.locator(`[data-testid="rr-usage-row"][data-month="${lastMonth}"][data-measure="calls"]`);
  assert.deepEqual(await calls.getByRole('cell').allTextContents(), ['Softphone', 'Anrufe', '0', '0']);
  assert.equal(await report.locator(`[data-testid="rr-usage-row"][data-month="${today.slice(0, 7)}"]`).count(), 0);
  await report.getByTestId('rr-meetings').filter({ hasText: 'noch keine Videokonferenzen' }).waitFor();
  await report.getByTestId('rr-factor').filter({ hasText: '166 g je km' }).waitFor();
  const text = await report.textContent();
  for (const who of ['Carl', 'Dora', 'c.clerk', 'd.new']) assert.ok(!text.includes(who), `${who} in the report`);
  await checkLayout(admin, 'admin');

  // A span the other way round: the server's reason, nothing drawn.
  await admin.getByLabel('Erster Tag').fill('2026-03-01');
  await admin.getByLabel('Letzter Tag').fill('2026-02-01');
  await admin.getByTestId('rr-show').click();
  await report.getByText('Der letzte Tag liegt vor dem ersten.').waitFor();
  await admin.getByLabel('Erster Tag').fill(dayFromToday(-7));
  await admin.getByLabel('Letzter Tag').fill(today);
  await admin.getByTestId('rr-show').click();
  await admin.locator('#status').filter({ hasText: `bis ${today} angezeigt` }).waitFor();

  // The CSV.
  const [download] = await Promise.all([admin.waitForEvent('download'), report.getByTestId('rr-csv').click()]);
  assert.equal(download.suggestedFilename(), `rollout-${dayFromToday(-7)}-${today}.csv`);
  const lines = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '').split('\r\n');
  assert.equal(lines[0], '"Bereich";"Gegenstand";"Zeitraum";"Kennzahl";"Wert"');
  assert.ok(lines.includes(`"Merkmal";"Softphone";"${today}";"Obergrenze";"4"`), lines.join('\n'));
  assert.ok(lines.includes(`"Belegung";"Rathaus";"${today}";"eingecheckt";"1"`), lines.join('\n'));

  // In English.
  await admin.getByLabel('Sprache').selectOption('en');
  await admin.getByRole('heading', { level: 1, name: 'Phased rollout', exact: true }).waitFor();
  await report.getByTestId('rr-feature-softphone').locator('figcaption').filter({ hasText: 'Softphone: users, cap and waiting list per day' }).waitFor();
  await report.getByTestId('rr-meetings').filter({ hasText: 'no video meetings yet' }).waitFor();
  await checkLayout(admin, 'english');
});
