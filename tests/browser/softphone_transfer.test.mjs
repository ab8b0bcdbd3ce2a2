// Transfers with three real browsers through the server: Carl (c.clerk, 2501, his
// microphone plays 440 Hz), Dora (d.new, 2502, 880 Hz) and Anna (a.admin, 2301, 1250 Hz).
// Carl calls Dora, who passes him on to Anna with the dock's transfer controls: blind
// (Dora types 2301 and leaves, Anna's browser rings) and attended (Dora holds Carl, calls
// Anna, then connects the two). Afterwards Carl and Anna hear each other's tone, and Dora's
// calls have ended as transferred.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, startBrowser, signIn } from './harness.mjs';
import { toneWav, phoneArgs, callState, growing, loudestFrequency } from './call_audio.mjs';

const HZ = { carl: 440, dora: 880, anna: 1250 };
let server; let dir; const browsers = []; let carl; let dora; let anna;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'durchwahl-transfer-'));
  server = await startServer();
  const phone = async (name, login) => {
    const browser = await startBrowser(phoneArgs(toneWav(join(dir, `${name}.wav`), HZ[name])));
    browsers.push(browser);
    return signIn(browser, server, login);
  };
  [carl, dora, anna] = await Promise.all([phone('carl', 'c.clerk'), phone('dora', 'd.new'), phone('anna', 'a.admin')]);
});
after(async () => {
  for (const browser of browsers) await browser.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});
// Each test starts with no call shown (an ended call stays in the dock for 5 s).
beforeEach(async () => {
  for (const page of [carl, dora, anna]) {
    await page.waitForFunction(() => window.__durchwahlPhone.calls().length === 0, null, { timeout: 10000 });
  }
});

// Carl calls Dora and she answers.
async function carlCallsDora() {
  await carl.getByTestId('dial-input').fill('2502');
  await carl.getByTestId('dial-call').click();
  const incoming = dora.getByTestId('incoming-call');
  await incoming.waitFor({ timeout: 15000 });
  await incoming.getByText('Carl Clerk').waitFor();
  await dora.getByTestId('call-answer').click();
  await callState(carl, 'connected');
  await callState(dora, 'connected');
  await growing(dora);
}

// Anna's browser rings with Carl (blind) or Dora (attended) as the caller; she answers.
async function annaAnswers(caller) {
  const incoming = anna.getByTestId('incoming-call');
  await incoming.waitFor({ timeout: 15000 });
  await incoming.getByText(caller).waitFor();
  await anna.getByTestId('call-answer').click();
  await callState(anna, 'connected');
}

// The calls the page's phone shows as not ended: [{ id, state, peer name }].
function liveCalls(page) {
  return page.evaluate(() => window.__durchwahlPhone.calls().filter((c) => c.state !== 'ended')
    .map((c) => ({ id: c.id, state: c.state, media: Boolean(c.pc) })));
}

// Carl and Anna are in one call each, with each other, and hear each other's tone; Dora
// is in no call.
async function carlAndAnnaTalk() {
  await carl.locator('.call-peer').filter({ hasText: 'Anna Admin' }).waitFor();
  await anna.locator('.call-peer').filter({ hasText: 'Carl Clerk' }).waitFor();
  for (const [name, page] of [['Carl', carl], ['Anna', anna]]) {
    const live = await liveCalls(page);
    assert.equal(live.length, 1, `${name}'s browser shows one call, not ${JSON.stringify(live)}`);
    assert.ok(live[0].media, `${name}'s call has its media: ${JSON.stringify(live)}`);
  }
  await callState(carl, 'connected');
  await callState(anna, 'connected');
  await growing(carl);
  await growing(anna);
  const carlHears = await loudestFrequency(carl);
  const annaHears = await loudestFrequency(anna);
  assert.ok(Math.abs(carlHears - HZ.anna) < 30, `Carl hears Anna's ${HZ.anna} Hz, not ${carlHears}`);
  assert.ok(Math.abs(annaHears - HZ.carl) < 30, `Anna hears Carl's ${HZ.carl} Hz, not ${annaHears}`);
  const doraLive = await dora.evaluate(() => window.__durchwahlPhone.calls().filter((c) => c.state !== 'ended').length);
  assert.equal(doraLive, 0, 'Dora is in no call any more');
}

async function hangUp() {
  await carl.getByTestId('call-hangup').click();
  await callState(carl, 'ended');
  await callState(anna, 'ended');
}

test('blind transfer: Dora passes Carl on to 2301, Anna answers, Carl and Anna hear each other', { timeout: 90_000 }, async () => {
  await carlCallsDora();
  await dora.getByTestId('call-transfer').click();
  await dora.getByLabel('Weiterleiten an').fill('2301');
  await dora.getByRole('button', { name: 'Jetzt weiterleiten' }).click();
  await callState(dora, 'ended');
  await dora.getByTestId('call-state').filter({ hasText: 'weitergeleitet' }).waitFor();
  await annaAnswers('Carl Clerk');
  await carlAndAnnaTalk();
  await hangUp();
});

test('attended transfer: Dora holds Carl, calls Anna, connects the two; her calls end', {
  timeout: 90_000,
}, async () => {
  await carlCallsDora();
  // Dora dials Anna: her call with Carl goes on hold by itself.
  await dora.getByTestId('dial-input').fill('2301');
  await dora.getByTestId('dial-call').click();
  await callState(carl, 'held');
  await annaAnswers('Dora Neu');
  await callState(dora, 'connected');
  await growing(anna);
  assert.ok(Math.abs(await loudestFrequency(anna) - HZ.dora) < 30, 'Anna talks with Dora first');

  // On her call with Anna, Dora opens the transfer and connects it with Carl's.
  await dora.getByTestId('call-transfer').click();
  await dora.getByRole('button', { name: 'Mit Carl Clerk verbinden' }).click();
  await dora.waitForFunction(() => window.__durchwahlPhone.calls().every((c) => c.state === 'ended'), null, { timeout: 15000 });
  await carlAndAnnaTalk();
  await hangUp();
});
