//! A hotline's calls: parked callers, offers to agents, the first answer wins.

use super::tests::{drain, party, states, ANNA, BERND};
use super::*;
use crate::frames::ViaHotline;

pub(super) const CARLA: i64 = 3;
const LINE: i64 = 7;

pub(super) fn citizen() -> Party {
    Party {
        person: None,
        name: None,
        number: "+4917612345678".into(),
        login: None,
        unit: None,
    }
}

fn hotline() -> Target {
    Target::Hotline {
        hotline: LINE,
        party: Party::service("2900", "Bürgertelefon"),
    }
}

fn hotline_events(out: &[Output]) -> Vec<HotlineEvent> {
    out.iter()
        .filter_map(|o| match o {
            Output::Hotline(e) => Some(e.clone()),
            _ => None,
        })
        .collect()
}

/// A citizen's phone calls the hotline through the trunk; call control answers and
/// parks them: the caller's leg is 100.
pub(super) fn parked_phone(c: &mut Calls) -> (CallId, SipRef) {
    let (id, sip) = c
        .handle_sip_incoming(
            0,
            Via::Trunk(0),
            citizen(),
            hotline(),
            "offer".into(),
            Codec::Pcma,
        )
        .unwrap();
    let out = drain(c);
    assert!(
        matches!(&out[..], [Output::Media(MediaCommand::CreateRtpAnswer { side: 0, codecs, .. })] if codecs == &[Codec::Pcma, Codec::Pcmu]),
        "{out:?}"
    );
    c.handle_rtp_created(5, id, 0, Some((LegRef(100), "our-answer".into())));
    let out = drain(c);
    assert!(out.contains(&Output::Sip(SipCommand::Answer {
        sip,
        sdp: "our-answer".into()
    })));
    assert!(matches!(
        hotline_events(&out)[..],
        [HotlineEvent::Arrived { call, hotline: LINE, leg: LegRef(100), codec: Codec::Pcma, .. }] if call == id
    ));
    (id, sip)
}

pub(super) fn offer(c: &mut Calls, now: i64, id: CallId, agent: i64) -> CallId {
    c.offer(now, id, agent, Target::Browser(party(agent)), now + 20_000)
        .unwrap()
}

#[test]
fn a_phone_calling_a_hotline_is_answered_and_waits_without_ringing_out() {
    let mut c = Calls::new(60_000);
    let (id, _) = parked_phone(&mut c);
    // No ring timeout ends a waiting caller.
    assert_eq!(c.poll_timeout(), None);
    c.handle_timeout(10 * 60_000);
    assert!(drain(&mut c).is_empty());
    // Keys pressed while waiting go to the hotline.
    c.handle_leg_dtmf(LegRef(100), '1');
    assert_eq!(
        hotline_events(&drain(&mut c)),
        [HotlineEvent::Digit {
            call: id,
            digit: '1'
        }]
    );
}

