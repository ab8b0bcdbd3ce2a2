// Two signed-in people in Debian's Chromium: Carl and Dora share the unit "Bauamt".
// Presence changes reach the other's team panel, a "notify me" watch fires (pop-up and
// browser notification) and survives a reload, chat works both ways with unread badges,
// and a reload in the middle of a conversation misses nothing and shows nothing twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startBrowser, signInOn, PASSWORD } from './harness.mjs';

let server; let browser; let carl; let dora;

// Records browser notifications (the real ones still go to Chromium).
function recordNotifications() {
  window.__notifications = [];
  const Real = window.Notification;
  window.Notification = class extends Real {
    constructor(title, options) { super(title, options); window.__notifications.push({ title, body: options && options.body }); }
  };
}

async function signIn(login) {
  const context = await browser.newContext();
  await context.grantPermissions(['notifications'], { origin: server.url });
  await context.addInitScript(recordNotifications);
  const page = await context.newPage();
  page.on('pageerror', (e) => { throw e; });
  await signInOn(page, server, login);
  return page;
}

// The presence line (state, location, note) of `name` on the team panel.
function row(page, name) {
  return page.locator('#panel-lists li.person', { has: page.locator('.person-name', { hasText: name }) }).first().locator('.person-status');
}


before(async () => {
  server = await startServer();
  browser = await startBrowser();
});
after(async () => { await browser?.close(); await server?.stop(); });

test('a presence change is seen live by the colleague, with location and note', async () => {
  carl = await signIn('c.clerk');
  assert.match(await row(carl, 'Dora Neu').textContent(), /Offline/);
  dora = await signIn('d.new');
  await row(carl, 'Dora Neu').getByText('Verfügbar').waitFor();

  await dora.getByLabel('Status', { exact: true }).selectOption('busy');
  await dora.getByLabel('Arbeitsort').selectOption('home_office');
  await dora.getByLabel('Notiz (höchstens 200 Zeichen)').fill('Bescheide schreiben');
  await dora.getByRole('button', { name: 'Speichern' }).click();
  await dora.locator('#status').filter({ hasText: 'Ihr Status ist gespeichert.' }).waitFor();

  const doraRow = row(carl, 'Dora Neu');
  await doraRow.getByText('Beschäftigt').waitFor();
  await doraRow.getByText('Homeoffice').waitFor();
  await doraRow.getByText('Bescheide schreiben').waitFor();
  // Dora sees herself the same way.
  await dora.locator('#my-current').filter({ hasText: 'Beschäftigt' }).waitFor();
});

test('a watch survives a reload and fires with a pop-up and a browser notification', async () => {
  const watchItem = () => carl.getByRole('menu').getByRole('menuitemcheckbox', { name: 'Benachrichtigen, wenn verfügbar' });
  const actions = carl.getByRole('button', { name: 'Aktionen für Dora Neu' }).first();
  await actions.click();
  assert.equal(await watchItem().getAttribute('aria-checked'), 'false');
  await watchItem().click();
  await carl.locator('#status').filter({ hasText: 'Sie werden benachrichtigt' }).waitFor();
  // The menu closed and gave the focus back to its button.
  assert.equal(await actions.evaluate((b) => b === document.activeElement), true);
  await actions.click();
  assert.equal(await watchItem().getAttribute('aria-checked'), 'true');
  await carl.keyboard.press('Escape');

  await carl.reload();
  await carl.getByRole('heading', { name: 'Teamübersicht' }).waitFor();
  await actions.click();
  assert.equal(await watchItem().getAttribute('aria-checked'), 'true');
  await carl.keyboard.press('Escape');
  // Nothing fires while she is still busy.
  assert.equal(await carl.locator('#popups [role="alert"]').count(), 0);

  await dora.getByLabel('Status', { exact: true }).selectOption('available');
  await dora.getByRole('button', { name: 'Speichern' }).click();

  const popup = carl.locator('#popups [role="alert"]').filter({ hasText: 'Dora Neu ist jetzt verfügbar.' });
  await popup.waitFor();
  const notes = await carl.evaluate(() => window.__notifications);
  assert.deepEqual(notes.map((n) => n.body), ['Dora Neu ist jetzt verfügbar.']);
  // One-shot: the watch is gone, and the button offered again only when she is not available.
  await row(carl, 'Dora Neu').getByText('Verfügbar').waitFor();
  await actions.click();
  await carl.getByRole('menu').getByRole('menuitem', { name: 'Chat' }).waitFor();
  assert.equal(await watchItem().count(), 0);
  await carl.keyboard.press('Escape');
  await popup.getByRole('button', { name: 'Schließen' }).click();
  assert.equal(await carl.locator('#popups [role="alert"]').count(), 0);
});

