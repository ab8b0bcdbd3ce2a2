//! Sound for the voicemail tests with real peers: test greetings and caller speech as
//! WAV files (a pure tone, or silence), the samples of a WAV a softphone is still
//! writing, and what a stretch of sound is: silence, one of a few known tones, or
//! something else (speech), so a test can say "the caller heard 2 s of 700 Hz, then the
//! 1 kHz signal tone".
//!
//! ```
//! use testkit::voicemail::{stretches, tone_wav, wav_samples, Sound};
//! let wav = [tone_wav(700.0, 1.0, 8_000), tone_wav(0.0, 0.5, 8_000)];
//! let (rate, mut samples) = wav_samples(&wav[0]).unwrap();
//! samples.extend(wav_samples(&wav[1]).unwrap().1);
//! let heard = stretches(&samples, rate, &[700, 1_000]);
//! assert_eq!(heard[0].sound, Sound::Tone(700));
//! assert_eq!((heard[0].start_ms, heard[0].ms), (0, 1_000));
//! assert_eq!(heard[1].sound, Sound::Silence);
//! ```

/// How loud a test tone is (of 1.0, full scale): loud, with room for codec overshoot.
pub const AMPLITUDE: f64 = 0.4;

/// The stretch of sound that is classified as one (ms).
pub const WINDOW_MS: u32 = 50;

/// A window quieter than this (RMS, of full scale; about -50 dBFS) is silence.
const SILENT_RMS: f32 = 0.003;

/// A window whose power is this much one tone is that tone.
const TONE_SHARE: f32 = 0.8;

/// A mono 16-bit PCM WAV file of `seconds` of a sine at `hz` (0: silence) at `rate`
/// samples per second, at [`AMPLITUDE`].
pub fn tone_wav(hz: f64, seconds: f64, rate: u32) -> Vec<u8> {
    let samples = (seconds * f64::from(rate)).round() as u32;
    let data_len = samples * 2;
    let mut wav = Vec::with_capacity(44 + data_len as usize);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&rate.to_le_bytes());
    wav.extend_from_slice(&(rate * 2).to_le_bytes()); // bytes per second
    wav.extend_from_slice(&2u16.to_le_bytes()); // bytes per frame
    wav.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    let full = f64::from(i16::MAX);
    for i in 0..samples {
        let t = f64::from(i) / f64::from(rate);
        let x = AMPLITUDE * full * (std::f64::consts::TAU * hz * t).sin();
        wav.extend_from_slice(&(x.round() as i16).to_le_bytes());
    }
    wav
}

/// The rate and the samples (of 1.0, full scale) of a mono 16-bit PCM WAV file, read up
/// to where it ends now: a softphone still recording into it may not have written the
/// chunk lengths yet, so everything after the `data` chunk's header counts. `None` when
/// the header is not there (yet) or is not mono 16-bit PCM.
pub fn wav_samples(bytes: &[u8]) -> Option<(u32, Vec<f32>)> {
    if bytes.get(..4)? != b"RIFF" || bytes.get(8..12)? != b"WAVE" {
        return None;
    }
    let u16_at = |at: usize| Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?));
    let u32_at = |at: usize| Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    let mut at = 12;
    let mut rate = None;
    loop {
        let (id, len) = (bytes.get(at..at + 4)?, u32_at(at + 4)? as usize);
        let body = at + 8;
        if id == b"fmt " {
            let (format, channels, bits) = (u16_at(body)?, u16_at(body + 2)?, u16_at(body + 14)?);
            if format != 1 || channels != 1 || bits != 16 {
                return None;
            }
            rate = Some(u32_at(body + 4)?);
        } else if id == b"data" {
            let data = bytes.get(body..)?;
            let samples = data
                .chunks_exact(2)
                .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32_768.0)
                .collect();
            return Some((rate?, samples));
        }
        // RIFF chunks are padded to an even length.
        at = body + len + (len & 1);
    }
}

