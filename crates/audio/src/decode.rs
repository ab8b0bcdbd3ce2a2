//! A sound file's bytes to mono samples at the file's own rate.

use std::io::Cursor;
use symphonia::core::codecs::audio::AudioDecoderOptions;
use symphonia::core::errors::Error;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, TrackType};
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;

/// Mono audio at `rate` samples per second, each sample in -1.0..=1.0.
#[derive(Debug, Clone, PartialEq)]
pub struct Pcm {
    /// Samples per second.
    pub rate: u32,
    /// The samples.
    pub samples: Vec<f32>,
}

impl Pcm {
    /// The length in milliseconds.
    pub fn duration_ms(&self) -> u64 {
        (self.samples.len() as u64 * 1000) / u64::from(self.rate.max(1))
    }
}

/// Why a file cannot be an announcement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AudioError {
    /// Not a sound file this server reads.
    #[error(
        "the file is not a sound file in a format we read (WAV, MP3, Ogg Vorbis, Ogg Opus): {0}"
    )]
    NotAudio(String),
    /// The file has no audio track.
    #[error("the file has no audio track")]
    NoTrack,
    /// The codec inside is not one we decode.
    #[error("the audio in the file is in a format we do not decode: {0}")]
    Unsupported(String),
    /// The audio is damaged.
    #[error("the audio is damaged: {0}")]
    Corrupt(String),
    /// Longer than allowed.
    #[error("the recording is longer than {max_seconds} seconds")]
    TooLong {
        /// The limit.
        max_seconds: u32,
    },
    /// Nothing to hear.
    #[error("the file holds no audio")]
    Empty,
}

/// Decodes `bytes` (WAV, MP3, Ogg Vorbis, Ogg Opus; `extension` as a hint, e.g. `"mp3"`) into mono
/// samples, refusing files longer than `max_seconds`.
pub fn decode(
    bytes: Vec<u8>,
    extension: Option<&str>,
    max_seconds: u32,
) -> Result<Pcm, AudioError> {
    // symphonia reads the Ogg container but not Opus inside it.
    if crate::opus::is_ogg_opus(&bytes) {
        return crate::opus::from_ogg_opus(&bytes, max_seconds);
    }
    let source = MediaSourceStream::new(Box::new(Cursor::new(bytes)), Default::default());
    let mut hint = Hint::new();
    if let Some(extension) = extension {
        hint.with_extension(extension);
    }
    let mut format = symphonia::default::get_probe()
        .probe(
            &hint,
            source,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|e| AudioError::NotAudio(e.to_string()))?;
    let track = format
        .default_track(TrackType::Audio)
        .ok_or(AudioError::NoTrack)?;
    let track_id = track.id;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or(AudioError::NoTrack)?;
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(params, &AudioDecoderOptions::default())
        .map_err(|e| AudioError::Unsupported(e.to_string()))?;
    let mut rate = 0;
    let mut mono: Vec<f32> = Vec::new();
    let mut interleaved: Vec<f32> = Vec::new();
    loop {
        let packet = match format.next_packet() {
            Ok(Some(packet)) => packet,
            Ok(None) => break,
            Err(Error::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(AudioError::Corrupt(e.to_string())),
        };
        if packet.track_id != track_id {
            continue;
        }
        let buffer = match decoder.decode(&packet) {
            Ok(buffer) => buffer,
            // A damaged packet is skipped, as players do.
            Err(Error::DecodeError(_)) => continue,
            Err(e) => return Err(AudioError::Corrupt(e.to_string())),
        };
        let spec = buffer.spec();
        rate = spec.rate();
        let channels = spec.channels().count().max(1);
        interleaved.resize(buffer.samples_interleaved(), 0.0);
        buffer.copy_to_slice_interleaved(&mut interleaved);
        mono.extend(
            interleaved
                .chunks(channels)
                .map(|frame| frame.iter().sum::<f32>() / channels as f32),
        );
        if mono.len() as u64 > u64::from(max_seconds) * u64::from(rate) {
            return Err(AudioError::TooLong { max_seconds });
        }
    }
    if mono.is_empty() || rate == 0 || is_silent(&mono) {
        return Err(AudioError::Empty);
    }
    Ok(Pcm {
        rate,
        samples: mono,
    })
}

/// Nothing to hear: no sample reaches -60 dBFS (digital silence, a muted recording).
pub fn is_silent(samples: &[f32]) -> bool {
    samples.iter().all(|s| s.abs() < 0.001)
}