test('a chat message goes both ways, with an unread badge until it is read', async () => {
  await carl.getByRole('button', { name: 'Aktionen für Dora Neu' }).first().click();
  await carl.getByRole('menu').getByRole('menuitem', { name: 'Chat' }).click();
  await carl.getByRole('heading', { name: /^Dora Neu/ }).waitFor();
  // Keyboard: type into the composer and press Enter.
  await carl.getByLabel('Nachricht an Dora Neu').focus();
  await carl.keyboard.type('Hast du kurz Zeit, @d.new?');
  await carl.keyboard.press('Enter');
  await carl.locator('#messages li').filter({ hasText: 'Hast du kurz Zeit' }).waitFor();
  assert.equal(await carl.getByLabel('Nachricht an Dora Neu').inputValue(), '');

  // Dora is on the team panel: the navigation counts one unread message.
  const chatLink = dora.getByRole('link', { name: /Chat/ });
  await dora.getByRole('link', { name: /^Chat\W+1 ungelesen$/ }).waitFor();
  await chatLink.click();
  await dora.getByRole('link', { name: /^Carl Clerk\W+1 ungelesen$/ }).click();
  const incoming = dora.locator('#messages li').filter({ hasText: 'Hast du kurz Zeit' });
  await incoming.waitFor();
  assert.equal(await incoming.locator('.mention.mine').textContent(), '@d.new');
  // Read now: the badges are gone.
  await dora.getByRole('link', { name: 'Chat', exact: true }).waitFor();
  await dora.getByRole('link', { name: 'Carl Clerk', exact: true }).waitFor();

  await dora.getByLabel('Nachricht an Carl Clerk').fill('Ja, ruf an.');
  await dora.getByRole('button', { name: 'Senden' }).click();
  await carl.locator('#messages li').filter({ hasText: 'Ja, ruf an.' }).waitFor();
  // Carl had the room open: nothing unread for him.
  await carl.getByRole('link', { name: 'Chat', exact: true }).waitFor();
});

test('a reload in the middle of a conversation misses nothing and shows nothing twice', async () => {
  const roomUrl = dora.url();
  await dora.goto('about:blank');
  for (const text of ['Erste Nachricht während Dora weg ist', 'Zweite Nachricht während Dora weg ist']) {
    await carl.getByLabel('Nachricht an Dora Neu').fill(text);
    await carl.getByRole('button', { name: 'Senden' }).click();
    await carl.locator('#messages li').filter({ hasText: text }).waitFor();
  }
  await dora.goto(roomUrl);
  await dora.locator('#messages li').filter({ hasText: 'Zweite Nachricht' }).waitFor();
  // Once more while she is there: it arrives live after the reload.
  await carl.getByLabel('Nachricht an Dora Neu').fill('Dritte Nachricht, live');
  await carl.getByRole('button', { name: 'Senden' }).click();
  await dora.locator('#messages li').filter({ hasText: 'Dritte Nachricht, live' }).waitFor();
  const texts = await dora.locator('#messages li .text').allTextContents();
  assert.deepEqual(texts, ['Hast du kurz Zeit, @d.new?', 'Ja, ruf an.', 'Erste Nachricht während Dora weg ist',
    'Zweite Nachricht während Dora weg ist', 'Dritte Nachricht, live']);

  // Carl edits and deletes: Dora sees both, in place.
  const own = carl.locator('#messages li').filter({ hasText: 'Dritte Nachricht, live' });
  await own.getByRole('button', { name: /^Bearbeiten/ }).click();
  await carl.getByLabel('Bearbeiten', { exact: true }).fill('Dritte Nachricht, korrigiert');
  await carl.getByRole('button', { name: 'Speichern' }).click();
  await dora.locator('#messages li').filter({ hasText: 'Dritte Nachricht, korrigiert' }).getByText('(bearbeitet)').waitFor();
  carl.once('dialog', (d) => d.accept());
  await carl.locator('#messages li').filter({ hasText: 'Erste Nachricht' }).getByRole('button', { name: /^Löschen/ }).click();
  await dora.locator('#messages li').filter({ hasText: 'Diese Nachricht wurde gelöscht.' }).waitFor();
  assert.equal(await dora.locator('#messages li').count(), 5);
});

test('the pages speak English on request', async () => {
  await carl.getByLabel('Sprache').selectOption('en');
  await carl.getByRole('link', { name: 'Team' }).click();
  await carl.getByRole('heading', { name: 'Team panel' }).waitFor();
  await row(carl, 'Dora Neu').getByText('Available').waitFor();
  await carl.getByRole('link', { name: 'Chat' }).click();
  await carl.getByRole('navigation', { name: 'Rooms' }).waitFor();
  await carl.getByLabel('Language').selectOption('de');
});

test('an idle web client shows its person as away, and input makes her available again', async () => {
  // Dora's browser runs on a clock the test moves forward (the server's idle time is 300 s).
  const context = await browser.newContext();
  await context.addInitScript(recordNotifications);
  const idler = await context.newPage();
  await idler.clock.install();
  await idler.goto(server.url + '/');
  await idler.getByLabel('Benutzername').fill('d.new');
  await idler.getByLabel('Passwort').fill(PASSWORD);
  await idler.getByRole('button', { name: 'Anmelden' }).click();
  await idler.getByRole('heading', { name: 'Teamübersicht' }).waitFor();
  // Her other client (from the tests above) would keep her available: close it first.
  await dora.close();
  await carl.getByRole('link', { name: 'Team' }).click();
  await row(carl, 'Dora Neu').getByText('Verfügbar').waitFor();

  await idler.clock.fastForward('04:00');
  await new Promise((r) => setTimeout(r, 300));
  assert.match(await row(carl, 'Dora Neu').textContent(), /Verfügbar/, 'not idle before 300 s');
  await idler.clock.fastForward('01:05');
  await row(carl, 'Dora Neu').getByText('Abwesend').waitFor();

  await idler.mouse.move(20, 30);
  await idler.keyboard.press('Shift');
  await row(carl, 'Dora Neu').getByText('Verfügbar').waitFor();
  await idler.close();
});
