//! Requests inside a dialog (RFC 3261 §12.2): how they are written, the CSeq numbers on
//! both sides, matching, target refresh, offers and the ACK of 2xx.

use super::*;

#[test]
fn an_in_dialog_request_carries_the_dialog_state() {
    // RFC 3261 §12.2.1.1, the BYE of §24.2 F13 plus the route set.
    let (_, mut bob) = established();
    let first = bob.local_seq();
    assert_eq!(first, None, "the UAS has sent nothing yet");
    let bye = bob.request(0, Method::Bye, None).unwrap();
    assert!(
        bye.header(&HeaderName::Via).is_none(),
        "the shell adds the Via"
    );
    let bye = wire(&bye);
    let crate::message::StartLine::Request { uri, .. } = &bye.start else {
        panic!()
    };
    assert_eq!(&uri[..], b"sip:alice@pc33.atlanta.example");
    assert_eq!(
        bye.header_values(&HeaderName::Route),
        ["<sip:p2.biloxi.example;lr>", "<sip:p1.atlanta.example;lr>"].map(b)
    );
    assert_eq!(
        bye.header(&HeaderName::From),
        Some(&b("Bob <sip:bob@biloxi.example>;tag=bob1"))
    );
    assert_eq!(
        bye.header(&HeaderName::To),
        Some(&b("Alice <sip:alice@atlanta.example>;tag=alice1"))
    );
    assert_eq!(
        bye.header(&HeaderName::CallId),
        Some(&b("call-1@atlanta.example"))
    );
    assert_eq!(bye.header(&HeaderName::MaxForwards), Some(&b("70")));
    assert!(
        bye.header(&HeaderName::Contact).is_none(),
        "BYE refreshes nothing"
    );
    // §8.1.1.5: a UAS starts at random, below 2**31.
    let n = seq(&bye);
    assert!((1..1 << 30).contains(&n));
    assert_eq!(Some(n), bob.local_seq());
    assert_eq!(next_hop(&bye), Some(b("sip:p2.biloxi.example;lr")));
}

#[test]
fn the_local_cseq_grows_by_one_except_for_ack() {
    // RFC 3261 §12.2.1.1.
    let (mut alice, mut bob) = established();
    let info = deliver(&mut alice, &mut bob, Method::Info, None);
    assert_eq!(seq(&info), 101);
    bob_answers(&mut bob, &info, 200);
    let reinvite = deliver(&mut alice, &mut bob, Method::Invite, Some(sdp(3)));
    assert_eq!(seq(&reinvite), 102);
    assert!(
        reinvite.header(&HeaderName::Contact).is_some(),
        "a target refresh"
    );
    let ok = bob_answers(&mut bob, &reinvite, 200);
    alice.handle_response(0, &ok).unwrap();
    assert_eq!(seq(&alice.ack(None).unwrap()), 102);
    assert_eq!(seq(&alice.request(0, Method::Options, None).unwrap()), 103);
    for method in [Method::Ack, Method::Cancel] {
        assert_eq!(
            alice.request(0, method.clone(), None),
            Err(DialogError::Method { method })
        );
    }
    assert_eq!(alice.local_seq(), Some(103));
}

#[test]
fn a_request_with_an_old_cseq_is_refused_with_500() {
    // RFC 3261 §12.2.2: lower than the remote CSeq is out of order; the caller is told.
    let (mut alice, mut bob) = established();
    let first = wire(&alice.request(0, Method::Info, None).unwrap());
    let second = wire(&alice.request(0, Method::Info, None).unwrap());
    bob.handle_request(&second).unwrap();
    let refused = bob.handle_request(&first).unwrap_err();
    assert_eq!(
        refused,
        DialogError::CSeqOutOfOrder {
            received: 101,
            remote: 102
        }
    );
    let answer = wire(&refused.response_to(&first).unwrap());
    assert_eq!(answer.code(), Some(500));
    assert_eq!(bob.remote_seq(), Some(102), "unchanged");
    // The same number again is a new request with an old number: the transaction layer
    // absorbs retransmissions before they get here.
    assert_eq!(
        bob.handle_request(&second),
        Err(DialogError::CSeqOutOfOrder {
            received: 102,
            remote: 102
        })
    );
    // Gaps are fine (§12.2.2: requests may be lost or not reach us).
    let mut later = alice.request(0, Method::Info, None).unwrap();
    later.set_header(HeaderName::CSeq, Some(b("500 INFO")));
    bob.handle_request(&wire(&later)).unwrap();
    assert_eq!(bob.remote_seq(), Some(500));
    // ACK and CANCEL carry the INVITE's number and are not counted.
    let mut cancel = later.clone();
    cancel.start = crate::message::StartLine::Request {
        method: Method::Cancel,
        uri: b("sip:bob@192.0.2.4"),
    };
    cancel.set_header(HeaderName::CSeq, Some(b("100 CANCEL")));
    bob.handle_request(&wire(&cancel)).unwrap();
    assert_eq!(bob.remote_seq(), Some(500));
}

