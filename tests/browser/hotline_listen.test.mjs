// Listening in and whispering (call.listen) in the web client, in Debian's Chromium against
// the real server, with the hotline of hotline_world.mjs (agent Bärbel, b.user; supervisor
// Dora, d.new; Anna, a.admin, made a second supervisor here). Carl (c.clerk) calls the
// hotline from his browser and Bärbel answers in hers. While listening is off, Dora's
// wallboard has no buttons and a `call.listen` is refused in the server's words. Anna
// switches it on on the hotline's admin page (the staff council's hint beside it) and it
// reads back. The buttons follow Anna's switch by the API within seconds, from the
// `queue.board` frame alone (the board's fetch blocked), without a reload. Then the
// buttons come and go with Bärbel's conversation, live; Dora listens in (the phone shows
// the call connected, no microphone asked for: the offer only receives, audio arriving),
// Anna at 375 px is told that someone listens already, Dora hangs up, whispers (now with
// the microphone), switches back and forth with the buttons (toggles), and a whisper ends
// with the conversation. Without a microphone allowed Dora still listens in, and is told
// why she cannot whisper. English, axe on the wallboard with the buttons and on the admin
// page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { violations } from './harness.mjs';
import { callState, growing } from './call_audio.mjs';
import { NAME, startHotlineWorld, shot, fitsWidth } from './hotline_world.mjs';

const shots = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');

let world; let hotline; let open; let call; let visit;

before(async () => {
  world = await startHotlineWorld();
  ({ hotline, open, call, visit } = world);
  const admin = await open('a.admin');
  const made = await call(admin, 'PUT', `/api/v1/admin/hotlines/${hotline}/supervisors`, ['d.new', 'a.admin']);
  assert.equal(made.status, 200, JSON.stringify(made.data));
  await admin.context().close();
});
after(async () => { await world?.stop(); });

const agentState = (page, value) => page.locator(`[data-testid="hotline-state"][data-state="${value}"]`).waitFor({ timeout: 15000 });
const boardAgent = (page, name) => page.getByTestId('wallboard-agents').locator('li[data-agent]').filter({ hasText: name });
const listenButtons = (page) => page.getByTestId('wallboard-agents').getByRole('button', { name: /^(Mithören|Flüstern)/ });

// Counts the page's requests for a microphone from now on (`media`'s `asked`); with
// `refuse`, every request is refused as a browser without the permission does.
function countMicrophones(page, refuse = false) {
  return page.evaluate((no) => {
    const devices = navigator.mediaDevices;
    const real = devices.getUserMedia.bind(devices);
    window.__microphones = 0;
    devices.getUserMedia = (constraints) => {
      window.__microphones += 1;
      return no ? Promise.reject(new DOMException('Permission denied', 'NotAllowedError')) : real(constraints);
    };
  }, refuse);
}

// The microphone requests counted, and the directions of the live call's transceivers.
const media = (page) => page.evaluate(() => {
  const call = window.__durchwahlPhone.calls().find((c) => c.pc && c.state !== 'ended');
  return { asked: window.__microphones, directions: call ? call.pc.getTransceivers().map((tr) => tr.direction) : [] };
});

// Bärbel is ready on the agent panel.
async function agentReady() {
  const agent = await open('b.user');
  await visit(agent, '/hotline', 'Hotline');
  await agent.locator('[data-testid="hotline-state"]').waitFor();
  if (await agent.getByTestId('hotline-login').count()) await agent.getByTestId('hotline-login').click();
  await agentState(agent, 'ready');
  return agent;
}

// Carl calls the hotline from his browser and Bärbel answers: the conversation.
async function conversation(agent) {
  const caller = await open('c.clerk');
  await caller.getByTestId('dial-input').fill('2900');
  await caller.getByTestId('dial-call').click();
  await agent.getByTestId('incoming-call').waitFor({ timeout: 30000 });
  await agent.getByTestId('call-answer').click();
  await callState(agent, 'connected', 20000);
  await callState(caller, 'connected', 20000);
  return caller;
}

// Bärbel hangs up and ends the wrap-up; Carl's call has ended.
async function endConversation(agent, caller) {
  await agent.locator('#phone-dock').getByTestId('call-hangup').click();
  await callState(caller, 'ended');
  await visit(agent, '/hotline', 'Hotline');
  await agent.getByTestId('hotline-end-wrap-up').click();
  await agentState(agent, 'ready');
  await caller.context().close();
}

