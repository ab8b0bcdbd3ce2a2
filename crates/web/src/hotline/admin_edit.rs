//! Administrators change a hotline after setting it up: its own settings, its queues
//! (added, changed, removed), each queue's agents, its supervisors and its one-off
//! closures. Checked as at the set-up, audited, read by the switchboard at once.

use super::admin::{
    agents_of, changed, invalid, name_free, numbers_free, overflow_shown, person_overflow,
    queue_row, reload, supervisors_of, AgentEntry, QueueBody,
};
use crate::auth::session::Admin;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use queues::settings::{check_basics, SettingsProblem};
use serde::Deserialize;
use serde_json::{json, Value};
use store::{HotlineBook, HotlineClosure, HotlineQueue};
use utoipa::ToSchema;

async fn book_with(
    state: &AppState,
    hotline: i64,
) -> Result<(HotlineBook, store::Hotline), ApiError> {
    let book = state.store.hotline_book().await?;
    let h = book
        .hotlines
        .iter()
        .find(|h| h.id == hotline)
        .cloned()
        .ok_or_else(|| ApiError::NotFound("Diese Hotline gibt es nicht.".into()))?;
    Ok((book, h))
}

/// A queue of the hotline, or 404.
fn queue_of(book: &HotlineBook, hotline: i64, queue: i64) -> Result<HotlineQueue, ApiError> {
    book.queues
        .iter()
        .find(|q| q.id == queue && q.hotline_id == hotline)
        .cloned()
        .ok_or_else(|| ApiError::NotFound("Diese Warteschlange gibt es nicht.".into()))
}

fn queue_json(q: &HotlineQueue, book: &HotlineBook, state: &AppState) -> Value {
    let agents: Vec<Value> = book
        .agents
        .iter()
        .filter(|a| a.queue_id == q.id)
        .map(|a| {
            let login = state.live.person(a.staff_id).map(|p| p.login);
            json!({"login": login, "level": a.level, "logged_in": a.logged_in})
        })
        .collect();
    json!({"id": q.id, "name": q.name, "menu_digit": q.menu_digit, "strategy": q.strategy,
           "widen_after_secs": q.widen_after_secs, "ring_secs": q.ring_secs,
           "wrap_up_secs": q.wrap_up_secs, "max_wait_secs": q.max_wait_secs,
           "max_length": q.max_length, "position_every_secs": q.position_every_secs,
           "periodic_every_secs": q.periodic_every_secs,
           "callback_after_secs": q.callback_after_secs, "overflow_kind": q.overflow_kind,
           "overflow_target": overflow_shown(state, q), "sl_threshold_secs": q.sl_threshold_secs,
           "short_abandon_secs": q.short_abandon_secs, "agents": agents,
           "periodic_announcement": q.periodic_announcement.is_some()})
}

/// One hotline with everything that can be changed.
#[utoipa::path(get, path = "/api/v1/admin/hotlines/{hotline}", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("hotline" = i64, Path)),
    responses((status = 200, description = "`{id, name, extension, did, holiday_state, hours, case_retention_days, listening, announcements: {welcome, closed, hold_music}, queues: [...], supervisors: [login], closures: [{first_day, last_day, reason}]}`"),
        (status = 404, description = "No such hotline", body = ErrorBody)))]
pub async fn detail(
    State(state): State<AppState>,
    _: Admin,
    Path(hotline): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let (book, h) = book_with(&state, hotline).await?;
    let queues: Vec<Value> = book
        .queues
        .iter()
        .filter(|q| q.hotline_id == hotline)
        .map(|q| queue_json(q, &book, &state))
        .collect();
    let supervisors: Vec<Option<String>> = book
        .supervisors
        .iter()
        .filter(|(id, _)| *id == hotline)
        .map(|(_, p)| state.live.person(*p).map(|p| p.login))
        .collect();
    let closures: Vec<Value> = book
        .closures
        .iter()
        .filter(|c| c.hotline_id == hotline)
        .map(|c| json!({"first_day": c.first_day, "last_day": c.last_day, "reason": c.reason}))
        .collect();
    let own = |a: Option<i64>| if a.is_some() { "own" } else { "builtin" };
    Ok(Json(json!({
        "id": h.id, "name": h.name, "extension": h.extension, "did": h.did,
        "holiday_state": h.holiday_state, "hours": h.hours,
        "case_retention_days": h.case_retention_days, "listening": h.supervisor_listen,
        "announcements": {"welcome": own(h.welcome_announcement), "closed": own(h.closed_announcement),
                          "hold_music": own(h.hold_music)},
        "queues": queues, "supervisors": supervisors, "closures": closures,
    })))
}

