//! Chat over the WebSocket: writing (answered by the writer once stored), typing, read
//! markers.

use crate::chat::frames::{request, typing, Request};
use crate::chat::{mark_read, rule_error};
use crate::error::ApiError;
use crate::realtime::caller::{ack, refusal, Answer, Caller};
use crate::realtime::frames::{Envelope, FrameError};
use live::chat::messages::{new_message, submit};
use live::chat::writer::{Change, Reply};
use presence::chat_text;
use serde_json::json;

/// Typing notices one client sends at most every this many milliseconds.
const TYPING_EVERY_MS: i64 = 2_000;

/// Chat's state on one connection.
#[derive(Debug, Default)]
pub struct ConnState {
    last_typing_ms: i64,
}

/// Handles a `chat.…` frame.
pub async fn handle(
    client: &Caller,
    state: &mut ConnState,
    e: &Envelope,
) -> Result<Answer, FrameError> {
    let r = e.reference.as_ref();
    let me = client.me.id;
    let live = &client.live;
    let change = match request(e)? {
        Request::Send {
            room,
            text,
            attachment,
        } => new_message(live, me, room, &text, attachment.as_deref())
            .await
            .map_err(ApiError::from),
        Request::Edit { id, text } => chat_text::check_text(&text, false)
            .map(|text| Change::Edit {
                id,
                author: me,
                text,
            })
            .map_err(rule_error),
        Request::Delete { id } => Ok(Change::Delete { id, author: me }),
        Request::Typing { room } => {
            let now = live.now_ms();
            if live.is_member(room, me) && now - state.last_typing_ms >= TYPING_EVERY_MS {
                state.last_typing_ms = now;
                let frame = typing(room, &client.me.login, &client.me.name);
                live.to_room_except(room, me, frame.into());
            }
            return Ok(None);
        }
        Request::Read { room, up_to } => {
            let result = mark_read(live, me, room, up_to, Some(client.conn)).await;
            return Ok(match result {
                Ok(unread) => ack(r, json!({"unread": unread})),
                Err(e) => refusal(r, &e),
            });
        }
    };
    // The writer answers once the change is stored.
    let submitted = change.and_then(|change| {
        submit(live, change, Reply::Ws(client.conn, r.cloned())).map_err(ApiError::from)
    });
    Ok(match submitted {
        Ok(()) => None,
        Err(e) => refusal(r, &e),
    })
}
