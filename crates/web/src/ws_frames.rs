//! The JSON frames of the real-time protocol (docs/realtime-protocol.md): reading client
//! requests and writing server frames. Pure functions; no sockets here.

use crate::time_format::{iso_utc, parse_iso};
use presence::{Entry, Location, Manual, State, View};
use serde_json::{json, Map, Value};
use store::MessageRow;

/// The protocol version.
pub const PROTOCOL: u64 = 1;

/// A client request.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// First frame.
    Hello {
        /// Protocol version asked for.
        protocol: u64,
        /// Resume after this revision.
        since: Option<i64>,
    },
    /// Set own presence.
    PresenceSet(PresenceBody),
    /// Idle or back.
    Activity {
        /// Idle.
        idle: bool,
    },
    /// Follow more people.
    Subscribe {
        /// Logins.
        logins: Vec<String>,
    },
    /// Add a watch.
    WatchAdd {
        /// On whom.
        login: String,
    },
    /// Remove a watch.
    WatchRemove {
        /// On whom.
        login: String,
    },
    /// Send a message.
    ChatSend {
        /// Room.
        room: i64,
        /// Text.
        text: String,
        /// Attachment id.
        attachment: Option<String>,
    },
    /// Edit own message.
    ChatEdit {
        /// Message.
        id: i64,
        /// New text.
        text: String,
    },
    /// Delete own message.
    ChatDelete {
        /// Message.
        id: i64,
    },
    /// Typing in a room.
    ChatTyping {
        /// Room.
        room: i64,
    },
    /// Read marker.
    ChatRead {
        /// Room.
        room: i64,
        /// Up to this message.
        up_to: i64,
    },
    /// Keep-alive.
    Ping,
}

/// The body of `presence.set` and `PUT /api/v1/me/presence`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct PresenceBody {
    /// State name.
    pub state: String,
    /// Location name.
    #[serde(default)]
    pub location: Option<String>,
    /// Note.
    #[serde(default)]
    pub note: Option<String>,
    /// ISO time.
    #[serde(default)]
    pub until: Option<String>,
}

impl PresenceBody {
    /// Checks it into a [`Manual`] at `now_ms`; the error is a German sentence.
    pub fn to_manual(&self, now_ms: i64) -> Result<Manual, String> {
        let state = State::parse(&self.state)
            .map_err(|_| format!("Unbekannter Status „{}“.", self.state))?;
        let location = match self.location.as_deref() {
            None | Some("") => None,
            Some(l) => {
                Some(Location::parse(l).map_err(|_| format!("Unbekannter Arbeitsort „{l}“."))?)
            }
        };
        let until = match self.until.as_deref() {
            None | Some("") => None,
            Some(u) => Some(
                parse_iso(u).ok_or_else(|| format!("„{u}“ ist keine Zeitangabe (ISO 8601)."))?
                    * 1000,
            ),
        };
        Manual::new(state, location, self.note.as_deref(), until, now_ms).map_err(|e| match e {
            presence::PresenceError::NotManual(_) => {
                "„Im Gespräch“ und „In Besprechung“ setzen Anrufe und Besprechungen, nicht Sie."
                    .to_owned()
            }
            presence::PresenceError::NoteTooLong { max } => {
                format!("Die Notiz ist länger als {max} Zeichen.")
            }
            presence::PresenceError::NoteControlCharacters => {
                "Die Notiz enthält Steuerzeichen.".to_owned()
            }
            presence::PresenceError::UntilInPast => "„Bis“ muss in der Zukunft liegen.".to_owned(),
            other => other.to_string(),
        })
    }
}

/// Why a frame could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// Not a JSON object with a string `type`.
    Malformed(String),
    /// A type the protocol does not have.
    UnknownType(String),
    /// A field is missing or wrong.
    BadRequest(String),
}

impl FrameError {
    /// The protocol's error code and the German message.
    pub fn code_and_message(&self) -> (&'static str, String) {
        match self {
            FrameError::Malformed(why) => ("malformed", format!("Nachricht nicht lesbar: {why}")),
            FrameError::UnknownType(t) => {
                ("unknown_type", format!("Unbekannter Nachrichtentyp „{t}“."))
            }
            FrameError::BadRequest(why) => ("bad_request", why.clone()),
        }
    }
}