#[test]
fn ring_all_offers_ring_each_agent_and_the_first_to_answer_gets_the_caller() {
    let mut c = Calls::new(60_000);
    let (id, _) = parked_phone(&mut c);
    let to_anna = offer(&mut c, 1_000, id, ANNA);
    let to_bernd = offer(&mut c, 1_000, id, BERND);
    let out = drain(&mut c);
    let rung: Vec<_> = out
        .iter()
        .filter_map(|o| match o {
            Output::Frame(To::Person(p), CallFrame::Incoming { from, hotline, .. }) => Some((
                *p,
                from.number.clone(),
                hotline.clone().map(|h| (h.id, h.name)),
            )),
            _ => None,
        })
        .collect();
    let shown = (
        "+4917612345678".to_string(),
        Some((LINE, "Bürgertelefon".to_string())),
    );
    assert_eq!(
        rung,
        [
            (ANNA, shown.0.clone(), shown.1.clone()),
            (BERND, shown.0.clone(), shown.1.clone())
        ]
    );
    // The same agent is not offered the same caller twice.
    assert_eq!(
        c.offer(1_001, id, ANNA, Target::Browser(party(ANNA)), 9_999),
        Err(Refusal::WrongState)
    );
    // Bernd answers; once his leg is up, Anna's offer stops (without an OfferEnded: the
    // hotline learns from the answer).
    let answer = Command::Answer {
        call: to_bernd,
        sdp: "offer-b".into(),
    };
    c.handle_command(3_000, BERND, 20, answer).unwrap();
    let out = drain(&mut c);
    assert!(
        out.iter().any(|o| matches!(o, Output::Media(MediaCommand::CreateWebRtc { side: 1, codecs, .. }) if codecs == &[Codec::Pcma])),
        "the agent answers with the caller's codec: {out:?}"
    );
    assert!(hotline_events(&out).is_empty(), "{out:?}");
    c.handle_media_created(
        3_100,
        to_bernd,
        1,
        Some((LegRef(200), Codec::Pcma, "answer-b".into())),
    );
    let out = drain(&mut c);
    assert!(out.contains(&Output::Frame(
        To::Person(ANNA),
        CallFrame::State {
            call: to_anna,
            state: CallState::Ended,
            direction: Direction::In,
            peer: citizen(),
            since_ms: 3_100,
            reason: Some(EndReason::AnsweredElsewhere),
        }
    )));
    assert!(
        !out.iter()
            .any(|o| matches!(o, Output::History(r) if r.person == ANNA)),
        "an offer someone else took is no missed call"
    );
    assert!(out.contains(&Output::Media(MediaCommand::StopPlaying(LegRef(100)))));
    assert!(out.contains(&Output::Media(MediaCommand::Bridge(
        LegRef(100),
        LegRef(200)
    ))));
    assert!(out.contains(&Output::Presence(BERND, true)));
    assert_eq!(
        hotline_events(&out),
        [HotlineEvent::Answered {
            call: id,
            agent: BERND
        }]
    );
    // Bernd's browser knows the call by the offer's id, and hangs up by it.
    assert!(states(&out).contains(&(To::Conn(20), "connected", None)));
    c.handle_command(90_000, BERND, 20, Command::Hangup { call: to_bernd })
        .unwrap();
    let out = drain(&mut c);
    assert!(out.contains(&Output::Sip(SipCommand::Hangup { sip: SipRef(1) })));
    assert_eq!(
        hotline_events(&out),
        [HotlineEvent::Ended {
            call: id,
            agent: BERND
        }]
    );
    assert!(out.contains(&Output::Presence(BERND, false)));
    assert!(c.is_empty());
}

#[test]
fn an_offer_that_rings_out_or_is_declined_is_reported_and_the_caller_waits_on() {
    let mut c = Calls::new(60_000);
    let (id, _) = parked_phone(&mut c);
    let to_anna = offer(&mut c, 1_000, id, ANNA);
    let _to_carla = c
        .offer(1_000, id, CARLA, Target::Browser(party(CARLA)), 5_000)
        .unwrap();
    drain(&mut c);
    c.handle_command(2_000, ANNA, 10, Command::Reject { call: to_anna })
        .unwrap();
    assert_eq!(
        hotline_events(&drain(&mut c)),
        [HotlineEvent::OfferEnded {
            call: id,
            agent: ANNA
        }]
    );
    assert_eq!(c.poll_timeout(), Some(5_000));
    c.handle_timeout(5_000);
    let out = drain(&mut c);
    assert_eq!(
        hotline_events(&out),
        [HotlineEvent::OfferEnded {
            call: id,
            agent: CARLA
        }]
    );
    assert!(!out
        .iter()
        .any(|o| matches!(o, Output::Sip(_) | Output::Media(_))));
    // The caller still waits and can be offered again.
    assert!(c
        .offer(6_000, id, ANNA, Target::Browser(party(ANNA)), 26_000)
        .is_ok());
}

