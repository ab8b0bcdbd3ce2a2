use super::*;

pub(super) const ANNA: i64 = 1;
pub(super) const BERND: i64 = 2;
const CARLA: i64 = 3;

pub(super) fn party(id: i64) -> Party {
    let (name, ext, login) = match id {
        ANNA => ("Anna Schneider", "2001", "a.schneider"),
        BERND => ("Bernd Meier", "2002", "b.meier"),
        _ => ("Carla Wolf", "2003", "c.wolf"),
    };
    Party::person(id, name, ext, login, "Bürgeramt")
}

pub(super) fn drain(c: &mut Calls) -> Vec<Output> {
    std::iter::from_fn(|| c.poll_output()).collect()
}

fn dial(c: &mut Calls, now: i64, from: i64, conn: Conn, to: i64) -> CallId {
    let cmd = Command::Dial {
        from: party(from),
        target: Target::Browser(party(to)),
        sdp: "offer".into(),
    };
    c.handle_command(now, from, conn, cmd).unwrap()
}

pub(super) fn states(out: &[Output]) -> Vec<(To, &'static str, Option<&'static str>)> {
    out.iter()
        .filter_map(|o| match o {
            Output::Frame(to, CallFrame::State { state, reason, .. }) => {
                Some((*to, state.as_str(), reason.map(|r| r.as_str())))
            }
            _ => None,
        })
        .collect()
}

/// Anna (conn 10) calls Bernd, who answers on his client 20: both legs made, bridged.
fn connected_call(c: &mut Calls) -> CallId {
    let id = dial(c, 0, ANNA, 10, BERND);
    c.handle_media_created(
        5,
        id,
        0,
        Some((LegRef(100), Codec::Opus, "answer-a".into())),
    );
    c.handle_command(
        1000,
        BERND,
        20,
        Command::Answer {
            call: id,
            sdp: "offer-b".into(),
        },
    )
    .unwrap();
    c.handle_media_created(
        1005,
        id,
        1,
        Some((LegRef(200), Codec::Opus, "answer-b".into())),
    );
    drain(c);
    id
}

#[test]
fn a_call_between_browsers_rings_every_client_and_connects_on_answer() {
    let mut c = Calls::new(60_000);
    let id = dial(&mut c, 0, ANNA, 10, BERND);
    let out = drain(&mut c);
    assert!(
        matches!(&out[0], Output::Media(MediaCommand::CreateWebRtc { call, side: 0, codecs, .. }) if *call == id && codecs[0] == Codec::Opus)
    );
    assert!(out.contains(&Output::Frame(
        To::Person(BERND),
        CallFrame::Incoming {
            call: id,
            from: party(ANNA),
            hotline: None
        }
    )));
    assert_eq!(states(&out), [(To::Conn(10), "dialing", None)]);
    c.handle_media_created(
        5,
        id,
        0,
        Some((LegRef(100), Codec::Opus, "answer-a".into())),
    );
    let out = drain(&mut c);
    assert_eq!(
        out[0],
        Output::Frame(
            To::Conn(10),
            CallFrame::Media {
                call: id,
                sdp: "answer-a".into()
            }
        )
    );
    assert_eq!(states(&out), [(To::Conn(10), "ringing", None)]);
    c.handle_command(
        1000,
        BERND,
        20,
        Command::Answer {
            call: id,
            sdp: "offer-b".into(),
        },
    )
    .unwrap();
    let out = drain(&mut c);
    assert!(states(&out).contains(&(
        To::PersonExcept(BERND, 20),
        "ended",
        Some("answered_elsewhere")
    )));
    // Bernd's browser must answer with the codec Anna's leg uses.
    assert!(out.contains(&Output::Media(MediaCommand::CreateWebRtc {
        call: id,
        side: 1,
        offer: "offer-b".into(),
        codecs: vec![Codec::Opus]
    })));
    c.handle_media_created(
        1005,
        id,
        1,
        Some((LegRef(200), Codec::Opus, "answer-b".into())),
    );
    let out = drain(&mut c);
    assert!(out.contains(&Output::Media(MediaCommand::Bridge(
        LegRef(100),
        LegRef(200)
    ))));
    assert!(
        out.contains(&Output::Presence(ANNA, true)) && out.contains(&Output::Presence(BERND, true))
    );
    let s = states(&out);
    assert!(
        s.contains(&(To::Conn(10), "connected", None))
            && s.contains(&(To::Conn(20), "connected", None)),
        "{s:?}"
    );
    assert_eq!(c.poll_timeout(), None);
}

