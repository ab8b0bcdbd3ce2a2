//! Turns espeak-ng's WAV files into the built-in prompts (`crates/audio/prompts/`), and
//! synthesises the music on hold. Run by `scripts/make-prompts`; the server never runs it.
//!
//! ```text
//! make_prompt <in.wav> <out.alaw> [<in.wav> <out.alaw> ...]
//! make_prompt --hold-music <out.alaw>
//! ```
//!
//! Each WAV goes through the same pipeline as an uploaded announcement (`decode`, `to_8khz`,
//! `frames`), is brought to one loudness, has its leading and trailing silence cut (keeping a
//! short breath so the words do not start clipped) and is written as raw A-law in whole
//! 20 ms frames.

use audio::{decode, frames, to_8khz, FRAME_SAMPLES};
use media::Codec;
use std::f32::consts::PI;
use std::process::ExitCode;

/// Samples below this magnitude count as silence when trimming (about -42 dBFS).
const SILENCE: i16 = 260;
/// Silence kept before and after the speech: 30 ms.
const MARGIN: usize = 240;
/// The speech's peak after levelling: about -4 dBFS, loud but short of clipping in A-law.
const PEAK: f32 = 0.63;
/// The longest WAV accepted; the longest sentence is well below it.
const MAX_SECONDS: u32 = 60;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [flag, out] if flag == "--hold-music" => write(out, &hold_music()),
        pairs if !pairs.is_empty() && pairs.len() % 2 == 0 => pairs
            .chunks(2)
            .try_for_each(|pair| speech(&pair[0]).and_then(|samples| write(&pair[1], &samples))),
        _ => Err("usage: make_prompt <in.wav> <out.alaw> [...] | --hold-music <out.alaw>".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("make_prompt: {message}");
            ExitCode::FAILURE
        }
    }
}

/// A spoken WAV file as levelled, trimmed 8 kHz samples.
fn speech(path: &str) -> Result<Vec<i16>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let pcm = decode(bytes, Some("wav"), MAX_SECONDS).map_err(|e| format!("{path}: {e}"))?;
    let samples = level(&to_8khz(&pcm));
    let trimmed = trim(&samples);
    if trimmed.is_empty() {
        return Err(format!("{path}: nothing but silence"));
    }
    Ok(trimmed.to_vec())
}

/// Scales the samples so that their peak is `PEAK`, so that the clips joined into one
/// sentence sound equally loud.
fn level(samples: &[i16]) -> Vec<i16> {
    let peak = samples.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
    if peak == 0 {
        return samples.to_vec();
    }
    let gain = PEAK * f32::from(i16::MAX) / f32::from(peak);
    samples
        .iter()
        .map(|&s| (f32::from(s) * gain).round() as i16)
        .collect()
}

/// The samples from shortly before the first sound to shortly after the last.
fn trim(samples: &[i16]) -> &[i16] {
    let loud = |s: &i16| s.unsigned_abs() > SILENCE.unsigned_abs();
    let Some(first) = samples.iter().position(loud) else {
        return &[];
    };
    let last = samples.iter().rposition(loud).unwrap_or(first);
    &samples[first.saturating_sub(MARGIN)..(last + 1 + MARGIN).min(samples.len())]
}

/// Writes the samples as A-law frames; `frames` fills the last one with silence.
fn write(path: &str, samples: &[i16]) -> Result<(), String> {
    let bytes: Vec<u8> = frames(samples, Codec::Pcma).concat();
    debug_assert_eq!(bytes.len() % FRAME_SAMPLES, 0);
    std::fs::write(path, bytes).map_err(|e| format!("{path}: {e}"))
}

/// 20 s of a slow, quiet arpeggio that loops without a seam: C, A minor, F and G major,
/// eight notes each, sine tones with a soft attack and a long decay. Our own composition
/// of the commonest chord progression there is, so free of anyone's rights.
fn hold_music() -> Vec<i16> {
    const RATE: f32 = 8_000.0;
    const NOTE_SECONDS: f32 = 0.625;
    // MIDI note numbers, all from A3 (220 Hz) up: the telephone band starts near 300 Hz
    // and a handset barely reproduces anything lower.
    const CHORDS: [[u8; 4]; 4] = [
        [60, 64, 67, 72], // C E G C
        [57, 60, 64, 69], // A C E A
        [57, 60, 65, 69], // A C F A (F major over its third)
        [59, 62, 67, 71], // B D G B (G major over its third)
    ];
    const PATTERN: [usize; 8] = [0, 1, 2, 3, 2, 1, 2, 1];

    let note_len = (NOTE_SECONDS * RATE) as usize;
    let total = note_len * PATTERN.len() * CHORDS.len();
    let mut mix = vec![0.0f32; total];
    let mut start = 0;
    for chord in CHORDS {
        for step in PATTERN {
            let hz = 440.0 * 2f32.powf((f32::from(chord[step]) - 69.0) / 12.0);
            // Each note rings on for three note lengths under the next ones; what rings past
            // the end is added to the beginning, so the loop is seamless.
            for n in 0..note_len * 3 {
                let t = n as f32 / RATE;
                let attack = (t / 0.04).min(1.0);
                let decay = (-t / 0.45).exp();
                let tone = (2.0 * PI * hz * t).sin() + 0.25 * (4.0 * PI * hz * t).sin();
                mix[(start + n) % total] += tone * attack * decay;
            }
            start += note_len;
        }
    }
    // Soft: the loudest moment at -8 dBFS, the average around -18 dBFS, a little below the
    // speech so that an announcement stands out from the music.
    let peak = mix.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    let gain = 0.4 / peak;
    mix.iter()
        .map(|s| (s * gain * f32::from(i16::MAX)).round() as i16)
        .collect()
}
