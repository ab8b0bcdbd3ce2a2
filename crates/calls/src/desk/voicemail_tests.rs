//! Calls that go on to a voicemail box, and boxes dialled.

use super::hotline_tests::{offer, parked_phone};
use super::tests::{drain, party, states, ANNA, BERND};
use super::*;
use crate::party::Via;

const BOX: i64 = 77;

fn phone(number: &str) -> Party {
    Party {
        person: None,
        name: None,
        number: number.into(),
        login: None,
        unit: None,
    }
}

/// Anna's browser (conn 10) rings Bernd's; her leg is up.
fn ringing(c: &mut Calls) -> CallId {
    let cmd = Command::Dial {
        from: party(ANNA),
        target: Target::Browser(party(BERND)),
        sdp: "offer".into(),
    };
    let id = c.handle_command(0, ANNA, 10, cmd).unwrap();
    c.handle_media_created(5, id, 0, Some((LegRef(100), Codec::Opus, "a".into())));
    drain(c);
    id
}

fn answered(out: &[Output]) -> Option<(CallId, i64, bool, LegRef, Codec)> {
    out.iter().find_map(|o| match o {
        Output::Voicemail(VoicemailEvent::Answered {
            call,
            mailbox,
            listen,
            leg,
            codec,
            ..
        }) => Some((*call, *mailbox, *listen, *leg, *codec)),
        _ => None,
    })
}

#[test]
fn a_call_nobody_answers_goes_on_to_the_box_and_the_callee_missed_it() {
    let mut c = Calls::new(60_000);
    c.set_mailbox(BERND, Some(BOX));
    let id = ringing(&mut c);
    c.handle_timeout(60_000);
    let out = drain(&mut c);
    assert_eq!(
        answered(&out),
        Some((id, BOX, false, LegRef(100), Codec::Opus)),
        "{out:?}"
    );
    // Bernd's browsers stop ringing; his history has a missed call; Anna is connected.
    assert!(states(&out).contains(&(To::Person(BERND), "ended", Some("no_answer"))));
    assert!(out.iter().any(|o| matches!(
        o,
        Output::History(Record {
            person: BERND,
            answered_ms: None,
            ..
        })
    )));
    assert!(states(&out).contains(&(To::Conn(10), "connected", None)));
    assert!(out.contains(&Output::Presence(ANNA, true)));
    assert_eq!(c.poll_timeout(), None, "no longer ringing");
    // Her keys go to the voicemail, not to a far side.
    c.handle_command(
        61_000,
        ANNA,
        10,
        Command::Dtmf {
            call: id,
            digits: "1#".into(),
        },
    )
    .unwrap();
    c.handle_leg_dtmf(LegRef(100), '7');
    let digits: Vec<char> = drain(&mut c)
        .into_iter()
        .filter_map(|o| match o {
            Output::Voicemail(VoicemailEvent::Digit { digit, .. }) => Some(digit),
            _ => None,
        })
        .collect();
    assert_eq!(digits, ['1', '#', '7']);
    // She hangs up: the voicemail hears it, her leg goes.
    c.handle_command(70_000, ANNA, 10, Command::Hangup { call: id })
        .unwrap();
    let out = drain(&mut c);
    assert!(out.contains(&Output::Voicemail(VoicemailEvent::Ended { call: id })));
    assert!(out.contains(&Output::Media(MediaCommand::Remove(LegRef(100)))));
    assert!(c.is_empty());
}

#[test]
fn declined_and_unreachable_calls_go_on_too_but_not_without_a_box() {
    let mut c = Calls::new(60_000);
    c.set_mailbox(BERND, Some(BOX));
    let id = ringing(&mut c);
    c.handle_command(1_000, BERND, 20, Command::Reject { call: id })
        .unwrap();
    assert!(answered(&drain(&mut c)).is_some(), "declined: to the box");

    ringing(&mut c);
    c.handle_closed(1_000, BERND, 20, false);
    assert!(
        answered(&drain(&mut c)).is_some(),
        "his last browser closed"
    );
    assert_eq!(c.len(), 2);

    c.set_mailbox(BERND, None);
    ringing(&mut c);
    c.handle_timeout(60_000);
    let out = drain(&mut c);
    assert_eq!(answered(&out), None);
    assert!(states(&out).contains(&(To::Conn(10), "ended", Some("no_answer"))));
}

#[test]
fn the_voicemail_ends_the_call_and_a_caller_who_hung_up_first_is_not_diverted() {
    let mut c = Calls::new(60_000);
    c.set_mailbox(BERND, Some(BOX));
    let id = ringing(&mut c);
    c.handle_command(2_000, ANNA, 10, Command::Hangup { call: id })
        .unwrap();
    let out = drain(&mut c);
    assert_eq!(answered(&out), None, "she gave up: nothing to record");
    assert!(c.is_empty());

    let id = ringing(&mut c);
    c.handle_timeout(60_000);
    drain(&mut c);
    c.end_voicemail(90_000, id).unwrap();
    let out = drain(&mut c);
    assert!(out.contains(&Output::Voicemail(VoicemailEvent::Ended { call: id })));
    assert!(states(&out).contains(&(To::Conn(10), "ended", Some("hangup"))));
    assert_eq!(c.end_voicemail(90_000, id), Err(Refusal::NoCall));
}

