//! Presence over the WebSocket: setting one's own, idle reports, following more people,
//! watches.

use crate::error::ApiError;
use crate::presence::frames::{request, Request};
use crate::realtime::caller::{ack, refusal, Answer, Caller};
use crate::realtime::frames::{Envelope, FrameError};
use serde_json::json;

/// Extra people one client may follow with `presence.subscribe`.
pub const MAX_EXTRA_FOLLOWS: usize = 500;

/// Presence's state on one connection.
#[derive(Debug, Default)]
pub struct ConnState {
    extra_follows: usize,
}

/// Handles a `presence.…` or `watch.…` frame.
pub async fn handle(
    client: &Caller,
    state: &mut ConnState,
    e: &Envelope,
) -> Result<Answer, FrameError> {
    let r = e.reference.as_ref();
    let me = client.me.id;
    let live = &client.live;
    Ok(match request(e)? {
        Request::Activity { idle } => {
            live.activity(client.conn, idle);
            None
        }
        Request::Set(body) => match body.to_manual(live.now_ms()) {
            Ok(m) => match live.set_manual(me, m).await {
                Ok(()) => ack(r, json!({})),
                Err(e) => refusal(r, &e.into()),
            },
            Err(why) => refusal(r, &ApiError::BadRequest(why)),
        },
        Request::Subscribe { logins } => {
            if state.extra_follows + logins.len() > MAX_EXTRA_FOLLOWS {
                let why = format!("Höchstens {MAX_EXTRA_FOLLOWS} weitere Personen.");
                return Ok(refusal(r, &ApiError::BadRequest(why)));
            }
            state.extra_follows += logins.len();
            Some(live.follow(client.conn, me, &logins, r).as_str().to_owned())
        }
        Request::WatchAdd { login } => {
            match crate::presence::api::add_watch(live, me, &login).await {
                Ok(v) => ack(r, v),
                Err(e) => refusal(r, &e),
            }
        }
        Request::WatchRemove { login } => {
            // Over the socket, ending a watch that was not there is no error.
            match crate::presence::api::remove_watch(live, me, &login).await {
                Ok(_) => ack(r, json!({})),
                Err(e) => refusal(r, &e),
            }
        }
    })
}
