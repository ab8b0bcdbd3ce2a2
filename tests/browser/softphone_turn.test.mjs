// A browser call through a real TURN server: Debian's coturn (package coturn, installed
// by scripts/test) runs on loopback with a static user (lt-cred-mech), the server hands
// it to browsers ([media] turn_urls, turn_username, turn_password) and both Chromiums are
// told to use relayed candidates only (the web client's diagnostics switch, localStorage
// "dw-ice-relay-only", see web-client/phone/webrtc.js). Carl (440 Hz) calls Dora (880 Hz):
// the call connects, each hears the other's tone, each side's selected candidate pair has
// a local candidate of type "relay", and coturn's log shows the static user's allocations
// and, once the browsers free them, the call's packets it relayed both ways for each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, startBrowser, signIn } from './harness.mjs';
import { toneWav, phoneArgs, callState, growing, loudestFrequency } from './call_audio.mjs';

const USER = 'durchwahl';
const SECRET = 'turn-Geheimnis-42';
let server; let dir; let turn; let turnLog = ''; let turnPort; const browsers = []; let carl; let dora;

// A UDP port free on loopback now.
function freeUdpPort() {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.on('error', reject);
    socket.bind(0, '127.0.0.1', () => { const { port } = socket.address(); socket.close(() => resolve(port)); });
  });
}

