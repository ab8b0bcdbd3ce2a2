//! The legs of all calls on one media thread, and the bridges between them. The shell
//! owns one socket (RTP legs: two) per leg and feeds each datagram with the leg it
//! arrived on; the engine decides what goes where.
//!
//! ```
//! use media::{Engine, Socket};
//! use media::sdp::Direction;
//! use std::time::Instant;
//! let now = Instant::now();
//! let mut engine = Engine::new("durchwahl");
//! let ip = "127.0.0.1".parse().unwrap();
//! let (a, b) = (engine.add_rtp_leg(40_000, ip), engine.add_rtp_leg(40_002, ip));
//! // Each phone offered PCMA; the relay answers each with its own port.
//! let offer = |port| format!("v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio {port} RTP/AVP 8\r\n");
//! engine.rtp_offer(a, &offer(5000), &media::rtp_leg::PHONE_CODECS).unwrap();
//! engine.rtp_offer(b, &offer(6000), &media::rtp_leg::PHONE_CODECS).unwrap();
//! engine.bridge(a, b).unwrap();
//! let mut packet = media::rtp::packet(media::rtp::Rewritten {
//!     marker: false, payload_type: 8, sequence: 1, timestamp: 160, ssrc: 42 }, &[0xd5; 160]);
//! let from = "127.0.0.1:5000".parse().unwrap();
//! // Relayed in place: the shell sends the same buffer from b's socket.
//! let forward = engine.handle_datagram(now, a, Socket::Rtp, from, &mut packet).unwrap();
//! assert_eq!((forward.leg, forward.to), (b, "127.0.0.1:6000".parse().unwrap()));
//! while let Some(t) = engine.poll_transmit() { /* send t.bytes from t.leg's socket */ }
//! while let Some(e) = engine.poll_event() { /* tell call control */ }
//! let _next = engine.poll_timeout();
//! ```

use crate::codec::{convert_g711, Codec, Negotiated};
use crate::dtmf;
use crate::latch::Verdict;
use crate::mixer::Inbox;
use crate::opus_voice::OpusVoice;
use crate::player::{Frame, Player};
use crate::recorder::Recorder;
use crate::rewrite::Rewriter;
use crate::rtcp::{self, Sent};
use crate::rtp::{self, Rewritten, RtpHeader};
use crate::rtp_leg::RtpLeg;
use crate::sdp::{Direction, SdpError};
use crate::webrtc_leg::{Happened, WebRtcError, WebRtcLeg};
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

/// A leg, named by the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LegId(pub u32);

/// Which of a leg's sockets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Socket {
    /// RTP (WebRTC legs carry everything here).
    Rtp,
    /// RTCP of an RTP leg (the next port).
    Rtcp,
}

/// A datagram to send.
#[derive(Debug)]
pub struct Transmit {
    /// From this leg's socket.
    pub leg: LegId,
    /// Which one.
    pub socket: Socket,
    /// To where.
    pub to: SocketAddr,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// The datagram just handled, rewritten in place: send it from `leg`'s RTP socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Forward {
    /// From this leg's socket.
    pub leg: LegId,
    /// To where.
    pub to: SocketAddr,
}

/// What call control hears from the media.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A browser leg finished ICE and DTLS.
    Connected(LegId),
    /// A browser leg lost consent (the browser went away): the call should end.
    Closed(LegId),
    /// A prompt played into this leg ended (not for looping ones).
    Played(LegId),
    /// A recording of this leg ended (at its limit, stopped, or the leg went away):
    /// what it said, 8 kHz mono.
    Recorded {
        /// The leg recorded.
        leg: LegId,
        /// The samples.
        samples: Vec<i16>,
        /// It ended because it reached its limit.
        full: bool,
    },
    /// The terminal at this leg finished (see [`crate::terminal`]).
    TerminalDone(LegId),
    /// A telephone-event began on this leg (what the person typed).
    Dtmf {
        /// The leg it came from.
        leg: LegId,
        /// The digit.
        digit: char,
    },
}

