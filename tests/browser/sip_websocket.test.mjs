// SIP over WebSocket (RFC 7118) with Debian's Chromium as the softphone's transport: a page
// opens ws://…/sip with the "sip" subprotocol, registers its device with a SHA-256 digest
// (RFC 8760, computed with the browser's own WebCrypto) and answers a call that sipp, a
// desk phone over UDP, places to its person's extension — through Durchwahl's proxy, back
// and forth over the one WebSocket. A handshake without the subprotocol is refused, and
// once the page's socket is closed the extension is unreachable again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, startBrowser } from './harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const scenario = (name) => (name.startsWith('/') ? name : join(root, 'tests', 'sip', 'scenarios', name));

// Runs in the page: a minimal SIP user agent over the page's WebSocket. Registers `device`
// and answers one call with 200, then waits for its ACK and BYE. Resolves to what it saw.
async function browserPhone({ wsUrl, device }) {
  const log = [];
  const ws = new WebSocket(wsUrl, 'sip');
  const inbox = [];
  let waiting = null;
  ws.onmessage = (event) => {
    inbox.push(event.data);
    if (waiting) { const w = waiting; waiting = null; w(); }
  };
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error('no WebSocket')); });
  log.push(`protocol ${ws.protocol}`);
  const next = async (what) => {
    const deadline = Date.now() + 15000;
    for (;;) {
      const i = inbox.findIndex(what);
      if (i >= 0) return inbox.splice(i, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; seen: ${log.join(' | ')}; inbox: ${inbox.join(' || ')}`);
      await new Promise((r) => { waiting = r; setTimeout(r, left); });
    }
  };
  const headerOf = (msg, name) => msg.split('\r\n').filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`)).map((l) => l.slice(name.length + 1).trim());
  const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
  const sha256 = async (text) => hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  const host = `${Math.random().toString(36).slice(2, 12)}.invalid`;
  const contact = `sip:${device.sip_username}@${host};transport=ws`;
  const aor = `sip:${device.sip_username}@${device.domain}`;
  const register = (cseq, authorization) => [
    `REGISTER sip:${device.domain} SIP/2.0`,
    `Via: SIP/2.0/WS ${host};branch=z9hG4bK${Math.random().toString(36).slice(2)}`,
    'Max-Forwards: 70',
    `From: <${aor}>;tag=browser`,
    `To: <${aor}>`,
    'Call-ID: browser-registration',
    `CSeq: ${cseq} REGISTER`,
    `Contact: <${contact}>;expires=600`,
    ...(authorization ? [`Authorization: ${authorization}`] : []),
    'Content-Length: 0', '', ''].join('\r\n');

  ws.send(register(1));
  const challenged = await next((m) => m.startsWith('SIP/2.0 401'));
  const challenge = headerOf(challenged, 'WWW-Authenticate').find((c) => /algorithm=SHA-256/i.test(c));
  if (!challenge) throw new Error(`no SHA-256 challenge: ${challenged}`);
  const param = (name) => (new RegExp(`${name}="?([^",]+)"?`, 'i').exec(challenge) || [])[1];
  const [realm, nonce, opaque] = [param('realm'), param('nonce'), param('opaque')];
  const uri = `sip:${device.domain}`;
  const cnonce = 'c0ffee42';
  const ha1 = await sha256(`${device.sip_username}:${realm}:${device.sip_password}`);
  const ha2 = await sha256(`REGISTER:${uri}`);
  const response = await sha256(`${ha1}:${nonce}:00000001:${cnonce}:auth:${ha2}`);
  const authorization = `Digest username="${device.sip_username}", realm="${realm}", nonce="${nonce}", uri="${uri}", ` +
    `response="${response}", algorithm=SHA-256, cnonce="${cnonce}", qop=auth, nc=00000001` + (opaque ? `, opaque="${opaque}"` : '');
  ws.send(register(2, authorization));
  const registered = await next((m) => /^SIP\/2\.0 \d+/.test(m) && m.includes('CSeq: 2 REGISTER'));
  log.push(registered.split('\r\n')[0]);
  if (!registered.startsWith('SIP/2.0 200')) return log;
  window.registered = true;

  // A call arrives: ring, then answer with a 200 that keeps the Record-Route.
  const invite = await next((m) => m.startsWith('INVITE '));
  log.push(invite.split('\r\n')[0]);
  log.push(`top via ${headerOf(invite, 'Via')[0].split(';')[0]}`);
  const dialog = ['Via', 'Record-Route', 'From', 'Call-ID', 'CSeq'].flatMap((h) => headerOf(invite, h).map((v) => `${h}: ${v}`));
  const to = `${headerOf(invite, 'To')[0]};tag=browser-answers`;
  const sdp = ['v=0', `o=- 1 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 40000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');
  const answer = (status, body) => [`SIP/2.0 ${status}`, ...dialog, `To: ${to}`, `Contact: <${contact}>`,
    ...(body ? ['Content-Type: application/sdp'] : []), `Content-Length: ${new TextEncoder().encode(body).length}`, '', body].join('\r\n');
  ws.send(answer('180 Ringing', ''));
  ws.send(answer('200 OK', sdp));
  const ack = await next((m) => m.startsWith('ACK '));
  log.push(ack.split('\r\n')[0]);
  const bye = await next((m) => m.startsWith('BYE '));
  log.push(bye.split('\r\n')[0]);
  const byeDialog = ['Via', 'From', 'To', 'Call-ID', 'CSeq'].flatMap((h) => headerOf(bye, h).map((v) => `${h}: ${v}`));
  ws.send(['SIP/2.0 200 OK', ...byeDialog, 'Content-Length: 0', '', ''].join('\r\n'));
  window.phoneSocket = ws;
  return log;
}

function sipp(dir, name, file, server, args) {
  const r = spawnSync('timeout', ['-k', '5', '60', 'sipp', '-sf', scenario(file), '-i', '127.0.0.1', '-p', '0',
    '-nostdin', '-timeout', '30s', '-timeout_error', '-recv_timeout', '10000',
    '-trace_err', '-error_file', join(dir, `${name}.err`), ...args, server], { stdio: ['ignore', 'ignore', 'pipe'] });
  const errors = existsSync(join(dir, `${name}.err`)) ? readFileSync(join(dir, `${name}.err`), 'utf8') : '';
  return { status: r.status, errors: `${r.stderr}\n${errors}` };
}

test('a browser registers over SIP WebSocket and answers a desk phone\'s call', { timeout: 120_000 }, async () => {
  const server = await startServer('', (cli) => {
    for (const login of ['b.user', 'c.clerk']) cli(['users', 'enable', 'softphone', '--login', login]);
    return {
      device: JSON.parse(cli(['phones', 'add', 'b.user', '--label', 'Browser', '--json'])),
      desk: JSON.parse(cli(['phones', 'add', 'c.clerk', '--label', 'Tischtelefon', '--json'])),
    };
  });
  const browser = await startBrowser();
  try {
    const { device, desk } = server.prepared;
    assert.ok(server.sip, 'the server printed its SIP address');
    const dir = mkdtempSync(join(tmpdir(), 'durchwahl-sipws-'));
    writeFileSync(join(dir, 'desk.csv'), `SEQUENTIAL\n${desk.sip_username};${desk.sip_password}\n`);
    const common = ['-inf', join(dir, 'desk.csv'), '-key', 'domain', desk.domain, '-m', '1'];

    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    const wsUrl = `${server.url.replace(/^http/, 'ws')}/sip`;

    // Without the "sip" subprotocol the handshake is refused (RFC 7118 §4).
    const refused = await page.evaluate((url) => new Promise((resolve) => {
      const ws = new WebSocket(url);
      ws.onopen = () => resolve('open');
      ws.onerror = () => resolve('refused');
    }), wsUrl);
    assert.equal(refused, 'refused');

    const phone = page.evaluate(browserPhone, { wsUrl, device });
    await page.waitForFunction(() => window.registered === true, null, { timeout: 15_000 })
      .catch(async (e) => { throw new Error(`not registered: ${JSON.stringify(await phone.catch((x) => x.message))} ${e}`); });
    // The desk phone (sipp over UDP, digest-authenticated) calls b.user's extension.
    const call = sipp(dir, 'call', 'uac_call.xml', server.sip, [...common, '-s', device.extension, '-d', '200']);
    const log = await phone;
    assert.equal(call.status, 0, `sipp's call: ${call.errors}\nbrowser: ${log.join(' | ')}`);
    assert.deepEqual(log.slice(0, 2), ['protocol sip', 'SIP/2.0 200 OK']);
    assert.match(log[2], /^INVITE sip:[^ ]+\.invalid;transport=ws SIP\/2\.0$/, 'to the registered Contact');
    assert.equal(log[3], 'top via SIP/2.0/WS 127.0.0.1:' + server.sip.split(':')[1], 'the proxy sent it over WS');
    assert.match(log[4], /^ACK sip:[^ ]+\.invalid;transport=ws SIP\/2\.0$/);
    assert.match(log[5], /^BYE sip:[^ ]+\.invalid;transport=ws SIP\/2\.0$/);

    // The page closes its socket: the registration ends with it and nothing rings into the
    // closed socket; b.user's voicemail box answers the desk phone instead (issue 17).
    await page.evaluate(() => new Promise((resolve) => { window.phoneSocket.onclose = resolve; window.phoneSocket.close(); }));
    let boxed;
    for (let i = 0; i < 50; i++) {
      boxed = sipp(dir, `box-${i}`, 'uac_call.xml', server.sip, [...common, '-s', device.extension, '-d', '200']);
      if (boxed.status === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(boxed.status, 0, `after the socket closed, the box answers: ${boxed.errors}`);
  } finally {
    await browser.close();
    await server.stop();
  }
});
