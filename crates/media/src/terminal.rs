//! A terminal at our end of a leg: something that listens and speaks on the line itself
//! instead of a far party (a fax modem, SpanDSP's in the server). The engine hands it
//! what the far side sends, decoded to 8 kHz linear audio with lost packets filled with
//! silence, and asks it every 20 ms for what to send back (see `engine/terminal.rs`).
//!
//! On a leg switched to T.38 (see [`crate::sdp::t38`]) there is no audio: the far
//! side's UDPTL datagrams are handed over as they arrived ([`Terminal::datagram`]), and
//! what [`Terminal::poll_datagram`] yields is sent back. [`Terminal::speak`] is still
//! called every 20 ms, as the terminal's clock; what it speaks is not sent.

/// Samples in one 20 ms frame at 8 kHz.
pub const FRAME_SAMPLES: usize = 160;

/// The longest gap of lost packets filled with silence (1 s); a longer jump in the RTP
/// timestamps is a new timeline, not a second of silence.
const MAX_GAP: u32 = 8_000;

/// What sits at our end of a leg.
pub trait Terminal: Send + std::fmt::Debug {
    /// What the far side sent: 8 kHz linear samples, in order, gaps filled with silence.
    fn hear(&mut self, samples: &[i16]);
    /// The next 20 ms to send: fills `out` (160 samples) completely.
    fn speak(&mut self, out: &mut [i16]);
    /// Whether it is done (a fax sent or received, or given up): the engine reports
    /// [`crate::Event::TerminalDone`] once, and the call can end.
    fn finished(&self) -> bool;
    /// A datagram that arrived on a T.38 leg (UDPTL), unchanged. After it, and after
    /// each [`Terminal::speak`] on such a leg, the engine drains
    /// [`Terminal::poll_datagram`].
    fn datagram(&mut self, bytes: &[u8]) {
        let _ = bytes;
    }
    /// The next datagram to send on a T.38 leg (UDPTL, framed by the terminal).
    fn poll_datagram(&mut self) -> Option<Vec<u8>> {
        None
    }
}

/// Where a terminal's incoming audio stands: the RTP timestamp the next packet should
/// carry, so a gap (lost packets) becomes silence of the right length.
#[derive(Debug, Default, Clone, Copy)]
pub struct Timeline {
    next: Option<u32>,
}

impl Timeline {
    /// How many samples of silence come before a G.711 packet of `len` samples stamped
    /// `timestamp`; `None` for a late or repeated packet (dropped).
    pub fn gap_before(&mut self, timestamp: u32, len: usize) -> Option<usize> {
        let gap = match self.next {
            None => 0,
            Some(expected) => {
                let ahead = timestamp.wrapping_sub(expected);
                if ahead == 0 {
                    0
                } else if ahead < MAX_GAP {
                    ahead as usize
                } else if ahead > u32::MAX / 2 {
                    return None;
                } else {
                    0
                }
            }
        };
        self.next = Some(timestamp.wrapping_add(len as u32));
        Some(gap)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_order_packets_have_no_gap() {
        let mut t = Timeline::default();
        assert_eq!(t.gap_before(1000, 160), Some(0));
        assert_eq!(t.gap_before(1160, 160), Some(0));
    }

    #[test]
    fn a_lost_packet_is_a_frame_of_silence() {
        let mut t = Timeline::default();
        t.gap_before(0, 160);
        assert_eq!(t.gap_before(320, 160), Some(160));
    }

    #[test]
    fn late_and_repeated_packets_are_dropped() {
        let mut t = Timeline::default();
        t.gap_before(1000, 160);
        t.gap_before(1160, 160);
        assert_eq!(t.gap_before(1000, 160), None);
    }

    #[test]
    fn a_far_jump_starts_a_new_timeline() {
        let mut t = Timeline::default();
        t.gap_before(0, 160);
        assert_eq!(t.gap_before(1_000_000, 160), Some(0));
        assert_eq!(t.gap_before(1_000_160, 160), Some(0));
    }
}
