//! Booking a desk for a day or a half-day, one's own bookings, cancelling, and checking
//! in by the QR code on the desk.
//!
//! A booking is checked by the planner first (`planner::desks::check_request`: the desk
//! free for every half-day asked for, the person holding no other desk then), so a taken
//! desk is a 409 naming who has it; the store's unique index then decides between
//! bookings made at the same moment, and the loser gets the same 409 (nothing written).
//!
//! The QR code on a desk carries the client page `/#/desks/check-in/{desk id}`; the page
//! posts `POST /api/v1/desks/{id}/check-in` with the session (a state change behind a
//! GET could be triggered by any link or prefetch, so there is none). The desk id is no
//! secret: only the owner of a booking of that desk for today is checked in, everybody
//! else is refused.

use super::views::{booking_views, BookingView};
use super::{audit, body, day_field, local_now, part_german, unprocessable};
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use jiff::civil::{Date, Time};
use planner::calendar::{DayPart, GermanDate};
use planner::desks::{
    check_in as may_check_in, check_request, zone_allows, BookingRequest, ReleasePolicy,
};
use planner::ids::{PersonId, SpaceId};
use planner::PlannerError;
use serde::Deserialize;
use store::{DeskBookingRow, StoreError};
use utoipa::ToSchema;

/// A booking asked for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBooking {
    /// The desk's id.
    pub desk: i64,
    /// The day (`YYYY-MM-DD`), today or later.
    pub day: String,
    /// `whole` (the default), `morning` or `afternoon`.
    #[serde(default)]
    pub part: Option<String>,
}

fn part(value: Option<&str>) -> Result<DayPart, ApiError> {
    match value {
        None | Some("whole") => Ok(DayPart::Whole),
        Some("morning") => Ok(DayPart::Morning),
        Some("afternoon") => Ok(DayPart::Afternoon),
        Some(other) => Err(unprocessable(
            "part",
            "unknown_part",
            &format!("„{other}“ ist kein Tagesteil (whole, morning oder afternoon)."),
        )),
    }
}

/// The 409 for a desk held on `day` for (part of) `part`: who holds it, if we can say.
async fn taken(
    state: &AppState,
    who: &SignedIn,
    desk: i64,
    label: &str,
    day: Date,
    part: DayPart,
) -> ApiError {
    let holder = match state.store.desk_bookings_between(day, day).await {
        Ok(rows) => rows
            .into_iter()
            .find(|b| b.desk_id == desk && b.to_planner().holds() && b.part.overlaps(part)),
        Err(_) => None,
    };
    let by = match holder {
        Some(b) if b.staff_id == who.account.id => Some("Ihnen".to_string()),
        Some(b) => match state.store.panel_person_by_id(b.staff_id).await {
            Ok(Some(p)) => Some(p.name),
            _ => None,
        },
        None => None,
    };
    let when = format!("am {} {}", GermanDate(day), part_german(part));
    ApiError::Conflict(match by {
        Some(name) => format!("Der Platz „{label}“ ist {when} schon gebucht – von {name}."),
        None => format!("Der Platz „{label}“ ist {when} schon gebucht."),
    })
}

/// One's own bookings from today on, in every state.
#[utoipa::path(get, path = "/api/v1/desks/bookings", tag = "desks",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = Vec<BookingView>)))]
pub async fn mine(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Json<Vec<BookingView>>, ApiError> {
    let today = local_now(&state).date();
    let last = today.saturating_add(jiff::Span::new().days(400));
    let own: Vec<DeskBookingRow> = state
        .store
        .desk_bookings_between(today, last)
        .await?
        .into_iter()
        .filter(|b| b.staff_id == who.account.id)
        .collect();
    Ok(Json(booking_views(&state, &who, &own).await?))
}

/// Book a desk for a day or a half-day.
#[utoipa::path(post, path = "/api/v1/desks/bookings", tag = "desks",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    request_body = NewBooking,
    responses((status = 201, body = BookingView),
        (status = 403, description = "The desk is in another team's zone and the day is not today; nothing booked", body = ErrorBody),
        (status = 409, description = "The desk is taken then (the message names who has it), or the caller holds another desk then; nothing booked", body = ErrorBody),
        (status = 422, description = "Not a date, a past day, an unknown desk or part; nothing booked", body = ErrorBody)))]
