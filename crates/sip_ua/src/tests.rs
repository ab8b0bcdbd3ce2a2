//! The phone on canned messages from a pretend server, and two phones wired together.

use super::sdp::{Direction, Sdp};
use super::*;
use sip::digest::{Authenticator, Credentials, NonceCounts, NonceKey, Verdict};

const PHONE: &str = "127.0.0.1:5070";
const SERVER: &str = "127.0.0.1:5060";

fn at(a: &str) -> SocketAddr {
    a.parse().unwrap()
}

fn phone() -> SipPhone {
    let account = Account::new("2501-1", "secret", "pbx.example");
    SipPhone::new(account, at(PHONE), at(SERVER), 7)
}

/// Everything the phone sends now, parsed.
fn sent(phone: &mut SipPhone) -> Vec<Message> {
    std::iter::from_fn(|| phone.poll_transmit())
        .map(|t| {
            assert_eq!(t.to, at(SERVER));
            sip::parse_datagram(t.data).unwrap()
        })
        .collect()
}

fn only(mut messages: Vec<Message>) -> Message {
    assert_eq!(messages.len(), 1, "{messages:?}");
    messages.remove(0)
}

fn value(message: &Message, name: HeaderName) -> String {
    String::from_utf8_lossy(message.header(&name).unwrap()).into_owned()
}

fn events(phone: &mut SipPhone) -> Vec<PhoneEvent> {
    std::iter::from_fn(|| phone.poll_event()).collect()
}

fn server_says(phone: &mut SipPhone, now: i64, response: &Message) {
    phone.handle_datagram(now, at(SERVER), response.to_bytes());
}

fn authenticator() -> Authenticator {
    Authenticator::new("pbx.example", NonceKey::new(vec![3; 32]), 300)
}

/// The server's check of an answer in `header` of `request`.
fn verify(request: &Message, header: HeaderName) -> Verdict {
    let credentials = Credentials::parse(request.header(&header).unwrap()).unwrap();
    let ha1 = sip::digest::ha1(credentials.algorithm, "2501-1", "pbx.example", "secret");
    let method = request.method().unwrap();
    let mut counts = NonceCounts::new(10);
    authenticator().verify(1, &mut counts, method, &credentials, &ha1)
}

#[test]
fn register_answers_the_401_and_reports_the_granted_expiry() {
    let mut p = phone();
    p.register(0);
    let first = only(sent(&mut p));
    assert_eq!(first.method(), Some(&Method::Register));
    assert_eq!(value(&first, HeaderName::CSeq), "1 REGISTER");
    assert!(first.header(&HeaderName::Authorization).is_none());

    let mut challenge = first.response(401, "Unauthorized", Some("srv"));
    for c in authenticator().challenge_values(1, 1, false) {
        challenge.push(HeaderName::WwwAuthenticate, c);
    }
    server_says(&mut p, 10, &challenge);
    let second = only(sent(&mut p));
    assert_eq!(value(&second, HeaderName::CSeq), "2 REGISTER");
    assert_eq!(
        second.header(&HeaderName::CallId),
        first.header(&HeaderName::CallId)
    );
    assert!(matches!(
        verify(&second, HeaderName::Authorization),
        Verdict::Ok(_)
    ));
    assert_eq!(events(&mut p), []);

    let mut ok = second.response(200, "OK", Some("srv"));
    ok.push(
        HeaderName::Contact,
        Bytes::from("<sip:2501-1@192.0.2.9:5070>;expires=60"),
    );
    ok.push(
        HeaderName::Contact,
        Bytes::from(format!("<sip:2501-1@{PHONE}>;expires=120")),
    );
    server_says(&mut p, 20, &ok);
    assert_eq!(events(&mut p), [PhoneEvent::Registered { expires: 120 }]);

    // A second refusal of the answered attempt is a failure, not a loop.
    p.unregister(30);
    let third = only(sent(&mut p));
    server_says(&mut p, 40, &{
        let mut c = third.response(401, "Unauthorized", Some("srv"));
        c.push(
            HeaderName::WwwAuthenticate,
            authenticator().challenge_values(1, 2, false)[1].clone(),
        );
        c
    });
    let fourth = only(sent(&mut p));
    server_says(&mut p, 50, &{
        let mut c = fourth.response(401, "Unauthorized", Some("srv"));
        c.push(
            HeaderName::WwwAuthenticate,
            authenticator().challenge_values(1, 3, false)[1].clone(),
        );
        c
    });
    assert_eq!(sent(&mut p), []);
    assert_eq!(
        events(&mut p),
        [PhoneEvent::RegistrationFailed { code: 401 }]
    );
}

