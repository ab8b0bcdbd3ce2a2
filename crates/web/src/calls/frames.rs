//! The call part of the real-time protocol: `call.dial`, `call.answer`, `call.reject`,
//! `call.hangup`, `call.hold`, `call.dtmf`, `call.transfer` from clients; `call.incoming`,
//! `call.media`, `call.state`, `call.dtmf` to them (docs/realtime-protocol.md).

use crate::realtime::frames::{missing, string, Envelope, FrameError};
use crate::time_format::iso_utc_ms;
use calls::{CallFrame, Party};
use live::calls::CallRequest;
use serde_json::{json, Value};

/// The largest SDP a browser may send (audio only; a few kB with all candidates).
pub const MAX_SDP: usize = 12 * 1024;

fn sdp(o: &serde_json::Map<String, Value>) -> Result<String, FrameError> {
    let sdp = string(o, "sdp")?;
    if sdp.len() > MAX_SDP || !sdp.starts_with("v=0") {
        return Err(FrameError::BadRequest(
            "„sdp“ ist keine Sitzungsbeschreibung (SDP).".into(),
        ));
    }
    Ok(sdp)
}

fn short(o: &serde_json::Map<String, Value>, field: &str) -> Result<String, FrameError> {
    let s = string(o, field)?;
    if s.is_empty() || s.len() > 64 {
        return Err(missing(field));
    }
    Ok(s)
}

fn id_field(o: &serde_json::Map<String, Value>, field: &str) -> Result<i64, FrameError> {
    o.get(field)
        .and_then(Value::as_i64)
        .filter(|id| *id > 0)
        .ok_or_else(|| missing(field))
}

/// Reads a `call.…` frame.
pub fn request(e: &Envelope) -> Result<CallRequest, FrameError> {
    let o = &e.body;
    Ok(match e.kind.as_str() {
        "call.dial" => match o.get("via").and_then(Value::as_str) {
            None | Some("browser") => CallRequest::Dial {
                target: short(o, "target")?,
                sdp: sdp(o)?,
                via: None,
            },
            Some("mobile") => CallRequest::Dial {
                target: short(o, "target")?,
                sdp: String::new(),
                via: Some("mobile".into()),
            },
            Some(_) => {
                return Err(FrameError::BadRequest(
                    "„via“ ist „browser“ oder „mobile“.".into(),
                ))
            }
        },
        "call.answer" => CallRequest::Answer {
            call: short(o, "call")?,
            sdp: sdp(o)?,
        },
        "call.reject" => CallRequest::Reject {
            call: short(o, "call")?,
        },
        "call.hangup" => CallRequest::Hangup {
            call: short(o, "call")?,
        },
        "call.hold" => CallRequest::Hold {
            call: short(o, "call")?,
            on: o
                .get("on")
                .and_then(Value::as_bool)
                .ok_or_else(|| missing("on"))?,
        },
        "call.dtmf" => CallRequest::Dtmf {
            call: short(o, "call")?,
            digits: short(o, "digits")?,
        },
        "call.transfer" => match (o.get("target"), o.get("to_call")) {
            (Some(_), None) => CallRequest::Transfer {
                call: short(o, "call")?,
                target: short(o, "target")?,
            },
            (None, Some(_)) => CallRequest::TransferTo {
                call: short(o, "call")?,
                to_call: short(o, "to_call")?,
            },
            _ => {
                return Err(FrameError::BadRequest(
                    "Entweder „target“ oder „to_call“ angeben.".into(),
                ))
            }
        },
        "call.listen" => CallRequest::Listen {
            hotline: id_field(o, "hotline")?,
            agent: id_field(o, "agent")?,
            whisper: match o.get("mode").and_then(Value::as_str) {
                Some("listen") => false,
                Some("whisper") => true,
                _ => {
                    return Err(FrameError::BadRequest(
                        "„mode“ ist „listen“ oder „whisper“.".into(),
                    ))
                }
            },
            sdp: sdp(o)?,
        },
        other => return Err(FrameError::unknown(other)),
    })
}

