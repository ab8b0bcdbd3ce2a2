//! Requests, as a SIP proxy sends them to a media relay: `ping`, `offer` (the caller's
//! SDP), `answer` (the callee's SDP) and `delete`. Keys are rtpengine's: `command`,
//! `call-id`, `from-tag`, `to-tag`, `sdp`, `flags`. Other keys are ignored when parsing.

use crate::bencode::Value;
use crate::datagram::{self, optional_text, text, text_list};
use crate::Error;

/// One request: the cookie the reply must carry, and the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Echoed in the reply; printable ASCII without spaces.
    pub cookie: String,
    /// What to do.
    pub command: Command,
}

/// A command of the ng protocol subset both relays understand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Liveness check; answered with `pong`.
    Ping,
    /// The caller's SDP offer: the relay allocates its ports and returns the SDP to pass to
    /// the callee, which points at the relay.
    Offer {
        /// The SIP Call-ID.
        call_id: String,
        /// The caller's tag (SIP From tag).
        from_tag: String,
        /// The caller's SDP.
        sdp: String,
        /// rtpengine's `flags` list (e.g. `trust-address`); empty when absent.
        flags: Vec<String>,
    },
    /// The callee's SDP answer: the relay returns the SDP to pass to the caller.
    Answer {
        /// The SIP Call-ID.
        call_id: String,
        /// The caller's tag, as in the offer.
        from_tag: String,
        /// The callee's tag (SIP To tag).
        to_tag: String,
        /// The callee's SDP.
        sdp: String,
        /// rtpengine's `flags` list; empty when absent.
        flags: Vec<String>,
    },
    /// Ends the call and frees its ports.
    Delete {
        /// The SIP Call-ID.
        call_id: String,
        /// The caller's tag; without it the whole call goes.
        from_tag: Option<String>,
    },
    /// Any other command (`query`, `list`, ...), by name; a relay answers it with an error.
    Other(String),
}

impl Command {
    /// The name on the wire.
    pub fn name(&self) -> &str {
        match self {
            Command::Ping => "ping",
            Command::Offer { .. } => "offer",
            Command::Answer { .. } => "answer",
            Command::Delete { .. } => "delete",
            Command::Other(name) => name,
        }
    }
}

impl Request {
    /// Parses a request datagram.
    pub fn parse(datagram: &[u8]) -> Result<Request, Error> {
        let (cookie, dict) = datagram::split(datagram)?;
        let name = text(&dict, "command")?;
        let command = match name.as_str() {
            "ping" => Command::Ping,
            "offer" => Command::Offer {
                call_id: text(&dict, "call-id")?,
                from_tag: text(&dict, "from-tag")?,
                sdp: text(&dict, "sdp")?,
                flags: text_list(&dict, "flags")?,
            },
            "answer" => Command::Answer {
                call_id: text(&dict, "call-id")?,
                from_tag: text(&dict, "from-tag")?,
                to_tag: text(&dict, "to-tag")?,
                sdp: text(&dict, "sdp")?,
                flags: text_list(&dict, "flags")?,
            },
            "delete" => Command::Delete {
                call_id: text(&dict, "call-id")?,
                from_tag: optional_text(&dict, "from-tag")?,
            },
            _ => Command::Other(name),
        };
        Ok(Request { cookie, command })
    }