#[test]
fn hanging_up_ends_both_sides_with_presence_and_history() {
    let mut c = Calls::new(60_000);
    let id = connected_call(&mut c);
    c.handle_command(61_005, BERND, 20, Command::Hangup { call: id })
        .unwrap();
    let out = drain(&mut c);
    assert!(out.contains(&Output::Media(MediaCommand::Remove(LegRef(100)))));
    assert!(out.contains(&Output::Media(MediaCommand::Remove(LegRef(200)))));
    let s = states(&out);
    assert!(
        s.contains(&(To::Conn(10), "ended", Some("hangup")))
            && s.contains(&(To::Conn(20), "ended", Some("hangup")))
    );
    assert!(
        out.contains(&Output::Presence(ANNA, false))
            && out.contains(&Output::Presence(BERND, false))
    );
    let records: Vec<_> = out
        .iter()
        .filter_map(|o| {
            if let Output::History(r) = o {
                Some(r)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(records.len(), 2);
    let bernds = records.iter().find(|r| r.person == BERND).unwrap();
    assert_eq!(
        (
            bernds.direction,
            bernds.peer.person,
            bernds.answered_ms,
            bernds.ended_ms
        ),
        (Direction::In, Some(ANNA), Some(1000), 61_005)
    );
    assert!(c.is_empty());
    assert_eq!(
        c.handle_command(61_006, ANNA, 10, Command::Hangup { call: id }),
        Err(Refusal::NoCall)
    );
}

#[test]
fn an_unanswered_call_ends_after_the_ring_time_and_is_a_missed_call() {
    let mut c = Calls::new(30_000);
    let id = dial(&mut c, 0, ANNA, 10, BERND);
    drain(&mut c);
    assert_eq!(c.poll_timeout(), Some(30_000));
    c.handle_timeout(29_999);
    assert!(drain(&mut c).is_empty());
    c.handle_timeout(30_000);
    let out = drain(&mut c);
    let s = states(&out);
    assert!(
        s.contains(&(To::Conn(10), "ended", Some("no_answer")))
            && s.contains(&(To::Person(BERND), "ended", Some("no_answer")))
    );
    let missed = out
        .iter()
        .find_map(|o| match o {
            Output::History(r) if r.person == BERND => Some(r.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(missed.answered_ms, None);
    assert!(!out.iter().any(|o| matches!(o, Output::Presence(..))));
    assert!(!c.calls.contains_key(&id));
}

#[test]
fn rejecting_tells_the_caller_and_only_the_called_person_may_answer() {
    let mut c = Calls::new(60_000);
    let id = dial(&mut c, 0, ANNA, 10, BERND);
    drain(&mut c);
    assert_eq!(
        c.handle_command(
            1,
            CARLA,
            30,
            Command::Answer {
                call: id,
                sdp: "x".into()
            }
        ),
        Err(Refusal::NoCall)
    );
    assert_eq!(
        c.handle_command(1, ANNA, 10, Command::Reject { call: id }),
        Err(Refusal::NoCall)
    );
    assert!(drain(&mut c).is_empty(), "refused commands change nothing");
    c.handle_command(2, BERND, 21, Command::Reject { call: id })
        .unwrap();
    let s = states(&drain(&mut c));
    assert!(s.contains(&(To::Conn(10), "ended", Some("rejected"))));
    assert!(s.contains(&(To::Person(BERND), "ended", Some("rejected"))));
}

#[test]
fn hold_stops_media_on_both_legs_until_resumed() {
    let mut c = Calls::new(60_000);
    let id = connected_call(&mut c);
    c.handle_command(2000, ANNA, 10, Command::Hold { call: id, on: true })
        .unwrap();
    let out = drain(&mut c);
    assert!(
        out.contains(&Output::Media(MediaCommand::Hold(LegRef(100), true)))
            && out.contains(&Output::Media(MediaCommand::Hold(LegRef(200), true)))
    );
    assert_eq!(
        states(&out),
        [(To::Conn(10), "held", None), (To::Conn(20), "held", None)]
    );
    // Bernd cannot resume what Anna holds; only Anna can.
    c.handle_command(
        2500,
        BERND,
        20,
        Command::Hold {
            call: id,
            on: false,
        },
    )
    .unwrap();
    assert!(drain(&mut c).is_empty());
    c.handle_command(
        3000,
        ANNA,
        10,
        Command::Hold {
            call: id,
            on: false,
        },
    )
    .unwrap();
    let out = drain(&mut c);
    assert!(out.contains(&Output::Media(MediaCommand::Hold(LegRef(100), false))));
    assert_eq!(
        states(&out),
        [
            (To::Conn(10), "connected", None),
            (To::Conn(20), "connected", None)
        ]
    );
}

#[test]
fn digits_go_to_the_other_leg_and_arriving_digits_to_the_other_browser() {
    let mut c = Calls::new(60_000);
    let id = connected_call(&mut c);
    assert_eq!(
        c.handle_command(
            1,
            ANNA,
            10,
            Command::Dtmf {
                call: id,
                digits: "1x".into()
            }
        ),
        Err(Refusal::BadDigits)
    );
    c.handle_command(
        1,
        ANNA,
        10,
        Command::Dtmf {
            call: id,
            digits: "12#".into(),
        },
    )
    .unwrap();
    assert_eq!(
        drain(&mut c),
        [Output::Media(MediaCommand::Dtmf(LegRef(200), "12#".into()))]
    );
    c.handle_leg_dtmf(LegRef(200), '5');
    assert_eq!(
        drain(&mut c),
        [Output::Frame(
            To::Conn(10),
            CallFrame::Dtmf {
                call: id,
                digit: '5'
            }
        )]
    );
}

#[test]
fn a_browser_that_goes_away_ends_its_calls() {
    let mut c = Calls::new(60_000);
    let id = connected_call(&mut c);
    c.handle_leg_closed(2000, LegRef(200));
    let s = states(&drain(&mut c));
    assert!(s.contains(&(To::Conn(10), "ended", Some("hangup"))));
    assert!(!c.calls.contains_key(&id));
    // A ringing call ends when the person's last client closes, not before.
    let id = dial(&mut c, 3000, ANNA, 10, BERND);
    drain(&mut c);
    c.handle_closed(3100, BERND, 20, true);
    assert!(drain(&mut c).is_empty());
    c.handle_closed(3200, BERND, 21, false);
    assert!(states(&drain(&mut c)).contains(&(To::Conn(10), "ended", Some("unavailable"))));
    assert!(!c.calls.contains_key(&id));
}

#[test]
fn a_blind_transfer_rings_the_target_and_the_caller_stays() {
    let mut c = Calls::new(60_000);
    let id = connected_call(&mut c);
    c.handle_command(
        2000,
        BERND,
        20,
        Command::Transfer {
            call: id,
            target: Target::Browser(party(CARLA)),
        },
    )
    .unwrap();
    let out = drain(&mut c);
    assert!(out.contains(&Output::Media(MediaCommand::Remove(LegRef(200)))));
    assert!(states(&out).contains(&(To::Conn(20), "ended", Some("transferred"))));
    assert!(out.contains(&Output::Presence(BERND, false)));
    assert!(out.contains(&Output::Frame(
        To::Person(CARLA),
        CallFrame::Incoming {
            call: id,
            from: party(ANNA),
            hotline: None
        }
    )));
    c.handle_command(
        3000,
        CARLA,
        30,
        Command::Answer {
            call: id,
            sdp: "offer-c".into(),
        },
    )
    .unwrap();
    c.handle_media_created(
        3005,
        id,
        1,
        Some((LegRef(300), Codec::Opus, "answer-c".into())),
    );
    let out = drain(&mut c);
    assert!(
        out.contains(&Output::Media(MediaCommand::Bridge(
            LegRef(100),
            LegRef(300)
        ))),
        "{out:?}"
    );
    assert!(out.contains(&Output::Presence(CARLA, true)));
    assert!(
        !out.contains(&Output::Presence(ANNA, true)),
        "Anna was on the phone all along"
    );
}

#[test]
fn an_attended_transfer_connects_the_other_sides() {
    let mut c = Calls::new(60_000);
    let first = connected_call(&mut c);
    // Bernd calls Carla on the same client, then joins Anna and Carla.
    c.handle_command(
        2000,
        BERND,
        20,
        Command::Hold {
            call: first,
            on: true,
        },
    )
    .unwrap();
    let second = dial(&mut c, 2100, BERND, 20, CARLA);
    c.handle_media_created(
        2105,
        second,
        0,
        Some((LegRef(201), Codec::Opus, "a".into())),
    );
    c.handle_command(
        3000,
        CARLA,
        30,
        Command::Answer {
            call: second,
            sdp: "o".into(),
        },
    )
    .unwrap();
    c.handle_media_created(
        3005,
        second,
        1,
        Some((LegRef(300), Codec::Opus, "a".into())),
    );
    drain(&mut c);
    c.handle_command(
        4000,
        BERND,
        20,
        Command::TransferTo {
            call: first,
            to_call: second,
        },
    )
    .unwrap();
    let out = drain(&mut c);
    assert!(out.contains(&Output::Media(MediaCommand::Bridge(
        LegRef(100),
        LegRef(300)
    ))));
    assert!(
        out.contains(&Output::Media(MediaCommand::Remove(LegRef(200))))
            && out.contains(&Output::Media(MediaCommand::Remove(LegRef(201))))
    );
    let s = states(&out);
    assert!(
        s.contains(&(To::Conn(10), "connected", None))
            && s.contains(&(To::Conn(30), "connected", None)),
        "{s:?}"
    );
    assert_eq!(
        s.iter()
            .filter(|x| **x == (To::Conn(20), "ended", Some("transferred")))
            .count(),
        2
    );
    assert_eq!(c.len(), 1);
    // Each keeps the id its browser knows: Anna her first call, Carla the second.
    let ids = |out: &[Output], conn: Conn| -> Vec<CallId> {
        out.iter()
            .filter_map(|o| match o {
                Output::Frame(To::Conn(c), CallFrame::State { call, .. }) if *c == conn => {
                    Some(*call)
                }
                _ => None,
            })
            .collect()
    };
    assert_eq!(ids(&out, 10), [first]);
    assert_eq!(ids(&out, 30), [second]);
    // Carla holds and hangs up by her id; the merged call ends for both, each by theirs.
    c.handle_command(
        5000,
        CARLA,
        30,
        Command::Hold {
            call: second,
            on: true,
        },
    )
    .unwrap();
    drain(&mut c);
    c.handle_command(6000, CARLA, 30, Command::Hangup { call: second })
        .unwrap();
    let out = drain(&mut c);
    assert_eq!((ids(&out, 10), ids(&out, 30)), (vec![first], vec![second]));
    assert!(c.is_empty());
    assert_eq!(
        c.handle_command(6001, CARLA, 30, Command::Hangup { call: second }),
        Err(Refusal::NoCall)
    );
}

#[test]
fn the_echo_test_bridges_the_callers_leg_to_itself() {
    let mut c = Calls::new(60_000);
    let cmd = Command::Dial {
        from: party(ANNA),
        target: Target::Echo,
        sdp: "offer".into(),
    };
    let id = c.handle_command(0, ANNA, 10, cmd).unwrap();
    drain(&mut c);
    c.handle_media_created(5, id, 0, Some((LegRef(100), Codec::Opus, "answer".into())));
    let out = drain(&mut c);
    assert!(out.contains(&Output::Media(MediaCommand::Bridge(
        LegRef(100),
        LegRef(100)
    ))));
    assert_eq!(states(&out), [(To::Conn(10), "connected", None)]);
}

#[test]
fn calling_oneself_and_media_failures_are_answered() {
    let mut c = Calls::new(60_000);
    let cmd = Command::Dial {
        from: party(ANNA),
        target: Target::Browser(party(ANNA)),
        sdp: "x".into(),
    };
    assert_eq!(c.handle_command(0, ANNA, 10, cmd), Err(Refusal::SelfCall));
    let id = dial(&mut c, 0, ANNA, 10, BERND);
    drain(&mut c);
    c.handle_media_created(5, id, 0, None);
    assert!(states(&drain(&mut c)).contains(&(To::Conn(10), "ended", Some("unavailable"))));
    // A leg made for a call that ended meanwhile is removed.
    c.handle_media_created(6, id, 0, Some((LegRef(7), Codec::Pcma, "late".into())));
    assert_eq!(
        drain(&mut c),
        [Output::Media(MediaCommand::Remove(LegRef(7)))]
    );
}
