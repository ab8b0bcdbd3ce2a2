// Audio settings in a dialog (from the dock or the account page): microphone and speaker
// for calls, a level meter to see the microphone works, a speaker test, the echo test
// call (*43), notifications for calls, and a headset's buttons (WebHID) where possible.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { askForNotifications } from '../popups.js';
import {
  listDevices, chosenMicrophone, chosenSpeaker, chooseMicrophone, chooseSpeaker, canChooseSpeaker, audioConstraints, applyContextSink,
} from './devices.js';
import { hidAvailable, connectHeadset, headsetName } from './hid.js';
import { dial } from './phone.js';

let dialog = null;
let meter = null; // { stream, context, frame }

function stopMeter() {
  if (!meter) return;
  cancelAnimationFrame(meter.frame);
  for (const track of meter.stream.getTracks()) track.stop();
  meter.context.close().catch(() => {});
  meter = null;
}

// Shows the microphone's level (RMS of an AnalyserNode's samples) in `gauge`.
async function startMeter(gauge, status) {
  stopMeter();
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: audioConstraints(), video: false });
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 1024;
    context.createMediaStreamSource(stream).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    meter = { stream, context, frame: 0 };
    const step = () => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      gauge.value = Math.min(1, Math.sqrt(sum / samples.length) * 4);
      meter.frame = requestAnimationFrame(step);
    };
    step();
    status.textContent = t('meterRunning');
    return true;
  } catch {
    status.textContent = t('noMicrophone');
    return false;
  }
}

// A short 440 Hz beep on the chosen speaker.
function speakerTest() {
  const context = new AudioContext();
  applyContextSink(context);
  const osc = context.createOscillator();
  const gain = context.createGain();
  gain.gain.value = 0.15;
  osc.frequency.value = 440;
  osc.connect(gain).connect(context.destination);
  osc.start();
  osc.stop(context.currentTime + 0.6);
  osc.onended = () => context.close().catch(() => {});
}

function deviceSelect(id, label, devices, chosen, fallback) {
  const select = h('select', { id },
    h('option', { value: '' }, t('deviceDefault')),
    ...devices.map((d, i) => h('option', { value: d.deviceId, selected: d.deviceId === chosen }, d.label || `${fallback} ${i + 1}`)));
  return [h('div', {}, h('label', { for: id }, label), select), select];
}

async function fill(body, status) {
  const { inputs, outputs } = await listDevices();
  const [micRow, mic] = deviceSelect('audio-mic', t('microphone'), inputs, chosenMicrophone(), t('microphone'));
  const gauge = h('meter', { id: 'audio-level', min: 0, max: 1, low: 0.1, high: 0.8, optimum: 0.5, value: 0 });
  const levelRow = h('div', { class: 'level' }, h('label', { for: 'audio-level' }, t('micLevel')), gauge);
  mic.addEventListener('change', () => { chooseMicrophone(mic.value); if (meter) startMeter(gauge, status); });
  const meterButton = h('button', { type: 'button', class: 'secondary', onclick: async () => {
    if (meter) { stopMeter(); status.textContent = ''; gauge.value = 0; meterButton.textContent = t('meterStart'); return; }
    if (await startMeter(gauge, status)) {
      meterButton.textContent = t('meterStop');
      // Names of the devices show only after the microphone was allowed once.
      if (!inputs.some((d) => d.label)) fill(body, status);
    }
  } }, t('meterStart'));
  const parts = [micRow, levelRow, h('p', {}, meterButton)];
  if (canChooseSpeaker()) {
    const [spkRow, spk] = deviceSelect('audio-speaker', t('speaker'), outputs, chosenSpeaker(), t('speaker'));
    spk.addEventListener('change', () => chooseSpeaker(spk.value));
    parts.push(spkRow);
  }
  parts.push(h('p', { class: 'button-row' },
    h('button', { type: 'button', class: 'secondary', onclick: speakerTest }, t('speakerTest')),
    h('button', { type: 'button', class: 'secondary', onclick: () => { close(); dial('*43', { name: t('echoTest'), number: '*43' }); } }, t('testCall'))),
  h('p', { class: 'hint' }, t('testCallHint')));
  if ('Notification' in window && Notification.permission === 'default') {
    parts.push(h('p', {}, h('button', { type: 'button', class: 'secondary', onclick: (e) => { askForNotifications(); e.currentTarget.remove(); } }, t('allowNotifications'))));
  }
  if (hidAvailable()) {
    const hidState = h('p', { class: 'hint', 'aria-live': 'polite' }, headsetName() ? t('headsetConnected', { n: headsetName() }) : t('headsetHint'));
    parts.push(h('h3', {}, t('headset')), hidState, h('p', {}, h('button', { type: 'button', class: 'secondary', onclick: async () => {
      const name = await connectHeadset();
      hidState.textContent = name ? t('headsetConnected', { n: name }) : t('headsetNone');
    } }, t('headsetConnect'))));
  }
  body.replaceChildren(...parts);
}

function close() {
  stopMeter();
  if (dialog && dialog.open) dialog.close();
}

// Opens the settings as a modal dialog; the focus returns to `opener` when it closes.
export async function openAudioSettings(opener) {
  if (!dialog) {
    dialog = h('dialog', { id: 'audio-settings', class: 'settings-dialog', 'aria-labelledby': 'audio-h' });
    dialog.addEventListener('close', () => { stopMeter(); if (dialog.opener) dialog.opener.focus(); });
    document.body.append(dialog);
  }
  dialog.opener = opener || null;
  const status = h('p', { class: 'hint', role: 'status' });
  const body = h('div', { class: 'settings-body' });
  dialog.replaceChildren(h('h2', { id: 'audio-h' }, t('audioSettings')), body, status,
    h('p', {}, h('button', { type: 'button', onclick: close }, t('close'))));
  dialog.showModal();
  await fill(body, status);
  const first = dialog.querySelector('select, button');
  if (first) first.focus();
}
