//! Chat: rooms, messages, attachments over REST, and chat over the WebSocket. The rules
//! are in `presence::room_rules` and `presence::chat_text`, writing in `live::chat`.

pub mod attachments;
pub mod frames;
pub mod messages;
pub mod rooms;
pub mod uploads;
pub mod ws;

use crate::error::ApiError;
use crate::AppState;
use live::chat::messages as live_chat;
use live::chat::writer::Change;
use live::Live;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Whether `me` may read and post in `room`.
pub(crate) fn member(live: &Live, room: i64, me: i64) -> Result<(), ApiError> {
    Ok(live_chat::may_post(live, room, me)?)
}

/// A rule's refusal as an answer.
pub(crate) fn rule_error(e: presence::PresenceError) -> ApiError {
    live_chat::rule_error(e).into()
}

/// Queues a change and answers with the stored message as the API shows it.
pub(crate) async fn write(live: &Live, change: Change) -> Result<Value, ApiError> {
    Ok(frames::message_json(&live_chat::write(live, change).await?))
}

/// Moves the read marker and tells the person's other clients; returns the unread count.
pub(crate) async fn mark_read(
    live: &Live,
    me: i64,
    room: i64,
    up_to: i64,
    except: Option<presence::ConnId>,
) -> Result<i64, ApiError> {
    member(live, room, me)?;
    let unread = live.store().set_read(room, me, up_to).await?;
    live.to_person(me, except, frames::read(room, up_to, unread).into());
    Ok(unread)
}

/// Staff ids of these logins, each once; unknown ones are a 404 naming them.
pub(crate) fn resolve(rt: &Live, logins: &[String]) -> Result<Vec<i64>, ApiError> {
    let mut ids = Vec::new();
    let mut unknown = Vec::new();
    for l in logins {
        match rt.id_of(l.trim()) {
            Some(id) if !ids.contains(&id) => ids.push(id),
            Some(_) => {}
            None => unknown.push(l.clone()),
        }
    }
    if unknown.is_empty() {
        Ok(ids)
    } else {
        Err(ApiError::NotFound(format!(
            "Nicht im Verzeichnis: {}",
            unknown.join(", ")
        )))
    }
}

/// Rooms, messages, attachments and search.
pub fn routes() -> OpenApiRouter<AppState> {
    use messages as m;
    use rooms as r;
    OpenApiRouter::new()
        .routes(routes!(r::rooms, r::create_room))
        .routes(routes!(r::direct_room))
        .routes(routes!(m::history, m::send))
        .routes(routes!(m::edit, m::delete))
        .routes(routes!(m::read))
        .routes(routes!(r::add_member))
        .routes(routes!(r::remove_member))
        .routes(routes!(attachments::upload))
        .routes(routes!(attachments::download))
        .routes(routes!(m::search))
        .routes(routes!(r::create_managed_room))
}
