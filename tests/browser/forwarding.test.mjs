// Call forwarding in Debian's Chromium: a clerk without the softphone feature forwards her
// calls from "My phones"; a wrong target is explained next to its field (marked invalid,
// focused, read out) and nothing is saved; a good one is confirmed and shown with the
// colleague's name; the same in English; an admin sees the rules on the person's page; the
// voicemail box is a target of its own (a radio button beside "Durchwahl"), read back as saved.
// axe-core checks the pages against WCAG 2.1 AA, also with an error showing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startBrowser, signIn as harnessSignIn, violations } from './harness.mjs';

let server; let browser;

before(async () => {
  server = await startServer();
  browser = await startBrowser();
});
after(async () => { await browser?.close(); await server?.stop(); });

const signIn = (login) => harnessSignIn(browser, server, login);

// The fields of one rule, found the way a screen reader user finds them: by the group.
function rule(page, name) {
  const group = page.getByRole('group', { name });
  return { on: group.getByLabel(/^(Eingeschaltet|Switched on)$/), target: group.getByLabel(/^(Ziel-Durchwahl|Target extension)$/), group };
}

test('a clerk forwards her calls; a wrong target is explained at its field and nothing is saved', async () => {
  const page = await signIn('d.new');
  await page.getByRole('link', { name: 'Meine Telefone' }).click();
  await page.getByRole('heading', { name: 'Rufumleitung' }).waitFor();
  await page.getByText('Anrufe für die Durchwahl 2502').waitFor();
  assert.deepEqual(await violations(page), []);

  const busy = rule(page, 'Bei besetzt');
  await busy.on.check();
  await busy.target.fill('2502');
  await page.getByRole('button', { name: 'Rufumleitung speichern' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'eigene Durchwahl' });
  await alert.waitFor();
  assert.equal(await alert.textContent(), '„Bei besetzt“: 2502 ist die eigene Durchwahl. Bitte die Durchwahl einer anderen Person angeben.');
  assert.equal(await busy.target.getAttribute('aria-invalid'), 'true');
  assert.ok(await busy.target.evaluate((el) => el === document.activeElement), 'the wrong field has the focus');
  assert.match(await busy.target.getAttribute('aria-describedby'), /fwd-error/);
  assert.deepEqual(await violations(page), []);

  // Nothing was saved.
  await page.reload();
  await page.getByRole('heading', { name: 'Rufumleitung' }).waitFor();
  assert.equal(await rule(page, 'Bei besetzt').on.isChecked(), false);

  const busyAgain = rule(page, 'Bei besetzt');
  await busyAgain.on.check();
  await busyAgain.target.fill('2301');
  const noAnswer = rule(page, 'Bei Nichtmelden');
  await noAnswer.on.check();
  await noAnswer.target.fill('2401');
  const seconds = noAnswer.group.getByLabel('Klingeln bis zur Umleitung (Sekunden, 5 bis 120)');
  await seconds.fill('200');
  await page.getByRole('button', { name: 'Rufumleitung speichern' }).click();
  await page.getByRole('alert').filter({ hasText: 'Bitte 5 bis 120 Sekunden angeben.' }).waitFor();
  assert.equal(await seconds.getAttribute('aria-invalid'), 'true');

  await seconds.fill('30');
  await page.getByRole('button', { name: 'Rufumleitung speichern' }).click();
  await page.getByText('Die Rufumleitung ist gespeichert.', { exact: true }).first().waitFor();
  await page.locator('#status').getByText('Die Rufumleitung ist gespeichert.').waitFor();
  await page.getByText('Geht an: Anna Admin').waitFor();
  await page.getByText('Geht an: Bärbel Böhm').waitFor();
  assert.equal(await seconds.getAttribute('aria-invalid'), null);
  assert.equal(await page.getByRole('alert').filter({ hasText: /\S/ }).count(), 0);
  assert.deepEqual(await violations(page), []);

  await page.reload();
  await page.getByRole('heading', { name: 'Rufumleitung' }).waitFor();
  assert.equal(await rule(page, 'Bei besetzt').target.inputValue(), '2301');
  assert.equal(await rule(page, 'Bei Nichtmelden').on.isChecked(), true);
  assert.equal(await page.locator('#fwd-no_answer-seconds').inputValue(), '30');
  assert.equal(await rule(page, 'Immer umleiten').on.isChecked(), false);
  await page.close();
});

