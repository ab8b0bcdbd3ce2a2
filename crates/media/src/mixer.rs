//! Mixing G.711 audio: what a leg sent, decoded into a short buffer, and the sum of
//! several such buffers encoded again for a leg that hears them all at once (a
//! supervisor listening to a caller and an agent, an agent hearing a whisper, later the
//! phone legs of a meeting).
//!
//! Mixing runs on one 20 ms clock per engine: at each tick every buffer gives up its
//! next 20 ms ([`Inbox::advance`]) and every hearing leg gets the sum of its sources
//! ([`Sum`]). A packet that arrives late is heard in the next tick; a buffer never holds
//! more than [`MAX_BUFFERED`] samples, so a source that sends too fast cannot build up
//! delay.

use crate::codec::{alaw_to_linear, linear_to_alaw, linear_to_ulaw, ulaw_to_linear, Codec};
use crate::player::Frame;
use std::collections::VecDeque;

/// Samples in one 20 ms frame at 8 kHz.
pub const SAMPLES: usize = 160;

/// The most a source's buffer holds: three frames (60 ms), enough for the jitter of a
/// home connection; beyond that the oldest samples go.
pub const MAX_BUFFERED: usize = 3 * SAMPLES;

/// One source's audio, decoded, waiting for the next tick.
#[derive(Debug, Clone)]
pub struct Inbox {
    samples: VecDeque<i16>,
    current: [i16; SAMPLES],
}

impl Default for Inbox {
    fn default() -> Inbox {
        Inbox {
            samples: VecDeque::with_capacity(MAX_BUFFERED),
            current: [0; SAMPLES],
        }
    }
}

impl Inbox {
    /// Adds a G.711 payload (any length; other codecs are ignored).
    pub fn push(&mut self, codec: Codec, payload: &[u8]) {
        let decode: fn(u8) -> i16 = match codec {
            Codec::Pcma => alaw_to_linear,
            Codec::Pcmu => ulaw_to_linear,
            Codec::Opus => return,
        };
        self.samples.extend(payload.iter().map(|&b| decode(b)));
        let excess = self.samples.len().saturating_sub(MAX_BUFFERED);
        self.samples.drain(..excess);
    }

    /// The next 20 ms become the current frame (silence where nothing arrived).
    pub fn advance(&mut self) {
        let n = self.samples.len().min(SAMPLES);
        for (slot, sample) in self.current.iter_mut().zip(self.samples.drain(..n)) {
            *slot = sample;
        }
        self.current[n..].fill(0);
    }

    /// The current frame.
    pub fn current(&self) -> &[i16; SAMPLES] {
        &self.current
    }

    /// How many samples wait (for tests and figures).
    pub fn buffered(&self) -> usize {
        self.samples.len()
    }
}

/// The sum of several sources' current frames.
#[derive(Debug, Clone)]
pub struct Sum([i32; SAMPLES]);

impl Default for Sum {
    fn default() -> Sum {
        Sum([0; SAMPLES])
    }
}

impl Sum {
    /// Adds a frame.
    pub fn add(&mut self, frame: &[i16; SAMPLES]) {
        for (s, &x) in self.0.iter_mut().zip(frame) {
            *s += i32::from(x);
        }
    }

    /// The sum as one G.711 frame in `codec` (clipped to 16 bits; Opus gives silence,
    /// as no Opus leg is ever mixed).
    pub fn encode(&self, codec: Codec) -> Frame {
        let encode: fn(i16) -> u8 = match codec {
            Codec::Pcma => linear_to_alaw,
            Codec::Pcmu => linear_to_ulaw,
            Codec::Opus => return [0; SAMPLES],
        };
        let mut frame = [0u8; SAMPLES];
        for (b, &s) in frame.iter_mut().zip(&self.0) {
            *b = encode(s.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16);
        }
        frame
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alaw(samples: &[i16]) -> Vec<u8> {
        samples.iter().map(|&s| linear_to_alaw(s)).collect()
    }

    #[test]
    fn a_frame_that_arrived_is_the_next_tick_and_a_missing_one_is_silence() {
        let mut inbox = Inbox::default();
        inbox.push(Codec::Pcma, &alaw(&[1000; SAMPLES]));
        inbox.advance();
        assert!(inbox.current().iter().all(|&s| (s - 1000).abs() < 40));
        inbox.advance();
        assert!(inbox.current().iter().all(|&s| s == 0));
    }

    #[test]
    fn a_short_packet_is_padded_and_a_long_one_spans_two_ticks() {
        let mut inbox = Inbox::default();
        inbox.push(Codec::Pcmu, &[linear_to_ulaw(2000); 240]);
        inbox.advance();
        assert!(inbox.current().iter().all(|&s| s > 1900));
        inbox.advance();
        assert!(inbox.current()[..80].iter().all(|&s| s > 1900));
        assert!(inbox.current()[80..].iter().all(|&s| s == 0));
    }

    #[test]
    fn a_source_sending_too_fast_cannot_build_up_delay() {
        let mut inbox = Inbox::default();
        for i in 0..10i16 {
            inbox.push(Codec::Pcma, &alaw(&[i * 100; SAMPLES]));
        }
        assert_eq!(inbox.buffered(), MAX_BUFFERED);
        inbox.advance();
        // The oldest seven frames went; the eighth is heard now.
        assert!(
            (inbox.current()[0] - 700).abs() < 40,
            "{}",
            inbox.current()[0]
        );
    }

    #[test]
    fn two_voices_are_summed_and_clipped_not_wrapped() {
        let (mut a, mut b) = (Inbox::default(), Inbox::default());
        a.push(Codec::Pcma, &alaw(&[1000; SAMPLES]));
        b.push(Codec::Pcmu, &[linear_to_ulaw(-3000); SAMPLES]);
        a.advance();
        b.advance();
        let mut sum = Sum::default();
        sum.add(a.current());
        sum.add(b.current());
        let frame = sum.encode(Codec::Pcma);
        assert!(frame
            .iter()
            .all(|&x| (alaw_to_linear(x) + 2000).abs() < 100));

        let mut loud = Sum::default();
        loud.add(&[30_000; SAMPLES]);
        loud.add(&[30_000; SAMPLES]);
        let frame = loud.encode(Codec::Pcmu);
        assert!(frame.iter().all(|&x| ulaw_to_linear(x) > 30_000));
    }
}
