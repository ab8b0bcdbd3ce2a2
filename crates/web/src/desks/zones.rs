//! Team zones: administrators make a room of desks a unit's zone; its members book its
//! desks any day, others only on the day itself (`planner::desks::zone_allows`, checked
//! when booking in `bookings.rs`). The floor's view says each room's zone and whether it
//! is the caller's.

use super::{body, unprocessable};
use crate::admin::audit_admin;
use crate::auth::session::{Admin, SignedIn};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use directory::UnitPath;
use serde::Deserialize;
use store::StoreError;
use utoipa::ToSchema;

/// Whether the caller's unit is `zone`'s unit or one below it (false without a zone).
pub(crate) fn in_team(who: &SignedIn, zone: Option<&str>) -> bool {
    zone.and_then(|z| UnitPath::from_stored(z).ok())
        .is_some_and(|z| who.account.unit.is_within(&z))
}

/// A room's zone.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    /// The unit's path (`Bauamt/Statik`); `null` ends the zone.
    pub unit: Option<String>,
}

/// Make an office a unit's team zone, or end its zone.
#[utoipa::path(put, path = "/api/v1/admin/desks/rooms/{id}/zone", tag = "desks",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("id" = i64, Path, description = "The room's id")),
    request_body = Zone,
    responses((status = 200, description = "`{}`"),
        (status = 404, description = "No such office (meeting rooms have no zone)", body = ErrorBody),
        (status = 422, description = "No such unit; nothing changed", body = ErrorBody)))]
pub async fn set_zone(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(room): Path<i64>,
    Json(raw): Json<serde_json::Value>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let zone: Zone = body(raw)?;
    let unit = zone
        .unit
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    let unknown = |u: &str| {
        unprocessable(
            "unit",
            "unknown_unit",
            &format!("Eine Organisationseinheit „{u}“ gibt es nicht."),
        )
    };
    let path = match unit {
        Some(u) => Some(UnitPath::parse(u).map_err(|_| unknown(u))?),
        None => None,
    };
    let path = path.map(|p| p.to_string());
    match state.store.set_room_zone(room, path.as_deref()).await {
        Ok(()) => {}
        Err(StoreError::UnknownUnit(u)) => return Err(unknown(&u)),
        Err(StoreError::NotFound { .. }) => {
            return Err(ApiError::NotFound(
                "Diesen Büroraum gibt es nicht (Besprechungsräume haben keine Teamzone).".into(),
            ))
        }
        Err(other) => return Err(other.into()),
    }
    audit_admin(
        &state,
        &admin,
        "admin.desks.zone_set",
        path.as_deref(),
        format!("room {room}"),
    )
    .await?;
    Ok(Json(serde_json::json!({})))
}
