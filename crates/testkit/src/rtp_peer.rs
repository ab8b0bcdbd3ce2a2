//! An RTP test peer: sends PCMA (payload type 8) every 20 ms from one SSRC, and counts
//! what arrives, per SSRC: packets, payload types, sequence gaps, whether the payload
//! carried the sender's recognisable pattern, and RFC 4733 telephone-events.
//!
//! The RTP header (RFC 3550 §5.1), the pacing of a stream ([`Stream`]) and the counting
//! ([`Received`]) are pure and tested here; [`RtpPeer`] is a thin shell over a
//! `std::net::UdpSocket` that runs them with the real clock.
//!
//! ```
//! use testkit::rtp_peer::{pattern, Packet, Received, Stream};
//! let mut stream = Stream::new(0x1234_5678, 0);
//! let mut heard = Received::default();
//! for now in [0, 20, 40] {
//!     while let Some(bytes) = stream.poll_packet(now) {
//!         heard.handle_packet(&bytes);
//!     }
//! }
//! let from = heard.ssrc(0x1234_5678).unwrap();
//! assert_eq!((from.packets, from.lost, from.with_pattern), (3, 0, 3));
//! assert_eq!(Packet::parse(&stream.packet(7)).unwrap().payload, pattern(0x1234_5678, 7));
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

/// PCMA, the payload type the peer sends (RFC 3551 §6).
pub const PCMA: u8 = 8;
/// The payload type of telephone-events (as the test phone's SDP offers it).
pub const TELEPHONE_EVENT: u8 = 101;
/// One packet every 20 ms (RFC 3551 §4.5: the default packetisation).
pub const PTIME_MS: i64 = 20;
/// 20 ms at 8 kHz: samples (and PCMA bytes) per packet.
pub const SAMPLES: u32 = 160;

/// Why bytes are not an RTP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RtpError {
    /// Shorter than its header says.
    #[error("too short: {0} bytes")]
    Short(usize),
    /// Not version 2.
    #[error("RTP version {0}, not 2")]
    Version(u8),
}

/// One RTP packet (RFC 3550 §5.1), without CSRCs and header extension when written;
/// those are skipped when read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// The marker bit (first packet of a talk spurt, first of an event).
    pub marker: bool,
    /// The payload type, 0–127.
    pub payload_type: u8,
    /// The sequence number.
    pub sequence: u16,
    /// The timestamp, in samples.
    pub timestamp: u32,
    /// The synchronisation source.
    pub ssrc: u32,
    /// The payload (padding removed).
    pub payload: Vec<u8>,
}

impl Packet {
    /// The wire form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(12 + self.payload.len());
        out.push(2 << 6); // V=2, P=0, X=0, CC=0
        out.push(u8::from(self.marker) << 7 | (self.payload_type & 0x7f));
        out.extend_from_slice(&self.sequence.to_be_bytes());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        out.extend_from_slice(&self.payload);
        out
    }

    /// Reads a packet: CSRC list and header extension skipped (§5.3.1), padding removed.
    pub fn parse(bytes: &[u8]) -> Result<Packet, RtpError> {
        let short = RtpError::Short(bytes.len());
        if bytes.len() < 12 {
            return Err(short);
        }
        let version = bytes[0] >> 6;
        if version != 2 {
            return Err(RtpError::Version(version));
        }
        let csrcs = usize::from(bytes[0] & 0x0f);
        let mut at = 12 + 4 * csrcs;
        if bytes[0] & 0x10 != 0 {
            let words = bytes.get(at + 2..at + 4).ok_or(short)?;
            at += 4 + 4 * usize::from(u16::from_be_bytes([words[0], words[1]]));
        }
        let mut end = bytes.len();
        if bytes[0] & 0x20 != 0 {
            end = end.saturating_sub(usize::from(*bytes.last().unwrap_or(&0)));
        }
        let word =
            |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        Ok(Packet {
            marker: bytes[1] & 0x80 != 0,
            payload_type: bytes[1] & 0x7f,
            sequence: u16::from_be_bytes([bytes[2], bytes[3]]),
            timestamp: word(4),
            ssrc: word(8),
            payload: bytes.get(at..end).ok_or(short)?.to_vec(),
        })
    }
}

