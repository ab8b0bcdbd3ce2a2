//! Meeting rooms booked by the clock: everyone signed in sees the meeting rooms of every
//! building with their bookings of a day, books a room for a stretch in quarter hours with
//! a title, and cancels their own booking (administrators any booking). The planner
//! checks the stretch (`planner::room_booking::check_slot`), the store keeps two bookings
//! of a room from overlapping, also when they are made at the same moment (409 naming the
//! holder, nothing written). Every booking and cancellation is in the audit log.

use super::{audit, body, day_field, local_now, unprocessable};
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use directory::Role;
use jiff::civil::Time;
use planner::room_booking::{check_slot, Slot};
use serde::{Deserialize, Serialize};
use store::{RoomBookingRow, RoomKind};
use utoipa::ToSchema;

/// The longest title taken.
pub const MAX_TITLE: usize = 120;

/// A booking of a meeting room.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoomBookingView {
    /// Its id.
    pub id: i64,
    /// The room's id.
    pub room: i64,
    /// The room's name.
    pub room_name: String,
    /// The day (`YYYY-MM-DD`).
    pub day: String,
    /// From (`HH:MM`).
    pub from: String,
    /// Until (`HH:MM`).
    pub to: String,
    /// What for.
    pub title: String,
    /// Who booked it.
    pub by: String,
    /// Whether the caller booked it.
    pub mine: bool,
}

/// A meeting room with its bookings of the day asked for.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingRoomDay {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its seats.
    pub seats: i64,
    /// Its building.
    pub building: String,
    /// Its floor.
    pub floor: String,
    /// The bookings that still hold, by start.
    pub bookings: Vec<RoomBookingView>,
}

/// The day asked for.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DayQuery {
    /// `YYYY-MM-DD`; today when left out.
    pub day: Option<String>,
}

/// A booking asked for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRoomBooking {
    /// The meeting room's id.
    pub room: i64,
    /// The day (`YYYY-MM-DD`).
    pub day: String,
    /// From (`HH:MM`, a quarter hour).
    pub from: String,
    /// Until (`HH:MM`, a quarter hour, after `from`).
    pub to: String,
    /// What for (1–120 characters).
    pub title: String,
}

fn view(row: RoomBookingRow, caller: i64) -> RoomBookingView {
    RoomBookingView {
        id: row.id,
        room: row.room_id,
        room_name: row.room_name,
        day: row.slot.date.to_string(),
        from: row.slot.from.strftime("%H:%M").to_string(),
        to: row.slot.to.strftime("%H:%M").to_string(),
        title: row.title,
        by: row.staff_name,
        mine: row.staff_id == caller,
    }
}

/// An `HH:MM` field, or 422 naming it.
fn clock_field(field: &str, value: &str) -> Result<Time, ApiError> {
    let value = value.trim();
    let parsed = (value.len() == 5)
        .then(|| value.parse::<Time>().ok())
        .flatten();
    parsed.ok_or_else(|| {
        unprocessable(
            field,
            "not_a_time",
            &format!("„{value}“ ist keine Uhrzeit; bitte als HH:MM angeben."),
        )
    })
}

/// The meeting rooms of every building with their bookings of a day.
#[utoipa::path(get, path = "/api/v1/desks/meeting-rooms", tag = "desks",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(DayQuery),
    responses((status = 200, body = Vec<MeetingRoomDay>),
        (status = 422, description = "Not a date", body = ErrorBody)))]
