//! Request glare (RFC 3261 §14.1, §14.2; RFC 3311 §5.1): the randomised wait before a
//! re-INVITE or UPDATE refused with 491 is tried again, the Retry-After of a 500 for
//! overlapping INVITEs, and the first CSeq of a UAS. The randomness comes from a seed
//! the shell passes in (from the operating system's generator), so the core stays pure
//! and a test can replay a run exactly.

use std::ops::RangeInclusive;

/// Milliseconds the owner of the Call-ID (the UA that generated it, the UAC of the
/// dialog-creating INVITE) waits after a 491: 2.1–4 s (RFC 3261 §14.1).
pub const RETRY_OWNER_MS: RangeInclusive<i64> = 2_100..=4_000;

/// Milliseconds the other side waits after a 491: 0–2 s (RFC 3261 §14.1). The two ranges
/// do not overlap, so after a glare the other side always goes first.
pub const RETRY_OTHER_MS: RangeInclusive<i64> = 0..=2_000;

/// The delays are chosen in units of 10 ms (RFC 3261 §14.1).
pub const RETRY_STEP_MS: i64 = 10;

/// A small deterministic generator (SplitMix64): good enough to spread retries, and
/// nothing secret depends on it (tags and branches come from the shell).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Random(u64);

impl Random {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Random {
        Random(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0). The modulo bias is below 2**-40 for the small `n`
    /// used here.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// How long to wait after a 491 before retrying (RFC 3261 §14.1), in milliseconds: a
/// multiple of 10 ms in [`RETRY_OWNER_MS`] for the owner of the Call-ID, else in
/// [`RETRY_OTHER_MS`].
pub fn retry_delay(owns_call_id: bool, random: &mut Random) -> i64 {
    let range = if owns_call_id {
        RETRY_OWNER_MS
    } else {
        RETRY_OTHER_MS
    };
    let steps = (range.end() - range.start()) / RETRY_STEP_MS + 1;
    range.start() + RETRY_STEP_MS * random.below(steps as u64) as i64
}

/// Seconds for the Retry-After of a 500 refusing a second INVITE while the first is being
/// answered: 0–10 (RFC 3261 §14.2).
pub fn retry_after(random: &mut Random) -> u32 {
    random.below(11) as u32
}

/// The first CSeq number of a dialog whose first request we send as its UAS (RFC 3261
/// §12.2.1.1, chosen as §8.1.1.5 says: below 2**31). It stays below 2**30 so that the
/// numbers of a long call never run out.
pub fn first_cseq(random: &mut Random) -> u32 {
    1 + random.below(1 << 30) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_cover_their_range_in_steps_of_10_ms() {
        let mut random = Random::new(7);
        for (owner, range) in [(true, RETRY_OWNER_MS), (false, RETRY_OTHER_MS)] {
            let delays: Vec<i64> = (0..5_000)
                .map(|_| retry_delay(owner, &mut random))
                .collect();
            assert!(delays.iter().all(|d| range.contains(d) && d % 10 == 0));
            // Both ends are reachable: 191 (owner) or 201 steps, 5,000 draws.
            assert!(delays.contains(range.start()) && delays.contains(range.end()));
        }
        let after: Vec<u32> = (0..1_000).map(|_| retry_after(&mut random)).collect();
        assert!(after.iter().all(|s| *s <= 10) && after.contains(&0) && after.contains(&10));
        assert!((0..1_000).all(|_| (1..1 << 30).contains(&first_cseq(&mut random))));
    }

    #[test]
    fn the_same_seed_gives_the_same_delays() {
        let (mut a, mut b) = (Random::new(42), Random::new(42));
        for _ in 0..100 {
            assert_eq!(retry_delay(true, &mut a), retry_delay(true, &mut b));
        }
        assert_ne!(Random::new(1).next_u64(), Random::new(2).next_u64());
    }
}
