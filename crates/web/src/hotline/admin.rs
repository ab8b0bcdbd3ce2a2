//! Administrators set up a hotline in one step: its number, opening hours, first queue,
//! agents and supervisors. Everything is checked before anything is written; the
//! switchboard reads the hotlines again at once.

use crate::admin::audit_admin;
use crate::auth::session::Admin;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use directory::Login;
use queues::OpeningHours;
use serde::Deserialize;
use serde_json::{json, Value};
use store::{Hotline, HotlineQueue};
use utoipa::ToSchema;

/// An agent of the new queue.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgent {
    login: String,
    /// 1 (offered first) to 9; default 1.
    #[serde(default)]
    level: Option<i64>,
}

/// The hotline's first queue.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQueue {
    name: String,
    /// `ring_all`, `longest_idle` (default), `round_robin`, `fewest_calls`, `skills`.
    #[serde(default)]
    strategy: Option<String>,
    /// Seconds an offer rings (5–120, default 20).
    #[serde(default)]
    ring_secs: Option<i64>,
    /// Seconds of wrap-up after each call (0–900, default 30).
    #[serde(default)]
    wrap_up_secs: Option<i64>,
    /// Longest wait before the closed message (seconds), if any.
    #[serde(default)]
    max_wait_secs: Option<i64>,
    /// Longest line, if any.
    #[serde(default)]
    max_length: Option<i64>,
    /// How often callers hear their position (seconds, at least 10; default 60).
    #[serde(default)]
    position_every_secs: Option<i64>,
    /// From this wait on (seconds), callers are offered a callback with the key 1.
    #[serde(default)]
    callback_after_secs: Option<i64>,
}

/// A new hotline.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewHotline {
    name: String,
    /// Its internal extension (digits; no person's).
    extension: String,
    /// Its direct number from outside (E.164), if any.
    #[serde(default)]
    did: Option<String>,
    /// Closed on this state's public holidays (`BY`, `NW`, …).
    #[serde(default)]
    holiday_state: Option<String>,
    /// Opening hours Monday to Sunday, e.g. `"08:00-12:00, 13:00-16:00"`; empty: closed
    /// that day; absent: always open.
    #[serde(default)]
    hours: Option<[String; 7]>,
    queue: NewQueue,
    #[serde(default)]
    agents: Vec<NewAgent>,
    /// Logins of the supervisors.
    #[serde(default)]
    supervisors: Vec<String>,
}

fn invalid(field: &str, problem: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::Invalid {
        field: field.into(),
        problem,
        message: message.into(),
    }
}

/// The hotlines with their queues (for the admin page).
#[utoipa::path(get, path = "/api/v1/admin/hotlines", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    responses((status = 200, description = "`[{id, name, extension, did, queues: [{id, name, strategy, agents}], supervisors}]`")))]
pub async fn list(State(state): State<AppState>, _: Admin) -> Result<Json<Value>, ApiError> {
    let book = state.store.hotline_book().await?;
    let list: Vec<Value> = book
        .hotlines
        .iter()
        .map(|h| {
            let queues: Vec<Value> = book
                .queues
                .iter()
                .filter(|q| q.hotline_id == h.id)
                .map(|q| {
                    let agents = book.agents.iter().filter(|a| a.queue_id == q.id).count();
                    json!({"id": q.id, "name": q.name, "strategy": q.strategy, "agents": agents})
                })
                .collect();
            let supervisors = book
                .supervisors
                .iter()
                .filter(|(id, _)| *id == h.id)
                .count();
            json!({"id": h.id, "name": h.name, "extension": h.extension, "did": h.did,
                   "holiday_state": h.holiday_state, "hours": h.hours, "queues": queues,
                   "supervisors": supervisors})
        })
        .collect();
    Ok(Json(Value::Array(list)))
}

/// Sets up a hotline with its first queue, agents and supervisors.
#[utoipa::path(post, path = "/api/v1/admin/hotlines", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    request_body = NewHotline,
    responses((status = 201, description = "`{id, queue}`"),
        (status = 400, description = "A bad field; nothing was created. `field` and `problem`: \
            name_missing, extension_invalid, did_invalid, unknown_state, hours_invalid, \
            unknown_strategy, out_of_range, unknown_login", body = ErrorBody),
        (status = 409, description = "The extension or direct number is taken", body = ErrorBody),
        (status = 422, description = "Not the documented JSON")))]