fn party(p: &Party) -> Value {
    json!({"name": p.name, "number": p.number, "login": p.login, "unit": p.unit})
}

/// A call frame as JSON text.
pub fn render(frame: &CallFrame) -> String {
    match frame {
        CallFrame::Incoming {
            call,
            from,
            hotline,
        } => json!({
            "type": "call.incoming", "call": call.to_string(), "from": party(from),
            "hotline": hotline.as_ref().map(|h| &h.name),
            "hotline_id": hotline.as_ref().map(|h| h.id),
        }),
        CallFrame::Media { call, sdp } => {
            json!({"type": "call.media", "call": call.to_string(), "sdp": sdp})
        }
        CallFrame::State {
            call,
            state,
            direction,
            peer,
            since_ms,
            reason,
        } => json!({
            "type": "call.state", "call": call.to_string(), "state": state.as_str(),
            "direction": direction.as_str(), "peer": party(peer), "since": iso_utc_ms(*since_ms),
            "reason": reason.map(|r| r.as_str()),
        }),
        CallFrame::Dtmf { call, digit } => {
            json!({"type": "call.dtmf", "call": call.to_string(), "digit": digit.to_string()})
        }
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::realtime::frames::parse;
    use calls::{CallId, CallState, Direction, EndReason};

    fn read(text: &str) -> Result<CallRequest, FrameError> {
        request(&parse(text).1.unwrap())
    }

    #[test]
    fn requests_are_read_and_bad_ones_refused() {
        assert_eq!(
            read(r#"{"type":"call.dial","target":"2002","sdp":"v=0\r\n"}"#).unwrap(),
            CallRequest::Dial {
                target: "2002".into(),
                sdp: "v=0\r\n".into(),
                via: None,
            }
        );
        assert_eq!(
            read(r#"{"type":"call.transfer","call":"c1","to_call":"c2"}"#).unwrap(),
            CallRequest::TransferTo {
                call: "c1".into(),
                to_call: "c2".into()
            }
        );
        assert!(read(r#"{"type":"call.dial","target":"2002","sdp":"hello"}"#).is_err());
        assert!(read(r#"{"type":"call.dial","target":"","sdp":"v=0"}"#).is_err());
        assert!(read(r#"{"type":"call.hold","call":"c1"}"#).is_err());
        assert!(
            read(r#"{"type":"call.transfer","call":"c1","target":"1","to_call":"c2"}"#).is_err()
        );
        assert!(read(r#"{"type":"call.fly","call":"c1"}"#).is_err());
        assert_eq!(
            read(r#"{"type":"call.listen","hotline":3,"agent":12,"mode":"whisper","sdp":"v=0"}"#)
                .unwrap(),
            CallRequest::Listen {
                hotline: 3,
                agent: 12,
                whisper: true,
                sdp: "v=0".into()
            }
        );
        for bad in [
            r#"{"type":"call.listen","hotline":3,"agent":12,"mode":"barge","sdp":"v=0"}"#,
            r#"{"type":"call.listen","hotline":"3","agent":12,"mode":"listen","sdp":"v=0"}"#,
            r#"{"type":"call.listen","hotline":3,"agent":-1,"mode":"listen","sdp":"v=0"}"#,
            r#"{"type":"call.listen","hotline":3,"agent":12,"mode":"listen"}"#,
        ] {
            assert!(read(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn frames_are_rendered_as_documented() {
        let peer = Party::person(2, "Bernd Meier", "2002", "b.meier", "Bürgeramt");
        let frame = CallFrame::State {
            call: CallId(7),
            state: CallState::Ended,
            direction: Direction::Out,
            peer,
            since_ms: 0,
            reason: Some(EndReason::NoAnswer),
        };
        let v: Value = serde_json::from_str(&render(&frame)).unwrap();
        assert_eq!(v["type"], "call.state");
        assert_eq!(v["call"], "c7");
        assert_eq!(v["peer"]["login"], "b.meier");
        assert_eq!(v["reason"], "no_answer");
        assert_eq!(v["since"], "1970-01-01T00:00:00Z");
    }
}
