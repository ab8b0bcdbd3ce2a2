//! A prompt played into a leg instead of the far side's audio: 20 ms G.711 frames sent
//! on their own clock (announcements, music on hold, later voicemail greetings), once or
//! over and over. The frames are shared (`Arc`), so a thousand waiting callers hearing
//! the same music cost one copy of it.

use crate::codec::Codec;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One 20 ms frame of G.711 at 8 kHz.
pub type Frame = [u8; 160];

/// The time of one frame.
pub const FRAME_TIME: Duration = Duration::from_millis(20);

/// A prompt being played.
#[derive(Debug, Clone)]
pub struct Player {
    frames: Arc<[Frame]>,
    encoding: Codec,
    index: usize,
    next_due: Instant,
    looping: bool,
}

/// What a player has for the time asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Played<'a> {
    /// A frame to send now; `first`: the first of the prompt (RTP marker).
    Frame {
        /// The G.711 bytes in the player's encoding.
        frame: &'a Frame,
        /// The first frame of the prompt.
        first: bool,
    },
    /// The prompt is over (not for looping prompts).
    Finished,
}

impl Player {
    /// A player starting now with `frames` encoded as `encoding` (A-law or µ-law).
    pub fn new(now: Instant, frames: Arc<[Frame]>, encoding: Codec, looping: bool) -> Player {
        Player {
            frames,
            encoding,
            index: 0,
            next_due: now,
            looping,
        }
    }

    /// The frames' encoding.
    pub fn encoding(&self) -> Codec {
        self.encoding
    }

    /// When the next frame is due.
    pub fn poll_timeout(&self) -> Instant {
        self.next_due
    }

    /// The next frame if it is due at `now` (call until `None`), or `Finished` once.
    pub fn poll_frame(&mut self, now: Instant) -> Option<Played<'_>> {
        if self.next_due > now {
            return None;
        }
        if self.index >= self.frames.len() {
            if !self.looping || self.frames.is_empty() {
                return Some(Played::Finished);
            }
            self.index = 0;
        }
        let first = self.index == 0;
        let frame = &self.frames[self.index];
        self.index += 1;
        // On the frame clock, not on the time of the wake-up: late wake-ups catch up.
        self.next_due += FRAME_TIME;
        Some(Played::Frame { frame, first })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(n: u8) -> Arc<[Frame]> {
        (0..n).map(|i| [i; 160]).collect::<Vec<_>>().into()
    }

    #[test]
    fn frames_come_every_20_ms_and_then_the_end() {
        let t0 = Instant::now();
        let mut p = Player::new(t0, frames(3), Codec::Pcma, false);
        assert!(
            matches!(p.poll_frame(t0), Some(Played::Frame { first: true, frame }) if frame[0] == 0)
        );
        assert_eq!(p.poll_frame(t0), None);
        assert_eq!(p.poll_timeout(), t0 + FRAME_TIME);
        // A late wake-up sends what is due, on the frame clock.
        let late = t0 + Duration::from_millis(45);
        assert!(
            matches!(p.poll_frame(late), Some(Played::Frame { first: false, frame }) if frame[0] == 1)
        );
        assert!(matches!(p.poll_frame(late), Some(Played::Frame { frame, .. }) if frame[0] == 2));
        assert_eq!(p.poll_frame(late), None);
        assert_eq!(
            p.poll_frame(t0 + Duration::from_millis(60)),
            Some(Played::Finished)
        );
    }

    #[test]
    fn music_on_hold_starts_again() {
        let t0 = Instant::now();
        let mut p = Player::new(t0, frames(2), Codec::Pcmu, true);
        let mut firsts = Vec::new();
        for i in 0..5 {
            if let Some(Played::Frame { frame, first }) = p.poll_frame(t0 + FRAME_TIME * i) {
                firsts.push((frame[0], first));
            }
        }
        assert_eq!(
            firsts,
            [(0, true), (1, false), (0, true), (1, false), (0, true)]
        );
    }
}