/// A hotline's own settings.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HotlineBody {
    name: String,
    extension: String,
    #[serde(default)]
    did: Option<String>,
    #[serde(default)]
    holiday_state: Option<String>,
    /// Monday to Sunday; absent: always open.
    #[serde(default)]
    hours: Option<[String; 7]>,
    #[serde(default)]
    case_retention_days: Option<i64>,
}

/// Change a hotline's own settings.
#[utoipa::path(put, path = "/api/v1/admin/hotlines/{hotline}", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("hotline" = i64, Path)), request_body = HotlineBody,
    responses((status = 200, description = "`{}`"),
        (status = 400, description = "A bad field; nothing changed", body = ErrorBody),
        (status = 404, description = "No such hotline", body = ErrorBody),
        (status = 409, description = "The extension or direct number is taken", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(hotline): Path<i64>,
    Json(body): Json<HotlineBody>,
) -> Result<Json<Value>, ApiError> {
    let (_, h) = book_with(&state, hotline).await?;
    let b = check_basics(
        &body.name,
        &body.extension,
        body.did.as_deref(),
        body.holiday_state.as_deref(),
        body.hours.as_ref(),
        body.case_retention_days,
    )
    .map_err(invalid)?;
    numbers_free(&state, &b.extension, b.did.as_deref(), Some(hotline)).await?;
    name_free(&state, &b.name, Some(hotline)).await?;
    let new = store::Hotline {
        name: b.name,
        extension: b.extension,
        did: b.did,
        holiday_state: b.holiday_state,
        hours: b.hours,
        case_retention_days: b.case_retention_days,
        ..h
    };
    state.store.update_hotline(&new).await?;
    changed(
        &state,
        &admin,
        "hotline.changed",
        &new.name,
        "Einstellungen",
    )
    .await?;
    Ok(Json(json!({})))
}

/// Checks that an overflow into a queue names another queue of any hotline.
fn overflow_known(
    book: &HotlineBook,
    queue: Option<i64>,
    q: &HotlineQueue,
) -> Result<(), ApiError> {
    let Some(target) = q
        .overflow_target
        .as_deref()
        .filter(|_| q.overflow_kind == "queue")
    else {
        return Ok(());
    };
    let id: i64 = target.parse().unwrap_or(-1);
    if Some(id) == queue || !book.queues.iter().any(|other| other.id == id) {
        return Err(invalid(SettingsProblem {
            field: "overflow_target".into(),
            problem: "overflow_invalid",
            message: "Überlauf in eine andere, bestehende Warteschlange.".into(),
        }));
    }
    // Follow the overflows from there: they must not lead back here.
    let next = |at: i64| {
        book.queues
            .iter()
            .find(|o| o.id == at && o.overflow_kind == "queue")
            .and_then(|o| o.overflow_target.as_deref()?.parse::<i64>().ok())
    };
    let mut at = id;
    for _ in 0..book.queues.len() {
        let Some(then) = next(at) else { break };
        if Some(then) == queue {
            return Err(invalid(SettingsProblem {
                field: "overflow_target".into(),
                problem: "overflow_cycle",
                message: "Die Überläufe führten im Kreis zu dieser Warteschlange zurück.".into(),
            }));
        }
        at = then;
    }
    Ok(())
}

fn menu_free(
    book: &HotlineBook,
    hotline: i64,
    queue: Option<i64>,
    q: &HotlineQueue,
) -> Result<(), ApiError> {
    let taken = q.menu_digit.is_some()
        && book.queues.iter().any(|o| {
            o.hotline_id == hotline && Some(o.id) != queue && o.menu_digit == q.menu_digit
        });
    if taken {
        return Err(ApiError::Conflict(
            "Diese Menütaste führt schon zu einer anderen Warteschlange.".into(),
        ));
    }
    Ok(())
}

/// Add a queue to a hotline.
#[utoipa::path(post, path = "/api/v1/admin/hotlines/{hotline}/queues", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("hotline" = i64, Path)), request_body = QueueBody,
    responses((status = 201, description = "`{id}`"),
        (status = 400, description = "A bad field; nothing changed", body = ErrorBody),
        (status = 404, description = "No such hotline", body = ErrorBody),
        (status = 409, description = "The name or the menu key is taken in this hotline", body = ErrorBody)))]
