//! A supervisor listening in on a hotline's conversation, and whispering.

use super::hotline_tests::{offer, parked_phone, CARLA};
use super::tests::{drain, party, states, ANNA, BERND};
use super::*;

/// A citizen waits (leg 100); Bernd answers in his browser (leg 200): the conversation.
fn conversation(c: &mut Calls) -> (CallId, SipRef) {
    let (id, sip) = parked_phone(c);
    let to_bernd = offer(c, 1_000, id, BERND);
    let answer = Command::Answer {
        call: to_bernd,
        sdp: "offer-b".into(),
    };
    c.handle_command(2_000, BERND, 20, answer).unwrap();
    c.handle_media_created(
        2_100,
        to_bernd,
        1,
        Some((LegRef(200), Codec::Pcma, "a".into())),
    );
    drain(c);
    (id, sip)
}

fn listen(c: &mut Calls, call: CallId, whisper: bool) -> Result<CallId, Refusal> {
    listen_on(c, 7, call, whisper)
}

fn listen_on(c: &mut Calls, hotline: i64, call: CallId, whisper: bool) -> Result<CallId, Refusal> {
    let target = Target::Listen {
        hotline,
        call,
        whisper,
        party: Party::service("2900", "Mithören: Bernd Meier"),
    };
    let from = party(CARLA);
    c.handle_command(
        5_000,
        CARLA,
        30,
        Command::Dial {
            from,
            target,
            sdp: "s".into(),
        },
    )
}

/// Anna dials `target` from her browser (connection 10).
fn anna_dials(c: &mut Calls, target: Target) -> CallId {
    let from = party(ANNA);
    let dial = Command::Dial {
        from,
        target,
        sdp: "o".into(),
    };
    c.handle_command(0, ANNA, 10, dial).unwrap()
}

