//! Any bytes into the SIP parser, as a datagram and as a stream: no panic; a message it
//! reads survives check_request/check_response and writes out into bytes that read back
//! equal (RFC 3261 parsing is the inverse of writing), and so does the answer to a
//! datagram it refuses. Seeds: RFC 4475 and RFC 3261 §24.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use sip::parser::{answer_refused, check_response, MAX_MESSAGE};
use sip::{check_request, parse_datagram, parse_stream, Frame, Message};

fn round_trips(m: &Message) {
    let _ = (check_request(m), check_response(m));
    let wire = m.to_bytes();
    // Long names written for compact ones, and CRLF for bare LF, can pass the limit.
    if wire.len() > MAX_MESSAGE {
        return;
    }
    assert_eq!(parse_datagram(wire.clone()).as_ref(), Ok(m));
    let consumed = wire.len();
    let again = parse_stream(&wire);
    assert_eq!(
        again,
        Ok(Frame::Message {
            message: m.clone(),
            consumed
        })
    );
}

fuzz_target!(|data: &[u8]| {
    let data = Bytes::copy_from_slice(data);
    match parse_datagram(data.clone()) {
        Ok(m) => round_trips(&m),
        Err(error) => {
            if let Some(answer) = answer_refused(&data, &error, Some("t")) {
                round_trips(&answer);
            }
        }
    }
    // A connection's reader: frames until the buffer is incomplete or wrong.
    let mut rest = data;
    while let Ok(frame) = parse_stream(&rest) {
        let consumed = match frame {
            Frame::Incomplete => break,
            Frame::Ping { consumed } | Frame::Pong { consumed } => consumed,
            Frame::Message { message, consumed } => {
                round_trips(&message);
                consumed
            }
        };
        assert!(consumed > 0 && consumed <= rest.len());
        rest = rest.slice(consumed..);
    }
});
