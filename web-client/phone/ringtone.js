// Ring and ringback tones made with WebAudio (no sound files), on the chosen speaker.
// Ringing: two short bursts of a two-tone chord every 3 seconds. Ringback while the other
// side rings: 425 Hz, 1 s on, 4 s off (the German ringing tone).
// Information tones, played once when a dialled call does not come about (infoTone):
// "not allowed" is the special information tone of ITU-T E.180 (950, 1400 and 1800 Hz
// rising, 330 ms each); "busy" is 425 Hz, 480 ms on and off, three times. A new action
// (dialling, answering, typing a number) cuts them short (stopInfoTone).
import { applyContextSink } from './devices.js';

let context = null;
let playing = null; // { kind, timer }
let info = null; // { kind, timer, oscillators }

function audioContext() {
  if (!context) {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return null;
    context = new Context();
  }
  applyContextSink(context);
  if (context.state === 'suspended') context.resume().catch(() => {});
  return context;
}

// One tone of `freqs` from `at` for `length` seconds, softly faded in and out; returns
// its oscillators.
function tone(ctx, freqs, at, length, volume) {
  const gain = ctx.createGain();
  gain.gain.setValueAtTime(0, at);
  gain.gain.linearRampToValueAtTime(volume, at + 0.02);
  gain.gain.setValueAtTime(volume, at + length - 0.03);
  gain.gain.linearRampToValueAtTime(0, at + length);
  gain.connect(ctx.destination);
  return freqs.map((f) => {
    const osc = ctx.createOscillator();
    osc.frequency.value = f;
    osc.connect(gain);
    osc.start(at);
    osc.stop(at + length);
    osc.addEventListener('ended', () => gain.disconnect());
    return osc;
  });
}

const PATTERNS = {
  ring: { every: 3000, play: (ctx, now) => { tone(ctx, [660, 880], now, 0.4, 0.12); tone(ctx, [660, 880], now + 0.5, 0.4, 0.12); } },
  ringback: { every: 5000, play: (ctx, now) => tone(ctx, [425], now, 1, 0.08) },
};

// The information tones: each a list of [frequency, start, length] in seconds.
const INFO = {
  forbidden: [[950, 0, 0.33], [1400, 0.33, 0.33], [1800, 0.66, 0.33]],
  busy: [[425, 0, 0.48], [425, 0.96, 0.48], [425, 1.92, 0.48]],
};

function start(kind) {
  if (playing && playing.kind === kind) return;
  stopTones();
  stopInfoTone();
  const ctx = audioContext();
  if (!ctx) return;
  const pattern = PATTERNS[kind];
  const once = () => { try { pattern.play(ctx, ctx.currentTime + 0.05); } catch { /* context closed */ } };
  once();
  playing = { kind, timer: setInterval(once, pattern.every) };
}

export function ring() { start('ring'); }
export function ringback() { start('ringback'); }

export function stopTones() {
  if (!playing) return;
  clearInterval(playing.timer);
  playing = null;
}

// What plays now ('ring', 'ringback' or null), for the tests and the view.
export function playingTone() { return playing ? playing.kind : null; }

// Plays the information tone `kind` ('forbidden' or 'busy') once.
export function infoTone(kind) {
  const parts = INFO[kind];
  if (!parts) return;
  stopInfoTone();
  const ctx = audioContext();
  if (!ctx) return;
  try {
    const now = ctx.currentTime + 0.05;
    const oscillators = parts.flatMap(([f, at, length]) => tone(ctx, [f], now + at, length, 0.08));
    const end = Math.max(...parts.map(([, at, length]) => at + length));
    const mine = { kind, oscillators, timer: setTimeout(() => { if (info === mine) info = null; }, (end + 0.1) * 1000) };
    info = mine;
  } catch { /* context closed */ }
}

// Cuts the information tone short (a new action started).
export function stopInfoTone() {
  if (!info) return;
  clearTimeout(info.timer);
  for (const osc of info.oscillators) {
    try { osc.stop(); } catch { /* not started or already stopped */ }
  }
  info = null;
}

// The information tone playing now ('forbidden', 'busy' or null), for the tests.
export function playingInfoTone() { return info ? info.kind : null; }