// coturn in the foreground on loopback: no TLS/DTLS, no CLI, no configuration file or
// database of its own (-n, everything in `dir`), relays on loopback ports in a range of
// its own, peers on loopback allowed (the server's media address is 127.0.0.1), the log
// on standard output.
async function startTurn() {
  turnPort = await freeUdpPort();
  const relayFrom = 52000 + Math.floor(Math.random() * 40) * 100;
  turn = spawn('turnserver', ['-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${turnPort}`,
    `--min-port=${relayFrom}`, `--max-port=${relayFrom + 99}`, '--lt-cred-mech', `--user=${USER}:${SECRET}`,
    '--realm=durchwahl.test', '--no-tls', '--no-dtls', '--no-cli', '--allow-loopback-peers', '--fingerprint',
    '--log-file=stdout', '--simple-log', '--verbose', `--pidfile=${join(dir, 'turnserver.pid')}`,
    `--userdb=${join(dir, 'turndb')}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  turn.stdout.on('data', (d) => { turnLog += d; });
  turn.stderr.on('data', (d) => { turnLog += d; });
  const failed = new Promise((_, reject) => {
    turn.once('error', (e) => reject(new Error(`turnserver: ${e.message} (is coturn installed? scripts/test installs it)`)));
    turn.once('exit', (code) => reject(new Error(`turnserver exited with ${code}\n${turnLog}`)));
  });
  const ready = (async () => {
    const deadline = Date.now() + 10000;
    while (!/listener opened on : 127\.0\.0\.1:\d+/i.test(turnLog) || !turnLog.includes('Total General servers')) {
      if (Date.now() > deadline) throw new Error(`turnserver did not start\n${turnLog}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  await Promise.race([ready, failed]);
  failed.catch(() => {}); // its exit at the end is no failure
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'durchwahl-turn-'));
  await startTurn();
  server = await startServer('', null, {
    config: `[media]\nturn_urls = ["turn:127.0.0.1:${turnPort}?transport=udp"]\nturn_username = "${USER}"\nturn_password = "${SECRET}"\n`,
  });
  for (const [name, login, hz] of [['carl', 'c.clerk', 440], ['dora', 'd.new', 880]]) {
    const browser = await startBrowser(phoneArgs(toneWav(join(dir, `${name}.wav`), hz)));
    browsers.push(browser);
    const page = await signIn(browser, server, login);
    await page.evaluate(() => localStorage.setItem('dw-ice-relay-only', '1'));
    if (name === 'carl') carl = page; else dora = page;
  }
});
after(async () => {
  for (const browser of browsers) await browser.close();
  await server?.stop();
  if (turn && turn.exitCode === null && turn.signalCode === null) {
    const exited = new Promise((r) => turn.once('exit', r));
    turn.kill('SIGTERM');
    const timer = setTimeout(() => turn.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// The page's call's selected candidate pair: { local: {type, protocol, address}, remote }.
function selectedPair(page) {
  return page.evaluate(async () => {
    const call = window.__durchwahlPhone.calls().find((c) => c.pc && c.state !== 'ended');
    const stats = await call.pc.getStats();
    let pairId = null;
    stats.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId; });
    const pair = pairId && stats.get(pairId);
    if (!pair) return null;
    const candidate = (id) => {
      const c = stats.get(id);
      return { type: c.candidateType, protocol: c.protocol, address: `${c.address}:${c.port}`, relayProtocol: c.relayProtocol };
    };
    return { state: pair.state, local: candidate(pair.localCandidateId), remote: candidate(pair.remoteCandidateId) };
  });
}

test('a call with relayed candidates only goes through coturn and both hear each other', { timeout: 90_000 }, async () => {
  // The server hands the TURN server to the signed-in browser.
  const ice = await carl.evaluate(async () => (await fetch('/api/v1/me/calls/ice')).json());
  assert.deepEqual(ice.ice_servers, [{ urls: [`turn:127.0.0.1:${turnPort}?transport=udp`], username: USER, credential: SECRET }]);

  await carl.getByTestId('dial-input').fill('2502');
  await carl.getByTestId('dial-call').click();
  const incoming = dora.getByTestId('incoming-call');
  await incoming.waitFor({ timeout: 15000 });
  await dora.getByTestId('call-answer').click();
  await callState(carl, 'connected');
  await callState(dora, 'connected');
  await growing(carl, 15000);
  await growing(dora, 15000);
  const carlHears = await loudestFrequency(carl);
  const doraHears = await loudestFrequency(dora);
  assert.ok(Math.abs(carlHears - 880) < 30, `Carl hears Dora's 880 Hz, not ${carlHears}`);
  assert.ok(Math.abs(doraHears - 440) < 30, `Dora hears Carl's 440 Hz, not ${doraHears}`);

  for (const [name, page] of [['Carl', carl], ['Dora', dora]]) {
    const pair = await selectedPair(page);
    assert.ok(pair, `${name}'s call has a selected candidate pair`);
    assert.equal(pair.state, 'succeeded', `${name}: ${JSON.stringify(pair)}`);
    assert.equal(pair.local.type, 'relay', `${name}'s local candidate is relayed: ${JSON.stringify(pair)}`);
    assert.equal(pair.local.relayProtocol, 'udp', `${name}: ${JSON.stringify(pair)}`);
    assert.equal(pair.remote.type, 'host', `${name}'s far end is the server's host candidate: ${JSON.stringify(pair)}`);
  }
  // coturn authenticated the static user and allocated a relay for each browser.
  const allocations = turnLog.match(/ALLOCATE processed, success/g) ?? [];
  assert.ok(allocations.length >= 2, `two allocations in coturn's log:\n${turnLog}`);
  assert.match(turnLog, new RegExp(`username=<${USER}>, lifetime=`), 'sessions of the static user');
  assert.match(turnLog, /peer 127\.0\.0\.1 lifetime updated/, 'a permission for the server\'s address');
  assert.match(turnLog, /CHANNEL_BIND processed, success/, 'a channel to the server');

  await carl.getByTestId('call-hangup').click();
  await callState(carl, 'ended');
  await callState(dora, 'ended');
  // The browsers free their allocations; coturn logs what each relayed to and from its
  // peer (the server): the calls' packets, both ways, for each browser.
  const carried = () => [...turnLog.matchAll(/peer usage: realm=<[^>]*>, username=<[^>]*>, rp=(\d+), rb=\d+, sp=(\d+)/g)]
    .filter((m) => Number(m[1]) >= 50 && Number(m[2]) >= 50);
  const deadline = Date.now() + 15000;
  while (carried().length < 2) {
    assert.ok(Date.now() < deadline, `coturn relayed both browsers' media:\n${turnLog}`);
    await new Promise((r) => setTimeout(r, 100));
  }
});