#[test]
fn a_phone_nobody_answers_is_answered_for_the_box_with_g711() {
    // A citizen on the trunk: call control's own call, its box to answer.
    let mut c = Calls::new(60_000);
    c.set_mailbox(BERND, Some(BOX));
    let (id, sip) = c
        .handle_sip_incoming(
            0,
            Via::Trunk(0),
            phone("+4930123456"),
            Target::Browser(party(BERND)),
            "phone-offer".into(),
            Codec::Pcma,
        )
        .unwrap();
    drain(&mut c);
    c.handle_timeout(60_000);
    let out = drain(&mut c);
    assert!(out.contains(&Output::Media(MediaCommand::CreateRtpAnswer {
        call: id,
        side: 0,
        offer: "phone-offer".into(),
        codecs: PHONE_CODECS.to_vec(),
    })));
    assert_eq!(answered(&out), None, "not before the phone's leg is up");
    c.handle_rtp_created(60_010, id, 0, Some((LegRef(300), "our-answer".into())));
    let out = drain(&mut c);
    assert!(out.contains(&Output::Sip(SipCommand::Answer {
        sip,
        sdp: "our-answer".into()
    })));
    assert_eq!(
        answered(&out),
        Some((id, BOX, false, LegRef(300), Codec::Pcma))
    );
    c.handle_sip_ended(80_000, sip);
    assert!(drain(&mut c).contains(&Output::Voicemail(VoicemailEvent::Ended { call: id })));
}

#[test]
fn a_desk_phones_call_the_switch_rang_browsers_for_is_left_to_the_switch() {
    // The switch rings Bernd's browsers beside his desk phones: when they ring out or he
    // declines, the switch learns it and sends the call to the box itself, once his
    // phones gave up too. Call control only refuses.
    for (decline, code) in [(false, 480), (true, 603)] {
        let mut c = Calls::new(60_000);
        c.set_mailbox(BERND, Some(BOX));
        let (id, sip) = c
            .handle_sip_incoming(
                0,
                Via::Switch,
                phone("2502"),
                Target::Browser(party(BERND)),
                "phone-offer".into(),
                Codec::Pcma,
            )
            .unwrap();
        drain(&mut c);
        if decline {
            c.handle_command(1_000, BERND, 20, Command::Reject { call: id })
                .unwrap();
        } else {
            c.handle_timeout(60_000);
        }
        let out = drain(&mut c);
        assert_eq!(answered(&out), None, "{out:?}");
        assert!(
            out.contains(&Output::Sip(SipCommand::Reject { sip, code })),
            "{out:?}"
        );
        assert!(!out
            .iter()
            .any(|o| matches!(o, Output::Media(MediaCommand::CreateRtpAnswer { .. }))));
        assert!(c.is_empty());
    }
}

#[test]
fn a_relayed_desk_phones_call_nobody_answers_is_still_ours_to_divert() {
    // Relayed: call control answered the phone and placed the call onward through the
    // switch (the callee a SIP side); the switch leaves call control's calls alone.
    let mut c = Calls::new(60_000);
    c.set_mailbox(BERND, Some(BOX));
    let (id, sip) = c
        .handle_sip_incoming(
            0,
            Via::Switch,
            phone("2502"),
            Target::Sip(party(BERND)),
            "phone-offer".into(),
            Codec::Pcma,
        )
        .unwrap();
    drain(&mut c);
    c.handle_timeout(60_000);
    let out = drain(&mut c);
    assert!(
        out.contains(&Output::Media(MediaCommand::CreateRtpAnswer {
            call: id,
            side: 0,
            offer: "phone-offer".into(),
            codecs: PHONE_CODECS.to_vec(),
        })),
        "{out:?}"
    );
    c.handle_rtp_created(60_010, id, 0, Some((LegRef(300), "our-answer".into())));
    let out = drain(&mut c);
    assert!(out.contains(&Output::Sip(SipCommand::Answer {
        sip,
        sdp: "our-answer".into()
    })));
    assert_eq!(
        answered(&out),
        Some((id, BOX, false, LegRef(300), Codec::Pcma))
    );
}

