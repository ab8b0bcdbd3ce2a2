//! Chat rooms over REST: the own rooms, new group rooms (within an hourly budget), direct
//! rooms, members. Members are told over the WebSocket (`room.updated`, `room.left`).

use crate::auth::session::{Admin, SignedIn};
use crate::chat::frames::Room;
use crate::chat::{resolve, rule_error};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use live::chat::messages::{announce_room, room_json, title};
use live::Live;
use presence::{room_rules, Actor, RoomFacts, RoomKind};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

/// A room in the own list.
#[derive(Serialize, ToSchema)]
pub struct RoomSummary {
    id: i64,
    kind: String,
    name: String,
    managed: bool,
    title: String,
    members: Vec<String>,
    /// Messages of others after the read marker.
    unread: i64,
    /// The read marker (a message id).
    last_read: i64,
    /// The newest message's id, if any.
    last_message: Option<i64>,
}

/// The own rooms.
#[derive(Serialize, ToSchema)]
pub struct Rooms {
    rooms: Vec<RoomSummary>,
}

/// The own rooms, with unread counts.
#[utoipa::path(get, path = "/api/v1/rooms", tag = "chat",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = Rooms)))]
pub async fn rooms(State(state): State<AppState>, who: SignedIn) -> Result<Json<Rooms>, ApiError> {
    let rt = &state.live;
    let me = who.account.id;
    let rooms = state
        .store
        .rooms_of(me)
        .await?
        .into_iter()
        .map(|s| RoomSummary {
            title: title(rt, me, &s.room, &s.members),
            id: s.room.id,
            kind: s.room.kind,
            name: s.room.name,
            managed: s.room.managed,
            members: s.members,
            unread: s.unread,
            last_read: s.last_read,
            last_message: s.last_message,
        })
        .collect();
    Ok(Json(Rooms { rooms }))
}

/// `{name, members}`
#[derive(Deserialize, ToSchema)]
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

/// Make a group room (the caller is a member; a few per hour).
#[utoipa::path(post, path = "/api/v1/rooms", tag = "chat",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    request_body = NewRoom,
    responses((status = 201, body = Room),
        (status = 400, description = "Bad name (empty, over 80 characters, hidden characters)", body = ErrorBody),
        (status = 404, description = "A member is not in the directory", body = ErrorBody),
        (status = 429, description = "Too many rooms this hour; see Retry-After", body = ErrorBody)))]
pub async fn create_room(
    State(state): State<AppState>,
    who: SignedIn,
    Json(body): Json<NewRoom>,
) -> Result<Response, ApiError> {
    create(&state, who.account.id, body, false).await
}

/// Make a room whose members administrators manage.
#[utoipa::path(post, path = "/api/v1/admin/rooms", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    request_body = NewRoom,
    responses((status = 201, body = Room),
        (status = 400, description = "Bad name", body = ErrorBody),
        (status = 404, description = "A member is not in the directory", body = ErrorBody)))]
pub async fn create_managed_room(
    State(state): State<AppState>,
    who: Admin,
    Json(body): Json<NewRoom>,
) -> Result<Response, ApiError> {
    create(&state, who.0.account.id, body, true).await
}

/// `{login}`
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    login: String,
}

/// The direct room with a colleague (made when missing).
#[utoipa::path(post, path = "/api/v1/rooms/direct", tag = "chat",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    request_body = LoginBody,
    responses((status = 200, body = Room),
        (status = 400, description = "Oneself", body = ErrorBody),
        (status = 404, description = "Not in the directory", body = ErrorBody)))]
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

/// Add a member (members of group rooms may; unit and managed rooms are fixed).
#[utoipa::path(post, path = "/api/v1/rooms/{id}/members", tag = "chat",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path)), request_body = LoginBody,
    responses((status = 200, body = Room),
        (status = 403, description = "Not a member, or the room's members are fixed", body = ErrorBody),
        (status = 404, description = "No such room or person", body = ErrorBody)))]
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

/// Remove a member (oneself, or anyone as an administrator).
#[utoipa::path(delete, path = "/api/v1/rooms/{id}/members/{login}", tag = "chat",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path), ("login" = String, Path)),
    responses((status = 200, body = Room),
        (status = 403, description = "Only oneself, or the room's members are fixed", body = ErrorBody),
        (status = 404, description = "Not in the room", body = ErrorBody)))]
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
