//! Chat messages over REST: history, sending, editing, deleting, read markers, search.
//! The same checks and the same writer as over the WebSocket (`live::chat`).

use crate::auth::session::SignedIn;
use crate::chat::frames::Message;
use crate::chat::{mark_read, write};
use crate::chat::{member, rule_error};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use live::chat::messages::new_message;
use live::chat::writer::Change;
use presence::chat_text;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

/// A page of history.
#[derive(Deserialize, IntoParams)]
pub struct Paging {
    /// Messages older than this id.
    before: Option<i64>,
    /// 1–100, default 50.
    limit: Option<i64>,
}

/// Messages, newest first.
#[derive(Serialize, ToSchema)]
pub struct MessagePage {
    messages: Vec<Message>,
    /// Older messages exist.
    more: bool,
}

/// A room's history, newest first (members only).
#[utoipa::path(get, path = "/api/v1/rooms/{id}/messages", tag = "chat",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path), Paging),
    responses((status = 200, body = MessagePage),
        (status = 403, description = "Not a member of the room", body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    who: SignedIn,
    Path(room): Path<i64>,
    Query(p): Query<Paging>,
) -> Result<Json<MessagePage>, ApiError> {
    member(&state.live, room, who.account.id)?;
    let limit = p.limit.unwrap_or(50).clamp(1, 100);
    let page = state.store.history(room, p.before, limit).await?;
    let messages: Vec<Message> = page.iter().map(Message::from).collect();
    Ok(Json(MessagePage {
        more: messages.len() as i64 == limit,
        messages,
    }))
}

/// `{text, attachment}`
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendBody {
    #[serde(default)]
    text: String,
    #[serde(default)]
    attachment: Option<String>,
}

/// Send a message (acknowledged once stored; the members' sockets get it too).
#[utoipa::path(post, path = "/api/v1/rooms/{id}/messages", tag = "chat",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path)), request_body = SendBody,
    responses((status = 201, body = Message),
        (status = 400, description = "Empty, too long, control characters", body = ErrorBody),
        (status = 403, description = "Not a member of the room", body = ErrorBody),
        (status = 404, description = "The attachment is not one's own unsent upload to this room", body = ErrorBody),
        (status = 429, description = "Writing faster than allowed (one limit with the WebSocket)", body = ErrorBody)))]
pub async fn send(
    State(state): State<AppState>,
    who: SignedIn,
    Path(room): Path<i64>,
    Json(body): Json<SendBody>,
) -> Result<Response, ApiError> {
    let rt = &state.live;
    let change = new_message(
        rt,
        who.account.id,
        room,
        &body.text,
        body.attachment.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(write(rt, change).await?)).into_response())
}

/// `{text}`
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditBody {
    text: String,
}

/// Edit an own message.
#[utoipa::path(patch, path = "/api/v1/rooms/{id}/messages/{mid}", tag = "chat",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path), ("mid" = i64, Path)), request_body = EditBody,
    responses((status = 200, body = Message),
        (status = 403, description = "Not the author", body = ErrorBody),
        (status = 404, description = "No such message", body = ErrorBody)))]
pub async fn edit(
    State(state): State<AppState>,
    who: SignedIn,
    Path((_room, id)): Path<(i64, i64)>,
    Json(body): Json<EditBody>,
) -> Result<Json<Value>, ApiError> {
    let text = chat_text::check_text(&body.text, false).map_err(rule_error)?;
    let change = Change::Edit {
        id,
        author: who.account.id,
        text,
    };
    Ok(Json(write(&state.live, change).await?))
}

/// Delete an own message, and its attachment with it.
#[utoipa::path(delete, path = "/api/v1/rooms/{id}/messages/{mid}", tag = "chat",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path), ("mid" = i64, Path)),
    responses((status = 200, body = Message),
        (status = 403, description = "Not the author", body = ErrorBody),
        (status = 404, description = "No such message", body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    who: SignedIn,
    Path((_room, id)): Path<(i64, i64)>,
) -> Result<Json<Value>, ApiError> {
    let change = Change::Delete {
        id,
        author: who.account.id,
    };
    Ok(Json(write(&state.live, change).await?))
}

/// `{up_to}`
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadBody {
    /// A message id: everything up to it is read.
    up_to: i64,
}

/// Unread messages left.
#[derive(Serialize, ToSchema)]
pub struct Unread {
    unread: i64,
}

/// Move the own read marker (never back); the person's other clients hear of it.
#[utoipa::path(post, path = "/api/v1/rooms/{id}/read", tag = "chat",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path)), request_body = ReadBody,
    responses((status = 200, body = Unread), (status = 403, description = "Not a member", body = ErrorBody)))]
pub async fn read(
    State(state): State<AppState>,
    who: SignedIn,
    Path(room): Path<i64>,
    Json(body): Json<ReadBody>,
) -> Result<Json<Unread>, ApiError> {
    let unread = mark_read(&state.live, who.account.id, room, body.up_to, None).await?;
    Ok(Json(Unread { unread }))
}

/// `?q=`
#[derive(Deserialize, IntoParams)]
pub struct SearchQuery {
    /// 2–100 characters.
    q: String,
}

/// Messages found.
#[derive(Serialize, ToSchema)]
pub struct Found {
    messages: Vec<Message>,
}

/// Search the own rooms' messages (up to 50, newest first).
#[utoipa::path(get, path = "/api/v1/search", tag = "chat",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(SearchQuery),
    responses((status = 200, body = Found), (status = 400, description = "Under 2 or over 100 characters", body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Found>, ApiError> {
    let query = q.q.trim();
    if query.chars().count() < 2 || query.chars().count() > 100 {
        return Err(ApiError::BadRequest(
            "Suchen Sie nach 2 bis 100 Zeichen.".into(),
        ));
    }
    let found = state
        .store
        .search_messages(who.account.id, &chat_text::like_pattern(query), 50)
        .await?;
    let messages = found.iter().map(Message::from).collect();
    Ok(Json(Found { messages }))
}
