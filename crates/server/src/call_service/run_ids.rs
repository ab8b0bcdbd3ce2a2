//! The ids of hotline calls in the queue event log, which outlives restarts while call
//! control counts its calls from 1 in every run: this run's calls get a base of their own
//! in the upper 32 bits, chosen at start above every id the log and the promised
//! callbacks hold (and at least the start time in seconds since 2023-11-14, so a fresh
//! log starts with a readable base). An earlier run's id (a callback promised before a
//! restart) passes through call control whole: call control never reaches 2^32 calls in
//! one run.

use calls::CallId;

/// This run's mapping between call control's calls and the log's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct RunIds {
    base: i64,
}

impl RunIds {
    /// The run whose base is above `highest` (the largest call id stored so far) and not
    /// below `now_ms`'s seconds since 2023-11-14.
    pub fn after(highest: i64, now_ms: i64) -> RunIds {
        let by_time = (now_ms / 1000 - 1_700_000_000).max(1);
        let above = (highest >> 32) + 1;
        RunIds {
            base: by_time.max(above) << 32,
        }
    }

    /// The log's (and the switchboard's) id for call control's call.
    pub fn q(self, call: CallId) -> queues::CallId {
        match u32::try_from(call.0) {
            Ok(n) => queues::CallId(self.base | i64::from(n)),
            Err(_) => queues::CallId(call.0 as i64),
        }
    }

    /// Call control's call for the log's: this run's by its number, an earlier run's
    /// whole.
    pub fn c(self, call: queues::CallId) -> CallId {
        if call.0 >> 32 == self.base >> 32 {
            CallId((call.0 & 0xFFFF_FFFF) as u64)
        } else {
            CallId(call.0 as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_maps_its_own_calls_both_ways_and_passes_an_earlier_runs_through() {
        let now = 1_796_000_000_000;
        let first = RunIds::after(0, now);
        let earlier_place = first.q(CallId(7));
        // A restart in the same second still gets a base of its own.
        let second = RunIds::after(earlier_place.0, now);
        assert_ne!(second.q(CallId(7)), earlier_place);
        assert_eq!(second.c(second.q(CallId(7))), CallId(7));
        // The earlier run's place goes to call control whole and comes back the same.
        let whole = second.c(earlier_place);
        assert!(whole.0 > u64::from(u32::MAX));
        assert_eq!(second.q(whole), earlier_place);
        // A clock set back does not reuse a base either.
        let third = RunIds::after(second.q(CallId(1)).0, now - 86_400_000);
        assert!(third.q(CallId(1)).0 > second.q(CallId(1)).0);
    }
}
