//! The bodies of the fuzz targets in `fuzz/`, here so that ordinary tests run them over
//! the committed seed corpus (and they cannot rot while nobody runs the fuzzer).

use crate::parser::{answer_refused, check_response, MAX_MESSAGE};
use crate::{check_request, parse_datagram, parse_stream, Frame, Message};
use bytes::Bytes;

/// The body of the `sip_message` fuzz target; panics on a broken invariant.
///
/// Any bytes into the parser, as a datagram and as a stream: no panic; a message it reads
/// survives [`check_request`]/[`check_response`] and writes out into bytes that read back
/// equal (parsing is the inverse of writing), and so does the answer to a datagram it
/// refuses. A stream reader always consumes something and never more than it has.
pub fn message(data: &[u8]) {
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
}

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

#[cfg(test)]
mod tests {
    /// Every seed of `fuzz/corpus/sip_message` (RFC 4475 torture tests, RFC 3261 §24).
    #[test]
    fn the_committed_corpus_keeps_every_invariant() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/sip_message");
        let mut seeds = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| super::message(&data));
            assert!(outcome.is_ok(), "{} breaks an invariant", path.display());
            seeds += 1;
        }
        assert!(seeds >= 40, "only {seeds} seeds in {}", dir.display());
    }
}
