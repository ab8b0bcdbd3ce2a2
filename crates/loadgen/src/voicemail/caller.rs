//! One caller leaving a voicemail, pure: what it hears (its callee's greeting and the
//! signal tone, the server's own frames, compared byte for byte by their place in the
//! server's sequence numbers), when it begins to speak (when the signal's last frame is
//! due), what it sends (A-law silence, its own tone for the talk time, silence again) and
//! when it is done (then the carrier hangs up).
//!
//! ```text
//! server:  greeting ........................ signal (500 ms tone, 100 ms quiet) | records
//! caller:  silence ................................................ | tone (talk) | quiet | BYE
//! ```

use crate::hotline::stream::{parse, SeqCount, FRAME};
use std::sync::Arc;

/// One 20 ms frame of A-law.
pub type Frame = [u8; FRAME];
/// A-law silence (linear 0).
pub const SILENCE: Frame = [0xD5; FRAME];
/// The time of one frame (µs).
const FRAME_US: i64 = 20_000;
/// The first packet may be this far into the greeting (its first frames lost) and still
/// tell where the greeting began.
const LEADING: usize = 50;

/// What a caller expects to hear and what it says.
#[derive(Debug, Clone)]
pub struct Script {
    /// The greeting, then the signal tone: the frames the server plays, in order.
    pub heard: Arc<[Frame]>,
    /// How many frames of `heard` are the greeting.
    pub greeting: usize,
    /// The caller's voice: a whole number of periods of its tone, looped.
    pub voice: Arc<[Frame]>,
    /// Frames of voice it sends once the signal has ended.
    pub talk: u32,
    /// Frames of silence after that, before it hangs up (the trim's business).
    pub quiet: u32,
}

/// Where the caller is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Greeting and signal; it sends silence.
    Listening,
    /// Frames of voice sent so far.
    Talking(u32),
    /// Frames of silence sent after the voice.
    Quiet(u32),
    /// Said everything: hang up.
    Done,
}

/// What a caller heard and did, when its call is over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallerReport {
    /// Frames of greeting and signal expected.
    pub expected_frames: u64,
    /// Of those, arrived with the right bytes at the right place.
    pub intact_frames: u64,
    /// By sequence numbers (RFC 3550 §A.3): packets the server sent, and of those arrived
    /// (the frames missing before the first one that arrived count as sent).
    pub seq_expected: u64,
    /// See `seq_expected`.
    pub seq_received: u64,
    /// Datagrams that were not PCMA RTP.
    pub foreign: u64,
    /// Arrival of the signal's first frame (µs since the epoch).
    pub signal_us: Option<i64>,
    /// It began to speak.
    pub talk_from_us: Option<i64>,
    /// It fell silent.
    pub quiet_from_us: Option<i64>,
    /// It sent its last frame (and asked to hang up).
    pub done_us: Option<i64>,
}

/// A caller at a voicemail box.
#[derive(Debug, Clone)]
pub struct Caller {
    script: Script,
    stage: Stage,
    seq: SeqCount,
    /// The highest sequence number so far, extended to 64 bits.
    highest: Option<u64>,
    /// The extended sequence number of `heard[0]`.
    start: Option<u64>,
    leading_lost: u64,
    got: Vec<bool>,
    foreign: u64,
    talk_due_us: Option<i64>,
    report: CallerReport,
}

impl Caller {
    /// A caller who will hear and say what `script` says.
    pub fn new(script: Script) -> Caller {
        let got = vec![false; script.heard.len()];
        Caller {
            script,
            stage: Stage::Listening,
            seq: SeqCount::default(),
            highest: None,
            start: None,
            leading_lost: 0,
            got,
            foreign: 0,
            talk_due_us: None,
            report: CallerReport::default(),
        }
    }

    /// Feeds a datagram from the server that arrived at `now_us`.
    pub fn on_datagram(&mut self, datagram: &[u8], now_us: i64) {
        let Some((ssrc, seq, payload)) = parse(datagram) else {
            self.foreign += 1;
            return;
        };
        self.seq.on_packet(ssrc, seq);
        let ext = match self.highest {
            Some(h) => h.saturating_add_signed(i64::from(seq.wrapping_sub(h as u16) as i16)),
            None => u64::from(seq) + (1 << 16),
        };
        self.highest = Some(self.highest.map_or(ext, |h| h.max(ext)));
        let heard = &self.script.heard;
        if self.start.is_none() {
            // The greeting began k frames before the first packet that arrived.
            let k = heard.iter().take(LEADING).position(|f| f[..] == *payload);
            if let Some(k) = k {
                self.start = Some(ext - k as u64);
                self.leading_lost = k as u64;
            }
        }
        let Some(offset) = self.start.and_then(|s| ext.checked_sub(s)) else {
            return;
        };
        let offset = offset as usize;
        if offset < heard.len() && heard[offset][..] == *payload {
            self.got[offset] = true;
        }
        if (self.script.greeting..heard.len()).contains(&offset) {
            self.report.signal_us.get_or_insert(now_us);
            // Speak when the signal's last frame is due: now if this is it, else as many
            // frames later as are left (the last one may be lost).
            let due = now_us + (heard.len() - 1 - offset) as i64 * FRAME_US;
            self.talk_due_us = Some(self.talk_due_us.map_or(due, |d| d.min(due)));
        }
    }

