//! The applicant's own steps after applying: applying again with a changed application
//! once the decider asked for changes (checked against the rules like the first one:
//! every broken rule 422, nothing changed), and withdrawing an application that is not
//! decided yet. Only the applicant may (403 for anyone else); another state is a 409.

use super::decisions::{agreement, wrong_state};
use super::own::{acknowledged, application, ApplicationBody};
use super::step::write_step;
use super::views::AgreementView;
use super::{applicant, body, local_now, required_rules};
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use planner::approval::Agreement;
use store::AgreementRow;

/// The agreement `id` if it is the signed-in person's (404 unknown, 403 another's).
async fn own(state: &AppState, who: &SignedIn, id: i64) -> Result<AgreementRow, ApiError> {
    let row = agreement(state, id).await?;
    if row.staff_id != who.account.id {
        return Err(ApiError::Refused(
            "Das kann nur die Person, die den Antrag gestellt hat.".into(),
        ));
    }
    Ok(row)
}

/// Apply again with a changed application, after the decider asked for changes.
#[utoipa::path(post, path = "/api/v1/mobile-work/agreements/{id}/resubmission", tag = "mobile-work",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path, description = "The agreement's id")),
    request_body = ApplicationBody,
    responses((status = 200, body = AgreementView),
        (status = 403, description = "Not one's own application", body = ErrorBody),
        (status = 404, description = "No such application", body = ErrorBody),
        (status = 409, description = "No changes were asked for (any more), or the rules are not set up", body = ErrorBody),
        (status = 422, description = "Broken rules (each with its field, problem and reason) or a bad form; nothing changed", body = ErrorBody)))]
pub async fn resubmit(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Json(raw): Json<serde_json::Value>,
) -> Result<Json<AgreementView>, ApiError> {
    let form: ApplicationBody = body(raw)?;
    let row = own(&state, &who, id).await?;
    let Agreement::ChangesRequested(asked) = row.to_planner() else {
        return Err(wrong_state(&row, "ein geänderter Antrag"));
    };
    let rules = required_rules(&state).await?;
    let changed = application(&form, acknowledged(&state, &who).await?)?;
    let person = applicant(&state, &who).await?;
    let (applied, record) = asked
        .resubmit(&person, changed, &rules, local_now(&state))
        .map_err(|refused| ApiError::from(refused.error))?;
    let answer = write_step(
        &state,
        &who,
        &row,
        &Agreement::Applied(applied),
        &record,
        "mobile_work.resubmitted",
        None,
    )
    .await?;
    super::notify::application_waits(&state, who.account.id, id).await;
    Ok(answer)
}

/// Withdraw one's application before it is decided (or while changes are asked for).
#[utoipa::path(post, path = "/api/v1/mobile-work/agreements/{id}/withdrawal", tag = "mobile-work",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path, description = "The agreement's id")),
    responses((status = 200, body = AgreementView),
        (status = 403, description = "Not one's own application", body = ErrorBody),
        (status = 404, description = "No such application", body = ErrorBody),
        (status = 409, description = "Already decided or withdrawn", body = ErrorBody)))]
pub async fn withdraw(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<AgreementView>, ApiError> {
    let row = own(&state, &who, id).await?;
    let at = local_now(&state);
    let (withdrawn, record) = match row.to_planner() {
        Agreement::Applied(applied) => applied.withdraw(at),
        Agreement::ChangesRequested(asked) => asked.withdraw(at),
        _ => return Err(wrong_state(&row, "ein Rückzug")),
    };
    write_step(
        &state,
        &who,
        &row,
        &Agreement::Withdrawn(withdrawn),
        &record,
        "mobile_work.withdrawn",
        None,
    )
    .await
}