/// Why the engine refused a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// No such leg.
    #[error("no media leg {0:?}")]
    NoLeg(LegId),
    /// The SDP was refused.
    #[error(transparent)]
    Sdp(#[from] SdpError),
    /// The browser's offer was refused.
    #[error(transparent)]
    WebRtc(#[from] WebRtcError),
    /// The leg is not of the kind the command needs.
    #[error("leg {0:?} is not an RTP leg")]
    NotRtp(LegId),
    /// A mix needs legs that speak G.711.
    #[error("leg {0:?} does not speak G.711, so it cannot be mixed")]
    NotG711(LegId),
    /// Our own audio (a prompt) needs a leg whose codec we can encode.
    #[error("leg {0:?} has no codec we can play into")]
    CannotPlay(LegId),
    /// The two legs' codecs cannot be relayed without decoding.
    #[error("{0:?} and {1:?} cannot be relayed without transcoding")]
    Incompatible(Codec, Codec),
    /// A leg has not negotiated a codec yet.
    #[error("leg {0:?} has no codec yet")]
    NotNegotiated(LegId),
}

// Phone legs inline (the relay's hot path), browser legs (str0m, kilobytes) boxed.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum Kind {
    Rtp(RtpLeg),
    WebRtc(Box<WebRtcLeg>),
}

#[derive(Debug)]
struct Slot {
    kind: Kind,
    peer: Option<LegId>,
    held: bool,
    out: Rewriter,
    sent: Sent,
    dtmf_out: dtmf::Sender,
    dtmf_event_timestamp: u32,
    dtmf_in: dtmf::Receiver,
    /// A prompt played into the leg instead of the far side's audio.
    player: Option<Player>,
    /// The legs whose mix this leg hears instead of its peer (see `mixing.rs`).
    hears: Vec<LegId>,
    /// What this leg sends, decoded for the legs that hear it in a mix.
    inbox: Option<Box<Inbox>>,
    /// What this leg sends, kept for a voicemail (see `recording.rs`).
    recorder: Option<Box<Recorder>>,
    /// Our own audio encoded as Opus, for a browser leg that speaks it.
    voice: Option<Box<OpusVoice>>,
    /// A terminal at our end instead of a peer (see `terminal.rs`).
    terminal: Option<Box<terminal::Attached>>,
    /// The leg was switched to T.38: UDPTL instead of audio (see `t38.rs`).
    image: Option<Box<t38::Image>>,
    next_report: Option<Instant>,
    deadline: Option<Instant>,
}

impl Slot {
    /// The audio codec; none on a T.38 leg (no audio to relay, mix, play or record).
    fn negotiated(&self) -> Option<Negotiated> {
        if self.image.is_some() {
            return None;
        }
        match &self.kind {
            Kind::Rtp(l) => l.negotiated(),
            Kind::WebRtc(l) => Some(l.negotiated()),
        }
    }

    /// Whether the leg's codec is G.711 (prompts and mixes are).
    fn speaks_g711(&self) -> bool {
        matches!(
            self.negotiated().map(|n| n.codec),
            Some(Codec::Pcma | Codec::Pcmu)
        )
    }

    fn own_deadline(&self) -> Option<Instant> {
        let webrtc = match &self.kind {
            Kind::WebRtc(l) => l.poll_timeout(),
            Kind::Rtp(_) => None,
        };
        let player = self.player.as_ref().map(Player::poll_timeout);
        let terminal = self.terminal.as_ref().map(|t| t.due);
        [
            webrtc,
            self.dtmf_out.poll_timeout(),
            player,
            terminal,
            self.next_report,
        ]
        .into_iter()
        .flatten()
        .min()
    }
}

/// All legs of one media thread.
#[derive(Debug)]
pub struct Engine {
    legs: HashMap<LegId, Slot>,
    next_id: u32,
    timers: BTreeSet<(Instant, LegId)>,
    transmits: VecDeque<Transmit>,
    events: VecDeque<Event>,
    cname: String,
    scratch: Vec<Happened>,
    /// The DTLS identity of this engine's browser legs, made with the first.
    identity: Option<crate::webrtc_leg::Identity>,
    /// The next tick of the mix clock, while any leg hears a mix.
    mix_due: Option<Instant>,
}

