//! Administrators rename a building, floor, room or desk, and remove one that is empty
//! (the rules are the store's: `store::LayoutKind`, `Store::remove_layout`). A removed
//! floor's plan image is deleted from the data folder. Every change is audited.

use super::{body, local_now};
use crate::admin::audit_admin;
use crate::auth::session::Admin;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use store::{LayoutKind, StoreError};
use utoipa::ToSchema;

/// A new name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewName {
    /// The new name (a desk's label).
    pub name: String,
}

/// The kind by its path segment, or 404.
fn kind(segment: &str) -> Result<LayoutKind, ApiError> {
    match segment {
        "buildings" => Ok(LayoutKind::Building),
        "floors" => Ok(LayoutKind::Floor),
        "rooms" => Ok(LayoutKind::Room),
        "desks" => Ok(LayoutKind::Desk),
        _ => Err(ApiError::NotFound(
            "Das gibt es nicht: buildings, floors, rooms oder desks.".into(),
        )),
    }
}

fn not_found(error: StoreError) -> ApiError {
    match error {
        missing @ StoreError::NotFound { .. } => ApiError::NotFound(missing.to_string()),
        other => other.into(),
    }
}

/// Rename a building, floor, room or desk.
#[utoipa::path(put, path = "/api/v1/admin/desks/layout/{kind}/{id}", tag = "desks",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("kind" = String, Path, description = "`buildings`, `floors`, `rooms` or `desks`"),
        ("id" = i64, Path, description = "Its id")),
    request_body = NewName,
    responses((status = 200, description = "`{}`"),
        (status = 404, description = "No such building, floor, room or desk", body = ErrorBody),
        (status = 409, description = "Its building, floor or room has one of that name; nothing changed", body = ErrorBody),
        (status = 422, description = "An empty name; nothing changed", body = ErrorBody)))]
pub async fn rename(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path((segment, id)): Path<(String, i64)>,
    Json(raw): Json<serde_json::Value>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let kind = kind(&segment)?;
    let new: NewName = body(raw)?;
    let name = super::admin::trimmed("name", &new.name)?;
    let name = name.as_str();
    state
        .store
        .rename_layout(kind, id, name)
        .await
        .map_err(not_found)?;
    audit_admin(
        &state,
        &admin,
        "admin.desks.renamed",
        Some(name),
        format!("{} {id}", kind.german()),
    )
    .await?;
    Ok(Json(serde_json::json!({})))
}

/// Remove a building, floor, room or desk that is empty.
#[utoipa::path(delete, path = "/api/v1/admin/desks/layout/{kind}/{id}", tag = "desks",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("kind" = String, Path, description = "`buildings`, `floors`, `rooms` or `desks`"),
        ("id" = i64, Path, description = "Its id")),
    responses((status = 200, description = "`{}`"),
        (status = 404, description = "No such building, floor, room or desk", body = ErrorBody),
        (status = 409, description = "Not empty: floors, rooms, desks or bookings from today on are still there (the message says which); nothing removed", body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path((segment, id)): Path<(String, i64)>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let kind = kind(&segment)?;
    let today = local_now(&state).date();
    let plan = state
        .store
        .remove_layout(kind, id, today, state.live.now_ms())
        .await
        .map_err(not_found)?;
    if let Some(file) = plan {
        let _ = tokio::fs::remove_file(state.live.settings().data_dir.join(file)).await;
    }
    audit_admin(
        &state,
        &admin,
        "admin.desks.removed",
        None,
        format!("{} {id}", kind.german()),
    )
    .await?;
    Ok(Json(serde_json::json!({})))
}
