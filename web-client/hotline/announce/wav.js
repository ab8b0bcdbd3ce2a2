// PCM to a WAV file, in the browser and without a library: 16-bit signed little-endian
// mono at the given rate (RIFF/WAVE with a 44-byte header, "fmt " format 1 = PCM), the
// form the server's announcement decoder reads first. Pure: samples in, bytes out.

// Float samples (-1…1) of several chunks to 16-bit integers, clipped.
export function toInt16(chunks) {
  const length = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Int16Array(length);
  let at = 0;
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i += 1) {
      const s = Math.max(-1, Math.min(1, chunk[i]));
      out[at] = s < 0 ? Math.round(s * 0x8000) : Math.round(s * 0x7fff);
      at += 1;
    }
  }
  return out;
}

// Every `factor`th sample as the mean of its neighbourhood (a box filter against the
// worst aliasing) when the browser could not record at the wanted rate itself.
export function downsample(samples, factor) {
  if (factor <= 1) return samples;
  const out = new Int16Array(Math.floor(samples.length / factor));
  for (let i = 0; i < out.length; i += 1) {
    let sum = 0;
    for (let j = 0; j < factor; j += 1) sum += samples[i * factor + j];
    out[i] = Math.round(sum / factor);
  }
  return out;
}

// The WAV file of 16-bit mono `samples` at `rate` Hz, as a Uint8Array.
export function wavFile(samples, rate) {
  const bytes = new Uint8Array(44 + samples.length * 2);
  const view = new DataView(bytes.buffer);
  const text = (at, s) => { for (let i = 0; i < s.length; i += 1) view.setUint8(at + i, s.charCodeAt(i)); };
  text(0, 'RIFF');
  view.setUint32(4, 36 + samples.length * 2, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true); // size of the format chunk
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true); // bytes per second
  view.setUint16(32, 2, true); // bytes per frame
  view.setUint16(34, 16, true); // bits per sample
  text(36, 'data');
  view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i += 1) view.setInt16(44 + i * 2, samples[i], true);
  return bytes;
}

// The root mean square of a chunk (0…1), for the level meter.
export function level(chunk) {
  let sum = 0;
  for (let i = 0; i < chunk.length; i += 1) sum += chunk[i] * chunk[i];
  return chunk.length ? Math.sqrt(sum / chunk.length) : 0;
}