/// Reads one text frame: the echoed `ref` (if valid) and the request or why not.
pub fn parse(text: &str) -> (Option<Value>, Result<Request, FrameError>) {
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return (None, Err(FrameError::Malformed(format!("kein JSON ({e})")))),
    };
    let Value::Object(obj) = value else {
        return (None, Err(FrameError::Malformed("kein JSON-Objekt".into())));
    };
    let reference = match obj.get("ref") {
        None => None,
        Some(r @ Value::Number(_)) => Some(r.clone()),
        Some(Value::String(s)) if s.chars().count() <= 64 => Some(Value::String(s.clone())),
        Some(_) => {
            return (
                None,
                Err(FrameError::BadRequest(
                    "„ref“ muss eine Zahl oder ein Text bis 64 Zeichen sein.".into(),
                )),
            )
        }
    };
    let Some(kind) = obj.get("type").and_then(Value::as_str) else {
        return (
            reference,
            Err(FrameError::Malformed("das Feld „type“ fehlt".into())),
        );
    };
    let request = request(kind, &obj);
    (reference, request)
}

fn request(kind: &str, o: &Map<String, Value>) -> Result<Request, FrameError> {
    Ok(match kind {
        "hello" => Request::Hello {
            protocol: o
                .get("protocol")
                .and_then(Value::as_u64)
                .ok_or_else(|| missing("protocol"))?,
            since: opt_int(o, "since")?,
        },
        "presence.set" => Request::PresenceSet(
            serde_json::from_value(Value::Object(o.clone())).map_err(|_| {
                FrameError::BadRequest("„state“ fehlt oder ein Feld hat den falschen Typ.".into())
            })?,
        ),
        "presence.activity" => Request::Activity {
            idle: o
                .get("idle")
                .and_then(Value::as_bool)
                .ok_or_else(|| missing("idle"))?,
        },
        "presence.subscribe" => {
            let logins = o
                .get("logins")
                .and_then(Value::as_array)
                .ok_or_else(|| missing("logins"))?
                .iter()
                .map(|l| {
                    l.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| missing("logins"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Request::Subscribe { logins }
        }
        "watch.add" => Request::WatchAdd {
            login: string(o, "login")?,
        },
        "watch.remove" => Request::WatchRemove {
            login: string(o, "login")?,
        },
        "chat.send" => Request::ChatSend {
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
        "chat.edit" => Request::ChatEdit {
            id: int(o, "id")?,
            text: string(o, "text")?,
        },
        "chat.delete" => Request::ChatDelete { id: int(o, "id")? },
        "chat.typing" => Request::ChatTyping {
            room: int(o, "room")?,
        },
        "chat.read" => Request::ChatRead {
            room: int(o, "room")?,
            up_to: int(o, "up_to")?,
        },
        "ping" => Request::Ping,
        other => return Err(FrameError::UnknownType(other.chars().take(40).collect())),
    })
}

fn missing(field: &str) -> FrameError {
    FrameError::BadRequest(format!(
        "Das Feld „{field}“ fehlt oder hat den falschen Typ."
    ))
}

fn int(o: &Map<String, Value>, field: &str) -> Result<i64, FrameError> {
    o.get(field)
        .and_then(Value::as_i64)
        .ok_or_else(|| missing(field))
}

fn opt_int(o: &Map<String, Value>, field: &str) -> Result<Option<i64>, FrameError> {
    match o.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_i64().map(Some).ok_or_else(|| missing(field)),
    }
}

fn string(o: &Map<String, Value>, field: &str) -> Result<String, FrameError> {
    o.get(field)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| missing(field))
}

/// A presence entry as `view` allows.
pub fn entry_json(login: &str, e: &Entry, view: View) -> Value {
    // The hub gives others an empty view of offline people; `until` goes with the note.
    let until = e
        .manual
        .until_ms
        .filter(|_| view.note || e.state != State::Offline);
    json!({
        "login": login,
        "state": e.state.as_str(),
        "location": e.manual.location.filter(|_| view.location).map(Location::as_str),
        "note": e.manual.note.as_deref().filter(|_| view.note),
        "until": until.map(|ms| iso_utc(ms / 1000)),
        "changed_at": iso_utc(e.changed_ms / 1000),
    })
}

fn with_ref(mut v: Value, reference: Option<&Value>) -> String {
    if let Some(r) = reference {
        v["ref"] = r.clone();
    }
    v.to_string()
}

/// `presence`.
pub fn presence(login: &str, e: &Entry, view: View) -> String {
    json!({"type": "presence", "entry": entry_json(login, e, view)}).to_string()
}

/// `presence.snapshot`.
pub fn snapshot(entries: Vec<Value>, reference: Option<&Value>) -> String {
    with_ref(
        json!({"type": "presence.snapshot", "entries": entries}),
        reference,
    )
}

/// `watch.fired`.
pub fn watch_fired(login: &str, name: &str) -> String {
    json!({"type": "watch.fired", "login": login, "name": name, "state": "available"}).to_string()
}

/// `welcome`.
pub fn welcome(login: &str, name: &str, idle_after_seconds: u32) -> String {
    json!({"type": "welcome", "protocol": PROTOCOL, "login": login, "name": name,
           "idle_after_seconds": idle_after_seconds})
    .to_string()
}

/// `resume.done`.
pub fn resume_done(rev: i64) -> String {
    json!({"type": "resume.done", "rev": rev}).to_string()
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

/// `ack`, with extra fields.
pub fn ack(reference: Option<&Value>, extra: Value) -> String {
    let mut v = json!({"type": "ack"});
    if let (Value::Object(target), Value::Object(more)) = (&mut v, extra) {
        target.extend(more);
    }
    with_ref(v, reference)
}

/// `error`.
pub fn error(reference: Option<&Value>, code: &str, message: &str) -> String {
    with_ref(
        json!({"type": "error", "code": code, "message": message}),
        reference,
    )
}

/// `pong`.
pub fn pong(reference: Option<&Value>) -> String {
    with_ref(json!({"type": "pong"}), reference)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_request_type() {
        let cases = [
            (
                r#"{"type":"hello","protocol":1,"since":5}"#,
                Request::Hello {
                    protocol: 1,
                    since: Some(5),
                },
            ),
            (
                r#"{"type":"hello","protocol":1}"#,
                Request::Hello {
                    protocol: 1,
                    since: None,
                },
            ),
            (
                r#"{"type":"presence.activity","idle":true}"#,
                Request::Activity { idle: true },
            ),
            (
                r#"{"type":"watch.add","login":"a.b"}"#,
                Request::WatchAdd {
                    login: "a.b".into(),
                },
            ),
            (
                r#"{"type":"chat.send","room":3,"text":"Hi"}"#,
                Request::ChatSend {
                    room: 3,
                    text: "Hi".into(),
                    attachment: None,
                },
            ),
            (
                r#"{"type":"chat.read","room":3,"up_to":9}"#,
                Request::ChatRead { room: 3, up_to: 9 },
            ),
            (
                r#"{"type":"chat.delete","id":9}"#,
                Request::ChatDelete { id: 9 },
            ),
            (r#"{"type":"ping","ref":"x"}"#, Request::Ping),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text).1, Ok(want), "{text}");
        }
        let (r, set) = parse(r#"{"type":"presence.set","ref":7,"state":"busy","note":"Akten"}"#);
        assert_eq!(r, Some(json!(7)));
        let Ok(Request::PresenceSet(body)) = set else {
            panic!()
        };
        assert_eq!(body.to_manual(0).unwrap().note.as_deref(), Some("Akten"));
    }

    #[test]
    fn bad_frames_say_why() {
        assert!(matches!(parse("nope").1, Err(FrameError::Malformed(_))));
        assert!(matches!(parse("[1]").1, Err(FrameError::Malformed(_))));
        assert!(matches!(
            parse(r#"{"ref":1}"#),
            (Some(_), Err(FrameError::Malformed(_)))
        ));
        assert_eq!(
            parse(r#"{"type":"dance"}"#).1,
            Err(FrameError::UnknownType("dance".into()))
        );
        assert!(
            matches!(parse(r#"{"type":"chat.send","room":"x"}"#).1, Err(FrameError::BadRequest(m)) if m.contains("room"))
        );
        assert!(matches!(
            parse(r#"{"type":"ping","ref":{"a":1}}"#).1,
            Err(FrameError::BadRequest(_))
        ));
        let body = PresenceBody {
            state: "on_the_phone".into(),
            location: None,
            note: None,
            until: None,
        };
        assert!(body.to_manual(0).unwrap_err().contains("Anrufe"));
        let body = PresenceBody {
            state: "busy".into(),
            location: Some("garden".into()),
            note: None,
            until: None,
        };
        assert!(body.to_manual(0).unwrap_err().contains("garden"));
        let body = PresenceBody {
            state: "busy".into(),
            location: None,
            note: None,
            until: Some("morgen".into()),
        };
        assert!(body.to_manual(0).unwrap_err().contains("morgen"));
    }

    #[test]
    fn privacy_hides_location_and_note() {
        let e = Entry {
            person: presence::PersonId(1),
            state: State::Busy,
            manual: Manual::new(
                State::Busy,
                Some(Location::HomeOffice),
                Some("Akten"),
                None,
                0,
            )
            .unwrap(),
            changed_ms: 1_795_000_000_000,
        };
        let hidden = entry_json("a", &e, View::default());
        assert_eq!(hidden["location"], Value::Null);
        assert_eq!(hidden["note"], Value::Null);
        assert_eq!(hidden["state"], "busy");
        let all = entry_json("a", &e, View::ALL);
        assert_eq!(all["location"], "home_office");
        assert_eq!(all["changed_at"], "2026-11-18T11:06:40Z");
    }
}