/// The recognisable payload of packet `sequence` from `ssrc`: its SSRC bytes, mixed with
/// the sequence number and the position, so a receiver tells both a stranger's packet
/// and a misplaced one.
pub fn pattern(ssrc: u32, sequence: u16) -> Vec<u8> {
    let tag = ssrc.to_be_bytes();
    (0..SAMPLES as usize)
        .map(|i| tag[i % 4] ^ (sequence as u8) ^ (i as u8))
        .collect()
}

/// One RTP event (RFC 4733 §2.3): the DTMF digit `0`–`9`, `*` (10), `#` (11), A–D (12–15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TelephoneEvent {
    /// The event code.
    pub event: u8,
    /// The end bit.
    pub end: bool,
    /// The volume, 0 to 63 (as -dBm0).
    pub volume: u8,
    /// The duration so far, in samples.
    pub duration: u16,
}

impl TelephoneEvent {
    /// The four payload bytes.
    pub fn to_bytes(self) -> [u8; 4] {
        let d = self.duration.to_be_bytes();
        [
            self.event,
            u8::from(self.end) << 7 | (self.volume & 0x3f),
            d[0],
            d[1],
        ]
    }

    /// Reads a payload (the first event of it).
    pub fn parse(payload: &[u8]) -> Option<TelephoneEvent> {
        let b = payload.get(..4)?;
        Some(TelephoneEvent {
            event: b[0],
            end: b[1] & 0x80 != 0,
            volume: b[1] & 0x3f,
            duration: u16::from_be_bytes([b[2], b[3]]),
        })
    }
}

/// An outgoing stream, sans-IO: which packet is due when. Sequence numbers count up by
/// one and timestamps by 160 per 20 ms packet (RFC 3550 §5.1, RFC 3551 §4.5).
#[derive(Debug, Clone)]
pub struct Stream {
    ssrc: u32,
    next_sequence: u16,
    next_timestamp: u32,
    next_at: i64,
    /// Queued telephone-event packets (sent before the next voice packet).
    events: Vec<Packet>,
    sent: u64,
}

impl Stream {
    /// A stream from `ssrc` whose first packet is due at `now` (milliseconds).
    pub fn new(ssrc: u32, now: i64) -> Stream {
        Stream {
            ssrc,
            // RFC 3550 §5.1 wants random starts; a fixed one derived from the SSRC keeps
            // runs reproducible and still differs between peers.
            next_sequence: (ssrc >> 16) as u16,
            next_timestamp: ssrc.rotate_left(8),
            next_at: now,
            events: Vec::new(),
            sent: 0,
        }
    }

    /// Its SSRC.
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// How many packets it produced.
    pub fn sent(&self) -> u64 {
        self.sent
    }

    /// The voice packet with sequence number `sequence` (payload: [`pattern`]).
    pub fn packet(&self, sequence: u16) -> Vec<u8> {
        let back = self.next_sequence.wrapping_sub(sequence);
        Packet {
            marker: false,
            payload_type: PCMA,
            sequence,
            timestamp: self.next_timestamp.wrapping_sub(u32::from(back) * SAMPLES),
            ssrc: self.ssrc,
            payload: pattern(self.ssrc, sequence),
        }
        .to_bytes()
    }

    /// Queues the RFC 4733 packets of one `event` lasting one packet time: the start
    /// (marker bit), then the end packet three times (§2.5.1.4), all with the event's
    /// timestamp and a sequence number each.
    pub fn send_event(&mut self, event: u8) {
        let timestamp = self.next_timestamp;
        for i in 0..4u16 {
            let payload = TelephoneEvent {
                event,
                end: i > 0,
                volume: 10,
                duration: SAMPLES as u16,
            };
            let sequence = self.take_sequence();
            self.events.push(Packet {
                marker: i == 0,
                payload_type: TELEPHONE_EVENT,
                sequence,
                timestamp,
                ssrc: self.ssrc,
                payload: payload.to_bytes().to_vec(),
            });
        }
    }

