//! Making dialogs (RFC 3261 §12.1): the state each side takes from the INVITE and its
//! responses.

use super::*;

#[test]
fn the_uas_takes_its_state_from_the_invite() {
    // RFC 3261 §12.1.1.
    let at_bob = wire(&invite_at_bob(&parse(INVITE)));
    let bob = Dialog::uas(&at_bob, b"bob1", b"<sip:bob@192.0.2.4>", settings(2)).unwrap();
    assert_eq!(bob.role(), Role::Uas);
    assert!(!bob.owns_call_id());
    assert_eq!(bob.phase(), Phase::Early);
    let id = bob.id();
    assert_eq!(
        (&id.call_id[..], &id.local_tag[..], &id.remote_tag[..]),
        (&b"call-1@atlanta.example"[..], &b"bob1"[..], &b"alice1"[..])
    );
    assert_eq!(&bob.remote_target()[..], b"sip:alice@pc33.atlanta.example");
    assert_eq!(&bob.local_uri()[..], b"sip:bob@biloxi.example");
    assert_eq!(&bob.remote_uri()[..], b"sip:alice@atlanta.example");
    // In the order of the request: the nearest proxy first.
    assert_eq!(
        bob.route_set().entries(),
        ["<sip:p2.biloxi.example;lr>", "<sip:p1.atlanta.example;lr>"].map(b)
    );
    assert_eq!((bob.local_seq(), bob.remote_seq()), (None, Some(100)));
    assert_eq!(bob.their_invite(), Some(100));
    assert_eq!(bob.offer(), Offer::Remote { cseq: 100 });
    assert!(!bob.is_secure());
}

#[test]
fn the_uac_takes_its_state_from_the_response() {
    // RFC 3261 §12.1.2: reversed Record-Route, Contact of the response.
    let invite = parse(INVITE);
    let at_bob = invite_at_bob(&invite);
    let bob = Dialog::uas(&at_bob, b"bob1", b"<sip:bob@192.0.2.4>", settings(2)).unwrap();
    let ringing = wire(&bob.response(&at_bob, 180, "Ringing"));
    let mut alice = Dialog::uac(&invite, &ringing, settings(1)).unwrap();
    assert_eq!(events(&mut alice), [Event::Early]);
    assert_eq!(alice.phase(), Phase::Early);
    assert_eq!(
        alice.route_set().entries(),
        ["<sip:p1.atlanta.example;lr>", "<sip:p2.biloxi.example;lr>"].map(b)
    );
    assert_eq!(&alice.remote_target()[..], b"sip:bob@192.0.2.4");
    assert_eq!((alice.local_seq(), alice.remote_seq()), (Some(100), None));
    assert_eq!(&alice.id().remote_tag[..], b"bob1");
    assert!(alice.owns_call_id());
    assert_eq!(alice.our_invite(), Some(100));

    // The 2xx confirms it; its Record-Route and Contact replace the 180's (§13.2.2.4).
    let mut ok = bob.response(&at_bob, 200, "OK");
    ok.set_header(
        HeaderName::RecordRoute,
        Some(b("<sip:p9.biloxi.example;lr>")),
    );
    ok.set_header(HeaderName::Contact, Some(b("<sip:bob@192.0.2.5>")));
    alice
        .handle_response(0, &wire(&with_body(ok, sdp(1))))
        .unwrap();
    assert_eq!(
        events(&mut alice),
        [
            Event::Confirmed,
            Event::TargetRefreshed {
                target: b("sip:bob@192.0.2.5")
            }
        ]
    );
    assert_eq!(
        alice.route_set().entries(),
        [b("<sip:p9.biloxi.example;lr>")]
    );
    assert_eq!(alice.offer(), Offer::Idle, "the 2xx answered our offer");
    assert_eq!(alice.phase(), Phase::Confirmed);
}

#[test]
fn a_provisional_response_without_contact_targets_the_request_uri() {
    let invite = parse(INVITE);
    let mut ringing = invite.response(180, "Ringing", Some("bob1"));
    ringing.set_header(HeaderName::Contact, None);
    let alice = Dialog::uac(&invite, &ringing, settings(1)).unwrap();
    assert_eq!(&alice.remote_target()[..], b"sip:bob@biloxi.example");
}

