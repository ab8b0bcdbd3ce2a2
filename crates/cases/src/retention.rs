//! Data protection: a closed (done) case is deleted once the hotline's retention period
//! has passed since it was closed. Open cases are never due, however old: someone still
//! works on them. The store deletes by [`cutoff`] in SQL; [`is_due`] is the same rule for
//! one case, and a test holds the two together.

use crate::state::CaseState;

/// Seconds in a retention day (periods count whole days of 24 hours).
pub const DAY_SECS: i64 = 86_400;

/// Cases closed at or before this instant are due at `now` (Unix seconds).
pub fn cutoff(now: i64, retention_days: u32) -> i64 {
    now.saturating_sub(i64::from(retention_days) * DAY_SECS)
}

/// Whether a case in `state`, closed at `closed_at`, is due for deletion at `now`.
pub fn is_due(state: CaseState, closed_at: Option<i64>, retention_days: u32, now: i64) -> bool {
    match (state, closed_at) {
        (CaseState::Done, Some(closed)) => closed <= cutoff(now, retention_days),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: i64 = 1_772_697_600;

    #[test]
    fn a_done_case_is_due_exactly_when_its_period_has_passed() {
        let closed = NOW - 90 * DAY_SECS;
        assert!(is_due(CaseState::Done, Some(closed), 90, NOW));
        assert!(!is_due(CaseState::Done, Some(closed + 1), 90, NOW));
        assert!(is_due(CaseState::Done, Some(closed + 1), 90, NOW + 1));
    }

    #[test]
    fn open_cases_are_never_due() {
        for state in [CaseState::New, CaseState::InProgress] {
            assert!(!is_due(state, None, 1, NOW));
            // A closing time on an open case (impossible in the store) changes nothing.
            assert!(!is_due(state, Some(0), 1, NOW));
        }
        assert!(!is_due(CaseState::Done, None, 1, NOW));
    }

    proptest! {
        #[test]
        fn the_rule_and_the_cutoff_agree(
            closed in 0i64..4_000_000_000,
            days in 1u32..10_000,
            now in 0i64..4_000_000_000,
        ) {
            let due = is_due(CaseState::Done, Some(closed), days, now);
            prop_assert_eq!(due, closed <= cutoff(now, days));
            prop_assert_eq!(due, now - closed >= i64::from(days) * DAY_SECS);
        }
    }
}
