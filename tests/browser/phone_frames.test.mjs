// The phone's side of the `call.*` frames (docs/realtime-protocol.md, "Calls"), in
// Debian's Chromium with a fake microphone. The page talks to the real server; the test
// stands in the middle of its WebSocket (Playwright's routeWebSocket) and answers the
// call frames as the protocol says the server will: every frame the page sends is
// checked, and the page must follow the states it is told. The real call between two
// browsers through the server is softphone.test.mjs(.pending).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startBrowser, signInOn, violations } from './harness.mjs';

let server; let browser;

before(async () => {
  server = await startServer();
  browser = await startBrowser(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream']);
});
after(async () => { await browser?.close(); await server?.stop(); });

const DORA = { name: 'Dora Neu', number: '2502', login: 'd.new', unit: 'Bauamt' };
const OUTSIDE = { name: null, number: '+4993219281234', login: null, unit: null };

// A signed-in page whose `call.*` frames go to the test instead of the server:
// `sent` holds them, `next(type)` waits for the next of a type, `push(frame)` sends one
// to the page as the server would; `answer(frame)` is the fake server's reply.
async function phonePage(login, answer) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const sent = [];
  const waiting = [];
  let toPage = null;
  await context.routeWebSocket(/\/api\/v1\/ws$/, (ws) => {
    const real = ws.connectToServer();
    toPage = (frame) => ws.send(JSON.stringify(frame));
    real.onMessage((m) => ws.send(m));
    ws.onMessage((m) => {
      const frame = JSON.parse(m);
      if (!String(frame.type).startsWith('call.')) { real.send(m); return; }
      sent.push(frame);
      for (const w of waiting.splice(0)) w();
      for (const reply of answer(frame)) ws.send(JSON.stringify(reply));
    });
  });
  const page = await context.newPage();
  page.on('pageerror', (e) => { throw e; });
  await signInOn(page, server, login);
  // The next `type` frame after those seen so far (fails after 10 s).
  const seenOf = new Map();
  const next = async (type) => {
    const seen = seenOf.get(type) || 0;
    const deadline = Date.now() + 10000;
    while (sent.filter((f) => f.type === type).length <= seen) {
      if (Date.now() > deadline) throw new Error(`no ${type} frame came; sent: ${sent.map((f) => f.type).join(', ')}`);
      await new Promise((r) => { waiting.push(r); setTimeout(r, 200); });
    }
    seenOf.set(type, seen + 1);
    return sent.filter((f) => f.type === type)[seen];
  };
  return { page, sent, next, push: (frame) => toPage(frame) };
}

// The calls of these tests, as the server would describe them in call.state.
const CALLS = { c7: { direction: 'out', peer: DORA }, c8: { direction: 'in', peer: OUTSIDE }, c9: { direction: 'in', peer: DORA } };

// What the server answers: ack (with the call's id for call.dial) and the state that follows.
function fakeServer(frame) {
  const ack = { type: 'ack', ref: frame.ref };
  switch (frame.type) {
    case 'call.dial':
      return [{ ...ack, call: 'c7' }, { type: 'call.state', call: 'c7', state: 'ringing', direction: 'out', peer: DORA, since: new Date().toISOString(), reason: null }];
    case 'call.hold':
      return [ack, { type: 'call.state', call: frame.call, state: frame.on ? 'held' : 'connected', ...CALLS[frame.call], since: new Date().toISOString(), reason: null }];
    default:
      return [ack];
  }
}

const state = (page) => page.getByTestId('call-state');