    /// The frame to send at `now_us` (one every 20 ms).
    pub fn next_frame(&mut self, now_us: i64) -> &Frame {
        if self.stage == Stage::Listening && self.talk_due_us.is_some_and(|d| now_us >= d) {
            self.stage = Stage::Talking(0);
            self.report.talk_from_us = Some(now_us);
        }
        match self.stage {
            Stage::Talking(n) => {
                self.stage = match n + 1 >= self.script.talk {
                    true => {
                        self.report.quiet_from_us = Some(now_us + FRAME_US);
                        Stage::Quiet(0)
                    }
                    false => Stage::Talking(n + 1),
                };
                &self.script.voice[n as usize % self.script.voice.len()]
            }
            Stage::Quiet(n) => {
                self.stage = match n + 1 >= self.script.quiet {
                    true => {
                        self.report.done_us = Some(now_us);
                        Stage::Done
                    }
                    false => Stage::Quiet(n + 1),
                };
                &SILENCE
            }
            Stage::Listening | Stage::Done => &SILENCE,
        }
    }

    /// It has said everything (the carrier hangs up).
    pub fn is_done(&self) -> bool {
        self.stage == Stage::Done
    }

    /// What it heard and did.
    pub fn report(&self) -> CallerReport {
        CallerReport {
            expected_frames: self.got.len() as u64,
            intact_frames: self.got.iter().filter(|g| **g).count() as u64,
            seq_expected: self.seq.expected() + self.leading_lost,
            seq_received: self.seq.expected() - self.seq.lost(),
            foreign: self.foreign,
            ..self.report.clone()
        }
    }
}

/// One second of a tone of `hz` (a whole number) as A-law frames at -12 dBFS: a whole
/// number of periods, so looping it stays in phase.
pub fn tone_second(hz: u32) -> Arc<[Frame]> {
    audio::tone::beeps(hz as f32, 1_000, 0, 1).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(seq: u16, payload: &Frame) -> Vec<u8> {
        let mut d = vec![0x80, 8];
        d.extend_from_slice(&seq.to_be_bytes());
        d.extend_from_slice(&[0; 4]);
        d.extend_from_slice(&7u32.to_be_bytes());
        d.extend_from_slice(payload);
        d
    }

    /// Greeting of frames 1, 2, 3; signal of 9, 9; voice 5, 6; talk 3, quiet 2.
    fn script() -> Script {
        Script {
            heard: vec![[1; FRAME], [2; FRAME], [3; FRAME], [9; FRAME], [9; FRAME]].into(),
            greeting: 3,
            voice: vec![[5; FRAME], [6; FRAME]].into(),
            talk: 3,
            quiet: 2,
        }
    }

    #[test]
    fn it_listens_then_speaks_when_the_signal_ends_then_falls_silent() {
        let mut c = Caller::new(script());
        let heard = script().heard;
        for (k, f) in heard.iter().enumerate() {
            assert_eq!(c.next_frame(k as i64 * 20_000), &SILENCE, "listening");
            c.on_datagram(&packet(100 + k as u16, f), k as i64 * 20_000 + 500);
        }
        // The signal's last frame arrived at 80.5 ms: it speaks from the next frame on.
        let said: Vec<u8> = (0..6)
            .map(|k| c.next_frame(100_000 + k * 20_000)[0])
            .collect();
        assert_eq!(said, [5, 6, 5, 0xD5, 0xD5, 0xD5]);
        assert!(c.is_done());
        let r = c.report();
        assert_eq!((r.expected_frames, r.intact_frames), (5, 5));
        assert_eq!((r.seq_expected, r.seq_received), (5, 5));
        assert_eq!(r.signal_us, Some(60_500));
        assert_eq!(r.talk_from_us, Some(100_000));
        assert_eq!(r.quiet_from_us, Some(160_000));
        assert_eq!(r.done_us, Some(180_000));
    }

    #[test]
    fn lost_frames_late_first_frames_and_a_lost_last_frame() {
        let mut c = Caller::new(script());
        let heard = script().heard;
        // The first frame is lost; the signal's last frame is lost too; one frame is
        // wrong; a duplicate and some garbage arrive.
        c.on_datagram(&packet(65535, &heard[1]), 20_000);
        c.on_datagram(&packet(0, &[4; FRAME]), 40_000);
        c.on_datagram(&packet(0, &[4; FRAME]), 40_000);
        c.on_datagram(b"not rtp", 40_000);
        c.on_datagram(&packet(1, &heard[3]), 60_000);
        let r = c.report();
        assert_eq!((r.expected_frames, r.intact_frames), (5, 2));
        assert_eq!((r.seq_expected, r.seq_received, r.foreign), (4, 3, 1));
        // It speaks when the lost last frame was due.
        assert_eq!(c.next_frame(79_000), &SILENCE);
        assert_eq!(c.next_frame(80_000)[0], 5);
        assert_eq!(c.report().talk_from_us, Some(80_000));
    }

    #[test]
    fn a_caller_who_hears_no_greeting_never_speaks() {
        let mut c = Caller::new(script());
        c.on_datagram(&packet(1, &[4; FRAME]), 0);
        for k in 0..100 {
            assert_eq!(c.next_frame(k * 20_000), &SILENCE);
        }
        assert!(!c.is_done());
        assert_eq!(c.report().intact_frames, 0);
    }

    #[test]
    fn a_second_of_tone_is_fifty_frames_from_zero() {
        let t = tone_second(440);
        assert_eq!(t.len(), 50);
        assert_ne!(t[0], SILENCE);
        // The sample after the last is the first again: the loop has no seam.
        assert_eq!(t[0][0], SILENCE[0], "a sine starts at zero");
    }
}
