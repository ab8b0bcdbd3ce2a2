//! Data protection: a message is deleted once it is `[voicemail] retention_days` old,
//! heard or not (the deletion is logged by the shell). Days are whole periods of 24 hours
//! from the moment the message was received. The store may delete by [`cutoff`] in SQL;
//! [`due`] is the same rule for a list, and [`next_due`] tells the shell when to look
//! again.
//!
//! A retention of 0 days makes every message due at once: the configuration should not
//! allow it.

/// Milliseconds in a retention day.
pub const DAY_MS: i64 = 86_400_000;

/// Messages received at or before this instant are due at `now_ms` (Unix ms).
pub fn cutoff(now_ms: i64, retention_days: u32) -> i64 {
    now_ms.saturating_sub(i64::from(retention_days) * DAY_MS)
}

/// Whether a message received at `received_ms` is due for deletion at `now_ms`.
pub fn is_due(received_ms: i64, now_ms: i64, retention_days: u32) -> bool {
    received_ms <= cutoff(now_ms, retention_days)
}

/// The ids of the `(id, received_ms)` messages that are due for deletion at `now_ms`, in
/// the order given.
pub fn due(
    messages: impl IntoIterator<Item = (i64, i64)>,
    now_ms: i64,
    retention_days: u32,
) -> Vec<i64> {
    messages
        .into_iter()
        .filter(|&(_, received_ms)| is_due(received_ms, now_ms, retention_days))
        .map(|(id, _)| id)
        .collect()
}

/// The instant the first of the `(id, received_ms)` messages becomes due (perhaps already
/// past), `None` for no messages: when the shell next has something to delete.
pub fn next_due(
    messages: impl IntoIterator<Item = (i64, i64)>,
    retention_days: u32,
) -> Option<i64> {
    messages
        .into_iter()
        .map(|(_, received_ms)| received_ms.saturating_add(i64::from(retention_days) * DAY_MS))
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOW: i64 = 1_796_601_600_000; // 2026-12-07 00:00 UTC

    #[test]
    fn a_message_is_due_when_exactly_the_retention_has_passed() {
        let days = 30;
        let messages = [
            (1, NOW - 30 * DAY_MS - 1), // a moment older than 30 days
            (2, NOW - 30 * DAY_MS),     // exactly 30 days
            (3, NOW - 30 * DAY_MS + 1), // a moment younger
            (4, NOW),                   // just in
        ];
        assert_eq!(due(messages, NOW, days), vec![1, 2]);
        // The oldest turned due a moment ago.
        assert_eq!(next_due(messages, days), Some(NOW - 1));
    }

    #[test]
    fn an_empty_box_has_nothing_due_and_no_next_time() {
        assert_eq!(due([], NOW, 30), Vec::<i64>::new());
        assert_eq!(next_due([], 30), None);
    }

    #[test]
    fn next_due_is_when_the_oldest_message_turns_due() {
        let messages = [(7, NOW - DAY_MS), (8, NOW - 3 * DAY_MS), (9, NOW)];
        let at = next_due(messages, 10).expect("a time");
        assert_eq!(at, NOW + 7 * DAY_MS);
        assert_eq!(due(messages, at - 1, 10), Vec::<i64>::new());
        assert_eq!(due(messages, at, 10), vec![8]);
    }

    #[test]
    fn zero_days_makes_everything_due_and_extremes_do_not_overflow() {
        assert_eq!(due([(1, NOW), (2, NOW - 1)], NOW, 0), vec![1, 2]);
        assert_eq!(cutoff(i64::MIN, u32::MAX), i64::MIN);
        assert_eq!(next_due([(1, i64::MAX)], u32::MAX), Some(i64::MAX));
    }

    proptest! {
        #[test]
        fn due_agrees_with_cutoff_and_next_due(
            received in proptest::collection::vec(NOW - 400 * DAY_MS..NOW + DAY_MS, 0..20),
            days in 1u32..400,
        ) {
            let messages: Vec<(i64, i64)> =
                received.iter().enumerate().map(|(i, &r)| (i as i64, r)).collect();
            let ids = due(messages.clone(), NOW, days);
            for &(id, r) in &messages {
                prop_assert_eq!(ids.contains(&id), r <= cutoff(NOW, days));
            }
            // Nothing is due before next_due, and something is at it.
            if let Some(at) = next_due(messages.clone(), days) {
                prop_assert!(due(messages.clone(), at - 1, days).is_empty());
                prop_assert!(!due(messages, at, days).is_empty());
            }
        }
    }
}
