//! The criteria someone on a waiting list meets (severe disability, care duties, a long
//! commute …), set by the administration from the proof it holds: they order the list
//! (`planner::rollout::Priority`). The audit line names the person, never the criteria,
//! which may be health data.

use super::admin::{view, FeatureView};
use super::known;
use crate::admin::audit_admin;
use crate::auth::session::Admin;
use crate::error::{ApiError, ErrorBody};
use crate::mobile_work::body;
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

/// The criteria met.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitingCriteria {
    /// The keys of configured criteria; empty: none.
    pub criteria: Vec<String>,
}

/// Sets the criteria a person on the feature's waiting list meets; the list's order
/// follows.
#[utoipa::path(put, path = "/api/v1/admin/rollout/{feature}/waiting/{login}", tag = "rollout",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("feature" = String, Path, description = "mobile_work, softphone, meetings, hotline or access_gateway"),
        ("login" = String, Path, description = "The waiting person's login")),
    request_body = WaitingCriteria,
    responses((status = 200, body = FeatureView),
        (status = 404, description = "No such feature, or the person is not on its waiting list", body = ErrorBody),
        (status = 422, description = "A criterion that is not configured; nothing changed", body = ErrorBody)))]
pub async fn set_criteria(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path((feature, login)): Path<(String, String)>,
    Json(raw): Json<serde_json::Value>,
) -> Result<Json<FeatureView>, ApiError> {
    let key = known(&feature)?;
    let form: WaitingCriteria = body(raw)?;
    let not_waiting = || ApiError::NotFound(format!("„{login}“ steht nicht auf der Warteliste."));
    let person = state
        .store
        .panel_person(login.trim())
        .await?
        .ok_or_else(not_waiting)?;
    let criteria: Vec<String> = form.criteria.iter().map(|c| c.trim().to_string()).collect();
    if !state
        .store
        .set_waiting_criteria(key, person.id, &criteria)
        .await?
    {
        return Err(not_waiting());
    }
    audit_admin(
        &state,
        &admin,
        "rollout.criteria_set",
        Some(person.login.as_str()),
        key.to_string(),
    )
    .await?;
    Ok(Json(view(&state, key).await?))
}
