//! What everyone sees: the buildings with their floors, a floor on a day (its rooms and
//! desks, each desk with the bookings that hold it, names from the directory: who sits
//! where) and where a colleague sits today.

use super::admin::Marker;
use super::{day_field, local_now, part_name};
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use jiff::civil::Date;
use planner::desks::BookingState;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use store::{DeskBookingRow, RoomKind};
use utoipa::{IntoParams, ToSchema};

/// A floor in the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct FloorItem {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its level (0: ground floor).
    pub level: i64,
    /// Whether a plan image is there (`GET /api/v1/desks/floors/{id}/plan`).
    pub has_plan: bool,
}

/// A building with its floors.
#[derive(Debug, Serialize, ToSchema)]
pub struct BuildingItem {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its address.
    pub address: Option<String>,
    /// Its floors, by level.
    pub floors: Vec<FloorItem>,
}

/// A booking as people see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingView {
    /// Its id.
    pub id: i64,
    /// The desk.
    pub desk: i64,
    /// The day (`YYYY-MM-DD`).
    pub day: String,
    /// `whole`, `morning` or `afternoon`.
    pub part: &'static str,
    /// `booked` or `checked_in` (`released`, `cancelled` only in one's own list).
    pub state: &'static str,
    /// Who (login).
    pub login: String,
    /// Who (name in the directory).
    pub name: String,
    /// Whether it is the caller's.
    pub mine: bool,
}

fn state_name(state: BookingState) -> &'static str {
    match state {
        BookingState::Booked => "booked",
        BookingState::CheckedIn => "checked_in",
        BookingState::Released => "released",
        BookingState::Cancelled => "cancelled",
    }
}

/// The logins and names of the people behind `bookings`.
async fn names(
    state: &AppState,
    bookings: &[DeskBookingRow],
) -> Result<HashMap<i64, (String, String)>, ApiError> {
    let mut names = HashMap::new();
    for b in bookings {
        if names.contains_key(&b.staff_id) {
            continue;
        }
        let (login, name) = match state.store.panel_person_by_id(b.staff_id).await? {
            Some(p) => (p.login, p.name),
            None => (String::new(), "(nicht mehr im Verzeichnis)".into()),
        };
        names.insert(b.staff_id, (login, name));
    }
    Ok(names)
}

/// `bookings` as people see them.
pub(crate) async fn booking_views(
    state: &AppState,
    who: &SignedIn,
    bookings: &[DeskBookingRow],
) -> Result<Vec<BookingView>, ApiError> {
    let names = names(state, bookings).await?;
    Ok(bookings
        .iter()
        .map(|b| {
            let (login, name) = names.get(&b.staff_id).cloned().unwrap_or_default();
            BookingView {
                id: b.id,
                desk: b.desk_id,
                day: b.day.to_string(),
                part: part_name(b.part),
                state: state_name(b.state),
                login,
                name,
                mine: b.staff_id == who.account.id,
            }
        })
        .collect())
}

/// Every building with its floors.
#[utoipa::path(get, path = "/api/v1/desks/buildings", tag = "desks",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = Vec<BuildingItem>)))]
pub async fn buildings(
    State(state): State<AppState>,
    _: SignedIn,
) -> Result<Json<Vec<BuildingItem>>, ApiError> {
    let mut all = Vec::new();
    for b in state.store.buildings().await? {
        let floors = state
            .store
            .floors(b.id)
            .await?
            .into_iter()
            .map(|f| FloorItem {
                id: f.id,
                name: f.name,
                level: f.level,
                has_plan: f.plan_file.is_some(),
            })
            .collect();
        all.push(BuildingItem {
            id: b.id,
            name: b.name,
            address: b.address,
            floors,
        });
    }
    Ok(Json(all))
}

/// Which day.
#[derive(Debug, Deserialize, IntoParams)]
pub struct DayQuery {
    /// `YYYY-MM-DD`; today when left out.
    pub day: Option<String>,
}

/// A room on the floor.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoomItem {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// `office` or `meeting`.
    pub kind: &'static str,
    /// Its seats.
    pub seats: i64,
    /// The unit whose team zone it is, if any.
    pub zone: Option<String>,
    /// Whether the caller's unit is the zone's or one below it (false without a zone).
    pub my_zone: bool,
}

/// A desk with who holds it on the day.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeskItem {
    /// Its id (in the QR link `/#/desks/check-in/{id}`).
    pub id: i64,
    /// Its room.
    pub room: i64,
    /// Its label.
    pub label: String,
    /// Its equipment tags.
    pub equipment: Vec<String>,
    /// Its marker on the plan (percent), if placed.
    pub position: Option<Marker>,
    /// The bookings holding it on the day (at most a morning and an afternoon).
    pub bookings: Vec<BookingView>,
}

/// A floor on a day.
#[derive(Debug, Serialize, ToSchema)]
pub struct FloorDay {
    /// The floor.
    pub floor: FloorItem,
    /// Its building.
    pub building: i64,
    /// The day (`YYYY-MM-DD`).
    pub day: String,
    /// Its rooms.
    pub rooms: Vec<RoomItem>,
    /// Its desks, by room and label.
    pub desks: Vec<DeskItem>,
}

