//! Presence over REST: reading presence, setting one's own, the team panel, favourites,
//! watches, and the team-panel groups administrators define.

use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::presence::frames::PresenceBody;
use crate::presence::frames::PresenceEntry;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use directory::{Login, UnitPath};
use live::Live;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::PanelPerson;
use utoipa::{IntoParams, ToSchema};

/// The id of the person with this login, or 404 in German.
pub fn person_id(live: &Live, login: &str) -> Result<i64, ApiError> {
    live.id_of(login)
        .ok_or_else(|| ApiError::NotFound(format!("„{login}“ gibt es nicht.")))
}

/// Ends a watch on `login`; whether there was one.
pub async fn remove_watch(live: &Live, me: i64, login: &str) -> Result<bool, ApiError> {
    let target = person_id(live, login)?;
    Ok(live.unwatch(me, target).await?)
}

/// Adds a watch on `login`; the answer holds when it expires.
pub async fn add_watch(live: &Live, me: i64, login: &str) -> Result<Value, ApiError> {
    let target = person_id(live, login)?;
    match live.watch(me, target).await? {
        Some(at) => {
            Ok(json!({"login": login, "expires_at": crate::time_format::iso_utc(at / 1000)}))
        }
        None => Err(ApiError::BadRequest(
            "Sich selbst beobachten geht nicht.".into(),
        )),
    }
}

/// A colleague on a panel.
#[derive(Serialize, ToSchema)]
pub struct PanelEntry {
    login: String,
    name: String,
    extension: String,
    /// The unit's path.
    unit: String,
    /// Presence as the viewer may see it.
    #[schema(value_type = Option<PresenceEntry>)]
    presence: Option<Value>,
}

/// Panel entries: who, with presence as `viewer` may see it.
fn entries(rt: &Live, viewer: i64, people: &[PanelPerson]) -> Vec<PanelEntry> {
    let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
    let presence = rt.entries(viewer, &ids);
    people
        .iter()
        .map(|p| PanelEntry {
            presence: presence
                .iter()
                .find(|e| e["login"] == p.login.as_str())
                .cloned(),
            login: p.login.clone(),
            name: p.name.clone(),
            extension: p.extension.clone(),
            unit: p.unit.clone(),
        })
        .collect()
}

/// Exactly one of: a unit, logins, or a search text.
#[derive(Deserialize, IntoParams)]
pub struct PresenceQuery {
    /// A unit's path: its people.
    unit: Option<String>,
    /// Logins, comma-separated (up to 500).
    logins: Option<String>,
    /// Found by name, login or extension (1–100 characters, up to 50 people).
    q: Option<String>,
}

/// Colleagues with their presence.
#[derive(Serialize, ToSchema)]
pub struct Entries {
    entries: Vec<PanelEntry>,
}

/// Presence of a unit, of people, or of people found by name, login or extension.
#[utoipa::path(get, path = "/api/v1/presence", tag = "presence",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(PresenceQuery),
    responses((status = 200, body = Entries),
        (status = 400, description = "Not exactly one of unit, logins and q, or q empty or over 100 characters", body = ErrorBody),
        (status = 404, description = "Unknown unit", body = ErrorBody)))]
pub async fn presence(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<PresenceQuery>,
) -> Result<Json<Entries>, ApiError> {
    let people = match (q.unit, q.logins, q.q) {
        (None, None, Some(text)) => {
            let text = text.trim();
            if text.is_empty() || text.chars().count() > 100 {
                return Err(ApiError::BadRequest(
                    "Der Suchtext muss 1 bis 100 Zeichen lang sein.".into(),
                ));
            }
            state.store.find_people(text, 50).await?
        }
        (Some(unit), None, None) => {
            let path = UnitPath::parse(&unit)?;
            if !state.store.unit_exists(&path).await? {
                return Err(ApiError::NotFound(format!(
                    "Die Einheit „{unit}“ gibt es nicht."
                )));
            }
            state.store.unit_people(&path.to_string(), false).await?
        }
        (None, Some(logins), None) => {
            let mut people = Vec::new();
            for login in logins
                .split(',')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .take(500)
            {
                if let Some(p) = state.store.panel_person(login).await? {
                    people.push(p);
                }
            }
            people
        }
        _ => {
            return Err(ApiError::BadRequest(
                "Geben Sie genau eines von „unit“, „logins“ oder „q“ an.".into(),
            ))
        }
    };
    Ok(Json(Entries {
        entries: entries(&state.live, who.account.id, &people),
    }))
}

/// Set the own presence.
#[utoipa::path(put, path = "/api/v1/me/presence", tag = "presence",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    request_body = PresenceBody,
    responses((status = 200, description = "The own presence entry", body = PresenceEntry),
        (status = 400, description = "Unknown state or location, note too long, until in the past", body = ErrorBody)))]
pub async fn set_presence(
    State(state): State<AppState>,
    who: SignedIn,
    Json(body): Json<PresenceBody>,
) -> Result<Json<Value>, ApiError> {
    let manual = body
        .to_manual(state.live.now_ms())
        .map_err(ApiError::BadRequest)?;
    let me = who.account.id;
    state.live.set_manual(me, manual).await?;
    let entry = state.live.entries(me, &[me]).pop().unwrap_or(Value::Null);
    Ok(Json(entry))
}

