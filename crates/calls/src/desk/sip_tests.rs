//! The SIP sides of calls: through the switch, from phones, through a trunk.

use super::tests::{drain, party, states, ANNA, BERND};
use super::*;
use crate::party::Via;

fn phone(number: &str) -> Party {
    Party {
        person: None,
        name: None,
        number: number.into(),
        login: None,
        unit: None,
    }
}

#[test]
fn a_browser_calls_through_the_switch_with_g711_and_a_phone_leg() {
    let mut c = Calls::new(60_000);
    let cmd = Command::Dial {
        from: party(ANNA),
        target: Target::Sip(party(BERND)),
        sdp: "offer".into(),
    };
    let id = c.handle_command(0, ANNA, 10, cmd).unwrap();
    let out = drain(&mut c);
    assert!(
        matches!(&out[0], Output::Media(MediaCommand::CreateWebRtc { codecs, .. }) if codecs == &[Codec::Pcma, Codec::Pcmu])
    );
    c.handle_media_created(
        5,
        id,
        0,
        Some((LegRef(100), Codec::Pcma, "answer-a".into())),
    );
    let out = drain(&mut c);
    assert!(out.contains(&Output::Media(MediaCommand::CreateRtpOffer {
        call: id,
        side: 1
    })));
    c.handle_rtp_created(6, id, 1, Some((LegRef(101), "our-offer".into())));
    let out = drain(&mut c);
    let Some(Output::Sip(SipCommand::Invite {
        sip,
        from,
        target,
        sdp,
        ..
    })) = out.first().cloned()
    else {
        panic!("{out:?}")
    };
    assert_eq!(
        (from.number.as_str(), target.as_str(), sdp.as_str()),
        ("2001", "2002", "our-offer")
    );
    c.handle_sip_ringing(50, sip);
    assert_eq!(states(&drain(&mut c)), [(To::Conn(10), "ringing", None)]);
    c.handle_sip_answered(900, sip, "their-answer".into());
    let out = drain(&mut c);
    assert_eq!(
        out[0],
        Output::Media(MediaCommand::RtpAnswer(LegRef(101), "their-answer".into()))
    );
    assert_eq!(
        out[1],
        Output::Media(MediaCommand::Bridge(LegRef(100), LegRef(101)))
    );
    assert!(out.contains(&Output::Presence(ANNA, true)));
    assert!(
        !out.iter().any(|o| matches!(o, Output::Presence(BERND, _))),
        "the switch tracks the phone side"
    );
    // Anna hangs up: the SIP call is ended (BYE), both legs go.
    c.handle_command(5000, ANNA, 10, Command::Hangup { call: id })
        .unwrap();
    let out = drain(&mut c);
    assert!(out.contains(&Output::Sip(SipCommand::Hangup { sip })));
    assert!(out.contains(&Output::Media(MediaCommand::Remove(LegRef(101)))));
}

#[test]
fn a_failed_sip_call_tells_the_browser_why() {
    let mut c = Calls::new(60_000);
    let cmd = Command::Dial {
        from: party(ANNA),
        target: Target::Sip(party(BERND)),
        sdp: "offer".into(),
    };
    let id = c.handle_command(0, ANNA, 10, cmd).unwrap();
    c.handle_media_created(5, id, 0, Some((LegRef(100), Codec::Pcma, "a".into())));
    c.handle_rtp_created(6, id, 1, Some((LegRef(101), "o".into())));
    let sip = drain(&mut c)
        .iter()
        .find_map(|o| {
            if let Output::Sip(SipCommand::Invite { sip, .. }) = o {
                Some(*sip)
            } else {
                None
            }
        })
        .unwrap();
    c.handle_sip_failed(100, sip, 486);
    let out = drain(&mut c);
    assert!(states(&out).contains(&(To::Conn(10), "ended", Some("busy"))));
    assert!(
        !out.iter().any(|o| matches!(o, Output::Sip(_))),
        "the SIP call is over already"
    );
}

