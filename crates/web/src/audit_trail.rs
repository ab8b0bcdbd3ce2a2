//! Writing audit entries from handlers.

use crate::error::ApiError;
use crate::session::unix_now;
use store::{AuditEntry, Store};

/// Appends an audit entry; a failure to audit fails the request (nothing unaudited).
pub async fn record(
    store: &Store,
    actor: Option<&str>,
    action: &str,
    target: Option<&str>,
    source: &str,
    detail: impl Into<String>,
) -> Result<(), ApiError> {
    let entry = AuditEntry {
        at: unix_now(),
        actor: actor.map(str::to_string),
        action: action.to_string(),
        target: target.map(str::to_string),
        source: Some(source.to_string()),
        detail: detail.into(),
    };
    store.audit(&entry).await.map_err(|e| {
        tracing::error!(error = %e, action, "cannot write the audit log");
        ApiError::Internal
    })
}
