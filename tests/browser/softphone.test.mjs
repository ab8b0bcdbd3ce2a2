// A real call between two browsers through the server (issue 15): Carl (Chromium A, its
// fake microphone plays 440 Hz) dials Dora's extension 2502 (Chromium B, 880 Hz). Both
// sides must receive audio (inbound-rtp bytes grow, audioLevel > 0) and hear the OTHER
// side's tone (the loudest frequency of the remote stream, by an AnalyserNode); hold stops
// the audio both ways and resume brings it back; hanging up ends both.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, startBrowser, signInOn } from './harness.mjs';
import { toneWav, phoneArgs, callState as state, inbound, growing, loudestFrequency } from './call_audio.mjs';

let server; let dir; let carlBrowser; let doraBrowser; let carl; let dora;

async function signedIn(browser, login) {
  const page = await (await browser.newContext()).newPage();
  page.on('pageerror', (e) => { throw e; });
  await signInOn(page, server, login);
  return page;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'durchwahl-softphone-'));
  server = await startServer();
  carlBrowser = await startBrowser(phoneArgs(toneWav(join(dir, 'a-440.wav'), 440)));
  doraBrowser = await startBrowser(phoneArgs(toneWav(join(dir, 'b-880.wav'), 880)));
  carl = await signedIn(carlBrowser, 'c.clerk');
  dora = await signedIn(doraBrowser, 'd.new');
});
after(async () => {
  await carlBrowser?.close();
  await doraBrowser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('Carl calls Dora: both hear the other, hold silences, resume returns, hang up ends both', async () => {
  await carl.getByTestId('dial-input').fill('2502');
  await carl.getByTestId('dial-call').click();
  await state(carl, 'ringing');
  const incoming = dora.getByTestId('incoming-call');
  await incoming.waitFor({ timeout: 15000 });
  await incoming.getByText('Carl Clerk').waitFor();
  await dora.getByTestId('call-answer').click();
  await state(carl, 'connected');
  await state(dora, 'connected');

  await growing(carl);
  await growing(dora);
  const carlHears = await loudestFrequency(carl);
  const doraHears = await loudestFrequency(dora);
  assert.ok(Math.abs(carlHears - 880) < 30, `Carl hears Dora's 880 Hz, not ${carlHears}`);
  assert.ok(Math.abs(doraHears - 440) < 30, `Dora hears Carl's 440 Hz, not ${doraHears}`);

  await carl.getByTestId('call-hold').click();
  await state(carl, 'held');
  await state(dora, 'held');
  await carl.waitForTimeout(500); // packets already on their way
  for (const page of [carl, dora]) {
    const before = await inbound(page);
    await page.waitForTimeout(1000);
    const after = await inbound(page);
    assert.ok(after.bytes - before.bytes < 500, `no audio while held (${before.bytes} → ${after.bytes})`);
  }

  await carl.getByTestId('call-hold').click();
  await state(carl, 'connected');
  await state(dora, 'connected');
  await growing(carl);
  await growing(dora);

  await carl.getByTestId('call-hangup').click();
  await state(carl, 'ended');
  await state(dora, 'ended');
  await dora.getByTestId('call-state').filter({ hasText: 'Beendet: aufgelegt' }).waitFor();
});
