//! Administrators set up a hotline in one step: its number, opening hours, first queue,
//! agents and supervisors (`admin_edit` changes it later). Everything is checked (the
//! rules are `queues::settings`) before anything is written; the switchboard reads the
//! hotlines again at once.

use crate::admin::audit_admin;
use crate::auth::session::Admin;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use directory::Login;
use queues::settings::{check_basics, check_queue, QueueForm, QueueValues, SettingsProblem};
use serde::Deserialize;
use serde_json::{json, Value};
use store::{Hotline, HotlineQueue};
use utoipa::ToSchema;

/// An agent of a queue.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentEntry {
    pub(super) login: String,
    /// 1 (offered first) to 9; default 1.
    #[serde(default)]
    pub(super) level: Option<i64>,
}

/// A queue's settings (absent fields take the defaults).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct QueueBody {
    name: String,
    /// `ring_all`, `longest_idle` (default), `round_robin`, `fewest_calls`, `skills`.
    #[serde(default)]
    strategy: Option<String>,
    /// Skills: seconds until the next level may take the call (5–600, default 30).
    #[serde(default)]
    widen_after_secs: Option<i64>,
    /// Seconds an offer rings (5–120, default 20).
    #[serde(default)]
    ring_secs: Option<i64>,
    /// Seconds of wrap-up after each call (0–900, default 30).
    #[serde(default)]
    wrap_up_secs: Option<i64>,
    /// Longest wait before the overflow (seconds, 10–86400).
    #[serde(default)]
    max_wait_secs: Option<i64>,
    /// Longest line before the overflow.
    #[serde(default)]
    max_length: Option<i64>,
    /// How often callers hear their position (seconds, 10–3600; default 60).
    #[serde(default)]
    position_every_secs: Option<i64>,
    /// How often the queue's periodic announcement plays (seconds, 10–3600).
    #[serde(default)]
    periodic_every_secs: Option<i64>,
    /// From this wait on (seconds), callers are offered a callback with the key 1.
    #[serde(default)]
    callback_after_secs: Option<i64>,
    /// The hotline menu's key (1–9) that leads here.
    #[serde(default)]
    menu_digit: Option<String>,
    /// `closed` (default: a message, then the end), `queue` (`overflow_target`: its id) or
    /// `person` (`overflow_target`: their login; rung like any call to them).
    #[serde(default)]
    overflow_kind: Option<String>,
    /// The overflow queue's id, or the person's login.
    #[serde(default)]
    overflow_target: Option<String>,
    /// Service level: answered within this many seconds (1–600, default 20).
    #[serde(default)]
    sl_threshold_secs: Option<i64>,
    /// Abandons shorter than this are short abandons (0–60, default 5).
    #[serde(default)]
    short_abandon_secs: Option<i64>,
}

impl QueueBody {
    /// Checked settings, fields named below `prefix`.
    pub(super) fn check(&self, prefix: &str) -> Result<QueueValues, ApiError> {
        let form = QueueForm {
            name: self.name.clone(),
            strategy: self.strategy.clone(),
            widen_after_secs: self.widen_after_secs,
            ring_secs: self.ring_secs,
            wrap_up_secs: self.wrap_up_secs,
            max_wait_secs: self.max_wait_secs,
            max_length: self.max_length,
            position_every_secs: self.position_every_secs,
            periodic_every_secs: self.periodic_every_secs,
            callback_after_secs: self.callback_after_secs,
            menu_digit: self.menu_digit.clone(),
            overflow_kind: self.overflow_kind.clone(),
            overflow_target: self.overflow_target.clone(),
            sl_threshold_secs: self.sl_threshold_secs,
            short_abandon_secs: self.short_abandon_secs,
        };
        check_queue(&form, prefix).map_err(invalid)
    }
}