    fn take_sequence(&mut self) -> u16 {
        let s = self.next_sequence;
        self.next_sequence = s.wrapping_add(1);
        s
    }

    /// The next packet due at `now`, if any: queued events first, then one voice packet
    /// per 20 ms (a late caller gets the missed ones one by one, so the timestamps stay
    /// in step with the clock).
    pub fn poll_packet(&mut self, now: i64) -> Option<Vec<u8>> {
        if !self.events.is_empty() {
            self.sent += 1;
            return Some(self.events.remove(0).to_bytes());
        }
        if now < self.next_at {
            return None;
        }
        let sequence = self.take_sequence();
        let packet = Packet {
            marker: self.sent == 0,
            payload_type: PCMA,
            sequence,
            timestamp: self.next_timestamp,
            ssrc: self.ssrc,
            payload: pattern(self.ssrc, sequence),
        };
        self.next_timestamp = self.next_timestamp.wrapping_add(SAMPLES);
        self.next_at += PTIME_MS;
        self.sent += 1;
        Some(packet.to_bytes())
    }

    /// When the next voice packet is due.
    pub fn poll_timeout(&self) -> i64 {
        self.next_at
    }
}

/// Voice payloads kept per source: ten minutes of 20 ms packets.
pub const VOICE_KEPT: usize = 30_000;

/// What arrived from one SSRC.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FromSource {
    /// Packets received.
    pub packets: u64,
    /// Payload types seen.
    pub payload_types: BTreeSet<u8>,
    /// Sequence numbers skipped (counted when a later number arrives).
    pub lost: u64,
    /// Packets that came again or out of order (not newer than the highest seen).
    pub late: u64,
    /// Voice packets whose payload was the sender's [`pattern`].
    pub with_pattern: u64,
    /// Telephone-events that ended, in order (one per event, however often its end
    /// packet came).
    pub events: Vec<u8>,
    /// The voice payloads in arrival order (the first [`VOICE_KEPT`]), to check what was
    /// heard (prompts, announcements).
    pub voice: Vec<Vec<u8>>,
    highest: Option<u16>,
    last_event_timestamp: Option<u32>,
}

/// Counts what arrives, per SSRC; sans-IO.
#[derive(Debug, Clone, Default)]
pub struct Received {
    sources: BTreeMap<u32, FromSource>,
    /// Datagrams that were not RTP.
    pub invalid: u64,
}

impl Received {
    /// One datagram arrived.
    pub fn handle_packet(&mut self, bytes: &[u8]) {
        let Ok(packet) = Packet::parse(bytes) else {
            self.invalid += 1;
            return;
        };
        let from = self.sources.entry(packet.ssrc).or_default();
        from.packets += 1;
        from.payload_types.insert(packet.payload_type);
        match from.highest {
            None => from.highest = Some(packet.sequence),
            Some(high) => {
                // RFC 3550 A.1: a difference below half the range counts as newer.
                let ahead = packet.sequence.wrapping_sub(high);
                if ahead == 0 || ahead >= 0x8000 {
                    from.late += 1;
                } else {
                    from.lost += u64::from(ahead - 1);
                    from.highest = Some(packet.sequence);
                }
            }
        }
        if packet.payload_type == TELEPHONE_EVENT {
            if let Some(event) = TelephoneEvent::parse(&packet.payload) {
                if event.end && from.last_event_timestamp != Some(packet.timestamp) {
                    from.last_event_timestamp = Some(packet.timestamp);
                    from.events.push(event.event);
                }
            }
        } else {
            if packet.payload == pattern(packet.ssrc, packet.sequence) {
                from.with_pattern += 1;
            }
            if from.voice.len() < VOICE_KEPT {
                from.voice.push(packet.payload.clone());
            }
        }
    }

    /// What came from `ssrc`.
    pub fn ssrc(&self, ssrc: u32) -> Option<&FromSource> {
        self.sources.get(&ssrc)
    }

