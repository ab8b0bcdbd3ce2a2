//! Helpers the integration tests share. Each test file uses some of them.
#![allow(dead_code)] // not every test binary uses every helper

use bytes::Bytes;
use sip::name_addr::NameAddr;
use sip::uri::Uri;
use sip::{parse_datagram, parse_stream, Frame, HeaderName, Message};

/// A file under `tests/<dir>/<name>.sip`, byte for byte.
pub fn load(dir: &str, name: &str) -> Bytes {
    let path = format!("{}/tests/{dir}/{name}.sip", env!("CARGO_MANIFEST_DIR"));
    Bytes::from(std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
}

/// Writing a parsed message and reading it back gives it again, over a datagram and
/// over a stream (where it takes exactly the written bytes).
pub fn assert_round_trip(m: &Message) {
    let wire = m.to_bytes();
    assert_eq!(&parse_datagram(wire.clone()).expect("re-parse"), m);
    match parse_stream(&wire).expect("stream re-parse") {
        Frame::Message { message, consumed } => {
            assert_eq!(&message, m);
            assert_eq!(consumed, wire.len());
        }
        other => panic!("stream gave {other:?}"),
    }
}

/// A header name as a token on the wire would give it.
pub fn name(s: &str) -> HeaderName {
    HeaderName::from_token(Bytes::copy_from_slice(s.as_bytes()))
}

/// The one value of a header (panics when absent).
pub fn value<'a>(m: &'a Message, header: &str) -> &'a [u8] {
    m.header(&name(header))
        .unwrap_or_else(|| panic!("no {header}"))
}

/// The name-addr of a header.
pub fn addr(m: &Message, header: &str) -> NameAddr {
    NameAddr::parse(&Bytes::copy_from_slice(value(m, header))).expect(header)
}

/// A URI from a name-addr.
pub fn uri(a: &NameAddr) -> Uri {
    Uri::parse(&a.uri).expect("URI")
}

/// `%XX` escapes decoded (RFC 3261 §19.1.4 compares URIs unescaped).
pub fn unescape(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}