/// A queue row from checked settings.
pub(super) fn queue_row(id: i64, hotline: i64, v: QueueValues) -> HotlineQueue {
    HotlineQueue {
        id,
        hotline_id: hotline,
        name: v.name,
        menu_digit: v.menu_digit,
        strategy: v.strategy,
        widen_after_secs: v.widen_after_secs,
        ring_secs: v.ring_secs,
        wrap_up_secs: v.wrap_up_secs,
        max_wait_secs: v.max_wait_secs,
        max_length: v.max_length,
        position_every_secs: v.position_every_secs,
        periodic_every_secs: v.periodic_every_secs,
        periodic_announcement: None,
        callback_after_secs: v.callback_after_secs,
        callback_key: "1".into(),
        overflow_kind: v.overflow_kind,
        overflow_target: v.overflow_target,
        sl_threshold_secs: v.sl_threshold_secs,
        short_abandon_secs: v.short_abandon_secs,
    }
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
    /// Closed cases are deleted after this many days (1–3650, default 90).
    #[serde(default)]
    case_retention_days: Option<i64>,
    queue: QueueBody,
    #[serde(default)]
    agents: Vec<AgentEntry>,
    /// Logins of the supervisors.
    #[serde(default)]
    supervisors: Vec<String>,
}

pub(super) fn invalid(p: SettingsProblem) -> ApiError {
    ApiError::Invalid {
        field: p.field,
        problem: p.problem,
        message: p.message,
    }
}

/// Refuses numbers taken by a person or another hotline (`except`: the one changed).
pub(super) async fn numbers_free(
    state: &AppState,
    extension: &str,
    did: Option<&str>,
    except: Option<i64>,
) -> Result<(), ApiError> {
    let other = |h: Option<store::Hotline>| h.is_some_and(|h| Some(h.id) != except);
    if state
        .store
        .panel_person_by_extension(extension)
        .await?
        .is_some()
        || other(state.store.hotline_by_number(extension).await?)
    {
        return Err(ApiError::Conflict(format!(
            "Die Durchwahl {extension} ist schon vergeben."
        )));
    }
    if let Some(did) = did {
        if other(state.store.hotline_by_number(did).await?) {
            return Err(ApiError::Conflict(format!(
                "Die Nummer {did} ist schon vergeben."
            )));
        }
    }
    // A fax box or a unit's voicemail box under the same number would be shadowed.
    for number in std::iter::once(extension).chain(did) {
        if state.store.fax_box_by_number(number).await?.is_some()
            || state.store.unit_mailbox_by_number(number).await?.is_some()
        {
            return Err(ApiError::Conflict(format!(
                "Die Nummer {number} hat schon ein Fax- oder Mailbox-Fach."
            )));
        }
    }
    Ok(())
}

/// Refuses a hotline name another hotline has (`except`: the one changed).
pub(super) async fn name_free(
    state: &AppState,
    name: &str,
    except: Option<i64>,
) -> Result<(), ApiError> {
    let taken = state
        .store
        .hotline_book()
        .await?
        .hotlines
        .iter()
        .any(|h| h.name == name && Some(h.id) != except);
    if taken {
        return Err(ApiError::Conflict(format!(
            "Eine Hotline „{name}“ gibt es schon."
        )));
    }
    Ok(())
}

/// A queue that overflows to a person names them by login; the row keeps their staff id
/// (a renamed login still finds them). 400 on `field` for someone not in the directory.
pub(super) async fn person_overflow(
    state: &AppState,
    field: &str,
    q: &mut HotlineQueue,
) -> Result<(), ApiError> {
    if q.overflow_kind != "person" {
        return Ok(());
    }
    let login = q.overflow_target.clone().unwrap_or_default();
    q.overflow_target = Some(person(state, field, &login).await?.to_string());
    Ok(())
}

/// The overflow target as an administrator names it: a queue's id, a person's login.
pub(super) fn overflow_shown(state: &AppState, q: &HotlineQueue) -> Option<String> {
    match q.overflow_kind.as_str() {
        "person" => q
            .overflow_target
            .as_deref()
            .and_then(|id| id.parse().ok())
            .and_then(|id| state.live.person(id))
            .map(|p| p.login),
        _ => q.overflow_target.clone(),
    }
}

