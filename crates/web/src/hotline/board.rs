//! A hotline's wallboard and reports for its supervisors (and administrators): who waits,
//! the agents by state, and the figures of today, of the current 15 minutes and of a
//! chosen period, every one computed from the queue event log by `queues::figures`.

use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use directory::Role;
use queues::figures::SLOT_MS;
use queues::{Figures, QueueId, Thresholds};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::{Hotline, HotlineQueue, HotlineRole};
use utoipa::ToSchema;

/// The longest period a report covers.
const MAX_REPORT_DAYS: i64 = 366;

/// A hotline the person may see.
#[derive(Serialize, ToSchema)]
pub struct HotlineSummary {
    id: i64,
    name: String,
    extension: String,
    /// The direct number from outside, if any.
    did: Option<String>,
    /// `admin`, `supervisor` or `agent`.
    role: &'static str,
    /// Its queues: `{id, name}`.
    #[schema(value_type = Vec<Object>)]
    queues: Vec<Value>,
}

/// The hotlines the person works for or watches (all for administrators).
#[utoipa::path(get, path = "/api/v1/hotlines", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = Vec<HotlineSummary>)))]
pub async fn list(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Json<Vec<HotlineSummary>>, ApiError> {
    let book = state.store.hotline_book().await?;
    let me = who.account.id;
    let admin = who.account.roles.contains(Role::Admin);
    let list = book
        .hotlines
        .iter()
        .filter_map(|h| {
            let queues: Vec<&HotlineQueue> = book
                .queues
                .iter()
                .filter(|q| q.hotline_id == h.id)
                .collect();
            let supervisor = book.supervisors.contains(&(h.id, me));
            let agent = book
                .agents
                .iter()
                .any(|a| a.staff_id == me && queues.iter().any(|q| q.id == a.queue_id));
            let role = match (supervisor, admin, agent) {
                (true, ..) => "supervisor",
                (_, true, _) => "admin",
                (_, _, true) => "agent",
                _ => return None,
            };
            Some(HotlineSummary {
                id: h.id,
                name: h.name.clone(),
                extension: h.extension.clone(),
                did: h.did.clone(),
                role,
                queues: queues
                    .iter()
                    .map(|q| json!({"id": q.id, "name": q.name}))
                    .collect(),
            })
        })
        .collect();
    Ok(Json(list))
}

/// The hotline, if the person is its supervisor or an administrator.
async fn watched(
    state: &AppState,
    who: &SignedIn,
    hotline: i64,
) -> Result<(Hotline, Vec<HotlineQueue>), ApiError> {
    let book = state.store.hotline_book().await?;
    let h = book
        .hotlines
        .iter()
        .find(|h| h.id == hotline)
        .cloned()
        .ok_or_else(|| ApiError::NotFound("Diese Hotline gibt es nicht.".into()))?;
    let admin = who.account.roles.contains(Role::Admin);
    if !admin && state.store.hotline_role(hotline, who.account.id).await? != HotlineRole::Supervisor
    {
        return Err(ApiError::Refused(
            "Die Wandtafel sehen nur die Supervisoren dieser Hotline.".into(),
        ));
    }
    let queues = book
        .queues
        .into_iter()
        .filter(|q| q.hotline_id == hotline)
        .collect();
    Ok((h, queues))
}

/// A queue's own thresholds.
fn own(q: &HotlineQueue) -> Thresholds {
    Thresholds {
        threshold_ms: q.sl_threshold_secs * 1_000,
        short_abandon_ms: q.short_abandon_secs * 1_000,
    }
}

/// The hotline's thresholds for the figures of all its queues together: the first
/// queue's (each queue's own figures use its own).
fn thresholds(queues: &[HotlineQueue]) -> Thresholds {
    queues.first().map_or(Thresholds::default(), own)
}

/// Figures as JSON (ratios 0–1 or null, waits in seconds).
pub(super) fn figures_json(f: &Figures) -> Value {
    let secs = |ms: Option<i64>| ms.map(|ms| (ms as f64 / 1000.0 * 10.0).round() / 10.0);
    json!({
        "offered": f.offered, "answered": f.answered,
        "answered_in_threshold": f.answered_in_threshold, "abandoned": f.abandoned,
        "short_abandons": f.short_abandons, "overflowed": f.overflowed,
        "callbacks_requested": f.callbacks_requested, "callbacks_done": f.callbacks_done,
        "callbacks_pending": f.callbacks_pending, "handled": f.handled, "waiting": f.waiting,
        "longest_wait_secs": secs(f.longest_wait_ms), "service_level": f.service_level,
        "sl2": f.sl2, "asa_secs": secs(f.asa_ms), "abandon_rate": f.abandon_rate,
    })
}

/// Midnight (Europe/Berlin) of the day of `at_ms`, and of `days` days later.
pub(super) fn local_day(at_ms: i64, days: i64) -> Option<(i64, i64)> {
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").unwrap_or(jiff::tz::TimeZone::UTC);
    let day = jiff::Timestamp::from_millisecond(at_ms)
        .ok()?
        .to_zoned_datetime(tz.clone())
        .date();
    let start = day
        .to_zoned_datetime(tz.clone())
        .ok()?
        .timestamp()
        .as_millisecond();
    let end = day
        .checked_add(jiff::Span::new().days(days))
        .ok()?
        .to_zoned_datetime(tz)
        .ok()?
        .timestamp()
        .as_millisecond();
    Some((start, end))
}

/// The wallboard: waiting callers, agents by state, today's and this quarter hour's
/// figures (per queue and together), the 15-minute chart of today.
#[utoipa::path(get, path = "/api/v1/hotlines/{hotline}/board", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("hotline" = i64, Path, description = "The hotline's id")),
    responses((status = 200, description = "`{hotline, thresholds, waiting, agents, today, interval, queues, chart}`"),
        (status = 403, description = "Not a supervisor of this hotline", body = ErrorBody),
        (status = 404, description = "No such hotline", body = ErrorBody)))]
