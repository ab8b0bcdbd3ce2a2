//! rtpengine's "ng" control protocol, sans-IO: the subset a SIP proxy uses to put a media
//! relay into calls (`ping`, `offer`, `answer`, `delete`). A datagram is a cookie, a space
//! and a bencoded dictionary; the reply carries the same cookie. Bytes in, values out and
//! back: no sockets, no clocks.
//!
//! Durchwahl's media service answers it on an optional loopback port, and the load tool
//! drives both Durchwahl and rtpengine with it (`bench/media.sh`).
//!
//! ```
//! use ng::{Command, Reply, Request, Response};
//! // The relay's side: parse a request, answer with the same cookie.
//! let request = Request::parse(b"5_1 d7:command4:pinge").unwrap();
//! assert_eq!(request.command, Command::Ping);
//! let reply = Reply { cookie: request.cookie, response: Response::Pong };
//! assert_eq!(reply.to_bytes(), b"5_1 d6:result4:ponge");
//!
//! // The proxy's side: render a request, parse the reply.
//! let offer = Request {
//!     cookie: "5_2".into(),
//!     command: Command::Offer {
//!         call_id: "c1".into(),
//!         from_tag: "a".into(),
//!         sdp: "v=0\r\n".into(),
//!         flags: vec![],
//!     },
//! };
//! assert_eq!(Request::parse(&offer.to_bytes()), Ok(offer));
//! let reply = Reply::parse(b"5_2 d3:sdp5:v=0\r\n6:result2:oke").unwrap();
//! assert_eq!(reply.response, Response::Sdp("v=0\r\n".into()));
//!
//! // A request that cannot be parsed is still answered by its cookie.
//! let bad = b"5_3 d7:command5:offere";
//! let error = Request::parse(bad).unwrap_err();
//! let reply = Reply { cookie: ng::cookie(bad).unwrap().into(), response: Response::Error(error.to_string()) };
//! assert_eq!(reply.to_bytes(), b"5_3 d12:error-reason24:key \"call-id\" is missing6:result5:errore");
//! ```
#![deny(missing_docs)]

pub mod bencode;
mod datagram;
mod error;
pub mod request;
pub mod response;

pub use bencode::Value;
pub use datagram::cookie;
pub use error::Error;
pub use request::{Command, Request};
pub use response::{Reply, Response};
