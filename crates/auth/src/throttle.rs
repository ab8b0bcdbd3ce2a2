//! Brute-force policy for sign-in attempts: a few free failures, then a doubling delay,
//! then a temporary lock. Pure: the caller stores one [`FailureRecord`] per account and
//! one per source address.
//!
//! An attempt is counted *before* the credential is checked ([`reserve`]): the caller
//! stores the reserved record with a compare-and-swap against the record it read, and
//! only checks the password or code once that write succeeded. So however many attempts
//! arrive at once, each check has its own counted failure, and no more than
//! [`ThrottlePolicy::lock_after`] checks run per lock window. A success clears the count
//! ([`cleared`]); a failure needs no further write.
//!
//! Temporary locks rather than permanent ones (NIST SP 800-63B §5.2.2 on rate limiting):
//! a permanent lock would let anyone disable any account by guessing.

/// The numbers of the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures that cost nothing, for ordinary typing mistakes.
    pub free_failures: u32,
    /// Delay after the first failure beyond the free ones; it doubles with each further
    /// failure.
    pub base_delay_secs: u64,
    /// Ceiling of the doubling delay.
    pub max_delay_secs: u64,
    /// Failures that lock the record; 0 never locks.
    pub lock_after: u32,
    /// How long a lock lasts.
    pub lock_secs: u64,
}

impl Default for ThrottlePolicy {
    /// Three free failures, then 1 s doubling up to 60 s, and a 15-minute lock at the
    /// tenth failure: at most ten guesses per quarter hour and record.
    fn default() -> Self {
        Self {
            free_failures: 3,
            base_delay_secs: 1,
            max_delay_secs: 60,
            lock_after: 10,
            lock_secs: 15 * 60,
        }
    }
}

/// Failures since the last success, as stored per account or per source address.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct FailureRecord {
    /// Failures counted so far.
    pub failures: u32,
    /// Unix second of the latest failure.
    pub last_failure: u64,
    /// Set when `failures` reached [`ThrottlePolicy::lock_after`]: no attempt is allowed
    /// before this Unix second.
    pub locked_until: Option<u64>,
}

/// Whether an attempt may be evaluated now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Check the credential.
    Allowed,
    /// Refuse without checking; the value is the seconds to wait, at least 1, suitable
    /// for an HTTP `Retry-After` header (RFC 9110 §10.2.3).
    RetryAfter(u64),
    /// Refuse without checking until the given Unix second.
    Locked {
        /// First Unix second at which attempts are allowed again.
        until: u64,
    },
}

impl Decision {
    /// The more restrictive of two decisions, to combine the per-account and the
    /// per-address answer: a lock over a delay over allowing, and the longer of two.
    pub fn stricter(self, other: Decision) -> Decision {
        match (self, other) {
            (Decision::Locked { until: a }, Decision::Locked { until: b }) => {
                Decision::Locked { until: a.max(b) }
            }
            (locked @ Decision::Locked { .. }, _) | (_, locked @ Decision::Locked { .. }) => locked,
            (Decision::RetryAfter(a), Decision::RetryAfter(b)) => Decision::RetryAfter(a.max(b)),
            (wait @ Decision::RetryAfter(_), _) | (_, wait @ Decision::RetryAfter(_)) => wait,
            (Decision::Allowed, Decision::Allowed) => Decision::Allowed,
        }
    }
}

/// Whether an attempt at `now` may be evaluated, given the failures recorded so far.
///
/// A lock that has expired allows the attempt: its record is stale, and the next
/// [`record_failure`] starts counting from zero again.
pub fn decide(policy: &ThrottlePolicy, record: &FailureRecord, now: u64) -> Decision {
    match record.locked_until {
        Some(until) if now < until => return Decision::Locked { until },
        Some(_) => return Decision::Allowed,
        None => {}
    }
    let delay = delay_after(policy, record.failures);
    let ready = record.last_failure.saturating_add(delay);
    if now >= ready {
        Decision::Allowed
    } else {
        // Capped at `delay` so that a clock that stepped back never asks for more.
        Decision::RetryAfter((ready - now).min(delay))
    }
}

