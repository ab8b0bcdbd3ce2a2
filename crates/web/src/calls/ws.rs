//! Calls over the WebSocket: each `call.…` frame goes to call control's desk; the answer
//! (`ack` with the call's id, or `error`) comes as soon as it is taken, everything else
//! as `call.*` frames.

use crate::calls::frames::request;
use crate::realtime::caller::{ack, Answer, Caller};
use crate::realtime::frames::{self, Envelope, FrameError};
use serde_json::json;

/// Handles a `call.…` frame.
pub async fn handle(client: &Caller, e: &Envelope) -> Result<Answer, FrameError> {
    let r = e.reference.as_ref();
    let request = request(e)?;
    let Some(desk) = client.live.call_desk() else {
        return Ok(Some(frames::error(
            r,
            "unavailable",
            "Die Telefonie ist auf diesem Server nicht eingeschaltet.",
        )));
    };
    Ok(
        match desk
            .request(client.me.clone(), client.conn.0, request)
            .await
        {
            Ok(call) => ack(r, json!({"call": call})),
            Err(e) => Some(frames::error(r, e.code, &e.message)),
        },
    )
}
