// Mobile work in the web client (issue 19), in Debian's Chromium against the real server.
// The administrator's page "Regeln mobiles Arbeiten" (#/admin/mobile-work): a month limit
// over 31 is refused at its field, then the rules are saved (2 days a week, 10 a month,
// core hours, notice period, longest term, Bauamt eligible); the data-protection text is
// published; an unknown login as Bauamt's head is refused at the field, then Hanna Haupt
// becomes its head and Veit Vertreter its deputy. Carl (Bauamt) acknowledges the text and
// applies in German: three fixed weekdays are refused with the rule's reason at the
// weekdays (aria-invalid, focus, alert) and nothing is stored; two are applied for. Hanna
// (a second browser context) sees "Zu entscheiden" and approves; Carl sees the approved
// agreement with its history (who decided, in which capacity). Hanna renews it under
// "Vereinbarungen in Kraft", then revokes it (a reason is needed first); Carl reads both
// in the history. Dora (Bauamt) in English:
// three days per week are refused in English at the field, one is applied for, Hanna asks
// for changes, Dora reads the note and the history in English, applies again with a
// fixed Wednesday and withdraws; a third application Hanna rejects (service needs), as
// Dora reads it. axe on every page, screenshots at 1280 and 375 px, nothing wider than
// the screen at 375 px, the leaders table as cards there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startBrowser, violations, pageOpener, callAs, dayFromToday } from './harness.mjs';
import { shot, fitsWidth, cellsInView } from './hotline_world.mjs';

// Bauamt's head and deputy besides the fixture's staff (Carl and Dora are in Bauamt).
const LEADERS = 'h.haupt,Hanna Haupt,Bauamt,2510,,user\nv.vertreter,Veit Vertreter,Bauamt,2511,,user\n';

let server; let browser;

let openPage;
// A page signed in as `login` on `hash` (mobile work's page unless told).
const open = (login, options = {}) => openPage(login, { hash: '/mobile-work', heading: 'Mobiles Arbeiten', ...options });
const call = (page, method, path, body) => callAs(page, server, method, path, body);

