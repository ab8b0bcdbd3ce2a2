//! A terminal at our end of a leg (see [`crate::terminal`]): what the far side sends is
//! decoded and handed to it, and on the leg's own 20 ms clock it is asked for what to
//! send back. The leg is unbridged while a terminal sits there; when the terminal
//! finishes, [`Event::TerminalDone`] says so once. On a T.38 leg (see `t38.rs`) it gets
//! and sends datagrams instead of audio, and speaks only to keep its clock.

use super::{Engine, EngineError, Event, Kind, LegId, Slot, Socket, Transmit};
use crate::codec::{alaw_to_linear, linear_to_alaw, linear_to_ulaw, ulaw_to_linear, Codec};
use crate::player::FRAME_TIME;
use crate::terminal::{Terminal, Timeline, FRAME_SAMPLES};
use crate::webrtc_leg::Happened;
use std::collections::VecDeque;
use std::net::SocketAddr;
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

    /// A datagram from a T.38 leg's far end, then what the terminal sends back to `to`.
    pub(super) fn datagram(
        &mut self,
        leg: LegId,
        bytes: &[u8],
        to: Option<SocketAddr>,
        transmits: &mut VecDeque<Transmit>,
    ) {
        self.terminal.datagram(bytes);
        self.send_datagrams(leg, to, transmits);
    }

    /// On a T.38 leg: the 20 ms ticks that are due (the terminal's clock; what it speaks
    /// is not sent), each followed by the datagrams it then has for `to`.
    fn tick_image(
        &mut self,
        now: Instant,
        leg: LegId,
        to: Option<SocketAddr>,
        transmits: &mut VecDeque<Transmit>,
    ) {
        if now > self.due + MAX_LAG {
            self.due = now;
        }
        let mut pcm = [0i16; FRAME_SAMPLES];
        while self.due <= now {
            self.terminal.speak(&mut pcm);
            self.send_datagrams(leg, to, transmits);
            self.due += FRAME_TIME;
        }
    }

    /// Drains the terminal's datagrams (dropped while the far end has no address).
    fn send_datagrams(
        &mut self,
        leg: LegId,
        to: Option<SocketAddr>,
        transmits: &mut VecDeque<Transmit>,
    ) {
        while let Some(bytes) = self.terminal.poll_datagram() {
            if let Some(to) = to {
                transmits.push_back(Transmit {
                    leg,
                    socket: Socket::Rtp,
                    to,
                    bytes,
                });
            }
        }
    }

    /// Reports [`Event::TerminalDone`] once the terminal has finished.
    pub(super) fn tell_if_done(&mut self, leg: LegId, events: &mut VecDeque<Event>) {
        if !self.told && self.terminal.finished() {
            self.told = true;
            events.push_back(Event::TerminalDone(leg));
        }
    }
}

impl Engine {
    /// From now on `terminal` sits at our end of `leg` (a G.711 leg, or a T.38 leg): it
    /// hears what the far side sends and speaks every 20 ms (on a T.38 leg: gets and
    /// sends datagrams, see [`crate::terminal`]). The leg leaves its bridge, if any.
    pub fn attach_terminal(
        &mut self,
        now: Instant,
        leg: LegId,
        terminal: Box<dyn Terminal>,
    ) -> Result<(), EngineError> {
        let slot = self.legs.get(&leg).ok_or(EngineError::NoLeg(leg))?;
        if !slot.speaks_g711() && slot.image.is_none() {
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
    /// The terminal's frames that are due, sent on the leg's own sequence numbers (on a
    /// T.38 leg: its ticks and datagrams); an event when it just finished.
    pub(super) fn run_terminal(
        &mut self,
        now: Instant,
        leg: LegId,
        transmits: &mut VecDeque<Transmit>,
        happened: &mut Vec<Happened>,
        events: &mut VecDeque<Event>,
    ) {
        let Some(mut attached) = self.terminal.take() else {
            return;
        };
        if self.image.is_some() {
            let to = match &self.kind {
                Kind::Rtp(l) => l.destination(),
                Kind::WebRtc(_) => None,
            };
            attached.tick_image(now, leg, to, transmits);
        } else {
            self.speak_audio(now, leg, &mut attached, transmits, happened);
        }
        attached.tell_if_done(leg, events);
        self.terminal = Some(attached);
    }

    /// The terminal's due frames as G.711 (nothing on a leg of another codec).
    fn speak_audio(
        &mut self,
        now: Instant,
        leg: LegId,
        attached: &mut Attached,
        transmits: &mut VecDeque<Transmit>,
        happened: &mut Vec<Happened>,
    ) {
        let Some(n) = self.negotiated() else { return };
        let encode: fn(i16) -> u8 = match n.codec {
            Codec::Pcma => linear_to_alaw,
            Codec::Pcmu => linear_to_ulaw,
            _ => return,
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
    }
}