/// The record after a failed attempt at `now`. The failure that reaches
/// [`ThrottlePolicy::lock_after`] sets the lock. A failure after an expired lock counts
/// as the first of a fresh record; a failure during a lock (which [`decide`] would
/// have refused) is counted but does not extend the lock, so nobody can keep someone
/// else's account locked for longer than one lock at a time by guessing.
pub fn record_failure(policy: &ThrottlePolicy, record: FailureRecord, now: u64) -> FailureRecord {
    let record = match record.locked_until {
        Some(until) if now >= until => FailureRecord::default(),
        _ => record,
    };
    let failures = record.failures.saturating_add(1);
    let reaches_lock = policy.lock_after > 0 && failures >= policy.lock_after;
    let locked_until = record
        .locked_until
        .or_else(|| reaches_lock.then(|| now.saturating_add(policy.lock_secs)));
    FailureRecord {
        failures,
        last_failure: now,
        locked_until,
    }
}

/// Reserves one attempt at `now`: the record with this attempt already counted as a
/// failure, or the refusal when the record is delayed or locked. The caller must store the
/// new record atomically (only if the stored one is still `record`, else read and reserve
/// again) before checking the credential.
pub fn reserve(
    policy: &ThrottlePolicy,
    record: FailureRecord,
    now: u64,
) -> Result<FailureRecord, Decision> {
    match decide(policy, &record, now) {
        Decision::Allowed => Ok(record_failure(policy, record, now)),
        refused => Err(refused),
    }
}

/// The record after a successful attempt: nothing counted.
pub fn cleared() -> FailureRecord {
    FailureRecord::default()
}