#[test]
fn a_call_answers_the_407_and_acknowledges_both_finals() {
    let mut p = phone();
    let offer = Sdp::offer(at("127.0.0.1:40000")).to_string();
    let call = p.call(0, "2401", &offer);
    let invite = only(sent(&mut p));
    assert_eq!(
        invite.start,
        StartLine::Request {
            method: Method::Invite,
            uri: Bytes::from("sip:2401@pbx.example")
        }
    );
    assert_eq!(&invite.body[..], offer.as_bytes());

    let mut challenge = invite.response(407, "Proxy Authentication Required", Some("srv"));
    challenge.push(
        HeaderName::ProxyAuthenticate,
        authenticator().challenge_values(1, 1, false)[0].clone(),
    );
    server_says(&mut p, 10, &challenge);
    let out = sent(&mut p);
    assert_eq!(out.len(), 2, "{out:?}");
    // The transaction layer's ACK of the 407 (same branch), then the signed INVITE.
    let (ack, signed) = (&out[0], &out[1]);
    assert_eq!(ack.method(), Some(&Method::Ack));
    assert_eq!(value(ack, HeaderName::CSeq), "1 ACK");
    assert_eq!(
        ack.header(&HeaderName::Via),
        invite.header(&HeaderName::Via)
    );
    assert_eq!(value(signed, HeaderName::CSeq), "2 INVITE");
    assert_ne!(
        signed.header(&HeaderName::Via),
        invite.header(&HeaderName::Via)
    );
    assert_eq!(
        signed.header(&HeaderName::CallId),
        invite.header(&HeaderName::CallId)
    );
    assert_eq!(
        signed.header(&HeaderName::From),
        invite.header(&HeaderName::From)
    );
    assert!(matches!(
        verify(signed, HeaderName::ProxyAuthorization),
        Verdict::Ok(_)
    ));

    let mut ringing = signed.response(180, "Ringing", Some("callee"));
    ringing.push(
        HeaderName::Contact,
        Bytes::from("<sip:2401-1@127.0.0.1:5080>"),
    );
    server_says(&mut p, 20, &ringing);
    assert_eq!(sent(&mut p), []);
    assert_eq!(events(&mut p), [PhoneEvent::Ringing { call }]);

    let answer = Sdp::offer(at("127.0.0.1:40002")).to_string();
    let mut ok = signed.response(200, "OK", Some("callee"));
    ok.push(
        HeaderName::Contact,
        Bytes::from("<sip:2401-1@127.0.0.1:5080>"),
    );
    super::with_sdp(&mut ok, &answer);
    server_says(&mut p, 30, &ok);
    let ack = only(sent(&mut p));
    assert_eq!(ack.method(), Some(&Method::Ack));
    assert_eq!(value(&ack, HeaderName::CSeq), "2 ACK");
    assert!(value(&ack, HeaderName::To).ends_with(";tag=callee"));
    // The dialog's ACK carries the INVITE's credentials (RFC 3261 §13.2.2.4).
    assert!(ack.header(&HeaderName::ProxyAuthorization).is_some());
    assert_eq!(
        events(&mut p),
        [PhoneEvent::Answered {
            call,
            sdp: Some(answer)
        }]
    );

    // The 2xx again: the same ACK again.
    server_says(&mut p, 530, &ok);
    let again = only(sent(&mut p));
    assert_eq!(value(&again, HeaderName::CSeq), "2 ACK");
    assert_eq!(events(&mut p), []);
}

#[test]
fn a_rejected_call_fails_with_its_status() {
    let mut p = phone();
    let call = p.call(0, "2401", &Sdp::offer(at("127.0.0.1:40000")).to_string());
    let invite = only(sent(&mut p));
    server_says(&mut p, 10, &invite.response(486, "Busy Here", Some("x")));
    let ack = only(sent(&mut p));
    assert_eq!(ack.method(), Some(&Method::Ack));
    assert_eq!(events(&mut p), [PhoneEvent::Failed { call, code: 486 }]);
    assert_eq!(p.hang_up(20, call), Err(PhoneError::NoCall(call)));
}

/// Delivers what each phone sends to the other until both are quiet.
fn wire(now: i64, a: &mut SipPhone, b: &mut SipPhone) {
    while deliver(now, a, b) | deliver(now, b, a) {}
}

