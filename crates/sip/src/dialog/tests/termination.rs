//! How dialogs end (RFC 3261 §12.3, §15, RFC 5057 §5.1) and that nothing follows.

use super::*;

/// Asserts that a dialog emits nothing more, whatever it is fed: the clock, a request of
/// the peer (`info`, written before the end), commands.
fn silent_from_now_on(dialog: &mut Dialog, info: &Message) {
    dialog.handle_timeout(i64::MAX / 2);
    assert_eq!(dialog.handle_request(info), Err(DialogError::Terminated));
    assert_eq!(
        dialog.request(0, Method::Info, None),
        Err(DialogError::Terminated)
    );
    assert_eq!(dialog.ack(None), Err(DialogError::Terminated));
    assert_eq!((dialog.poll_event(), dialog.poll_request()), (None, None));
    assert_eq!(
        (dialog.poll_response(), dialog.poll_timeout()),
        (None, None)
    );
}

#[test]
fn a_bye_received_ends_the_dialog_at_once() {
    // RFC 3261 §15.1.2.
    let (mut alice, mut bob) = established();
    let info = wire(&bob.request(0, Method::Info, None).unwrap());
    let bye = deliver(&mut bob, &mut alice, Method::Bye, None);
    assert_eq!(
        events(&mut alice),
        [Event::Terminated {
            reason: Reason::RemoteBye
        }]
    );
    assert_eq!(alice.phase(), Phase::Terminated);
    // Its 200 is still ours to send.
    let ok = alice.response(&bye, 200, "OK");
    alice.respond(0, &bye, &ok).unwrap();
    silent_from_now_on(&mut alice, &info);
}

#[test]
fn our_bye_ends_the_dialog_when_answered() {
    // RFC 3261 §15.1.1: whatever the answer — but after a 401/407 a BYE may follow.
    let (mut alice, mut bob) = established();
    let info = wire(&bob.request(0, Method::Info, None).unwrap());
    let bye = deliver(&mut alice, &mut bob, Method::Bye, None);
    assert_eq!(alice.phase(), Phase::Ending);
    assert_eq!(
        alice.request(0, Method::Info, None),
        Err(DialogError::Terminated)
    );
    assert_eq!(
        alice.request(0, Method::Bye, None),
        Err(DialogError::Terminated)
    );
    let challenge = wire(&bye.response(407, "Proxy Authentication Required", None));
    alice.handle_response(0, &challenge).unwrap();
    assert_eq!(alice.phase(), Phase::Ending);
    let again = wire(&alice.request(0, Method::Bye, None).unwrap());
    assert_eq!(seq(&again), seq(&bye) + 1);
    alice
        .handle_response(0, &wire(&again.response(200, "OK", None)))
        .unwrap();
    assert_eq!(
        events(&mut alice),
        [Event::Terminated {
            reason: Reason::LocalBye
        }]
    );
    silent_from_now_on(&mut alice, &info);

    // No answer at all ends it too.
    let (mut alice, _) = established();
    let bye = alice.request(0, Method::Bye, None).unwrap();
    alice.handle_transaction_timeout(seq(&bye));
    assert_eq!(alice.termination(), Some(&Reason::LocalBye));
}

#[test]
fn while_our_bye_is_out_only_a_crossing_bye_is_accepted() {
    let (mut alice, mut bob) = established();
    let _ = alice.request(0, Method::Bye, None).unwrap();
    let info = wire(&bob.request(0, Method::Info, None).unwrap());
    let refused = alice.handle_request(&info).unwrap_err();
    assert_eq!(refused.status(), Some(481));
    let crossing = wire(&bob.request(0, Method::Bye, None).unwrap());
    alice.handle_request(&crossing).unwrap();
    assert_eq!(alice.termination(), Some(&Reason::RemoteBye));
}

#[test]
fn the_callee_may_not_bye_early_nor_before_the_ack() {
    // RFC 3261 §15.
    let at_bob = invite_at_bob(&parse(INVITE));
    let mut bob = Dialog::uas(&at_bob, b"bob1", b"<sip:bob@192.0.2.4>", settings(2)).unwrap();
    assert!(matches!(
        bob.request(0, Method::Bye, None),
        Err(DialogError::ByeNotAllowed { .. })
    ));
    let ok = bob_answers(&mut bob, &at_bob, 200);
    assert!(matches!(
        bob.request(0, Method::Bye, None),
        Err(DialogError::ByeNotAllowed { .. })
    ));
    let mut alice = Dialog::uac(&parse(INVITE), &ok, settings(1)).unwrap();
    bob.handle_request(&wire(&alice.ack(None).unwrap()))
        .unwrap();
    bob.request(0, Method::Bye, None).unwrap();
}

#[test]
fn without_an_ack_the_callee_ends_the_session_with_bye() {
    // RFC 3261 §13.3.1.4: 64·T1 of retransmissions, then BYE.
    let at_bob = invite_at_bob(&parse(INVITE));
    let mut bob = Dialog::uas(&at_bob, b"bob1", b"<sip:bob@192.0.2.4>", settings(2)).unwrap();
    let ok = bob_answers(&mut bob, &at_bob, 200);
    let mut retransmissions = 0;
    let mut now = 0;
    while let Some(at) = bob.poll_timeout() {
        now = at;
        bob.handle_timeout(now);
        retransmissions += std::iter::from_fn(|| bob.poll_response()).count();
    }
    assert_eq!(now, 32_000);
    // 0.5, 1.5, 3.5, 7.5, then every 4 s up to 31.5.
    assert_eq!(retransmissions, 10);
    let bye = requests(&mut bob);
    assert_eq!(bye.len(), 1);
    assert_eq!(wire(&bye[0]).method(), Some(&Method::Bye));
    assert_eq!(
        events(&mut bob),
        [
            Event::Confirmed,
            Event::Terminated {
                reason: Reason::NoAck
            }
        ]
    );
    let _ = ok;
}

