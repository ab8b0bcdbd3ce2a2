// Debian's baresip (package baresip-core, installed by scripts/test) as a desk phone for
// the browser tests, configured as crates/server/tests/baresip_call.rs does: no sound
// card, it sends a WAV file (aufile), records what it hears (the sndfile filter writes
// dump-…-dec.wav into its folder) and answers calls by itself. Commands go to its menu on
// standard input (`/dial 2501`, `/hangup`); everything it prints is kept for the checks.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

// Starts baresip in `dir` for `device` (from `durchwahl phones add --json`), registering
// through `sip` (the server's "host:port"), sending `source`.
export function startBaresip(dir, device, sip, source) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config'), [
    'poll_method epoll',
    'net_interface 127.0.0.1',
    'audio_player aubridge,desk',
    'audio_alert aubridge,desk',
    `audio_source aufile,${source}`,
    'rtp_timeout 0',
    `snd_path ${dir}`,
    'module_path /usr/lib/baresip/modules',
    'module stdio.so',
    'module g711.so',
    'module sndfile.so',
    'module aufile.so',
    'module aubridge.so',
    'module_tmp account.so',
    'module_app menu.so',
    '',
  ].join('\n'));
  writeFileSync(join(dir, 'accounts'),
    `<sip:${device.sip_username}@${device.domain}>;auth_pass=${device.sip_password};outbound="sip:${sip}";` +
    'regint=600;answermode=auto;audio_codecs=pcma,pcmu\n');
  // -t: baresip quits by itself after two minutes, should this process die first.
  const child = spawn('baresip', ['-t', '120', '-f', dir], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.on('error', (e) => { output += `\nspawn failed: ${e.message} (is baresip-core installed? scripts/test installs it)\n`; });
  return {
    output: () => output,
    command(line) { child.stdin.write(`${line}\n`); },
    // Waits (bounded) until `what` (a string, a RegExp or a function of the output)
    // is found in the output after position `from`; resolves to the output's length then.
    async waitFor(what, { from = 0, timeout = 15000, context = () => '' } = {}) {
      const deadline = Date.now() + timeout;
      for (;;) {
        const rest = output.slice(from);
        const found = typeof what === 'string' ? rest.includes(what) : typeof what === 'function' ? what(rest) : what.test(rest);
        if (found) return output.length;
        if (Date.now() > deadline) throw new Error(`baresip: no ${what} within ${timeout} ms\n${output}\n${context()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    // The newest recording of what the phone heard (null before any).
    recording() {
      const files = readdirSync(dir).filter((f) => f.startsWith('dump-') && f.endsWith('-dec.wav'))
        .map((f) => join(dir, f)).sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs);
      return files.at(-1) ?? null;
    },
    // Waits (bounded) until the newest recording holds at least `seconds` of 8 kHz audio.
    async recorded(seconds, timeout = 15000) {
      const deadline = Date.now() + timeout;
      for (;;) {
        const file = this.recording();
        if (file && statSync(file).size >= 44 + 8000 * 2 * seconds) return file;
        if (Date.now() > deadline) throw new Error(`baresip recorded less than ${seconds} s\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    // Quits (bounded: killed when it does not quit within 5 s).
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try { child.stdin.write('/quit\n'); } catch { /* gone already */ }
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