test('while listening is off: no buttons on the wallboard, and a call.listen is refused', async () => {
  const supervisor = await open('d.new');
  await visit(supervisor, `/hotline/${hotline}/board`, `Wandtafel: ${NAME}`);
  const agent = await agentReady();
  const caller = await conversation(agent);
  const bärbel = boardAgent(supervisor, 'Bärbel Böhm');
  await bärbel.and(supervisor.locator('[data-state="on_call"]')).waitFor();
  assert.equal(await listenButtons(supervisor).count(), 0, 'no buttons while it is off');
  assert.equal(await supervisor.locator('#hl-listen-hint').count(), 0);

  // The phone's listen() anyway: the server refuses, the phone shows its words, no tone.
  const agentId = Number(await bärbel.getAttribute('data-agent'));
  const refused = await supervisor.evaluate(async ([h, a]) => {
    const phone = await import('/app/phone/phone.js');
    const c = await phone.listen(h, a, 'listen', 'Bärbel Böhm');
    return { state: c.state, reason: c.reason, message: c.message };
  }, [hotline, agentId]);
  assert.deepEqual(refused, { state: 'ended', reason: 'forbidden', message: 'Mithören und Flüstern sind für diese Hotline nicht freigegeben.' });
  await supervisor.locator('#phone-dock section.call.ended').filter({ hasText: 'Beendet: Mithören und Flüstern sind für diese Hotline nicht freigegeben.' }).waitFor();
  assert.equal(await supervisor.locator('#phone-dock section.call.ended strong').textContent(), 'Mithören: Bärbel Böhm');

  await endConversation(agent, caller);
  await agent.context().close();
  await supervisor.context().close();
});

test('the admin switches listening on, with the staff council\'s hint, and it reads back', async () => {
  const admin = await open('a.admin');
  await visit(admin, `/admin/hotlines/${hotline}`, `Hotline: ${NAME}`);
  const detail = async () => (await call(admin, 'GET', `/api/v1/admin/hotlines/${hotline}`)).data;
  assert.equal((await detail()).listening, false, 'off by default');
  await admin.getByRole('navigation', { name: 'Inhalt dieser Seite' }).getByRole('link', { name: 'Mithören und Flüstern' }).click();
  assert.equal(await admin.evaluate(() => document.activeElement.id), 'hle-listening-h');
  const section = admin.getByRole('region', { name: 'Mithören und Flüstern' });
  const allow = section.getByRole('checkbox', { name: 'Mithören und Flüstern für Supervisoren erlauben' });
  assert.equal(await allow.isChecked(), false);
  const described = await allow.evaluate((el) => el.getAttribute('aria-describedby').split(' ').map((id) => document.getElementById(id).textContent).join(' '));
  assert.equal(described, 'Nur mit Zustimmung des Personalrats. Jedes Mithören wird protokolliert; der Agent hört einen Hinweiston.');

  await allow.check();
  await section.getByRole('button', { name: 'Freigabe speichern' }).click();
  await admin.locator('#hle-listening-status').filter({ hasText: 'Mithören und Flüstern sind erlaubt.' }).waitFor();
  assert.equal((await detail()).listening, true);
  // The other settings leave it as it is.
  await admin.getByRole('button', { name: 'Einstellungen speichern' }).click();
  await admin.locator('#hle-settings-status').filter({ hasText: 'Die Einstellungen sind gespeichert.' }).waitFor();
  assert.equal((await detail()).listening, true, 'saving the settings keeps it');
  assert.deepEqual(await violations(admin), [], 'admin page with the switch');
  await admin.locator('#hle-sec-listening').screenshot({ path: join(shots, 'hotline-listen-admin-1280.png') });

  // Read back on a fresh page; at 375 px it fits.
  await admin.context().close();
  const narrow = await open('a.admin', 375);
  await visit(narrow, `/admin/hotlines/${hotline}`, `Hotline: ${NAME}`);
  assert.equal(await narrow.getByRole('checkbox', { name: 'Mithören und Flüstern für Supervisoren erlauben' }).isChecked(), true, 'reads back');
  assert.ok(await fitsWidth(narrow), 'hotline page at 375 px');
  await narrow.context().close();
  // Switching it is audited.
  const auditor = await open('a.admin');
  const log = await call(auditor, 'GET', '/api/v1/admin/audit?action=hotline.listening');
  assert.equal(log.status, 200, JSON.stringify(log.data));
  assert.ok(JSON.stringify(log.data).includes('hotline.listening.on'), JSON.stringify(log.data));
  await auditor.context().close();
});