#[test]
fn requests_and_responses_of_other_dialogs_are_not_ours() {
    let (mut alice, mut bob) = established();
    let mut info = alice.request(0, Method::Info, None).unwrap();
    info.set_header(
        HeaderName::To,
        Some(b("<sip:bob@biloxi.example>;tag=other")),
    );
    let refused = bob.handle_request(&wire(&info)).unwrap_err();
    assert_eq!(refused, DialogError::NotThisDialog);
    assert_eq!(refused.status(), Some(481), "RFC 3261 §12.2.2");
    let mut stray = parse(INVITE).response(200, "OK", Some("bob1"));
    stray.set_header(HeaderName::CSeq, Some(b("777 INFO")));
    assert_eq!(
        alice.handle_response(0, &stray),
        Err(DialogError::Unmatched {
            cseq: 777,
            method: Method::Info
        })
    );
}

#[test]
fn a_successful_reinvite_refreshes_the_target_on_both_sides() {
    // RFC 3261 §12.2.1.2 (UAC, by the 2xx) and §12.2.2 (UAS), only on success (RFC 6141).
    let (mut alice, mut bob) = established();
    alice.set_local_contact(b"<sip:alice@192.0.2.77>").unwrap();
    let reinvite = deliver(&mut alice, &mut bob, Method::Invite, Some(sdp(3)));
    assert_eq!(&bob.remote_target()[..], b"sip:alice@pc33.atlanta.example");
    bob.set_local_contact(b"<sip:bob@192.0.2.88>").unwrap();
    let mut ok = bob.response(&reinvite, 200, "OK");
    // A Record-Route in a re-INVITE's answer changes no route set (§12.2.1.2).
    ok.push(HeaderName::RecordRoute, b("<sip:p9.example;lr>"));
    let ok = with_body(ok, sdp(4));
    bob.respond(0, &reinvite, &ok).unwrap();
    assert_eq!(&bob.remote_target()[..], b"sip:alice@192.0.2.77");
    assert_eq!(
        events(&mut bob),
        [Event::TargetRefreshed {
            target: b("sip:alice@192.0.2.77")
        }]
    );
    alice.handle_response(0, &wire(&ok)).unwrap();
    assert_eq!(&alice.remote_target()[..], b"sip:bob@192.0.2.88");
    assert_eq!(alice.route_set().entries().len(), 2);
    assert_eq!(bob.route_set().entries().len(), 2);

    // A refused re-INVITE refreshes nothing.
    let ack = alice.ack(None).unwrap();
    bob.handle_request(&wire(&ack)).unwrap();
    alice.set_local_contact(b"<sip:alice@192.0.2.99>").unwrap();
    let reinvite = deliver(&mut alice, &mut bob, Method::Invite, Some(sdp(5)));
    let busy = bob_answers(&mut bob, &reinvite, 488);
    alice.handle_response(0, &busy).unwrap();
    assert_eq!(&bob.remote_target()[..], b"sip:alice@192.0.2.77");
    assert_eq!(alice.offer(), Offer::Idle, "the offer is withdrawn");
    assert_eq!(bob.offer(), Offer::Idle);
}

