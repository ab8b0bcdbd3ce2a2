//! A hotline's appointment slots: everyone who works with its cases sees them with their
//! free places; supervisors and administrators add them, one by one or as a day's series
//! in German local time. That a slot never takes more bookings than it has places is the
//! store's part (see `store::cases`); booking is a value of an appointment field.

use super::access::CaseWorker;
use super::local_time::{day_start, parse_bound, zone};
use super::shapes::{slot, Slot};
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::http::client_addr::ClientAddr;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use cases::NewSlot;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A listing covers at most this many days.
const MAX_DAYS: i64 = 366;
/// Without `until`, a listing covers this many days.
const DEFAULT_DAYS: i64 = 31;

/// Which slots: `from`, `until` (days `2026-03-05` in German local time, `until`
/// inclusive, or instants).
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SlotQuery {
    /// First day (default: today).
    from: Option<String>,
    /// Last day (default: 31 days on).
    until: Option<String>,
}

/// Slots in time order.
#[derive(Serialize, ToSchema)]
pub struct Slots {
    slots: Vec<Slot>,
}

/// One slot to add.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlotIn {
    /// `2026-03-05T08:00:00Z` or with an offset.
    start: String,
    /// The end (exclusive), at most 24 hours after the start.
    end: String,
    /// Places, 1 to 10000.
    capacity: u32,
}

/// A day's series: slots of `minutes` from `from` while they end by `until`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeriesIn {
    /// `2026-03-05`.
    day: String,
    /// `08:00`, German local time.
    from: String,
    /// `12:00`.
    until: String,
    /// Length of each slot, 5 to 480.
    minutes: u32,
    /// Places per slot, 1 to 10000.
    capacity: u32,
}

/// Either `slots` (at most 500) or `series`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlotsPost {
    #[serde(default)]
    slots: Vec<SlotIn>,
    #[serde(default)]
    series: Option<SeriesIn>,
}

fn invalid(field: String, problem: &'static str, message: String) -> ApiError {
    ApiError::Invalid {
        field,
        problem,
        message,
    }
}

/// The slots of a request, checked at `now`.
fn requested(body: &SlotsPost, now: i64) -> Result<Vec<NewSlot>, ApiError> {
    match (&body.series, body.slots.is_empty()) {
        (Some(series), true) => {
            let day = series
                .day
                .trim()
                .parse::<jiff::civil::Date>()
                .map_err(|_| {
                    invalid(
                        "series.day".into(),
                        "not_a_date",
                        format!("„{}“ ist kein Datum (JJJJ-MM-TT).", series.day),
                    )
                })?;
            let time = |text: &str, field: &str| {
                text.trim().parse::<jiff::civil::Time>().map_err(|_| {
                    invalid(
                        format!("series.{field}"),
                        "not_a_time",
                        format!("„{text}“ ist keine Uhrzeit (HH:MM)."),
                    )
                })
            };
            let (from, until) = (time(&series.from, "from")?, time(&series.until, "until")?);
            let zone = zone();
            Ok(cases::slot::series(
                day,
                from,
                until,
                series.minutes,
                series.capacity,
                &zone,
                now,
            )?)
        }
        (None, false) => {
            let mut slots = Vec::with_capacity(body.slots.len());
            for (i, s) in body.slots.iter().enumerate() {
                let instant = |text: &str, part: &str| {
                    crate::time_format::parse_iso(text).ok_or_else(|| {
                        invalid(
                            format!("slots.{i}.{part}"),
                            "not_a_time",
                            format!(
                                "Termin {}: „{text}“ ist kein Zeitpunkt (2026-03-05T08:00:00Z).",
                                i + 1
                            ),
                        )
                    })
                };
                slots.push(NewSlot {
                    starts_at: instant(&s.start, "start")?,
                    ends_at: instant(&s.end, "end")?,
                    capacity: s.capacity,
                });
            }
            cases::slot::check(&slots, now)?;
            Ok(slots)
        }
        _ => Err(invalid(
            "slots".into(),
            "slots_or_series",
            "Bitte entweder einzelne Termine („slots“) oder eine Terminserie („series“) angeben."
                .into(),
        )),
    }
}

