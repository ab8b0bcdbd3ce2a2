//! Replies: `result` is `pong`, `ok` (with the rewritten `sdp` for offer and answer) or
//! `error` with an `error-reason`. Other keys (rtpengine's call statistics after `delete`,
//! `warning`) are ignored when parsing.

use crate::bencode::Value;
use crate::datagram::{self, optional_text, text};
use crate::Error;

/// One reply: the request's cookie and the outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The cookie of the request answered.
    pub cookie: String,
    /// The outcome.
    pub response: Response,
}

/// The outcome of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// Answers `ping`.
    Pong,
    /// Answers `offer` and `answer`: the SDP to pass on, pointing at the relay.
    Sdp(String),
    /// Answers `delete`.
    Ok,
    /// The command failed; the reason is for people.
    Error(String),
}

impl Reply {
    /// Parses a reply datagram. A `result` other than `pong`, `ok` and `error` (rtpengine
    /// has `load limit`) is a [`Response::Error`] naming it.
    pub fn parse(datagram: &[u8]) -> Result<Reply, Error> {
        let (cookie, dict) = datagram::split(datagram)?;
        let result = text(&dict, "result")?;
        let response = match result.as_str() {
            "pong" => Response::Pong,
            "ok" => match optional_text(&dict, "sdp")? {
                Some(sdp) => Response::Sdp(sdp),
                None => Response::Ok,
            },
            "error" => Response::Error(optional_text(&dict, "error-reason")?.unwrap_or_default()),
            other => Response::Error(format!("result {other:?}")),
        };
        Ok(Reply { cookie, response })
    }

    /// The datagram; [`Reply::parse`] reads it back to an equal reply.
    pub fn to_bytes(&self) -> Vec<u8> {
        let dict = match &self.response {
            Response::Pong => Value::from([("result", "pong".into())]),
            Response::Ok => Value::from([("result", "ok".into())]),
            Response::Sdp(sdp) => {
                Value::from([("result", "ok".into()), ("sdp", sdp.as_str().into())])
            }
            Response::Error(reason) => Value::from([
                ("result", "error".into()),
                ("error-reason", reason.as_str().into()),
            ]),
        };
        datagram::join(&self.cookie, &dict)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reply(cookie: &str, response: Response) -> Reply {
        Reply {
            cookie: cookie.into(),
            response,
        }
    }

    #[test]
    fn renders_what_rtpengine_sends() {
        assert_eq!(
            reply("abc", Response::Pong).to_bytes(),
            b"abc d6:result4:ponge"
        );
        assert_eq!(reply("1", Response::Ok).to_bytes(), b"1 d6:result2:oke");
        assert_eq!(
            reply("1", Response::Sdp("v=0\r\n".into())).to_bytes(),
            b"1 d6:result2:ok3:sdp5:v=0\r\ne"
        );
        assert_eq!(
            reply("1", Response::Error("Unknown call-id".into())).to_bytes(),
            b"1 d12:error-reason15:Unknown call-id6:result5:errore"
        );
    }

    #[test]
    fn parses_rtpengine_replies() {
        // Captured from rtpengine 10.5: keys unsorted, statistics after delete.
        let offer = b"x1 d3:sdp3:v=06:result2:oke";
        assert_eq!(
            Reply::parse(offer),
            Ok(reply("x1", Response::Sdp("v=0".into())))
        );
        let delete = b"x2 d7:createdi1700000000e6:totalsd3:RTPd7:packetsi0eee6:result2:oke";
        assert_eq!(Reply::parse(delete), Ok(reply("x2", Response::Ok)));
        let limit = b"x3 d6:result10:load limite";
        assert_eq!(
            Reply::parse(limit),
            Ok(reply("x3", Response::Error("result \"load limit\"".into())))
        );
        assert_eq!(
            Reply::parse(b"x4 d6:result5:errore"),
            Ok(reply("x4", Response::Error(String::new())))
        );
        assert_eq!(
            Reply::parse(b"x5 de"),
            Err(Error::MissingKey { key: "result" })
        );
    }

    fn response() -> impl Strategy<Value = Response> {
        prop_oneof![
            Just(Response::Pong),
            Just(Response::Ok),
            "[ -~\r\n]{0,40}".prop_map(Response::Sdp),
            "[ -~\u{fc}]{0,40}".prop_map(Response::Error),
        ]
    }

    proptest! {
        #[test]
        fn render_then_parse_round_trips(cookie in "[!-~]{1,16}", response in response()) {
            let reply = Reply { cookie, response };
            prop_assert_eq!(Reply::parse(&reply.to_bytes()), Ok(reply));
        }

        #[test]
        fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = Reply::parse(&bytes);
        }
    }
}
