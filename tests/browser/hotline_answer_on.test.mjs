// Where an agent's hotline calls ring, on the agent panel (#/hotline), in Debian's Chromium
// against the real server with the hotline of hotline_world.mjs (agent b.user; Carl,
// c.clerk, made an agent too). Bärbel, with a desk phone set up, switches to "Am
// Tischtelefon" by keyboard: it is
// said, kept by the server, reads back after a reload, and follows a change made elsewhere
// live. Carl has no mobile number in the
// directory and the test server no trunk: "Am Handy" is refused with the server's words at
// the control (the same as the API's), the stored choice stays selected, nothing changes;
// at 375 px and in English. axe on each view.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { violations } from './harness.mjs';
import { startHotlineWorld, shot, fitsWidth } from './hotline_world.mjs';

let world; let hotline; let queue; let open; let call; let visit;

before(async () => {
  world = await startHotlineWorld();
  ({ hotline, queue, open, call, visit } = world);
  const admin = await open('a.admin');
  const agents = await call(admin, 'PUT', `/api/v1/admin/hotlines/${hotline}/queues/${queue}/agents`,
    [{ login: 'b.user', level: 1 }, { login: 'c.clerk', level: 1 }]);
  assert.equal(agents.status, 200, JSON.stringify(agents.data));
  // Bärbel gets a desk phone set up (the server takes "Am Tischtelefon" only then).
  const feature = await call(admin, 'POST', '/api/v1/admin/features', { feature: 'softphone', on: true, logins: ['b.user'] });
  assert.equal(feature.status, 200, JSON.stringify(feature.data));
  const phone = await call(admin, 'POST', '/api/v1/admin/staff/b.user/phones', { label: 'Tischtelefon' });
  assert.equal(phone.status, 201, JSON.stringify(phone.data));
  await admin.context().close();
});
after(async () => { await world?.stop(); });

const focusedId = (page) => page.evaluate(() => document.activeElement.id || document.activeElement.dataset.testid);
const chosen = (page) => page.getByTestId('hotline-answer-on').evaluate((el) => el.value);

test('an agent chooses the desk phone by keyboard: said, kept, and read back after a reload', async () => {
  const agent = await open('b.user');
  await visit(agent, '/hotline', 'Hotline');
  const control = agent.getByLabel('Anrufe annehmen');
  await control.waitFor();
  assert.equal((await call(agent, 'GET', '/api/v1/hotline/agent')).data.answer_on, 'auto');
  assert.equal(await chosen(agent), 'auto');
  assert.deepEqual(await control.locator('option').allTextContents(),
    ['Automatisch (Browser, sonst Tischtelefon)', 'Nur im Browser', 'Am Tischtelefon', 'Am Handy']);
  assert.deepEqual(await violations(agent), [], 'agent panel with the choice');

  // By keyboard: the list, an arrow key twice (nothing is sent yet), Tab to "Übernehmen".
  await control.focus();
  await agent.keyboard.press('ArrowDown');
  await agent.keyboard.press('ArrowDown');
  assert.equal(await chosen(agent), 'phone');
  assert.equal((await call(agent, 'GET', '/api/v1/hotline/agent')).data.answer_on, 'auto', 'choosing alone sends nothing');
  await agent.keyboard.press('Tab');
  assert.equal(await focusedId(agent), 'hotline-answer-on-apply');
  await agent.keyboard.press('Enter');
  await agent.locator('#hl-answer-on-done[role="status"]').filter({ hasText: 'Anrufe annehmen: Am Tischtelefon. Gespeichert.' }).waitFor();
  assert.equal((await call(agent, 'GET', '/api/v1/hotline/agent')).data.answer_on, 'phone');
  assert.equal(await focusedId(agent), 'hotline-answer-on-apply', 'the focus stays on the button');
  assert.equal(await agent.locator('#hl-answer-on-error').textContent(), '');
  await shot(agent, 'hotline-answer-on-1280.png');

  // Logging in redraws the panel; the choice stays.
  await agent.getByTestId('hotline-login').click();
  await agent.locator('[data-testid="hotline-state"][data-state="ready"]').waitFor({ timeout: 15000 });
  assert.equal(await chosen(agent), 'phone');

  await agent.reload();
  await agent.getByRole('heading', { level: 1, name: 'Hotline' }).waitFor();
  await agent.getByTestId('hotline-answer-on').waitFor();
  assert.equal(await chosen(agent), 'phone', 'read back after a reload');
  assert.equal(await control.locator('option:checked').textContent(), 'Am Tischtelefon');
  // A change elsewhere (another browser, here the API) follows live from the queue.agent frame.
  assert.equal((await call(agent, 'POST', '/api/v1/hotline/agent', { action: 'answer_on', answer_on: 'browser' })).status, 200);
  await agent.waitForFunction(() => document.getElementById('hl-answer-on').value === 'browser');
  await agent.getByTestId('hotline-logout').click();
  await agent.locator('[data-testid="hotline-state"][data-state="logged_out"]').waitFor({ timeout: 15000 });
  await agent.context().close();
});