test('dialling an extension: offer, states, mute, hold, keypad, hang up', async () => {
  const { page, next, push } = await phonePage('c.clerk', fakeServer);
  await page.getByTestId('dial-input').fill('2502');
  await page.getByTestId('dial-call').click();
  const dialled = await next('call.dial');
  assert.equal(dialled.target, '2502');
  assert.match(dialled.sdp, /^v=0\r\n/);
  assert.match(dialled.sdp, /m=audio /);
  assert.match(dialled.sdp, /a=candidate:/, 'the candidates are in the offer (no trickle)');
  assert.ok(dialled.ref !== undefined, 'a ref for the ack');
  await page.locator('[data-testid="call-state"][data-state="ringing"]').waitFor();
  await page.locator('[data-call="c7"] .call-peer').filter({ hasText: 'Dora Neu' }).waitFor();

  push({ type: 'call.state', call: 'c7', state: 'connected', direction: 'out', peer: DORA, since: new Date().toISOString(), reason: null });
  await page.locator('[data-testid="call-state"][data-state="connected"]').waitFor();
  await page.locator('#call-live').filter({ hasText: 'Dora Neu: Verbunden' }).waitFor();
  await page.locator('[data-testid="call-state"] [role="timer"]').filter({ hasText: /^0:0[1-9]$/ }).waitFor();
  assert.deepEqual(await violations(page), [], 'a call in the dock');

  const mute = page.getByTestId('call-mute');
  await mute.click();
  assert.equal(await mute.getAttribute('aria-pressed'), 'true');
  assert.equal(await page.evaluate(() => window.__durchwahlPhone.calls()[0].pc.getSenders()[0].track.enabled), false);
  await mute.click();
  assert.equal(await page.evaluate(() => window.__durchwahlPhone.calls()[0].pc.getSenders()[0].track.enabled), true);

  const hold = page.getByTestId('call-hold');
  await hold.click();
  assert.deepEqual(bare(await next('call.hold')), { type: 'call.hold', call: 'c7', on: true });
  await page.locator('[data-testid="call-state"][data-state="held"]').waitFor();
  assert.equal(await hold.getAttribute('aria-pressed'), 'true');
  await hold.click();
  assert.deepEqual(bare(await next('call.hold')), { type: 'call.hold', call: 'c7', on: false });
  await page.locator('[data-testid="call-state"][data-state="connected"]').waitFor();

  // The keypad sends digits and shows those the other side sends.
  await page.getByRole('button', { name: 'Tastenfeld' }).click();
  await page.getByRole('group', { name: 'Tastenfeld' }).getByRole('button', { name: '5' }).click();
  assert.deepEqual(bare(await next('call.dtmf')), { type: 'call.dtmf', call: 'c7', digits: '5' });
  await page.keyboard.press('#');
  assert.deepEqual(bare(await next('call.dtmf')), { type: 'call.dtmf', call: 'c7', digits: '#' });
  push({ type: 'call.dtmf', call: 'c7', digit: '7' });
  await page.getByText('Empfangen: 7').waitFor();

  // Blind transfer.
  await page.getByTestId('call-transfer').click();
  await page.getByLabel('Weiterleiten an').fill('2301');
  await page.getByRole('button', { name: 'Jetzt weiterleiten' }).click();
  assert.deepEqual(bare(await next('call.transfer')), { type: 'call.transfer', call: 'c7', target: '2301' });

  await page.getByTestId('call-hangup').click();
  assert.deepEqual(bare(await next('call.hangup')), { type: 'call.hangup', call: 'c7' });
  await page.locator('[data-testid="call-state"][data-state="ended"]').filter({ hasText: 'Beendet: aufgelegt' }).waitFor();
  assert.equal(await page.evaluate(() => window.__durchwahlPhone.calls()[0].pc), null, 'the media is closed');
  // The ended call is shown briefly, then gone.
  await page.getByTestId('call-state').waitFor({ state: 'detached', timeout: 8000 });
  await page.context().close();
});

// A frame without its ref (which the page chooses).
function bare(frame) {
  const { ref, ...rest } = frame;
  assert.ok(ref !== undefined, `${frame.type} carries a ref`);
  return rest;
}

test('a refused target ends the call with the reason in words', async () => {
  const refuse = (frame) => (frame.type === 'call.dial'
    ? [{ type: 'error', ref: frame.ref, code: 'not_found', message: 'Diese Nummer gibt es nicht.' }] : [{ type: 'ack', ref: frame.ref }]);
  const { page, next } = await phonePage('c.clerk', refuse);
  await page.getByTestId('dial-input').fill('9999');
  await page.getByTestId('dial-input').press('Enter');
  await next('call.dial');
  await page.locator('[data-testid="call-state"][data-state="ended"]').filter({ hasText: 'Beendet: Nummer nicht gefunden' }).waitFor();
  await page.context().close();
});

// Counts the oscillators the page starts (with their frequencies): the information tones
// of ringtone.js. Loaded again so the spy is in place before the page's own code.
async function spyOnTones(page) {
  await page.addInitScript(() => {
    window.__tones = [];
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function spied(...args) {
      window.__tones.push(this.frequency.value);
      return start.apply(this, args);
    };
  });
  await page.reload();
  await page.getByRole('heading', { name: 'Teamübersicht' }).waitFor();
}

const tones = (page) => page.evaluate(() => window.__tones.splice(0));
const infoTone = (page) => page.evaluate(async () => (await import('/app/phone/ringtone.js')).playingInfoTone());

