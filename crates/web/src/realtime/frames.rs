//! The envelope of the real-time protocol (docs/realtime-protocol.md): every client frame
//! is a JSON object with a `type` and an optional `ref` echoed in the answer. A type
//! `FEATURE.NAME` goes to that feature (`presence.…` and `watch.…` to presence, `chat.…`
//! to chat; `call.…`, `queue.…`, `meeting.…` will join); `hello` and `ping` are the
//! connection's own. Pure functions; no sockets here.

use serde_json::{json, Map, Value};

/// The protocol version.
pub const PROTOCOL: u64 = 1;

/// A client frame read far enough to route it.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    /// The `ref` to echo, if it was valid.
    pub reference: Option<Value>,
    /// The `type`.
    pub kind: String,
    /// All fields.
    pub body: Map<String, Value>,
}

impl Envelope {
    /// The feature a type belongs to: the part before the first dot, or the whole type.
    pub fn feature(&self) -> &str {
        self.kind.split_once('.').map_or(&self.kind, |(f, _)| f)
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

    /// A type this feature does not have.
    pub fn unknown(kind: &str) -> FrameError {
        FrameError::UnknownType(kind.chars().take(40).collect())
    }
}

/// Reads one text frame: the echoed `ref` (if valid) and the envelope or why not.
pub fn parse(text: &str) -> (Option<Value>, Result<Envelope, FrameError>) {
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return (None, Err(FrameError::Malformed(format!("kein JSON ({e})")))),
    };
    let Value::Object(body) = value else {
        return (None, Err(FrameError::Malformed("kein JSON-Objekt".into())));
    };
    let reference = match body.get("ref") {
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
    let Some(kind) = body.get("type").and_then(Value::as_str).map(str::to_owned) else {
        return (
            reference,
            Err(FrameError::Malformed("das Feld „type“ fehlt".into())),
        );
    };
    let envelope = Envelope {
        reference: reference.clone(),
        kind,
        body,
    };
    (reference, Ok(envelope))
}

/// The connection's own requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// First frame.
    Hello {
        /// Protocol version asked for.
        protocol: u64,
        /// Resume after this revision.
        since: Option<i64>,
    },
    /// Keep-alive.
    Ping,
}

/// Reads `hello` or `ping`.
pub fn request(e: &Envelope) -> Result<Request, FrameError> {
    match e.kind.as_str() {
        "hello" => Ok(Request::Hello {
            protocol: e
                .body
                .get("protocol")
                .and_then(Value::as_u64)
                .ok_or_else(|| missing("protocol"))?,
            since: opt_int(&e.body, "since")?,
        }),
        "ping" => Ok(Request::Ping),
        other => Err(FrameError::unknown(other)),
    }
}

/// A field that is missing or of the wrong type.
pub fn missing(field: &str) -> FrameError {
    FrameError::BadRequest(format!(
        "Das Feld „{field}“ fehlt oder hat den falschen Typ."
    ))
}

/// A required integer field.
pub fn int(o: &Map<String, Value>, field: &str) -> Result<i64, FrameError> {
    o.get(field)
        .and_then(Value::as_i64)
        .ok_or_else(|| missing(field))
}

/// An optional integer field.
pub fn opt_int(o: &Map<String, Value>, field: &str) -> Result<Option<i64>, FrameError> {
    match o.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_i64().map(Some).ok_or_else(|| missing(field)),
    }
}

/// A required text field.
pub fn string(o: &Map<String, Value>, field: &str) -> Result<String, FrameError> {
    o.get(field)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| missing(field))
}

/// `v` with the `ref` of the request it answers.
pub fn with_ref(mut v: Value, reference: Option<&Value>) -> String {
    if let Some(r) = reference {
        v["ref"] = r.clone();
    }
    v.to_string()
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
    fn reads_the_envelope_and_the_connections_own_requests() {
        let (r, e) = parse(r#"{"type":"hello","protocol":1,"since":5,"ref":"x"}"#);
        let e = e.unwrap();
        assert_eq!((r, e.feature()), (Some(json!("x")), "hello"));
        assert_eq!(
            request(&e),
            Ok(Request::Hello {
                protocol: 1,
                since: Some(5)
            })
        );
        let (_, e) = parse(r#"{"type":"chat.send","room":3}"#);
        assert_eq!(e.unwrap().feature(), "chat");
        let (_, e) = parse(r#"{"type":"ping"}"#);
        assert_eq!(request(&e.unwrap()), Ok(Request::Ping));
    }

    #[test]
    fn bad_frames_say_why() {
        assert!(matches!(parse("nope").1, Err(FrameError::Malformed(_))));
        assert!(matches!(parse("[1]").1, Err(FrameError::Malformed(_))));
        assert!(matches!(
            parse(r#"{"ref":1}"#),
            (Some(_), Err(FrameError::Malformed(_)))
        ));
        assert!(matches!(
            parse(r#"{"type":"ping","ref":{"a":1}}"#).1,
            Err(FrameError::BadRequest(_))
        ));
        let (_, e) = parse(r#"{"type":"dance"}"#);
        assert_eq!(
            request(&e.unwrap()),
            Err(FrameError::UnknownType("dance".into()))
        );
    }
}
