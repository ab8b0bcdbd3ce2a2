// Text that people wrote is shown isolated (UAX #9), so a right-to-left override in a
// name or message cannot reverse the page around it: in Debian's Chromium, the words after
// an isolated override still read left to right, and names on the team panel, a message,
// its file name and the room title each sit in an isolating element.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startBrowser, signInOn } from './harness.mjs';

let server; let browser; let page;

before(async () => {
  server = await startServer();
  browser = await startBrowser();
  page = await (await browser.newContext()).newPage();
  page.on('pageerror', (e) => { throw e; });
  await signInOn(page, server, 'c.clerk');
});
after(async () => { await browser?.close(); await server?.stop(); });

test('an override inside userText does not reverse the words after it', async () => {
  const order = await page.evaluate(async () => {
    const { h, userText } = await import('/app/dom.js');
    // Whether "Ende" after the text reads left to right (its E left of its final e).
    const endeReadsLeftToRight = (inner) => {
      const line = h('p', {}, inner, ' Ende');
      document.body.append(line);
      const text = line.lastChild;
      const at = (i) => { const r = document.createRange(); r.setStart(text, i); r.setEnd(text, i + 1); return r.getBoundingClientRect().left; };
      const ltr = at(1) < at(4);
      line.remove();
      return ltr;
    };
    return {
      isolated: endeReadsLeftToRight(userText('\u202Egnp.exe')),
      plain: endeReadsLeftToRight(h('span', {}, '\u202Egnp.exe')),
    };
  });
  assert.deepEqual(order, { isolated: true, plain: false }, 'without the isolate the override runs on');
});

test('names on the team panel, a message, its file name and the room title are isolated', async () => {
  const name = await page.evaluate(() => {
    const cell = [...document.querySelectorAll('#panel-lists .person-name')].find((c) => c.textContent.includes('Dora Neu'));
    const bdi = cell && cell.querySelector('bdi');
    return bdi ? [bdi.textContent, getComputedStyle(bdi).unicodeBidi] : null;
  });
  assert.deepEqual(name, ['Dora Neu', 'isolate']);
  await page.getByRole('button', { name: 'Aktionen für Dora Neu' }).first().click();
  await page.getByRole('menu').getByRole('menuitem', { name: 'Chat' }).click();
  await page.getByRole('heading', { name: /^Dora Neu/ }).waitFor();
  await page.getByLabel('Nachricht an Dora Neu').fill('مرحبا Dora, anbei der Bericht');
  await page.setInputFiles('#chat-file', { name: 'Bericht.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF') });
  await page.getByRole('button', { name: 'Senden' }).click();
  const item = page.locator('#messages li').filter({ hasText: 'anbei der Bericht' });
  await item.waitFor();
  const isolation = await page.evaluate(() => {
    const mode = (el) => (el ? getComputedStyle(el).unicodeBidi : 'missing');
    const li = [...document.querySelectorAll('#messages li')].find((l) => l.textContent.includes('anbei'));
    return {
      text: mode(li.querySelector('.text')),
      textDir: li.querySelector('.text').getAttribute('dir'),
      file: mode(li.querySelector('.attachment bdi')),
      title: mode(document.querySelector('#room-h bdi')),
      roomLink: mode(document.querySelector('nav.rooms a[aria-current="page"] bdi')),
    };
  });
  assert.deepEqual(isolation, { text: 'plaintext', textDir: 'auto', file: 'isolate', title: 'isolate', roomLink: 'isolate' });
  await item.getByText('Anhang: Bericht.pdf').waitFor();
});
