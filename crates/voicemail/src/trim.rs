//! How much of a recording is kept: the silence at its end is cut (the caller stopped
//! talking and took a moment to hang up), keeping [`MARGIN`] after the last sound so the
//! last word is not clipped; a recording with less than [`MIN_SOUND`] of sound in it (a
//! caller who hung up at the greeting, or only breathed) is not kept at all.
//!
//! The recording is 8 kHz mono, as `media::Recorder` gives it. It is judged in 20 ms
//! windows: a window is sound when its level (RMS) is above [`THRESHOLD_DBFS`]. The
//! beginning is kept as it is: the caller heard the signal tone and is finding words.
//!
//! ```
//! use voicemail::trim;
//! // One second of speech-loud noise, then four seconds of silence.
//! let mut recording: Vec<i16> = (0..8_000).map(|i| if i % 2 == 0 { 3_000 } else { -3_000 }).collect();
//! recording.resize(5 * 8_000, 0);
//! assert_eq!(trim::keep(&recording), Some(8_000 + trim::MARGIN));
//! assert_eq!(trim::keep(&[0; 8_000]), None);
//! assert_eq!(trim::max_samples(180), 1_440_000);
//! ```

/// Samples per second.
pub const SAMPLE_RATE: usize = 8_000;

/// The window a level is measured over: 20 ms.
pub const WINDOW: usize = SAMPLE_RATE / 50;

/// A window quieter than this (RMS, relative to full scale) is silence. A telephone line's
/// noise is well below, quiet speech well above.
pub const THRESHOLD_DBFS: f64 = -45.0;

/// Kept after the last window of sound: 300 ms.
pub const MARGIN: usize = SAMPLE_RATE * 3 / 10;

/// A recording with less sound than this in all (0.5 s) is not kept.
pub const MIN_SOUND: usize = SAMPLE_RATE / 2;

/// The number of samples to keep from the start of `samples`, or `None` when nothing
/// audible is left to keep (the shell then stores nothing).
pub fn keep(samples: &[i16]) -> Option<usize> {
    let threshold = threshold_power();
    let mut sound = 0;
    let mut end_of_last_sound = 0;
    for (i, window) in samples.chunks(WINDOW).enumerate() {
        if power(window) > threshold {
            sound += window.len();
            end_of_last_sound = i * WINDOW + window.len();
        }
    }
    (sound >= MIN_SOUND).then(|| (end_of_last_sound + MARGIN).min(samples.len()))
}

/// The most samples a recording of `max_seconds` holds (`[voicemail] max_seconds`).
pub fn max_samples(max_seconds: u32) -> usize {
    usize::try_from(max_seconds)
        .unwrap_or(usize::MAX)
        .saturating_mul(SAMPLE_RATE)
}

/// The mean square of the samples.
fn power(window: &[i16]) -> f64 {
    let sum: f64 = window.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    sum / window.len().max(1) as f64
}

