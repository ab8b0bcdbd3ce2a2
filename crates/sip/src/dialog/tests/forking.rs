//! A forked INVITE (RFC 3261 §12.1.2, §13.2.2.4) and CANCEL (§9.1), through UacInvite.

use super::*;

/// A response of the fork whose UAS answers with `tag`.
fn fork(invite: &Message, code: u16, tag: &str) -> Message {
    let mut response = invite_at_bob(invite).response(code, "Whatever", Some(tag));
    if (101..300).contains(&code) {
        response.push(HeaderName::RecordRoute, b(RECORD_ROUTE));
        response.push(
            HeaderName::Contact,
            b(&format!("<sip:bob@{tag}.biloxi.example>")),
        );
    }
    wire(&response)
}

fn drain(call: &mut UacInvite) -> (Vec<(Bytes, Event)>, Vec<Message>) {
    let events = std::iter::from_fn(|| call.poll_event())
        .map(|(id, e)| (id.remote_tag, e))
        .collect();
    let requests = std::iter::from_fn(|| call.poll_request())
        .map(|r| wire(&r))
        .collect();
    (events, requests)
}

#[test]
fn the_first_2xx_wins_and_any_other_is_acknowledged_and_ended() {
    let invite = parse(INVITE);
    let mut call = UacInvite::new(invite.clone(), settings(1)).unwrap();
    call.handle_response(0, &wire(&invite.response(100, "Trying", None)))
        .unwrap();
    for tag in ["b1", "b2", "b3"] {
        call.handle_response(0, &fork(&invite, 180, tag)).unwrap();
    }
    let (events, _) = drain(&mut call);
    assert_eq!(
        events,
        ["b1", "b2", "b3"].map(|t| (b(t), Event::Early)),
        "an early dialog per To tag"
    );
    assert_eq!(call.dialogs().count(), 3);

    // b2 answers first: its dialog is confirmed, nothing is sent for it yet.
    call.handle_response(1_000, &fork(&invite, 200, "b2"))
        .unwrap();
    let (events, requests) = drain(&mut call);
    assert_eq!(events, [(b("b2"), Event::Confirmed)]);
    assert!(requests.is_empty(), "the user acknowledges the chosen 2xx");
    assert_eq!(&call.confirmed().unwrap().id().remote_tag[..], b"b2");
    let ack = call.confirmed_mut().unwrap().ack(None).unwrap();
    assert_eq!(ack.header(&HeaderName::CSeq), Some(&b("100 ACK")));

    // b1 answers too, and b4, never seen before: ACK and BYE each, no Confirmed.
    call.handle_response(1_100, &fork(&invite, 200, "b1"))
        .unwrap();
    call.handle_response(1_200, &fork(&invite, 200, "b4"))
        .unwrap();
    let (events, requests) = drain(&mut call);
    assert_eq!(
        events,
        [
            (
                b("b1"),
                Event::Terminated {
                    reason: Reason::Surplus
                }
            ),
            (
                b("b4"),
                Event::Terminated {
                    reason: Reason::Surplus
                }
            ),
        ]
    );
    let sent: Vec<(Option<&Method>, Bytes, Option<Bytes>)> = requests
        .iter()
        .map(|r| {
            (
                r.method(),
                r.header(&HeaderName::CSeq).unwrap().clone(),
                id::tag(r, HeaderName::To),
            )
        })
        .collect();
    assert_eq!(
        sent,
        [
            (Some(&Method::Ack), b("100 ACK"), Some(b("b1"))),
            (Some(&Method::Bye), b("101 BYE"), Some(b("b1"))),
            (Some(&Method::Ack), b("100 ACK"), Some(b("b4"))),
            (Some(&Method::Bye), b("101 BYE"), Some(b("b4"))),
        ]
    );
    // The BYE goes to the surplus fork's own Contact.
    let crate::message::StartLine::Request { uri, .. } = &requests[1].start else {
        panic!()
    };
    assert_eq!(next_hop(&requests[1]), Some(b("sip:p1.atlanta.example;lr")));
    assert_eq!(&uri[..], b"sip:bob@b1.biloxi.example");

    // b2's 2xx again: its ACK again. b3 never answers: it ends with the INVITE
    // transaction, 64·T1 after the first 2xx.
    call.handle_response(1_300, &fork(&invite, 200, "b2"))
        .unwrap();
    assert_eq!(drain(&mut call).1, [wire(&ack)]);
    assert_eq!(call.poll_timeout(), Some(1_000 + 32_000));
    call.handle_timeout(33_000);
    let (events, _) = drain(&mut call);
    assert_eq!(
        events,
        [(
            b("b3"),
            Event::Terminated {
                reason: Reason::NotChosen
            }
        )]
    );
    assert_eq!(call.confirmed().unwrap().phase(), Phase::Confirmed);
}