/// The share of the power of `samples` that lies at `hz` (one Goertzel bin): near 1.0
/// for a pure tone at `hz`, near 0 for silence or another tone.
pub fn share_at(samples: &[f32], rate: u32, hz: f32) -> f32 {
    let coeff = 2.0 * (std::f32::consts::TAU * hz / rate as f32).cos();
    let (mut s1, mut s2) = (0f32, 0f32);
    for &x in samples {
        let s = x + coeff * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    let bin = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    let power: f32 = samples.iter().map(|x| x * x).sum();
    bin / (power * samples.len() as f32 / 2.0).max(1e-12)
}

/// What a WebRTC peer heard, as linear samples (8 kHz, A-law decoded).
pub fn heard(peer: &crate::webrtc_peer::RunningPeer) -> Vec<f32> {
    peer.counts
        .heard
        .lock()
        .map(|h| {
            h.iter()
                .map(|&b| f32::from(media::codec::alaw_to_linear(b)))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether the last 200 ms a peer heard are the box's signal tone (1 kHz) after the
/// greeting: from then on what the caller says is recorded. (200 ms, not less: a
/// greeting's speech near 1 kHz must not pass for it.)
pub fn hears_the_tone(peer: &crate::webrtc_peer::RunningPeer) -> bool {
    let all = heard(peer);
    all.len() >= 1_600 && share_at(&all[all.len() - 1_600..], 8_000, 1_000.0) > 0.8
}

/// What a stretch of sound is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sound {
    /// Nothing to hear.
    Silence,
    /// One of the tones asked about (Hz).
    Tone(u32),
    /// Sound, but none of those tones (speech, a tone not asked about, two at once).
    Other,
}

/// One stretch of the same [`Sound`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stretch {
    /// What it is.
    pub sound: Sound,
    /// Where it begins, from the start of the samples (ms).
    pub start_ms: u32,
    /// How long it lasts (ms), in steps of [`WINDOW_MS`].
    pub ms: u32,
}

impl Stretch {
    /// Where it ends (ms).
    pub fn end_ms(&self) -> u32 {
        self.start_ms + self.ms
    }
}

/// `samples` at `rate` cut into [`WINDOW_MS`] windows, each called silence, one of
/// `tones` (when most of its power is that tone) or other sound, and neighbours of the
/// same kind joined. A window on the border of two sounds is usually "other".
pub fn stretches(samples: &[f32], rate: u32, tones: &[u32]) -> Vec<Stretch> {
    let window = (rate * WINDOW_MS / 1_000).max(1) as usize;
    let mut out: Vec<Stretch> = Vec::new();
    for (i, chunk) in samples.chunks_exact(window).enumerate() {
        let rms = (chunk.iter().map(|x| x * x).sum::<f32>() / chunk.len() as f32).sqrt();
        let sound = if rms < SILENT_RMS {
            Sound::Silence
        } else {
            tones
                .iter()
                .find(|&&hz| share_at(chunk, rate, hz as f32) > TONE_SHARE)
                .map_or(Sound::Other, |&hz| Sound::Tone(hz))
        };
        match out.last_mut() {
            Some(last) if last.sound == sound => last.ms += WINDOW_MS,
            _ => out.push(Stretch {
                sound,
                start_ms: i as u32 * WINDOW_MS,
                ms: WINDOW_MS,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tone_reads_back_at_its_rate_and_frequency() {
        let wav = tone_wav(500.0, 0.5, 16_000);
        assert_eq!(wav.len(), 44 + 16_000);
        let (rate, samples) = wav_samples(&wav).unwrap();
        assert_eq!((rate, samples.len()), (16_000, 8_000));
        let peak = samples.iter().fold(0f32, |m, x| m.max(x.abs()));
        assert!((peak - AMPLITUDE as f32).abs() < 0.01, "{peak}");
        assert!(share_at(&samples, rate, 500.0) > 0.99);
        assert!(share_at(&samples, rate, 700.0) < 0.01);
    }

    #[test]
    fn a_wav_still_being_written_reads_up_to_its_end() {
        let mut wav = tone_wav(1_000.0, 0.1, 8_000);
        // A recorder's header before the lengths are known, and half a sample.
        wav[4..8].copy_from_slice(&0u32.to_le_bytes());
        wav[40..44].copy_from_slice(&0u32.to_le_bytes());
        wav.push(7);
        assert_eq!(wav_samples(&wav).unwrap().1.len(), 800);
        assert_eq!(wav_samples(&wav[..30]), None, "no data chunk yet");
        assert_eq!(wav_samples(b"OggS and more bytes"), None);
    }

    #[test]
    fn tones_silence_and_other_sound_are_told_apart() {
        let (rate, mut samples) = wav_samples(&tone_wav(0.0, 0.2, 8_000)).unwrap();
        for (hz, seconds) in [(700.0, 1.0), (1_000.0, 0.5), (440.0, 0.3)] {
            samples.extend(wav_samples(&tone_wav(hz, seconds, 8_000)).unwrap().1);
        }
        let heard: Vec<(Sound, u32, u32)> = stretches(&samples, rate, &[700, 1_000])
            .iter()
            .map(|s| (s.sound, s.start_ms, s.ms))
            .collect();
        assert_eq!(
            heard,
            [
                (Sound::Silence, 0, 200),
                (Sound::Tone(700), 200, 1_000),
                (Sound::Tone(1_000), 1_200, 500),
                (Sound::Other, 1_700, 300),
            ]
        );
    }
}