#[test]
fn only_a_dialog_creating_invite_makes_a_dialog() {
    let invite = parse(INVITE);
    let contact = b"<sip:bob@192.0.2.4>";
    let mut tagged = invite.clone();
    tagged.set_header(HeaderName::To, Some(b("<sip:bob@biloxi.example>;tag=x")));
    assert!(matches!(
        Dialog::uas(&tagged, b"b", contact, settings(0)),
        Err(DialogError::NotDialogCreating { .. })
    ));
    let mut untagged = invite.clone();
    untagged.set_header(HeaderName::From, Some(b("<sip:alice@atlanta.example>")));
    assert!(matches!(
        Dialog::uas(&untagged, b"b", contact, settings(0)),
        Err(DialogError::NotDialogCreating { .. })
    ));
    let mut no_contact = invite.clone();
    no_contact.set_header(HeaderName::Contact, None);
    assert_eq!(
        Dialog::uas(&no_contact, b"b", contact, settings(0)).unwrap_err(),
        DialogError::Malformed { header: "Contact" }
    );
    assert_eq!(
        Dialog::uas(&invite, b"b", b"<mailto:x>", settings(0)).unwrap_err(),
        DialogError::Malformed { header: "Contact" }
    );
    assert_eq!(
        Dialog::uas(&invite, b"a b", contact, settings(0)).unwrap_err(),
        DialogError::Malformed { header: "To tag" }
    );
    // A 100 has no tag, a final non-2xx makes no dialog, a response of another call no match.
    let trying = invite.response(100, "Trying", Some("b"));
    assert!(Dialog::uac(&invite, &trying, settings(0)).is_err());
    let busy = invite.response(486, "Busy Here", Some("b"));
    assert!(Dialog::uac(&invite, &busy, settings(0)).is_err());
    let mut other = invite.response(180, "Ringing", Some("b"));
    other.set_header(HeaderName::CallId, Some(b("other")));
    assert_eq!(
        Dialog::uac(&invite, &other, settings(0)).unwrap_err(),
        DialogError::NotThisDialog
    );
}

#[test]
fn a_sips_invite_over_tls_makes_a_secure_dialog() {
    // RFC 3261 §12.1.1: TLS and a SIPS Request-URI.
    let text = INVITE
        .replace("INVITE sip:bob@", "INVITE sips:bob@")
        .replace("<sip:alice@pc33", "<sips:alice@pc33");
    let invite = parse(&text);
    let tls = Settings {
        tls: true,
        ..settings(0)
    };
    let secure = Dialog::uas(&invite, b"b", b"<sips:bob@192.0.2.4>", tls).unwrap();
    assert!(secure.is_secure());
    let plain = Dialog::uas(&invite, b"b", b"<sips:bob@192.0.2.4>", settings(0)).unwrap();
    assert!(!plain.is_secure(), "not over TLS");
    assert_eq!(
        Dialog::uas(&invite, b"b", b"<sip:bob@192.0.2.4>", tls).unwrap_err(),
        DialogError::InsecureTarget,
        "our Contact must be SIPS too"
    );
    assert_eq!(
        Dialog::uas(
            &parse(&text.replace("<sips:alice@pc33", "<sip:alice@pc33")),
            b"b",
            b"<sips:b@h>",
            tls
        )
        .unwrap_err(),
        DialogError::InsecureTarget
    );
}

#[test]
fn the_uac_acks_a_2xx_with_the_invites_cseq_and_credentials() {
    // RFC 3261 §13.2.2.4: a request of the dialog, CSeq of the INVITE, method ACK.
    let mut invite = parse(INVITE);
    invite.push(
        HeaderName::ProxyAuthorization,
        b("Digest username=\"alice\", realm=\"atlanta.example\""),
    );
    let at_bob = invite_at_bob(&invite);
    let mut bob = Dialog::uas(&at_bob, b"bob1", b"<sip:bob@192.0.2.4>", settings(2)).unwrap();
    let ok = bob_answers(&mut bob, &at_bob, 200);
    let mut alice = Dialog::uac(&invite, &ok, settings(1)).unwrap();
    let ack = wire(&alice.ack(None).unwrap());
    assert_eq!(ack.method(), Some(&Method::Ack));
    assert_eq!(ack.header(&HeaderName::CSeq), Some(&b("100 ACK")));
    assert!(ack.header(&HeaderName::ProxyAuthorization).is_some());
    assert_eq!(alice.local_seq(), Some(100), "an ACK takes no new number");
    assert_eq!(alice.ack(None), Err(DialogError::NothingToAck));
}
