//! The administrators' part of desk sharing: buildings, their floors, rooms on a floor,
//! desks in a room with their equipment tags, and each desk's marker on the floor plan (x
//! and y in percent of the plan's width and height; the store keeps per mille). Bad input
//! is a 422 in German and stores nothing, a name used twice a 409, an unknown parent a
//! 404; every change is audited.

use super::{body, unprocessable};
use crate::admin::audit_admin;
use crate::auth::session::Admin;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use store::RoomKind;
use utoipa::ToSchema;

/// A new building.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBuilding {
    /// Its name ("Rathaus").
    pub name: String,
    /// Its address.
    #[serde(default)]
    pub address: Option<String>,
}

/// A new floor.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFloor {
    /// Its name ("2. OG").
    pub name: String,
    /// Its level, for ordering (0: ground floor).
    #[serde(default)]
    pub level: i64,
}

/// A new room.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRoom {
    /// Its name or number.
    pub name: String,
    /// `office` (with desks; the default) or `meeting`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Its seats.
    #[serde(default)]
    pub seats: u32,
}

/// A marker on the floor plan, in percent of its width and height (0 to 100).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Marker {
    /// From the left edge.
    pub x: f64,
    /// From the top edge.
    pub y: f64,
}

impl Marker {
    /// The store's per mille, or 422 outside the plan.
    fn per_mille(self) -> Result<(i64, i64), ApiError> {
        let inside = |v: f64| v.is_finite() && (0.0..=100.0).contains(&v);
        if !inside(self.x) || !inside(self.y) {
            return Err(unprocessable(
                "position",
                "outside_plan",
                "Die Markierung muss auf dem Plan liegen (x und y von 0 bis 100 %).",
            ));
        }
        Ok((
            (self.x * 10.0).round() as i64,
            (self.y * 10.0).round() as i64,
        ))
    }

    /// From the store's per mille.
    pub(crate) fn of(position: (i64, i64)) -> Marker {
        Marker {
            x: position.0 as f64 / 10.0,
            y: position.1 as f64 / 10.0,
        }
    }
}

/// A new desk.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDesk {
    /// Its label (on the QR code).
    pub label: String,
    /// Equipment tags (`docking`, `two_screens`, `height_adjustable`, `accessible`, …).
    #[serde(default)]
    pub equipment: Vec<String>,
    /// Its marker on the floor plan.
    #[serde(default)]
    pub position: Option<Marker>,
}

/// A desk's marker, or none to take it off the plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Placement {
    /// The marker; `null` removes it.
    pub position: Option<Marker>,
}

/// What was made.
#[derive(Debug, Serialize, ToSchema)]
pub struct Made {
    /// Its id.
    pub id: i64,
    /// Its name or label.
    pub name: String,
}

/// A name of at most 120 characters without control characters, trimmed; else 422 at
/// `field`.
pub(crate) fn trimmed(field: &str, value: &str) -> Result<String, ApiError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > 120 || value.chars().any(char::is_control) {
        return Err(unprocessable(
            field,
            "bad_name",
            "Der Name darf nicht leer sein und höchstens 120 Zeichen haben.",
        ));
    }
    Ok(value.to_string())
}

/// Add a building.
#[utoipa::path(post, path = "/api/v1/admin/desks/buildings", tag = "desks",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    request_body = NewBuilding,
    responses((status = 201, body = Made),
        (status = 409, description = "A building of that name exists", body = ErrorBody),
        (status = 422, description = "No name; nothing stored", body = ErrorBody)))]
pub async fn add_building(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Json(raw): Json<serde_json::Value>,
) -> Result<(StatusCode, Json<Made>), ApiError> {
    let new: NewBuilding = body(raw)?;
    let name = trimmed("name", &new.name)?;
    let address = new
        .address
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    let id = state.store.add_building(&name, address).await?;
    audit_admin(
        &state,
        &admin,
        "admin.desks.building_added",
        Some(&name),
        format!("building {id}"),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Made { id, name })))
}

/// Add a floor to a building.
#[utoipa::path(post, path = "/api/v1/admin/desks/buildings/{id}/floors", tag = "desks",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("id" = i64, Path, description = "The building's id")),
    request_body = NewFloor,
    responses((status = 201, body = Made),
        (status = 404, description = "No such building", body = ErrorBody),
        (status = 409, description = "The building has a floor of that name", body = ErrorBody),
        (status = 422, description = "No name; nothing stored", body = ErrorBody)))]
