// Shared pieces of the hotline's browser tests with several people (hotline_cases and
// hotline_admin): a real server with the hotline "Bürgertelefon Gesundheitsamt" (2900:
// agent b.user, supervisor d.new) set up over the API, Chromium with a fake microphone
// playing 440 Hz, one sign-in per person (the sign-in throttle), the API as a person, and
// full-page screenshots into screenshots/.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, startBrowser, signInOn } from './harness.mjs';
import { toneWav, phoneArgs } from './call_audio.mjs';

export const NAME = 'Bürgertelefon Gesundheitsamt';
const shots = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');

// Resolves to { server, browser, dir, hotline, queue, open, call, visit, stop }.
export async function startHotlineWorld() {
  mkdirSync(shots, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'durchwahl-hotline-world-'));
  const server = await startServer();
  const browser = await startBrowser(phoneArgs(toneWav(join(dir, 'tone.wav'), 440)));
  const sessions = new Map(); // login → storage state

  // A page of a fresh browser context signed in as `login` (signing in only the first time).
  async function open(login, width = 1280) {
    const context = await browser.newContext({ viewport: { width, height: 800 }, timezoneId: 'Europe/Berlin', storageState: sessions.get(login) });
    const page = await context.newPage();
    page.on('pageerror', (e) => { throw e; });
    if (sessions.has(login)) {
      await page.goto(`${server.url}/`);
      await page.getByRole('heading', { level: 1, name: 'Teamübersicht' }).waitFor();
    } else {
      await signInOn(page, server, login);
      sessions.set(login, await context.storageState());
    }
    return page;
  }

  // The API as the page's person, with the session's CSRF token: { status, data, headers, body }.
  async function call(page, method, path, body) {
    const me = await (await page.request.get(`${server.url}/api/v1/me`)).json();
    const r = await page.request.fetch(`${server.url}${path}`, { method, data: body, headers: { 'X-CSRF-Token': me.csrf_token } });
    const json = (r.headers()['content-type'] || '').includes('json');
    return { status: r.status(), data: json ? await r.json() : null, headers: r.headers(), body: json ? null : await r.body() };
  }

  async function visit(page, hash, heading) {
    await page.goto(`${server.url}/#${hash}`);
    await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  }

  async function stop() {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  try {
    const admin = await open('a.admin');
    const made = await call(admin, 'POST', '/api/v1/admin/hotlines', {
      name: NAME, extension: '2900', queue: { name: 'Allgemeine Fragen' }, agents: [{ login: 'b.user' }], supervisors: ['d.new'],
    });
    assert.equal(made.status, 201, JSON.stringify(made.data));
    const hotline = (await call(admin, 'GET', '/api/v1/admin/hotlines')).data.find((hl) => hl.name === NAME).id;
    const queue = (await call(admin, 'GET', `/api/v1/admin/hotlines/${hotline}`)).data.queues[0].id;
    await admin.context().close();
    return { server, browser, dir, hotline, queue, open, call, visit, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

export async function shot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(shots, name), fullPage: true });
}

export const fitsWidth = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
// Whether every cell of `rows` (a locator of table rows) lies wholly inside the window's
// width: a table laid out as cards on a phone, not one cut off in a sideways-scrolling box.
export const cellsInView = (rows) => rows.locator('th, td').evaluateAll((cells) => cells.every((c) => {
  const r = c.getBoundingClientRect();
  return r.left >= 0 && r.right <= window.innerWidth;
}));