#[test]
fn a_busy_desk_phone_sends_the_browser_caller_on_and_its_call_is_not_hung_up_twice() {
    let mut c = Calls::new(60_000);
    c.set_mailbox(BERND, Some(BOX));
    let cmd = Command::Dial {
        from: party(ANNA),
        target: Target::Sip(party(BERND)),
        sdp: "offer".into(),
    };
    let id = c.handle_command(0, ANNA, 10, cmd).unwrap();
    c.handle_media_created(5, id, 0, Some((LegRef(100), Codec::Pcma, "a".into())));
    c.handle_rtp_created(6, id, 1, Some((LegRef(101), "our-offer".into())));
    let sip = drain(&mut c)
        .into_iter()
        .find_map(|o| match o {
            Output::Sip(SipCommand::Invite { sip, .. }) => Some(sip),
            _ => None,
        })
        .unwrap();
    c.handle_sip_failed(1_000, sip, 486);
    let out = drain(&mut c);
    assert_eq!(
        answered(&out),
        Some((id, BOX, false, LegRef(100), Codec::Pcma))
    );
    assert!(out.contains(&Output::Media(MediaCommand::Remove(LegRef(101)))));
    assert!(!out.iter().any(|o| matches!(o, Output::Sip(_))), "{out:?}");
}

#[test]
fn a_box_is_dialled_to_hear_ones_messages() {
    let mut c = Calls::new(60_000);
    let cmd = Command::Dial {
        from: party(ANNA),
        target: Target::Voicemail {
            mailbox: BOX,
            listen: true,
            party: Party::service("*98", "Mailbox"),
        },
        sdp: "offer".into(),
    };
    let id = c.handle_command(0, ANNA, 10, cmd).unwrap();
    let out = drain(&mut c);
    assert!(out.iter().any(|o| matches!(o,
        Output::Media(MediaCommand::CreateWebRtc { codecs, .. }) if codecs[0] == Codec::Opus)));
    c.handle_media_created(5, id, 0, Some((LegRef(100), Codec::Opus, "a".into())));
    assert_eq!(
        answered(&drain(&mut c)),
        Some((id, BOX, true, LegRef(100), Codec::Opus))
    );
}

#[test]
fn the_owner_calls_a_message_back_from_the_menu() {
    let mut c = Calls::new(60_000);
    let (id, sip) = c
        .handle_sip_incoming(
            0,
            Via::Switch,
            party(ANNA),
            Target::Voicemail {
                mailbox: BOX,
                listen: true,
                party: Party::service("*98", "Mailbox"),
            },
            "phone-offer".into(),
            Codec::Pcma,
        )
        .unwrap();
    c.handle_rtp_created(10, id, 0, Some((LegRef(300), "our-answer".into())));
    drain(&mut c);
    // Leaving a message is no menu: no call back from there.
    assert_eq!(
        c.call_back_from_voicemail(20, CallId(999), Target::Browser(party(BERND))),
        Err(Refusal::NoCall)
    );
    c.call_back_from_voicemail(
        20,
        id,
        Target::Outside {
            party: phone("+4930123456"),
            trunk: 0,
        },
    )
    .unwrap();
    let out = drain(&mut c);
    assert!(out.contains(&Output::Voicemail(VoicemailEvent::Ended { call: id })));
    assert!(out.contains(&Output::Media(MediaCommand::StopPlaying(LegRef(300)))));
    assert!(out.contains(&Output::Media(MediaCommand::CreateRtpOffer {
        call: id,
        side: 1
    })));
    c.handle_rtp_created(30, id, 1, Some((LegRef(301), "offer-out".into())));
    let out = drain(&mut c);
    let placed = out
        .iter()
        .find_map(|o| match o {
            Output::Sip(SipCommand::Invite { sip, target, .. }) => Some((*sip, target.clone())),
            _ => None,
        })
        .unwrap();
    assert_eq!(placed.1, "+4930123456");
    c.handle_sip_answered(40, placed.0, "their-answer".into());
    let out = drain(&mut c);
    assert!(out.contains(&Output::Media(MediaCommand::Bridge(
        LegRef(300),
        LegRef(301)
    ))));
    let _ = sip;
}

#[test]
fn a_hotline_caller_overflowing_to_the_box_is_answered_there_and_leaves_the_hotline() {
    let mut c = Calls::new(60_000);
    let (id, sip) = parked_phone(&mut c);
    offer(&mut c, 1_000, id, BERND);
    drain(&mut c);
    c.hotline_to_voicemail(2_000, id, BOX).unwrap();
    let out = drain(&mut c);
    assert_eq!(
        answered(&out),
        Some((id, BOX, false, LegRef(100), Codec::Pcma))
    );
    assert!(states(&out).contains(&(To::Person(BERND), "ended", Some("no_answer"))));
    assert!(!c.is_empty());
    // Once is enough: it is no longer waiting.
    assert_eq!(
        c.hotline_to_voicemail(2_001, id, BOX),
        Err(Refusal::WrongState)
    );
    // Keys go to the box; the caller hangs up: the box and the hotline hear it.
    c.handle_leg_dtmf(LegRef(100), '#');
    assert!(
        drain(&mut c).contains(&Output::Voicemail(VoicemailEvent::Digit {
            call: id,
            digit: '#'
        }))
    );
    c.handle_sip_ended(40_000, sip);
    let out = drain(&mut c);
    assert!(out.contains(&Output::Voicemail(VoicemailEvent::Ended { call: id })));
    assert!(out.contains(&Output::Hotline(HotlineEvent::Left { call: id })));
}
