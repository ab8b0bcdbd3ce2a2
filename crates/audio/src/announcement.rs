//! An uploaded announcement as the hotline stores it (8 kHz A-law in whole 20 ms frames),
//! and back as a WAV file a browser plays (16-bit PCM), to listen to what was uploaded.

use crate::decode::{decode, AudioError};
use crate::telephone::{frames, to_8khz};
use media::Codec;

/// Decodes an uploaded file (WAV, MP3, Ogg Vorbis; `extension` as a hint) into A-law
/// telephone audio, refusing files longer than `max_seconds`.
pub fn to_alaw(
    bytes: Vec<u8>,
    extension: Option<&str>,
    max_seconds: u32,
) -> Result<Vec<u8>, AudioError> {
    let pcm = decode(bytes, extension, max_seconds)?;
    let samples = to_8khz(&pcm);
    Ok(frames(&samples, Codec::Pcma).concat())
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
        let again = to_alaw(wav, Some("wav"), 10).unwrap();
        assert_eq!(again.len() % 160, 0, "whole frames");
        assert_eq!(again.len(), 8_000);
        // Resampling 8 kHz to 8 kHz keeps the tone: most bytes come back as they were.
        let same = again.iter().zip(&tone).filter(|(a, b)| a == b).count();
        assert!(same > 7_000, "{same} of 8000");
    }

    #[test]
    fn what_is_not_sound_is_refused() {
        assert!(matches!(
            to_alaw(b"hello".to_vec(), Some("mp3"), 10),
            Err(AudioError::NotAudio(_))
        ));
    }
}