fn media(out: &[Output]) -> Vec<MediaCommand> {
    out.iter()
        .filter_map(|o| match o {
            Output::Media(m) => Some(m.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_listening_supervisor_hears_both_sides_and_the_agent_hears_the_tone() {
    let mut c = Calls::new(60_000);
    let (id, _) = conversation(&mut c);
    let listening = listen(&mut c, id, false).unwrap();
    // On the conversation's media thread, in G.711 (the mix), without ringing anyone.
    assert_eq!(c.media_home(listening), id);
    let out = drain(&mut c);
    assert!(
        matches!(&media(&out)[..], [MediaCommand::CreateWebRtc { side: 0, codecs, .. }] if codecs == &[Codec::Pcma, Codec::Pcmu]),
        "{out:?}"
    );
    assert!(!out
        .iter()
        .any(|o| matches!(o, Output::Frame(_, CallFrame::Incoming { .. }))));
    assert_eq!(
        listen(&mut c, id, true),
        Err(Refusal::WrongState),
        "one at a time"
    );
    assert_eq!(
        listen_on(&mut c, 8, id, false),
        Err(Refusal::WrongState),
        "another hotline's"
    );

    c.handle_media_created(
        5_100,
        listening,
        0,
        Some((LegRef(300), Codec::Pcma, "s-a".into())),
    );
    let out = drain(&mut c);
    assert_eq!(
        media(&out),
        [
            MediaCommand::Hear {
                leg: LegRef(300),
                sources: vec![LegRef(100), LegRef(200)]
            },
            MediaCommand::ListenTone(LegRef(200)),
        ]
    );
    assert!(states(&out).contains(&(To::Conn(30), "connected", None)));
    assert!(out.contains(&Output::Presence(CARLA, true)));
    assert_eq!(c.listener_of(id), Some((listening, false)));

    // Digits and transfers are not for a listening call.
    let transfer = Command::Transfer {
        call: listening,
        target: Target::Browser(party(ANNA)),
    };
    assert_eq!(
        c.handle_command(6_000, CARLA, 30, transfer),
        Err(Refusal::WrongState)
    );

    // The supervisor hangs up: their leg goes, the conversation goes on.
    c.handle_command(7_000, CARLA, 30, Command::Hangup { call: listening })
        .unwrap();
    let out = drain(&mut c);
    assert_eq!(media(&out), [MediaCommand::Remove(LegRef(300))]);
    assert_eq!(c.listener_of(id), None);
    assert_eq!(c.len(), 1);
}

#[test]
fn a_whisper_reaches_the_agent_and_ends_with_the_conversation() {
    let mut c = Calls::new(60_000);
    let (id, sip) = conversation(&mut c);
    let listening = listen(&mut c, id, true).unwrap();
    drain(&mut c);
    c.handle_media_created(
        5_100,
        listening,
        0,
        Some((LegRef(300), Codec::Pcma, "s-a".into())),
    );
    let out = drain(&mut c);
    assert!(media(&out).contains(&MediaCommand::Hear {
        leg: LegRef(200),
        sources: vec![LegRef(100), LegRef(300)]
    }));
    // The citizen hangs up: the supervisor's call ends too.
    c.handle_sip_ended(9_000, sip);
    let out = drain(&mut c);
    assert!(media(&out).contains(&MediaCommand::Remove(LegRef(300))));
    assert!(states(&out).contains(&(To::Conn(30), "ended", Some("hangup"))));
    assert!(out.contains(&Output::Presence(CARLA, false)));
    assert!(c.is_empty());
}

#[test]
fn only_a_hotlines_running_conversation_can_be_listened_to() {
    let mut c = Calls::new(60_000);
    let (waiting, _) = parked_phone(&mut c);
    assert_eq!(listen(&mut c, waiting, false), Err(Refusal::WrongState));
    assert_eq!(listen(&mut c, CallId(999), false), Err(Refusal::NoCall));
    // An ordinary call between two people is nobody's to listen to.
    let call = anna_dials(&mut c, Target::Browser(party(BERND)));
    assert_eq!(listen(&mut c, call, false), Err(Refusal::WrongState));
}

#[test]
fn a_caller_who_passes_the_agent_on_ends_the_listening() {
    // A colleague calls the hotline from the browser (Anna), Bernd answers, Carla listens.
    let mut c = Calls::new(60_000);
    let target = Target::Hotline {
        hotline: 7,
        party: Party::service("2900", "Bürgertelefon"),
    };
    let id = anna_dials(&mut c, target);
    c.handle_media_created(1, id, 0, Some((LegRef(100), Codec::Pcma, "a".into())));
    let to_bernd = offer(&mut c, 1_000, id, BERND);
    let answer = Command::Answer {
        call: to_bernd,
        sdp: "offer-b".into(),
    };
    c.handle_command(2_000, BERND, 20, answer).unwrap();
    c.handle_media_created(
        2_100,
        to_bernd,
        1,
        Some((LegRef(200), Codec::Pcma, "b".into())),
    );
    let listening = listen(&mut c, id, true).unwrap();
    c.handle_media_created(
        5_100,
        listening,
        0,
        Some((LegRef(300), Codec::Pcma, "s".into())),
    );
    drain(&mut c);
    // Anna passes Bernd on to Carla's colleague: the supervisor stops listening.
    let transfer = Command::Transfer {
        call: id,
        target: Target::Browser(party(4)),
    };
    c.handle_command(6_000, ANNA, 10, transfer).unwrap();
    let out = drain(&mut c);
    assert!(
        media(&out).contains(&MediaCommand::Remove(LegRef(300))),
        "{out:?}"
    );
    assert_eq!(c.listener_of(id), None);
}

#[test]
fn a_mix_that_fails_ends_the_listening_not_the_conversation() {
    let mut c = Calls::new(60_000);
    let (id, _) = conversation(&mut c);
    for failed in [LegRef(200), LegRef(300)] {
        let listening = listen(&mut c, id, true).unwrap();
        c.handle_media_created(
            5_100,
            listening,
            0,
            Some((LegRef(300), Codec::Pcma, "s".into())),
        );
        drain(&mut c);
        c.stop_listening_at(6_000, failed);
        let out = drain(&mut c);
        assert!(
            media(&out).contains(&MediaCommand::Remove(LegRef(300))),
            "{failed:?}: {out:?}"
        );
        assert_eq!(c.listener_of(id), None);
        assert!(
            !media(&out).contains(&MediaCommand::Remove(LegRef(200))),
            "the agent stays"
        );
    }
    // A leg of no listening: nothing happens.
    c.stop_listening_at(7_000, LegRef(100));
    assert!(drain(&mut c).is_empty());
    assert_eq!(c.len(), 1);
}