before(async () => {
  server = await startServer(LEADERS);
  browser = await startBrowser();
  openPage = pageOpener(browser, server);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

const isFocused = (locator) => locator.evaluate((el) => el === document.activeElement);
const status = (page, text) => page.locator('#status').filter({ hasText: text }).waitFor();

async function checkLayout(page, name) {
  assert.deepEqual(await violations(page), [], `${name} at 1280 px`);
  assert.doesNotMatch(await page.locator('main').textContent(), /null|undefined|\bmw[A-Z]/, `${name}: no placeholder or missing text`);
  await shot(page, `mobile-work-${name}-1280.png`);
  await page.setViewportSize({ width: 375, height: 800 });
  assert.ok(await fitsWidth(page), `${name} at 375 px`);
  assert.deepEqual(await violations(page), [], `${name} at 375 px`);
  await shot(page, `mobile-work-${name}-375.png`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('the administration sets the rules, a clerk applies in German and the head approves', async () => {
  const admin = await open('a.admin', { hash: '/admin/mobile-work', heading: 'Mobiles Arbeiten: Dienstvereinbarung' });
  assert.equal(await admin.getByRole('navigation', { name: 'Hauptnavigation' }).getByRole('link', { name: 'Regeln mobiles Arbeiten' }).getAttribute('aria-current'), 'page');
  await admin.getByTestId('mw-rules-none').waitFor();

  // A month limit over 31 is refused at its field; nothing is stored.
  await admin.getByLabel('Höchstens mobile Tage pro Woche').fill('2');
  await admin.getByLabel('Höchstens mobile Tage pro Monat').fill('40');
  await admin.getByTestId('mw-rules-save').click();
  await admin.locator('#mw-rules-error').filter({ hasText: 'zwischen 0 und 31' }).waitFor();
  assert.equal(await admin.getByLabel('Höchstens mobile Tage pro Monat').getAttribute('aria-invalid'), 'true');
  assert.ok(await isFocused(admin.getByLabel('Höchstens mobile Tage pro Monat')));
  assert.equal((await call(admin, 'GET', '/api/v1/admin/mobile-work/rules')).data.rules, null, 'nothing stored');

  await admin.getByLabel('Höchstens mobile Tage pro Monat').fill('10');
  await admin.getByLabel('Von', { exact: true }).fill('09:00');
  await admin.getByLabel('Bis', { exact: true }).fill('15:00');
  await admin.getByLabel('Widerrufsfrist in Tagen').fill('28');
  await admin.getByLabel(/^Längste Laufzeit in Tagen/).fill('365');
  await admin.getByLabel('Gesetzliche Feiertage (im Wochenplan keine Arbeitstage)').selectOption('BY');
  await admin.getByRole('group', { name: /^Berechtigte Organisationseinheiten/ }).getByLabel('Bauamt', { exact: true }).check();
  await admin.getByTestId('mw-rules-save').click();
  await admin.locator('#mw-rules-saved').filter({ hasText: 'Die Regeln sind gespeichert.' }).waitFor();
  assert.equal(await admin.getByLabel('Höchstens mobile Tage pro Monat').getAttribute('aria-invalid'), null);
  const stored = (await call(admin, 'GET', '/api/v1/admin/mobile-work/rules')).data.rules;
  assert.equal(stored.days_per_week, 2);
  assert.equal(stored.days_per_month, 10);
  assert.deepEqual(stored.core_hours, { from: '09:00', until: '15:00' });
  assert.equal(stored.max_term_days, 365);
  assert.equal(stored.holidays, 'BY');
  assert.equal(stored.eligibility.units.length, 1);

  // The data-protection text, version 1.
  await admin.getByLabel('Schlüssel (z. B. datenschutz)').fill('datenschutz');
  await admin.getByLabel('Titel', { exact: true }).fill('Belehrung Datenschutz');
  await admin.getByLabel('Text', { exact: true }).fill('Dienstliche Unterlagen sind auch zu Hause vor dem Zugriff Dritter zu schützen.');
  await admin.getByTestId('mw-text-publish').click();
  await admin.getByText('„Belehrung Datenschutz“ ist in Fassung 1 veröffentlicht.').waitFor();
  await admin.getByTestId('mw-admin-texts').getByText(/Belehrung Datenschutz \(datenschutz\), Fassung 1/).waitFor();

  // Bauamt's head: an unknown login is refused at the field, then Hanna with Veit.
  await admin.getByTestId('mw-leaders-unit').selectOption({ label: 'Bauamt' });
  await admin.getByLabel('Benutzername der Leitung (leer: keine)').fill('x.niemand');
  await admin.getByTestId('mw-leaders-save').click();
  await admin.locator('#mw-leaders-error').filter({ hasText: 'x.niemand' }).waitFor();
  assert.equal(await admin.getByLabel('Benutzername der Leitung (leer: keine)').getAttribute('aria-invalid'), 'true');
  assert.ok(await isFocused(admin.getByLabel('Benutzername der Leitung (leer: keine)')));
  await admin.getByLabel('Benutzername der Leitung (leer: keine)').fill('h.haupt');
  await admin.getByLabel('Benutzernamen der Vertretungen (durch Kommas getrennt)').fill('v.vertreter');
  await admin.getByTestId('mw-leaders-save').click();
  await admin.getByText('Die Leitung von Bauamt ist gespeichert.').waitFor();
  const bauamt = admin.getByTestId('mw-leaders-row').filter({ has: admin.getByRole('rowheader', { name: 'Bauamt', exact: true }) });
  assert.deepEqual(await bauamt.locator('th, td').allTextContents(), ['Bauamt', 'Hanna Haupt (h.haupt)', 'Veit Vertreter (v.vertreter)']);
  await checkLayout(admin, 'admin');
  await admin.setViewportSize({ width: 375, height: 800 });
  assert.ok(await cellsInView(admin.getByTestId('mw-leaders-row')), 'the leaders table is cards at 375 px');
  await admin.context().close();

  // Carl: the rules, the text to acknowledge, the form.
  const carl = await open('c.clerk');
  await carl.getByTestId('mw-rules').getByText('Höchstens 2 mobile Tage pro Woche und 10 pro Monat, an diesen Tagen: Montag, Dienstag, Mittwoch, Donnerstag, Freitag.').waitFor();
  await carl.getByText('Kernzeit, in der Sie erreichbar sind: 09:00 bis 15:00 Uhr.').waitFor();
  assert.equal(await carl.getByTestId('mw-decisions').count(), 0, 'nothing to decide for a clerk');
  await carl.getByRole('heading', { level: 3, name: /Belehrung Datenschutz/ }).waitFor();
  await carl.getByRole('button', { name: 'Belehrung Datenschutz (Fassung 1): gelesen und zur Kenntnis genommen' }).click();
  await status(carl, 'Alle Belehrungen sind bestätigt.');
  assert.equal(await carl.getByTestId('mw-ack-section').count(), 0);
  assert.ok(await isFocused(carl.getByRole('heading', { level: 2, name: 'Mobiles Arbeiten beantragen' })), 'the focus moves on to the form');

  // Three fixed weekdays: refused at the weekdays, nothing stored.
  const start = dayFromToday(1);
  const end = dayFromToday(181);
  await carl.getByLabel('Montag').check();
  await carl.getByLabel('Dienstag').check();
  await carl.getByLabel('Mittwoch').check();
  await carl.getByLabel('Erster Tag').fill(start);
  await carl.getByLabel('Letzter Tag').fill(end);
  await carl.getByLabel('Begründung (freiwillig, nur für die Entscheidung)').fill('Pflege eines Angehörigen');
  await carl.getByTestId('mw-apply').click();
  await carl.getByTestId('mw-error-days').filter({ hasText: 'Sie haben 3 Tage pro Woche beantragt; erlaubt sind höchstens 2.' }).waitFor();
  await carl.getByTestId('mw-apply-error').filter({ hasText: 'Der Antrag wurde nicht gestellt:' }).waitFor();
  assert.equal(await carl.getByLabel('Montag').getAttribute('aria-invalid'), 'true');
  assert.match(await carl.getByLabel('Montag').getAttribute('aria-describedby'), /mw-apply-err-days/);
  assert.ok(await isFocused(carl.getByLabel('Montag')), 'the focus on the first weekday');
  assert.equal(await carl.getByLabel('Erster Tag').getAttribute('aria-invalid'), null);
  assert.deepEqual((await call(carl, 'GET', '/api/v1/mobile-work')).data.agreements, [], 'nothing stored');
  assert.deepEqual(await violations(carl), [], 'the refused application');
  await shot(carl, 'mobile-work-refused-1280.png');

  // Hanna has her page open: nothing to decide yet.
  const hanna = await open('h.haupt');
  assert.equal(await hanna.getByTestId('mw-decisions').count(), 0);

  // Two weekdays: applied.
  await carl.getByLabel('Mittwoch').uncheck();
  await carl.getByTestId('mw-apply').click();
  await status(carl, 'Ihr Antrag ist gestellt und wartet auf die Entscheidung.');
  const mine = carl.getByTestId('mw-agreement');
  await mine.getByTestId('mw-state').filter({ hasText: 'Beantragt, wartet auf Entscheidung' }).waitFor();
  assert.equal(await carl.getByTestId('mw-apply-form').count(), 0, 'no second application while one is open');
  await mine.getByTestId('mw-withdraw').waitFor();
  assert.ok(await isFocused(mine.getByRole('heading', { name: 'Antrag Nr. 1' })), 'the focus on the new application');

  // Hanna's open page says so at once (a live frame); she shows it and decides.
  await hanna.getByTestId('mw-new-application').filter({ hasText: 'Ein neuer Antrag wartet auf Ihre Entscheidung.' }).waitFor();
  await status(hanna, 'Ein neuer Antrag wartet auf Ihre Entscheidung.');
  await hanna.getByTestId('mw-new-application').getByRole('button', { name: 'Anzeigen' }).click();
  const decision = hanna.getByTestId('mw-decision');
  await decision.getByText('Montag, Dienstag').waitFor();
  await decision.getByText('Pflege eines Angehörigen').waitFor();
  assert.equal(await hanna.getByRole('heading', { level: 2, name: 'Zu entscheiden' }).count(), 1);
  await checkLayout(hanna, 'decide');
  await decision.getByRole('button', { name: 'Antrag von Carl Clerk genehmigen' }).click();
  await status(hanna, 'Der Antrag von Carl Clerk ist genehmigt.');
  await hanna.getByTestId('mw-decide-none').waitFor();
  assert.equal(await hanna.getByTestId('mw-decision').count(), 0);
  // Now in force: listed there at once, to renew or revoke.
  await hanna.getByRole('heading', { level: 2, name: 'Vereinbarungen in Kraft' }).waitFor();
  await hanna.getByTestId('mw-in-force').getByTestId('mw-state').filter({ hasText: 'Genehmigt' }).waitFor();
  assert.deepEqual(await violations(hanna), [], 'after the decision');
  await hanna.context().close();

  // Carl: approved, with the history.
  await carl.reload();
  await mine.getByTestId('mw-state').filter({ hasText: 'Genehmigt' }).waitFor();
  const steps = await mine.getByTestId('mw-history').locator('li').allTextContents();
  assert.equal(steps.length, 2, steps.join(' | '));
  assert.match(steps[0], /^\d\d\.\d\d\.\d{4}, \d\d:\d\d – Beantragt von Ihnen$/);
  assert.match(steps[1], /^\d\d\.\d\d\.\d{4}, \d\d:\d\d – Genehmigt von Hanna Haupt \(Leitung\)$/);
  await mine.getByTestId('mw-end').waitFor();
  assert.equal(await mine.getByTestId('mw-withdraw').count(), 0);
  await checkLayout(carl, 'approved');
  await carl.context().close();

  // Hanna renews Carl's agreement, then revokes it with a reason (asked once more).
  const head = await open('h.haupt');
  const inForce = head.getByTestId('mw-in-force');
  await head.getByRole('heading', { level: 2, name: 'Vereinbarungen in Kraft' }).waitFor();
  assert.equal(await head.getByTestId('mw-decisions').count(), 0, 'nothing left to decide');
  const later = dayFromToday(211);
  await inForce.getByLabel('Neuer letzter Tag').fill(later);
  await inForce.getByRole('button', { name: 'Vereinbarung von Carl Clerk verlängern' }).click();
  const [y, m, d] = later.split('-');
  await status(head, `Die Vereinbarung von Carl Clerk läuft jetzt bis ${d}.${m}.${y}.`);
  await inForce.getByText(`bis ${d}.${m}.${y}`).waitFor();
  await inForce.getByTestId('mw-revoke').click();
  await inForce.getByTestId('mw-in-force-error').filter({ hasText: 'Bitte den Widerruf begründen.' }).waitFor();
  assert.equal(await inForce.getByLabel('Grund eines Widerrufs').getAttribute('aria-invalid'), 'true');
  assert.ok(await isFocused(inForce.getByLabel('Grund eines Widerrufs')));
  await inForce.getByLabel('Grund eines Widerrufs').fill('Die Bauberatung braucht ab Frühjahr alle im Haus.');
  await inForce.getByTestId('mw-revoke').click();
  await inForce.getByText('Vereinbarung Nr. 1 von Carl Clerk wirklich widerrufen?').waitFor();
  await checkLayout(head, 'in-force');
  await inForce.getByTestId('mw-revoke-yes').click();
  await status(head, /^Die Vereinbarung von Carl Clerk ist widerrufen; ab \d\d\.\d\d\.\d{4} kein mobiles Arbeiten mehr\.$/);
  await inForce.getByTestId('mw-state').filter({ hasText: 'Widerrufen, läuft aus' }).waitFor();
  assert.equal(await inForce.getByTestId('mw-revoke').count(), 0, 'nothing more to do on it');
  await head.context().close();

  const carlAgain = await open('c.clerk');
  const revoked = carlAgain.getByTestId('mw-agreement');
  await revoked.getByTestId('mw-state').filter({ hasText: 'Widerrufen, läuft aus' }).waitFor();
  await revoked.getByText('Die Bauberatung braucht ab Frühjahr alle im Haus.').waitFor();
  const all = await revoked.getByTestId('mw-history').locator('li').allTextContents();
  assert.equal(all.length, 4, all.join(' | '));
  assert.match(all[2], /Verlängert von Hanna Haupt \(Leitung\)$/);
  assert.match(all[3], /Widerruf erklärt von Hanna Haupt \(Leitung\)$/);
  await carlAgain.context().close();
});

test('in English: refused in English at the field, applied, changes asked for, withdrawn, rejected', async () => {
  const dora = await open('d.new');
  await dora.getByLabel('Sprache').selectOption('en');
  await dora.getByRole('heading', { level: 1, name: 'Mobile work', exact: true }).waitFor();
  await dora.getByRole('button', { name: 'Belehrung Datenschutz (version 1): read and acknowledged' }).click();
  await status(dora, 'All instructions are acknowledged.');
  await dora.getByLabel('A number of days per week').check();
  await dora.getByLabel('Days per week', { exact: true }).fill('3');
  await dora.getByLabel('First day').fill(dayFromToday(2));
  await dora.getByLabel('Last day').fill(dayFromToday(100));
  await dora.getByTestId('mw-apply').click();
  await dora.getByTestId('mw-error-days').filter({ hasText: 'More mobile days per week than the service agreement allows (2).' }).waitFor();
  assert.equal(await dora.getByLabel('Days per week', { exact: true }).getAttribute('aria-invalid'), 'true');
  assert.ok(await isFocused(dora.getByLabel('Days per week', { exact: true })));
  assert.deepEqual((await call(dora, 'GET', '/api/v1/mobile-work')).data.agreements, [], 'nothing stored');
  await dora.getByLabel('Days per week', { exact: true }).fill('1');
  await dora.getByTestId('mw-apply').click();
  await status(dora, 'Your application is made and waits for a decision.');
  await dora.getByTestId('mw-agreement').getByText('1 day per week').waitFor();

  // Hanna asks for changes (a note is needed first).
  const hanna = await open('h.haupt');
  const decision = hanna.getByTestId('mw-decision');
  await decision.getByTestId('mw-request-changes').click();
  await decision.getByTestId('mw-decide-error').filter({ hasText: 'Bitte angeben, was zu ändern ist oder warum abgelehnt wird.' }).waitFor();
  assert.equal(await decision.getByTestId('mw-decide-note').getAttribute('aria-invalid'), 'true');
  await decision.getByTestId('mw-decide-note').fill('Bitte den Mittwoch als festen Tag wählen.');
  await decision.getByTestId('mw-request-changes').click();
  await status(hanna, 'Bei Dora Neu sind Änderungen erbeten.');
  await hanna.context().close();

  await dora.reload();
  const card = dora.getByTestId('mw-agreement');
  await card.getByTestId('mw-state').filter({ hasText: 'Changes requested' }).waitFor();
  await card.getByText('Bitte den Mittwoch als festen Tag wählen.').waitFor();
  const steps = await card.getByTestId('mw-history').locator('li').allTextContents();
  assert.match(steps[1], /Changes requested by Hanna Haupt \(head\)$/, steps.join(' | '));
  await checkLayout(dora, 'english');

  // Dora changes her application to Wednesdays, then withdraws it (asked once more).
  await card.getByTestId('mw-resubmit').click();
  const changed = dora.getByTestId('mw-resubmit-form');
  await changed.getByRole('heading', { name: 'Change application no. 2 and apply again' }).waitFor();
  assert.equal(await changed.getByLabel('A number of days per week').isChecked(), true, 'prefilled');
  await changed.getByLabel('On fixed weekdays').check();
  await changed.getByLabel('Wednesday').check();
  await changed.getByTestId('mw-resubmit-send').click();
  await status(dora, 'Your changed application is made.');
  await card.getByTestId('mw-state').filter({ hasText: 'Applied, waiting for a decision' }).waitFor();
  await card.getByText('Wednesday', { exact: true }).waitFor();
  assert.match((await card.getByTestId('mw-history').locator('li').allTextContents())[2], /Applied again with changes by you$/);
  await card.getByTestId('mw-withdraw').click();
  await card.getByText('Really withdraw application no. 2?').waitFor();
  await card.getByTestId('mw-withdraw-yes').click();
  await status(dora, 'Application no. 2 is withdrawn.');
  await card.getByTestId('mw-state').filter({ hasText: 'Withdrawn' }).waitFor();
  await dora.getByTestId('mw-apply-form').waitFor();
  assert.deepEqual(await violations(dora), [], 'after withdrawing');

  // A new application; Hanna rejects it (a category is needed first).
  await dora.getByLabel('A number of days per week').check();
  await dora.getByLabel('Days per week', { exact: true }).fill('2');
  await dora.getByLabel('First day').fill(dayFromToday(3));
  await dora.getByLabel('Last day').fill(dayFromToday(60));
  await dora.getByTestId('mw-apply').click();
  await status(dora, 'Your application is made and waits for a decision.');
  const again = await open('h.haupt');
  const third = again.getByTestId('mw-decision');
  await third.getByTestId('mw-decide-note').fill('Im ersten Quartal ist die Bauberatung voll zu besetzen.');
  await third.getByTestId('mw-reject').click();
  await third.getByTestId('mw-decide-error').filter({ hasText: 'Bitte den Grund der Ablehnung wählen.' }).waitFor();
  assert.equal(await third.getByTestId('mw-decide-category').getAttribute('aria-invalid'), 'true');
  assert.ok(await isFocused(third.getByTestId('mw-decide-category')));
  await third.getByLabel('Grund einer Ablehnung').selectOption({ label: 'Dienstliche Gründe' });
  await third.getByRole('button', { name: 'Antrag von Dora Neu ablehnen' }).click();
  await status(again, 'Der Antrag von Dora Neu ist abgelehnt.');
  await again.context().close();
  await dora.reload();
  const rejected = dora.getByTestId('mw-agreement').first();
  await rejected.getByTestId('mw-state').filter({ hasText: 'Rejected' }).waitFor();
  await rejected.getByText('Service needs').waitFor();
  await rejected.getByText('Im ersten Quartal ist die Bauberatung voll zu besetzen.').waitFor();
  assert.equal(await dora.getByTestId('mw-agreement').count(), 2, 'the withdrawn and the rejected one');
  await dora.getByTestId('mw-apply-form').waitFor();
  await dora.context().close();
});
