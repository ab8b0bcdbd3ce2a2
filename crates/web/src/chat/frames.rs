//! The chat part of the real-time protocol: `chat.send`, `chat.edit`, `chat.delete`,
//! `chat.typing`, `chat.read` from clients; `chat.message`, `chat.typing`, `chat.read`,
//! `room.updated` and `room.left` to them.

use crate::realtime::frames::{int, missing, string, Envelope, FrameError};
use crate::time_format::iso_utc;
use serde_json::{json, Value};
use store::MessageRow;

/// A chat request of a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Send a message.
    Send {
        /// Room.
        room: i64,
        /// Text.
        text: String,
        /// Attachment id.
        attachment: Option<String>,
    },
    /// Edit own message.
    Edit {
        /// Message.
        id: i64,
        /// New text.
        text: String,
    },
    /// Delete own message.
    Delete {
        /// Message.
        id: i64,
    },
    /// Typing in a room.
    Typing {
        /// Room.
        room: i64,
    },
    /// Read marker.
    Read {
        /// Room.
        room: i64,
        /// Up to this message.
        up_to: i64,
    },
}

/// Reads a `chat.…` frame.
pub fn request(e: &Envelope) -> Result<Request, FrameError> {
    let o = &e.body;
    Ok(match e.kind.as_str() {
        "chat.send" => Request::Send {
            room: int(o, "room")?,
            text: o
                .get("text")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            attachment: match o.get("attachment") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(_) => return Err(missing("attachment")),
            },
        },
        "chat.edit" => Request::Edit {
            id: int(o, "id")?,
            text: string(o, "text")?,
        },
        "chat.delete" => Request::Delete { id: int(o, "id")? },
        "chat.typing" => Request::Typing {
            room: int(o, "room")?,
        },
        "chat.read" => Request::Read {
            room: int(o, "room")?,
            up_to: int(o, "up_to")?,
        },
        other => return Err(FrameError::unknown(other)),
    })
}

/// A message as the API shows it.
pub fn message_json(m: &MessageRow) -> Value {
    json!({
        "id": m.id, "room": m.room_id, "rev": m.rev, "author": m.author, "author_name": m.author_name,
        "text": m.text, "mentions": m.mentions,
        "attachment": m.attachment.as_ref().map(|a| json!({
            "id": a.id, "name": a.name, "size": a.size, "content_type": a.content_type})),
        "sent_at": iso_utc(m.sent_at_ms / 1000),
        "edited_at": m.edited_at_ms.map(|t| iso_utc(t / 1000)),
        "deleted": m.deleted,
    })
}

/// `chat.message`.
pub fn chat_message(m: &MessageRow) -> String {
    json!({"type": "chat.message", "message": message_json(m)}).to_string()
}

/// `chat.typing`.
pub fn typing(room: i64, login: &str, name: &str) -> String {
    json!({"type": "chat.typing", "room": room, "login": login, "name": name}).to_string()
}

/// `chat.read`.
pub fn read(room: i64, up_to: i64, unread: i64) -> String {
    json!({"type": "chat.read", "room": room, "up_to": up_to, "unread": unread}).to_string()
}

/// `room.updated`.
pub fn room_updated(room: Value) -> String {
    json!({"type": "room.updated", "room": room}).to_string()
}

/// `room.left`.
pub fn room_left(room: i64) -> String {
    json!({"type": "room.left", "room": room}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::realtime::frames::parse;

    fn read(text: &str) -> Result<Request, FrameError> {
        request(&parse(text).1.unwrap())
    }

    #[test]
    fn reads_every_chat_request() {
        assert_eq!(
            read(r#"{"type":"chat.send","room":3,"text":"Hi"}"#),
            Ok(Request::Send {
                room: 3,
                text: "Hi".into(),
                attachment: None
            })
        );
        assert_eq!(
            read(r#"{"type":"chat.read","room":3,"up_to":9}"#),
            Ok(Request::Read { room: 3, up_to: 9 })
        );
        assert_eq!(
            read(r#"{"type":"chat.delete","id":9}"#),
            Ok(Request::Delete { id: 9 })
        );
        assert!(
            matches!(read(r#"{"type":"chat.send","room":"x"}"#), Err(FrameError::BadRequest(m)) if m.contains("room"))
        );
    }
}
