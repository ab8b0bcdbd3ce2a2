//! What a receiving phone measures of one stream, pure: loss by sequence number
//! (duplicates and packets too far behind do not count as received), each packet's
//! transit (arrival − send time), and the RFC 3550 §6.4.1 interarrival jitter.
//!
//! The stream is the one arriving on the phone's connected socket, whatever its SSRC: a
//! relay acting as a B2BUA may send under its own SSRC (Durchwahl does). SSRC changes are
//! counted for information.

use super::rtp::Received;

/// Packets further than this behind the newest are late for any jitter buffer: lost.
pub const REORDER_WINDOW: u64 = 64;
/// RTP clock of G.711.
const CLOCK_HZ: u64 = 8000;

/// The stream arriving at one phone.
#[derive(Debug, Clone)]
pub struct RxStream {
    ssrc: Option<u32>,
    /// Times the SSRC changed after the first packet.
    pub ssrc_changes: u64,
    /// Only packets sent in [from_ns, until_ns) count.
    from_ns: u64,
    until_ns: u64,
    /// The highest extended sequence number seen and a bit per earlier one (bit i:
    /// highest − i arrived).
    highest: Option<u64>,
    seen: u64,
    /// Transit of every counted packet (µs).
    pub transits_us: Vec<u32>,
    /// Packets counted (once each).
    pub received: u64,
    /// Second copies.
    pub duplicates: u64,
    /// Packets that arrived after a later one (counted).
    pub reordered: u64,
    /// Packets more than [`REORDER_WINDOW`] behind (not counted).
    pub too_late: u64,
    /// Datagrams that are not RTP of the load.
    pub foreign: u64,
    /// RFC 3550 jitter estimate, in RTP timestamp units (1/8 ms).
    jitter: f64,
    last_transit_ts: Option<i64>,
}

impl RxStream {
    /// A stream counting packets sent in the measuring window; `expected` packets
    /// reserves the memory up front.
    pub fn new(from_ns: u64, until_ns: u64, expected: usize) -> Self {
        RxStream {
            ssrc: None,
            ssrc_changes: 0,
            from_ns,
            until_ns,
            highest: None,
            seen: 0,
            transits_us: Vec::with_capacity(expected),
            received: 0,
            duplicates: 0,
            reordered: 0,
            too_late: 0,
            foreign: 0,
            jitter: 0.0,
            last_transit_ts: None,
        }
    }

    /// Feeds a packet that arrived at `arrival_ns` (the same clock as its send time).
    pub fn on_packet(&mut self, packet: Option<Received>, arrival_ns: u64) {
        let Some(p) = packet else {
            self.foreign += 1;
            return;
        };
        if self.ssrc.is_some_and(|s| s != p.ssrc) {
            self.ssrc_changes += 1;
        }
        self.ssrc = Some(p.ssrc);
        let ext = match self.highest {
            None => u64::from(p.seq) + (1 << 16), // room below for reordered packets
            Some(h) => {
                let delta = i64::from(p.seq.wrapping_sub(h as u16) as i16);
                h.saturating_add_signed(delta)
            }
        };
        let new = match self.highest {
            Some(h) if ext <= h => {
                let behind = h - ext;
                if behind >= REORDER_WINDOW {
                    self.too_late += u64::from(self.counts(p.sent_ns));
                    return;
                }
                if self.seen & (1 << behind) != 0 {
                    self.duplicates += 1;
                    return;
                }
                self.seen |= 1 << behind;
                self.reordered += u64::from(self.counts(p.sent_ns));
                true
            }
            Some(h) => {
                let ahead = ext - h;
                self.seen = if ahead >= 64 { 0 } else { self.seen << ahead };
                self.seen |= 1;
                self.highest = Some(ext);
                true
            }
            None => {
                self.seen = 1;
                self.highest = Some(ext);
                true
            }
        };
        if !new || !self.counts(p.sent_ns) {
            return;
        }
        self.received += 1;
        let transit_ns = arrival_ns.saturating_sub(p.sent_ns);
        self.transits_us
            .push(u32::try_from(transit_ns / 1000).unwrap_or(u32::MAX));
        // RFC 3550 §6.4.1: J += (|D| − J) / 16 with D the change of transit in RTP units.
        let arrival_ts = (arrival_ns as u128 * u128::from(CLOCK_HZ) / 1_000_000_000) as i64;
        let transit_ts = arrival_ts.wrapping_sub(i64::from(p.timestamp));
        if let Some(last) = self.last_transit_ts {
            let d = (transit_ts - last).unsigned_abs() as f64;
            self.jitter += (d - self.jitter) / 16.0;
        }
        self.last_transit_ts = Some(transit_ts);
    }

