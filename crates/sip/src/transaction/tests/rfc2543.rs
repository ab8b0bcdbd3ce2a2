//! RFC 3261 §17.2.3: server transactions for requests without the `z9hG4bK` cookie.

use super::drain;
use crate::header_name::HeaderName;
use crate::message::Message;
use crate::method::Method;
use crate::parser::parse_datagram;
use crate::transaction::{ack_for, Event, Key, Timers, Transactions};
use bytes::Bytes;

/// An INVITE as an RFC 2543 phone sends it: its Via has no branch at all.
const INVITE: &str = "INVITE sip:2401@pbx.example SIP/2.0\n\
    Via: SIP/2.0/UDP 192.0.2.1:5060\n\
    From: <sip:2301@pbx.example>;tag=a\nTo: <sip:2401@pbx.example>\n\
    Call-ID: c1@192.0.2.1\nCSeq: 7 INVITE\nMax-Forwards: 70\nContent-Length: 0\n\n";

fn message(text: &str) -> Message {
    parse_datagram(Bytes::from(text.replace('\n', "\r\n"))).unwrap()
}

/// The INVITE with one piece of text replaced.
fn invite_with(from: &str, to: &str) -> Message {
    assert!(INVITE.contains(from), "{from}");
    message(&INVITE.replace(from, to))
}

/// Feeds a request; returns the key of the new server transaction, if one started.
fn feed(t: &mut Transactions<u8>, now: i64, request: Message) -> (usize, Option<Key>) {
    t.handle_request(now, request, 1, false);
    let (sent, events) = drain(t);
    let key = events.into_iter().find_map(|e| match e {
        Event::Request { key, .. } => Some(key),
        _ => None,
    });
    (sent.len(), key)
}

#[test]
fn a_retransmitted_invite_is_absorbed_and_answered_with_the_last_response() {
    let mut t: Transactions<u8> = Transactions::new(Timers::default());
    let invite = message(INVITE);
    let (_, key) = feed(&mut t, 0, invite.clone());
    let key = key.expect("a new transaction");
    assert!(key.is_rfc2543(), "{key:?}");
    t.respond(5, &key, &invite.response(100, "Trying", None))
        .unwrap();
    drain(&mut t);
    assert_eq!(feed(&mut t, 500, invite.clone()), (1, None));
    assert_eq!(t.len(), (1, 0));
    // The response goes back to the Via as it came: no branch appears.
    t.respond(600, &key, &invite.response(180, "Ringing", Some("b")))
        .unwrap();
    let (sent, _) = drain(&mut t);
    let ringing = parse_datagram(sent[0].data.clone()).unwrap();
    assert_eq!(
        ringing.header(&HeaderName::Via),
        Some(&Bytes::from_static(b"SIP/2.0/UDP 192.0.2.1:5060"))
    );
}

#[test]
fn the_ack_of_a_rejection_matches_by_the_responses_to_tag() {
    let mut t: Transactions<u8> = Transactions::new(Timers::default());
    let invite = message(INVITE);
    let key = feed(&mut t, 0, invite.clone()).1.unwrap();
    let busy = invite.response(486, "Busy Here", Some("b1"));
    t.respond(10, &key, &busy).unwrap();
    drain(&mut t);

    // An ACK with another To tag is not this transaction's: it goes up, and Timer G
    // keeps retransmitting the 486.
    let stranger = ack_for(&invite, &invite.response(486, "Busy Here", Some("other")));
    t.handle_request(100, stranger, 1, false);
    let (sent, events) = drain(&mut t);
    assert!(sent.is_empty());
    assert!(matches!(&events[..], [Event::Ack { .. }]), "{events:?}");
    t.handle_timeout(510);
    assert_eq!(drain(&mut t).0.len(), 1, "Timer G still runs");

    // The real ACK ends Timer G: nothing more is sent, and Timer I ends it.
    t.handle_request(600, ack_for(&invite, &busy), 1, false);
    assert_eq!(drain(&mut t), (vec![], vec![]), "the ACK is absorbed");
    t.handle_timeout(1_510);
    assert!(
        drain(&mut t).0.is_empty(),
        "no retransmission after the ACK"
    );
    t.handle_timeout(600 + 5_000);
    assert!(t.is_empty());
}

#[test]
fn the_ack_of_a_rejected_reinvite_matches_by_its_own_to_tag() {
    let mut t: Transactions<u8> = Transactions::new(Timers::default());
    let reinvite = invite_with(
        "To: <sip:2401@pbx.example>",
        "To: <sip:2401@pbx.example>;tag=d",
    );
    let key = feed(&mut t, 0, reinvite.clone()).1.unwrap();
    let pending = reinvite.response(491, "Request Pending", None);
    t.respond(10, &key, &pending).unwrap();
    drain(&mut t);
    t.handle_request(50, ack_for(&reinvite, &pending), 1, false);
    assert_eq!(drain(&mut t), (vec![], vec![]));
    t.handle_timeout(510);
    assert!(drain(&mut t).0.is_empty(), "Timer G stopped");
}

