//! Uploaded sound files to telephone audio. An administrator uploads an announcement as
//! WAV, MP3, Ogg Vorbis or Ogg Opus; it is decoded (`decode`, with symphonia; Opus with
//! opus-rs), mixed to mono,
//! resampled to 8 kHz with an anti-aliasing filter (rubato) and cut into 20 ms G.711
//! frames (`telephone`) that a media leg sends as they are, and kept in full quality as Ogg
//! Opus (`opus`) for browsers. Pure: bytes in, frames out.

#![deny(missing_docs)]

pub mod announcement;
pub mod decode;
pub mod opus;
pub mod prompts;
pub mod resample;
pub mod telephone;
pub mod tone;

pub use decode::{decode, AudioError, Pcm};
pub use prompts::Language;
pub use telephone::{frames, to_8khz, FRAME_SAMPLES};
