//! A terminal at our end of a leg (see [`crate::terminal`]): what the far side sends is
//! decoded and handed to it, and on the leg's own 20 ms clock it is asked for what to
//! send back. The leg is unbridged while a terminal sits there; when the terminal
//! finishes, [`Event::TerminalDone`] says so once.

use super::{Engine, EngineError, Event, LegId, Slot, Transmit};
use crate::codec::{alaw_to_linear, linear_to_alaw, linear_to_ulaw, ulaw_to_linear, Codec};
use crate::player::FRAME_TIME;
use crate::terminal::{Terminal, Timeline, FRAME_SAMPLES};
use crate::webrtc_leg::Happened;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// How late the terminal's clock may fall behind before it starts again from now.
const MAX_LAG: Duration = Duration::from_millis(200);

/// A terminal attached to a leg, with its clock.
#[derive(Debug)]
pub(super) struct Attached {
    terminal: Box<dyn Terminal>,
    timeline: Timeline,
    /// When the next 20 ms are due to be sent.
    pub(super) due: Instant,
    /// Whether [`Event::TerminalDone`] was reported.
    told: bool,
}

impl Attached {
    /// One RTP packet's G.711 audio (`codec`), stamped `timestamp`.
    pub(super) fn hear_packet(&mut self, codec: Codec, timestamp: u32, payload: &[u8]) {
        let decode: fn(u8) -> i16 = match codec {
            Codec::Pcma => alaw_to_linear,
            Codec::Pcmu => ulaw_to_linear,
            _ => return,
        };
        let Some(mut gap) = self.timeline.gap_before(timestamp, payload.len()) else {
            return;
        };
        let silence = [0i16; FRAME_SAMPLES];
        while gap > 0 {
            let n = gap.min(FRAME_SAMPLES);
            self.terminal.hear(&silence[..n]);
            gap -= n;
        }
        let mut pcm = [0i16; FRAME_SAMPLES];
        for chunk in payload.chunks(FRAME_SAMPLES) {
            for (s, &b) in pcm.iter_mut().zip(chunk) {
                *s = decode(b);
            }
            self.terminal.hear(&pcm[..chunk.len()]);
        }
    }
}

impl Engine {
    /// From now on `terminal` sits at our end of `leg` (a G.711 leg): it hears what the
    /// far side sends and speaks every 20 ms. The leg leaves its bridge, if any.
    pub fn attach_terminal(
        &mut self,
        now: Instant,
        leg: LegId,
        terminal: Box<dyn Terminal>,
    ) -> Result<(), EngineError> {
        let slot = self.legs.get(&leg).ok_or(EngineError::NoLeg(leg))?;
        if !slot.speaks_g711() {
            return Err(EngineError::NotG711(leg));
        }
        self.unbridge(leg);
        let slot = self.legs.get_mut(&leg).ok_or(EngineError::NoLeg(leg))?;
        slot.player = None;
        slot.terminal = Some(Box::new(Attached {
            terminal,
            timeline: Timeline::default(),
            due: now,
            told: false,
        }));
        self.rearm(leg, now);
        Ok(())
    }

    /// Takes the terminal off `leg` (it is handed back, e.g. to read its outcome).
    pub fn detach_terminal(&mut self, leg: LegId) -> Option<Box<dyn Terminal>> {
        let attached = self.legs.get_mut(&leg)?.terminal.take()?;
        Some(attached.terminal)
    }

    /// Whether a terminal sits at `leg`.
    pub fn has_terminal(&self, leg: LegId) -> bool {
        self.legs.get(&leg).is_some_and(|s| s.terminal.is_some())
    }
}

impl Slot {
    /// The terminal's frames that are due, sent on the leg's own sequence numbers; an
    /// event when it just finished.
    pub(super) fn run_terminal(
        &mut self,
        now: Instant,
        leg: LegId,
        transmits: &mut VecDeque<Transmit>,
        happened: &mut Vec<Happened>,
        events: &mut VecDeque<Event>,
    ) {
        let (Some(n), Some(mut attached)) = (self.negotiated(), self.terminal.take()) else {
            return;
        };
        let encode: fn(i16) -> u8 = match n.codec {
            Codec::Pcma => linear_to_alaw,
            Codec::Pcmu => linear_to_ulaw,
            _ => {
                self.terminal = Some(attached);
                return;
            }
        };
        if now > attached.due + MAX_LAG {
            attached.due = now;
        }
        let mut pcm = [0i16; FRAME_SAMPLES];
        let mut payload = [0u8; FRAME_SAMPLES];
        while attached.due <= now {
            attached.terminal.speak(&mut pcm);
            for (b, &s) in payload.iter_mut().zip(pcm.iter()) {
                *b = encode(s);
            }
            // Stamped with the frame's own time: its RTP timestamp moves on by exactly
            // 160 (a modem cannot bear a slipped sample), even when frames go late.
            let at = attached.due;
            self.send_own_frame(at, leg, false, n.codec, &payload, transmits, happened);
            attached.due += FRAME_TIME;
        }
        if !attached.told && attached.terminal.finished() {
            attached.told = true;
            events.push_back(Event::TerminalDone(leg));
        }
        self.terminal = Some(attached);
    }
}
