//! Chat rooms over REST: the own rooms, new group rooms (within an hourly budget), direct
//! rooms, members. Members are told over the WebSocket (`room.updated`, `room.left`).

use crate::auth::session::{Admin, SignedIn};
use crate::chat::{resolve, rule_error};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use live::chat::messages::{announce_room, room_json, title};
use live::Live;
use presence::{room_rules, Actor, RoomFacts, RoomKind};
use serde::Deserialize;
use serde_json::{json, Value};

/// `GET /api/v1/rooms`
pub async fn rooms(State(state): State<AppState>, who: SignedIn) -> Result<Json<Value>, ApiError> {
    let rt = &state.live;
    let me = who.account.id;
    let rooms: Vec<Value> = state
        .store
        .rooms_of(me)
        .await?
        .into_iter()
        .map(|s| {
            json!({
                "id": s.room.id, "kind": s.room.kind, "name": s.room.name, "managed": s.room.managed,
                "title": title(rt, me, &s.room, &s.members), "members": s.members,
                "unread": s.unread, "last_read": s.last_read, "last_message": s.last_message,
            })
        })
        .collect();
    Ok(Json(json!({ "rooms": rooms })))
}

/// `{name, members}`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRoom {
    name: String,
    #[serde(default)]
    members: Vec<String>,
}

/// Takes one of the person's new group rooms for this hour (a script adding the same
/// colleagues to hundreds of rooms would flood their room lists). Direct rooms need no
/// budget: there is at most one per pair of people.
fn take_new_room(rt: &Live, me: i64) -> Result<(), ApiError> {
    rt.take_new_room(me)
        .map_err(|wait_ms| ApiError::TooManyRequests((wait_ms / 1000).max(1) as u64))
}

async fn create(
    state: &AppState,
    me: i64,
    body: NewRoom,
    managed: bool,
) -> Result<Response, ApiError> {
    let name = room_rules::check_room_name(&body.name).map_err(rule_error)?;
    let mut ids = resolve(&state.live, &body.members)?;
    if !managed {
        take_new_room(&state.live, me)?;
    }
    if !managed && !ids.contains(&me) {
        ids.insert(0, me);
    }
    let id = state
        .store
        .create_room(&name, managed, &ids, state.live.now_ms())
        .await?;
    let json = announce_room(&state.live, me, id, &[]).await?;
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

/// `POST /api/v1/rooms`
pub async fn create_room(
    State(state): State<AppState>,
    who: SignedIn,
    Json(body): Json<NewRoom>,
) -> Result<Response, ApiError> {
    create(&state, who.account.id, body, false).await
}

/// `POST /api/v1/admin/rooms`
pub async fn create_managed_room(
    State(state): State<AppState>,
    who: Admin,
    Json(body): Json<NewRoom>,
) -> Result<Response, ApiError> {
    create(&state, who.0.account.id, body, true).await
}

/// `{login}`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    login: String,
}

/// `POST /api/v1/rooms/direct`
pub async fn direct_room(
    State(state): State<AppState>,
    who: SignedIn,
    Json(body): Json<LoginBody>,
) -> Result<Json<Value>, ApiError> {
    let rt = &state.live;
    let me = who.account.id;
    let other = resolve(rt, std::slice::from_ref(&body.login))?[0];
    if other == me {
        return Err(ApiError::BadRequest(
            "Ein Chat mit sich selbst geht nicht.".into(),
        ));
    }
    let (id, created) = state
        .store
        .direct_room(me, other, state.live.now_ms())
        .await?;
    if created {
        return Ok(Json(announce_room(rt, me, id, &[]).await?));
    }
    let room = state.store.room(id).await?.ok_or(ApiError::Internal)?;
    Ok(Json(room_json(rt, me, &room).await?))
}

async fn facts(state: &AppState, room: i64) -> Result<RoomFacts, ApiError> {
    let row = state
        .store
        .room(room)
        .await?
        .ok_or_else(|| ApiError::NotFound("Diesen Raum gibt es nicht.".into()))?;
    let kind = RoomKind::parse(&row.kind).ok_or(ApiError::Internal)?;
    Ok(RoomFacts {
        kind,
        managed: row.managed,
    })
}

/// `POST /api/v1/rooms/{id}/members`
pub async fn add_member(
    State(state): State<AppState>,
    who: SignedIn,
    Path(room): Path<i64>,
    Json(body): Json<LoginBody>,
) -> Result<Json<Value>, ApiError> {
    let rt = &state.live;
    let me = who.account.id;
    let actor = Actor {
        member: rt.is_member(room, me),
        admin: who.account.roles.contains(directory::Role::Admin),
    };
    room_rules::may_add_member(facts(&state, room).await?, actor).map_err(rule_error)?;
    let target = resolve(rt, std::slice::from_ref(&body.login))?[0];
    state
        .store
        .add_member(room, target, state.live.now_ms())
        .await?;
    Ok(Json(announce_room(rt, me, room, &[]).await?))
}

/// `DELETE /api/v1/rooms/{id}/members/{login}`
pub async fn remove_member(
    State(state): State<AppState>,
    who: SignedIn,
    Path((room, login)): Path<(i64, String)>,
) -> Result<Json<Value>, ApiError> {
    let rt = &state.live;
    let me = who.account.id;
    let target = resolve(rt, std::slice::from_ref(&login))?[0];
    let actor = Actor {
        member: rt.is_member(room, me),
        admin: who.account.roles.contains(directory::Role::Admin),
    };
    room_rules::may_remove_member(facts(&state, room).await?, actor, target == me)
        .map_err(rule_error)?;
    if !state.store.remove_member(room, target).await? {
        return Err(ApiError::NotFound(format!(
            "„{login}“ ist nicht in diesem Raum."
        )));
    }
    Ok(Json(announce_room(rt, me, room, &[target]).await?))
}