/// The mean square of a window at [`THRESHOLD_DBFS`].
fn threshold_power() -> f64 {
    let full_scale = 32_768.0f64;
    full_scale * full_scale * 10f64.powf(THRESHOLD_DBFS / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `samples` of a 440 Hz tone at `dbfs` (RMS).
    fn tone(samples: usize, dbfs: f64) -> Vec<i16> {
        let amplitude = 32_768.0 * 10f64.powf(dbfs / 20.0) * std::f64::consts::SQRT_2;
        (0..samples)
            .map(|n| {
                let t = n as f64 / SAMPLE_RATE as f64;
                (amplitude * (2.0 * std::f64::consts::PI * 440.0 * t).sin()).round() as i16
            })
            .collect()
    }

    fn silence(samples: usize) -> Vec<i16> {
        vec![0; samples]
    }

    fn joined(parts: &[Vec<i16>]) -> Vec<i16> {
        parts.concat()
    }

    #[test]
    fn trailing_silence_is_cut_to_the_margin() {
        let speech = tone(2 * SAMPLE_RATE, -20.0);
        let recording = joined(&[silence(4_000), speech.clone(), silence(5 * SAMPLE_RATE)]);
        assert_eq!(keep(&recording), Some(4_000 + speech.len() + MARGIN));
    }

    #[test]
    fn trailing_silence_of_exactly_the_margin_is_all_kept() {
        let recording = joined(&[tone(SAMPLE_RATE, -20.0), silence(MARGIN)]);
        assert_eq!(keep(&recording), Some(recording.len()));
        // One sample more and exactly that one goes.
        let longer = joined(&[tone(SAMPLE_RATE, -20.0), silence(MARGIN + 1)]);
        assert_eq!(keep(&longer), Some(longer.len() - 1));
        // Less than the margin: nothing to cut, nothing invented.
        let shorter = joined(&[tone(SAMPLE_RATE, -20.0), silence(MARGIN / 2)]);
        assert_eq!(keep(&shorter), Some(shorter.len()));
    }

    #[test]
    fn pure_silence_and_an_empty_recording_are_not_kept() {
        assert_eq!(keep(&silence(30 * SAMPLE_RATE)), None);
        assert_eq!(keep(&[]), None);
    }

    #[test]
    fn line_noise_below_the_threshold_is_silence() {
        assert_eq!(keep(&tone(10 * SAMPLE_RATE, -50.0)), None);
        let quiet_speech = tone(SAMPLE_RATE, -40.0);
        assert_eq!(keep(&quiet_speech), Some(quiet_speech.len()));
    }

    #[test]
    fn less_than_half_a_second_of_sound_is_not_kept() {
        let cough = joined(&[tone(MIN_SOUND - WINDOW, -10.0), silence(3 * SAMPLE_RATE)]);
        assert_eq!(keep(&cough), None);
        let enough = joined(&[tone(MIN_SOUND, -10.0), silence(3 * SAMPLE_RATE)]);
        assert_eq!(keep(&enough), Some(MIN_SOUND + MARGIN));
        // The sound need not be in one piece: it is counted over the whole recording.
        let pieces = |windows: usize| {
            joined(&[
                tone(windows * WINDOW, -10.0),
                silence(SAMPLE_RATE),
                tone(windows * WINDOW, -10.0),
                silence(SAMPLE_RATE),
            ])
        };
        assert_eq!(MIN_SOUND, 25 * WINDOW);
        assert_eq!(keep(&pieces(13)), Some(26 * WINDOW + SAMPLE_RATE + MARGIN));
        assert_eq!(keep(&pieces(12)), None);
    }

    #[test]
    fn a_pause_in_the_middle_is_kept() {
        let recording = joined(&[
            tone(SAMPLE_RATE, -20.0),
            silence(5 * SAMPLE_RATE),
            tone(SAMPLE_RATE, -20.0),
            silence(5 * SAMPLE_RATE),
        ]);
        assert_eq!(keep(&recording), Some(7 * SAMPLE_RATE + MARGIN));
    }

    #[test]
    fn sound_up_to_the_very_end_keeps_everything() {
        // Not whole windows: the last, shorter one is judged too.
        let recording = joined(&[silence(1_000), tone(SAMPLE_RATE + 37, -20.0)]);
        assert_eq!(keep(&recording), Some(recording.len()));
    }

    #[test]
    fn the_threshold_is_about_minus_45_dbfs() {
        let power_at = |dbfs: f64| power(&tone(SAMPLE_RATE, dbfs));
        assert!(power_at(-44.0) > threshold_power());
        assert!(power_at(-46.0) < threshold_power());
        assert_eq!(WINDOW, 160);
        assert_eq!(MARGIN, 2_400);
    }

    #[test]
    fn max_samples_is_seconds_at_8_khz() {
        assert_eq!(max_samples(0), 0);
        assert_eq!(max_samples(180), 180 * 8_000);
        assert_eq!(max_samples(u32::MAX), u32::MAX as usize * 8_000);
    }
}
