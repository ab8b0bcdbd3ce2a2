//! `[fax]`: how large a fax to send may be, how many go out at once, and how often a
//! busy or unanswered number is tried again. Faxes are kept as long as voicemail
//! (`[voicemail] retention_days`).

use serde::{Deserialize, Serialize};

/// `[fax]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FaxConfig {
    /// The most pages of a fax to send.
    pub max_pages: u32,
    /// How many faxes are sent at once (each holds a line of the trunk).
    pub max_sending: u32,
    /// How often a fax is tried in all (busy, no answer, a broken-off transfer).
    pub attempts: u32,
    /// Minutes before the next try (doubling with each).
    pub retry_minutes: u32,
}

impl Default for FaxConfig {
    fn default() -> Self {
        FaxConfig {
            max_pages: 50,
            max_sending: 4,
            attempts: 3,
            retry_minutes: 5,
        }
    }
}

impl FaxConfig {
    /// Checks the values.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=500).contains(&self.max_pages) {
            return Err("[fax] max_pages must be 1 to 500".into());
        }
        if !(1..=100).contains(&self.max_sending) {
            return Err("[fax] max_sending must be 1 to 100".into());
        }
        if !(1..=10).contains(&self.attempts) {
            return Err("[fax] attempts must be 1 to 10".into());
        }
        if !(1..=1_440).contains(&self.retry_minutes) {
            return Err("[fax] retry_minutes must be 1 to 1440".into());
        }
        Ok(())
    }

    /// The pause before try `attempts + 1`, ms (doubling, at most a day).
    pub fn pause_ms(&self, attempts: i64) -> i64 {
        let first = i64::from(self.retry_minutes) * 60_000;
        let doublings = u32::try_from((attempts - 1).clamp(0, 10)).unwrap_or(0);
        (first << doublings).min(86_400_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pause_doubles_and_the_defaults_are_valid() {
        let c = FaxConfig::default();
        assert_eq!(c.validate(), Ok(()));
        assert_eq!(c.pause_ms(1), 300_000);
        assert_eq!(c.pause_ms(2), 600_000);
        assert_eq!(c.pause_ms(30), 86_400_000);
        let bad = FaxConfig {
            max_sending: 0,
            ..c
        };
        assert!(bad.validate().is_err());
    }
}
