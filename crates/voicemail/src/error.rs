//! The one error type of the voicemail core: what was expected and what arrived.

/// Input the voicemail core could not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A date that is not a real `YYYY-MM-DD` day.
    #[error("not a date (YYYY-MM-DD): {text:?}")]
    InvalidDate {
        /// What arrived.
        text: String,
    },
    /// A language code other than `de` and `en`.
    #[error("unknown language {code:?} (expected \"de\" or \"en\")")]
    UnknownLanguage {
        /// What arrived.
        code: String,
    },
    /// A message summary body (RFC 3842) that does not follow the grammar of §5.2.
    #[error("invalid message summary, {why}: {line:?}")]
    InvalidSummary {
        /// What was wrong.
        why: &'static str,
        /// The line it was wrong in (empty for a missing line).
        line: String,
    },
}
