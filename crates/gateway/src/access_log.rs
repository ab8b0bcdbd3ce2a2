//! Which gateway events go to the audit log. Every access is recorded, never the content:
//! a person's first request to an application, or the first after [`IDLE_MS`] without
//! one, is an access; every refusal is recorded, but the same person, application and
//! reason at most once per [`REFUSAL_REPEAT_MS`], so a page with fifty images refused
//! writes one entry, not fifty.

use std::collections::HashMap;

/// After this long without a request, the next request is a new access.
pub const IDLE_MS: i64 = 15 * 60 * 1000;
/// The same refusal is recorded at most this often.
pub const REFUSAL_REPEAT_MS: i64 = 60 * 1000;
/// Remembered keys beyond which idle ones are dropped at the next [`AccessLog::prune`].
const PRUNE_ABOVE: usize = 50_000;

/// The memory of what was recorded lately.
#[derive(Debug, Default)]
pub struct AccessLog {
    accesses: HashMap<(i64, String), i64>,
    refusals: HashMap<(Option<i64>, String, &'static str), i64>,
}

impl AccessLog {
    /// An admitted request of `person` to `app`: whether it is a new access to record.
    pub fn handle_admitted(&mut self, person: i64, app: &str, now_ms: i64) -> bool {
        let key = (person, app.to_string());
        let new = match self.accesses.get(&key) {
            Some(last) => now_ms - *last >= IDLE_MS,
            None => true,
        };
        self.accesses.insert(key, now_ms);
        self.prune(now_ms);
        new
    }

    /// A refused request (of `person`, if known) to `app` for `reason`: whether to record it.
    pub fn handle_refused(
        &mut self,
        person: Option<i64>,
        app: &str,
        reason: &'static str,
        now_ms: i64,
    ) -> bool {
        let key = (person, app.to_string(), reason);
        match self.refusals.get(&key) {
            Some(last) if now_ms - *last < REFUSAL_REPEAT_MS => false,
            _ => {
                self.refusals.insert(key, now_ms);
                self.prune(now_ms);
                true
            }
        }
    }

    /// Drops what can no longer matter, once the memory grows large.
    fn prune(&mut self, now_ms: i64) {
        if self.accesses.len() > PRUNE_ABOVE {
            self.accesses.retain(|_, last| now_ms - *last < IDLE_MS);
        }
        if self.refusals.len() > PRUNE_ABOVE {
            self.refusals
                .retain(|_, last| now_ms - *last < REFUSAL_REPEAT_MS);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accesses_after_idle_and_refusals_once_a_minute() {
        let mut log = AccessLog::default();
        assert!(log.handle_admitted(1, "akte", 0));
        assert!(!log.handle_admitted(1, "akte", 1000));
        assert!(log.handle_admitted(1, "bau", 1000));
        assert!(log.handle_admitted(2, "akte", 1000));
        assert!(!log.handle_admitted(1, "akte", 1000 + IDLE_MS - 1));
        assert!(log.handle_admitted(1, "akte", 1000 + 2 * IDLE_MS));

        assert!(log.handle_refused(Some(1), "akte", "unit", 0));
        assert!(!log.handle_refused(Some(1), "akte", "unit", 59_999));
        assert!(log.handle_refused(Some(1), "akte", "hours", 59_999));
        assert!(log.handle_refused(None, "akte", "unit", 59_999));
        assert!(log.handle_refused(Some(1), "akte", "unit", 60_000));
    }
}
