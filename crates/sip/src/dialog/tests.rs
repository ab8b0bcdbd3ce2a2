//! Unit tests of the dialog layer, a rule each, on two dialogs that talk directly (no
//! transaction layer): Alice calls Bob through two proxies that record-route. Every
//! message a dialog writes is sent over the wire here, as bytes, and read back: it
//! must pass the parser's checks.

mod creation;
mod forking;
mod glare;
mod requests;
mod termination;

use super::*;
use crate::header_name::HeaderName;
use crate::message::Message;
use crate::method::Method;
use crate::parser::{check_request, check_response, parse_datagram};
use bytes::Bytes;

/// Alice's INVITE as she sends it, with an offer.
pub(super) const INVITE: &str = "INVITE sip:bob@biloxi.example SIP/2.0\r\n\
    Via: SIP/2.0/UDP pc33.atlanta.example;branch=z9hG4bKinv1\r\nMax-Forwards: 70\r\n\
    From: Alice <sip:alice@atlanta.example>;tag=alice1\r\nTo: Bob <sip:bob@biloxi.example>\r\n\
    Call-ID: call-1@atlanta.example\r\nCSeq: 100 INVITE\r\n\
    Contact: <sip:alice@pc33.atlanta.example>\r\nContent-Type: application/sdp\r\n\
    Content-Length: 4\r\n\r\nv=0\n";

/// The proxies record-route: p1 is Alice's, p2 Bob's.
pub(super) const RECORD_ROUTE: &str = "<sip:p2.biloxi.example;lr>, <sip:p1.atlanta.example;lr>";

pub(super) fn parse(text: &str) -> Message {
    parse_datagram(Bytes::copy_from_slice(text.as_bytes())).unwrap()
}

pub(super) fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

pub(super) fn sdp(version: u32) -> Body {
    Body::sdp(Bytes::from(format!(
        "v=0\no=- 1 {version} IN IP4 192.0.2.1\n"
    )))
}

pub(super) fn settings(seed: u64) -> Settings {
    Settings {
        seed,
        ..Settings::default()
    }
}

/// A message over the wire: Via on top of a request without one, written, read back
/// and checked.
pub(super) fn wire(message: &Message) -> Message {
    let mut message = message.clone();
    if message.method().is_some() && message.header(&HeaderName::Via).is_none() {
        message.push_front(HeaderName::Via, b("SIP/2.0/UDP 192.0.2.99;branch=z9hG4bKw"));
    }
    let read = parse_datagram(message.to_bytes()).expect("parses");
    check_request(&read).expect("a valid request");
    check_response(&read).expect("a valid response");
    read
}

/// Alice's INVITE as it reaches Bob: the proxies' Record-Route added.
pub(super) fn invite_at_bob(invite: &Message) -> Message {
    let mut at_bob = invite.clone();
    at_bob.push(HeaderName::RecordRoute, b(RECORD_ROUTE));
    at_bob
}

/// A response with a body.
pub(super) fn with_body(mut message: Message, body: Body) -> Message {
    message.set_header(HeaderName::ContentType, Some(body.content_type));
    message.body = body.data;
    message
}

pub(super) fn events(dialog: &mut Dialog) -> Vec<Event> {
    std::iter::from_fn(|| dialog.poll_event()).collect()
}

pub(super) fn requests(dialog: &mut Dialog) -> Vec<Message> {
    std::iter::from_fn(|| dialog.poll_request()).collect()
}

/// The CSeq number of a message.
pub(super) fn seq(message: &Message) -> u32 {
    crate::cseq::CSeq::parse(message.header(&HeaderName::CSeq).unwrap())
        .unwrap()
        .seq
}

/// Bob answers `request` with `code` (an SDP answer in a 2xx when it carried an offer)
/// and the answer reaches Alice.
pub(super) fn bob_answers(bob: &mut Dialog, request: &Message, code: u16) -> Message {
    let mut response = bob.response(request, code, "Whatever");
    if (200..300).contains(&code) && offer::carries_sdp(request) {
        response = with_body(response, sdp(2));
    }
    bob.respond(0, request, &response).unwrap();
    wire(&response)
}

/// Alice and Bob with a confirmed dialog each, Alice's ACK delivered, queues drained.
pub(super) fn established() -> (Dialog, Dialog) {
    let invite = parse(INVITE);
    let at_bob = wire(&invite_at_bob(&invite));
    let mut bob = Dialog::uas(&at_bob, b"bob1", b"<sip:bob@192.0.2.4>", settings(2)).unwrap();
    let ok = bob_answers(&mut bob, &at_bob, 200);
    let mut alice = Dialog::uac(&invite, &ok, settings(1)).unwrap();
    let ack = wire(&alice.ack(None).unwrap());
    bob.handle_request(&ack).unwrap();
    assert_eq!(events(&mut alice), [Event::Confirmed]);
    assert_eq!(events(&mut bob), [Event::Confirmed]);
    (alice, bob)
}

/// `from` sends a request of `method` and `to` accepts it.
pub(super) fn deliver(
    from: &mut Dialog,
    to: &mut Dialog,
    method: Method,
    body: Option<Body>,
) -> Message {
    let request = wire(&from.request(0, method, body).unwrap());
    to.handle_request(&request).unwrap();
    request
}
