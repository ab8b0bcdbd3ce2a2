//! Faxes through call control: a fax box answers a phone; a fax is sent to a number.

use super::tests::{drain, party, ANNA, BERND};
use super::*;
use crate::fax::FaxEvent;
use crate::party::Via;

const FAX_BOX: i64 = 9;

fn phone(number: &str) -> Party {
    Party {
        person: None,
        name: None,
        number: number.into(),
        login: None,
        unit: None,
    }
}

fn fax_events(out: &[Output]) -> Vec<FaxEvent> {
    out.iter()
        .filter_map(|o| match o {
            Output::Fax(e) => Some(e.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_fax_machine_calling_a_fax_box_is_answered_and_the_modem_goes_on_its_leg() {
    let mut c = Calls::new(60_000);
    let (id, sip) = c
        .handle_sip_incoming(
            0,
            Via::Trunk(0),
            phone("+4930123456"),
            Target::Fax {
                fax_box: FAX_BOX,
                party: phone("+4993219282999"),
            },
            "phone-offer".into(),
            Codec::Pcma,
        )
        .unwrap();
    let out = drain(&mut c);
    assert!(
        out.iter().any(|o| matches!(
            o,
            Output::Media(MediaCommand::CreateRtpAnswer { side: 0, .. })
        )),
        "{out:?}"
    );
    assert!(fax_events(&out).is_empty(), "not before the leg is up");
    c.handle_rtp_created(10, id, 0, Some((LegRef(5), "v=0 PCMA".into())));
    let out = drain(&mut c);
    assert!(out
        .iter()
        .any(|o| matches!(o, Output::Sip(SipCommand::Answer { sip: s, .. }) if *s == sip)));
    assert_eq!(
        fax_events(&out),
        vec![FaxEvent::Connected {
            call: id,
            fax_box: FAX_BOX,
            remote: phone("+4930123456"),
            leg: LegRef(5),
            codec: Codec::Pcma,
            sending: false,
        }]
    );
    // The modem finished: call control hangs up on the fax machine.
    c.end_fax(20_000, id).unwrap();
    let out = drain(&mut c);
    assert!(out
        .iter()
        .any(|o| matches!(o, Output::Sip(SipCommand::Hangup { sip: s }) if *s == sip)));
    assert!(out.contains(&Output::Media(MediaCommand::Remove(LegRef(5)))));
    assert_eq!(
        fax_events(&out),
        vec![FaxEvent::Ended {
            call: id,
            reason: EndReason::Hangup
        }]
    );
    assert_eq!(c.end_fax(20_000, id), Err(Refusal::NoCall));
    assert!(c.is_empty());
}

#[test]
fn a_browser_cannot_dial_a_fax_box_and_a_fax_box_is_no_voicemail() {
    let mut c = Calls::new(60_000);
    let cmd = Command::Dial {
        from: party(ANNA),
        target: Target::Fax {
            fax_box: FAX_BOX,
            party: phone("2999"),
        },
        sdp: "offer".into(),
    };
    assert_eq!(c.handle_command(0, ANNA, 10, cmd), Err(Refusal::WrongState));
    let (id, _) = c
        .handle_sip_incoming(
            0,
            Via::Switch,
            phone("2502"),
            Target::Fax {
                fax_box: FAX_BOX,
                party: phone("2999"),
            },
            "phone-offer".into(),
            Codec::Pcmu,
        )
        .unwrap();
    assert_eq!(c.end_voicemail(1, id), Err(Refusal::NoCall));
}

fn sent(c: &mut Calls, to: Target) -> (CallId, SipRef, Vec<Output>) {
    let id = c.send_fax(0, FAX_BOX, phone("+4993219282999"), to).unwrap();
    let out = drain(c);
    assert!(
        out.contains(&Output::Media(MediaCommand::CreateRtpOffer {
            call: id,
            side: 1
        })),
        "{out:?}"
    );
    c.handle_rtp_created(5, id, 1, Some((LegRef(7), "our offer".into())));
    let out = drain(c);
    let sip = out
        .iter()
        .find_map(|o| match o {
            Output::Sip(SipCommand::Invite { sip, from, .. }) => {
                assert_eq!(from.number, "+4993219282999", "the box's number calls");
                Some(*sip)
            }
            _ => None,
        })
        .expect("placed");
    (id, sip, out)
}

#[test]
fn a_fax_to_send_is_placed_from_the_box_and_the_modem_goes_on_when_answered() {
    let mut c = Calls::new(60_000);
    let (id, sip, out) = sent(
        &mut c,
        Target::Outside {
            party: phone("+4930999888"),
            trunk: 0,
        },
    );
    assert!(out.iter().any(|o| matches!(
        o,
        Output::Sip(SipCommand::Invite { target, via: Via::Trunk(0), .. }) if target == "+4930999888"
    )));
    c.handle_sip_answered(3_000, sip, "their answer".into());
    let out = drain(&mut c);
    assert!(out.contains(&Output::Media(MediaCommand::RtpAnswer(
        LegRef(7),
        "their answer".into()
    ))));
    assert!(matches!(
        fax_events(&out)[..],
        [FaxEvent::Connected {
            call,
            fax_box: FAX_BOX,
            leg: LegRef(7),
            sending: true,
            ..
        }] if call == id
    ));
    c.end_fax(60_000, id).unwrap();
    let out = drain(&mut c);
    assert!(
        out.iter()
            .any(|o| matches!(o, Output::Sip(SipCommand::Hangup { sip: s }) if *s == sip)),
        "{out:?}"
    );
    assert_eq!(
        fax_events(&out),
        vec![FaxEvent::Ended {
            call: id,
            reason: EndReason::Hangup
        }]
    );
}

#[test]
fn a_busy_or_unanswered_fax_ends_with_its_reason() {
    let mut c = Calls::new(60_000);
    let (id, sip, _) = sent(&mut c, Target::Sip(party(BERND)));
    c.handle_sip_failed(1_000, sip, 486);
    let out = drain(&mut c);
    assert_eq!(
        fax_events(&out),
        vec![FaxEvent::Ended {
            call: id,
            reason: EndReason::Busy
        }]
    );
    let (id, _, _) = sent(&mut c, Target::Sip(party(BERND)));
    c.handle_timeout(60_000);
    let out = drain(&mut c);
    assert_eq!(
        fax_events(&out),
        vec![FaxEvent::Ended {
            call: id,
            reason: EndReason::NoAnswer
        }]
    );
    assert!(c.is_empty());
}

#[test]
fn only_phones_and_outside_numbers_get_faxes() {
    let mut c = Calls::new(60_000);
    for to in [Target::Browser(party(BERND)), Target::Echo] {
        assert_eq!(
            c.send_fax(0, FAX_BOX, phone("2999"), to),
            Err(Refusal::WrongState)
        );
    }
    assert!(c.is_empty());
}