/// A person by login, or a 400 on `field`.
pub(super) async fn person(state: &AppState, field: &str, login: &str) -> Result<i64, ApiError> {
    let known = match Login::parse(login) {
        Ok(l) => state.store.panel_person(l.as_str()).await?,
        Err(_) => None,
    };
    known.map(|p| p.id).ok_or_else(|| ApiError::Invalid {
        field: field.into(),
        problem: "unknown_login",
        message: format!("„{login}“ ist nicht im Verzeichnis."),
    })
}

/// Agents as (person, level), each once.
pub(super) async fn agents_of(
    state: &AppState,
    entries: &[AgentEntry],
) -> Result<Vec<(i64, i64)>, ApiError> {
    let mut agents = Vec::new();
    for a in entries {
        let level = a.level.unwrap_or(1);
        if !(1..=9).contains(&level) {
            return Err(invalid(SettingsProblem {
                field: "agents.level".into(),
                problem: "out_of_range",
                message: "Die Stufe ist 1 bis 9.".into(),
            }));
        }
        agents.push((person(state, "agents", &a.login).await?, level));
    }
    agents.sort();
    agents.dedup_by_key(|a| a.0);
    Ok(agents)
}

/// Supervisors, each once.
pub(super) async fn supervisors_of(
    state: &AppState,
    logins: &[String],
) -> Result<Vec<i64>, ApiError> {
    let mut people = Vec::new();
    for login in logins {
        people.push(person(state, "supervisors", login).await?);
    }
    people.sort();
    people.dedup();
    Ok(people)
}

/// The switchboard reads the hotlines again (before the answer goes out).
pub(super) async fn reload(state: &AppState) {
    if let Some(desk) = state.live.hotline_desk() {
        desk.reload().await;
    }
}

/// A change to a hotline is done: audited (`action` on the hotline's name, `detail` what
/// changed), then read by the switchboard.
pub(super) async fn changed(
    state: &AppState,
    admin: &crate::auth::session::SignedIn,
    action: &str,
    hotline: &str,
    detail: impl Into<String>,
) -> Result<(), ApiError> {
    audit_admin(state, admin, action, Some(hotline), detail).await?;
    reload(state).await;
    Ok(())
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
            unknown_strategy, out_of_range, menu_invalid, overflow_invalid, unknown_login", body = ErrorBody),
        (status = 409, description = "The extension or direct number is taken", body = ErrorBody),
        (status = 422, description = "Not the documented JSON")))]
pub async fn create(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Json(body): Json<NewHotline>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let basics = check_basics(
        &body.name,
        &body.extension,
        body.did.as_deref(),
        body.holiday_state.as_deref(),
        body.hours.as_ref(),
        body.case_retention_days,
    )
    .map_err(invalid)?;
    let queue = body.queue.check("queue.")?;
    if queue.overflow_kind == "queue" {
        return Err(invalid(SettingsProblem {
            field: "queue.overflow_kind".into(),
            problem: "overflow_invalid",
            message: "Die erste Warteschlange kann noch in keine andere überlaufen.".into(),
        }));
    }
    let mut queue = queue_row(0, 0, queue);
    person_overflow(&state, "queue.overflow_target", &mut queue).await?;
    numbers_free(&state, &basics.extension, basics.did.as_deref(), None).await?;
    name_free(&state, &basics.name, None).await?;
    let agents = agents_of(&state, &body.agents).await?;
    let supervisors = supervisors_of(&state, &body.supervisors).await?;
    let hotline = Hotline {
        id: 0,
        name: basics.name,
        extension: basics.extension,
        did: basics.did,
        holiday_state: basics.holiday_state,
        hours: basics.hours,
        closed_announcement: None,
        welcome_announcement: None,
        hold_music: None,
        case_retention_days: basics.case_retention_days,
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
            "Durchwahl {}, {} Agenten, {} Supervisoren",
            hotline.extension,
            agents.len(),
            supervisors.len()
        ),
    )
    .await?;
    reload(&state).await;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": id, "queue": queue_id})),
    ))
}
