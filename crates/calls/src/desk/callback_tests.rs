//! Callbacks made by an agent on a desk phone or a mobile: their phone rings first, then
//! the caller, both through SIP.

use super::hotline_tests::citizen;
use super::tests::{drain, party, BERND};
use super::*;

fn invite(out: &[Output]) -> (SipRef, Party, String, Via) {
    out.iter()
        .find_map(|o| match o {
            Output::Sip(SipCommand::Invite {
                sip,
                from,
                target,
                via,
                ..
            }) => Some((*sip, from.clone(), target.clone(), *via)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no INVITE: {out:?}"))
}

#[test]
fn an_agent_on_the_mobile_is_rung_first_then_the_caller_for_the_whole_ring_time() {
    let mut c = Calls::new(60_000);
    let place = CallId(41);
    let mobile = Party {
        number: "+491515550123".into(),
        ..citizen()
    };
    let request = CallbackRequest {
        place,
        agent: BERND,
        reach: Target::Outside {
            party: mobile,
            trunk: 0,
        },
        caller: Target::Sip(party(1)),
        hotline: Party::service("2900", "Bürgertelefon"),
        hotline_id: 7,
        until: 21_000,
    };
    let id = c.call_back(1_000, request).unwrap();
    // No browser rings: our offer to the agent's mobile.
    assert_eq!(
        drain(&mut c),
        [Output::Media(MediaCommand::CreateRtpOffer {
            call: id,
            side: 1
        })]
    );
    c.handle_rtp_created(1_001, id, 1, Some((LegRef(200), "offer-a".into())));
    let (to_agent, from, target, via) = invite(&drain(&mut c));
    assert_eq!(
        (from.number.as_str(), target.as_str(), via),
        ("2900", "+491515550123", Via::Trunk(0)),
        "the agent sees the hotline calling"
    );
    // The agent answers late (15 s of 20): the caller still rings the whole ring time.
    c.handle_sip_answered(16_000, to_agent, "answer-a".into());
    let out = drain(&mut c);
    assert!(out.contains(&Output::Media(MediaCommand::RtpAnswer(
        LegRef(200),
        "answer-a".into()
    ))));
    assert!(out.contains(&Output::Media(MediaCommand::CreateRtpOffer {
        call: id,
        side: 0
    })));
    assert_eq!(c.poll_timeout(), Some(76_000));
    c.handle_rtp_created(16_001, id, 0, Some((LegRef(300), "offer-c".into())));
    let (to_caller, from, target, via) = invite(&drain(&mut c));
    assert_eq!(
        (from.number.as_str(), target.as_str(), via),
        ("2900", "2001", Via::Switch),
        "the caller sees the hotline's number"
    );
    c.handle_sip_answered(20_000, to_caller, "answer-c".into());
    let out = drain(&mut c);
    assert!(out.contains(&Output::Media(MediaCommand::Bridge(
        LegRef(200),
        LegRef(300)
    ))));
    assert!(
        out.contains(&Output::Hotline(HotlineEvent::CallbackReached {
            call: place,
            agent: BERND
        }))
    );
    assert!(
        out.contains(&Output::Presence(BERND, true)),
        "the agent is on the phone"
    );
    c.handle_sip_ended(80_000, to_agent);
    let out = drain(&mut c);
    assert!(out.contains(&Output::Hotline(HotlineEvent::Ended {
        call: place,
        agent: BERND
    })));
    assert!(out.contains(&Output::Sip(SipCommand::Hangup { sip: to_caller })));
}

#[test]
fn a_desk_phone_agent_who_does_not_answer_fails_the_callback() {
    let mut c = Calls::new(60_000);
    let request = CallbackRequest {
        place: CallId(41),
        agent: BERND,
        reach: Target::Sip(party(BERND)),
        caller: Target::Sip(party(1)),
        hotline: Party::service("2900", "Bürgertelefon"),
        hotline_id: 7,
        until: 21_000,
    };
    let id = c.call_back(1_000, request).unwrap();
    drain(&mut c);
    c.handle_rtp_created(1_001, id, 1, Some((LegRef(200), "offer-a".into())));
    let (_, _, target, via) = invite(&drain(&mut c));
    assert_eq!((target.as_str(), via), ("2002", Via::Switch));
    c.handle_timeout(21_000);
    let out = drain(&mut c);
    assert!(out.contains(&Output::Hotline(HotlineEvent::CallbackFailed {
        call: CallId(41),
        agent: BERND
    })));
    assert!(c.is_empty());
}