#[test]
fn a_final_rejection_ends_every_early_dialog() {
    // RFC 3261 §13.2.2.3.
    let invite = parse(INVITE);
    let mut call = UacInvite::new(invite.clone(), settings(1)).unwrap();
    call.handle_response(0, &fork(&invite, 183, "b1")).unwrap();
    call.handle_response(0, &fork(&invite, 180, "b2")).unwrap();
    call.handle_response(0, &fork(&invite, 486, "b2")).unwrap();
    let (events, requests) = drain(&mut call);
    assert_eq!(
        events,
        [
            (b("b1"), Event::Early),
            (b("b2"), Event::Early),
            (
                b("b1"),
                Event::Terminated {
                    reason: Reason::Rejected { code: 486 }
                }
            ),
            (
                b("b2"),
                Event::Terminated {
                    reason: Reason::Rejected { code: 486 }
                }
            ),
        ]
    );
    assert!(
        requests.is_empty(),
        "the transaction acknowledges a non-2xx"
    );
    assert_eq!(call.cancel(), Err(DialogError::NothingToCancel));
    assert_eq!(call.poll_timeout(), None);
}

#[test]
fn a_cancel_waits_for_a_provisional_response_and_a_crossing_2xx_is_ended() {
    // RFC 3261 §9.1.
    let invite = parse(INVITE);
    let mut call = UacInvite::new(invite.clone(), settings(1)).unwrap();
    call.cancel().unwrap();
    assert_eq!(
        call.poll_request(),
        None,
        "not before a provisional response"
    );
    call.handle_response(0, &wire(&invite.response(100, "Trying", None)))
        .unwrap();
    let cancel = wire(&call.poll_request().unwrap());
    assert_eq!(cancel.method(), Some(&Method::Cancel));
    for name in [
        HeaderName::Via,
        HeaderName::From,
        HeaderName::To,
        HeaderName::CallId,
    ] {
        assert_eq!(cancel.header(&name), invite.header(&name), "{name:?}");
    }
    assert_eq!(cancel.header(&HeaderName::CSeq), Some(&b("100 CANCEL")));
    call.cancel().unwrap();
    assert_eq!(call.poll_request(), None, "one CANCEL");
    // The callee answered before the CANCEL reached it.
    call.handle_response(0, &fork(&invite, 200, "b1")).unwrap();
    let (events, requests) = drain(&mut call);
    assert_eq!(
        events,
        [(
            b("b1"),
            Event::Terminated {
                reason: Reason::Surplus
            }
        )]
    );
    let methods: Vec<_> = requests.iter().map(|r| r.method().cloned()).collect();
    assert_eq!(methods, [Some(Method::Ack), Some(Method::Bye)]);
    assert!(call.confirmed().is_none());
}

#[test]
fn the_invite_timing_out_ends_its_early_dialogs() {
    let invite = parse(INVITE);
    let mut call = UacInvite::new(invite.clone(), settings(1)).unwrap();
    call.handle_response(0, &fork(&invite, 180, "b1")).unwrap();
    call.handle_transaction_timeout();
    let (events, _) = drain(&mut call);
    assert_eq!(
        events[1],
        (
            b("b1"),
            Event::Terminated {
                reason: Reason::NoResponse {
                    method: Method::Invite
                }
            }
        )
    );
}

#[test]
fn messages_inside_the_dialogs_are_passed_on_by_tag() {
    let invite = parse(INVITE);
    let mut call = UacInvite::new(invite.clone(), settings(1)).unwrap();
    let at_bob = wire(&invite_at_bob(&invite));
    let mut bob = Dialog::uas(&at_bob, b"b1", b"<sip:bob@192.0.2.4>", settings(2)).unwrap();
    call.handle_response(0, &bob_answers(&mut bob, &at_bob, 200))
        .unwrap();
    let ack = wire(&call.confirmed_mut().unwrap().ack(None).unwrap());
    bob.handle_request(&ack).unwrap();
    // Bob's INFO reaches Alice's dialog, her answer reaches Bob.
    let info = wire(&bob.request(0, Method::Info, None).unwrap());
    call.handle_request(&info).unwrap();
    let id = call.confirmed().unwrap().id().clone();
    let ok = call.dialog(&id).unwrap().response(&info, 200, "OK");
    call.respond(0, &info, &ok).unwrap();
    bob.handle_response(0, &wire(&ok)).unwrap();
    // Alice's BYE and Bob's answer to it.
    let bye = wire(
        &call
            .dialog_mut(&id)
            .unwrap()
            .request(0, Method::Bye, None)
            .unwrap(),
    );
    bob.handle_request(&bye).unwrap();
    let ok = bob.response(&bye, 200, "OK");
    bob.respond(0, &bye, &ok).unwrap();
    call.handle_response(0, &wire(&ok)).unwrap();
    let (events, _) = drain(&mut call);
    assert_eq!(
        events.last(),
        Some(&(
            b("b1"),
            Event::Terminated {
                reason: Reason::LocalBye
            }
        ))
    );
    // Another dialog's request is not ours.
    let mut stray = info.clone();
    stray.set_header(HeaderName::From, Some(b("<sip:bob@biloxi.example>;tag=zz")));
    assert_eq!(call.handle_request(&stray), Err(DialogError::NotThisDialog));
}
