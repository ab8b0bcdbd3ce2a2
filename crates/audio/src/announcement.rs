//! An uploaded announcement as the hotline stores it: 8 kHz A-law in whole 20 ms frames for
//! the telephone, and the full-quality Ogg Opus copy for browsers; and the A-law back as a
//! WAV file a browser plays (16-bit PCM), to hear it as callers do.

use crate::decode::{decode, AudioError};
use crate::opus::to_ogg_opus;
use crate::telephone::{frames, to_8khz};
use media::Codec;

/// An announcement in the two forms the server keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// 8 kHz A-law, whole 20 ms frames: what phones hear.
    pub alaw: Vec<u8>,
    /// Ogg Opus at 48 kHz from the original: what a browser plays.
    pub opus: Vec<u8>,
}

impl Stored {
    /// The length in milliseconds (of the telephone copy).
    pub fn duration_ms(&self) -> i64 {
        self.alaw.len() as i64 / 8
    }
}

/// Decodes an uploaded file (WAV, MP3, Ogg Vorbis, Ogg Opus; `extension` as a hint) into
/// both stored forms, refusing files longer than `max_seconds`.
pub fn prepare(
    bytes: Vec<u8>,
    extension: Option<&str>,
    max_seconds: u32,
) -> Result<Stored, AudioError> {
    let pcm = decode(bytes, extension, max_seconds)?;
    let alaw = frames(&to_8khz(&pcm), Codec::Pcma).concat();
    let opus = to_ogg_opus(&pcm)?;
    Ok(Stored { alaw, opus })
}

/// A-law audio as a WAV file (8 kHz, mono, 16-bit PCM).
pub fn alaw_to_wav(alaw: &[u8]) -> Vec<u8> {
    let data_len = (alaw.len() * 2) as u32;
    let mut wav = Vec::with_capacity(44 + alaw.len() * 2);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&8_000u32.to_le_bytes());
    wav.extend_from_slice(&16_000u32.to_le_bytes());
    wav.extend_from_slice(&2u16.to_le_bytes());
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    for &a in alaw {
        wav.extend_from_slice(&media::codec::alaw_to_linear(a).to_le_bytes());
    }
    wav
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wav_goes_in_and_comes_back_as_the_same_telephone_audio() {
        // A second of a 440 Hz tone at 8 kHz, as the WAV the browser would get back.
        let tone: Vec<u8> = (0..8_000)
            .map(|i| {
                let s =
                    (f32::sin(i as f32 * 440.0 * std::f32::consts::TAU / 8_000.0) * 8_000.0) as i16;
                media::codec::linear_to_alaw(s)
            })
            .collect();
        let wav = alaw_to_wav(&tone);
        assert_eq!(&wav[..4], b"RIFF");
        assert_eq!(wav.len(), 44 + 16_000);
        let again = prepare(wav, Some("wav"), 10).unwrap().alaw;
        assert_eq!(again.len() % 160, 0, "whole frames");
        assert_eq!(again.len(), 8_000);
        // Resampling 8 kHz to 8 kHz keeps the tone: most bytes come back as they were.
        let same = again.iter().zip(&tone).filter(|(a, b)| a == b).count();
        assert!(same > 7_000, "{same} of 8000");
    }

    #[test]
    fn both_forms_hold_the_same_length() {
        let tone: Vec<u8> = (0..16_000)
            .map(|i| {
                let s =
                    (f32::sin(i as f32 * 440.0 * std::f32::consts::TAU / 8_000.0) * 8_000.0) as i16;
                media::codec::linear_to_alaw(s)
            })
            .collect();
        let stored = prepare(alaw_to_wav(&tone), Some("wav"), 10).unwrap();
        assert_eq!(stored.duration_ms(), 2_000);
        let opus = crate::opus::from_ogg_opus(&stored.opus, 10).unwrap();
        assert_eq!(opus.duration_ms(), 2_000);
    }

    #[test]
    fn what_is_not_sound_is_refused() {
        assert!(matches!(
            prepare(b"hello".to_vec(), Some("mp3"), 10),
            Err(AudioError::NotAudio(_))
        ));
    }
}