#[test]
fn a_caller_who_hangs_up_while_waiting_leaves_and_the_ringing_stops() {
    let mut c = Calls::new(60_000);
    let (id, sip) = parked_phone(&mut c);
    let to_anna = offer(&mut c, 1_000, id, ANNA);
    drain(&mut c);
    c.handle_sip_ended(4_000, sip);
    let out = drain(&mut c);
    assert_eq!(hotline_events(&out), [HotlineEvent::Left { call: id }]);
    assert!(out.contains(&Output::Frame(
        To::Person(ANNA),
        CallFrame::State {
            call: to_anna,
            state: CallState::Ended,
            direction: Direction::In,
            peer: citizen(),
            since_ms: 4_000,
            reason: Some(EndReason::Hangup),
        }
    )));
    assert!(out.contains(&Output::Media(MediaCommand::Remove(LegRef(100)))));
    assert!(c.is_empty());
}

#[test]
fn the_hotline_withdraws_an_offer_or_sends_a_caller_away() {
    let mut c = Calls::new(60_000);
    let (id, sip) = parked_phone(&mut c);
    offer(&mut c, 1_000, id, ANNA);
    drain(&mut c);
    c.withdraw_offer(2_000, id, ANNA);
    let out = drain(&mut c);
    assert!(hotline_events(&out).is_empty(), "{out:?}");
    assert!(states(&out).contains(&(To::Person(ANNA), "ended", Some("no_answer"))));
    // Closed: the caller hears BYE (they were answered), not a refusal.
    c.send_away(3_000, id).unwrap();
    let out = drain(&mut c);
    assert!(out.contains(&Output::Sip(SipCommand::Hangup { sip })));
    assert_eq!(hotline_events(&out), [HotlineEvent::Left { call: id }]);
    assert_eq!(c.send_away(3_001, id), Err(Refusal::NoCall));
}

#[test]
fn a_browser_caller_waits_with_g711_and_their_keys_reach_the_hotline() {
    let mut c = Calls::new(60_000);
    let dial = Command::Dial {
        from: party(ANNA),
        target: hotline(),
        sdp: "offer".into(),
    };
    let id = c.handle_command(0, ANNA, 10, dial).unwrap();
    let out = drain(&mut c);
    assert!(
        matches!(&out[0], Output::Media(MediaCommand::CreateWebRtc { codecs, .. }) if codecs == &[Codec::Pcma, Codec::Pcmu])
    );
    c.handle_media_created(5, id, 0, Some((LegRef(100), Codec::Pcmu, "answer".into())));
    let out = drain(&mut c);
    assert!(matches!(
        hotline_events(&out)[..],
        [HotlineEvent::Arrived {
            codec: Codec::Pcmu,
            ..
        }]
    ));
    assert!(states(&out).contains(&(To::Conn(10), "connected", None)));
    let dtmf = Command::Dtmf {
        call: id,
        digits: "12".into(),
    };
    c.handle_command(1_000, ANNA, 10, dtmf).unwrap();
    assert_eq!(
        hotline_events(&drain(&mut c)),
        [
            HotlineEvent::Digit {
                call: id,
                digit: '1'
            },
            HotlineEvent::Digit {
                call: id,
                digit: '2'
            }
        ]
    );
}

#[test]
fn an_agent_on_a_desk_phone_is_rung_through_the_switch_with_the_callers_number() {
    let mut c = Calls::new(60_000);
    let (id, _) = parked_phone(&mut c);
    let to_bernd = c
        .offer(1_000, id, BERND, Target::Sip(party(BERND)), 21_000)
        .unwrap();
    assert_eq!(
        c.media_home(to_bernd),
        id,
        "the agent's leg goes where the caller's is"
    );
    let out = drain(&mut c);
    assert_eq!(
        out,
        [Output::Media(MediaCommand::CreateRtpOffer {
            call: to_bernd,
            side: 1
        })]
    );
    c.handle_rtp_created(1_001, to_bernd, 1, Some((LegRef(300), "our-offer".into())));
    let out = drain(&mut c);
    let Some(Output::Sip(SipCommand::Invite {
        sip, from, target, ..
    })) = out.first().cloned()
    else {
        panic!("{out:?}")
    };
    assert_eq!(
        (from.number.as_str(), target.as_str()),
        ("+4917612345678", "2002")
    );
    c.handle_sip_answered(2_000, sip, "their-answer".into());
    let out = drain(&mut c);
    assert!(out.contains(&Output::Media(MediaCommand::RtpAnswer(
        LegRef(300),
        "their-answer".into()
    ))));
    assert!(out.contains(&Output::Media(MediaCommand::Bridge(
        LegRef(100),
        LegRef(300)
    ))));
    assert!(out.contains(&Output::Presence(BERND, true)));
    assert_eq!(
        hotline_events(&out),
        [HotlineEvent::Answered {
            call: id,
            agent: BERND
        }]
    );
    // The desk phone hangs up: Bernd is off the phone again, and it is in his history.
    c.handle_sip_ended(60_000, sip);
    let out = drain(&mut c);
    assert!(out.contains(&Output::Presence(BERND, false)), "{out:?}");
    assert!(out
        .iter()
        .any(|o| matches!(o, Output::History(r) if r.person == BERND)));
    assert_eq!(
        hotline_events(&out),
        [HotlineEvent::Ended {
            call: id,
            agent: BERND
        }]
    );
}

