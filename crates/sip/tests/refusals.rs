//! The answers to datagrams the parser refuses (RFC 3261 §21.4.1: "The Reason-Phrase
//! SHOULD identify the syntax problem in more detail"), for the RFC 4475 requests that
//! an element should answer although they do not parse.

mod common;

use bytes::Bytes;
use common::value;
use sip::parser::{answer_refused, check_response};
use sip::{parse_datagram, Message, ParseError};

fn answer(name: &str) -> Option<Message> {
    let data = common::load("rfc4475", name);
    let error = parse_datagram(data.clone()).expect_err(name);
    answer_refused(&data, &error, Some("refused1"))
}

#[test]
fn refused_requests_get_the_error_as_their_answer() {
    for (name, code, reason) in [
        (
            "clerr",
            400,
            "Bad Request (body of 154 bytes shorter than Content-Length 9999)",
        ),
        (
            "ncl",
            400,
            "Bad Request (Content-Length is not a number of at most 9 digits)",
        ),
        (
            "ltgtruri",
            400,
            "Bad Request (malformed start line: the Request-URI is enclosed in <>)",
        ),
        (
            "lwsruri",
            400,
            "Bad Request (malformed start line: white space in the Request-URI)",
        ),
        (
            "lwsstart",
            400,
            "Bad Request (malformed start line: more than one space after the method)",
        ),
        (
            "trws",
            400,
            "Bad Request (malformed start line: white space after the SIP version)",
        ),
        (
            "mcl01",
            400,
            "Bad Request (two different Content-Length values: 13 and 5)",
        ),
        ("badvers", 505, "Version Not Supported"),
    ] {
        let reply = answer(name).unwrap_or_else(|| panic!("{name}: no answer"));
        let request = common::load("rfc4475", name);
        let text = String::from_utf8_lossy(&request);
        assert_eq!(reply.code(), Some(code), "{name}");
        assert_eq!(
            reply.start,
            sip::StartLine::Response {
                code,
                reason: Bytes::from(reason)
            },
            "{name}"
        );
        // Back along the request's Via, in its dialog.
        for header in ["Via", "Call-ID", "CSeq"] {
            let sent = value(&reply, header);
            assert!(
                text.contains(std::str::from_utf8(sent).unwrap()),
                "{name} {header}"
            );
        }
        // The To tag given, unless the request is in a dialog already (lwsruri).
        let tag = common::addr(&reply, "To").tag().cloned().unwrap();
        assert_eq!(&tag[..] == b"refused1", name != "lwsruri", "{name}");
        // badvers' Via says SIP/7.0 and is echoed as it came.
        if name != "badvers" {
            check_response(&reply).unwrap();
        }
        common::assert_round_trip(&reply);
    }
}

#[test]
fn responses_acks_and_unreadable_heads_are_not_answered() {
    // RFC 4475 3.1.2.19: a response is discarded.
    assert_eq!(answer("bigcode"), None);
    let cases = [
        // An ACK is never answered (RFC 3261 §17.2.1).
        "ACK  sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\
         From: <sip:b@example.com>;tag=1\r\nTo: <sip:a@example.com>;tag=2\r\nCall-ID: c\r\n\
         CSeq: 1 ACK\r\n\r\n",
        // A header line that does not read.
        "INVITE  sip:a@example.com SIP/2.0\r\nVia SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n",
        // Nowhere to send the answer.
        "OPTIONS  sip:a@example.com SIP/2.0\r\nFrom: <sip:b@example.com>;tag=1\r\n\
         To: <sip:a@example.com>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\n\r\n",
    ];
    for text in cases {
        let data = Bytes::from_static(text.as_bytes());
        let error = parse_datagram(data.clone()).expect_err(text);
        assert_eq!(answer_refused(&data, &error, None), None, "{text}");
    }
    let error = ParseError::StartLine("no SIP version");
    assert_eq!(answer_refused(&Bytes::new(), &error, None), None);
}