    fn counts(&self, sent_ns: u64) -> bool {
        (self.from_ns..self.until_ns).contains(&sent_ns)
    }

    /// The RFC 3550 jitter in milliseconds.
    pub fn jitter_ms(&self) -> f64 {
        self.jitter * 1000.0 / CLOCK_HZ as f64
    }

    /// Each counted packet's transit above the stream's fastest (µs): the delay the relay
    /// (and the receiving side) added beyond the path's floor.
    pub fn added_delays_us(&self) -> impl Iterator<Item = u32> + '_ {
        let min = self.transits_us.iter().copied().min().unwrap_or(0);
        self.transits_us.iter().map(move |t| t - min)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(seq: u16, sent_ns: u64) -> Option<Received> {
        Some(Received {
            seq,
            timestamp: u32::from(seq) * 160,
            ssrc: 7,
            sent_ns,
        })
    }

    const MS: u64 = 1_000_000;

    #[test]
    fn counts_loss_duplicates_reordering_and_wrap() {
        let mut s = RxStream::new(0, u64::MAX, 16);
        for seq in [65534u16, 65535, 1, 0, 1, 3] {
            s.on_packet(packet(seq, 1), 2);
        }
        // 65534, 65535, 0, 1, 3 arrived (2 lost); 0 after 1; one copy of 1.
        assert_eq!((s.received, s.duplicates, s.reordered), (5, 1, 1));
        // The relay's own SSRC: still the stream of this socket.
        s.on_packet(
            Some(Received {
                ssrc: 8,
                ..packet(4, 1).unwrap()
            }),
            2,
        );
        s.on_packet(None, 2);
        assert_eq!((s.received, s.ssrc_changes, s.foreign), (6, 1, 1));
        // 100 later, then one from far behind: late, not received.
        s.on_packet(packet(103, 1), 2);
        s.on_packet(packet(2, 1), 2);
        assert_eq!((s.received, s.too_late), (7, 1));
    }

    #[test]
    fn counts_only_packets_sent_in_the_window() {
        let mut s = RxStream::new(10 * MS, 20 * MS, 16);
        for (seq, sent) in [(0, 5 * MS), (1, 10 * MS), (2, 19 * MS), (3, 20 * MS)] {
            s.on_packet(packet(seq, sent), sent + MS);
        }
        assert_eq!(s.received, 2);
    }

    #[test]
    fn added_delay_is_above_the_fastest_packet_and_jitter_follows_rfc3550() {
        let mut s = RxStream::new(0, u64::MAX, 16);
        // Sent every 20 ms; transit 1 ms, except packet 2 with 4 ms.
        for seq in 0..10u16 {
            let sent = u64::from(seq) * 20 * MS;
            let transit = if seq == 2 { 4 * MS } else { MS };
            s.on_packet(packet(seq, sent), sent + transit);
        }
        let added: Vec<u32> = s.added_delays_us().collect();
        assert_eq!(added.iter().filter(|&&d| d == 0).count(), 9);
        assert_eq!(added[2], 3000);
        // Two changes of 3 ms (24 RTP units): J = 24/16 = 1.5, then 1.5 + (24 − 1.5)/16.
        let expected = (1.5 + (24.0 - 1.5) / 16.0) * (15.0f64 / 16.0).powi(6) / 8.0;
        assert!((s.jitter_ms() - expected).abs() < 0.01, "{}", s.jitter_ms());
    }
}