#[test]
fn update_refreshes_the_target_and_carries_offers() {
    // RFC 3311 §5.
    let (mut alice, mut bob) = established();
    bob.set_local_contact(b"<sip:bob@192.0.2.50>").unwrap();
    let update = deliver(&mut bob, &mut alice, Method::Update, Some(sdp(7)));
    assert_eq!(alice.offer(), Offer::Remote { cseq: seq(&update) });
    let ok = with_body(alice.response(&update, 200, "OK"), sdp(8));
    assert!(ok.header(&HeaderName::Contact).is_some());
    alice.respond(0, &update, &ok).unwrap();
    assert_eq!(&alice.remote_target()[..], b"sip:bob@192.0.2.50");
    assert_eq!(alice.offer(), Offer::Idle);
    bob.handle_response(0, &wire(&ok)).unwrap();
    assert_eq!(bob.offer(), Offer::Idle);
}

#[test]
fn no_new_offer_while_one_waits_for_its_answer() {
    // RFC 3264 §4, RFC 3311 §5.1: our side refuses our own.
    let (mut alice, mut bob) = established();
    let update = deliver(&mut alice, &mut bob, Method::Update, Some(sdp(3)));
    let cseq = seq(&update);
    assert_eq!(
        alice.request(0, Method::Update, Some(sdp(4))),
        Err(DialogError::OfferPending { cseq })
    );
    assert_eq!(
        alice.request(0, Method::Invite, None),
        Err(DialogError::OfferPending { cseq }),
        "an offerless re-INVITE would ask for an offer"
    );
    // An UPDATE without a body (a session refresh) is fine.
    alice.request(0, Method::Update, None).unwrap();
    // RFC 3311 §5.2: their second offer while their first waits → 500 with Retry-After.
    let mut second = update.clone();
    second.set_header(HeaderName::CSeq, Some(b(&format!("{} UPDATE", cseq + 5))));
    let overlap = bob.handle_request(&second).unwrap_err();
    assert!(
        matches!(overlap, DialogError::Overlap { pending, retry_after } if pending == cseq && retry_after <= 10)
    );
    let answer = wire(&overlap.response_to(&second).unwrap());
    assert_eq!(answer.code(), Some(500));
    assert!(answer.header(&HeaderName::RetryAfter).is_some());
}

#[test]
fn crossing_updates_with_offers_both_get_491() {
    // RFC 3311 §5.2: an offer while ours waits for its answer.
    let (mut alice, mut bob) = established();
    let from_alice = wire(&alice.request(0, Method::Update, Some(sdp(3))).unwrap());
    let from_bob = wire(&bob.request(0, Method::Update, Some(sdp(4))).unwrap());
    let at_alice = alice.handle_request(&from_bob).unwrap_err();
    let at_bob = bob.handle_request(&from_alice).unwrap_err();
    assert_eq!(
        at_alice,
        DialogError::Glare {
            ours: seq(&from_alice)
        }
    );
    assert_eq!(
        at_bob,
        DialogError::Glare {
            ours: seq(&from_bob)
        }
    );
    let to_bob = wire(&at_alice.response_to(&from_bob).unwrap());
    assert_eq!(to_bob.code(), Some(491));
    bob.handle_response(1_000, &to_bob).unwrap();
    assert_eq!(bob.offer(), Offer::Idle, "withdrawn");
    let retry = bob.update_retry_at().unwrap();
    assert!(
        RETRY_OTHER_MS.contains(&(retry - 1_000)),
        "Bob does not own the Call-ID"
    );
    assert!(matches!(
        bob.request(1_000, Method::Update, Some(sdp(5))),
        Err(DialogError::BackingOff {
            method: Method::Update,
            ..
        })
    ));
    bob.handle_timeout(retry);
    assert_eq!(events(&mut bob), [Event::RetryUpdate]);
}