pub async fn book(
    State(state): State<AppState>,
    who: SignedIn,
    Json(raw): Json<serde_json::Value>,
) -> Result<(StatusCode, Json<BookingView>), ApiError> {
    let new: NewBooking = body(raw)?;
    let day = day_field("day", &new.day)?;
    let part = part(new.part.as_deref())?;
    if day < local_now(&state).date() {
        return Err(unprocessable(
            "day",
            "past_day",
            &format!("Der {} liegt in der Vergangenheit.", GermanDate(day)),
        ));
    }
    let Some((desk, room, _)) = state.store.desk_with_place(new.desk).await? else {
        return Err(unprocessable(
            "desk",
            "unknown_desk",
            &format!("Einen Platz mit der Nummer {} gibt es nicht.", new.desk),
        ));
    };
    let zone = room.zone.as_deref();
    zone_allows(
        zone,
        super::zones::in_team(&who, zone),
        day,
        local_now(&state).date(),
    )
    .map_err(|refused| ApiError::Refused(refused.to_string()))?;
    let that_day: Vec<_> = state
        .store
        .desk_bookings_between(day, day)
        .await?
        .iter()
        .map(DeskBookingRow::to_planner)
        .collect();
    let request = BookingRequest {
        space: SpaceId(desk.id),
        person: PersonId(who.account.id),
        date: day,
        part,
    };
    match check_request(&that_day, &request, true) {
        Ok(()) => {}
        Err(PlannerError::SpaceTaken { .. }) => {
            return Err(taken(&state, &who, desk.id, &desk.label, day, part).await)
        }
        Err(other) => return Err(other.into()),
    }
    let booked = match state
        .store
        .book_desk(desk.id, who.account.id, day, part, state.live.now_ms())
        .await
    {
        Ok(booked) => booked,
        Err(StoreError::DeskTaken { .. }) => {
            return Err(taken(&state, &who, desk.id, &desk.label, day, part).await)
        }
        Err(other) => return Err(other.into()),
    };
    audit(
        &state,
        &who,
        "desks.booked",
        Some(&desk.label),
        format!(
            "booking {} of desk {} on {day} {}",
            booked.id,
            desk.id,
            part_german(part)
        ),
    )
    .await?;
    let view = booking_views(&state, &who, &[booked]).await?.remove(0);
    Ok((StatusCode::CREATED, Json(view)))
}

/// Cancel one's own booking; the desk is free again.
#[utoipa::path(delete, path = "/api/v1/desks/bookings/{id}", tag = "desks",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path, description = "The booking's id")),
    responses((status = 200, description = "`{}`"),
        (status = 404, description = "No booking of the caller's that still holds a desk", body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let cancelled = state
        .store
        .cancel_desk_booking(id, who.account.id, state.live.now_ms())
        .await?;
    if !cancelled {
        return Err(ApiError::NotFound(
            "Sie haben keine gültige Buchung mit dieser Nummer.".into(),
        ));
    }
    audit(
        &state,
        &who,
        "desks.cancelled",
        None,
        format!("booking {id}"),
    )
    .await?;
    Ok(Json(serde_json::json!({})))
}

/// Check in at a desk (the page behind the desk's QR code posts this): the caller's
/// bookings of this desk for today are checked in.
#[utoipa::path(post, path = "/api/v1/desks/{id}/check-in", tag = "desks",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path, description = "The desk's id (from its QR code)")),
    responses((status = 200, body = Vec<BookingView>),
        (status = 403, description = "Someone else booked the desk today", body = ErrorBody),
        (status = 404, description = "No such desk, or the caller has not booked it for today", body = ErrorBody),
        (status = 409, description = "The booking was released meanwhile", body = ErrorBody)))]
pub async fn check_in(
    State(state): State<AppState>,
    who: SignedIn,
    Path(desk): Path<i64>,
) -> Result<Json<Vec<BookingView>>, ApiError> {
    let now = local_now(&state);
    let today = now.date();
    let Some((row, _, _)) = state.store.desk_with_place(desk).await? else {
        return Err(ApiError::NotFound("Diesen Platz gibt es nicht.".into()));
    };
    let held: Vec<DeskBookingRow> = state
        .store
        .desk_bookings_between(today, today)
        .await?
        .into_iter()
        .filter(|b| b.desk_id == desk && b.to_planner().holds())
        .collect();
    let (own, others): (Vec<_>, Vec<_>) =
        held.into_iter().partition(|b| b.staff_id == who.account.id);
    if own.is_empty() {
        return Err(if others.is_empty() {
            ApiError::NotFound(format!(
                "Sie haben den Platz „{}“ heute nicht gebucht.",
                row.label
            ))
        } else {
            ApiError::Refused(format!(
                "Der Platz „{}“ ist heute für jemand anderen gebucht.",
                row.label
            ))
        });
    }
    // The release deadline is the release task's (`[desks]`, it releases what is due);
    // a booking still held may be checked in all day, so here the planner checks owner,
    // day and state only.
    let end_of_day = Time::MAX;
    let all_day = ReleasePolicy {
        morning_by: end_of_day,
        afternoon_by: end_of_day,
    };
    let mut checked = Vec::new();
    for booking in own {
        may_check_in(
            &booking.to_planner(),
            PersonId(who.account.id),
            now,
            &all_day,
        )?;
        checked.push(
            state
                .store
                .check_in_desk_booking(booking.id, who.account.id, state.live.now_ms())
                .await?,
        );
        audit(
            &state,
            &who,
            "desks.checked_in",
            Some(&row.label),
            format!("booking {} of desk {desk}", booking.id),
        )
        .await?;
    }
    Ok(Json(booking_views(&state, &who, &checked).await?))
}