#[test]
fn a_phone_call_rings_the_browsers_and_is_answered_with_the_phones_codec() {
    let mut c = Calls::new(60_000);
    let (id, sip) = c
        .handle_sip_incoming(
            0,
            Via::Switch,
            phone("2599"),
            Target::Browser(party(BERND)),
            "phone-offer".into(),
            Codec::Pcmu,
        )
        .unwrap();
    let out = drain(&mut c);
    assert_eq!(
        out,
        [Output::Frame(
            To::Person(BERND),
            CallFrame::Incoming {
                call: id,
                from: phone("2599"),
                hotline: None
            }
        )]
    );
    c.handle_command(
        1000,
        BERND,
        20,
        Command::Answer {
            call: id,
            sdp: "browser-offer".into(),
        },
    )
    .unwrap();
    let out = drain(&mut c);
    assert!(out.contains(&Output::Media(MediaCommand::CreateWebRtc {
        call: id,
        side: 1,
        offer: "browser-offer".into(),
        codecs: vec![Codec::Pcmu]
    })));
    c.handle_media_created(
        1005,
        id,
        1,
        Some((LegRef(200), Codec::Pcmu, "to-browser".into())),
    );
    let out = drain(&mut c);
    assert!(out.contains(&Output::Media(MediaCommand::CreateRtpAnswer {
        call: id,
        side: 0,
        offer: "phone-offer".into(),
        codecs: vec![Codec::Pcmu]
    })));
    c.handle_rtp_created(1006, id, 0, Some((LegRef(201), "to-phone".into())));
    let out = drain(&mut c);
    assert_eq!(
        out[0],
        Output::Sip(SipCommand::Answer {
            sip,
            sdp: "to-phone".into()
        })
    );
    assert!(out.contains(&Output::Media(MediaCommand::Bridge(
        LegRef(201),
        LegRef(200)
    ))));
    assert!(states(&out).contains(&(To::Conn(20), "connected", None)));
    // The phone hangs up.
    c.handle_sip_ended(9000, sip);
    let out = drain(&mut c);
    assert!(states(&out).contains(&(To::Conn(20), "ended", Some("hangup"))));
    assert!(!out.iter().any(|o| matches!(o, Output::Sip(_))));
}

#[test]
fn a_phone_call_declined_in_the_browser_is_refused_with_603_and_one_nobody_takes_with_480() {
    let mut c = Calls::new(30_000);
    let (id, sip) = c
        .handle_sip_incoming(
            0,
            Via::Switch,
            phone("2599"),
            Target::Browser(party(BERND)),
            "o".into(),
            Codec::Pcma,
        )
        .unwrap();
    c.handle_command(10, BERND, 20, Command::Reject { call: id })
        .unwrap();
    assert!(drain(&mut c).contains(&Output::Sip(SipCommand::Reject { sip, code: 603 })));
    let (_, sip) = c
        .handle_sip_incoming(
            100,
            Via::Switch,
            phone("2599"),
            Target::Browser(party(BERND)),
            "o".into(),
            Codec::Pcma,
        )
        .unwrap();
    drain(&mut c);
    c.handle_timeout(30_100);
    let out = drain(&mut c);
    assert!(out.contains(&Output::Sip(SipCommand::Reject { sip, code: 480 })));
    let missed = out
        .iter()
        .find_map(|o| {
            if let Output::History(r) = o {
                Some(r.clone())
            } else {
                None
            }
        })
        .unwrap();
    assert_eq!(
        (
            missed.person,
            missed.answered_ms,
            missed.peer.number.as_str()
        ),
        (BERND, None, "2599")
    );
    assert!(
        c.handle_sip_incoming(
            200,
            Via::Switch,
            phone("2599"),
            Target::Browser(phone("2002")),
            "o".into(),
            Codec::Pcma
        )
        .is_none(),
        "not a person"
    );
}

#[test]
fn a_desk_phone_calls_out_through_a_trunk_and_is_answered_with_the_carriers_codec() {
    let mut c = Calls::new(60_000);
    let outside = Target::Outside {
        party: phone("+4930123456"),
        trunk: 0,
    };
    let (id, from_phone) = c
        .handle_sip_incoming(
            0,
            Via::Switch,
            party(BERND),
            outside,
            "phone-offer".into(),
            Codec::Pcma,
        )
        .unwrap();
    assert_eq!(
        drain(&mut c),
        [Output::Media(MediaCommand::CreateRtpOffer {
            call: id,
            side: 1
        })]
    );
    c.handle_rtp_created(5, id, 1, Some((LegRef(301), "our-offer".into())));
    let out = drain(&mut c);
    let Some(Output::Sip(SipCommand::Invite {
        sip: to_trunk,
        via,
        target,
        from,
        ..
    })) = out.first().cloned()
    else {
        panic!("{out:?}")
    };
    assert_eq!(
        (via, target.as_str(), from.number.as_str()),
        (Via::Trunk(0), "+4930123456", "2002")
    );
    let carrier = "v=0\r\nc=IN IP4 198.51.100.9\r\nm=audio 30000 RTP/AVP 0\r\n";
    c.handle_sip_answered(900, to_trunk, carrier.into());
    let out = drain(&mut c);
    assert_eq!(
        out[0],
        Output::Media(MediaCommand::RtpAnswer(LegRef(301), carrier.into()))
    );
    assert_eq!(
        out[1],
        Output::Media(MediaCommand::CreateRtpAnswer {
            call: id,
            side: 0,
            offer: "phone-offer".into(),
            codecs: vec![Codec::Pcmu]
        })
    );
    c.handle_rtp_created(905, id, 0, Some((LegRef(300), "to-phone".into())));
    let out = drain(&mut c);
    assert_eq!(
        out[0],
        Output::Sip(SipCommand::Answer {
            sip: from_phone,
            sdp: "to-phone".into()
        })
    );
    assert!(out.contains(&Output::Media(MediaCommand::Bridge(
        LegRef(300),
        LegRef(301)
    ))));
    // The carrier hangs up: the desk phone's call ends with a BYE.
    c.handle_sip_ended(5000, to_trunk);
    assert!(drain(&mut c).contains(&Output::Sip(SipCommand::Hangup { sip: from_phone })));
}

