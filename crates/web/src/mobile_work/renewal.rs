//! Renewing an agreement in force: whoever may decide on the holder's agreements now
//! moves its last day later, at most the rules' longest term beyond the current one
//! (`planner::approval::Approved::renew`). An open-ended agreement needs no renewal, an
//! earlier or too distant end is a 422; anyone else gets 403, an agreement not in force
//! 409, an unknown one 404.

use super::decisions::{agreement, approver, wrong_state};
use super::step::write_step;
use super::views::AgreementView;
use super::{body, local_now, required_rules, unprocessable};
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use jiff::civil::Date;
use planner::approval::Agreement;
use serde::Deserialize;
use utoipa::ToSchema;

/// The new last day.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Renewal {
    /// The new last day of mobile work (`YYYY-MM-DD`), after the current one.
    pub end: String,
}

/// Renew an agreement in force until a later last day.
#[utoipa::path(post, path = "/api/v1/mobile-work/agreements/{id}/renewal", tag = "mobile-work",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path, description = "The agreement's id")),
    request_body = Renewal,
    responses((status = 200, body = AgreementView),
        (status = 403, description = "Not the head of the holder's unit, nor a deputy while the head is absent", body = ErrorBody),
        (status = 404, description = "No such agreement", body = ErrorBody),
        (status = 409, description = "The agreement is not in force, or the rules are not set up", body = ErrorBody),
        (status = 422, description = "Not a later day, longer than the longest term, or open-ended anyway; nothing changed", body = ErrorBody)))]
pub async fn renew(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Json(raw): Json<serde_json::Value>,
) -> Result<Json<AgreementView>, ApiError> {
    let renewal: Renewal = body(raw)?;
    let new_end = renewal.end.trim().parse::<Date>().map_err(|_| {
        unprocessable(
            "end",
            "not_a_date",
            &format!(
                "„{}“ ist kein Datum; bitte als JJJJ-MM-TT angeben.",
                renewal.end
            ),
        )
    })?;
    let row = agreement(&state, id).await?;
    let by = approver(&state, &who, row.staff_id).await??;
    let Agreement::Approved(approved) = row.to_planner() else {
        return Err(wrong_state(&row, "eine Verlängerung"));
    };
    let rules = required_rules(&state).await?;
    let (renewed, record) = approved
        .renew(&by, local_now(&state), new_end, &rules)
        .map_err(|refused| ApiError::from(refused.error))?;
    write_step(
        &state,
        &who,
        &row,
        &Agreement::Approved(renewed),
        &record,
        "mobile_work.renewed",
        Some(by.capacity()),
    )
    .await
}
