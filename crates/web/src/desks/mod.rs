//! Desk sharing (issue 19): the administrators describe buildings, floors (with a
//! floor-plan image), rooms and desks with their equipment and place the desks' markers
//! on the plan (`admin.rs`, the plan image in `plan.rs`); everyone sees who sits where on
//! a day and where a colleague sits today (`views.rs`), books a desk for a day or a
//! half-day, cancels their booking and checks in by the QR code on the desk
//! (`bookings.rs`), books meeting rooms by the clock (`rooms.rs`); administrators print
//! the desks' QR signs (`qr.rs`), make rooms team zones (`zones.rs`) and rename or remove
//! what they drew (`layout.rs`).
//!
//! The rules are the planner's (`planner::desks`): a desk is never held twice for the
//! same half-day (the store's unique index keeps that under concurrent bookings, on both
//! databases, so of two bookings at once one is written and the other is a 409), a person
//! holds one desk at a time, only the booking's owner checks in and only on its day.
//! Unchecked bookings are released by the server's timer (`desk_release.rs` in the
//! server, configured by `[desks]`). Every change is in the audit log.

pub mod admin;
pub mod bookings;
pub mod layout;
pub mod plan;
pub mod qr;
pub mod rooms;
pub mod views;
pub mod zones;

use crate::error::ApiError;
use crate::AppState;
use jiff::civil::{Date, DateTime};
use planner::calendar::DayPart;
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
        .routes(routes!(qr::sign))
        .routes(routes!(zones::set_zone))
        .routes(routes!(layout::rename, layout::remove))
        .routes(routes!(views::buildings))
        .routes(routes!(views::floor_day))
        .routes(routes!(plan::image))
        .routes(routes!(views::colleague_today))
        .routes(routes!(bookings::mine, bookings::book))
        .routes(routes!(bookings::cancel))
        .routes(routes!(bookings::check_in))
        .routes(routes!(rooms::day))
        .routes(routes!(rooms::book))
        .routes(routes!(rooms::cancel))
}

/// Now as local time, by the runtime's one clock: bookings are for the administration's
/// local days (`planner::calendar::zone`).
pub(crate) fn local_now(state: &AppState) -> DateTime {
    planner::calendar::local_time(state.live.now_ms().div_euclid(1000))
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

pub(crate) use crate::admin::audit_trail::by as audit;
pub(crate) use crate::error::{body, unprocessable};