pub async fn add_floor(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(building): Path<i64>,
    Json(raw): Json<serde_json::Value>,
) -> Result<(StatusCode, Json<Made>), ApiError> {
    let new: NewFloor = body(raw)?;
    let name = trimmed("name", &new.name)?;
    if !state
        .store
        .buildings()
        .await?
        .iter()
        .any(|b| b.id == building)
    {
        return Err(ApiError::NotFound("Dieses Gebäude gibt es nicht.".into()));
    }
    let id = state
        .store
        .add_floor(building, &name, new.level, None)
        .await?;
    audit_admin(
        &state,
        &admin,
        "admin.desks.floor_added",
        Some(&name),
        format!("floor {id} in building {building}"),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Made { id, name })))
}

/// Add a room to a floor.
#[utoipa::path(post, path = "/api/v1/admin/desks/floors/{id}/rooms", tag = "desks",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("id" = i64, Path, description = "The floor's id")),
    request_body = NewRoom,
    responses((status = 201, body = Made),
        (status = 404, description = "No such floor", body = ErrorBody),
        (status = 409, description = "The floor has a room of that name", body = ErrorBody),
        (status = 422, description = "No name or an unknown kind; nothing stored", body = ErrorBody)))]
pub async fn add_room(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(floor): Path<i64>,
    Json(raw): Json<serde_json::Value>,
) -> Result<(StatusCode, Json<Made>), ApiError> {
    let new: NewRoom = body(raw)?;
    let name = trimmed("name", &new.name)?;
    let kind = match new.kind.as_deref() {
        None | Some("office") => RoomKind::Office,
        Some("meeting") => RoomKind::Meeting,
        Some(other) => {
            return Err(unprocessable(
                "kind",
                "unknown_kind",
                &format!("„{other}“ ist keine Raumart (office oder meeting)."),
            ))
        }
    };
    if state.store.floor(floor).await?.is_none() {
        return Err(ApiError::NotFound("Diese Etage gibt es nicht.".into()));
    }
    let id = state.store.add_room(floor, &name, kind, new.seats).await?;
    audit_admin(
        &state,
        &admin,
        "admin.desks.room_added",
        Some(&name),
        format!("room {id} on floor {floor}"),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Made { id, name })))
}

/// Add a desk to a room, with its equipment and optionally its marker.
#[utoipa::path(post, path = "/api/v1/admin/desks/rooms/{id}/desks", tag = "desks",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("id" = i64, Path, description = "The room's id")),
    request_body = NewDesk,
    responses((status = 201, body = Made),
        (status = 404, description = "No such room", body = ErrorBody),
        (status = 409, description = "The room has a desk of that label", body = ErrorBody),
        (status = 422, description = "No label, a bad tag or a marker off the plan; nothing stored", body = ErrorBody)))]
pub async fn add_desk(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(room): Path<i64>,
    Json(raw): Json<serde_json::Value>,
) -> Result<(StatusCode, Json<Made>), ApiError> {
    let new: NewDesk = body(raw)?;
    let label = trimmed("label", &new.label)?;
    let tags: Vec<String> = new.equipment.iter().map(|t| t.trim().to_string()).collect();
    if tags.iter().any(|t| {
        t.is_empty()
            || t.len() > 40
            || !t
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    }) {
        return Err(unprocessable(
            "equipment",
            "bad_tag",
            "Ausstattungsmerkmale bestehen aus Buchstaben, Ziffern, _ und - (höchstens 40 Zeichen).",
        ));
    }
    let position = new.position.map(Marker::per_mille).transpose()?;
    let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
    let id = state.store.add_desk(room, &label, &tags, position).await?;
    audit_admin(
        &state,
        &admin,
        "admin.desks.desk_added",
        Some(&label),
        format!("desk {id} in room {room}, equipment {}", tags.join(",")),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Made { id, name: label })))
}

/// Place a desk's marker on its floor plan, or take it off.
#[utoipa::path(put, path = "/api/v1/admin/desks/desks/{id}/position", tag = "desks",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("id" = i64, Path, description = "The desk's id")),
    request_body = Placement,
    responses((status = 200, description = "`{}`"),
        (status = 404, description = "No such desk", body = ErrorBody),
        (status = 422, description = "Off the plan; nothing changed", body = ErrorBody)))]
pub async fn place_desk(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(desk): Path<i64>,
    Json(raw): Json<serde_json::Value>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let placement: Placement = body(raw)?;
    let position = placement.position.map(Marker::per_mille).transpose()?;
    state.store.set_desk_position(desk, position).await?;
    let detail = match position {
        Some((x, y)) => format!("desk {desk} at {x}‰, {y}‰"),
        None => format!("desk {desk} off the plan"),
    };
    audit_admin(&state, &admin, "admin.desks.desk_placed", None, detail).await?;
    Ok(Json(serde_json::json!({})))
}
