// The browser phone and a real desk phone call each other through the server: Carl's
// Chromium (c.clerk, 2501, fake microphone at 440 Hz) and Debian's baresip registered as
// Bärbel's desk phone (b.user, 2401, sending a 1000 Hz tone from a file and recording what
// it hears). The call crosses the server's SIP switch as G.711 and its media relay; each
// side must hear the other's tone: the browser by getStats and the loudest frequency of
// its remote stream, baresip by Goertzel over its recording. Then baresip calls the
// browser (which rings with Bärbel's name), and the browser's keypad sends digits that
// baresip reports as received RFC 4733 telephone-events (and a digit from baresip shows
// on the keypad as received).
//
// baresip 1.0 (Debian 12) gives up on a 401 with a SHA-256 challenge: the server runs with
// `[sip] offer_sha256 = false`, as crates/server/tests/baresip_call.rs explains.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, startBrowser, signIn } from './harness.mjs';
import { toneWav, phoneArgs, callState, growing, loudestFrequency, toneIn, receivedCodec } from './call_audio.mjs';
import { startBaresip } from './baresip.mjs';

const BROWSER_HZ = 440;
const DESK_HZ = 1000;
const CANDIDATES = [BROWSER_HZ, DESK_HZ, 700, 1400, 2000];
let server; let dir; let browser; let carl; let desk; let runs = 0;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'durchwahl-baresip-'));
  server = await startServer('', (cli) => {
    cli(['users', 'enable', 'softphone', '--login', 'b.user']);
    return JSON.parse(cli(['phones', 'add', 'b.user', '--label', 'Tischtelefon', '--json']));
  }, { config: '[sip]\noffer_sha256 = false\n' });
  browser = await startBrowser(phoneArgs(toneWav(join(dir, 'carl-440.wav'), BROWSER_HZ)));
  carl = await signIn(browser, server, 'c.clerk');
  toneWav(join(dir, 'desk-1000.wav'), DESK_HZ, { rate: 8000 });
});
afterEach(async () => { await desk?.stop(); desk = null; });
after(async () => {
  await desk?.stop();
  await browser?.close();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// A freshly registered baresip for Bärbel's device, in its own folder.
async function deskPhone() {
  runs += 1;
  desk = startBaresip(join(dir, `desk-${runs}`), server.prepared, server.sip, join(dir, 'desk-1000.wav'));
  await desk.waitFor('registered successfully');
  return desk;
}

// Both sides hear the other's tone: the browser baresip's 1000 Hz, baresip Carl's 440 Hz;
// the browser's leg carries G.711 (what the phone speaks, no transcoding in the relay).
async function bothHearEachOther() {
  await growing(carl);
  assert.match(await receivedCodec(carl) ?? '', /^audio\/PCM[AU]$/i, 'G.711 towards the browser');
  const carlHears = await loudestFrequency(carl);
  assert.ok(Math.abs(carlHears - DESK_HZ) < 30, `Carl hears the desk phone's ${DESK_HZ} Hz, not ${carlHears}`);
  const recording = await desk.recorded(3);
  const heard = toneIn(recording, CANDIDATES);
  assert.equal(heard.loudest, BROWSER_HZ, `the desk phone hears Carl's ${BROWSER_HZ} Hz: ${JSON.stringify(heard)}`);
  assert.ok(heard.amplitudes[BROWSER_HZ] > 1000, `loud enough: ${JSON.stringify(heard)}`);
}

test('the browser calls a baresip desk phone: G.711 through the relay, both hear the other', { timeout: 90_000 }, async () => {
  await deskPhone();
  await carl.getByTestId('dial-input').fill('2401');
  await carl.getByTestId('dial-call').click();
  await callState(carl, 'connected');
  await desk.waitFor('Call established');
  await bothHearEachOther();

  await carl.getByTestId('call-hangup').click();
  await callState(carl, 'ended');
  await desk.waitFor('terminated');
});

test('baresip calls the browser: it rings with Bärbel\'s name, is answered, both hear the other', { timeout: 90_000 }, async () => {
  await deskPhone();
  desk.command('/dial 2501');
  const incoming = carl.getByTestId('incoming-call');
  await incoming.waitFor({ timeout: 15000 });
  await incoming.getByText('Bärbel Böhm').waitFor();
  await carl.getByTestId('call-answer').click();
  await callState(carl, 'connected');
  await desk.waitFor('Call established');
  await bothHearEachOther();

  desk.command('/hangup');
  await callState(carl, 'ended');
});

// The digits baresip reports as received telephone-events (RFC 4733), once per event's
// end: its log line is `received event: '5' (end=1)`.
function digitsHeard(output) {
  return [...output.matchAll(/received event: '(.)' \(end=1\)/g)].map((m) => m[1]).join('');
}

test('the keypad sends digits that baresip receives as RFC 4733 events, and back', { timeout: 90_000 }, async () => {
  await deskPhone();
  await carl.getByTestId('dial-input').fill('2401');
  await carl.getByTestId('dial-call').click();
  await callState(carl, 'connected');
  await desk.waitFor('Call established');
  await growing(carl);

  await carl.getByTestId('call-keypad').click();
  const pad = carl.getByRole('group', { name: 'Tastenfeld' });
  // One key at a time, each after the previous event ended (an event lasts about 100 ms).
  const digits = ['1', '5', '#', '0', '*', '9'];
  for (const [i, k] of digits.entries()) {
    await pad.getByRole('button', { name: k, exact: true }).click();
    await desk.waitFor((output) => digitsHeard(output).length > i);
  }
  await carl.waitForTimeout(500);
  assert.equal(digitsHeard(desk.output()), digits.join(''), 'each digit once, in order');
  await carl.locator('.dtmf-digits output').first().filter({ hasText: digits.join('') }).waitFor();

  // baresip sends a digit (a key on its menu during the call): the keypad shows it received.
  desk.command('7');
  await carl.locator('.dtmf-digits output').nth(1).filter({ hasText: '7' }).waitFor({ timeout: 10000 });

  await carl.getByTestId('call-hangup').click();
  await callState(carl, 'ended');
  await desk.waitFor('terminated');
});
