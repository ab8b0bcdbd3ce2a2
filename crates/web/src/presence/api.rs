//! Presence over REST: reading presence, setting one's own, the team panel, favourites,
//! watches, and the team-panel groups administrators define.

use crate::auth::session::{Admin, SignedIn};
use crate::error::ApiError;
use crate::presence::frames::PresenceBody;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use directory::{GroupKind, GroupName, Login, UnitPath};
use live::Live;
use serde::Deserialize;
use serde_json::{json, Value};
use store::PanelPerson;

/// Adds a watch on `login`; the answer holds when it expires.
pub async fn add_watch(live: &Live, me: i64, login: &str) -> Result<Value, ApiError> {
    let target = live
        .id_of(login)
        .ok_or_else(|| ApiError::NotFound(format!("„{login}“ gibt es nicht.")))?;
    match live.watch(me, target).await? {
        Some(at) => {
            Ok(json!({"login": login, "expires_at": crate::time_format::iso_utc(at / 1000)}))
        }
        None => Err(ApiError::BadRequest(
            "Sich selbst beobachten geht nicht.".into(),
        )),
    }
}

/// Panel entries: who, with presence as `viewer` may see it.
fn entries(rt: &Live, viewer: i64, people: &[PanelPerson]) -> Vec<Value> {
    let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
    let presence = rt.entries(viewer, &ids);
    people
        .iter()
        .map(|p| {
            let mine = presence
                .iter()
                .find(|e| e["login"] == p.login.as_str())
                .cloned();
            json!({"login": p.login, "name": p.name, "extension": p.extension, "unit": p.unit,
                   "presence": mine.unwrap_or(Value::Null)})
        })
        .collect()
}

/// `?unit=PATH`, `?logins=a,b` or `?q=TEXT`
#[derive(Deserialize)]
pub struct PresenceQuery {
    unit: Option<String>,
    logins: Option<String>,
    q: Option<String>,
}

/// `GET /api/v1/presence`
pub async fn presence(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<PresenceQuery>,
) -> Result<Json<Value>, ApiError> {
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
    Ok(Json(
        json!({ "entries": entries(&state.live, who.account.id, &people) }),
    ))
}

/// `PUT /api/v1/me/presence`
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

/// `GET /api/v1/team-panel`
pub async fn team_panel(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Json<Value>, ApiError> {
    let rt = &state.live;
    let me = who.account.id;
    let unit = who.account.unit.to_string();
    let unit_people = state.store.unit_people(&unit, false).await?;
    let favourites = state.store.favourites(me).await?;
    let groups: Vec<Value> = state
        .store
        .panel_groups(me)
        .await?
        .iter()
        .map(|g| json!({"id": g.id, "name": g.name, "entries": entries(rt, me, &g.members)}))
        .collect();
    Ok(Json(json!({
        "unit": {"path": unit, "entries": entries(rt, me, &unit_people)},
        "favourites": entries(rt, me, &favourites),
        "groups": groups,
    })))
}

/// `PUT /api/v1/me/favourites/{login}`
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

/// `DELETE /api/v1/me/favourites/{login}`
pub async fn remove_favourite(
    State(state): State<AppState>,
    who: SignedIn,
    Path(login): Path<String>,
) -> Result<StatusCode, ApiError> {
    let target = state
        .live
        .id_of(&login)
        .ok_or_else(|| ApiError::NotFound(format!("„{login}“ gibt es nicht.")))?;
    if state.store.remove_favourite(who.account.id, target).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(format!("„{login}“ ist kein Favorit.")))
    }
}

/// `GET /api/v1/me/watches`
pub async fn watches(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Json<Value>, ApiError> {
    let list: Vec<Value> = state
        .store
        .watches_of(who.account.id)
        .await?
        .into_iter()
        .map(|(p, expires)| {
            json!({"login": p.login, "name": p.name, "expires_at": crate::time_format::iso_utc(expires / 1000)})
        })
        .collect();
    Ok(Json(json!({ "watches": list })))
}

/// `{login}`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchBody {
    login: String,
}

/// `POST /api/v1/me/watches`
pub async fn add(
    State(state): State<AppState>,
    who: SignedIn,
    Json(body): Json<WatchBody>,
) -> Result<Response, ApiError> {
    let answer = add_watch(&state.live, who.account.id, &body.login).await?;
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// `DELETE /api/v1/me/watches/{login}`
pub async fn remove(
    State(state): State<AppState>,
    who: SignedIn,
    Path(login): Path<String>,
) -> Result<StatusCode, ApiError> {
    let target = state
        .live
        .id_of(&login)
        .ok_or_else(|| ApiError::NotFound(format!("„{login}“ gibt es nicht.")))?;
    if state.live.unwatch(who.account.id, target).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(format!(
            "Sie beobachten „{login}“ nicht."
        )))
    }
}

/// `GET /api/v1/admin/groups`
pub async fn groups(State(state): State<AppState>, _admin: Admin) -> Result<Json<Value>, ApiError> {
    let list: Vec<Value> = state
        .store
        .groups(GroupKind::TeamPanel)
        .await?
        .into_iter()
        .map(|g| json!({"id": g.id, "name": g.name, "unit": g.unit, "members": g.members}))
        .collect();
    Ok(Json(json!({ "groups": list })))
}

/// `{name, members}`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    name: String,
    #[serde(default)]
    members: Vec<String>,
}

/// `POST /api/v1/admin/groups`
pub async fn create_group(
    State(state): State<AppState>,
    admin: Admin,
    Json(body): Json<NewGroup>,
) -> Result<Response, ApiError> {
    let name = GroupName::parse(&body.name)?;
    let members = body
        .members
        .iter()
        .map(|l| Login::parse(l))
        .collect::<Result<Vec<_>, _>>()?;
    let id = state
        .store
        .create_group(GroupKind::TeamPanel, &name, None, &members)
        .await?;
    crate::admin::audit_trail::record(
        &state,
        Some(admin.0.account.login.as_str()),
        "group.created",
        Some(name.as_str()),
        "",
        format!("{} members", members.len()),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": id, "name": name.as_str()})),
    )
        .into_response())
}

/// `PUT /api/v1/admin/groups/{id}/members/{login}`
pub async fn add_group_member(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, login)): Path<(i64, String)>,
) -> Result<StatusCode, ApiError> {
    let login = Login::parse(&login)?;
    if !state.store.add_group_member(id, &login).await? {
        return Err(ApiError::NotFound(
            "Diese Gruppe oder Person gibt es nicht.".into(),
        ));
    }
    crate::admin::audit_trail::record(
        &state,
        Some(admin.0.account.login.as_str()),
        "group.member_added",
        Some(login.as_str()),
        "",
        format!("group {id}"),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/v1/admin/groups/{id}/members/{login}`
pub async fn remove_group_member(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, login)): Path<(i64, String)>,
) -> Result<StatusCode, ApiError> {
    let login = Login::parse(&login)?;
    if !state.store.remove_group_member(id, &login).await? {
        return Err(ApiError::NotFound(
            "Diese Person ist nicht in der Gruppe.".into(),
        ));
    }
    crate::admin::audit_trail::record(
        &state,
        Some(admin.0.account.login.as_str()),
        "group.member_removed",
        Some(login.as_str()),
        "",
        format!("group {id}"),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
