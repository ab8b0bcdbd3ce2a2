//! The waiting list of a kind: joining when no item of it is free today (the place is
//! shown), and leaving it. The list is served first come, first served: an item that
//! comes back is kept for the first person (`notify.rs`).

use super::{audit, body, kind_field, refused, today};
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use planner::equipment::position;
use planner::ids::PersonId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Joining a waiting list.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Join {
    /// `headset`, `camera`, `laptop`, `mobile_phone` or `other`.
    pub kind: String,
}

/// One's place on a kind's list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Place {
    /// The kind.
    pub kind: &'static str,
    /// The place (1: next).
    pub position: usize,
    /// How many wait in all.
    pub of: usize,
}

/// Join the waiting list for a kind (only while none is free today).
#[utoipa::path(post, path = "/api/v1/equipment/waiting", tag = "equipment",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    request_body = Join,
    responses((status = 201, body = Place),
        (status = 409, description = "Already waiting, or an item of the kind is free (reserve it instead)", body = ErrorBody),
        (status = 422, description = "An unknown kind", body = ErrorBody)))]
pub async fn join(
    State(state): State<AppState>,
    who: SignedIn,
    Json(raw): Json<serde_json::Value>,
) -> Result<(StatusCode, Json<Place>), ApiError> {
    let new: Join = body(raw)?;
    let kind = kind_field("kind", &new.kind)?;
    state
        .store
        .join_equipment_waiting(who.account.id, kind, today(&state), state.live.now_ms())
        .await?
        .map_err(|e| refused(e, "kind"))?;
    let list = state.store.equipment_waiting().await?;
    let place = Place {
        kind: kind.key(),
        position: position(&list, PersonId(who.account.id), kind).unwrap_or(0),
        of: list.iter().filter(|e| e.kind == kind).count(),
    };
    audit(
        &state,
        &who,
        "equipment.waiting_joined",
        None,
        format!("{} at {}", kind.key(), place.position),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(place)))
}

/// Leave the waiting list for a kind.
#[utoipa::path(delete, path = "/api/v1/equipment/waiting/{kind}", tag = "equipment",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("kind" = String, Path, description = "The kind")),
    responses((status = 200, description = "`{}`"),
        (status = 404, description = "The caller was not waiting for the kind", body = ErrorBody),
        (status = 422, description = "An unknown kind", body = ErrorBody)))]
pub async fn leave(
    State(state): State<AppState>,
    who: SignedIn,
    Path(kind): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let kind = kind_field("kind", &kind)?;
    if !state
        .store
        .leave_equipment_waiting(who.account.id, kind)
        .await?
    {
        return Err(ApiError::NotFound(format!(
            "Sie stehen nicht auf der Warteliste für {}.",
            kind.german()
        )));
    }
    audit(&state, &who, "equipment.waiting_left", None, kind.key()).await?;
    Ok(Json(serde_json::json!({})))
}
