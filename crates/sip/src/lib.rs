//! Durchwahl's own SIP stack, sans-IO: bytes and the current time go in, messages,
//! events and deadlines come out. No sockets, no clocks, no tasks.
//!
//! ```
//! use bytes::Bytes;
//! let text = "OPTIONS sip:2401@pbx.example SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n\
//!             From: <sip:2301@pbx.example>;tag=a\r\nTo: <sip:2401@pbx.example>\r\n\
//!             Call-ID: x1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
//! let message = sip::parse_datagram(Bytes::from_static(text.as_bytes())).unwrap();
//! sip::check_request(&message).unwrap();
//! let reply = message.response(200, "OK", Some("srv1"));
//! let again = sip::parse_datagram(reply.to_bytes()).unwrap();
//! assert_eq!(again, reply);
//! ```
#![deny(missing_docs)]

pub mod cseq;
pub mod dialog;
pub mod digest;
pub mod fuzzing;
pub mod header_name;
pub mod message;
pub mod method;
pub mod name_addr;
pub mod params;
pub mod parser;
pub mod registrar;
pub mod transaction;
pub mod uri;
pub mod via;

pub use header_name::HeaderName;
pub use message::{Header, Message, StartLine};
pub use method::Method;
pub use parser::{check_request, parse_datagram, parse_stream, Frame, ParseError};
