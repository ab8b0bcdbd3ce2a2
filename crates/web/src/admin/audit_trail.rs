//! Writing audit entries from handlers.

use crate::auth::session::SignedIn;
use crate::error::ApiError;
use crate::AppState;
use store::AuditEntry;

/// Appends an audit entry; a failure to audit fails the request (nothing unaudited).
pub async fn record(
    state: &AppState,
    actor: Option<&str>,
    action: &str,
    target: Option<&str>,
    source: &str,
    detail: impl Into<String>,
) -> Result<(), ApiError> {
    let entry = AuditEntry {
        at: state.now(),
        actor: actor.map(str::to_string),
        action: action.to_string(),
        target: target.map(str::to_string),
        source: Some(source.to_string()),
        detail: detail.into(),
    };
    state.store.audit(&entry).await.map_err(|e| {
        tracing::error!(error = %e, action, "cannot write the audit log");
        ApiError::Internal
    })
}

/// Appends an audit entry of a step the signed-in person took, from where they are.
pub async fn by(
    state: &AppState,
    who: &SignedIn,
    action: &str,
    target: Option<&str>,
    detail: impl Into<String>,
) -> Result<(), ApiError> {
    record(
        state,
        Some(who.account.login.as_str()),
        action,
        target,
        &who.session.source,
        detail,
    )
    .await
}
