//! Desk sharing (issue 19): the administrators describe buildings, floors (with a
//! floor-plan image), rooms and desks with their equipment and place the desks' markers
//! on the plan (`admin.rs`, the plan image in `plan.rs`); everyone sees who sits where on
//! a day and where a colleague sits today (`views.rs`), books a desk for a day or a
//! half-day, cancels their booking and checks in by the QR code on the desk
//! (`bookings.rs`).
//!
//! The rules are the planner's (`planner::desks`): a desk is never held twice for the
//! same half-day (the store's unique index keeps that under concurrent bookings, on both
//! databases, so of two bookings at once one is written and the other is a 409), a person
//! holds one desk at a time, only the booking's owner checks in and only on its day.
//! Unchecked bookings are released by the server's timer (`desk_release.rs` in the
//! server, configured by `[desks]`). Every change is in the audit log.

pub mod admin;
pub mod bookings;
pub mod plan;
pub mod views;

use crate::admin::audit_trail::record;
use crate::auth::session::SignedIn;
use crate::error::{ApiError, FieldIssue};
use crate::AppState;
use jiff::civil::{Date, DateTime};
use planner::calendar::DayPart;
use serde::de::DeserializeOwned;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The desk routes: the administrators' and everyone's.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(admin::add_building))
        .routes(routes!(admin::add_floor))
        .routes(routes!(plan::upload))
        .routes(routes!(admin::add_room))
        .routes(routes!(admin::add_desk))
        .routes(routes!(admin::place_desk))
        .routes(routes!(views::buildings))
        .routes(routes!(views::floor_day))
        .routes(routes!(plan::image))
        .routes(routes!(views::colleague_today))
        .routes(routes!(bookings::mine, bookings::book))
        .routes(routes!(bookings::cancel))
        .routes(routes!(bookings::check_in))
}

/// The administration's calendar: bookings are for local days.
fn zone() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/Berlin").unwrap_or(jiff::tz::TimeZone::UTC)
}

/// Now as local time, by the runtime's one clock.
pub(crate) fn local_now(state: &AppState) -> DateTime {
    let at = jiff::Timestamp::from_millisecond(state.live.now_ms())
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    zone().to_datetime(at)
}

/// A day's part by its API name.
pub(crate) fn part_name(part: DayPart) -> &'static str {
    match part {
        DayPart::Whole => "whole",
        DayPart::Morning => "morning",
        DayPart::Afternoon => "afternoon",
    }
}

/// The German words for a part of `day`, for messages.
pub(crate) fn part_german(part: DayPart) -> &'static str {
    match part {
        DayPart::Whole => "ganztägig",
        DayPart::Morning => "vormittags",
        DayPart::Afternoon => "nachmittags",
    }
}

/// A `YYYY-MM-DD` field, or 422 naming it.
pub(crate) fn day_field(field: &str, value: &str) -> Result<Date, ApiError> {
    value.trim().parse::<Date>().map_err(|_| {
        unprocessable(
            field,
            "not_a_date",
            &format!("„{value}“ ist kein Datum; bitte als JJJJ-MM-TT angeben."),
        )
    })
}

/// Writes a desk step to the audit log, by the signed-in person.
pub(crate) async fn audit(
    state: &AppState,
    who: &SignedIn,
    action: &str,
    target: Option<&str>,
    detail: impl Into<String>,
) -> Result<(), ApiError> {
    record(
        state,
        Some(who.account.login.as_str()),
        action,
        target,
        &who.session.source,
        detail,
    )
    .await
}

/// A JSON body read into `T`; what does not fit is a 422 in German (nothing changed).
pub(crate) fn body<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|e| ApiError::Unprocessable {
        message: format!("Die Angaben haben nicht die erwartete Form: {e}."),
        fields: Vec::new(),
    })
}

/// One bad field: 422 with the field, a problem code and the German reason.
pub(crate) fn unprocessable(field: &str, problem: &'static str, message: &str) -> ApiError {
    ApiError::Unprocessable {
        message: message.into(),
        fields: vec![FieldIssue {
            field: field.into(),
            problem,
            message: message.into(),
        }],
    }
}