/// Waiting time after `failures` failures: none while free, then the base delay
/// doubling per further failure, never above the ceiling.
fn delay_after(policy: &ThrottlePolicy, failures: u32) -> u64 {
    match failures.checked_sub(policy.free_failures) {
        None | Some(0) => 0,
        Some(beyond) => {
            let factor = 1u64.checked_shl(beyond - 1).unwrap_or(u64::MAX);
            policy
                .base_delay_secs
                .saturating_mul(factor)
                .min(policy.max_delay_secs)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use Decision::{Allowed, Locked, RetryAfter};

    #[test]
    fn default_policy_escalates_then_locks() {
        let policy = ThrottlePolicy::default();
        let mut record = cleared();
        let mut now = 1_000;
        let mut waits = Vec::new();
        for _ in 0..9 {
            assert_eq!(decide(&policy, &record, now), Allowed);
            record = record_failure(&policy, record, now);
            match decide(&policy, &record, now) {
                Allowed => waits.push(0),
                RetryAfter(secs) => {
                    waits.push(secs);
                    assert_eq!(decide(&policy, &record, now + secs - 1), RetryAfter(1));
                    now += secs;
                }
                Locked { .. } => panic!("locked too early"),
            }
        }
        assert_eq!(waits, [0, 0, 0, 1, 2, 4, 8, 16, 32]);
        record = record_failure(&policy, record, now);
        let until = now + 900;
        assert_eq!(record.failures, 10);
        assert_eq!(record.locked_until, Some(until));
        assert_eq!(decide(&policy, &record, now), Locked { until });
        assert_eq!(decide(&policy, &record, until - 1), Locked { until });
        // A failure during the lock does not extend it.
        let during = record_failure(&policy, record, until - 1);
        assert_eq!(during.locked_until, Some(until));
        // Expired: allowed, and counting starts again.
        assert_eq!(decide(&policy, &record, until), Allowed);
        let fresh = record_failure(&policy, record, until);
        assert_eq!((fresh.failures, fresh.last_failure), (1, until));
        assert_eq!(fresh.locked_until, None);
        assert_eq!(decide(&policy, &fresh, until), Allowed);
    }

    #[test]
    fn delay_is_capped_and_success_clears() {
        let policy = ThrottlePolicy {
            lock_after: 0,
            ..ThrottlePolicy::default()
        };
        let record = FailureRecord {
            failures: 500,
            last_failure: 50,
            ..cleared()
        };
        assert_eq!(decide(&policy, &record, 50), RetryAfter(60));
        assert_eq!(decide(&policy, &record, 109), RetryAfter(1));
        assert_eq!(decide(&policy, &record, 110), Allowed);
        assert_eq!(record_failure(&policy, record, 110).locked_until, None);
        // A clock that stepped back does not stretch the wait.
        assert_eq!(decide(&policy, &record, 0), RetryAfter(60));
        assert_eq!(decide(&policy, &cleared(), 0), Allowed);
    }

    #[test]
    fn reservations_without_outcome_stop_at_the_lock() {
        // A burst at one instant: only the free failures pass, whatever the concurrency,
        // because each reservation is stored before the next one reads.
        let policy = ThrottlePolicy::default();
        let mut record = cleared();
        let mut checks = 0;
        for _ in 0..200 {
            if let Ok(next) = reserve(&policy, record, 1_000) {
                record = next;
                checks += 1;
            }
        }
        assert_eq!(checks, policy.free_failures + 1);
        // One attempt a second for a quarter of an hour: the reservations reach the lock
        // (after 63 s of delays) and no further within the lock window.
        let mut record = cleared();
        let mut checks = 0;
        for now in 1_001..1_900 {
            if let Ok(next) = reserve(&policy, record, now) {
                record = next;
                checks += 1;
            }
        }
        assert_eq!(checks, policy.lock_after);
        assert!(matches!(
            reserve(&policy, record, 1_900),
            Err(Locked { .. })
        ));
    }

    #[test]
    fn stricter_combines_account_and_address() {
        let lock = Locked { until: 7 };
        assert_eq!(Allowed.stricter(RetryAfter(3)), RetryAfter(3));
        assert_eq!(RetryAfter(5).stricter(RetryAfter(3)), RetryAfter(5));
        assert_eq!(RetryAfter(5).stricter(lock), lock);
        assert_eq!(lock.stricter(Locked { until: 9 }), Locked { until: 9 });
        assert_eq!(Allowed.stricter(Allowed), Allowed);
    }

    #[derive(Debug, Clone, Copy)]
    enum Event {
        Attempt { fails: bool },
        Probe,
        Ignored,
    }

    fn policies() -> impl Strategy<Value = ThrottlePolicy> {
        (0u32..5, 0u64..5, 0u64..100, 0u32..15, 0u64..2_000).prop_map(|(f, b, m, l, s)| {
            ThrottlePolicy {
                free_failures: f,
                base_delay_secs: b,
                max_delay_secs: m,
                lock_after: l,
                lock_secs: s,
            }
        })
    }

    fn events() -> impl Strategy<Value = Vec<(u64, Event)>> {
        let event = prop_oneof![
            4 => any::<bool>().prop_map(|fails| Event::Attempt { fails }),
            1 => Just(Event::Probe),
            1 => Just(Event::Ignored),
        ];
        proptest::collection::vec((0u64..120, event), 0..200)
    }

    proptest! {
        #[test]
        fn invariants_hold_for_any_event_sequence(policy in policies(), events in events()) {
            let mut record = cleared();
            let mut now = 1_000_000;
            for (gap, event) in events {
                now += gap;
                let decision = decide(&policy, &record, now);
                if let Some(until) = record.locked_until.filter(|&u| now < u) {
                    prop_assert_eq!(decision, Locked { until });
                }
                match decision {
                    RetryAfter(secs) => {
                        prop_assert!(secs >= 1 && secs <= policy.max_delay_secs);
                    }
                    Locked { until } => {
                        prop_assert!(now < until && until <= now + policy.lock_secs);
                    }
                    Allowed => {}
                }
                match event {
                    Event::Attempt { fails: true } if decision == Allowed => {
                        record = record_failure(&policy, record, now);
                        // Failures only pile up past `lock_after` during a lock, and
                        // the first failure after it starts again from one.
                        if policy.lock_after > 0 {
                            prop_assert!(record.failures <= policy.lock_after);
                        }
                    }
                    Event::Attempt { fails: false } if decision == Allowed => {
                        record = cleared();
                    }
                    // A caller that records a failure despite a refusal: locks still
                    // never grow beyond one lock from the failure that set them.
                    Event::Ignored => {
                        let before = record.locked_until.filter(|&u| now < u);
                        record = record_failure(&policy, record, now);
                        if let Some(until) = before {
                            prop_assert_eq!(record.locked_until, Some(until));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}