test('a number that is not allowed: the reason shown and announced, the special information tone; busy: the busy tone', async () => {
  const since = () => new Date().toISOString();
  const answer = (frame) => {
    const ack = { type: 'ack', ref: frame.ref };
    if (frame.type !== 'call.dial') return [ack];
    switch (frame.target) {
      case '00441632960123': // refused at once
        return [{ type: 'error', ref: frame.ref, code: 'forbidden', message: 'Auslandsgespräche sind für Sie nicht freigegeben.' }];
      case '09001234567': // refused later, by the outside line
        return [{ ...ack, call: 'c21' }, { type: 'call.state', call: 'c21', state: 'ended', direction: 'out', peer: OUTSIDE, since: since(), reason: 'forbidden' }];
      case '2502': // busy
        return [{ ...ack, call: 'c22' }, { type: 'call.state', call: 'c22', state: 'ended', direction: 'out', peer: DORA, since: since(), reason: 'busy' }];
      default:
        return [{ ...ack, call: 'c23' }, { type: 'call.state', call: 'c23', state: 'ringing', direction: 'out', peer: OUTSIDE, since: since(), reason: null }];
    }
  };
  const { page, next } = await phonePage('c.clerk', answer);
  await spyOnTones(page);
  const input = page.getByTestId('dial-input');

  await input.fill('00441632960123');
  await input.press('Enter');
  await next('call.dial');
  await page.locator('[data-testid="call-state"][data-state="ended"]').filter({ hasText: 'Beendet: Anruf nicht erlaubt' }).waitFor();
  await page.locator('#call-live').filter({ hasText: 'Beendet: Anruf nicht erlaubt' }).waitFor();
  assert.equal(await infoTone(page), 'forbidden');
  assert.deepEqual(await tones(page), [950, 1400, 1800], 'three rising tones (ITU-T E.180)');
  // Typing the next number cuts the tone short.
  await input.fill('0');
  assert.equal(await infoTone(page), null);

  await input.fill('09001234567');
  await input.press('Enter');
  assert.equal((await next('call.dial')).target, '09001234567');
  await page.locator('[data-call="c21"] [data-state="ended"]').filter({ hasText: 'Beendet: Anruf nicht erlaubt' }).waitFor();
  assert.equal(await infoTone(page), 'forbidden');
  assert.deepEqual(await tones(page), [950, 1400, 1800]);

  // Busy: 425 Hz three times; dialling again (a new action) stops it.
  await input.fill('2502');
  await input.press('Enter');
  assert.equal((await next('call.dial')).target, '2502');
  await page.locator('[data-call="c22"] [data-state="ended"]').filter({ hasText: 'Beendet: besetzt' }).waitFor();
  await page.locator('#call-live').filter({ hasText: 'Dora Neu: Beendet: besetzt' }).waitFor();
  assert.equal(await infoTone(page), 'busy');
  assert.deepEqual(await tones(page), [425, 425, 425]);
  await page.getByRole('button', { name: 'Testanruf' }).click();
  assert.equal((await next('call.dial')).target, '*43');
  assert.equal(await infoTone(page), null, 'the new call stopped the busy tone');
  await page.locator('[data-call="c23"] [data-state="ringing"]').waitFor();
  await page.context().close();
});

test('an incoming call rings without taking the focus; answering, call waiting, attended transfer, reject', async () => {
  const { page, next, push } = await phonePage('c.clerk', fakeServer);
  const filter = page.locator('#panel-filter');
  await filter.focus();
  push({ type: 'call.incoming', call: 'c8', from: OUTSIDE });
  const box = page.getByTestId('incoming-call');
  await box.waitFor();
  await box.getByText('+49 9321 928-1234').waitFor();
  await page.locator('#call-alert').filter({ hasText: 'Eingehender Anruf von +49 9321 928-1234' }).waitFor();
  assert.equal(await filter.evaluate((el) => el === document.activeElement), true, 'the focus stays where it was');
  assert.equal(await page.evaluate(async () => (await import('/app/phone/ringtone.js')).playingTone()), 'ring');
  assert.deepEqual(await violations(page), [], 'an incoming call');
  await page.screenshot({ path: new URL('./screenshots/incoming-1280.png', import.meta.url).pathname });

  await page.getByTestId('call-answer').click();
  const answered = await next('call.answer');
  assert.equal(answered.call, 'c8');
  assert.match(answered.sdp, /m=audio /);
  push({ type: 'call.state', call: 'c8', state: 'connected', direction: 'in', peer: OUTSIDE, since: new Date().toISOString(), reason: null });
  await page.locator('[data-testid="call-state"][data-state="connected"]').waitFor();
  assert.equal(await page.getByTestId('incoming-call').count(), 0);
  assert.equal(await page.evaluate(async () => (await import('/app/phone/ringtone.js')).playingTone()), null);

  // Call waiting: a second call rings during the first; answering it holds the first.
  push({ type: 'call.incoming', call: 'c9', from: DORA });
  await page.getByTestId('incoming-call').getByText('Dora Neu').waitFor();
  await page.getByTestId('call-answer').click();
  assert.deepEqual(bare(await next('call.hold')), { type: 'call.hold', call: 'c8', on: true });
  assert.equal((await next('call.answer')).call, 'c9');
  push({ type: 'call.state', call: 'c9', state: 'connected', direction: 'in', peer: DORA, since: new Date().toISOString(), reason: null });
  await page.locator('[data-call="c9"] [data-state="connected"]').waitFor();
  await page.locator('[data-call="c8"] [data-state="held"]').waitFor();

  // Attended transfer: connect the two other sides.
  await page.locator('[data-call="c9"]').getByRole('button', { name: 'Weiterleiten' }).click();
  await page.getByRole('button', { name: 'Mit +49 9321 928-1234 verbinden' }).click();
  assert.deepEqual(bare(await next('call.transfer')), { type: 'call.transfer', call: 'c9', to_call: 'c8' });
  push({ type: 'call.state', call: 'c9', state: 'ended', direction: 'in', peer: DORA, since: new Date().toISOString(), reason: 'transferred' });
  push({ type: 'call.state', call: 'c8', state: 'ended', direction: 'in', peer: OUTSIDE, since: new Date().toISOString(), reason: 'transferred' });
  await page.locator('[data-call="c8"]').getByText('Beendet: weitergeleitet').waitFor();

  // A third call is rejected; one answered elsewhere just stops ringing.
  push({ type: 'call.incoming', call: 'c10', from: DORA });
  await page.getByTestId('call-reject').click();
  assert.deepEqual(bare(await next('call.reject')), { type: 'call.reject', call: 'c10' });
  push({ type: 'call.incoming', call: 'c11', from: DORA });
  await page.getByTestId('incoming-call').waitFor();
  push({ type: 'call.state', call: 'c11', state: 'ended', direction: 'in', peer: DORA, since: new Date().toISOString(), reason: 'answered_elsewhere' });
  await page.getByTestId('incoming-call').waitFor({ state: 'detached' });
  await page.context().close();
});