#[test]
fn a_busy_outside_number_is_passed_back_to_the_desk_phone() {
    let mut c = Calls::new(60_000);
    let outside = Target::Outside {
        party: phone("+4930123456"),
        trunk: 0,
    };
    let (id, from_phone) = c
        .handle_sip_incoming(
            0,
            Via::Switch,
            party(BERND),
            outside,
            "o".into(),
            Codec::Pcma,
        )
        .unwrap();
    c.handle_rtp_created(5, id, 1, Some((LegRef(301), "our-offer".into())));
    let to_trunk = drain(&mut c)
        .iter()
        .find_map(|o| {
            if let Output::Sip(SipCommand::Invite { sip, .. }) = o {
                Some(*sip)
            } else {
                None
            }
        })
        .unwrap();
    c.handle_sip_failed(100, to_trunk, 486);
    assert!(drain(&mut c).contains(&Output::Sip(SipCommand::Reject {
        sip: from_phone,
        code: 486
    })));
}

#[test]
fn a_call_through_the_persons_mobile_rings_the_mobile_first_then_the_citizen() {
    let mut c = Calls::new(60_000);
    let mobile = Target::Outside {
        party: phone("+491515550123"),
        trunk: 0,
    };
    let citizen = Target::Outside {
        party: phone("+49301234567"),
        trunk: 0,
    };
    let cmd = Command::DialVia {
        from: party(ANNA),
        device: mobile,
        target: citizen,
    };
    let id = c.handle_command(0, ANNA, 10, cmd).unwrap();
    let out = drain(&mut c);
    assert!(out.contains(&Output::Media(MediaCommand::CreateRtpOffer {
        call: id,
        side: 0
    })));
    c.handle_rtp_created(5, id, 0, Some((LegRef(400), "offer-0".into())));
    let out = drain(&mut c);
    let Some(Output::Sip(SipCommand::Invite {
        sip: to_mobile,
        target,
        from,
        via,
        ..
    })) = out.first().cloned()
    else {
        panic!("{out:?}")
    };
    assert_eq!(
        (target.as_str(), from.number.as_str(), via),
        ("+491515550123", "+49301234567", Via::Trunk(0)),
        "the mobile shows whom it will call"
    );
    c.handle_sip_answered(
        3000,
        to_mobile,
        "v=0\r\nc=IN IP4 198.51.100.1\r\nm=audio 4000 RTP/AVP 8\r\n".into(),
    );
    let out = drain(&mut c);
    assert!(out.contains(&Output::Media(MediaCommand::CreateRtpOffer {
        call: id,
        side: 1
    })));
    c.handle_rtp_created(3005, id, 1, Some((LegRef(401), "offer-1".into())));
    let out = drain(&mut c);
    let Some(Output::Sip(SipCommand::Invite {
        sip: to_citizen,
        target,
        from,
        ..
    })) = out.first().cloned()
    else {
        panic!("{out:?}")
    };
    assert_eq!(
        (target.as_str(), from.number.as_str()),
        ("+49301234567", "2001"),
        "the office number (Anna's extension → her DID)"
    );
    c.handle_sip_answered(
        6000,
        to_citizen,
        "v=0\r\nc=IN IP4 198.51.100.2\r\nm=audio 5000 RTP/AVP 8\r\n".into(),
    );
    let out = drain(&mut c);
    assert!(out.contains(&Output::Media(MediaCommand::Bridge(
        LegRef(400),
        LegRef(401)
    ))));
    assert!(out.contains(&Output::Presence(ANNA, true)));
    assert!(states(&out).contains(&(To::Conn(10), "connected", None)));
    // Hanging up in the browser ends both calls.
    c.handle_command(9000, ANNA, 10, Command::Hangup { call: id })
        .unwrap();
    let out = drain(&mut c);
    assert!(
        out.contains(&Output::Sip(SipCommand::Hangup { sip: to_mobile }))
            && out.contains(&Output::Sip(SipCommand::Hangup { sip: to_citizen }))
    );
    let line = out
        .iter()
        .find_map(|o| {
            if let Output::History(r) = o {
                Some(r.clone())
            } else {
                None
            }
        })
        .unwrap();
    assert_eq!(
        (line.person, line.peer.number.as_str()),
        (ANNA, "+49301234567")
    );
}