pub async fn create(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Json(body): Json<NewHotline>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(invalid(
            "name",
            "name_missing",
            "Bitte geben Sie der Hotline einen Namen (höchstens 80 Zeichen).",
        ));
    }
    let extension = body.extension.trim();
    if !(2..=8).contains(&extension.len()) || !extension.chars().all(|c| c.is_ascii_digit()) {
        return Err(invalid(
            "extension",
            "extension_invalid",
            "Die Durchwahl besteht aus 2 bis 8 Ziffern.",
        ));
    }
    if state
        .store
        .panel_person_by_extension(extension)
        .await?
        .is_some()
        || state.store.hotline_by_number(extension).await?.is_some()
    {
        return Err(ApiError::Conflict(format!(
            "Die Durchwahl {extension} ist schon vergeben."
        )));
    }
    let did = body.did.as_deref().map(str::trim).filter(|d| !d.is_empty());
    if let Some(did) = did {
        let digits = did.strip_prefix('+').unwrap_or("");
        if !(6..=15).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(invalid(
                "did",
                "did_invalid",
                "Die Durchwahl von außen wird als +49… (E.164) angegeben.",
            ));
        }
        if state.store.hotline_by_number(did).await?.is_some() {
            return Err(ApiError::Conflict(format!(
                "Die Nummer {did} ist schon vergeben."
            )));
        }
    }
    let state_code = body
        .holiday_state
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(code) = state_code {
        if queues::State::parse(code).is_none() {
            return Err(invalid(
                "holiday_state",
                "unknown_state",
                format!("„{code}“ ist kein Bundesland (BW, BY, BE, …)."),
            ));
        }
    }
    let hours = body.hours.clone().unwrap_or_default();
    for (i, day) in hours.iter().enumerate() {
        if let Err(e) = OpeningHours::parse_day(day) {
            return Err(invalid(
                &format!("hours.{i}"),
                "hours_invalid",
                format!("Öffnungszeiten: {e}"),
            ));
        }
    }
    let mut queue = HotlineQueue::new(0, body.queue.name.trim());
    if queue.name.is_empty() || queue.name.chars().count() > 80 {
        return Err(invalid(
            "queue.name",
            "name_missing",
            "Bitte geben Sie der Warteschlange einen Namen.",
        ));
    }
    if let Some(strategy) = &body.queue.strategy {
        if ![
            "ring_all",
            "longest_idle",
            "round_robin",
            "fewest_calls",
            "skills",
        ]
        .contains(&strategy.as_str())
        {
            return Err(invalid(
                "queue.strategy",
                "unknown_strategy",
                format!("Unbekannte Verteilung „{strategy}“."),
            ));
        }
        queue.strategy = strategy.clone();
    }
    let range = |field: &str, v: Option<i64>, lo: i64, hi: i64| -> Result<Option<i64>, ApiError> {
        match v {
            Some(v) if !(lo..=hi).contains(&v) => Err(invalid(
                field,
                "out_of_range",
                format!("{field}: erlaubt sind {lo} bis {hi}."),
            )),
            v => Ok(v),
        }
    };
    queue.ring_secs =
        range("queue.ring_secs", body.queue.ring_secs, 5, 120)?.unwrap_or(queue.ring_secs);
    queue.wrap_up_secs =
        range("queue.wrap_up_secs", body.queue.wrap_up_secs, 0, 900)?.unwrap_or(queue.wrap_up_secs);
    queue.max_wait_secs = range("queue.max_wait_secs", body.queue.max_wait_secs, 10, 86_400)?;
    queue.max_length = range("queue.max_length", body.queue.max_length, 1, 10_000)?;
    queue.position_every_secs = range(
        "queue.position_every_secs",
        body.queue.position_every_secs,
        10,
        3_600,
    )?
    .or(queue.position_every_secs);
    queue.callback_after_secs = range(
        "queue.callback_after_secs",
        body.queue.callback_after_secs,
        0,
        3_600,
    )?;
    let person = |login: String| {
        let store = state.store.clone();
        async move {
            let known = match Login::parse(&login) {
                Ok(l) => store.panel_person(l.as_str()).await?,
                Err(_) => None,
            };
            known.map(|p| p.id).ok_or_else(|| {
                invalid(
                    "agents",
                    "unknown_login",
                    format!("„{login}“ ist nicht im Verzeichnis."),
                )
            })
        }
    };
    let mut agents = Vec::new();
    for a in &body.agents {
        let level = range("agents.level", a.level, 1, 9)?.unwrap_or(1);
        agents.push((person(a.login.clone()).await?, level));
    }
    agents.sort();
    agents.dedup_by_key(|a| a.0);
    let mut supervisors = Vec::new();
    for login in &body.supervisors {
        supervisors.push(person(login.clone()).await?);
    }
    supervisors.sort();
    supervisors.dedup();
    let hotline = Hotline {
        id: 0,
        name: name.to_string(),
        extension: extension.to_string(),
        did: did.map(str::to_string),
        holiday_state: state_code.map(str::to_uppercase),
        hours,
        closed_announcement: None,
        welcome_announcement: None,
        hold_music: None,
        case_retention_days: 90,
        supervisor_listen: false,
    };
    let (id, queue_id) = state
        .store
        .add_hotline_setup(&hotline, &queue, &agents, &supervisors, state.live.now_ms())
        .await?;
    audit_admin(
        &state,
        &admin,
        "hotline.created",
        Some(&hotline.name),
        format!(
            "Durchwahl {extension}, {} Agenten, {} Supervisoren",
            agents.len(),
            supervisors.len()
        ),
    )
    .await?;
    if let Some(desk) = state.live.hotline_desk() {
        desk.reload().await;
    }
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": id, "queue": queue_id})),
    ))
}