#[test]
fn an_offer_in_the_2xx_is_answered_in_the_ack() {
    // RFC 3261 §13.2.1, §14.1: an offerless re-INVITE.
    let (mut alice, mut bob) = established();
    let reinvite = deliver(&mut alice, &mut bob, Method::Invite, None);
    let ok = with_body(bob.response(&reinvite, 200, "OK"), sdp(5));
    bob.respond(0, &reinvite, &ok).unwrap();
    assert_eq!(
        bob.offer(),
        Offer::Local {
            cseq: seq(&reinvite)
        }
    );
    alice.handle_response(0, &wire(&ok)).unwrap();
    assert_eq!(
        alice.offer(),
        Offer::Remote {
            cseq: seq(&reinvite)
        }
    );
    assert_eq!(alice.ack(None), Err(DialogError::AnswerRequired));
    let ack = wire(&alice.ack(Some(sdp(6))).unwrap());
    assert_eq!(alice.offer(), Offer::Idle);
    bob.handle_request(&ack).unwrap();
    assert_eq!(bob.offer(), Offer::Idle);
    assert_eq!(
        bob.poll_timeout(),
        None,
        "the ACK stopped the retransmissions"
    );
    // An answer with nothing to answer is refused.
    let reinvite = deliver(&mut alice, &mut bob, Method::Invite, Some(sdp(7)));
    alice
        .handle_response(0, &bob_answers(&mut bob, &reinvite, 200))
        .unwrap();
    assert_eq!(alice.ack(Some(sdp(8))), Err(DialogError::NoOfferToAnswer));
}

#[test]
fn our_2xx_is_retransmitted_until_the_ack() {
    // RFC 3261 §13.3.1.4: T1, doubling up to T2.
    let (mut alice, mut bob) = established();
    let reinvite = deliver(&mut alice, &mut bob, Method::Invite, Some(sdp(3)));
    let ok = bob_answers(&mut bob, &reinvite, 200);
    let mut sent = Vec::new();
    while let Some(at) = bob.poll_timeout().filter(|at| *at <= 12_000) {
        bob.handle_timeout(at);
        while let Some(again) = bob.poll_response() {
            assert_eq!(wire(&again), ok);
            sent.push(at);
        }
    }
    assert_eq!(sent, [500, 1_500, 3_500, 7_500, 11_500]);
    // The 2xx retransmitted to Alice brings her ACK again, the same one.
    alice.handle_response(0, &ok).unwrap();
    let ack = alice.ack(None).unwrap();
    alice.handle_response(0, &ok).unwrap();
    assert_eq!(requests(&mut alice), std::slice::from_ref(&ack));
    bob.handle_request(&wire(&ack)).unwrap();
    assert_eq!(bob.poll_timeout(), None);
}

#[test]
fn an_older_refresh_that_succeeds_later_changes_nothing() {
    // Two UPDATEs in flight, answered in the other order, on both sides.
    let (mut alice, mut bob) = established();
    bob.set_local_contact(b"<sip:bob@192.0.2.60>").unwrap();
    let first = deliver(&mut bob, &mut alice, Method::Update, None);
    bob.set_local_contact(b"<sip:bob@192.0.2.61>").unwrap();
    let second = deliver(&mut bob, &mut alice, Method::Update, None);
    alice.set_local_contact(b"<sip:alice@192.0.2.71>").unwrap();
    let ok_second = alice.response(&second, 200, "OK");
    alice.respond(0, &second, &ok_second).unwrap();
    alice.set_local_contact(b"<sip:alice@192.0.2.70>").unwrap();
    let ok_first = alice.response(&first, 200, "OK");
    alice.respond(0, &first, &ok_first).unwrap();
    assert_eq!(&alice.remote_target()[..], b"sip:bob@192.0.2.61");
    bob.handle_response(0, &wire(&ok_second)).unwrap();
    bob.handle_response(0, &wire(&ok_first)).unwrap();
    assert_eq!(&bob.remote_target()[..], b"sip:alice@192.0.2.71");
    // A refused UPDATE, answered with 2xx by mistake, refreshes nothing either.
    let mut old = first.clone();
    old.set_header(HeaderName::Contact, Some(b("<sip:bob@192.0.2.66>")));
    assert!(alice.handle_request(&old).is_err());
    let ok = alice.response(&old, 200, "OK");
    alice.respond(0, &old, &ok).unwrap();
    assert_eq!(&alice.remote_target()[..], b"sip:bob@192.0.2.61");
}