#[test]
fn an_agent_who_transfers_the_caller_on_is_done_with_them() {
    let mut c = Calls::new(60_000);
    let (id, _) = parked_phone(&mut c);
    let to_anna = offer(&mut c, 1_000, id, ANNA);
    c.handle_command(
        2_000,
        ANNA,
        10,
        Command::Answer {
            call: to_anna,
            sdp: "o".into(),
        },
    )
    .unwrap();
    c.handle_media_created(
        2_001,
        to_anna,
        1,
        Some((LegRef(200), Codec::Pcma, "a".into())),
    );
    drain(&mut c);
    let transfer = Command::Transfer {
        call: to_anna,
        target: Target::Browser(party(BERND)),
    };
    c.handle_command(30_000, ANNA, 10, transfer).unwrap();
    let out = drain(&mut c);
    assert_eq!(
        hotline_events(&out),
        [HotlineEvent::Ended {
            call: id,
            agent: ANNA
        }]
    );
    assert!(
        out.iter().any(|o| matches!(o, Output::Frame(To::Conn(10), CallFrame::State { call, .. }) if *call == to_anna)),
        "Anna's browser hears of the call by the id it knows: {out:?}"
    );
    // Bernd's call with the citizen is an ordinary call now.
    c.handle_command(
        31_000,
        BERND,
        20,
        Command::Answer {
            call: id,
            sdp: "o".into(),
        },
    )
    .unwrap();
    c.handle_media_created(31_001, id, 1, Some((LegRef(400), Codec::Pcma, "a".into())));
    drain(&mut c);
    c.handle_command(60_000, BERND, 20, Command::Hangup { call: id })
        .unwrap();
    assert!(hotline_events(&drain(&mut c)).is_empty());
}

#[test]
fn a_callback_rings_the_agent_first_then_calls_the_caller_with_the_hotlines_number() {
    let mut c = Calls::new(60_000);
    let place = CallId(41);
    let trunk = Target::Outside {
        party: citizen(),
        trunk: 0,
    };
    let hotline = Party::service("2900", "Bürgertelefon");
    let id = c
        .call_back(
            1_000,
            CallbackRequest {
                place,
                agent: BERND,
                reach: Target::Browser(party(BERND)),
                caller: trunk,
                hotline,
                hotline_id: LINE,
                until: 21_000,
            },
        )
        .unwrap();
    let out = drain(&mut c);
    assert_eq!(
        out,
        [Output::Frame(
            To::Person(BERND),
            CallFrame::Incoming {
                call: id,
                from: citizen(),
                hotline: Some(ViaHotline {
                    id: LINE,
                    name: "Bürgertelefon – Rückruf".into()
                })
            }
        )]
    );
    let answer = Command::Answer {
        call: id,
        sdp: "offer-b".into(),
    };
    c.handle_command(2_000, BERND, 20, answer).unwrap();
    let out = drain(&mut c);
    assert!(
        out.iter().any(|o| matches!(o, Output::Media(MediaCommand::CreateWebRtc { side: 1, codecs, .. }) if codecs == &[Codec::Pcma, Codec::Pcmu])),
        "{out:?}"
    );
    c.handle_media_created(2_001, id, 1, Some((LegRef(200), Codec::Pcma, "a".into())));
    let out = drain(&mut c);
    assert!(out.contains(&Output::Media(MediaCommand::CreateRtpOffer {
        call: id,
        side: 0
    })));
    c.handle_rtp_created(2_002, id, 0, Some((LegRef(300), "our-offer".into())));
    let out = drain(&mut c);
    let Some(Output::Sip(SipCommand::Invite {
        sip,
        from,
        target,
        via,
        ..
    })) = out.first().cloned()
    else {
        panic!("{out:?}")
    };
    assert_eq!(
        (from.number.as_str(), target.as_str(), via),
        ("2900", "+4917612345678", Via::Trunk(0)),
        "the caller sees the hotline's number"
    );
    c.handle_sip_answered(9_000, sip, "their-answer".into());
    let out = drain(&mut c);
    assert!(out.contains(&Output::Media(MediaCommand::Bridge(
        LegRef(200),
        LegRef(300)
    ))));
    assert_eq!(
        hotline_events(&out),
        [HotlineEvent::CallbackReached {
            call: place,
            agent: BERND
        }]
    );
    c.handle_sip_ended(60_000, sip);
    assert_eq!(
        hotline_events(&drain(&mut c)),
        [HotlineEvent::Ended {
            call: place,
            agent: BERND
        }]
    );
}