pub async fn board(
    State(state): State<AppState>,
    who: SignedIn,
    Path(hotline): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let (h, queues) = watched(&state, &who, hotline).await?;
    let now = state.live.now_ms();
    let (today, _) = local_day(now, 1).ok_or(ApiError::Internal)?;
    let ids_of: Vec<i64> = queues.iter().map(|q| q.id).collect();
    let events = state.store.queue_events_of(&ids_of, today, now + 1).await?;
    let ids: Vec<QueueId> = queues.iter().map(|q| QueueId(q.id)).collect();
    let t = thresholds(&queues);
    let day = queues::figures(&events, Some(&ids), today, now + 1, t);
    let quarter = now - now.rem_euclid(SLOT_MS);
    let interval = queues::figures(&events, Some(&ids), quarter, now + 1, t);
    let per_queue: Vec<Value> = queues
        .iter()
        .map(|q| {
            let f = queues::figures(&events, Some(&[QueueId(q.id)]), today, now + 1, own(q));
            json!({"id": q.id, "name": q.name, "today": figures_json(&f)})
        })
        .collect();
    let live = match state.live.hotline_desk() {
        Some(desk) => desk.board(hotline).await.unwrap_or_default(),
        None => Default::default(),
    };
    let agents: Vec<Value> = live
        .agents
        .iter()
        .map(|a| {
            let name = state.live.person(a.agent).map(|p| p.name);
            json!({"id": a.agent, "name": name, "state": a.state, "reason": a.reason,
                   "queues": a.queues, "calls_today": a.calls_today})
        })
        .collect();
    let waiting: Vec<Value> = live
        .waiting
        .iter()
        .map(|w| {
            json!({"queue": w.queue, "since": crate::time_format::iso_utc_ms(w.since_ms),
                        "waited_secs": (now - w.since_ms).max(0) / 1000, "callback": w.callback})
        })
        .collect();
    let chart: Vec<Value> = day
        .slots
        .iter()
        .map(|s| {
            json!({"start": crate::time_format::iso_utc_ms(s.start_ms), "offered": s.offered,
                        "answered": s.answered, "abandoned": s.abandoned,
                        "mean_wait_secs": s.mean_wait_ms.map(|ms| ms / 1000)})
        })
        .collect();
    Ok(Json(json!({
        "hotline": {"id": h.id, "name": h.name, "extension": h.extension, "did": h.did,
                    "listening": h.supervisor_listen},
        "thresholds": {"service_level_secs": t.threshold_ms / 1000, "short_abandon_secs": t.short_abandon_ms / 1000},
        "now": crate::time_format::iso_utc_ms(now),
        "waiting": waiting, "agents": agents,
        "today": figures_json(&day), "interval": figures_json(&interval),
        "queues": per_queue, "chart": chart,
    })))
}