test('in English the section and its explanations are English', async () => {
  const page = await signIn('c.clerk');
  await page.getByLabel('Sprache').selectOption('en');
  await page.getByRole('link', { name: 'My phones' }).click();
  await page.getByRole('heading', { name: 'Call forwarding' }).waitFor();
  const always = rule(page, 'Always forward');
  await always.on.check();
  await always.target.fill('9999');
  await page.getByRole('button', { name: 'Save call forwarding' }).click();
  await page.getByRole('alert').filter({ hasText: '"Always forward": nobody in the directory has extension 9999.' }).waitFor();
  assert.deepEqual(await violations(page), []);
  await always.target.fill('');
  await page.getByRole('button', { name: 'Save call forwarding' }).click();
  await page.getByRole('alert').filter({ hasText: '"Always forward" is switched on but has no target extension.' }).waitFor();
  await always.target.fill('2502');
  await page.getByRole('button', { name: 'Save call forwarding' }).click();
  await page.getByText('Goes to: Dora Neu').waitFor();
  await page.getByText('Call forwarding is saved.').first().waitFor();
  await page.close();
});

// Carl's rules were set in the English test above.
test("an admin sees and changes a person's forwarding on the person's page", async () => {
  const page = await signIn('a.admin');
  await page.goto(server.url + '/#/admin/person/c.clerk');
  await page.getByRole('heading', { name: 'Rufumleitung' }).waitFor();
  const always = rule(page, 'Immer umleiten');
  assert.equal(await always.target.inputValue(), '2502');
  assert.equal(await always.on.isChecked(), true);
  await always.on.uncheck();
  await page.getByRole('button', { name: 'Rufumleitung speichern' }).click();
  await page.getByText('Die Rufumleitung ist gespeichert.').first().waitFor();
  assert.deepEqual(await violations(page), []);
  await page.close();
});

test('the voicemail box is a target: chosen by its radio button, the extension field goes', async () => {
  const page = await signIn('b.user');
  await page.getByRole('link', { name: 'Meine Telefone' }).click();
  await page.getByRole('heading', { name: 'Rufumleitung' }).waitFor();
  await page.getByText('oder auf die Mailbox umleiten').waitFor();
  const noAnswer = rule(page, 'Bei Nichtmelden');
  const where = noAnswer.group.getByRole('group', { name: 'Ziel' });
  assert.equal(await where.getByRole('radio', { name: 'Durchwahl' }).isChecked(), true, 'an extension by default');
  await noAnswer.on.check();
  await where.getByRole('radio', { name: 'Mailbox' }).check();
  assert.equal(await noAnswer.target.isVisible(), false, 'nothing to type for the box');
  await page.getByRole('button', { name: 'Rufumleitung speichern' }).click();
  await page.getByText('Die Rufumleitung ist gespeichert.').first().waitFor();
  assert.equal(await page.getByRole('alert').filter({ hasText: /\S/ }).count(), 0);
  assert.deepEqual(await violations(page), []);

  // Read back as saved; switching back to an extension shows the field again.
  await page.reload();
  await page.getByRole('heading', { name: 'Rufumleitung' }).waitFor();
  const again = rule(page, 'Bei Nichtmelden');
  const whereAgain = again.group.getByRole('group', { name: 'Ziel' });
  assert.equal(await whereAgain.getByRole('radio', { name: 'Mailbox' }).isChecked(), true);
  assert.equal(await again.on.isChecked(), true);
  assert.equal(await again.target.isVisible(), false);
  await whereAgain.getByRole('radio', { name: 'Durchwahl' }).check();
  assert.equal(await again.target.isVisible(), true);
  // The other rules still go to extensions.
  assert.equal(await rule(page, 'Bei besetzt').group.getByRole('radio', { name: 'Durchwahl' }).isChecked(), true);

  // In English the box is the 'Voicemail box'.
  await page.getByLabel('Sprache').selectOption('en');
  await page.getByRole('heading', { name: 'Call forwarding' }).waitFor();
  const english = rule(page, 'When not answered');
  await english.group.getByRole('group', { name: 'Target' }).getByRole('radio', { name: 'Voicemail box' }).waitFor();
  assert.deepEqual(await violations(page), []);
  await page.close();
});
