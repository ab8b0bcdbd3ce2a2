// Runs the test executables cargo built (`cargo test --no-run --message-format=json`,
// its messages in the file given first) in two lanes at once, as `cargo test` would run
// them one after another: each in its package's folder, with cargo's CARGO_MANIFEST_DIR
// and CARGO_PKG_NAME. The test binaries named after the file (the server's real-time
// tests, which wait far more than they compute) form one lane, everything else the other;
// the slow lane's output is printed after the other's. Every binary runs even when one
// fails (cargo's --no-fail-fast); the exit status is 1 when any failed.
//
// Why not two `cargo test` commands: cargo unifies features over the packages and targets
// it is given, so `-p durchwahl --test fax` beside `--workspace --all-targets` builds the
// whole server again with other features (8 minutes of CI). One build, run here, is the
// same build cargo test runs.
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { dirname, relative } from 'node:path';

const [messagesFile, ...slowNames] = process.argv.slice(2);
const root = process.cwd();
const tests = [];
for (const line of readFileSync(messagesFile, 'utf8').split('\n')) {
  if (!line.startsWith('{')) continue;
  const m = JSON.parse(line);
  if (m.reason !== 'compiler-artifact' || !m.profile?.test || !m.executable) continue;
  const dir = dirname(m.manifest_path);
  // `path+file:///…/crates/server#durchwahl@0.1.0`, or without `name@` when the folder
  // has the package's name: `path+file:///…/crates/store#0.1.0`.
  const [where, version = ''] = m.package_id.split('#');
  const pkg = version.includes('@') ? version.split('@')[0] : where.split('/').pop();
  tests.push({
    name: m.target.name,
    kind: m.target.kind[0],
    source: relative(dir, m.target.src_path),
    exe: m.executable,
    dir,
    pkg,
  });
}
const isSlow = (t) => t.kind === 'test' && t.dir.endsWith('/crates/server') && slowNames.includes(t.name);
const missing = slowNames.filter((n) => !tests.some((t) => isSlow(t) && t.name === n));
if (missing.length) {
  console.error(`test-lanes: no server test binary named ${missing.join(', ')}`);
  process.exit(2);
}

// Runs the lane's binaries one after another; `out` gets their output as it comes.
async function lane(list, out) {
  const failed = [];
  for (const t of list) {
    const what = ['lib', 'bin', 'example'].includes(t.kind) ? `unittests ${t.source}` : t.source;
    out(`     Running ${what} (${relative(root, t.exe)})\n`);
    const code = await new Promise((resolve) => {
      const child = spawn(t.exe, [], {
        cwd: t.dir,
        env: { ...process.env, CARGO_MANIFEST_DIR: t.dir, CARGO_PKG_NAME: t.pkg },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (d) => out(d));
      child.stderr.on('data', (d) => out(d));
      child.on('error', (e) => { out(`cannot start ${t.exe}: ${e.message}\n`); resolve(127); });
      child.on('close', (c, signal) => resolve(signal ? 128 : c));
    });
    if (code !== 0) failed.push(`${t.pkg} ${t.source}`);
  }
  return failed;
}

const started = Date.now();
let slowText = '';
const [restFailed, slowFailed] = await Promise.all([
  lane(tests.filter((t) => !isSlow(t)), (d) => process.stdout.write(d)),
  lane(tests.filter(isSlow), (d) => { slowText += d; }),
]);
process.stdout.write(`== the real-time lane (${slowNames.join(', ')}), run beside the above\n${slowText}`);
const failed = [...restFailed, ...slowFailed];
const seconds = Math.round((Date.now() - started) / 1000);
console.log(`test-lanes: ${tests.length} test binaries in ${seconds} s, ${failed.length} failed${failed.length ? `: ${failed.join('; ')}` : ''}`);
process.exit(failed.length ? 1 : 0);