/// Delivers what `from` sends to `to`; whether there was anything.
fn deliver(now: i64, from: &mut SipPhone, to: &mut SipPhone) -> bool {
    let mut any = false;
    while let Some(t) = from.poll_transmit() {
        assert_eq!(t.to, to.local());
        to.handle_datagram(now, from.local(), t.data);
        any = true;
    }
    any
}

#[test]
fn hold_by_reinvite_and_hang_up_by_the_callee() {
    let (at_a, at_b) = (at("127.0.0.1:6001"), at("127.0.0.1:6002"));
    let mut a = SipPhone::new(Account::new("a", "pw", "x.example"), at_a, at_b, 1);
    let mut b = SipPhone::new(Account::new("b", "pw", "x.example"), at_b, at_a, 2);
    let offer = Sdp::offer(at("127.0.0.1:7000"));
    let call = a.call(0, "b", &offer.to_string());
    wire(0, &mut a, &mut b);
    let Some(PhoneEvent::Incoming {
        call: theirs, sdp, ..
    }) = b.poll_event()
    else {
        panic!()
    };
    let received = Sdp::parse(&sdp.unwrap()).unwrap();
    b.answer(
        5,
        theirs,
        &received.answer(at("127.0.0.1:7002")).to_string(),
    )
    .unwrap();
    wire(5, &mut a, &mut b);
    assert!(matches!(
        events(&mut a)[..],
        [PhoneEvent::Ringing { .. }, PhoneEvent::Answered { .. }]
    ));
    assert_eq!(events(&mut b), [PhoneEvent::Confirmed { call: theirs }]);

    // A holds: sendonly offered, recvonly answered.
    let hold = offer.next_version().with_direction(Direction::SendOnly);
    a.reinvite(10, call, &hold.to_string()).unwrap();
    wire(10, &mut a, &mut b);
    let Some(PhoneEvent::Offered {
        call: c,
        sdp: Some(sdp),
    }) = b.poll_event()
    else {
        panic!()
    };
    assert_eq!(c, theirs);
    let held = Sdp::parse(&sdp).unwrap();
    assert_eq!((held.direction, held.version), (Direction::SendOnly, 2));
    b.answer(15, theirs, &held.answer(at("127.0.0.1:7002")).to_string())
        .unwrap();
    wire(15, &mut a, &mut b);
    let Some(PhoneEvent::Accepted { sdp: Some(sdp), .. }) = a.poll_event() else {
        panic!()
    };
    assert_eq!(Sdp::parse(&sdp).unwrap().direction, Direction::RecvOnly);
    assert_eq!(events(&mut b), [PhoneEvent::Confirmed { call: theirs }]);

    // A second re-INVITE refused: the call goes on.
    a.reinvite(20, call, &hold.next_version().to_string())
        .unwrap();
    wire(20, &mut a, &mut b);
    assert!(matches!(b.poll_event(), Some(PhoneEvent::Offered { .. })));
    b.reject(21, theirs, 488).unwrap();
    wire(21, &mut a, &mut b);
    assert_eq!(events(&mut a), [PhoneEvent::Refused { call, code: 488 }]);

    b.hang_up(30, theirs).unwrap();
    wire(30, &mut a, &mut b);
    let remote = sip::dialog::Reason::RemoteBye;
    assert_eq!(
        events(&mut a),
        [PhoneEvent::Ended {
            call,
            reason: remote
        }]
    );
    let local = sip::dialog::Reason::LocalBye;
    assert_eq!(
        events(&mut b),
        [PhoneEvent::Ended {
            call: theirs,
            reason: local
        }]
    );
    // Nothing is left to retransmit once the dust settles.
    a.handle_timeout(40_000);
    b.handle_timeout(40_000);
    assert_eq!((a.poll_transmit(), b.poll_transmit()), (None, None));
}

#[test]
fn a_cancelled_call_is_487_at_both_ends() {
    let (at_a, at_b) = (at("127.0.0.1:6001"), at("127.0.0.1:6002"));
    let mut a = SipPhone::new(Account::new("a", "pw", "x.example"), at_a, at_b, 1);
    let mut b = SipPhone::new(Account::new("b", "pw", "x.example"), at_b, at_a, 2);
    let call = a.call(0, "b", &Sdp::offer(at("127.0.0.1:7000")).to_string());
    wire(0, &mut a, &mut b);
    let Some(PhoneEvent::Incoming { call: theirs, .. }) = b.poll_event() else {
        panic!()
    };
    a.hang_up(5, call).unwrap();
    wire(5, &mut a, &mut b);
    assert_eq!(
        events(&mut a),
        [
            PhoneEvent::Ringing { call },
            PhoneEvent::Failed { call, code: 487 }
        ]
    );
    let rejected = sip::dialog::Reason::Rejected { code: 487 };
    assert_eq!(
        events(&mut b),
        [PhoneEvent::Ended {
            call: theirs,
            reason: rejected
        }]
    );
}