    /// Every SSRC heard from.
    pub fn sources(&self) -> impl Iterator<Item = (u32, &FromSource)> {
        self.sources.iter().map(|(s, f)| (*s, f))
    }

    /// How many of `ssrc`'s voice packets carried its pattern.
    pub fn pattern_count(&self, ssrc: u32) -> u64 {
        self.ssrc(ssrc).map_or(0, |f| f.with_pattern)
    }
}

/// The peer on a UDP socket: a [`Stream`] and a [`Received`] run with the real clock.
pub struct RtpPeer {
    socket: UdpSocket,
    stream: Stream,
    received: Received,
    remote: Option<SocketAddr>,
    started: Instant,
}

impl RtpPeer {
    /// A peer on a fresh loopback port, sending from `ssrc`.
    pub fn bind(ssrc: u32) -> std::io::Result<RtpPeer> {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        Ok(RtpPeer {
            socket,
            stream: Stream::new(ssrc, 0),
            received: Received::default(),
            remote: None,
            started: Instant::now(),
        })
    }

    /// Where it receives (for the SDP).
    pub fn local_addr(&self) -> SocketAddr {
        self.socket.local_addr().expect("bound socket")
    }

    /// Where it sends (the other side's SDP); `None` stops sending.
    pub fn set_remote(&mut self, remote: Option<SocketAddr>) {
        self.remote = remote;
    }

    /// What arrived so far.
    pub fn received(&self) -> &Received {
        &self.received
    }

    /// The outgoing stream (SSRC, packets sent).
    pub fn stream(&self) -> &Stream {
        &self.stream
    }

    /// Sends a telephone-event with the next packet (RFC 4733).
    pub fn send_event(&mut self, event: u8) {
        self.stream.send_event(event);
    }

    fn now(&self) -> i64 {
        i64::try_from(self.started.elapsed().as_millis()).unwrap_or(i64::MAX)
    }

