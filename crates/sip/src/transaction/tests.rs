//! The transaction layer on a simulated clock.

use super::*;
use crate::parser::parse_datagram;

mod rfc2543;

fn invite(branch: &str) -> Message {
    let text = format!(
        "INVITE sip:2401@pbx.example SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch={branch}\r\n\
         Max-Forwards: 70\r\nFrom: <sip:2301@pbx.example>;tag=a\r\nTo: <sip:2401@pbx.example>\r\n\
         Call-ID: c1\r\nCSeq: 7 INVITE\r\nRoute: <sip:proxy.example;lr>\r\nContent-Length: 0\r\n\r\n"
    );
    parse_datagram(Bytes::from(text)).unwrap()
}

fn drain<P: Clone>(t: &mut Transactions<P>) -> (Vec<Transmit<P>>, Vec<Event<P>>) {
    let mut sent = Vec::new();
    while let Some(x) = t.poll_transmit() {
        sent.push(x);
    }
    let mut events = Vec::new();
    while let Some(e) = t.poll_event() {
        events.push(e);
    }
    (sent, events)
}

#[test]
fn invite_server_retransmits_a_rejection_until_ack_then_ends() {
    let mut t: Transactions<u8> = Transactions::new(Timers::default());
    let req = invite("z9hG4bKs1");
    t.handle_request(0, req.clone(), 1, false);
    let (_, events) = drain(&mut t);
    let Some(Event::Request { key, .. }) = events.into_iter().next() else {
        panic!()
    };
    t.respond(10, &key, &req.response(486, "Busy Here", Some("x")))
        .unwrap();
    assert_eq!(drain(&mut t).0.len(), 1);
    // Timer G: 500 ms, then 1 s, 2 s, 4 s, 4 s …
    let mut at = Vec::new();
    let mut now = 10;
    while let Some(next) = t.poll_timeout() {
        if next > 10 + 8_000 {
            break;
        }
        now = next;
        t.handle_timeout(now);
        if !drain(&mut t).0.is_empty() {
            at.push(now - 10);
        }
    }
    assert_eq!(at, vec![500, 1_500, 3_500, 7_500]);
    // A retransmitted INVITE gets the response again; the ACK ends the wait.
    t.handle_request(now, req.clone(), 1, false);
    assert_eq!(drain(&mut t).0.len(), 1);
    let ack = ack_for(&req, &req.response(486, "Busy Here", Some("x")));
    t.handle_request(now, ack, 1, false);
    assert!(
        drain(&mut t).1.is_empty(),
        "the ACK of a rejection is absorbed"
    );
    t.handle_timeout(now + 5_000);
    assert!(t.is_empty());
}

#[test]
fn invite_server_without_ack_times_out_with_timer_h() {
    let mut t: Transactions<u8> = Transactions::new(Timers::default());
    let req = invite("z9hG4bKs2");
    t.handle_request(0, req.clone(), 1, true);
    let key = Key::of(&req).unwrap();
    t.respond(0, &key, &req.response(404, "Not Found", Some("x")))
        .unwrap();
    drain(&mut t);
    assert_eq!(
        t.poll_timeout(),
        Some(32_000),
        "reliable: no Timer G, only H"
    );
    t.handle_timeout(32_000);
    assert_eq!(drain(&mut t).1, vec![Event::Timeout { key }]);
    assert!(t.is_empty());
}

#[test]
fn invite_client_retransmits_with_timer_a_and_gives_up_with_b() {
    let mut t: Transactions<u8> = Transactions::new(Timers::default());
    let key = t.send_request(0, invite("z9hG4bKc1"), 2, false).unwrap();
    let mut sends = vec![0];
    drain(&mut t);
    while let Some(next) = t.poll_timeout() {
        t.handle_timeout(next);
        let (sent, events) = drain(&mut t);
        if !sent.is_empty() {
            sends.push(next);
        }
        if !events.is_empty() {
            assert_eq!(events, vec![Event::Timeout { key: key.clone() }]);
            assert_eq!(next, 32_000);
            break;
        }
    }
    assert_eq!(sends, vec![0, 500, 1_500, 3_500, 7_500, 15_500, 31_500]);
}

#[test]
fn a_ringing_invite_client_waits_past_timer_b_until_timer_c() {
    let mut t: Transactions<u8> = Transactions::new(Timers::default());
    let req = invite("z9hG4bKc3");
    let key = t.send_request(0, req.clone(), 2, false).unwrap();
    drain(&mut t);
    t.handle_response(1_000, req.response(180, "Ringing", Some("callee")));
    drain(&mut t);
    // Like a shell: sleep until the next deadline, fire, until `until`.
    let run = |t: &mut Transactions<u8>, until: i64| {
        let mut heard = Vec::new();
        while let Some(at) = t.poll_timeout().filter(|at| *at <= until) {
            t.handle_timeout(at);
            let (sent, events) = drain(t);
            assert!(sent.is_empty(), "no retransmission once it rings");
            heard.extend(events.into_iter().map(|e| (at, e)));
        }
        heard
    };
    // The phone rings on past Timer B (32 s); every provisional restarts Timer C.
    assert_eq!(run(&mut t, 60_000), vec![]);
    t.handle_response(60_000, req.response(180, "Ringing", Some("callee")));
    drain(&mut t);
    let end = 60_000 + TIMER_C;
    assert_eq!(run(&mut t, end), vec![(end, Event::Timeout { key })]);
    assert!(t.is_empty());
}

