//! The frames of docs/realtime-protocol.md that the load tool sends and reads. Pure.
//!
//! Latency travels inside the frames: a presence note and a chat text are `lt=<µs>`, the
//! sender's wall clock at sending, and every receiver subtracts it from its own clock
//! (all processes run on one machine, so they share that clock). Requests carry
//! `ref = "p<µs>"` or `"c<µs>"`, so the answer tells its own round trip without any
//! bookkeeping.

use serde_json::{json, Value};

/// What a receiver makes of one server frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// `presence`: whose, and the send time from the note when it is one of ours.
    Presence { login: String, sent: Option<i64> },
    /// `chat.message` with the send time from its text when it is one of ours.
    ChatMessage { sent: Option<i64> },
    /// `ack` of a request: which kind and when it was sent.
    Ack { request: Option<(Request, i64)> },
    /// `error` with its code, and the request it answers.
    Error {
        code: String,
        request: Option<(Request, i64)>,
    },
    /// `resume.done`: the client is in sync.
    ResumeDone,
    /// `presence.snapshot` with its number of entries.
    Snapshot { entries: usize },
    /// Anything else, by type (`welcome`, `room.updated`, …).
    Other(String),
    /// Not a JSON object with a `type`.
    Unreadable,
}

/// The kind of request a `ref` belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// `presence.set`.
    Presence,
    /// `chat.send`.
    Chat,
}

/// The first frame of every connection.
pub fn hello() -> String {
    json!({"type": "hello", "protocol": 1}).to_string()
}

/// `presence.set` sent at `now` (µs).
pub fn presence_set(busy: bool, now: i64) -> String {
    json!({
        "type": "presence.set",
        "ref": format!("p{now}"),
        "state": if busy { "busy" } else { "available" },
        "note": format!("lt={now}"),
    })
    .to_string()
}

/// `chat.send` into `room` sent at `now` (µs).
pub fn chat_send(room: i64, now: i64) -> String {
    json!({
        "type": "chat.send",
        "ref": format!("c{now}"),
        "room": room,
        "text": format!("lt={now}"),
    })
    .to_string()
}

fn stamp(text: Option<&str>) -> Option<i64> {
    text?.strip_prefix("lt=")?.parse().ok()
}

fn request(reference: Option<&Value>) -> Option<(Request, i64)> {
    let r = reference?.as_str()?;
    let kind = match r.as_bytes().first()? {
        b'p' => Request::Presence,
        b'c' => Request::Chat,
        _ => return None,
    };
    Some((kind, r[1..].parse().ok()?))
}

/// Reads one text frame from the server.
pub fn classify(text: &str) -> Incoming {
    let Ok(Value::Object(frame)) = serde_json::from_str::<Value>(text) else {
        return Incoming::Unreadable;
    };
    let Some(kind) = frame.get("type").and_then(Value::as_str) else {
        return Incoming::Unreadable;
    };
    match kind {
        "presence" => {
            let entry = frame.get("entry");
            let field = |name: &str| entry.and_then(|e| e.get(name)).and_then(Value::as_str);
            Incoming::Presence {
                login: field("login").unwrap_or_default().to_string(),
                sent: stamp(field("note")),
            }
        }
        "chat.message" => Incoming::ChatMessage {
            sent: stamp(
                frame
                    .get("message")
                    .and_then(|m| m.get("text"))
                    .and_then(Value::as_str),
            ),
        },
        "ack" => Incoming::Ack {
            request: request(frame.get("ref")),
        },
        "error" => Incoming::Error {
            code: frame
                .get("code")
                .and_then(Value::as_str)
                .unwrap_or("(no code)")
                .to_string(),
            request: request(frame.get("ref")),
        },
        "resume.done" => Incoming::ResumeDone,
        "presence.snapshot" => Incoming::Snapshot {
            entries: frame
                .get("entries")
                .and_then(Value::as_array)
                .map_or(0, Vec::len),
        },
        other => Incoming::Other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_requests_carry_their_send_time() {
        let p: Value = serde_json::from_str(&presence_set(true, 42)).unwrap();
        assert_eq!(
            p,
            json!({"type": "presence.set", "ref": "p42", "state": "busy", "note": "lt=42"})
        );
        let c: Value = serde_json::from_str(&chat_send(12, 43)).unwrap();
        assert_eq!(
            c,
            json!({"type": "chat.send", "ref": "c43", "room": 12, "text": "lt=43"})
        );
    }

    #[test]
    fn frames_from_the_server() {
        let presence = r#"{"type":"presence","entry":{"login":"u00002","state":"busy",
            "location":null,"note":"lt=1700000000000000","until":null,"changed_at":"x"}}"#;
        assert_eq!(
            classify(presence),
            Incoming::Presence {
                login: "u00002".into(),
                sent: Some(1_700_000_000_000_000)
            }
        );
        let hidden = r#"{"entry":{"login":"u00003","note":null},"type":"presence"}"#;
        assert_eq!(
            classify(hidden),
            Incoming::Presence {
                login: "u00003".into(),
                sent: None
            }
        );
        let chat = r#"{"type":"chat.message","message":{"id":1,"room":2,"text":"lt=99"}}"#;
        assert_eq!(classify(chat), Incoming::ChatMessage { sent: Some(99) });
        assert_eq!(
            classify(r#"{"type":"ack","ref":"c77","message":{}}"#),
            Incoming::Ack {
                request: Some((Request::Chat, 77))
            }
        );
        assert_eq!(
            classify(r#"{"type":"error","ref":"p5","code":"rate_limited","message":"…"}"#),
            Incoming::Error {
                code: "rate_limited".into(),
                request: Some((Request::Presence, 5))
            }
        );
        assert_eq!(
            classify(r#"{"type":"ack","ref":7}"#),
            Incoming::Ack { request: None }
        );
        assert_eq!(
            classify(r#"{"type":"presence.snapshot","entries":[{},{}]}"#),
            Incoming::Snapshot { entries: 2 }
        );
        assert_eq!(
            classify(r#"{"type":"resume.done","rev":0}"#),
            Incoming::ResumeDone
        );
        assert_eq!(
            classify(r#"{"type":"welcome"}"#),
            Incoming::Other("welcome".into())
        );
        assert_eq!(classify("[1]"), Incoming::Unreadable);
        assert_eq!(classify(r#"{"no":"type"}"#), Incoming::Unreadable);
    }
}