impl Engine {
    /// An engine whose RTCP names itself `cname`.
    pub fn new(cname: &str) -> Engine {
        Engine {
            legs: HashMap::new(),
            next_id: 1,
            timers: BTreeSet::new(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            cname: cname.to_string(),
            scratch: Vec::new(),
            identity: None,
            mix_due: None,
        }
    }

    fn insert(&mut self, now: Option<Instant>, kind: Kind) -> LegId {
        let id = LegId(self.next_id);
        self.next_id = self.next_id.wrapping_add(1).max(1);
        // An SSRC per leg, different for every leg of this engine.
        let ssrc = id.0.wrapping_mul(0x9e37_79b9) ^ 0x5a5a_0000;
        let clock = match &kind {
            Kind::WebRtc(l) => l.negotiated().codec.clock_rate(),
            Kind::Rtp(_) => 8000,
        };
        let slot = Slot {
            kind,
            peer: None,
            held: false,
            out: Rewriter::new(ssrc),
            sent: Sent::default(),
            dtmf_out: dtmf::Sender::new(clock),
            dtmf_event_timestamp: 0,
            dtmf_in: dtmf::Receiver::default(),
            player: None,
            hears: Vec::new(),
            inbox: None,
            recorder: None,
            voice: None,
            terminal: None,
            image: None,
            next_report: None,
            deadline: None,
        };
        self.legs.insert(id, slot);
        if let Some(now) = now {
            self.rearm(id, now);
        }
        id
    }

    /// A new RTP leg on our port `port` (RTCP on `port + 1`), announcing `announce`.
    pub fn add_rtp_leg(&mut self, port: u16, announce: IpAddr) -> LegId {
        let session = u64::from(self.next_id) << 16 | u64::from(port);
        self.insert(None, Kind::Rtp(RtpLeg::new(port, announce, session)))
    }

    /// A new browser leg on the socket bound at `local`, answering `offer` with the
    /// first of `codecs` the browser offers; returns the leg and the SDP answer.
    pub fn add_webrtc_leg(
        &mut self,
        now: Instant,
        local: SocketAddr,
        candidate: SocketAddr,
        offer: &str,
        codecs: &[Codec],
    ) -> Result<(LegId, String), EngineError> {
        if self.identity.is_none() {
            self.identity = Some(crate::webrtc_leg::Identity::new()?);
        }
        let identity = self.identity.as_ref().expect("made above");
        let (leg, answer) = WebRtcLeg::accept(now, local, candidate, offer, codecs, identity)?;
        let id = self.insert(Some(now), Kind::WebRtc(Box::new(leg)));
        Ok((id, answer))
    }

    fn rtp_leg(&mut self, leg: LegId) -> Result<&mut RtpLeg, EngineError> {
        match &mut self.legs.get_mut(&leg).ok_or(EngineError::NoLeg(leg))?.kind {
            Kind::Rtp(l) => Ok(l),
            Kind::WebRtc(_) => Err(EngineError::NotRtp(leg)),
        }
    }

    /// Our SDP offer for an RTP leg (`sendonly` to hold the phone).
    pub fn rtp_make_offer(
        &mut self,
        leg: LegId,
        direction: Direction,
    ) -> Result<String, EngineError> {
        Ok(self.rtp_leg(leg)?.offer(direction))
    }

    /// The phone's answer to our offer.
    pub fn rtp_answer(
        &mut self,
        now: Instant,
        leg: LegId,
        sdp: &str,
    ) -> Result<Negotiated, EngineError> {
        let n = self.rtp_leg(leg)?.handle_answer(sdp)?;
        self.leave_image(leg);
        self.start_reports(now, leg);
        Ok(n)
    }

    /// The phone's offer; returns our answer (the first of `allowed` it offers).
    pub fn rtp_offer(
        &mut self,
        leg: LegId,
        sdp: &str,
        allowed: &[Codec],
    ) -> Result<(Negotiated, String), EngineError> {
        let made = self.rtp_leg(leg)?.handle_offer(sdp, allowed)?;
        self.leave_image(leg);
        Ok(made)
    }

    fn start_reports(&mut self, now: Instant, leg: LegId) {
        if let Some(slot) = self.legs.get_mut(&leg) {
            if slot.next_report.is_none() {
                slot.next_report = Some(now + rtcp::INTERVAL);
                self.rearm(leg, now);
            }
        }
    }

    /// What a leg negotiated (none on a T.38 leg).
    pub fn negotiated(&self, leg: LegId) -> Option<Negotiated> {
        self.legs.get(&leg)?.negotiated()
    }

    /// Relays media between `a` and `b` from now on (each is unbridged from any other).
    pub fn bridge(&mut self, a: LegId, b: LegId) -> Result<(), EngineError> {
        let na = self
            .legs
            .get(&a)
            .ok_or(EngineError::NoLeg(a))?
            .negotiated()
            .ok_or(EngineError::NotNegotiated(a))?;
        let nb = self
            .legs
            .get(&b)
            .ok_or(EngineError::NoLeg(b))?
            .negotiated()
            .ok_or(EngineError::NotNegotiated(b))?;
        if !na.codec.relays_to(nb.codec) {
            return Err(EngineError::Incompatible(na.codec, nb.codec));
        }
        self.unbridge(a);
        self.unbridge(b);
        // Newly bridged legs hear each other, not a mix of before.
        self.stop_hearing(&[a, b]);
        for (x, y) in [(a, b), (b, a)] {
            if let Some(s) = self.legs.get_mut(&x) {
                s.peer = Some(y);
            }
        }
        Ok(())
    }

    /// Stops relaying between `leg` and its peer.
    pub fn unbridge(&mut self, leg: LegId) {
        if let Some(peer) = self.legs.get_mut(&leg).and_then(|s| s.peer.take()) {
            if let Some(p) = self.legs.get_mut(&peer) {
                p.peer = None;
            }
        }
    }

    /// Holds (no media to or from) or resumes a leg.
    pub fn set_held(&mut self, leg: LegId, held: bool) {
        if let Some(s) = self.legs.get_mut(&leg) {
            s.held = held;
        }
    }

    /// Sends `digits` as telephone-events on `leg`; false if a digit is invalid or the
    /// leg has no telephone-events.
    pub fn send_dtmf(&mut self, now: Instant, leg: LegId, digits: &str) -> bool {
        let Some(slot) = self.legs.get_mut(&leg) else {
            return false;
        };
        if slot.negotiated().and_then(|n| n.events).is_none() || !slot.dtmf_out.queue(now, digits) {
            return false;
        }
        self.rearm(leg, now);
        true
    }

    /// Plays `frames` (20 ms of G.711 each, in `encoding`) into `leg` from `now`, once
    /// or over and over, instead of its far side's audio; converted when the leg speaks
    /// the other G.711 law, encoded when it speaks Opus.
    pub fn play(
        &mut self,
        now: Instant,
        leg: LegId,
        frames: std::sync::Arc<[Frame]>,
        encoding: Codec,
        looping: bool,
    ) -> Result<(), EngineError> {
        let slot = self.legs.get_mut(&leg).ok_or(EngineError::NoLeg(leg))?;
        if slot.negotiated().is_none() {
            return Err(EngineError::CannotPlay(leg));
        }
        slot.player = Some(Player::new(now, frames, encoding, looping));
        self.rearm(leg, now);
        Ok(())
    }

    /// Stops a prompt; the far side is heard again.
    pub fn stop_playing(&mut self, leg: LegId) {
        if let Some(slot) = self.legs.get_mut(&leg) {
            slot.player = None;
        }
    }

    /// Removes a leg (its peer stays, unbridged); a recording under way ends with it.
    pub fn remove(&mut self, leg: LegId) {
        self.unbridge(leg);
        self.stop_recording(leg);
        if let Some(slot) = self.legs.remove(&leg) {
            if let Some(d) = slot.deadline {
                self.timers.remove(&(d, leg));
            }
            if slot.inbox.is_some() || !slot.hears.is_empty() {
                self.forget_source(leg);
            }
        }
    }

    /// How many legs there are.
    pub fn len(&self) -> usize {
        self.legs.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.legs.is_empty()
    }

    /// Feeds a datagram that arrived on `leg`'s `socket` from `from`. An RTP packet
    /// relayed to an RTP leg is rewritten in `bytes` and returned as a [`Forward`];
    /// everything else comes out of [`Engine::poll_transmit`]. On a T.38 leg the
    /// datagram goes to its terminal as it is (see [`Engine::t38_offer`]).
    pub fn handle_datagram(
        &mut self,
        now: Instant,
        leg: LegId,
        socket: Socket,
        from: SocketAddr,
        bytes: &mut [u8],
    ) -> Option<Forward> {
        let slot = self.legs.get_mut(&leg)?;
        if slot.image.is_some() {
            self.handle_image_datagram(now, leg, socket, from, bytes);
            return None;
        }
        match &mut slot.kind {
            Kind::WebRtc(l) => {
                let mut out = std::mem::take(&mut self.scratch);
                l.handle_datagram(now, from, bytes, &mut out);
                self.handle_happened(now, leg, &mut out);
                self.scratch = out;
                self.rearm(leg, now);
                None
            }
            Kind::Rtp(l) => {
                if socket == Socket::Rtcp || rtp::is_rtcp(bytes) {
                    // Latched, not relayed (see rtcp.rs).
                    l.rtcp.handle_packet(now, from);
                    return None;
                }
                if l.rtp.handle_packet(now, from) == Verdict::Refused {
                    return None;
                }
                l.heard(now);
                let header = RtpHeader::parse(bytes).ok()?;
                self.relay_rtp(now, leg, header, bytes)
            }
        }
    }

    /// Relays an RTP packet that arrived on the RTP leg `from`.
    fn relay_rtp(
        &mut self,
        now: Instant,
        from: LegId,
        header: RtpHeader,
        bytes: &mut [u8],
    ) -> Option<Forward> {
        let source = self.legs.get_mut(&from)?;
        let incoming = source.negotiated()?;
        let is_event = incoming.events == Some(header.payload_type);
        if is_event {
            let digit = dtmf::Event::parse(&bytes[header.payload_offset..header.payload_end])
                .and_then(|e| source.dtmf_in.handle_packet(header.timestamp, e));
            if let Some(digit) = digit {
                self.events.push_back(Event::Dtmf { leg: from, digit });
            }
        } else if header.payload_type != incoming.payload_type {
            return None;
        }
        let source = self.legs.get_mut(&from)?;
        if source.held {
            return None;
        }
        if let (Some(inbox), false) = (source.inbox.as_mut(), is_event) {
            inbox.push(
                incoming.codec,
                &bytes[header.payload_offset..header.payload_end],
            );
        }
        if let (Some(recorder), false) = (source.recorder.as_mut(), is_event) {
            let payload = &bytes[header.payload_offset..header.payload_end];
            if recorder.push(incoming.codec, header.timestamp, payload) {
                self.recording_full(from);
            }
        }
        let source = self.legs.get_mut(&from)?;
        if let (Some(terminal), false) = (source.terminal.as_mut(), is_event) {
            let payload = &bytes[header.payload_offset..header.payload_end];
            terminal.hear_packet(incoming.codec, header.timestamp, payload);
            return None;
        }
        let source = self.legs.get_mut(&from)?;
        let to = source.peer?;
        let target = self.legs.get_mut(&to)?;
        let outgoing = target.negotiated()?;
        if target.held
            || target.dtmf_out.poll_timeout().is_some()
            || target.player.is_some()
            || !target.hears.is_empty()
        {
            return None;
        }
        let payload_type = if is_event {
            outgoing.events?
        } else {
            outgoing.payload_type
        };
        let mapped = target.out.map(
            now,
            header.ssrc,
            header.sequence,
            header.timestamp,
            incoming.codec.clock_rate(),
        );
        let fields = Rewritten {
            marker: header.marker || mapped.marker,
            payload_type,
            sequence: mapped.sequence,
            timestamp: mapped.timestamp,
            ssrc: target.out.ssrc(),
        };
        let payload_len = (header.payload_end - header.payload_offset) as u32;
        target.sent.packets = target.sent.packets.wrapping_add(1);
        target.sent.octets = target.sent.octets.wrapping_add(payload_len);
        target.sent.timestamp = mapped.timestamp;
        if !is_event {
            convert_g711(
                incoming.codec,
                outgoing.codec,
                &mut bytes[header.payload_offset..header.payload_end],
            );
        }
        match &mut target.kind {
            Kind::Rtp(l) => {
                if !l.remote_receives() {
                    return None;
                }
                let dest = l.destination()?;
                rtp::rewrite(bytes, fields);
                Some(Forward { leg: to, to: dest })
            }
            Kind::WebRtc(l) => {
                let mut out = std::mem::take(&mut self.scratch);
                let payload = &bytes[header.payload_offset..header.payload_end];
                l.send_rtp(
                    now,
                    fields.payload_type,
                    fields.sequence,
                    fields.timestamp,
                    fields.marker,
                    payload,
                    &mut out,
                );
                self.handle_happened(now, to, &mut out);
                self.scratch = out;
                self.rearm(to, now);
                None
            }
        }
    }

    fn handle_happened(&mut self, now: Instant, leg: LegId, out: &mut Vec<Happened>) {
        for happened in out.drain(..) {
            match happened {
                Happened::Transmit { to, bytes } => self.transmits.push_back(Transmit {
                    leg,
                    socket: Socket::Rtp,
                    to,
                    bytes,
                }),
                Happened::Connected => self.events.push_back(Event::Connected(leg)),
                Happened::ConsentLost => self.events.push_back(Event::Closed(leg)),
                Happened::Rtp(p) => {
                    // From a browser: put it through the same relay as an RTP packet.
                    let mut bytes = rtp::packet(
                        Rewritten {
                            marker: p.marker,
                            payload_type: p.payload_type,
                            sequence: p.sequence,
                            timestamp: p.timestamp,
                            ssrc: p.ssrc,
                        },
                        &p.payload,
                    );
                    let Ok(header) = RtpHeader::parse(&bytes) else {
                        continue;
                    };
                    if let Some(f) = self.relay_rtp(now, leg, header, &mut bytes) {
                        self.transmits.push_back(Transmit {
                            leg: f.leg,
                            socket: Socket::Rtp,
                            to: f.to,
                            bytes,
                        });
                    }
                }
            }
        }
    }

    /// Feeds the time.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(&(at, leg)) = self.timers.first() {
            if at > now {
                break;
            }
            self.timers.remove(&(at, leg));
            if leg == MIX_CLOCK {
                self.mix_tick(now);
                continue;
            }
            if let Some(s) = self.legs.get_mut(&leg) {
                s.deadline = None;
            }
            self.run_leg_timers(now, leg);
            self.rearm(leg, now);
        }
    }

    fn rearm(&mut self, leg: LegId, now: Instant) {
        let Some(slot) = self.legs.get_mut(&leg) else {
            return;
        };
        let next = slot.own_deadline().map(|t| t.max(now));
        if next == slot.deadline {
            return;
        }
        if let Some(old) = slot.deadline {
            self.timers.remove(&(old, leg));
        }
        slot.deadline = next;
        if let Some(t) = next {
            self.timers.insert((t, leg));
        }
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next event for call control.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When the engine next needs the time.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.first().map(|(t, _)| *t)
    }
}

mod leg_timers;
mod mixing;
mod own_audio;
mod recording;
mod t38;
mod terminal;
pub use mixing::MIX_CLOCK;

#[cfg(test)]
mod mixing_tests;
#[cfg(test)]
mod recording_tests;
#[cfg(test)]
mod t38_tests;
#[cfg(test)]
mod terminal_tests;
#[cfg(test)]
mod tests;
