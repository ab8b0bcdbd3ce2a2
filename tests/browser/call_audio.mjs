// Shared pieces of the call tests with real audio: tone files for Chromium's fake
// microphone and baresip's aufile, what a page's call receives (getStats, the loudest
// frequency of its remote stream) and what a WAV recording holds (Goertzel).
import { readFileSync, writeFileSync } from 'node:fs';

// A mono 16-bit WAV of `seconds` of a sine at `hz` (amplitude 12000 of 32767).
export function toneWav(path, hz, { seconds = 60, rate = 48000 } = {}) {
  const samples = rate * seconds;
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write('WAVEfmt ', 8, 'ascii');
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(rate, 24);
  wav.writeUInt32LE(rate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i += 1) wav.writeInt16LE(Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * 12000), 44 + i * 2);
  writeFileSync(path, wav);
  return path;
}

// Chromium's flags for a phone whose microphone plays `wav`. The server's ICE candidate
// is 127.0.0.1, which Chromium ignores without --allow-loopback-in-peer-connection.
export function phoneArgs(wav) {
  return ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--allow-loopback-in-peer-connection',
    `--use-file-for-fake-audio-capture=${wav}`, '--autoplay-policy=no-user-gesture-required'];
}

// Waits until the page's current call shows `value` (ringing, connected, held, ended).
export function callState(page, value, timeout = 15000) {
  return page.locator(`[data-testid="call-state"][data-state="${value}"]`).waitFor({ timeout });
}

// The audio the page's live call (the `index`th of those with media) receives now:
// { ice, dtls, bytes, level } of its inbound-rtp, or null without such a call.
export function inbound(page, index = 0) {
  return page.evaluate(async (i) => {
    const call = window.__durchwahlPhone.calls().filter((c) => c.pc && c.state !== 'ended')[i];
    if (!call) return null;
    let found = { ice: call.pc.iceConnectionState, dtls: call.pc.connectionState, bytes: 0, level: 0 };
    (await call.pc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') found = { ...found, bytes: s.bytesReceived || 0, level: s.audioLevel || 0 };
    });
    return found;
  }, index);
}

// The codec (e.g. "audio/PCMA") of the audio the page's live call receives.
export function receivedCodec(page) {
  return page.evaluate(async () => {
    const call = window.__durchwahlPhone.calls().find((c) => c.pc && c.state !== 'ended');
    const stats = await call.pc.getStats();
    let codec = null;
    stats.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'audio' && s.codecId) codec = stats.get(s.codecId)?.mimeType; });
    return codec;
  });
}

// Waits (bounded) until the page's call receives audio: bytes grow and the level is above 0.
export async function growing(page, within = 8000) {
  const deadline = Date.now() + within;
  const first = await inbound(page);
  for (;;) {
    await page.waitForTimeout(300);
    const now = await inbound(page);
    if (now && first && now.bytes > first.bytes && now.level > 0) return now;
    if (Date.now() > deadline) throw new Error(`no audio arrives: ${JSON.stringify([first, now])}`);
  }
}

// The loudest frequency (Hz) of the page's live call's remote audio, by an AnalyserNode
// over 1 s.
export function loudestFrequency(page) {
  return page.evaluate(async () => {
    const call = window.__durchwahlPhone.calls().find((c) => c.pc && c.state !== 'ended');
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 8192;
    context.createMediaStreamSource(call.audio.srcObject).connect(analyser);
    await new Promise((r) => setTimeout(r, 1000));
    const bins = new Float32Array(analyser.frequencyBinCount);
    analyser.getFloatFrequencyData(bins);
    let best = 1;
    for (let i = 2; i < bins.length; i += 1) if (bins[i] > bins[best]) best = i;
    const hz = (best * context.sampleRate) / analyser.fftSize;
    await context.close();
    return hz;
  });
}

// The samples and rate of a mono 16-bit WAV: everything after the `data` chunk's header
// (a recorder that still runs has not written the final length yet).
export function readWav(path) {
  const bytes = readFileSync(path);
  const rate = bytes.readUInt32LE(24);
  const at = bytes.indexOf('data', 12, 'ascii');
  if (at < 0) throw new Error(`no data chunk in ${path}`);
  const samples = [];
  for (let i = at + 8; i + 1 < bytes.length; i += 2) samples.push(bytes.readInt16LE(i));
  return { rate, samples };
}

// The amplitude of the `hz` component of `samples` at `rate` (Goertzel).
export function amplitudeAt(samples, rate, hz) {
  if (samples.length === 0) return 0;
  const k = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let s1 = 0; let s2 = 0;
  for (const x of samples) { const s0 = x + k * s1 - s2; s2 = s1; s1 = s0; }
  return (2 * Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - k * s1 * s2))) / samples.length;
}

// Which of `candidates` (Hz) is loudest in the last `seconds` of a WAV recording, with
// every candidate's amplitude: { loudest, amplitudes, seconds }.
export function toneIn(path, candidates, seconds = 2) {
  const { rate, samples } = readWav(path);
  const tail = samples.slice(Math.max(0, samples.length - rate * seconds));
  const amplitudes = Object.fromEntries(candidates.map((hz) => [hz, Math.round(amplitudeAt(tail, rate, hz))]));
  const loudest = candidates.reduce((a, b) => (amplitudes[b] > amplitudes[a] ? b : a));
  return { loudest, amplitudes, seconds: samples.length / rate };
}

// Waits until the page's call hears the signal tone (a beep of 1 kHz for half a second
// after the greeting): an AnalyserNode on the call's remote stream (no smoothing, so each
// look is the last 43 ms alone), looked at every 40 ms. A look hears the tone when its
// loudest frequency is within 30 Hz of 1 kHz and everything more than 150 Hz away is at
// least 25 dB quieter: a pure tone. Speech is never pure (its pitch's harmonics stand
// beside any one of them); a voice held near 1 kHz fooled a looser check once, so the
// caller hung up during the greeting. The tone counts once heard for 200 ms on end.
export async function hearsTheTone(page, within = 30000) {
  const heard = await page.evaluate(async ({ hz, ms }) => {
    const call = window.__durchwahlPhone.calls().find((c) => c.pc && c.state !== 'ended');
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 2048;
    analyser.smoothingTimeConstant = 0;
    context.createMediaStreamSource(call.audio.srcObject).connect(analyser);
    const bins = new Float32Array(analyser.frequencyBinCount);
    const width = context.sampleRate / analyser.fftSize;
    const seen = new Set();
    let since = null;
    const deadline = performance.now() + ms;
    try {
      while (performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 40));
        analyser.getFloatFrequencyData(bins);
        let best = 2;
        for (let i = 3; i < bins.length; i += 1) if (bins[i] > bins[best]) best = i;
        const loudest = best * width;
        if (bins[best] > -70) seen.add(Math.round(loudest / 10) * 10);
        let others = -Infinity;
        for (let i = 3; i < bins.length; i += 1) {
          if (Math.abs(i - best) * width > 150) others = Math.max(others, bins[i]);
        }
        const pure = Math.abs(loudest - hz) < 30 && bins[best] > -70 && bins[best] - others >= 25;
        const now = performance.now();
        if (!pure) since = null;
        else if (since === null) since = now;
        else if (now - since >= 200) return null;
      }
      return [...seen];
    } finally {
      await context.close();
    }
  }, { hz: 1000, ms: within });
  if (heard) throw new Error(`no signal tone, heard ${heard.join(', ')} Hz`);
}