#[test]
fn the_ack_of_an_answer_goes_to_the_tu() {
    let mut t: Transactions<u8> = Transactions::new(Timers::default());
    let invite = message(INVITE);
    let key = feed(&mut t, 0, invite.clone()).1.unwrap();
    let ok = invite.response(200, "OK", Some("b1"));
    t.respond(10, &key, &ok).unwrap();
    drain(&mut t);
    t.handle_request(50, ack_for(&invite, &ok), 1, false);
    let (_, events) = drain(&mut t);
    assert!(matches!(&events[..], [Event::Ack { .. }]), "{events:?}");
}

#[test]
fn a_cancel_finds_its_invite() {
    let mut t: Transactions<u8> = Transactions::new(Timers::default());
    let invite = message(INVITE);
    let invite_key = feed(&mut t, 0, invite.clone()).1.unwrap();
    // RFC 3261 §9.1: the same Request-URI, Call-ID, To, From, CSeq number and top Via.
    let cancel = message(
        &INVITE
            .replace("INVITE sip:", "CANCEL sip:")
            .replace("7 INVITE", "7 CANCEL"),
    );
    let cancel_key = feed(&mut t, 100, cancel.clone())
        .1
        .expect("its own transaction");
    assert_eq!(cancel_key.method, Method::Cancel);
    assert_ne!(cancel_key, invite_key);
    // How a proxy finds the INVITE (RFC 3261 §9.2), as with a cookie branch.
    let wanted = Key {
        method: Method::Invite,
        ..cancel_key.clone()
    };
    assert_eq!(wanted, invite_key);
    assert_eq!(t.len(), (2, 0));
    // A CANCEL of another INVITE (other CSeq) does not.
    let other = message(
        &INVITE
            .replace("INVITE sip:", "CANCEL sip:")
            .replace("7 INVITE", "8 CANCEL"),
    );
    let other_key = feed(&mut t, 100, other).1.unwrap();
    assert_ne!(
        Key {
            method: Method::Invite,
            ..other_key
        },
        invite_key
    );
}

#[test]
fn another_cseq_from_tag_or_via_starts_another_transaction() {
    let mut t: Transactions<u8> = Transactions::new(Timers::default());
    let invite = message(INVITE);
    let key = feed(&mut t, 0, invite.clone()).1.unwrap();
    t.respond(5, &key, &invite.response(100, "Trying", None))
        .unwrap();
    drain(&mut t);
    let others = [
        invite_with("CSeq: 7 INVITE", "CSeq: 8 INVITE"),
        invite_with(";tag=a", ";tag=a2"),
        invite_with("192.0.2.1:5060", "192.0.2.1:5062"),
        invite_with("192.0.2.1:5060\n", "192.0.2.1:5060;branch=2\n"),
        invite_with("INVITE sip:2401@", "INVITE sip:2402@"),
        invite_with("Call-ID: c1@", "Call-ID: c2@"),
    ];
    let mut keys = vec![key];
    for (i, other) in others.into_iter().enumerate() {
        let (sent, new) = feed(&mut t, 10, other);
        let new = new.unwrap_or_else(|| panic!("variant {i} was taken for a retransmission"));
        assert_eq!(sent, 0, "variant {i}");
        assert!(!keys.contains(&new), "variant {i}");
        keys.push(new);
    }
    assert_eq!(t.len(), (7, 0));
}

#[test]
fn a_retransmitted_register_gets_the_same_answer_and_another_is_new() {
    let mut t: Transactions<u8> = Transactions::new(Timers::default());
    let text = "REGISTER sip:pbx.example SIP/2.0\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=1\n\
        From: <sip:2301@pbx.example>;tag=a\nTo: <sip:2301@pbx.example>\n\
        Call-ID: r1\nCSeq: 1 REGISTER\nContact: <sip:2301@192.0.2.1>\nContent-Length: 0\n\n";
    let register = message(text);
    let key = feed(&mut t, 0, register.clone()).1.unwrap();
    t.respond(1, &key, &register.response(200, "OK", Some("x")))
        .unwrap();
    let first = drain(&mut t).0;
    t.handle_request(400, register.clone(), 1, false);
    let (again, events) = drain(&mut t);
    assert_eq!((again, events), (first, vec![]));
    // The refresh (next CSeq, same branch text: RFC 2543 did not make it unique) is new.
    let refresh = message(&text.replace("1 REGISTER", "2 REGISTER"));
    assert!(feed(&mut t, 500, refresh).1.is_some());
}