#[test]
fn a_call_sent_again_after_its_first_branch_ended_is_a_new_call() {
    // A forking proxy rang this phone, cancelled, and now sends the same call here once
    // more (a new branch, the same Call-ID and From tag): it rings as a new call, and
    // its CANCEL and BYE reach it, not the one that is over.
    let mut p = phone();
    let invite = |branch: &str| {
        Bytes::from(format!(
            "INVITE sip:**2501@{PHONE} SIP/2.0\r\nVia: SIP/2.0/UDP {SERVER};branch=z9hG4bK{branch}\r\n\
             From: <sip:2502-1@pbx.example>;tag=dora\r\nTo: <sip:2501@pbx.example>\r\n\
             Call-ID: forked\r\nCSeq: 2 INVITE\r\nContact: <sip:2502-1@{SERVER}>\r\n\
             Max-Forwards: 69\r\nContent-Length: 0\r\n\r\n"
        ))
    };
    p.handle_datagram(0, at(SERVER), invite("first"));
    let Some(PhoneEvent::Incoming { call: first, .. }) = p.poll_event() else {
        panic!("the first branch rings")
    };
    sent(&mut p);
    let cancel = Bytes::from(format!(
        "CANCEL sip:**2501@{PHONE} SIP/2.0\r\nVia: SIP/2.0/UDP {SERVER};branch=z9hG4bKfirst\r\n\
         From: <sip:2502-1@pbx.example>;tag=dora\r\nTo: <sip:2501@pbx.example>\r\n\
         Call-ID: forked\r\nCSeq: 2 CANCEL\r\nMax-Forwards: 69\r\nContent-Length: 0\r\n\r\n"
    ));
    p.handle_datagram(10, at(SERVER), cancel);
    let codes: Vec<_> = sent(&mut p).iter().filter_map(Message::code).collect();
    assert_eq!(codes, [200, 487]);
    assert!(matches!(events(&mut p)[..], [PhoneEvent::Ended { call, .. }] if call == first));

    p.handle_datagram(20, at(SERVER), invite("second"));
    let Some(PhoneEvent::Incoming { call: second, .. }) = p.poll_event() else {
        panic!("the second branch rings as a call of its own")
    };
    assert_ne!(second, first);
    let ringing = only(sent(&mut p));
    assert_eq!(ringing.code(), Some(180));
    p.answer(30, second, &Sdp::offer(at("127.0.0.1:7000")).to_string())
        .unwrap();
    let ok = only(sent(&mut p));
    assert_eq!(ok.code(), Some(200));
    let to = value(&ok, HeaderName::To);
    let bye = Bytes::from(format!(
        "BYE sip:2501-1@{PHONE} SIP/2.0\r\nVia: SIP/2.0/UDP {SERVER};branch=z9hG4bKbye\r\n\
         From: <sip:2502-1@pbx.example>;tag=dora\r\nTo: {to}\r\n\
         Call-ID: forked\r\nCSeq: 3 BYE\r\nMax-Forwards: 69\r\nContent-Length: 0\r\n\r\n"
    ));
    p.handle_datagram(40, at(SERVER), bye);
    assert!(sent(&mut p).iter().any(|m| m.code() == Some(200)));
    assert!(events(&mut p)
        .iter()
        .any(|e| matches!(e, PhoneEvent::Ended { call, .. } if *call == second)));
}

#[test]
fn requests_outside_its_calls_are_answered_plainly() {
    let mut p = phone();
    let text = |method: &str| {
        Bytes::from(format!(
            "{method} sip:2501-1@{PHONE} SIP/2.0\r\nVia: SIP/2.0/UDP {SERVER};branch=z9hG4bK{method}\r\n\
             From: <sip:x@pbx.example>;tag=1\r\nTo: <sip:2501-1@pbx.example>\r\nCall-ID: stray\r\n\
             CSeq: 1 {method}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
        ))
    };
    for (method, code) in [("OPTIONS", 200), ("CANCEL", 481), ("MESSAGE", 405)] {
        p.handle_datagram(0, at(SERVER), text(method));
        assert_eq!(only(sent(&mut p)).code(), Some(code), "{method}");
    }
    assert_eq!(events(&mut p), []);
}
