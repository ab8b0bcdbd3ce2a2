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

/// A file that goes with a message.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Attachment {
    /// 32 hexadecimal digits; download at `/api/v1/attachments/{id}`.
    id: String,
    name: String,
    /// Bytes.
    size: i64,
    content_type: String,
}

/// A chat message as the API shows it (REST and WebSocket alike).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Message {
    id: i64,
    room: i64,
    /// The revision of its last change (the order of all changes).
    rev: i64,
    /// The author's login.
    author: String,
    author_name: String,
    /// Empty when deleted.
    text: String,
    /// Logins mentioned with `@login` who are in the room.
    mentions: Vec<String>,
    attachment: Option<Attachment>,
    /// ISO 8601, UTC.
    sent_at: String,
    /// The last edit or the deletion (ISO 8601, UTC).
    edited_at: Option<String>,
    deleted: bool,
}

impl From<&MessageRow> for Message {
    fn from(m: &MessageRow) -> Message {
        Message {
            id: m.id,
            room: m.room_id,
            rev: m.rev,
            author: m.author.clone(),
            author_name: m.author_name.clone(),
            text: m.text.clone(),
            mentions: m.mentions.clone(),
            attachment: m.attachment.as_ref().map(|a| Attachment {
                id: a.id.clone(),
                name: a.name.clone(),
                size: a.size,
                content_type: a.content_type.clone(),
            }),
            sent_at: iso_utc(m.sent_at_ms / 1000),
            edited_at: m.edited_at_ms.map(|t| iso_utc(t / 1000)),
            deleted: m.deleted,
        }
    }
}

/// A room as its members see it (`title`: the other person's name in a direct room).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Room {
    id: i64,
    /// `group`, `direct`, `unit` or `managed`.
    kind: String,
    name: String,
    /// Members are managed by administrators.
    managed: bool,
    title: String,
    /// Logins.
    members: Vec<String>,
}

/// A message as the API shows it.
pub fn message_json(m: &MessageRow) -> Value {
    serde_json::to_value(Message::from(m)).unwrap_or_default()
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
