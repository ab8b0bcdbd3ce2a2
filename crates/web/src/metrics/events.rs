//! Events counted where they happen (the sign-in handlers call these).

use super::names::{GATEWAY_REFUSED, GATEWAY_UPSTREAM, SIGN_INS};
use crate::error::ApiError;

/// How a sign-in ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInOutcome {
    /// A session started (password, second factor or single sign-on).
    Ok,
    /// A wrong password or second factor.
    Failed,
    /// Refused unchecked: the account or address has too many failures (429).
    Locked,
}

impl SignInOutcome {
    const ALL: [SignInOutcome; 3] = [
        SignInOutcome::Ok,
        SignInOutcome::Failed,
        SignInOutcome::Locked,
    ];

    fn label(self) -> &'static str {
        match self {
            SignInOutcome::Ok => "ok",
            SignInOutcome::Failed => "failed",
            SignInOutcome::Locked => "locked",
        }
    }
}

/// Counts a sign-in.
pub fn sign_in(outcome: SignInOutcome) {
    ::metrics::counter!(SIGN_INS, "outcome" => outcome.label()).increment(1);
}

/// Every outcome's series at 0 from the start, so a rate over the first failure sees it
/// rise from 0 instead of appearing.
pub fn register() {
    for outcome in SignInOutcome::ALL {
        ::metrics::counter!(SIGN_INS, "outcome" => outcome.label()).increment(0);
    }
}

/// Counts a sign-in refused before its check, when `error` is the throttle's 429.
pub fn sign_in_refused(error: &ApiError) {
    if matches!(error, ApiError::TooManyRequests(_)) {
        sign_in(SignInOutcome::Locked);
    }
}

/// Records an upstream's answer (or failure) to a gateway request.
pub fn gateway_upstream(app: &str, outcome: &'static str, took: std::time::Duration) {
    ::metrics::histogram!(GATEWAY_UPSTREAM, "app" => app.to_string(), "outcome" => outcome)
        .record(took.as_secs_f64());
}

/// Counts a request the gateway refused.
pub fn gateway_refused(reason: &'static str) {
    ::metrics::counter!(GATEWAY_REFUSED, "reason" => reason).increment(1);
}