/// The own unit on the team panel.
#[derive(Serialize, ToSchema)]
pub struct UnitPanel {
    path: String,
    entries: Vec<PanelEntry>,
}

/// A team-panel group an administrator defined.
#[derive(Serialize, ToSchema)]
pub struct GroupPanel {
    id: i64,
    name: String,
    entries: Vec<PanelEntry>,
}

/// The team panel.
#[derive(Serialize, ToSchema)]
pub struct TeamPanel {
    unit: UnitPanel,
    favourites: Vec<PanelEntry>,
    groups: Vec<GroupPanel>,
}

/// The own unit, favourites and team-panel groups, with presence.
#[utoipa::path(get, path = "/api/v1/team-panel", tag = "presence",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = TeamPanel)))]
pub async fn team_panel(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Json<TeamPanel>, ApiError> {
    let rt = &state.live;
    let me = who.account.id;
    let unit = who.account.unit.to_string();
    let unit_people = state.store.unit_people(&unit, false).await?;
    let favourites = state.store.favourites(me).await?;
    let groups = state
        .store
        .panel_groups(me)
        .await?
        .iter()
        .map(|g| GroupPanel {
            id: g.id,
            name: g.name.clone(),
            entries: entries(rt, me, &g.members),
        })
        .collect();
    Ok(Json(TeamPanel {
        unit: UnitPanel {
            entries: entries(rt, me, &unit_people),
            path: unit,
        },
        favourites: entries(rt, me, &favourites),
        groups,
    }))
}

/// Add a favourite (followed on every open client at once).
#[utoipa::path(put, path = "/api/v1/me/favourites/{login}", tag = "presence",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("login" = String, Path)),
    responses((status = 204, description = "Added"),
        (status = 400, description = "Oneself", body = ErrorBody),
        (status = 404, description = "Not in the directory", body = ErrorBody)))]
pub async fn add_favourite(
    State(state): State<AppState>,
    who: SignedIn,
    Path(login): Path<String>,
) -> Result<StatusCode, ApiError> {
    let target = Login::parse(&login)?;
    if target == who.account.login {
        return Err(ApiError::BadRequest(
            "Sie können sich nicht selbst als Favorit speichern.".into(),
        ));
    }
    state
        .store
        .add_favourites(&who.account.login, &[target])
        .await?;
    if let Some(id) = state.live.id_of(&login) {
        state.live.follow_everywhere(who.account.id, id);
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a favourite.
#[utoipa::path(delete, path = "/api/v1/me/favourites/{login}", tag = "presence",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("login" = String, Path)),
    responses((status = 204, description = "Removed"), (status = 404, description = "Not a favourite", body = ErrorBody)))]
pub async fn remove_favourite(
    State(state): State<AppState>,
    who: SignedIn,
    Path(login): Path<String>,
) -> Result<StatusCode, ApiError> {
    let target = person_id(&state.live, &login)?;
    if state.store.remove_favourite(who.account.id, target).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(format!("„{login}“ ist kein Favorit.")))
    }
}

/// "Tell me when she is available."
#[derive(Serialize, ToSchema)]
pub struct Watch {
    login: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    /// When the watch gives up (ISO 8601, UTC).
    expires_at: String,
}

/// The own watches.
#[derive(Serialize, ToSchema)]
pub struct Watches {
    watches: Vec<Watch>,
}

/// The own watches ("tell me when she is available").
#[utoipa::path(get, path = "/api/v1/me/watches", tag = "presence",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = Watches)))]
pub async fn watches(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Json<Watches>, ApiError> {
    let watches = state
        .store
        .watches_of(who.account.id)
        .await?
        .into_iter()
        .map(|(p, expires)| Watch {
            login: p.login,
            name: Some(p.name),
            expires_at: crate::time_format::iso_utc(expires / 1000),
        })
        .collect();
    Ok(Json(Watches { watches }))
}

/// `{login}`
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WatchBody {
    login: String,
}

/// Watch a colleague: a notice once she is available (at once, if she is now).
#[utoipa::path(post, path = "/api/v1/me/watches", tag = "presence",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    request_body = WatchBody,
    responses((status = 201, body = Watch),
        (status = 400, description = "Oneself", body = ErrorBody),
        (status = 404, description = "Not in the directory", body = ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    who: SignedIn,
    Json(body): Json<WatchBody>,
) -> Result<Response, ApiError> {
    let answer = add_watch(&state.live, who.account.id, &body.login).await?;
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// Stop watching a colleague.
#[utoipa::path(delete, path = "/api/v1/me/watches/{login}", tag = "presence",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("login" = String, Path)),
    responses((status = 204, description = "Removed"), (status = 404, description = "Not watched", body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    who: SignedIn,
    Path(login): Path<String>,
) -> Result<StatusCode, ApiError> {
    if remove_watch(&state.live, who.account.id, &login).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(format!(
            "Sie beobachten „{login}“ nicht."
        )))
    }
}