/// A floor on a day: its rooms and desks, and who sits where.
#[utoipa::path(get, path = "/api/v1/desks/floors/{id}", tag = "desks",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path, description = "The floor's id"), DayQuery),
    responses((status = 200, body = FloorDay),
        (status = 404, description = "No such floor", body = ErrorBody),
        (status = 422, description = "Not a date", body = ErrorBody)))]
pub async fn floor_day(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<DayQuery>,
) -> Result<Json<FloorDay>, ApiError> {
    let day: Date = match q.day.as_deref() {
        Some(text) => day_field("day", text)?,
        None => local_now(&state).date(),
    };
    let floor = state
        .store
        .floor(id)
        .await?
        .ok_or_else(|| ApiError::NotFound("Diese Etage gibt es nicht.".into()))?;
    let rooms = state.store.rooms(id).await?;
    let desks = state.store.desks_on_floor(id).await?;
    let holding: Vec<DeskBookingRow> = state
        .store
        .desk_bookings_between(day, day)
        .await?
        .into_iter()
        .filter(|b| b.to_planner().holds() && desks.iter().any(|d| d.id == b.desk_id))
        .collect();
    let mut views = booking_views(&state, &who, &holding).await?;
    let desks = desks
        .into_iter()
        .map(|d| {
            let (mine, rest): (Vec<BookingView>, Vec<BookingView>) = std::mem::take(&mut views)
                .into_iter()
                .partition(|b| b.desk == d.id);
            views = rest;
            DeskItem {
                id: d.id,
                room: d.room_id,
                label: d.label,
                equipment: d.equipment,
                position: d.position.map(Marker::of),
                bookings: mine,
            }
        })
        .collect();
    Ok(Json(FloorDay {
        floor: FloorItem {
            id: floor.id,
            name: floor.name,
            level: floor.level,
            has_plan: floor.plan_file.is_some(),
        },
        building: floor.building_id,
        day: day.to_string(),
        rooms: rooms
            .into_iter()
            .map(|r| RoomItem {
                id: r.id,
                name: r.name,
                kind: match r.kind {
                    RoomKind::Office => "office",
                    RoomKind::Meeting => "meeting",
                },
                seats: r.seats,
                my_zone: super::zones::in_team(&who, r.zone.as_deref()),
                zone: r.zone,
            })
            .collect(),
        desks,
    }))
}

/// Where a booked desk is.
#[derive(Debug, Serialize, ToSchema)]
pub struct Seat {
    /// The booking.
    pub booking: BookingView,
    /// The desk's label.
    pub desk: String,
    /// Its room.
    pub room: String,
    /// Its floor's id.
    pub floor_id: i64,
    /// Its floor.
    pub floor: String,
    /// Its building.
    pub building: String,
}

/// Where a person sits today.
#[derive(Debug, Serialize, ToSchema)]
pub struct Whereabouts {
    /// Their login.
    pub login: String,
    /// Their name.
    pub name: String,
    /// Today (`YYYY-MM-DD`).
    pub day: String,
    /// Their desks today (none: not booked; two: a different one each half).
    pub seats: Vec<Seat>,
}

/// Where is my colleague today: the desks a person holds today.
#[utoipa::path(get, path = "/api/v1/desks/people/{login}/today", tag = "desks",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("login" = String, Path, description = "The person's login")),
    responses((status = 200, body = Whereabouts),
        (status = 404, description = "Nobody of that login", body = ErrorBody)))]
pub async fn colleague_today(
    State(state): State<AppState>,
    who: SignedIn,
    Path(login): Path<String>,
) -> Result<Json<Whereabouts>, ApiError> {
    let person =
        state.store.panel_person(&login).await?.ok_or_else(|| {
            ApiError::NotFound("Diese Person gibt es im Verzeichnis nicht.".into())
        })?;
    let today = local_now(&state).date();
    let theirs: Vec<DeskBookingRow> = state
        .store
        .desk_bookings_between(today, today)
        .await?
        .into_iter()
        .filter(|b| b.staff_id == person.id && b.to_planner().holds())
        .collect();
    let mut seats = Vec::new();
    let buildings = state.store.buildings().await?;
    for (row, view) in theirs
        .iter()
        .zip(booking_views(&state, &who, &theirs).await?)
    {
        let Some((desk, room, floor)) = state.store.desk_with_place(row.desk_id).await? else {
            continue;
        };
        let building = buildings
            .iter()
            .find(|b| b.id == floor.building_id)
            .map(|b| b.name.clone())
            .unwrap_or_default();
        seats.push(Seat {
            booking: view,
            desk: desk.label,
            room: room.name,
            floor_id: floor.id,
            floor: floor.name,
            building,
        });
    }
    Ok(Json(Whereabouts {
        login: person.login,
        name: person.name,
        day: today.to_string(),
        seats,
    }))
}