    /// Sends at least `packets` packets, paced at 20 ms, receiving meanwhile, and goes on
    /// until `done` holds for what arrived, or `limit` has passed. Returns whether `done`
    /// held. Without a remote it only receives.
    pub fn run(
        &mut self,
        packets: u64,
        limit: Duration,
        done: impl Fn(&Received) -> bool,
    ) -> std::io::Result<bool> {
        let end = Instant::now() + limit;
        // The pacing restarts now: a peer idle for a while does not burst its backlog.
        let now = self.now();
        self.stream.next_at = now;
        let goal = self.stream.sent() + packets;
        let mut buf = [0u8; 1500];
        loop {
            let now = self.now();
            if let Some(remote) = self.remote {
                while let Some(packet) = self.stream.poll_packet(now) {
                    self.socket.send_to(&packet, remote)?;
                }
            }
            let sent_enough = self.remote.is_none() || self.stream.sent() >= goal;
            if sent_enough && done(&self.received) {
                return Ok(true);
            }
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(false);
            }
            let until_next = u64::try_from(self.stream.poll_timeout() - now).unwrap_or(0);
            let wait = left.min(Duration::from_millis(until_next.clamp(1, 20)));
            self.socket.set_read_timeout(Some(wait))?;
            match self.socket.recv_from(&mut buf) {
                Ok((n, _)) => self.received.handle_packet(&buf[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_rfc_3550_and_reads_back() {
        let packet = Packet {
            marker: true,
            payload_type: PCMA,
            sequence: 0xabcd,
            timestamp: 0x0102_0304,
            ssrc: 0xdead_beef,
            payload: vec![0xd5; 160],
        };
        let bytes = packet.to_bytes();
        assert_eq!(
            &bytes[..12],
            [0x80, 0x88, 0xab, 0xcd, 1, 2, 3, 4, 0xde, 0xad, 0xbe, 0xef]
        );
        assert_eq!(bytes.len(), 172);
        assert_eq!(Packet::parse(&bytes).unwrap(), packet);
    }

    #[test]
    fn csrcs_extensions_and_padding_are_skipped() {
        // CC=1, X=1, P=1: a CSRC, a one-word extension, payload "hi", two padding bytes.
        let mut bytes = vec![0xb1, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7];
        bytes.extend_from_slice(&[9, 9, 9, 9]); // CSRC
        bytes.extend_from_slice(&[0xbe, 0xde, 0, 1, 1, 2, 3, 4]); // extension
        bytes.extend_from_slice(b"hi");
        bytes.extend_from_slice(&[0, 2]);
        let packet = Packet::parse(&bytes).unwrap();
        assert_eq!((packet.ssrc, &packet.payload[..]), (7, &b"hi"[..]));
        assert_eq!(Packet::parse(&bytes[..5]), Err(RtpError::Short(5)));
        assert_eq!(Packet::parse(&[0x40; 12]), Err(RtpError::Version(1)));
    }

    #[test]
    fn a_stream_advances_by_one_and_by_160_every_20_ms() {
        let mut stream = Stream::new(42, 1000);
        assert_eq!(stream.poll_packet(999), None);
        let first = Packet::parse(&stream.poll_packet(1000).unwrap()).unwrap();
        assert!(first.marker);
        assert_eq!(stream.poll_packet(1000), None);
        assert_eq!(stream.poll_timeout(), 1020);
        // 45 ms late: the two missed packets come at once, in order.
        let second = Packet::parse(&stream.poll_packet(1045).unwrap()).unwrap();
        let third = Packet::parse(&stream.poll_packet(1045).unwrap()).unwrap();
        assert_eq!(stream.poll_packet(1045), None);
        assert_eq!(second.sequence, first.sequence.wrapping_add(1));
        assert_eq!(third.timestamp, first.timestamp.wrapping_add(320));
        assert!(!second.marker);
        assert_eq!(third.payload.len(), 160);
        assert_eq!(stream.packet(third.sequence), third.to_bytes());
    }

    #[test]
    fn gaps_duplicates_and_strangers_are_counted() {
        let mut stream = Stream::new(7, 0);
        let packets: Vec<Vec<u8>> = (0..5)
            .map(|i| stream.poll_packet(i * 20).unwrap())
            .collect();
        let mut heard = Received::default();
        for i in [0, 1, 3, 3, 2, 4] {
            heard.handle_packet(&packets[i]);
        }
        let mut stranger = Packet::parse(&packets[0]).unwrap();
        stranger.ssrc = 8; // someone else's SSRC on our pattern: not theirs
        heard.handle_packet(&stranger.to_bytes());
        heard.handle_packet(b"not rtp");
        let from = heard.ssrc(7).unwrap();
        assert_eq!((from.packets, from.lost, from.late), (6, 1, 2));
        assert_eq!(from.with_pattern, 6);
        assert_eq!(from.payload_types, BTreeSet::from([PCMA]));
        assert_eq!(heard.pattern_count(8), 0);
        assert_eq!(heard.invalid, 1);
        assert_eq!(heard.sources().count(), 2);
    }

    #[test]
    fn a_telephone_event_is_counted_once() {
        let mut stream = Stream::new(9, 0);
        let mut heard = Received::default();
        heard.handle_packet(&stream.poll_packet(0).unwrap());
        stream.send_event(5);
        let mut sent = Vec::new();
        while let Some(p) = stream.poll_packet(0) {
            sent.push(Packet::parse(&p).unwrap());
            heard.handle_packet(&p);
        }
        assert_eq!(sent.len(), 4);
        assert!(sent[0].marker && sent.iter().all(|p| p.payload_type == TELEPHONE_EVENT));
        assert!(sent
            .windows(2)
            .all(|w| w[1].sequence == w[0].sequence.wrapping_add(1)));
        assert!(TelephoneEvent::parse(&sent[3].payload).unwrap().end);
        let from = heard.ssrc(9).unwrap();
        assert_eq!(from.events, [5]);
        assert_eq!((from.packets, from.lost, from.with_pattern), (5, 0, 1));
    }
}
