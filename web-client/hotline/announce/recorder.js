// Recording an announcement in the browser: the microphone (getUserMedia) through an
// AudioWorklet that hands over the raw samples, at telephone quality (8 kHz; the browser
// resamples, else every n-th mean is taken), a level meter and the time so far, stopped
// by the button or at the longest length allowed; then listened to (Web Audio: the page's
// Content-Security-Policy allows no blob: addresses for <audio>), uploaded as a 16-bit
// mono WAV made here (wav.js), or thrown away. The button says what it will do; starting,
// stopping and the outcome are announced.
import { h, onLeave } from '../../dom.js';
import { t } from '../../i18n.js';
import { duration } from '../../phone/format.js';
import { toInt16, downsample, wavFile, level } from './wav.js';

const RATE = 8000;

// `id`: a prefix for the elements; `maxSeconds`; `upload(bytes)` resolves to an error
// text or null; `label`: what is recorded (for the buttons' names).
export function recorder({ id, label, maxSeconds, upload }) {
  const toggle = h('button', { type: 'button', class: 'secondary rec-toggle', id: `${id}-toggle`, 'data-testid': `${id}-toggle` });
  const meter = h('meter', { id: `${id}-level`, min: '0', max: '1', low: '0.05', high: '0.8', optimum: '0.3', value: '0' });
  const time = h('span', { role: 'timer', class: 'rec-time', id: `${id}-time` }, '0:00');
  const status = h('p', { class: 'hint rec-status', id: `${id}-status`, 'aria-live': 'polite' });
  const listen = h('button', { type: 'button', class: 'secondary', id: `${id}-listen` });
  const send = h('button', { type: 'button', id: `${id}-upload`, 'data-testid': `${id}-upload` }, t('recUpload'));
  const discard = h('button', { type: 'button', class: 'secondary', id: `${id}-discard` }, t('recDiscard'));
  const after = h('p', { class: 'button-row rec-after', hidden: true }, listen, send, discard);
  let run = null; // { stream, context, source, node, chunks, count, rate, frame }
  let take = null; // { samples: Int16Array, rate }
  let playing = null;

  function say(text) { status.textContent = ''; setTimeout(() => { status.textContent = text; }, 50); }
  function drawToggle() {
    toggle.replaceChildren(h('span', { 'aria-hidden': 'true' }, run ? '■ ' : '● '), t(run ? 'recStop' : 'recStart'));
    toggle.setAttribute('aria-label', t(run ? 'recStopOf' : 'recStartOf', { n: label }));
  }
  function drawListen() { listen.replaceChildren(h('span', { 'aria-hidden': 'true' }, playing ? '■ ' : '▶ '), t(playing ? 'recListenStop' : 'recListen')); }
  function shown(seconds) { time.textContent = t('recTime', { s: duration(seconds), m: duration(maxSeconds) }); }

  async function open() {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false }, video: false });
    let context;
    let source;
    try {
      context = new AudioContext({ sampleRate: RATE });
      source = context.createMediaStreamSource(stream);
    } catch {
      if (context) context.close().catch(() => {});
      context = new AudioContext();
      source = context.createMediaStreamSource(stream);
    }
    await context.audioWorklet.addModule(new URL('./recorder_worklet.js', import.meta.url));
    const node = new AudioWorkletNode(context, 'durchwahl-recorder');
    return { stream, context, source, node, chunks: [], count: 0, rate: context.sampleRate, frame: 0, level: 0 };
  }

  async function start() {
    reset();
    toggle.disabled = true;
    try {
      run = await open();
    } catch (e) {
      toggle.disabled = false;
      say(t(e && e.name === 'NotAllowedError' ? 'recNoPermission' : 'recNoMicrophone'));
      return;
    }
    toggle.disabled = false;
    run.node.port.onmessage = (e) => {
      if (!run) return;
      run.chunks.push(e.data);
      run.count += e.data.length;
      run.level = level(e.data);
      if (run.count / run.rate >= maxSeconds) stop(true);
    };
    run.source.connect(run.node);
    run.node.connect(run.context.destination);
    const step = () => {
      if (!run) return;
      meter.value = Math.min(1, run.level * 4);
      shown(run.count / run.rate);
      run.frame = requestAnimationFrame(step);
    };
    step();
    drawToggle();
    toggle.focus();
    say(t('recRunning', { m: duration(maxSeconds) }));
  }

  function stop(atMax = false) {
    if (!run) return;
    const { stream, context, source, node, chunks, rate, frame } = run;
    run = null;
    cancelAnimationFrame(frame);
    node.port.onmessage = null;
    source.disconnect();
    node.disconnect();
    for (const track of stream.getTracks()) track.stop();
    context.close().catch(() => {});
    meter.value = 0;
    const factor = Math.max(1, Math.floor(rate / RATE));
    const samples = downsample(toInt16(chunks), factor);
    take = { samples, rate: Math.round(rate / factor) };
    const seconds = samples.length / take.rate;
    shown(seconds);
    drawToggle();
    if (seconds < 0.5) { take = null; say(t('recTooShort')); toggle.focus(); return; }
    after.hidden = false;
    drawListen();
    say(t(atMax ? 'recStoppedAtMax' : 'recStopped', { s: duration(seconds) }));
    listen.focus();
  }

  function stopPlaying() {
    if (!playing) return;
    playing.close().catch(() => {});
    playing = null;
    drawListen();
  }

  function play() {
    if (playing) { stopPlaying(); return; }
    if (!take) return;
    const context = new AudioContext();
    const buffer = context.createBuffer(1, take.samples.length, take.rate);
    const data = buffer.getChannelData(0);
    for (let i = 0; i < take.samples.length; i += 1) data[i] = take.samples[i] / 0x8000;
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.connect(context.destination);
    source.onended = () => { if (playing === context) stopPlaying(); };
    source.start();
    playing = context;
    drawListen();
  }

  function reset() {
    stopPlaying();
    take = null;
    after.hidden = true;
    time.textContent = '0:00';
  }

  toggle.addEventListener('click', () => (run ? stop() : start()));
  listen.addEventListener('click', play);
  discard.addEventListener('click', () => { reset(); say(t('recDiscarded')); toggle.focus(); });
  send.addEventListener('click', async () => {
    if (!take) return;
    stopPlaying();
    send.disabled = true;
    say(t('recUploading'));
    const problem = await upload(wavFile(take.samples, take.rate));
    send.disabled = false;
    if (problem) { say(problem); send.focus(); return; }
    reset();
    say(t('recUploaded'));
    toggle.focus();
  });
  drawToggle();
  shown(0);
  // Leaving the page ends a recording and a playback: the microphone is let go.
  onLeave(() => { stop(); stopPlaying(); });
  return h('div', { class: 'rec', role: 'group', 'aria-labelledby': `${id}-h` },
    h('h4', { id: `${id}-h` }, t('recTitle')), h('p', { class: 'hint' }, t('recHint', { m: duration(maxSeconds) })),
    h('div', { class: 'rec-bar' }, toggle, h('span', { class: 'rec-meter' }, h('label', { for: meter.id }, t('recLevel')), meter), time),
    status, after);
}