test('the buttons follow the administrator\'s switch live, from the board frame alone', async () => {
  const supervisor = await open('d.new');
  await visit(supervisor, `/hotline/${hotline}/board`, `Wandtafel: ${NAME}`);
  await supervisor.evaluate(() => { window.__sameBoard = true; });
  const agent = await agentReady();
  const caller = await conversation(agent);
  const listenIn = supervisor.getByRole('button', { name: 'Mithören bei Bärbel Böhm' });
  await listenIn.waitFor();
  // The board is not fetched any more from here on: only `queue.board` frames can tell.
  let fetched = 0;
  await supervisor.route('**/api/v1/hotlines/*/board', (route) => { fetched += 1; return route.abort(); });
  const admin = await open('a.admin');
  const turn = async (on) => {
    const r = await call(admin, 'PUT', `/api/v1/admin/hotlines/${hotline}/listening`, { on });
    assert.equal(r.status, 200, JSON.stringify(r.data));
  };
  // What the live region says, kept (a later announcement may replace one).
  await supervisor.evaluate(() => {
    window.__said = [];
    const status = document.getElementById('status');
    new MutationObserver(() => { if (status.textContent) window.__said.push(status.textContent); }).observe(status, { childList: true, characterData: true, subtree: true });
  });
  const said = (text) => supervisor.waitForFunction((x) => window.__said.includes(x), text, { timeout: 3000 });

  await turn(false);
  await listenButtons(supervisor).first().waitFor({ state: 'detached', timeout: 3000 });
  assert.equal(await supervisor.locator('#hl-listen-hint').count(), 0);
  await said('Mithören und Flüstern sind jetzt ausgeschaltet.');

  const switched = Date.now();
  await turn(true);
  await listenIn.waitFor({ timeout: 3000 });
  assert.ok(Date.now() - switched < 3000, 'within a couple of seconds');
  assert.equal(await supervisor.getByRole('button', { name: 'Flüstern zu Bärbel Böhm' }).count(), 1);
  assert.equal(await supervisor.locator('#hl-listen-hint').textContent(), 'Mithören und Flüstern werden protokolliert; der Agent hört einen Hinweiston.');
  await said('Mithören und Flüstern sind jetzt erlaubt.');
  assert.ok(fetched >= 1, 'the frames asked for the figures too (and were refused here)');
  assert.equal(await supervisor.evaluate(() => window.__sameBoard), true, 'no reload');
  await supervisor.unroute('**/api/v1/hotlines/*/board');

  await admin.context().close();
  await endConversation(agent, caller);
  await agent.context().close();
  await supervisor.context().close();
});

