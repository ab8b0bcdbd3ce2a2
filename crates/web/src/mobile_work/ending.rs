//! Ending an agreement in force: by its holder at once (today is its last day), or by
//! revocation, which takes effect after the rules' notice period (`planner::approval::
//! Approved::revoke` computes the day; `mobile_work_calendar` ends the agreement then).
//! The holder or whoever may decide on their agreements now may revoke; only the holder
//! may end at once. Ending frees the holder's rollout place for the next in line
//! (`crate::rollout::approval::agreement_ended`; the calendar does it for the others). Anyone else gets 403, an agreement not in force 409, an unknown one
//! 404.

use super::decisions::{agreement, approver, wrong_state};
use super::step::write_step;
use super::views::AgreementView;
use super::{body, local_now, required_rules, unprocessable};
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::rollout::approval::agreement_ended;
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use planner::approval::{Agreement, Approver, Party};
use serde::Deserialize;
use store::AgreementRow;
use utoipa::ToSchema;

/// Who acts on `row`: its holder, or a decider (the proof), or 403.
async fn acting(
    state: &AppState,
    who: &SignedIn,
    row: &AgreementRow,
) -> Result<Option<Approver>, ApiError> {
    if row.staff_id == who.account.id {
        return Ok(None);
    }
    Ok(Some(approver(state, who, row.staff_id).await??))
}

fn party(by: &Option<Approver>) -> Party<'_> {
    match by {
        None => Party::Applicant,
        Some(approver) => Party::Manager(approver),
    }
}

/// The holder ends their agreement in force: today is its last day of mobile work.
#[utoipa::path(post, path = "/api/v1/mobile-work/agreements/{id}/end", tag = "mobile-work",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path, description = "The agreement's id")),
    responses((status = 200, body = AgreementView),
        (status = 403, description = "Not the holder (a decider revokes instead)", body = ErrorBody),
        (status = 404, description = "No such agreement", body = ErrorBody),
        (status = 409, description = "The agreement is not in force", body = ErrorBody)))]
pub async fn end(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<AgreementView>, ApiError> {
    let row = agreement(&state, id).await?;
    if row.staff_id != who.account.id {
        // A manager cannot take mobile work away from today to tomorrow: a revocation,
        // with the notice period the agreement promises.
        acting(&state, &who, &row).await?;
        return Err(ApiError::Refused(
            "Nur die Person selbst kann ihre Vereinbarung sofort beenden; die Leitung \
             widerruft sie mit der Frist der Dienstvereinbarung."
                .into(),
        ));
    }
    let Agreement::Approved(approved) = row.to_planner() else {
        return Err(wrong_state(&row, "ein Ende im Einvernehmen"));
    };
    let (ended, record) = approved.end(local_now(&state));
    let answer = write_step(
        &state,
        &who,
        &row,
        &Agreement::Ended(ended),
        &record,
        "mobile_work.ended",
        None,
    )
    .await?;
    // Under a rollout cap the place goes to the next in line. The end is committed: a
    // failure here is logged, and the calendar's sweep frees the place later.
    if let Err(error) = agreement_ended(&state, &who, row.staff_id).await {
        tracing::warn!(
            ?error,
            "the ended agreement's rollout place is freed by the next sweep"
        );
    }
    Ok(answer)
}

/// A revocation's reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    /// Why.
    pub reason: String,
}

/// Revoke an agreement in force: mobile work ends after the notice period of the rules
/// (or at the agreement's own end, if that comes first).
#[utoipa::path(post, path = "/api/v1/mobile-work/agreements/{id}/revocation", tag = "mobile-work",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path, description = "The agreement's id")),
    request_body = Revocation,
    responses((status = 200, body = AgreementView),
        (status = 403, description = "Neither the holder nor a decider on their agreements", body = ErrorBody),
        (status = 404, description = "No such agreement", body = ErrorBody),
        (status = 409, description = "The agreement is not in force, or the rules are not set up", body = ErrorBody),
        (status = 422, description = "No reason; nothing changed", body = ErrorBody)))]
pub async fn revoke(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Json(raw): Json<serde_json::Value>,
) -> Result<Json<AgreementView>, ApiError> {
    let revocation: Revocation = body(raw)?;
    let reason = revocation.reason.trim();
    if reason.is_empty() || reason.chars().count() > 2000 {
        return Err(unprocessable(
            "reason",
            "missing",
            "Bitte den Widerruf begründen (höchstens 2000 Zeichen).",
        ));
    }
    let row = agreement(&state, id).await?;
    let by = acting(&state, &who, &row).await?;
    let Agreement::Approved(approved) = row.to_planner() else {
        return Err(wrong_state(&row, "ein Widerruf"));
    };
    let rules = required_rules(&state).await?;
    let (revoking, record) = approved
        .revoke(party(&by), local_now(&state), reason.to_string(), &rules)
        .map_err(|refused| ApiError::from(refused.error))?;
    write_step(
        &state,
        &who,
        &row,
        &Agreement::Revoking(revoking),
        &record,
        "mobile_work.revoked",
        by.as_ref().map(Approver::capacity),
    )
    .await
}