test('the dial field finds colleagues by name (combobox) and dials their extension', async () => {
  const { page, next } = await phonePage('c.clerk', fakeServer);
  const input = page.getByRole('combobox', { name: 'Nummer oder Name' });
  await input.fill('Dora');
  const option = page.getByRole('option', { name: /Dora Neu/ });
  await option.waitFor();
  assert.equal(await input.getAttribute('aria-expanded'), 'true');
  await input.press('ArrowDown');
  assert.equal(await input.getAttribute('aria-activedescendant'), await option.getAttribute('id'));
  assert.equal(await option.getAttribute('aria-selected'), 'true');
  assert.deepEqual(await violations(page), [], 'the open list');
  await input.press('Enter');
  assert.equal(await input.inputValue(), 'Dora Neu');
  assert.equal(await input.getAttribute('aria-expanded'), 'false');
  await input.press('Enter');
  assert.equal((await next('call.dial')).target, '2502');
  await page.getByTestId('call-hangup').click();
  await next('call.hangup');

  // "Call" from a colleague's menu on the team panel and from a direct chat.
  await page.getByRole('button', { name: 'Aktionen für Dora Neu' }).click();
  await page.getByRole('menuitem', { name: 'Anrufen (2502)' }).click();
  assert.equal((await next('call.dial')).target, '2502');
  await page.getByTestId('call-hangup').click();
  await next('call.hangup');
  await page.getByRole('button', { name: 'Aktionen für Dora Neu' }).click();
  await page.getByRole('menuitem', { name: 'Chat' }).click();
  await page.getByRole('button', { name: 'Anrufen: Dora Neu' }).click();
  assert.equal((await next('call.dial')).target, 'd.new');
  await page.context().close();
});

test('the call history: empty before the server keeps one, missed calls marked, call back in one click', async () => {
  const { page, next } = await phonePage('c.clerk', fakeServer);
  await page.getByRole('link', { name: 'Anrufe' }).click();
  await page.getByRole('heading', { name: 'Anrufliste' }).waitFor();
  await page.getByText('Noch keine Anrufe.').waitFor();

  await page.route('**/api/v1/me/calls', (route) => route.fulfill({ json: { entries: [
    { id: 2, direction: 'in', peer: OUTSIDE, started_at: '2026-12-06T09:30:00Z', answered: false, duration_seconds: 0 },
    { id: 1, direction: 'out', peer: DORA, started_at: '2026-12-06T09:00:00Z', answered: true, duration_seconds: 75 },
  ] } }));
  await page.reload();
  const missed = page.getByRole('listitem').filter({ hasText: 'Verpasst' });
  await missed.getByText('+49 9321 928-1234').waitFor();
  await page.getByRole('listitem').filter({ hasText: 'Ausgehend' }).getByText('Dauer 1:15').waitFor();
  assert.deepEqual(await violations(page), [], 'call history');
  await page.screenshot({ path: new URL('./screenshots/calls-history-1280.png', import.meta.url).pathname });
  await missed.getByRole('button', { name: 'Zurückrufen: +49 9321 928-1234' }).click();
  assert.equal((await next('call.dial')).target, '+4993219281234');
  await page.context().close();
});
