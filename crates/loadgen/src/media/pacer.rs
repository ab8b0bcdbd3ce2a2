//! The send schedule of one worker, pure: a wheel of [`SLOTS`] slots over the 20 ms
//! packet interval. Every stream sits in one slot, so each slot sends 1/20 of the streams
//! once per interval and the load is spread evenly instead of bursting every 20 ms. One
//! timer per worker instead of one per stream.

/// Slots per packet interval (1 ms each for 20 ms packets).
pub const SLOTS: usize = 20;
/// The packet interval of G.711 at 20 ms per packet.
pub const INTERVAL_NS: u64 = 20_000_000;
const SLOT_NS: u64 = INTERVAL_NS / SLOTS as u64;

/// Which streams send when.
#[derive(Debug, Clone)]
pub struct Pacer {
    slots: Vec<Vec<u32>>,
    /// The deadline of the next slot to send (ns on the load's clock) and its index.
    next_ns: u64,
    next_slot: usize,
}

impl Pacer {
    /// A wheel starting at `start_ns` with stream `i` (of `streams`) in slot
    /// `phase(i) % SLOTS`.
    pub fn new(start_ns: u64, streams: impl IntoIterator<Item = (u32, usize)>) -> Self {
        let mut slots = vec![Vec::new(); SLOTS];
        for (stream, phase) in streams {
            slots[phase % SLOTS].push(stream);
        }
        Pacer {
            slots,
            next_ns: start_ns,
            next_slot: 0,
        }
    }

    /// When the next slot is due.
    pub fn next_deadline_ns(&self) -> u64 {
        self.next_ns
    }

    /// The streams of the next slot if it is due at `now_ns`, with how late it is (ns);
    /// advances the wheel. A late worker catches up slot by slot rather than skipping, so
    /// every stream still sends 50 packets per second.
    pub fn poll_due(&mut self, now_ns: u64) -> Option<(&[u32], u64)> {
        if now_ns < self.next_ns {
            return None;
        }
        let late = now_ns - self.next_ns;
        let slot = self.next_slot;
        self.next_slot = (slot + 1) % SLOTS;
        self.next_ns += SLOT_NS;
        Some((&self.slots[slot], late))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreads_streams_and_catches_up_in_order() {
        let mut p = Pacer::new(1_000, (0..40u32).map(|s| (s, s as usize)));
        assert!(p.poll_due(999).is_none());
        let (due, late) = p.poll_due(1_000).unwrap();
        assert_eq!((due, late), (&[0u32, 20][..], 0));
        assert_eq!(p.next_deadline_ns(), 1_000 + 1_000_000);
        // 2.5 ms later: slots 1 and 2 are due, 3 is not yet.
        let now = 1_000 + 2_500_000;
        assert_eq!(p.poll_due(now).unwrap(), (&[1u32, 21][..], 1_500_000));
        assert_eq!(p.poll_due(now).unwrap(), (&[2u32, 22][..], 500_000));
        assert!(p.poll_due(now).is_none());
        // A whole interval sends every stream once.
        let mut sent = 0;
        let mut now = p.next_deadline_ns();
        for _ in 0..SLOTS {
            sent += p.poll_due(now).unwrap().0.len();
            now += SLOT_NS;
        }
        assert_eq!(sent, 40);
    }
}
