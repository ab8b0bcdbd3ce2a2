//! The `call.*` frames of docs/realtime-protocol.md that the dial benchmark sends and
//! reads. Pure.

use serde_json::{json, Value};

/// What the benchmark makes of one server frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallEvent {
    /// `ack` of a request, with the call it names (`call.dial` answers with one).
    Ack {
        /// The request's `ref`.
        reference: String,
        /// The server's call id.
        call: Option<String>,
    },
    /// `error` answering a request (or none).
    Error {
        /// The request's `ref`, when it answers one.
        reference: Option<String>,
        /// The error code.
        code: String,
    },
    /// `call.state` of a call.
    State {
        /// The call id.
        call: String,
        /// `dialing`, `ringing`, `connected`, `held` or `ended`.
        state: String,
        /// Why it ended.
        reason: Option<String>,
    },
    /// `call.incoming`: this person's browsers ring.
    Incoming {
        /// The call id.
        call: String,
    },
    /// Anything else (presence, `call.media`, …).
    Other,
}

/// A short text for a call frame (`ack d3 c9`, `ringing c9`, `incoming c9`), `None` for
/// the rest: what a failed call's report lists.
pub fn summary(event: &CallEvent) -> Option<String> {
    Some(match event {
        CallEvent::Ack { reference, call } => {
            format!("ack {reference} {}", call.as_deref().unwrap_or("-"))
        }
        CallEvent::Error { reference, code } => {
            format!("error {} {code}", reference.as_deref().unwrap_or("-"))
        }
        CallEvent::State {
            call,
            state,
            reason,
        } => match reason {
            Some(r) => format!("{state} {call} {r}"),
            None => format!("{state} {call}"),
        },
        CallEvent::Incoming { call } => format!("incoming {call}"),
        CallEvent::Other => return None,
    })
}

/// `call.dial` of `target` with a WebRTC offer.
pub fn dial(reference: &str, target: &str, sdp: &str) -> String {
    json!({"type": "call.dial", "ref": reference, "target": target, "sdp": sdp}).to_string()
}

/// `call.hangup` of `call`.
pub fn hangup(reference: &str, call: &str) -> String {
    json!({"type": "call.hangup", "ref": reference, "call": call}).to_string()
}

fn text(frame: &Value, field: &str) -> Option<String> {
    frame.get(field).and_then(Value::as_str).map(str::to_string)
}

/// Reads one text frame from the server.
pub fn classify(raw: &str) -> CallEvent {
    let Ok(frame) = serde_json::from_str::<Value>(raw) else {
        return CallEvent::Other;
    };
    match frame.get("type").and_then(Value::as_str) {
        Some("ack") => match text(&frame, "ref") {
            Some(reference) => CallEvent::Ack {
                reference,
                call: text(&frame, "call"),
            },
            None => CallEvent::Other,
        },
        Some("error") => CallEvent::Error {
            reference: text(&frame, "ref"),
            code: text(&frame, "code").unwrap_or_else(|| "(no code)".into()),
        },
        Some("call.state") => match (text(&frame, "call"), text(&frame, "state")) {
            (Some(call), Some(state)) => CallEvent::State {
                call,
                state,
                reason: text(&frame, "reason"),
            },
            _ => CallEvent::Other,
        },
        Some("call.incoming") => match text(&frame, "call") {
            Some(call) => CallEvent::Incoming { call },
            None => CallEvent::Other,
        },
        _ => CallEvent::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_read_back_as_the_protocol_says() {
        let d: Value = serde_json::from_str(&dial("d7", "100001", "v=0\r\n")).unwrap();
        assert_eq!(
            d,
            json!({"type": "call.dial", "ref": "d7", "target": "100001", "sdp": "v=0\r\n"})
        );
        let h: Value = serde_json::from_str(&hangup("h7", "c3")).unwrap();
        assert_eq!(h, json!({"type": "call.hangup", "ref": "h7", "call": "c3"}));
    }

    #[test]
    fn server_frames_are_told_apart() {
        assert_eq!(
            classify(r#"{"type":"ack","ref":"d1","call":"c9"}"#),
            CallEvent::Ack {
                reference: "d1".into(),
                call: Some("c9".into())
            }
        );
        assert_eq!(
            classify(r#"{"type":"error","ref":"d1","code":"not_found","message":"x"}"#),
            CallEvent::Error {
                reference: Some("d1".into()),
                code: "not_found".into()
            }
        );
        assert_eq!(
            classify(r#"{"type":"call.state","call":"c9","state":"ended","reason":"busy"}"#),
            CallEvent::State {
                call: "c9".into(),
                state: "ended".into(),
                reason: Some("busy".into())
            }
        );
        assert_eq!(
            classify(r#"{"type":"call.state","call":"c9","state":"ringing","reason":null}"#),
            CallEvent::State {
                call: "c9".into(),
                state: "ringing".into(),
                reason: None
            }
        );
        assert_eq!(
            classify(r#"{"type":"call.incoming","call":"c9","from":{}}"#),
            CallEvent::Incoming { call: "c9".into() }
        );
        assert_eq!(
            classify(r#"{"type":"call.media","call":"c9"}"#),
            CallEvent::Other
        );
        assert_eq!(classify(r#"{"type":"ack"}"#), CallEvent::Other);
        assert_eq!(classify("not json"), CallEvent::Other);
    }
}