test('"Am Handy" without a mobile number (and no trunk) is refused at the control; the choice stays', async () => {
  const clerk = await open('c.clerk', 375);
  // What the server says to this (read from the API first; nothing changes by it).
  const asked = await call(clerk, 'POST', '/api/v1/hotline/agent', { action: 'answer_on', answer_on: 'mobile' });
  assert.equal(asked.status, 400);
  const message = asked.data.message;
  assert.match(message, /Amtsleitung|Handynummer/);
  assert.equal((await call(clerk, 'GET', '/api/v1/hotline/agent')).data.answer_on, 'auto');

  await visit(clerk, '/hotline', 'Hotline');
  const control = clerk.getByLabel('Anrufe annehmen');
  await control.selectOption('browser');
  await clerk.getByRole('button', { name: 'Übernehmen' }).click();
  await clerk.locator('#hl-answer-on-done').filter({ hasText: 'Anrufe annehmen: Nur im Browser. Gespeichert.' }).waitFor();

  await control.selectOption('mobile');
  await clerk.getByRole('button', { name: 'Übernehmen' }).click();
  const error = clerk.locator('#hl-answer-on-error');
  await error.filter({ hasText: message }).waitFor();
  assert.equal(await error.textContent(), `Nicht geändert: ${message}`);
  assert.equal(await error.getAttribute('role'), 'alert');
  assert.equal(await chosen(clerk), 'browser', 'the stored choice is shown again');
  assert.equal(await focusedId(clerk), 'hl-answer-on', 'the focus is on the choice');
  assert.equal(await control.getAttribute('aria-describedby'), 'hl-answer-on-hint hl-answer-on-error');
  assert.equal(await clerk.locator('#hl-answer-on-done').textContent(), '', 'no success said');
  assert.equal((await call(clerk, 'GET', '/api/v1/hotline/agent')).data.answer_on, 'browser', 'nothing changed');
  assert.ok(await fitsWidth(clerk), 'agent panel with the refusal at 375 px');
  assert.deepEqual(await violations(clerk), [], 'agent panel with the refusal at 375 px');
  await shot(clerk, 'hotline-answer-on-375.png');

  // Choosing again clears the refusal.
  await control.selectOption('auto');
  assert.equal(await error.textContent(), '');
  assert.equal(await control.getAttribute('aria-describedby'), 'hl-answer-on-hint');

  // In English: the words of the control, the server's refusal marked as German.
  await clerk.locator('#lang-select').selectOption('en');
  await clerk.getByRole('heading', { level: 1, name: 'Hotline' }).waitFor();
  const english = clerk.getByLabel('Answer calls');
  await english.waitFor();
  assert.deepEqual(await english.locator('option').allTextContents(),
    ['Automatically (browser, else desk phone)', 'Only in the browser', 'On the desk phone', 'On the mobile']);
  assert.equal(await chosen(clerk), 'browser');
  await english.selectOption('mobile');
  await clerk.getByRole('button', { name: 'Apply' }).click();
  await error.filter({ hasText: message }).waitFor();
  assert.equal(await error.textContent(), `Not changed: ${message}`);
  assert.equal(await error.locator('span[lang="de"]').textContent(), message);
  assert.deepEqual(await violations(clerk), [], 'agent panel in English with the refusal');
  await clerk.locator('#lang-select').selectOption('de');
  await clerk.context().close();
});