pub async fn add_queue(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(hotline): Path<i64>,
    Json(body): Json<QueueBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let (book, h) = book_with(&state, hotline).await?;
    let mut q = queue_row(0, hotline, body.check("")?);
    overflow_known(&book, None, &q)?;
    person_overflow(&state, "overflow_target", &mut q).await?;
    menu_free(&book, hotline, None, &q)?;
    if book
        .queues
        .iter()
        .any(|o| o.hotline_id == hotline && o.name == q.name)
    {
        return Err(ApiError::Conflict(
            "Eine Warteschlange dieses Namens gibt es schon.".into(),
        ));
    }
    let id = state.store.add_hotline_queue(&q).await?;
    changed(
        &state,
        &admin,
        "hotline.changed",
        &h.name,
        format!("Warteschlange {} angelegt", q.name),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

/// Change a queue's settings.
#[utoipa::path(put, path = "/api/v1/admin/hotlines/{hotline}/queues/{queue}", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("hotline" = i64, Path), ("queue" = i64, Path)), request_body = QueueBody,
    responses((status = 200, description = "`{}`"),
        (status = 400, description = "A bad field; nothing changed", body = ErrorBody),
        (status = 404, description = "No such hotline or queue", body = ErrorBody),
        (status = 409, description = "The menu key is taken in this hotline", body = ErrorBody)))]
pub async fn update_queue(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path((hotline, queue)): Path<(i64, i64)>,
    Json(body): Json<QueueBody>,
) -> Result<Json<Value>, ApiError> {
    let (book, h) = book_with(&state, hotline).await?;
    let old = queue_of(&book, hotline, queue)?;
    let mut q = queue_row(queue, hotline, body.check("")?);
    let name_taken = book
        .queues
        .iter()
        .any(|o| o.hotline_id == hotline && o.id != queue && o.name == q.name);
    if name_taken {
        return Err(ApiError::Conflict(
            "Eine Warteschlange dieses Namens gibt es schon.".into(),
        ));
    }
    q.periodic_announcement = old.periodic_announcement;
    q.callback_key = old.callback_key.clone();
    overflow_known(&book, Some(queue), &q)?;
    person_overflow(&state, "overflow_target", &mut q).await?;
    menu_free(&book, hotline, Some(queue), &q)?;
    state.store.update_hotline_queue(&q).await?;
    changed(
        &state,
        &admin,
        "hotline.changed",
        &h.name,
        format!("Warteschlange {} geändert", q.name),
    )
    .await?;
    Ok(Json(json!({})))
}

/// Remove a queue (not the hotline's last one, nor one another overflows into).
#[utoipa::path(delete, path = "/api/v1/admin/hotlines/{hotline}/queues/{queue}", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("hotline" = i64, Path), ("queue" = i64, Path)),
    responses((status = 200, description = "`{}`"),
        (status = 404, description = "No such hotline or queue", body = ErrorBody),
        (status = 409, description = "The hotline's last queue, or another overflows into it", body = ErrorBody)))]
pub async fn remove_queue(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path((hotline, queue)): Path<(i64, i64)>,
) -> Result<Json<Value>, ApiError> {
    let (book, h) = book_with(&state, hotline).await?;
    let q = queue_of(&book, hotline, queue)?;
    if !state.store.delete_hotline_queue(hotline, queue).await? {
        return Err(ApiError::Conflict(
            "Die letzte Warteschlange einer Hotline und eine, in die eine andere überläuft, bleiben.".into(),
        ));
    }
    changed(
        &state,
        &admin,
        "hotline.changed",
        &h.name,
        format!("Warteschlange {} entfernt", q.name),
    )
    .await?;
    Ok(Json(json!({})))
}

/// Make exactly these people a queue's agents (those who stay keep their login).
#[utoipa::path(put, path = "/api/v1/admin/hotlines/{hotline}/queues/{queue}/agents", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("hotline" = i64, Path), ("queue" = i64, Path)), request_body = Vec<AgentEntry>,
    responses((status = 200, description = "`{agents}` (how many)"),
        (status = 400, description = "An unknown login or a bad level; nothing changed", body = ErrorBody),
        (status = 404, description = "No such hotline or queue", body = ErrorBody)))]
pub async fn set_agents(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path((hotline, queue)): Path<(i64, i64)>,
    Json(body): Json<Vec<AgentEntry>>,
) -> Result<Json<Value>, ApiError> {
    let (book, h) = book_with(&state, hotline).await?;
    queue_of(&book, hotline, queue)?;
    let agents = agents_of(&state, &body).await?;
    state.store.replace_queue_agents(queue, &agents).await?;
    changed(
        &state,
        &admin,
        "hotline.changed",
        &h.name,
        format!("{} Agenten", agents.len()),
    )
    .await?;
    Ok(Json(json!({"agents": agents.len()})))
}

/// Make exactly these people the hotline's supervisors.
#[utoipa::path(put, path = "/api/v1/admin/hotlines/{hotline}/supervisors", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("hotline" = i64, Path)), request_body = Vec<String>,
    responses((status = 200, description = "`{supervisors}` (how many)"),
        (status = 400, description = "An unknown login; nothing changed", body = ErrorBody),
        (status = 404, description = "No such hotline", body = ErrorBody)))]
