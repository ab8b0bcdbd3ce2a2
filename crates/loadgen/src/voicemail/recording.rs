//! What a stored recording holds, pure: decoded samples in, its length, how much of it is
//! the caller's tone (20 ms windows whose power is mostly at the tone's pitch), the
//! silent holes inside the tone (a packet the server lost upstream becomes 20 ms of
//! silence in the recording), and whether its middle second is this caller's pitch and not
//! another caller's (the callers' pitches are 20 Hz apart; a one-second window tells them
//! apart).

use serde::Serialize;

/// A window counts as tone when this share of its power is at the pitch...
const TONE_SHARE: f32 = 0.5;
/// ...and it is louder than this (RMS, full scale 1.0; -30 dBFS; the tone is at -15).
const TONE_RMS: f32 = 0.031_6;
/// The middle second belongs to the caller when this share of its power is at its pitch.
const OWN_SHARE: f32 = 0.8;

/// What one recording holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Audio {
    /// Its length (ms).
    pub duration_ms: f64,
    /// 20 ms windows of tone (ms).
    pub tone_ms: f64,
    /// Where the first window of tone begins (ms).
    pub tone_from_ms: Option<f64>,
    /// Where the last window of tone ends (ms).
    pub tone_until_ms: Option<f64>,
    /// Windows without the tone between the first and the last of it (ms).
    pub holes_ms: f64,
    /// The share of the middle second's power at the caller's pitch (0..1).
    pub own_share: f64,
}

impl Audio {
    /// Whether the middle second is the caller's pitch.
    pub fn is_own(&self) -> bool {
        self.own_share as f32 >= OWN_SHARE
    }

    /// Silence kept after the tone (ms): the trim's margin.
    pub fn tail_ms(&self) -> Option<f64> {
        Some(self.duration_ms - self.tone_until_ms?)
    }
}

/// Looks at `samples` (mono, `rate` Hz, full scale 1.0) for a tone of `hz`.
pub fn analyse(samples: &[f32], rate: u32, hz: f32) -> Audio {
    let window = (rate / 50) as usize;
    let ms_per_window = 20.0;
    let mut tone = Vec::new();
    for (i, w) in samples.chunks_exact(window).enumerate() {
        let rms = (w.iter().map(|x| x * x).sum::<f32>() / w.len() as f32).sqrt();
        if rms >= TONE_RMS && share_at(w, rate as f32, hz) >= TONE_SHARE {
            tone.push(i);
        }
    }
    let (first, last) = (tone.first().copied(), tone.last().copied());
    let holes = match (first, last) {
        (Some(f), Some(l)) => (l - f + 1) - tone.len(),
        _ => 0,
    };
    let second = rate as usize;
    let middle = samples.len() / 2;
    let own_share = match samples.len() >= second {
        true => share_at(
            &samples[middle - second / 2..middle + second / 2],
            rate as f32,
            hz,
        ),
        false => 0.0,
    };
    Audio {
        duration_ms: samples.len() as f64 * 1000.0 / f64::from(rate),
        tone_ms: tone.len() as f64 * ms_per_window,
        tone_from_ms: first.map(|f| f as f64 * ms_per_window),
        tone_until_ms: last.map(|l| (l + 1) as f64 * ms_per_window),
        holes_ms: holes as f64 * ms_per_window,
        own_share: f64::from(own_share),
    }
}

/// The share of the power of `samples` at `hz` (one Goertzel bin; 1.0 for a pure tone of
/// that pitch over whole periods).
pub fn share_at(samples: &[f32], rate: f32, hz: f32) -> f32 {
    let coeff = 2.0 * (std::f32::consts::TAU * hz / rate).cos();
    let (mut s1, mut s2) = (0f32, 0f32);
    for &x in samples {
        let s = x + coeff * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    let bin = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    let power: f32 = samples.iter().map(|x| x * x).sum();
    bin / (power * samples.len() as f32 / 2.0).max(1e-9)
}

/// The pitch of caller `id`: 300 to 900 Hz in steps of 20 (never the signal's 1 kHz).
pub fn pitch_of(id: u32) -> u32 {
    300 + 20 * (id % 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(hz: f32, rate: u32, ms: u32) -> Vec<f32> {
        (0..rate * ms / 1000)
            .map(|n| 0.25 * (std::f32::consts::TAU * hz * n as f32 / rate as f32).sin())
            .collect()
    }

    #[test]
    fn a_tone_with_a_hole_and_a_quiet_tail() {
        let rate = 48_000;
        let mut s = tone(440.0, rate, 2_000);
        // 20 ms lost at 1 s (one window), 300 ms of quiet kept at the end.
        s[48_000..48_960].fill(0.0);
        s.extend(std::iter::repeat_n(0.0, 14_400));
        let a = analyse(&s, rate, 440.0);
        assert_eq!(a.duration_ms, 2_300.0);
        assert_eq!((a.tone_ms, a.holes_ms), (1_980.0, 20.0));
        assert_eq!(
            (a.tone_from_ms, a.tone_until_ms),
            (Some(0.0), Some(2_000.0))
        );
        assert_eq!(a.tail_ms(), Some(300.0));
        assert!(a.is_own(), "{}", a.own_share);
        // Another caller's pitch, 20 Hz away: not theirs.
        assert!(!analyse(&s, rate, 460.0).is_own());
    }

    #[test]
    fn silence_and_noise_hold_no_tone() {
        let a = analyse(&vec![0.0; 48_000], 48_000, 440.0);
        assert_eq!((a.tone_ms, a.tone_from_ms, a.holes_ms), (0.0, None, 0.0));
        assert!(!a.is_own());
        // The signal's 1 kHz is no caller's tone.
        assert!(!analyse(&tone(1_000.0, 8_000, 1_000), 8_000, 440.0).is_own());
        assert!((300..=900).contains(&pitch_of(0)) && (300..=900).contains(&pitch_of(30)));
        assert_ne!(pitch_of(7), pitch_of(8));
    }
}
