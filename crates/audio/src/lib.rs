//! Uploaded sound files to telephone audio. An administrator uploads an announcement as
//! WAV, MP3 or Ogg Vorbis; it is decoded (`decode`, with symphonia), mixed to mono,
//! resampled to 8 kHz with an anti-aliasing filter (rubato) and cut into 20 ms G.711
//! frames (`telephone`) that a media leg sends as they are. Pure: bytes in, frames out.

#![deny(missing_docs)]

pub mod announcement;
pub mod decode;
pub mod prompts;
pub mod telephone;
pub mod tone;

pub use decode::{decode, AudioError, Pcm};
pub use prompts::Language;
pub use telephone::{frames, to_8khz, FRAME_SAMPLES};
