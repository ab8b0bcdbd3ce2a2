// Ring and ringback tones made with WebAudio (no sound files), on the chosen speaker.
// Ringing: two short bursts of a two-tone chord every 3 seconds. Ringback while the other
// side rings: 425 Hz, 1 s on, 4 s off (the German ringing tone).
import { applyContextSink } from './devices.js';

let context = null;
let playing = null; // { kind, timer, nodes }

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

// One tone of `freqs` from `at` for `length` seconds, softly faded in and out.
function tone(ctx, freqs, at, length, volume) {
  const gain = ctx.createGain();
  gain.gain.setValueAtTime(0, at);
  gain.gain.linearRampToValueAtTime(volume, at + 0.02);
  gain.gain.setValueAtTime(volume, at + length - 0.03);
  gain.gain.linearRampToValueAtTime(0, at + length);
  gain.connect(ctx.destination);
  for (const f of freqs) {
    const osc = ctx.createOscillator();
    osc.frequency.value = f;
    osc.connect(gain);
    osc.start(at);
    osc.stop(at + length);
  }
}

const PATTERNS = {
  ring: { every: 3000, play: (ctx, now) => { tone(ctx, [660, 880], now, 0.4, 0.12); tone(ctx, [660, 880], now + 0.5, 0.4, 0.12); } },
  ringback: { every: 5000, play: (ctx, now) => tone(ctx, [425], now, 1, 0.08) },
};

function start(kind) {
  if (playing && playing.kind === kind) return;
  stopTones();
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