test('the supervisor listens in from the wallboard, hangs up, whispers, switches; it ends with the conversation', async () => {
  const supervisor = await open('d.new');
  await visit(supervisor, `/hotline/${hotline}/board`, `Wandtafel: ${NAME}`);
  await supervisor.evaluate(() => { window.__sameBoard = true; });
  const agent = await agentReady();
  const bärbel = boardAgent(supervisor, 'Bärbel Böhm');
  await bärbel.and(supervisor.locator('[data-state="ready"]')).waitFor();
  assert.equal(await listenButtons(supervisor).count(), 0, 'no buttons for a ready agent');
  assert.equal(await supervisor.locator('#hl-listen-hint').textContent(), 'Mithören und Flüstern werden protokolliert; der Agent hört einen Hinweiston.');

  // The conversation begins: the buttons come without a reload, named with the agent.
  const caller = await conversation(agent);
  const listenIn = supervisor.getByRole('button', { name: 'Mithören bei Bärbel Böhm' });
  const whisper = supervisor.getByRole('button', { name: 'Flüstern zu Bärbel Böhm' });
  await listenIn.waitFor();
  assert.equal(await listenIn.textContent(), 'Mithören');
  assert.equal(await whisper.textContent(), 'Flüstern');
  assert.deepEqual([await listenIn.getAttribute('aria-pressed'), await whisper.getAttribute('aria-pressed')], ['false', 'false']);
  assert.equal(await supervisor.evaluate(() => window.__sameBoard), true, 'no reload');
  assert.deepEqual(await violations(supervisor), [], 'wallboard with the listening buttons');
  await shot(supervisor, 'hotline-listen-board-1280.png');

  // Listening in: a call in the phone, connected, no microphone asked for (the offer only
  // receives), audio arriving.
  const dock = supervisor.locator('#phone-dock');
  const live = dock.locator('section.call:not(.ended)');
  const mine = () => supervisor.evaluate(() => window.__durchwahlPhone.calls().filter((c) => c.state !== 'ended')
    .map((c) => ({ listening: c.listening, muted: c.muted, microphoneOn: c.microphoneOn, state: c.state })));
  await countMicrophones(supervisor);
  await listenIn.click();
  await callState(supervisor, 'connected', 20000);
  assert.deepEqual(await media(supervisor), { asked: 0, directions: ['recvonly'] }, 'listening only: no microphone');
  assert.equal(await live.getAttribute('aria-label'), 'Gespräch mit Mithören: Bärbel Böhm');
  assert.equal(await live.getByTestId('call-listen-note').textContent(), 'Sie hören zu. Niemand hört Sie.');
  assert.equal(await live.getByTestId('call-keypad').count(), 0, 'no keypad');
  assert.equal(await live.getByTestId('call-transfer').count(), 0, 'nothing to pass on');
  assert.equal(await live.getByTestId('call-mute').count(), 0, 'listening only: no microphone to switch');
  assert.deepEqual(await mine(), [{ listening: 'listen', muted: true, microphoneOn: false, state: 'connected' }]);
  assert.deepEqual([await listenIn.getAttribute('aria-pressed'), await whisper.getAttribute('aria-pressed')], ['true', 'false']);
  assert.equal(await listenIn.evaluate((el) => el === document.activeElement), true, 'the focus stays on the button');
  await growing(supervisor, 10000);
  assert.deepEqual(await violations(supervisor), [], 'wallboard with a listening call in the phone');
  await shot(supervisor, 'hotline-listen-call-1280.png');

  // Anna, the second supervisor, at 375 px: the buttons fit; someone listens already, she is told.
  const second = await open('a.admin', 375);
  await visit(second, `/hotline/${hotline}/board`, `Wandtafel: ${NAME}`);
  const hers = second.getByRole('button', { name: 'Mithören bei Bärbel Böhm' });
  await hers.waitFor();
  assert.equal(await hers.getAttribute('aria-pressed'), 'false', 'not hers');
  assert.ok(await fitsWidth(second), 'wallboard with buttons at 375 px');
  assert.deepEqual(await violations(second), [], 'wallboard with buttons at 375 px');
  await shot(second, 'hotline-listen-board-375.png');
  await hers.click();
  await second.locator('#hl-listen-error').filter({ hasText: /^Mithören nicht möglich: .+/ }).waitFor();
  assert.equal(await second.locator('#hl-listen-error').getAttribute('role'), 'alert');
  await second.context().close();

  // Dora hangs up in the phone; the button follows; the conversation goes on.
  await live.getByTestId('call-hangup').click();
  await callState(supervisor, 'ended');
  assert.deepEqual(await mine(), []);
  await supervisor.locator('[aria-label="Mithören bei Bärbel Böhm"][aria-pressed="false"]').waitFor();
  await callState(caller, 'connected');
  await callState(agent, 'connected');
  await bärbel.and(supervisor.locator('[data-state="on_call"]')).waitFor();

  // Whispering: the microphone is on, only Bärbel hears it.
  await whisper.click();
  await live.filter({ hasText: 'Flüstern: Bärbel Böhm' }).locator('[data-state="connected"]').waitFor({ timeout: 20000 });
  assert.equal(await live.getByTestId('call-listen-note').textContent(), 'Bärbel Böhm hört Sie, die anrufende Person nicht.');
  assert.equal(await live.getByTestId('call-mute').getAttribute('aria-pressed'), 'false');
  assert.deepEqual(await mine(), [{ listening: 'whisper', muted: false, microphoneOn: true, state: 'connected' }]);
  assert.deepEqual(await media(supervisor), { asked: 1, directions: ['sendrecv'] }, 'whispering: the microphone');
  assert.deepEqual([await listenIn.getAttribute('aria-pressed'), await whisper.getAttribute('aria-pressed')], ['false', 'true']);

  // "Mithören" while whispering switches: the whisper ends, listening begins.
  await listenIn.click();
  await live.filter({ hasText: 'Mithören: Bärbel Böhm' }).locator('[data-state="connected"]').waitFor({ timeout: 20000 });
  assert.deepEqual(await mine(), [{ listening: 'listen', muted: true, microphoneOn: false, state: 'connected' }]);
  assert.deepEqual([await listenIn.getAttribute('aria-pressed'), await whisper.getAttribute('aria-pressed')], ['true', 'false']);
  // Pressed again (by keyboard), it stops; the focus stays on the button drawn anew.
  await listenIn.focus();
  await supervisor.keyboard.press('Enter');
  await supervisor.locator('[aria-label="Mithören bei Bärbel Böhm"][aria-pressed="false"]').waitFor();
  assert.deepEqual(await mine(), []);
  assert.equal(await supervisor.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Mithören bei Bärbel Böhm');

  // Whispering again; it ends by itself with the conversation, and the buttons go.
  await whisper.click();
  await live.filter({ hasText: 'Flüstern: Bärbel Böhm' }).locator('[data-state="connected"]').waitFor({ timeout: 20000 });
  const last = await live.getAttribute('data-call');
  await endConversation(agent, caller);
  await dock.locator(`section.call.ended[data-call="${last}"]`).waitFor({ timeout: 10000 });
  assert.deepEqual(await mine(), []);
  await bärbel.and(supervisor.locator('[data-state="ready"]')).waitFor();
  assert.equal(await listenButtons(supervisor).count(), 0, 'the buttons went with the conversation');
  assert.equal(await supervisor.evaluate(() => window.__sameBoard), true, 'no reload');

  // Each start was audited: the supervisor may not read the log, the administrator reads it.
  const forbidden = await call(supervisor, 'GET', '/api/v1/admin/audit?action=hotline.');
  assert.equal(forbidden.status, 403, 'the audit log is the administrators\'');
  await agent.context().close();
  await supervisor.context().close();
  const admin = await open('a.admin');
  const audit = await call(admin, 'GET', '/api/v1/admin/audit?action=hotline.');
  const actions = JSON.stringify(audit.data);
  assert.equal((actions.match(/"hotline\.listen"/g) || []).length, 2, actions);
  assert.equal((actions.match(/"hotline\.whisper"/g) || []).length, 2, actions);
  await admin.context().close();
});

test('without a microphone (none allowed) the supervisor still listens in; whispering says why not', async () => {
  const agent = await agentReady();
  const supervisor = await open('d.new');
  await visit(supervisor, `/hotline/${hotline}/board`, `Wandtafel: ${NAME}`);
  await countMicrophones(supervisor, true);
  const caller = await conversation(agent);
  const listenIn = supervisor.getByRole('button', { name: 'Mithören bei Bärbel Böhm' });
  await listenIn.click();
  await callState(supervisor, 'connected', 20000);
  await growing(supervisor, 10000);
  assert.deepEqual(await media(supervisor), { asked: 0, directions: ['recvonly'] });
  assert.equal(await supervisor.locator('#hl-listen-error').textContent(), '');

  // Whispering needs the microphone: the listening ends, the refusal is said at the buttons.
  await supervisor.getByRole('button', { name: 'Flüstern zu Bärbel Böhm' }).click();
  await supervisor.locator('#hl-listen-error').filter({ hasText: 'Flüstern nicht möglich: kein Mikrofon (bitte im Browser erlauben)' }).waitFor();
  assert.equal(await supervisor.evaluate(() => window.__microphones), 1);
  assert.equal(await supervisor.evaluate(() => window.__durchwahlPhone.calls().filter((c) => c.state !== 'ended').length), 0);
  await callState(caller, 'connected');
  await endConversation(agent, caller);
  await agent.context().close();
  await supervisor.context().close();
});

test('in English the buttons read "Listen in" and "Whisper"', async () => {
  const agent = await agentReady();
  const supervisor = await open('d.new');
  await supervisor.locator('#lang-select').selectOption('en');
  await visit(supervisor, `/hotline/${hotline}/board`, `Wallboard: ${NAME}`);
  const caller = await conversation(agent);
  await supervisor.getByRole('button', { name: 'Listen in on Bärbel Böhm' }).waitFor();
  assert.equal(await supervisor.getByRole('button', { name: 'Whisper to Bärbel Böhm' }).textContent(), 'Whisper');
  await supervisor.getByRole('button', { name: 'Listen in on Bärbel Böhm' }).click();
  await callState(supervisor, 'connected', 20000);
  assert.equal(await supervisor.locator('#phone-dock section.call strong').first().textContent(), 'Listening: Bärbel Böhm');
  await supervisor.locator('#lang-select').selectOption('de');
  await endConversation(agent, caller);
  await callState(supervisor, 'ended');
  await agent.getByTestId('hotline-logout').click();
  await agentState(agent, 'logged_out');
  await agent.context().close();
  await supervisor.context().close();
});