pub async fn set_supervisors(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(hotline): Path<i64>,
    Json(body): Json<Vec<String>>,
) -> Result<Json<Value>, ApiError> {
    let (_, h) = book_with(&state, hotline).await?;
    let people = supervisors_of(&state, &body).await?;
    state
        .store
        .replace_hotline_supervisors(hotline, &people)
        .await?;
    changed(
        &state,
        &admin,
        "hotline.changed",
        &h.name,
        format!("{} Supervisoren", people.len()),
    )
    .await?;
    Ok(Json(json!({"supervisors": people.len()})))
}

/// Whether supervisors may listen in and whisper.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListeningBody {
    /// On or off.
    on: bool,
}

/// Switch supervisors' listening in and whispering on or off for a hotline. Off until the
/// staff council has agreed; every switch is audited (`hotline.listening.on` / `.off`),
/// and so is every time a supervisor listens (`hotline.listen`, `hotline.whisper`).
#[utoipa::path(put, path = "/api/v1/admin/hotlines/{hotline}/listening", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("hotline" = i64, Path)), request_body = ListeningBody,
    responses((status = 200, description = "`{listening}`"),
        (status = 404, description = "No such hotline", body = ErrorBody)))]
pub async fn set_listening(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(hotline): Path<i64>,
    Json(body): Json<ListeningBody>,
) -> Result<Json<Value>, ApiError> {
    let (_, h) = book_with(&state, hotline).await?;
    let (action, detail) = match body.on {
        true => ("hotline.listening.on", "Mithören und Flüstern erlaubt"),
        false => (
            "hotline.listening.off",
            "Mithören und Flüstern ausgeschaltet; laufendes Mithören endet",
        ),
    };
    let entry = store::AuditEntry {
        at: state.now(),
        actor: Some(admin.account.login.to_string()),
        action: action.into(),
        target: Some(h.name.clone()),
        source: Some(admin.session.source.clone()),
        detail: detail.into(),
    };
    if !state
        .store
        .set_hotline_listening(hotline, body.on, &entry)
        .await?
    {
        return Err(ApiError::NotFound("Diese Hotline gibt es nicht.".into()));
    }
    // The switchboard reads it (and ends listening that is no longer allowed).
    reload(&state).await;
    Ok(Json(json!({"listening": body.on})))
}

/// A one-off closure.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosureBody {
    /// `YYYY-MM-DD`.
    first_day: String,
    /// `YYYY-MM-DD`, not before the first.
    last_day: String,
    #[serde(default)]
    reason: String,
}

/// Make exactly these the hotline's one-off closures.
#[utoipa::path(put, path = "/api/v1/admin/hotlines/{hotline}/closures", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("hotline" = i64, Path)), request_body = Vec<ClosureBody>,
    responses((status = 200, description = "`{closures}` (how many)"),
        (status = 400, description = "A day not as YYYY-MM-DD, or the last before the first; nothing changed", body = ErrorBody),
        (status = 404, description = "No such hotline", body = ErrorBody)))]
pub async fn set_closures(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(hotline): Path<i64>,
    Json(body): Json<Vec<ClosureBody>>,
) -> Result<Json<Value>, ApiError> {
    let (_, h) = book_with(&state, hotline).await?;
    let mut closures = Vec::new();
    for (i, c) in body.iter().enumerate() {
        let day = |d: &str| d.trim().parse::<jiff::civil::Date>().ok();
        let (Some(first), Some(last)) = (day(&c.first_day), day(&c.last_day)) else {
            return Err(invalid(SettingsProblem {
                field: format!("closures.{i}"),
                problem: "day_invalid",
                message: "Tage als JJJJ-MM-TT angeben.".into(),
            }));
        };
        if last < first {
            return Err(invalid(SettingsProblem {
                field: format!("closures.{i}"),
                problem: "day_invalid",
                message: "Der letzte Tag liegt vor dem ersten.".into(),
            }));
        }
        let reason: String = c
            .reason
            .chars()
            .filter(|c| !c.is_control())
            .take(120)
            .collect();
        closures.push(HotlineClosure {
            hotline_id: hotline,
            first_day: first.to_string(),
            last_day: last.to_string(),
            reason,
        });
    }
    state
        .store
        .replace_hotline_closures(hotline, &closures)
        .await?;
    changed(
        &state,
        &admin,
        "hotline.changed",
        &h.name,
        format!("{} Schließtage", closures.len()),
    )
    .await?;
    Ok(Json(json!({"closures": closures.len()})))
}
