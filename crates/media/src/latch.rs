//! Symmetric RTP with latching: a phone behind a home router announces its private
//! address in SDP, but its packets arrive from the router's public address. The relay
//! sends to where the packets come from (RFC 4961), learnt from the first packet. Once
//! latched, another source is taken only after the latched one has been silent for
//! [`RELATCH_AFTER`] (a router that changed its mapping), so a stray sender cannot take
//! over a running call.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// How long the latched source must be silent before another may take its place.
pub const RELATCH_AFTER: Duration = Duration::from_secs(2);

/// Where one leg's media goes, and from where it is accepted.
#[derive(Debug, Clone)]
pub struct Latch {
    announced: Option<SocketAddr>,
    latched: Option<(SocketAddr, Instant)>,
}

/// What became of an arriving packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// From the latched source.
    Accepted,
    /// The first packet, or a new source after silence: now latched here.
    Latched,
    /// From another source while the latched one is alive: dropped.
    Refused,
}

impl Latch {
    /// A leg whose SDP announced `announced` (`None`: not known yet, or on hold).
    pub fn new(announced: Option<SocketAddr>) -> Latch {
        Latch {
            announced,
            latched: None,
        }
    }

    /// A new SDP (re-INVITE) announced another address; the latched source stays.
    pub fn announce(&mut self, announced: Option<SocketAddr>) {
        self.announced = announced;
    }

    /// Forgets the latched source: another stream on the same port (T.38 after audio,
    /// or back) is learnt afresh from its first packet, not after [`RELATCH_AFTER`].
    pub fn forget(&mut self) {
        self.latched = None;
    }

    /// Judges a packet from `from` arriving at `now`.
    pub fn handle_packet(&mut self, now: Instant, from: SocketAddr) -> Verdict {
        match self.latched {
            Some((addr, _)) if addr == from => {
                self.latched = Some((addr, now));
                Verdict::Accepted
            }
            Some((_, heard)) if now.saturating_duration_since(heard) < RELATCH_AFTER => {
                Verdict::Refused
            }
            _ => {
                self.latched = Some((from, now));
                Verdict::Latched
            }
        }
    }

    /// Where to send: the latched source, else the announced address.
    pub fn destination(&self) -> Option<SocketAddr> {
        self.latched.map(|(a, _)| a).or(self.announced)
    }

    /// The latched source, if any.
    pub fn latched(&self) -> Option<SocketAddr> {
        self.latched.map(|(a, _)| a)
    }

    /// When the last packet was accepted.
    pub fn last_heard(&self) -> Option<Instant> {
        self.latched.map(|(_, t)| t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn media_goes_to_the_announced_address_until_the_first_packet_arrives() {
        let t0 = Instant::now();
        let mut latch = Latch::new(Some(addr("192.168.178.20:4000")));
        assert_eq!(latch.destination(), Some(addr("192.168.178.20:4000")));
        // Behind the router: the packets come from its public address.
        assert_eq!(
            latch.handle_packet(t0, addr("203.0.113.9:61000")),
            Verdict::Latched
        );
        assert_eq!(latch.destination(), Some(addr("203.0.113.9:61000")));
        assert_eq!(
            latch.handle_packet(t0, addr("203.0.113.9:61000")),
            Verdict::Accepted
        );
    }

    #[test]
    fn a_stray_sender_cannot_take_over_a_live_stream() {
        let t0 = Instant::now();
        let mut latch = Latch::new(None);
        latch.handle_packet(t0, addr("203.0.113.9:61000"));
        let later = t0 + Duration::from_millis(500);
        assert_eq!(
            latch.handle_packet(later, addr("198.51.100.1:5000")),
            Verdict::Refused
        );
        assert_eq!(latch.destination(), Some(addr("203.0.113.9:61000")));
    }

    #[test]
    fn a_new_mapping_is_taken_after_the_old_one_fell_silent() {
        let t0 = Instant::now();
        let mut latch = Latch::new(None);
        latch.handle_packet(t0, addr("203.0.113.9:61000"));
        let later = t0 + RELATCH_AFTER;
        assert_eq!(
            latch.handle_packet(later, addr("203.0.113.9:62000")),
            Verdict::Latched
        );
        assert_eq!(latch.destination(), Some(addr("203.0.113.9:62000")));
    }

    #[test]
    fn a_forgotten_source_gives_way_at_once() {
        let t0 = Instant::now();
        let mut latch = Latch::new(Some(addr("192.0.2.1:4000")));
        latch.handle_packet(t0, addr("203.0.113.9:61000"));
        latch.announce(Some(addr("192.0.2.1:4446")));
        latch.forget();
        assert_eq!(latch.destination(), Some(addr("192.0.2.1:4446")));
        assert_eq!(
            latch.handle_packet(t0, addr("203.0.113.9:61002")),
            Verdict::Latched
        );
    }
}
