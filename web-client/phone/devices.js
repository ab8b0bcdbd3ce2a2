// The microphone and speaker chosen for calls, remembered in this browser. localStorage
// holds only the two device ids (random per site in Chromium), nothing about the person.
const MIC = 'dw-microphone';
const SPEAKER = 'dw-speaker';

function read(key) {
  try { return localStorage.getItem(key) || ''; } catch { return ''; }
}

function write(key, value) {
  try {
    if (value) localStorage.setItem(key, value); else localStorage.removeItem(key);
  } catch { /* storage refused: the choice lasts for this page only */ }
}

export function chosenMicrophone() { return read(MIC); }
export function chosenSpeaker() { return read(SPEAKER); }
export function chooseMicrophone(id) { write(MIC, id); }
export function chooseSpeaker(id) { write(SPEAKER, id); }

// getUserMedia's audio constraints: the chosen microphone if it is still there (ideal,
// not exact, so an unplugged headset falls back to the default instead of failing).
export function audioConstraints() {
  const id = chosenMicrophone();
  const base = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
  return id ? { ...base, deviceId: { ideal: id } } : base;
}

export function canChooseSpeaker() {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

// Plays `audio` on the chosen speaker where the browser can choose one.
export function applySink(audio) {
  const id = chosenSpeaker();
  if (!id || !canChooseSpeaker()) return;
  audio.setSinkId(id).catch(() => { /* gone: the default speaker plays */ });
}

// Plays an AudioContext on the chosen speaker (Chromium 110 and later).
export function applyContextSink(context) {
  const id = chosenSpeaker();
  if (!id || typeof context.setSinkId !== 'function') return;
  context.setSinkId(id).catch(() => {});
}

// The audio inputs and outputs; names are empty until the person has allowed the
// microphone once (the browser's privacy rule), so they get numbers then.
export async function listDevices() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return { inputs: [], outputs: [] };
  const all = await navigator.mediaDevices.enumerateDevices();
  const pick = (kind) => all.filter((d) => d.kind === kind && d.deviceId && d.deviceId !== 'communications');
  return { inputs: pick('audioinput'), outputs: pick('audiooutput') };
}
