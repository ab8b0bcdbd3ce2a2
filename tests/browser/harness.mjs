// Shared pieces of the browser tests: a real durchwahl server with prepared staff, Debian's
// Chromium through playwright-core, and RFC 6238 codes computed here (as an app would).
import { spawn, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = process.env.TEST_DURCHWAHL_BIN || join(root, 'target', 'debug', 'durchwahl');
export const PASSWORD = 'Grüne Wiese am Inn';

// The people every test server starts with, shared with the Rust tests' in-process server.
const STAFF = readFileSync(join(root, 'tests', 'fixtures', 'staff.csv'), 'utf8');

// The server's environment without the DURCHWAHL_* variables of whoever runs the tests
// (the binary reads them as configuration and refuses unknown ones).
const ENV = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('DURCHWAHL_')));

function run(args, input = '') {
  const r = spawnSync(BIN, [...args, '--log-level', 'warn'], { input, env: ENV });
  if (r.status !== 0) throw new Error(`durchwahl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.toString();
}

// Starts a server with the fixture's four people (and `extraStaff`, CSV lines in STAFF's columns), all
// with PASSWORD; resolves to { url, sip (the UDP/TCP address), prepared, cli, stop }.
// `prepare(cli)` runs commands before the server starts (SIP devices, read at start-up).
// `config` is TOML for the server's configuration file (e.g. [media] TURN settings);
// `logLevel` its log filter (the log goes to this process's standard error).
// `httpListen` a fixed address instead of a free port (when the configuration must name
// the server's own URL before it starts, as single sign-on's redirect URL does).
export async function startServer(extraStaff = '', prepare = null, { config = '', logLevel = 'warn', httpListen = '127.0.0.1:0' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'durchwahl-browser-'));
  const data = join(dir, 'data');
  const staff = STAFF + extraStaff;
  writeFileSync(join(dir, 'staff.csv'), staff);
  run(['users', 'import', join(dir, 'staff.csv'), '--data-dir', data]);
  const logins = staff.trim().split('\n').slice(1).map((line) => line.split(',')[0]);
  for (const login of logins) run(['users', 'set-password', login, '--data-dir', data], `${PASSWORD}\n`);
  const prepared = prepare ? prepare((args, input = '') => run([...args, '--data-dir', data], input)) : undefined;
  const configArgs = [];
  if (config) {
    writeFileSync(join(dir, 'durchwahl.toml'), config);
    configArgs.push('--config', join(dir, 'durchwahl.toml'));
  }
  const child = spawn(BIN, [...configArgs, 'serve', '--data-dir', data, '--http-listen', httpListen, '--sip-listen', '127.0.0.1:0', '--log-level', logLevel], { stdio: ['ignore', 'pipe', 'inherit'], env: ENV });
  let sip;
  const url = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const at = /^sip listening on (\S+) \(udp, tcp\)$/.exec(line);
      if (at) sip = at[1];
      if (line.startsWith('listening on ')) resolve(line.slice('listening on '.length).replace(/\/$/, ''));
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return {
    url,
    sip,
    prepared,
    // Runs a durchwahl command on the server's data (e.g. switching a feature on); returns
    // its output.
    cli(args, input = '') { return run([...args, '--data-dir', data], input); },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Debian's Chromium; `extraArgs` e.g. for a fake microphone (the phone's tests).
export async function startBrowser(extraArgs = []) {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0; let value = 0; const out = [];
  for (const ch of text.replace(/[\s=]/g, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(ch); bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  return Buffer.from(out);
}

// The 6-digit TOTP code (RFC 6238, SHA-1, 30 s) for `unixTime`.
export function totp(secret, unixTime = Date.now() / 1000) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixTime / 30)));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const number = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(number).padStart(6, '0');
}

// Signs `login` in with PASSWORD on `page` and waits for the team panel.
export async function signInOn(page, server, login) {
  await page.goto(server.url + '/');
  await page.getByLabel('Benutzername').fill(login);
  await page.getByLabel('Passwort').fill(PASSWORD);
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.getByRole('heading', { name: 'Teamübersicht' }).waitFor();
}

// A page of a fresh browser context, failing the test on a page error, signed in as `login`.
export async function signIn(browser, server, login) {
  const page = await (await browser.newContext()).newPage();
  page.on('pageerror', (e) => { throw e; });
  await signInOn(page, server, login);
  return page;
}

let axeSource;

// The WCAG 2.x A and AA violations axe-core finds on the page as it is now.
export async function violations(page) {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol, so the page's Content-Security-Policy (no
  // inline scripts) stays as it is for the client's own code.
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  }));
  return result.violations.map((v) => `${v.id}: ${v.help} – ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

// Pages of fresh contexts, each signed in once per person (the sign-in throttle): the
// storage state is kept and reused. `open(login, {width, hash, heading, locale})` gives a
// page on `#hash` once its level-1 heading shows.
export function pageOpener(browser, server) {
  const sessions = new Map();
  return async (login, { width = 1280, hash, heading, locale = 'de-DE' }) => {
    const context = await browser.newContext({ viewport: { width, height: 800 }, locale, timezoneId: 'Europe/Berlin', storageState: sessions.get(login) });
    const page = await context.newPage();
    page.on('pageerror', (e) => { throw e; });
    if (!sessions.has(login)) {
      await signInOn(page, server, login);
      sessions.set(login, await context.storageState());
    }
    await page.goto(`${server.url}/#${hash}`);
    await page.getByRole('heading', { level: 1, name: heading, exact: true }).waitFor();
    return page;
  };
}

// The API as the page's person (its session and CSRF token): { status, data }.
export async function callAs(page, server, method, path, body) {
  const me = await (await page.request.get(`${server.url}/api/v1/me`)).json();
  const r = await page.request.fetch(`${server.url}${path}`, { method, data: body, headers: { 'X-CSRF-Token': me.csrf_token } });
  return { status: r.status(), data: (r.headers()['content-type'] || '').includes('json') ? await r.json() : null };
}

// A day `n` days from today in Berlin, as YYYY-MM-DD.
// A workspace example (testkit's slapd_fixture, oidc_provider), built by cargo the way
// `cargo test --workspace --all-targets` builds it: with the workspace's features, so
// after scripts/test's cargo test this compiles nothing (`-p testkit` alone would choose
// other features and rebuild the server twice). Its path as cargo reports it, wherever the
// target folder is.
export function buildExample(name) {
  const r = spawnSync('cargo', ['build', '--workspace', '--examples', '--message-format=json-render-diagnostics'],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 256 << 20 });
  if (r.error || r.status !== 0) throw new Error(`cargo build --examples failed: ${r.error ?? r.status}`);
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const message = JSON.parse(line);
    if (message.reason === 'compiler-artifact' && message.target?.name === name && message.executable) return message.executable;
  }
  throw new Error(`cargo built no ${name} executable`);
}

export function dayFromToday(n) {
  const now = new Date(Date.now() + n * 86400000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