/// A report's period.
#[derive(Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Period {
    /// The first day (`YYYY-MM-DD`, local time).
    from: String,
    /// The last day (inclusive).
    to: String,
    /// `csv` for a spreadsheet (semicolons, UTF-8 with BOM), else JSON.
    #[serde(default)]
    format: Option<String>,
}

/// The figures of a period (per queue and together) with the 15-minute series, as JSON
/// or as CSV for Excel.
#[utoipa::path(get, path = "/api/v1/hotlines/{hotline}/report", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("hotline" = i64, Path, description = "The hotline's id"), Period),
    responses((status = 200, description = "`{from, to, total, queues, slots}` or text/csv"),
        (status = 400, description = "Days not as YYYY-MM-DD, in the wrong order or more than 366 apart", body = ErrorBody),
        (status = 403, description = "Not a supervisor of this hotline", body = ErrorBody),
        (status = 404, description = "No such hotline", body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    who: SignedIn,
    Path(hotline): Path<i64>,
    Query(period): Query<Period>,
) -> Result<Response, ApiError> {
    let (h, queues) = watched(&state, &who, hotline).await?;
    let bad = || {
        ApiError::BadRequest(
            "Bitte geben Sie die Tage als JJJJ-MM-TT an, den ersten zuerst, höchstens 366 Tage."
                .into(),
        )
    };
    let from: jiff::civil::Date = period.from.parse().map_err(|_| bad())?;
    let to: jiff::civil::Date = period.to.parse().map_err(|_| bad())?;
    let days = (to - from).get_days() as i64 + 1;
    if !(1..=MAX_REPORT_DAYS).contains(&days) {
        return Err(bad());
    }
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").unwrap_or(jiff::tz::TimeZone::UTC);
    let start = from
        .to_zoned_datetime(tz)
        .map_err(|_| bad())?
        .timestamp()
        .as_millisecond();
    let (start, end) = local_day(start, days).ok_or_else(bad)?;
    let ids_of: Vec<i64> = queues.iter().map(|q| q.id).collect();
    let events = state.store.queue_events_of(&ids_of, start, end).await?;
    let t = thresholds(&queues);
    let ids: Vec<QueueId> = queues.iter().map(|q| QueueId(q.id)).collect();
    let total = queues::figures(&events, Some(&ids), start, end, t);
    let rows: Vec<(String, Figures)> = queues
        .iter()
        .map(|q| {
            (
                q.name.clone(),
                queues::figures(&events, Some(&[QueueId(q.id)]), start, end, own(q)),
            )
        })
        .collect();
    if period.format.as_deref() == Some("csv") {
        let csv = super::report_csv::csv(&h.name, &period.from, &period.to, &total, &rows);
        let name = format!("hotline-{}-{}-{}.csv", h.id, period.from, period.to);
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
            ],
            csv,
        )
            .into_response());
    }
    let slots: Vec<Value> = total
        .slots
        .iter()
        .filter(|s| s.offered > 0)
        .map(|s| {
            json!({"start": crate::time_format::iso_utc_ms(s.start_ms), "offered": s.offered,
                        "answered": s.answered, "abandoned": s.abandoned,
                        "mean_wait_secs": s.mean_wait_ms.map(|ms| ms / 1000)})
        })
        .collect();
    Ok(Json(json!({
        "hotline": {"id": h.id, "name": h.name},
        "from": period.from, "to": period.to,
        "total": figures_json(&total),
        "queues": rows.iter().map(|(name, f)| json!({"name": name, "figures": figures_json(f)})).collect::<Vec<_>>(),
        "slots": slots,
    }))
    .into_response())
}