/// The hotline's slots that begin in the period, with their free places.
#[utoipa::path(get, path = "/api/v1/hotlines/{hotline}/slots", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("hotline" = i64, Path, description = "The hotline's id"), SlotQuery),
    responses((status = 200, body = Slots),
        (status = 400, description = "A bad day or a period over 366 days", body = ErrorBody),
        (status = 403, description = "Neither agent nor supervisor of this hotline nor administrator", body = ErrorBody),
        (status = 404, description = "No such hotline (administrators)", body = ErrorBody)))]
pub async fn list_slots(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    who: SignedIn,
    Path(hotline): Path<i64>,
    Query(q): Query<SlotQuery>,
) -> Result<Json<Slots>, ApiError> {
    let worker = CaseWorker::check(&state, who, hotline, client.to_string()).await?;
    let now = state.now();
    let today = jiff::Timestamp::from_second(now)
        .ok()
        .and_then(|t| day_start(t.to_zoned_datetime(zone()).date()))
        .unwrap_or(now);
    let from = match &q.from {
        Some(text) => parse_bound(text, false, "from")?,
        None => today,
    };
    let until = match &q.until {
        Some(text) => parse_bound(text, true, "until")?,
        None => from + DEFAULT_DAYS * 86_400,
    };
    if until - from > MAX_DAYS * 86_400 {
        return Err(invalid(
            "until".into(),
            "period_too_long",
            "Es lassen sich höchstens 366 Tage auf einmal anzeigen.".into(),
        ));
    }
    let slots = state.store.case_slots(worker.hotline, from, until).await?;
    Ok(Json(Slots {
        slots: slots.iter().map(slot).collect(),
    }))
}

/// Add slots (supervisors of the hotline and administrators), all or none.
#[utoipa::path(post, path = "/api/v1/hotlines/{hotline}/slots", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("hotline" = i64, Path, description = "The hotline's id")),
    request_body = SlotsPost,
    responses((status = 201, body = Slots),
        (status = 400, description = "Bad slots; nothing added. `field` (e.g. `slots.2.end`, \
            `series.from`) and `problem`: not_a_time, not_a_date, slots_or_series, no_slots, \
            too_many_slots, end_not_after_start, slot_too_long, capacity_out_of_range, \
            slot_in_the_past, slot_duplicate, step_out_of_range, empty_series", body = ErrorBody),
        (status = 403, description = "Not supervisor of this hotline nor administrator", body = ErrorBody),
        (status = 404, description = "No such hotline (administrators)", body = ErrorBody),
        (status = 409, description = "The hotline has one of these slots already", body = ErrorBody),
        (status = 422, description = "Not the documented JSON")))]
pub async fn add_slots(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    who: SignedIn,
    Path(hotline): Path<i64>,
    Json(body): Json<SlotsPost>,
) -> Result<(StatusCode, Json<Slots>), ApiError> {
    let worker = CaseWorker::check(&state, who, hotline, client.to_string()).await?;
    worker.may_add_slots()?;
    let now = state.now();
    let slots = requested(&body, now)?;
    let added = state
        .store
        .add_case_slots(worker.hotline, &slots, &worker.actor(), now)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Slots {
            slots: added.iter().map(slot).collect(),
        }),
    ))
}

/// Remove a slot nobody booked (supervisors of the hotline and administrators).
#[utoipa::path(delete, path = "/api/v1/hotlines/{hotline}/slots/{slot}", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("hotline" = i64, Path, description = "The hotline's id"),
        ("slot" = i64, Path, description = "The slot's id")),
    responses((status = 204, description = "Removed (audited as `case.slot.removed`)"),
        (status = 403, description = "Not supervisor of this hotline nor administrator", body = ErrorBody),
        (status = 404, description = "No such hotline or slot", body = ErrorBody),
        (status = 409, description = "The slot has bookings; nothing changed", body = ErrorBody)))]
pub async fn remove_slot(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    who: SignedIn,
    Path((hotline, slot)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    let worker = CaseWorker::check(&state, who, hotline, client.to_string()).await?;
    worker.may_add_slots()?;
    let removed = state
        .store
        .remove_case_slot(worker.hotline, slot, &worker.actor(), state.now())
        .await?;
    if !removed {
        return Err(ApiError::NotFound("Diesen Termin gibt es nicht.".into()));
    }
    Ok(StatusCode::NO_CONTENT)
}