    /// The datagram; [`Request::parse`] reads it back to an equal request.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut dict = vec![("command", Value::from(self.command.name()))];
        let flags =
            |flags: &[String]| Value::List(flags.iter().map(|f| Value::from(f.as_str())).collect());
        match &self.command {
            Command::Ping | Command::Other(_) => {}
            Command::Offer {
                call_id,
                from_tag,
                sdp,
                flags: f,
            } => {
                dict.push(("call-id", call_id.as_str().into()));
                dict.push(("from-tag", from_tag.as_str().into()));
                dict.push(("sdp", sdp.as_str().into()));
                if !f.is_empty() {
                    dict.push(("flags", flags(f)));
                }
            }
            Command::Answer {
                call_id,
                from_tag,
                to_tag,
                sdp,
                flags: f,
            } => {
                dict.push(("call-id", call_id.as_str().into()));
                dict.push(("from-tag", from_tag.as_str().into()));
                dict.push(("to-tag", to_tag.as_str().into()));
                dict.push(("sdp", sdp.as_str().into()));
                if !f.is_empty() {
                    dict.push(("flags", flags(f)));
                }
            }
            Command::Delete { call_id, from_tag } => {
                dict.push(("call-id", call_id.as_str().into()));
                if let Some(tag) = from_tag {
                    dict.push(("from-tag", tag.as_str().into()));
                }
            }
        }
        let dict = Value::Dict(
            dict.into_iter()
                .map(|(k, v)| (k.as_bytes().to_vec(), v))
                .collect(),
        );
        datagram::join(&self.cookie, &dict)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_what_kamailio_sends() {
        // The shape of Kamailio's rtpengine module: unsorted keys, extra options.
        let offer = b"7129_3 d7:command5:offer3:sdp8:v=0\r\nx\r\n7:call-id5:c-1@h8:from-tag2:ft\
                      5:flagsl13:trust-addresse7:replacel6:origine3:ICE6:removee";
        assert_eq!(
            Request::parse(offer),
            Ok(Request {
                cookie: "7129_3".into(),
                command: Command::Offer {
                    call_id: "c-1@h".into(),
                    from_tag: "ft".into(),
                    sdp: "v=0\r\nx\r\n".into(),
                    flags: vec!["trust-address".into()],
                },
            })
        );
        let ping = Request::parse(b"1 d7:command4:pinge").unwrap();
        assert_eq!(ping.command, Command::Ping);
        let delete = Request::parse(b"2 d7:call-id1:c7:command6:deletee").unwrap();
        assert_eq!(
            delete.command,
            Command::Delete {
                call_id: "c".into(),
                from_tag: None
            }
        );
        let other = Request::parse(b"3 d7:command4:liste").unwrap();
        assert_eq!(other.command, Command::Other("list".into()));
    }

    #[test]
    fn renders_canonical_bencode() {
        let request = Request {
            cookie: "9".into(),
            command: Command::Answer {
                call_id: "c".into(),
                from_tag: "a".into(),
                to_tag: "b".into(),
                sdp: "v=0".into(),
                flags: vec![],
            },
        };
        assert_eq!(
            request.to_bytes(),
            b"9 d7:call-id1:c7:command6:answer8:from-tag1:a3:sdp3:v=06:to-tag1:be"
        );
        let ping = Request {
            cookie: "x".into(),
            command: Command::Ping,
        };
        assert_eq!(ping.to_bytes(), b"x d7:command4:pinge");
    }

    #[test]
    fn says_what_is_missing_or_wrong() {
        assert_eq!(
            Request::parse(b"1 d7:command5:offer7:call-id1:ce"),
            Err(Error::MissingKey { key: "from-tag" })
        );
        assert_eq!(
            Request::parse(b"1 d7:commandi1ee"),
            Err(Error::WrongType {
                key: "command",
                expected: "a string"
            })
        );
        assert_eq!(
            Request::parse(b"1 d7:command2:\xff\xfee"),
            Err(Error::NotUtf8 { key: "command" })
        );
        assert_eq!(
            Request::parse(b"1 d7:command5:offer7:call-id1:c8:from-tag1:f3:sdp1:x5:flags1:xe"),
            Err(Error::WrongType {
                key: "flags",
                expected: "a list of strings"
            })
        );
        assert_eq!(
            Request::parse(b"1 de"),
            Err(Error::MissingKey { key: "command" })
        );
    }

    fn text() -> impl Strategy<Value = String> {
        "[ -~\r\n\u{e4}]{0,24}"
    }

    fn command() -> impl Strategy<Value = Command> {
        let flags = proptest::collection::vec("[a-z-]{1,12}", 0..3);
        prop_oneof![
            Just(Command::Ping),
            (text(), text(), text(), flags.clone()).prop_map(|(call_id, from_tag, sdp, flags)| {
                Command::Offer {
                    call_id,
                    from_tag,
                    sdp,
                    flags,
                }
            }),
            (text(), text(), text(), text(), flags).prop_map(
                |(call_id, from_tag, to_tag, sdp, flags)| Command::Answer {
                    call_id,
                    from_tag,
                    to_tag,
                    sdp,
                    flags
                }
            ),
            (text(), proptest::option::of(text()))
                .prop_map(|(call_id, from_tag)| Command::Delete { call_id, from_tag }),
            "(query|list|statistics)".prop_map(Command::Other),
        ]
    }

    proptest! {
        #[test]
        fn render_then_parse_round_trips(cookie in "[!-~]{1,16}", command in command()) {
            let request = Request { cookie, command };
            prop_assert_eq!(Request::parse(&request.to_bytes()), Ok(request));
        }

        #[test]
        fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = Request::parse(&bytes);
            let mut framed = b"c d7:command5:offer".to_vec();
            framed.extend_from_slice(&bytes);
            let _ = Request::parse(&framed);
        }
    }
}
