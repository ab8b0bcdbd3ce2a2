//! What a feature's frame handler gets and gives: who sent the frame on which connection,
//! and the answer to send back. The gateway imports the features; the features import
//! only this, so they never depend on the gateway.

use crate::error::ApiError;
use crate::realtime::frames;
use ::presence::ConnId;
use live::{Live, Person};
use serde_json::Value;

/// Who sent a frame: the runtime, the signed-in person, the connection.
pub struct Caller {
    /// The runtime.
    pub live: Live,
    /// The signed-in person.
    pub me: Person,
    /// This connection.
    pub conn: ConnId,
}

/// What a feature answers to a frame: a frame to send back now, or nothing (the answer
/// comes later through the outbox, as a chat write's once it is stored).
pub type Answer = Option<String>;

/// The `ack` of a request, with extra fields.
pub fn ack(reference: Option<&Value>, extra: Value) -> Answer {
    Some(frames::ack(reference, extra))
}

/// The `error` frame of a refusal.
pub fn refusal(reference: Option<&Value>, e: &ApiError) -> Answer {
    let (code, message) = crate::error::ws_error(e);
    Some(frames::error(reference, code, &message))
}
