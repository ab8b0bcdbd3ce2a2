//! Property tests of the message codec: what [`Message::to_bytes`] writes reads back
//! equal; the spellings a sender may choose (compact and odd-case names, white space
//! around the colon, folded lines, bare LF, Content-Length anywhere) read the same; a
//! stream split anywhere gives the same messages; and damaged input never panics.

mod common;

use bytes::{Buf, Bytes, BytesMut};
use proptest::prelude::*;
use sip::message::Header;
use sip::method::Method;
use sip::parser::{answer_refused, check_response, MAX_MESSAGE};
use sip::{check_request, parse_datagram, parse_stream, Frame, HeaderName, Message, StartLine};

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9.!%*_+`'~-]{1,10}"
}

fn method() -> impl Strategy<Value = Method> {
    let known = prop::sample::select(vec![
        "INVITE",
        "ACK",
        "BYE",
        "CANCEL",
        "REGISTER",
        "OPTIONS",
        "SUBSCRIBE",
        "NOTIFY",
        "MESSAGE",
        "REFER",
        "INFO",
        "UPDATE",
        "PRACK",
        "PUBLISH",
    ])
    .prop_map(String::from);
    prop_oneof![known, token()].prop_map(|t| Method::from_token(Bytes::from(t)))
}

fn request_uri() -> impl Strategy<Value = String> {
    prop_oneof![
        "sips?:[a-z0-9]{1,8}@[a-z0-9.-]{1,12}(:[0-9]{1,5})?(;[a-z]{1,5}(=[a-z0-9]{1,5})?){0,2}",
        "tel:\\+[0-9-]{1,12}",
        "[a-z][a-z0-9+.-]{0,6}:[A-Za-z0-9/?;:@&=+$,_.!~*'()%-]{1,20}",
    ]
}

fn start_line() -> impl Strategy<Value = StartLine> {
    prop_oneof![
        (method(), request_uri()).prop_map(|(method, uri)| StartLine::Request {
            method,
            uri: Bytes::from(uri),
        }),
        (100u16..=699, "[ -~äöüß大]{0,16}").prop_map(|(code, reason)| StartLine::Response {
            code,
            reason: Bytes::from(reason),
        }),
    ]
}

/// Names in any of their spellings; Content-Length is framing and written by `to_bytes`.
fn header_name() -> impl Strategy<Value = HeaderName> {
    let known = prop::sample::select(vec![
        "Via",
        "From",
        "To",
        "Call-ID",
        "CSeq",
        "Contact",
        "Max-Forwards",
        "Content-Type",
        "Expires",
        "Route",
        "Record-Route",
        "Authorization",
        "WWW-Authenticate",
        "User-Agent",
        "Supported",
        "Require",
        "Allow",
        "Event",
        "Subject",
        "Accept",
        "v",
        "f",
        "t",
        "i",
        "m",
        "c",
        "k",
        "o",
        "s",
        "e",
    ])
    .prop_map(String::from);
    prop_oneof![known, "X-[A-Za-z0-9-]{1,10}", token()]
        .prop_map(|n| HeaderName::from_token(Bytes::from(n)))
        .prop_filter("Content-Length is framing", |n| {
            *n != HeaderName::ContentLength
        })
}

/// A quoted string with escapes, among them of control characters (RFC 3261 quoted-pair).
fn quoted() -> impl Strategy<Value = String> {
    let piece = prop_oneof!["[ !#-\\[\\]-~äß]", "\\\\[\\x00-\\x09\\x0b\\x0c\\x0e-\\x7f]",];
    prop::collection::vec(piece, 0..8).prop_map(|p| format!("\"{}\"", p.concat()))
}

fn value() -> impl Strategy<Value = Bytes> {
    let atom = prop_oneof![
        token(),
        "[,;=:/@<>?]",
        quoted(),
        "<sip:[a-z0-9]{1,6}@[a-z.]{1,8}(;lr)?>",
        "[äöüß大é]{1,3}",
    ];
    let gap = prop::sample::select(vec!["", " ", " ", "  ", "\t"]);
    prop::collection::vec((atom, gap), 0..6).prop_map(|parts| {
        let joined: String = parts.iter().map(|(a, g)| format!("{a}{g}")).collect();
        Bytes::from(joined.trim_matches([' ', '\t']).to_owned())
    })
}

fn message() -> impl Strategy<Value = Message> {
    (
        start_line(),
        prop::collection::vec((header_name(), value()), 0..8),
        prop::collection::vec(any::<u8>(), 0..64),
    )
        .prop_map(|(start, headers, body)| Message {
            start,
            headers: headers
                .into_iter()
                .map(|(name, value)| Header { name, value })
                .collect(),
            body: Bytes::from(body),
        })
}

/// The spellings of a known name (long, lower, upper, compact); unknown names as they are.
fn spellings(name: &HeaderName) -> Vec<Vec<u8>> {
    let long = name.as_bytes().to_vec();
    if matches!(name, HeaderName::Other(_)) {
        return vec![long];
    }
    let mut out = vec![
        long.clone(),
        long.to_ascii_lowercase(),
        long.to_ascii_uppercase(),
    ];
    out.extend(
        (b'a'..=b'z')
            .filter(|c| HeaderName::from_token(Bytes::copy_from_slice(&[*c])) == *name)
            .map(|c| vec![c]),
    );
    out
}

/// Where a value may be folded: single spaces between two other characters, not after a
/// backslash (a CRLF cannot be escaped).
fn fold_points(v: &[u8]) -> Vec<usize> {
    (1..v.len().saturating_sub(1))
        .filter(|&i| v[i] == b' ' && !matches!(v[i - 1], b' ' | b'\t' | b'\\'))
        .filter(|&i| !matches!(v[i + 1], b' ' | b'\t'))
        .collect()
}

/// `m` as another sender could write it; `noise` picks every choice.
fn respell(m: &Message, noise: &[u8]) -> Vec<u8> {
    let mut pick = noise.iter().copied().cycle();
    let mut next = move |n: usize| usize::from(pick.next().unwrap_or(0)) % n.max(1);
    let eol: &[u8] = if next(4) == 0 { b"\n" } else { b"\r\n" };
    let mut lines: Vec<Vec<u8>> = Vec::new();
    for h in &m.headers {
        let names = spellings(&h.name);
        let mut line = names[next(names.len())].clone();
        line.extend_from_slice([&b""[..], b" ", b"\t "][next(3)]);
        line.push(b':');
        line.extend_from_slice([&b""[..], b" ", b"   "][next(3)]);
        let folds = fold_points(&h.value);
        let mut value = h.value.to_vec();
        if !folds.is_empty() && next(2) == 0 {
            let at = folds[next(folds.len())];
            let fold: &[u8] = if next(2) == 0 { b" " } else { b"\t" };
            value.splice(at..=at, [eol, fold].concat());
        }
        line.extend_from_slice(&value);
        line.extend_from_slice([&b""[..], b" "][next(2)]);
        lines.push(line);
    }
    let length = format!(
        "{}:{}",
        ["Content-Length", "l", "content-length"][next(3)],
        m.body.len()
    );
    lines.insert(next(lines.len() + 1), length.into_bytes());
    let mut out = Vec::new();
    let first = m.to_bytes();
    let start_end = first.iter().position(|c| *c == b'\r').unwrap();
    out.extend_from_slice(&first[..start_end]);
    for line in lines {
        out.extend_from_slice(eol);
        out.extend_from_slice(&line);
    }
    out.extend_from_slice(eol);
    out.extend_from_slice(eol);
    out.extend_from_slice(&m.body);
    out
}

#[derive(Debug, PartialEq)]
enum Item {
    Message(Message),
    Ping,
    Pong,
}

/// What a connection's reader makes of these chunks, and what is left unread.
fn read_stream(chunks: impl IntoIterator<Item = Bytes>) -> (Vec<Item>, Bytes) {
    let mut pending = BytesMut::new();
    let mut items = Vec::new();
    for chunk in chunks {
        pending.extend_from_slice(&chunk);
        loop {
            let frame = parse_stream(&pending.clone().freeze()).expect("stream frame");
            let (item, consumed) = match frame {
                Frame::Incomplete => break,
                Frame::Ping { consumed } => (Item::Ping, consumed),
                Frame::Pong { consumed } => (Item::Pong, consumed),
                Frame::Message { message, consumed } => (Item::Message(message), consumed),
            };
            items.push(item);
            pending.advance(consumed);
        }
    }
    (items, pending.freeze())
}

/// Damaged input must not panic; what still parses writes out and reads back equal.
fn survives(data: Bytes) {
    match parse_datagram(data.clone()) {
        Ok(m) => {
            let _ = (check_request(&m), check_response(&m));
            let wire = m.to_bytes();
            // Long names and CRLFs written for compact ones and bare LFs can pass the limit.
            if wire.len() <= MAX_MESSAGE {
                assert_eq!(parse_datagram(wire), Ok(m));
            }
        }
        Err(error) => {
            if let Some(answer) = answer_refused(&data, &error, Some("t")) {
                assert_eq!(parse_datagram(answer.to_bytes()), Ok(answer));
            }
        }
    }
    if let Ok(Frame::Message { message, consumed }) = parse_stream(&data) {
        assert!(consumed <= data.len());
        assert_eq!(parse_datagram(message.to_bytes()), Ok(message));
    }
}

proptest! {
    #[test]
    fn written_messages_read_back_equal(m in message()) {
        let wire = m.to_bytes();
        prop_assert_eq!(parse_datagram(wire.clone()), Ok(m.clone()));
        let consumed = wire.len();
        prop_assert_eq!(parse_stream(&wire), Ok(Frame::Message { message: m, consumed }));
    }

    #[test]
    fn other_spellings_read_the_same(m in message(), noise in prop::collection::vec(any::<u8>(), 1..64)) {
        let wire = Bytes::from(respell(&m, &noise));
        prop_assert_eq!(parse_datagram(wire), Ok(m));
    }

    #[test]
    fn bytes_after_the_body_of_a_datagram_are_ignored(m in message(), extra in prop::collection::vec(any::<u8>(), 1..32)) {
        let mut wire = m.to_bytes().to_vec();
        wire.extend_from_slice(&extra);
        prop_assert_eq!(parse_datagram(Bytes::from(wire)), Ok(m));
    }

    #[test]
    fn a_stream_split_anywhere_gives_the_same_messages(
        messages in prop::collection::vec((message(), 0..3u8), 1..5),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let mut data = Vec::new();
        let mut expected = Vec::new();
        for (i, (m, keepalive)) in messages.iter().enumerate() {
            // RFC 5626 §3.5.1 keep-alives between messages: a ping or a pong.
            if i > 0 && *keepalive == 1 {
                data.extend_from_slice(b"\r\n\r\n");
                expected.push(Item::Ping);
            } else if i > 0 && *keepalive == 2 {
                data.extend_from_slice(b"\r\n");
                expected.push(Item::Pong);
            }
            data.extend_from_slice(&m.to_bytes());
            expected.push(Item::Message(m.clone()));
        }
        let data = Bytes::from(data);
        let mut at: Vec<usize> = cuts.iter().map(|c| c.index(data.len() + 1)).collect();
        at.push(0);
        at.push(data.len());
        at.sort_unstable();
        let chunks = at.windows(2).map(|w| data.slice(w[0]..w[1]));
        let (items, rest) = read_stream(chunks);
        prop_assert_eq!(items, expected);
        prop_assert!(rest.is_empty());
    }

    #[test]
    fn a_message_cut_short_is_incomplete_on_a_stream(m in message(), cut in any::<prop::sample::Index>()) {
        let wire = m.to_bytes();
        let prefix = wire.slice(..cut.index(wire.len()));
        prop_assert_eq!(parse_stream(&prefix), Ok(Frame::Incomplete));
    }

    #[test]
    fn damaged_messages_never_panic(
        m in message(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 1..6),
    ) {
        let mut data = m.to_bytes().to_vec();
        for (at, byte, kind) in edits {
            let i = at.index(data.len() + 1);
            match kind {
                0 => data.insert(i, byte),
                1 if i < data.len() => { data.remove(i); }
                _ if i < data.len() => data[i] = byte,
                _ => data.push(byte),
            }
        }
        survives(Bytes::from(data));
    }

    #[test]
    fn any_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..300)) {
        survives(Bytes::from(data));
    }
}

#[test]
fn a_ping_split_in_two_is_still_a_ping() {
    let (items, rest) = read_stream([b"\r\n".as_slice(), b"\r\n"].map(Bytes::from_static));
    assert_eq!((items, rest), (vec![Item::Ping], Bytes::new()));
}

#[test]
fn folded_lines_read_as_one_value_with_single_spaces() {
    let text = "OPTIONS sip:a@example.com SIP/2.0\r\nSubject: I know you're there,\r\n  \
                pick up the phone\r\n\tand talk to me!\r\nContent-Length: 0\r\n\r\n";
    let m = parse_datagram(Bytes::from_static(text.as_bytes())).unwrap();
    assert_eq!(
        common::value(&m, "Subject"),
        b"I know you're there, pick up the phone and talk to me!"
    );
    assert_eq!(m.headers.len(), 1);
}