pub async fn day(
    State(state): State<AppState>,
    who: SignedIn,
    Query(query): Query<DayQuery>,
) -> Result<Json<Vec<MeetingRoomDay>>, ApiError> {
    let day = match query.day.as_deref() {
        Some(text) => day_field("day", text)?,
        None => local_now(&state).date(),
    };
    let mut bookings = state.store.room_bookings_between(day, day).await?;
    let mut rooms = Vec::new();
    for building in state.store.buildings().await? {
        for floor in state.store.floors(building.id).await? {
            for room in state.store.rooms(floor.id).await? {
                if room.kind != RoomKind::Meeting {
                    continue;
                }
                let (own, rest): (Vec<_>, Vec<_>) =
                    bookings.into_iter().partition(|b| b.room_id == room.id);
                bookings = rest;
                rooms.push(MeetingRoomDay {
                    id: room.id,
                    name: room.name,
                    seats: room.seats,
                    building: building.name.clone(),
                    floor: floor.name.clone(),
                    bookings: own.into_iter().map(|b| view(b, who.account.id)).collect(),
                });
            }
        }
    }
    Ok(Json(rooms))
}

/// Book a meeting room for a stretch of a day.
#[utoipa::path(post, path = "/api/v1/desks/meeting-rooms/bookings", tag = "desks",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    request_body = NewRoomBooking,
    responses((status = 201, body = RoomBookingView),
        (status = 409, description = "The room is booked for part of that time (the message names when and by whom); nothing booked", body = ErrorBody),
        (status = 422, description = "Not a date or time, not on a quarter hour, in the past, no title, or not a meeting room; nothing booked", body = ErrorBody)))]
pub async fn book(
    State(state): State<AppState>,
    who: SignedIn,
    Json(raw): Json<serde_json::Value>,
) -> Result<(StatusCode, Json<RoomBookingView>), ApiError> {
    let new: NewRoomBooking = body(raw)?;
    let slot = Slot {
        date: day_field("day", &new.day)?,
        from: clock_field("from", &new.from)?,
        to: clock_field("to", &new.to)?,
    };
    let title = new.title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE || title.chars().any(char::is_control)
    {
        return Err(unprocessable(
            "title",
            "bad_title",
            &format!("Bitte geben Sie einen Anlass an (1 bis {MAX_TITLE} Zeichen)."),
        ));
    }
    check_slot(&slot, local_now(&state))
        .map_err(|e| unprocessable("from", "bad_time", &e.to_string()))?;
    let booked = match state
        .store
        .book_room(new.room, who.account.id, slot, title, state.live.now_ms())
        .await
    {
        Ok(booked) => booked,
        Err(store::StoreError::NotFound { .. }) => {
            return Err(unprocessable(
                "room",
                "unknown_room",
                &format!(
                    "Einen Besprechungsraum mit der Nummer {} gibt es nicht.",
                    new.room
                ),
            ))
        }
        Err(other) => return Err(other.into()),
    };
    audit(
        &state,
        &who,
        "desks.room_booked",
        Some(&booked.room_name),
        format!(
            "room booking {} of room {} on {} {}",
            booked.id,
            booked.room_id,
            booked.slot.date,
            booked.slot.clock()
        ),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(view(booked, who.account.id))))
}

/// Cancel a room booking: one's own, or any as an administrator.
#[utoipa::path(delete, path = "/api/v1/desks/meeting-rooms/bookings/{id}", tag = "desks",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path, description = "The booking's id")),
    responses((status = 200, description = "`{}`"),
        (status = 404, description = "No booking the caller may cancel that still holds the room", body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let only_of = (!who.account.roles.contains(Role::Admin)).then_some(who.account.id);
    let cancelled = state
        .store
        .cancel_room_booking(id, only_of, state.live.now_ms())
        .await?;
    if !cancelled {
        return Err(ApiError::NotFound(
            "Sie haben keine gültige Raumbuchung mit dieser Nummer.".into(),
        ));
    }
    audit(
        &state,
        &who,
        "desks.room_cancelled",
        None,
        format!("room booking {id}"),
    )
    .await?;
    Ok(Json(serde_json::json!({})))
}

#[cfg(test)]
mod tests {
    use super::clock_field;

    #[test]
    fn clock_fields_are_hh_mm() {
        assert_eq!(
            clock_field("from", "09:30").unwrap().to_string(),
            "09:30:00"
        );
        for bad in ["9:30", "09:30:00", "25:00", "x", ""] {
            assert!(clock_field("from", bad).is_err(), "{bad}");
        }
    }
}
