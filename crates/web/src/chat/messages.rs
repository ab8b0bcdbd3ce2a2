//! Chat messages over REST: history, sending, editing, deleting, read markers, search.
//! The same checks and the same writer as over the WebSocket (`live::chat`).

use crate::auth::session::SignedIn;
use crate::chat::frames::message_json;
use crate::chat::{mark_read, write};
use crate::chat::{member, rule_error};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use live::chat::messages::new_message;
use live::chat::writer::Change;
use presence::chat_text;
use serde::Deserialize;
use serde_json::{json, Value};

/// `?before=&limit=`
#[derive(Deserialize)]
pub struct Paging {
    before: Option<i64>,
    limit: Option<i64>,
}

/// `GET /api/v1/rooms/{id}/messages`
pub async fn history(
    State(state): State<AppState>,
    who: SignedIn,
    Path(room): Path<i64>,
    Query(p): Query<Paging>,
) -> Result<Json<Value>, ApiError> {
    member(&state.live, room, who.account.id)?;
    let limit = p.limit.unwrap_or(50).clamp(1, 100);
    let page = state.store.history(room, p.before, limit).await?;
    let messages: Vec<Value> = page.iter().map(message_json).collect();
    Ok(Json(
        json!({ "messages": messages, "more": messages.len() as i64 == limit }),
    ))
}

/// `{text, attachment}`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendBody {
    #[serde(default)]
    text: String,
    #[serde(default)]
    attachment: Option<String>,
}

/// `POST /api/v1/rooms/{id}/messages`
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
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditBody {
    text: String,
}

/// `PATCH /api/v1/rooms/{id}/messages/{mid}`
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

/// `DELETE /api/v1/rooms/{id}/messages/{mid}`
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
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadBody {
    up_to: i64,
}

/// `POST /api/v1/rooms/{id}/read`
pub async fn read(
    State(state): State<AppState>,
    who: SignedIn,
    Path(room): Path<i64>,
    Json(body): Json<ReadBody>,
) -> Result<Json<Value>, ApiError> {
    let unread = mark_read(&state.live, who.account.id, room, body.up_to, None).await?;
    Ok(Json(json!({ "unread": unread })))
}

/// `?q=`
#[derive(Deserialize)]
pub struct SearchQuery {
    q: String,
}

/// `GET /api/v1/search?q=`
pub async fn search(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Value>, ApiError> {
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
    let messages: Vec<Value> = found.iter().map(message_json).collect();
    Ok(Json(json!({ "messages": messages })))
}
