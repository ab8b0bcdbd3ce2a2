//! Changing a recording's sample rate, with the anti-aliasing filter of rubato's FFT
//! resampler, so nothing above the new Nyquist frequency folds back into the audio.

use rubato::audioadapter_buffers::owned::InterleavedOwned;
use rubato::{Fft, FixedSync, Resampler};

/// Mono `samples` at `from` Hz, resampled to `to` Hz (empty if the rates are refused).
pub fn resample(samples: &[f32], from: usize, to: usize) -> Vec<f32> {
    if from == to {
        return samples.to_vec();
    }
    let frames = samples.len();
    let Ok(mut resampler) = Fft::<f32>::new(from, to, 1024, 1, FixedSync::Both) else {
        return Vec::new();
    };
    let Ok(input) = InterleavedOwned::new_from(samples.to_vec(), 1, frames) else {
        return Vec::new();
    };
    match resampler.process_all(&input, frames, None) {
        Ok(output) => output.take_data(),
        Err(_) => Vec::new(),
    }
}