#[test]
fn invite_client_acknowledges_a_rejection_itself() {
    let mut t: Transactions<u8> = Transactions::new(Timers::default());
    let req = invite("z9hG4bKc2");
    t.send_request(0, req.clone(), 2, false).unwrap();
    drain(&mut t);
    let busy = req.response(486, "Busy Here", Some("callee"));
    t.handle_response(100, busy.clone());
    let (sent, events) = drain(&mut t);
    assert!(matches!(&events[..], [Event::Response { .. }]));
    let ack = parse_datagram(sent[0].data.clone()).unwrap();
    assert_eq!(ack.method(), Some(&Method::Ack));
    assert_eq!(
        ack.header(&HeaderName::CSeq).unwrap(),
        &Bytes::from_static(b"7 ACK")
    );
    assert!(ack
        .header(&HeaderName::To)
        .unwrap()
        .ends_with(b";tag=callee"));
    assert_eq!(ack.header_lines(&HeaderName::Route).count(), 1);
    // A retransmitted 486 is answered with the same ACK and not passed up again.
    t.handle_response(200, busy);
    let (sent, events) = drain(&mut t);
    assert_eq!((sent.len(), events.len()), (1, 0));
}

#[test]
fn non_invite_client_caps_retransmissions_at_t2() {
    let mut t: Transactions<u8> = Transactions::new(Timers::default());
    let text = "OPTIONS sip:x@y SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKo1\r\nFrom: <sip:a@y>;tag=1\r\n\
                To: <sip:x@y>\r\nCall-ID: o\r\nCSeq: 1 OPTIONS\r\n\r\n";
    t.send_request(
        0,
        parse_datagram(Bytes::from_static(text.as_bytes())).unwrap(),
        2,
        false,
    )
    .unwrap();
    drain(&mut t);
    let mut sends = Vec::new();
    while let Some(next) = t.poll_timeout() {
        if next > 20_000 {
            break;
        }
        t.handle_timeout(next);
        if !drain(&mut t).0.is_empty() {
            sends.push(next);
        }
    }
    assert_eq!(
        sends,
        vec![500, 1_500, 3_500, 7_500, 11_500, 15_500, 19_500]
    );
}

#[test]
fn many_transactions_end_each_at_its_own_timer_j_and_the_heap_empties() {
    let mut t: Transactions<u8> = Transactions::new(Timers::default());
    for i in 0..1000i64 {
        let text = format!(
            "OPTIONS sip:pbx.example SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKm{i}\r\n\
             From: <sip:a@pbx.example>;tag=a\r\nTo: <sip:pbx.example>\r\nCall-ID: m{i}\r\n\
             CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
        );
        let req = parse_datagram(Bytes::from(text)).unwrap();
        t.handle_request(i, req.clone(), 1, false);
        let key = Key::of(&req).unwrap();
        t.respond(i, &key, &req.response(200, "OK", Some("x")))
            .unwrap();
    }
    drain(&mut t);
    // Timer J is 64*T1 = 32 s after each answer.
    assert_eq!(t.poll_timeout(), Some(32_000));
    t.handle_timeout(32_499);
    assert_eq!(t.len(), (500, 0));
    assert_eq!(t.poll_timeout(), Some(32_500));
    t.handle_timeout(40_000);
    assert_eq!((t.len(), t.poll_timeout()), ((0, 0), None));
}

#[test]
fn an_ack_replaces_the_retransmit_deadline_and_the_old_one_is_skipped() {
    let mut t: Transactions<u8> = Transactions::new(Timers::default());
    let req = invite("z9hG4bKack");
    t.handle_request(0, req.clone(), 1, false);
    let key = Key::of(&req).unwrap();
    t.respond(0, &key, &req.response(486, "Busy Here", Some("b")))
        .unwrap();
    drain(&mut t);
    assert_eq!(t.poll_timeout(), Some(500)); // Timer G
    let mut ack = invite("z9hG4bKack");
    ack.start = StartLine::Request {
        method: Method::Ack,
        uri: Bytes::from_static(b"sip:2401@pbx.example"),
    };
    t.handle_request(100, ack, 1, false);
    // The stale Timer G entry fires nothing.
    t.handle_timeout(500);
    assert!(drain(&mut t).0.is_empty());
    assert_eq!(t.poll_timeout(), Some(5_100)); // Timer I = T4 after the ACK
    t.handle_timeout(5_100);
    assert_eq!((t.len(), t.poll_timeout()), ((0, 0), None));
}
