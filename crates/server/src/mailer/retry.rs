//! What follows a failed send: a pure function of the failure, the tries so far, when the
//! mail was queued and the time now. Transient failures are retried after 1, 2, 4 …
//! minutes (the first pause is `[smtp] first_retry_seconds`), at most an hour apart, for a
//! day; a permanent refusal of this mail fails it at once.

/// A day: how long a mail is retried before it is given up.
pub const GIVE_UP_AFTER_MS: i64 = 24 * 3_600_000;
/// The longest pause between two tries.
pub const MAX_PAUSE_MS: i64 = 3_600_000;

/// How a failed send counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Worth another try: the server is away, busy (4xx), or our settings are wrong for
    /// now (a refused login, a certificate) — an administrator can fix those.
    Transient,
    /// This mail will never go this way: the server refused the recipient or the message
    /// for good (5xx), or the mail itself cannot be written (a broken address).
    Permanent,
}

/// What to do with the mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Try again at this time (Unix ms).
    RetryAt(i64),
    /// Give up: the mail is failed, and shown as such.
    GiveUp,
}

/// How an SMTP reply code counts (RFC 5321 §4.2.1: 4yz transient, 5yz permanent). The
/// 5xx replies about authentication (RFC 4954 §6: 530, 534, 535, 538) concern our account,
/// not this mail: transient, so mails wait until the password is fixed.
pub fn classify_code(code: u16) -> Failure {
    match code {
        530 | 534 | 535 | 538 => Failure::Transient,
        500..=599 => Failure::Permanent,
        _ => Failure::Transient,
    }
}

/// The pause after the `attempts`-th failed try (1: the first).
pub fn pause_ms(attempts: i64, first_ms: i64) -> i64 {
    let doublings = attempts.saturating_sub(1).clamp(0, 30) as u32;
    first_ms.saturating_mul(1i64 << doublings).min(MAX_PAUSE_MS)
}

/// After the `attempts`-th try (counting the one that just failed) of a mail queued at
/// `created_ms` failed as `failure` at `now_ms`.
pub fn after_failure(
    failure: Failure,
    attempts: i64,
    created_ms: i64,
    now_ms: i64,
    first_ms: i64,
) -> Next {
    if failure == Failure::Permanent {
        return Next::GiveUp;
    }
    let at = now_ms + pause_ms(attempts, first_ms);
    if at - created_ms > GIVE_UP_AFTER_MS {
        Next::GiveUp
    } else {
        Next::RetryAt(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60_000;

    #[test]
    fn pauses_double_from_a_minute_up_to_an_hour() {
        let pauses: Vec<i64> = (1..=9).map(|n| pause_ms(n, MINUTE) / MINUTE).collect();
        assert_eq!(pauses, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(pause_ms(1_000, MINUTE), MAX_PAUSE_MS, "no overflow");
        assert_eq!(pause_ms(1, 1_000), 1_000, "tests start at a second");
        assert_eq!(pause_ms(3, 1_000), 4_000);
    }

    #[test]
    fn transient_failures_are_retried_for_a_day_then_given_up() {
        let t0 = 1_000_000;
        assert_eq!(
            after_failure(Failure::Transient, 1, t0, t0, MINUTE),
            Next::RetryAt(t0 + MINUTE)
        );
        assert_eq!(
            after_failure(Failure::Transient, 3, t0, t0 + 5 * MINUTE, MINUTE),
            Next::RetryAt(t0 + 9 * MINUTE)
        );
        // The try after next would be past the day: give up now rather than keep the
        // mail "pending" when it can no longer be sent in time.
        let late = t0 + GIVE_UP_AFTER_MS - 30 * MINUTE;
        assert_eq!(
            after_failure(Failure::Transient, 30, t0, late, MINUTE),
            Next::GiveUp
        );
        assert_eq!(
            after_failure(Failure::Transient, 30, t0, late - 31 * MINUTE, MINUTE),
            Next::RetryAt(late + 29 * MINUTE)
        );
    }

    #[test]
    fn a_permanent_refusal_fails_at_once() {
        assert_eq!(
            after_failure(Failure::Permanent, 1, 0, 0, MINUTE),
            Next::GiveUp
        );
    }

    #[test]
    fn reply_codes_are_told_apart() {
        // Recipient unknown, mailbox full for good, message too large, policy: permanent.
        for code in [550, 551, 552, 553, 554, 500, 501] {
            assert_eq!(classify_code(code), Failure::Permanent, "{code}");
        }
        // Greylisting, a full mailbox for now, the server shutting down: try again. So,
        // too, a refused login (our account, not this mail).
        for code in [421, 450, 451, 452, 530, 534, 535, 538] {
            assert_eq!(classify_code(code), Failure::Transient, "{code}");
        }
    }
}
