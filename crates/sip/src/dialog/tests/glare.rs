//! One INVITE at a time in each direction, and glare (RFC 3261 §14.1, §14.2).

use super::*;

#[test]
fn crossing_reinvites_both_get_491_and_retry_after_their_own_wait() {
    for seed in 0..50 {
        let (mut alice, mut bob) = established();
        alice.random = glare::Random::new(seed);
        bob.random = glare::Random::new(seed + 1_000);
        let from_alice = wire(&alice.request(0, Method::Invite, Some(sdp(3))).unwrap());
        let from_bob = wire(&bob.request(0, Method::Invite, Some(sdp(4))).unwrap());
        // §14.2: an INVITE while ours is pending gets 491.
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
        let (to_bob, to_alice) = (
            wire(&at_alice.response_to(&from_bob).unwrap()),
            wire(&at_bob.response_to(&from_alice).unwrap()),
        );
        assert_eq!((to_bob.code(), to_alice.code()), (Some(491), Some(491)));
        alice.handle_response(10_000, &to_alice).unwrap();
        bob.handle_response(10_000, &to_bob).unwrap();
        // §14.1: Alice generated the Call-ID: 2.1–4 s; Bob did not: 0–2 s; steps of 10 ms.
        let alice_at = alice.reinvite_retry_at().unwrap();
        let bob_at = bob.reinvite_retry_at().unwrap();
        assert!(RETRY_OWNER_MS.contains(&(alice_at - 10_000)), "{alice_at}");
        assert!(RETRY_OTHER_MS.contains(&(bob_at - 10_000)), "{bob_at}");
        assert_eq!((alice_at % 10, bob_at % 10), (0, 0));
        assert_eq!(
            (alice.poll_timeout(), bob.poll_timeout()),
            (Some(alice_at), Some(bob_at))
        );
        assert_eq!((alice.offer(), bob.offer()), (Offer::Idle, Offer::Idle));
        // Not before the deadline…
        assert_eq!(
            alice.request(alice_at - 1, Method::Invite, Some(sdp(5))),
            Err(DialogError::BackingOff {
                method: Method::Invite,
                until: alice_at
            })
        );
        alice.handle_timeout(alice_at - 1);
        assert_eq!(events(&mut alice), []);
        // … then the deadline fires once.
        bob.handle_timeout(bob_at);
        assert_eq!(events(&mut bob), [Event::RetryReinvite]);
        bob.handle_timeout(bob_at + 5_000);
        assert_eq!(events(&mut bob), []);
        // Bob goes first; Alice, still waiting, accepts his INVITE.
        let retry = deliver(&mut bob, &mut alice, Method::Invite, Some(sdp(6)));
        let ok = with_body(alice.response(&retry, 200, "OK"), sdp(7));
        alice.respond(bob_at, &retry, &ok).unwrap();
        bob.handle_response(bob_at, &wire(&ok)).unwrap();
        alice
            .handle_request(&wire(&bob.ack(None).unwrap()))
            .unwrap();
        alice.handle_timeout(alice_at);
        assert_eq!(events(&mut alice), [Event::RetryReinvite]);
        alice
            .request(alice_at, Method::Invite, Some(sdp(8)))
            .unwrap();
    }
}

#[test]
fn an_invite_crossing_our_offerless_one_gets_491_too() {
    // RFC 3261 §14.2: the rule is about the INVITE, offer or not.
    let (mut alice, mut bob) = established();
    let from_alice = wire(&alice.request(0, Method::Invite, None).unwrap());
    let from_bob = wire(&bob.request(0, Method::Invite, None).unwrap());
    assert_eq!(alice.offer(), Offer::Idle);
    assert_eq!(
        alice.handle_request(&from_bob),
        Err(DialogError::Glare {
            ours: seq(&from_alice)
        })
    );
    assert_eq!(
        bob.handle_request(&from_alice),
        Err(DialogError::Glare {
            ours: seq(&from_bob)
        })
    );
}

#[test]
fn no_invite_of_ours_while_one_is_in_progress_in_either_direction() {
    // RFC 3261 §14.1.
    let (mut alice, mut bob) = established();
    let reinvite = deliver(&mut alice, &mut bob, Method::Invite, Some(sdp(3)));
    let n = seq(&reinvite);
    assert_eq!(
        alice.request(0, Method::Invite, None),
        Err(DialogError::InviteInProgress {
            cseq: n,
            ours: true
        })
    );
    assert_eq!(
        bob.request(0, Method::Invite, None),
        Err(DialogError::InviteInProgress {
            cseq: n,
            ours: false
        })
    );
    // Answered but not acknowledged: still in progress on both sides.
    let ok = bob_answers(&mut bob, &reinvite, 200);
    alice.handle_response(0, &ok).unwrap();
    assert_eq!(alice.our_invite(), Some(n));
    assert_eq!(bob.their_invite(), Some(n));
    assert!(alice.request(0, Method::Invite, None).is_err());
    assert!(bob.request(0, Method::Invite, None).is_err());
    // Other requests are fine meanwhile.
    deliver(&mut bob, &mut alice, Method::Info, None);
    let ack = wire(&alice.ack(None).unwrap());
    bob.handle_request(&ack).unwrap();
    assert_eq!((alice.our_invite(), bob.their_invite()), (None, None));
    bob.request(0, Method::Invite, Some(sdp(4))).unwrap();
}

#[test]
fn a_second_invite_while_the_first_is_answered_gets_500_with_retry_after() {
    // RFC 3261 §14.2: 500 with a Retry-After of 0–10 s.
    let (mut alice, mut bob) = established();
    let reinvite = deliver(&mut alice, &mut bob, Method::Invite, Some(sdp(3)));
    let mut second = reinvite.clone();
    second.set_header(
        HeaderName::CSeq,
        Some(b(&format!("{} INVITE", seq(&reinvite) + 1))),
    );
    let refused = bob.handle_request(&second).unwrap_err();
    let DialogError::Overlap {
        pending,
        retry_after,
    } = refused
    else {
        panic!("{refused:?}")
    };
    assert_eq!(pending, seq(&reinvite));
    assert!(retry_after <= 10);
    let answer = wire(&refused.response_to(&second).unwrap());
    assert_eq!(answer.code(), Some(500));
    assert_eq!(
        answer.header(&HeaderName::RetryAfter),
        Some(&b(&retry_after.to_string()))
    );
    // The first one is still the one being answered.
    assert_eq!(bob.their_invite(), Some(seq(&reinvite)));
}

#[test]
fn a_491_to_the_dialog_creating_invite_is_a_rejection_not_glare() {
    let invite = parse(INVITE);
    let ringing = invite.response(180, "Ringing", Some("bob1"));
    let mut alice = Dialog::uac(&invite, &wire(&ringing), settings(1)).unwrap();
    let pending = invite.response(491, "Request Pending", Some("bob1"));
    alice.handle_response(0, &wire(&pending)).unwrap();
    assert_eq!(alice.reinvite_retry_at(), None);
    assert_eq!(alice.termination(), Some(&Reason::Rejected { code: 491 }));
}