#[test]
fn a_callback_nobody_answers_fails_and_keeps_the_place() {
    let mut c = Calls::new(60_000);
    let place = CallId(41);
    let trunk = || Target::Outside {
        party: citizen(),
        trunk: 0,
    };
    let hotline = Party::service("2900", "Bürgertelefon");
    // The agent lets it ring out.
    c.call_back(
        1_000,
        CallbackRequest {
            place,
            agent: BERND,
            reach: Target::Browser(party(BERND)),
            caller: trunk(),
            hotline: hotline.clone(),
            hotline_id: LINE,
            until: 5_000,
        },
    )
    .unwrap();
    c.handle_timeout(5_000);
    assert_eq!(
        hotline_events(&drain(&mut c)),
        [HotlineEvent::CallbackFailed {
            call: place,
            agent: BERND
        }]
    );
    // The caller does not answer.
    let id = c
        .call_back(
            6_000,
            CallbackRequest {
                place,
                agent: ANNA,
                reach: Target::Browser(party(ANNA)),
                caller: trunk(),
                hotline,
                hotline_id: LINE,
                until: 26_000,
            },
        )
        .unwrap();
    c.handle_command(
        6_500,
        ANNA,
        10,
        Command::Answer {
            call: id,
            sdp: "o".into(),
        },
    )
    .unwrap();
    c.handle_media_created(6_501, id, 1, Some((LegRef(200), Codec::Pcma, "a".into())));
    c.handle_rtp_created(6_502, id, 0, Some((LegRef(300), "our-offer".into())));
    let out = drain(&mut c);
    let Some(Output::Sip(SipCommand::Invite { sip, .. })) =
        out.iter().find(|o| matches!(o, Output::Sip(_))).cloned()
    else {
        panic!("{out:?}")
    };
    c.handle_sip_failed(30_000, sip, 408);
    let out = drain(&mut c);
    assert_eq!(
        hotline_events(&out),
        [HotlineEvent::CallbackFailed {
            call: place,
            agent: ANNA
        }]
    );
    assert!(c.is_empty());
}

#[test]
fn a_transferred_caller_whom_nobody_answers_is_hung_up_not_refused() {
    let mut c = Calls::new(60_000);
    let (id, sip) = parked_phone(&mut c);
    let to_anna = offer(&mut c, 1_000, id, ANNA);
    c.handle_command(
        2_000,
        ANNA,
        10,
        Command::Answer {
            call: to_anna,
            sdp: "o".into(),
        },
    )
    .unwrap();
    c.handle_media_created(
        2_001,
        to_anna,
        1,
        Some((LegRef(200), Codec::Pcma, "a".into())),
    );
    let transfer = Command::Transfer {
        call: to_anna,
        target: Target::Browser(party(BERND)),
    };
    c.handle_command(30_000, ANNA, 10, transfer).unwrap();
    drain(&mut c);
    c.handle_timeout(30_000 + 60_000);
    let out = drain(&mut c);
    assert!(
        out.contains(&Output::Sip(SipCommand::Hangup { sip })),
        "the answered caller gets a BYE: {out:?}"
    );
    assert!(!out
        .iter()
        .any(|o| matches!(o, Output::Sip(SipCommand::Reject { .. }))));
}