#[test]
fn answers_end_the_transaction_the_usage_or_the_dialog() {
    // The rule of termination.rs (RFC 3261 §12.2.1.2, RFC 5057 §5.1).
    for (method, code, ends) in [
        (Method::Info, 500, false),
        (Method::Info, 488, false),
        (Method::Invite, 488, false),
        (Method::Invite, 503, false),
        (Method::Info, 481, true),
        (Method::Invite, 408, true),
        (Method::Update, 481, true),
        (Method::Info, 404, true),
        (Method::Options, 502, true),
    ] {
        let (mut alice, mut bob) = established();
        let body = (method == Method::Invite).then(|| sdp(3));
        let request = deliver(&mut alice, &mut bob, method.clone(), body);
        alice
            .handle_response(0, &bob_answers(&mut bob, &request, code))
            .unwrap();
        let expected = ends.then(|| Reason::Failed {
            method: method.clone(),
            code,
        });
        assert_eq!(alice.termination(), expected.as_ref(), "{method} {code}");
        if !ends {
            assert_eq!(alice.phase(), Phase::Confirmed);
            assert_eq!(
                alice.our_invite(),
                None,
                "the INVITE is over, the session stays"
            );
        }
    }
    let (mut alice, _) = established();
    let info = alice.request(0, Method::Info, None).unwrap();
    alice.handle_transaction_timeout(seq(&info));
    assert_eq!(
        alice.termination(),
        Some(&Reason::NoResponse {
            method: Method::Info
        })
    );
}

#[test]
fn a_failed_subscription_ends_only_the_subscription() {
    // RFC 5057 §5.1: a NOTIFY or REFER belongs to an event subscription in the dialog.
    let (mut alice, mut bob) = established();
    let notify = deliver(&mut alice, &mut bob, Method::Notify, None);
    alice
        .handle_response(0, &bob_answers(&mut bob, &notify, 481))
        .unwrap();
    let refer = alice.request(0, Method::Refer, None).unwrap();
    alice.handle_transaction_timeout(seq(&refer));
    assert_eq!(
        events(&mut alice),
        [
            Event::UsageEnded {
                method: Method::Notify,
                code: Some(481)
            },
            Event::UsageEnded {
                method: Method::Refer,
                code: None
            }
        ]
    );
    assert_eq!(alice.phase(), Phase::Confirmed);
    // 404 means the target is gone: that ends the dialog even for a NOTIFY.
    let notify = deliver(&mut alice, &mut bob, Method::Notify, None);
    alice
        .handle_response(0, &bob_answers(&mut bob, &notify, 404))
        .unwrap();
    assert_eq!(alice.phase(), Phase::Terminated);
}

#[test]
fn a_rejected_invite_ends_its_early_dialog_on_both_sides() {
    // RFC 3261 §12.3, §13.2.2.3.
    let invite = parse(INVITE);
    let at_bob = invite_at_bob(&invite);
    let mut bob = Dialog::uas(&at_bob, b"bob1", b"<sip:bob@192.0.2.4>", settings(2)).unwrap();
    let ringing = bob_answers(&mut bob, &at_bob, 180);
    let mut alice = Dialog::uac(&invite, &ringing, settings(1)).unwrap();
    let busy = bob_answers(&mut bob, &at_bob, 486);
    alice.handle_response(0, &busy).unwrap();
    for dialog in [&mut alice, &mut bob] {
        assert_eq!(dialog.termination(), Some(&Reason::Rejected { code: 486 }));
        assert_eq!(dialog.poll_timeout(), None);
    }
    // An INVITE that never got an answer.
    let mut alice = Dialog::uac(&invite, &ringing, settings(1)).unwrap();
    alice.handle_transaction_timeout(100);
    assert_eq!(
        alice.termination(),
        Some(&Reason::NoResponse {
            method: Method::Invite
        })
    );
}

#[test]
fn a_secure_dialog_keeps_sips_targets() {
    // RFC 3261 §12.1.1, §8.1.1.8.
    let text = INVITE
        .replace("INVITE sip:bob@", "INVITE sips:bob@")
        .replace("<sip:alice@pc33", "<sips:alice@pc33");
    let invite = parse(&text);
    let tls = Settings {
        tls: true,
        ..settings(2)
    };
    let mut bob = Dialog::uas(&invite, b"bob1", b"<sips:bob@192.0.2.4>", tls).unwrap();
    let ok = bob.response(&invite, 200, "OK");
    bob.respond(0, &invite, &ok).unwrap();
    let mut alice = Dialog::uac(&invite, &ok, tls).unwrap();
    assert!(alice.is_secure());
    assert_eq!(
        alice.set_local_contact(b"<sip:alice@192.0.2.1>"),
        Err(DialogError::InsecureTarget)
    );
    bob.handle_request(&wire(&alice.ack(None).unwrap()))
        .unwrap();
    let mut reinvite = alice.request(0, Method::Invite, None).unwrap();
    reinvite.set_header(HeaderName::Contact, Some(b("<sip:alice@192.0.2.1>")));
    let refused = bob.handle_request(&wire(&reinvite)).unwrap_err();
    assert_eq!(
        (refused.clone(), refused.status()),
        (DialogError::InsecureTarget, Some(400))
    );
}
