//! Mono samples to the telephone: 8 kHz, 16 bit, in 20 ms G.711 frames.

use crate::decode::Pcm;
use crate::resample::resample;
use media::codec::{linear_to_alaw, linear_to_ulaw, Codec};

/// Samples in one 20 ms frame at 8 kHz.
pub const FRAME_SAMPLES: usize = 160;

/// The audio at 8 kHz as 16-bit samples, low-passed before the rate drops so nothing
/// above 4 kHz folds back into the voice band.
pub fn to_8khz(pcm: &Pcm) -> Vec<i16> {
    let resampled = if pcm.rate == 8_000 {
        pcm.samples.clone()
    } else {
        resample(&pcm.samples, pcm.rate as usize, 8_000)
    };
    resampled
        .iter()
        .map(|s| (s.clamp(-1.0, 1.0) * f32::from(i16::MAX)) as i16)
        .collect()
}

/// 8 kHz samples as G.711 frames of 20 ms (A-law or µ-law), the last one filled with
/// silence.
pub fn frames(samples: &[i16], codec: Codec) -> Vec<[u8; FRAME_SAMPLES]> {
    let encode = match codec {
        Codec::Pcmu => linear_to_ulaw,
        _ => linear_to_alaw,
    };
    samples
        .chunks(FRAME_SAMPLES)
        .map(|chunk| {
            let mut frame = [encode(0); FRAME_SAMPLES];
            for (out, sample) in frame.iter_mut().zip(chunk) {
                *out = encode(*sample);
            }
            frame
        })
        .collect()
}