#[test]
fn after_an_attended_transfer_the_callers_hang_up_still_ends_the_call() {
    let mut c = Calls::new(60_000);
    let (id, sip) = parked_phone(&mut c);
    let to_anna = offer(&mut c, 1_000, id, ANNA);
    c.handle_command(
        2_000,
        ANNA,
        10,
        Command::Answer {
            call: to_anna,
            sdp: "o".into(),
        },
    )
    .unwrap();
    c.handle_media_created(
        2_001,
        to_anna,
        1,
        Some((LegRef(200), Codec::Pcma, "a".into())),
    );
    // Anna consults Bernd, then connects him with the citizen.
    let consult = Command::Dial {
        from: party(ANNA),
        target: Target::Browser(party(BERND)),
        sdp: "o2".into(),
    };
    let second = c.handle_command(3_000, ANNA, 11, consult).unwrap();
    c.handle_media_created(
        3_001,
        second,
        0,
        Some((LegRef(300), Codec::Pcma, "a2".into())),
    );
    c.handle_command(
        4_000,
        BERND,
        20,
        Command::Answer {
            call: second,
            sdp: "o3".into(),
        },
    )
    .unwrap();
    c.handle_media_created(
        4_001,
        second,
        1,
        Some((LegRef(400), Codec::Pcma, "a3".into())),
    );
    drain(&mut c);
    let merge = Command::TransferTo {
        call: second,
        to_call: to_anna,
    };
    c.handle_command(5_000, ANNA, 10, merge).unwrap();
    let out = drain(&mut c);
    assert!(
        hotline_events(&out).contains(&HotlineEvent::Ended {
            call: id,
            agent: ANNA
        }),
        "{out:?}"
    );
    // The citizen hangs up: Bernd's call ends.
    c.handle_sip_ended(9_000, sip);
    let out = drain(&mut c);
    assert!(
        states(&out).contains(&(To::Conn(20), "ended", Some("hangup"))),
        "{out:?}"
    );
    assert!(c.is_empty());
}

#[test]
fn an_agent_who_transfers_a_callback_conversation_is_free_again() {
    let mut c = Calls::new(60_000);
    let place = CallId(41);
    let trunk = Target::Outside {
        party: citizen(),
        trunk: 0,
    };
    let request = CallbackRequest {
        place,
        agent: BERND,
        reach: Target::Browser(party(BERND)),
        caller: trunk,
        hotline: Party::service("2900", "Bürgertelefon"),
        hotline_id: LINE,
        until: 21_000,
    };
    let id = c.call_back(1_000, request).unwrap();
    c.handle_command(
        2_000,
        BERND,
        20,
        Command::Answer {
            call: id,
            sdp: "o".into(),
        },
    )
    .unwrap();
    c.handle_media_created(2_001, id, 1, Some((LegRef(200), Codec::Pcma, "a".into())));
    assert_eq!(
        c.poll_timeout(),
        Some(2_001 + 60_000),
        "the citizen rings for a while only"
    );
    c.handle_rtp_created(2_002, id, 0, Some((LegRef(300), "our-offer".into())));
    let out = drain(&mut c);
    let Some(Output::Sip(SipCommand::Invite { sip, .. })) =
        out.iter().find(|o| matches!(o, Output::Sip(_))).cloned()
    else {
        panic!("{out:?}")
    };
    c.handle_sip_answered(9_000, sip, "their-answer".into());
    drain(&mut c);
    let transfer = Command::Transfer {
        call: id,
        target: Target::Browser(party(ANNA)),
    };
    c.handle_command(20_000, BERND, 20, transfer).unwrap();
    assert_eq!(
        hotline_events(&drain(&mut c)),
        [HotlineEvent::Ended {
            call: place,
            agent: BERND
        }]
    );
}
