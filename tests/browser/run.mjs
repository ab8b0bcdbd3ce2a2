// Runs every *.test.mjs here (or the files named as arguments) one after another, each as
// `node --test FILE`, and fails if any fails. One file at a time keeps the tests from
// competing for Chromium and the machine; doing it here instead of with
// `--test-concurrency=1` (Node 20.10+) keeps Debian 12's Node 18 working. So does
// playwright-core 1.61.1 in package.json: the last release for Node 18 (1.62 and later
// refuse to load on it); it drives Debian's Chromium 156 without a problem.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const named = process.argv.slice(2);
const files = named.length > 0
  ? named
  : readdirSync(here).filter((f) => f.endsWith('.test.mjs')).sort();

// A developer's shell may hold DURCHWAHL_* variables; the harness must keep them from the
// server. Every file runs with one that would stop the server, so a leak fails here.
const env = { ...process.env, DURCHWAHL_HTTP_LISTEN: 'not an address' };

// Runs one file with the TAP reporter (the same on Node 18 and newer), passing its output
// through; resolves to its exit code and the counts of its closing summary.
function runFile(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-reporter=tap', join(here, file)], {
      env, stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => { out += chunk; process.stdout.write(chunk); });
    child.on('close', (code, signal) => {
      const count = (what) => Number((new RegExp(`^# ${what} (\\d+)$`, 'm').exec(out) ?? [])[1] ?? 0);
      resolve({ code: signal ? 1 : code, pass: count('pass'), fail: count('fail') + count('cancelled') });
    });
  });
}

let passed = 0;
let failed = 0;
const broken = [];
for (const file of files) {
  const result = await runFile(file);
  passed += result.pass;
  // A file that fails without a failed test (it did not load, or crashed) counts as one.
  failed += result.code !== 0 && result.fail === 0 ? 1 : result.fail;
  if (result.code !== 0) broken.push(file);
}
if (broken.length > 0) console.log(`failed: ${broken.join(', ')}`);
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exitCode = broken.length > 0 ? 1 : 0;
