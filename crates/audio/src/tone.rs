//! Tones the server makes itself, as 20 ms A-law frames: the signal that tells an agent a
//! supervisor has begun to listen in (two short beeps at 1400 Hz, the pitch of the
//! intrusion tone of German PBXs), and test tones.

use crate::FRAME_SAMPLES;

/// One 20 ms A-law frame.
pub type Frame = [u8; FRAME_SAMPLES];

/// `count` beeps of `hz` lasting `on_ms`, each followed by `off_ms` of silence, at a
/// moderate level (-12 dBFS), whole frames (the durations round up to 20 ms).
pub fn beeps(hz: f32, on_ms: u32, off_ms: u32, count: u32) -> Vec<Frame> {
    let rate = 8000.0;
    let amplitude = 0.25 * f32::from(i16::MAX);
    let samples = |ms: u32| (ms as usize * 8).div_ceil(FRAME_SAMPLES) * FRAME_SAMPLES;
    let mut pcm: Vec<i16> = Vec::new();
    for _ in 0..count {
        let on = samples(on_ms);
        pcm.extend((0..on).map(|n| {
            let t = n as f32 / rate;
            (amplitude * (2.0 * std::f32::consts::PI * hz * t).sin()) as i16
        }));
        pcm.extend(std::iter::repeat_n(0, samples(off_ms)));
    }
    crate::telephone::frames(&pcm, media::Codec::Pcma)
}

/// The tone an agent hears when a supervisor begins to listen in or to whisper.
pub fn listening_tone() -> Vec<Frame> {
    beeps(1400.0, 100, 100, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_beeps_of_a_tenth_of_a_second_with_silence_between() {
        let frames = listening_tone();
        // 100 ms on, 100 ms off, twice: 5 + 5 + 5 + 5 frames.
        assert_eq!(frames.len(), 20);
        let loud = |f: &Frame| {
            f.iter()
                .map(|&b| i32::from(media::codec::alaw_to_linear(b)).abs())
                .max()
                .unwrap()
                > 4000
        };
        let pattern: Vec<bool> = frames.iter().map(loud).collect();
        let expected: Vec<bool> = [true, false, true, false]
            .iter()
            .flat_map(|&b| std::iter::repeat_n(b, 5))
            .collect();
        assert_eq!(pattern, expected);
    }
}
