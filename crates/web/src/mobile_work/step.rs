//! Writing one step of an agreement, the end of every handler that moves one: the
//! transition over the row as it was read (the store refuses it when someone changed the
//! row meanwhile: 409), the audit line naming the holder and, for a decider, the capacity
//! they acted in (the step's key only, never its note or reason), and the agreement as the
//! answer.

use super::audit;
use super::views::{agreement_view, AgreementView};
use crate::auth::session::SignedIn;
use crate::error::ApiError;
use crate::AppState;
use axum::Json;
use planner::approval::{Agreement, AuditRecord, Capacity};
use store::AgreementRow;

/// Writes `next` with `record` over `row`, audits it as `action` (by a decider acting as
/// `capacity`) and answers with the agreement as written.
pub(crate) async fn write_step(
    state: &AppState,
    who: &SignedIn,
    row: &AgreementRow,
    next: &Agreement,
    record: &AuditRecord,
    action: &str,
    capacity: Option<Capacity>,
) -> Result<Json<AgreementView>, ApiError> {
    let written = state
        .store
        .record_agreement_transition(
            row.id,
            row.state,
            row.revision,
            next,
            record,
            state.live.now_ms(),
        )
        .await?;
    let holder = state
        .store
        .panel_person_by_id(row.staff_id)
        .await?
        .map(|p| p.login);
    let step = record.action.key();
    let detail = match capacity {
        Some(capacity) => format!("agreement {} {capacity}: {step}", row.id),
        None => format!("agreement {}: {step}", row.id),
    };
    audit(state, who, action, holder.as_deref(), detail).await?;
    Ok(Json(agreement_view(state, written).await?))
}
