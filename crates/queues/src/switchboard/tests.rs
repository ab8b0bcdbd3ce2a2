//! The switchboard with the strategies, agents' states and what callers hear.

use super::*;
use crate::event::EventKind;
use crate::strategy::Strategy;
use jiff::civil::date;

const LINE: i64 = 1;
const Q: QueueId = QueueId(10);
const Q2: QueueId = QueueId(11);
const ANNA: i64 = 1;
const BERND: i64 = 2;
const CARLA: i64 = 3;

fn board(strategy: Strategy) -> Switchboard {
    let mut b = Switchboard::default();
    let mut settings = QueueSettings::new(strategy);
    settings.ring_ms = 15_000;
    let mut q =
        QueueSetup::new(Q, LINE, settings).with_members(&[(ANNA, 1), (BERND, 1), (CARLA, 2)]);
    q.wrap_up_ms = 30_000;
    b.configure(0, vec![HotlineSetup::always_open(LINE, Q)], vec![q]);
    b
}

fn orders(b: &mut Switchboard) -> Vec<Order> {
    std::iter::from_fn(|| b.poll_order()).collect()
}

fn events(b: &mut Switchboard) -> Vec<EventKind> {
    std::iter::from_fn(|| b.poll_event())
        .map(|e| e.kind)
        .collect()
}

fn offered(orders: &[Order]) -> Vec<(CallId, i64)> {
    orders
        .iter()
        .filter_map(|o| match o {
            Order::Offer { call, agent, .. } => Some((*call, *agent)),
            _ => None,
        })
        .collect()
}

fn clips(orders: &[Order]) -> Vec<Clip> {
    orders
        .iter()
        .filter_map(|o| match o {
            Order::Play { clip, .. } => Some(*clip),
            _ => None,
        })
        .collect()
}

#[test]
fn a_caller_hears_the_welcome_then_the_position_then_music_and_goes_to_the_longest_free() {
    let mut b = board(Strategy::LongestIdle);
    b.log_in(100, BERND, None).unwrap();
    b.log_in(200, ANNA, None).unwrap();
    events(&mut b);
    b.handle_arrived(1_000, CallId(7), LINE, None);
    let out = orders(&mut b);
    // Bernd has been free longer.
    assert_eq!(offered(&out), [(CallId(7), BERND)]);
    assert!(out.contains(&Order::Offer {
        call: CallId(7),
        agent: BERND,
        until: 1_000 + 15_000 + 2_000
    }));
    assert_eq!(
        clips(&out),
        [Clip::Welcome(LINE)],
        "the position waits for the welcome"
    );
    b.handle_played(5_000, CallId(7));
    assert_eq!(
        clips(&orders(&mut b)),
        [Clip::Position {
            position: 1,
            wait_ms: None
        }]
    );
    b.handle_played(7_000, CallId(7));
    assert_eq!(
        orders(&mut b),
        [Order::Play {
            call: CallId(7),
            clip: Clip::HoldMusic(LINE),
            looping: true
        }]
    );
    b.handle_answered(8_000, CallId(7), BERND);
    assert!(orders(&mut b).is_empty());
    assert!(matches!(
        b.agent(BERND).unwrap().state,
        AgentState::OnCall { .. }
    ));
    assert_eq!(
        events(&mut b),
        [
            EventKind::Entered {
                call: CallId(7),
                position: 1
            },
            EventKind::Offered {
                call: CallId(7),
                agent: BERND
            },
            EventKind::Answered {
                call: CallId(7),
                agent: BERND,
                waited_ms: 7_000
            },
        ]
    );
    // After the call: wrap-up, then ready by itself.
    b.handle_ended(60_000, CallId(7), BERND);
    assert_eq!(
        b.agent(BERND).unwrap().state,
        AgentState::WrapUp { until_ms: 90_000 }
    );
    assert_eq!(b.poll_timeout(), Some(90_000));
    b.handle_timeout(90_000);
    assert_eq!(
        b.agent(BERND).unwrap().state,
        AgentState::Ready { since_ms: 90_000 }
    );
    assert_eq!(
        events(&mut b),
        [EventKind::WrapUpEnded {
            agent: BERND,
            early: false
        }]
    );
}

#[test]
fn paused_busy_and_do_not_disturb_agents_are_skipped() {
    let mut b = board(Strategy::RingAll);
    for a in [ANNA, BERND, CARLA] {
        b.log_in(0, a, None).unwrap();
    }
    b.pause(10, ANNA, "Schulung").unwrap();
    b.set_availability(
        10,
        BERND,
        Availability {
            dnd: true,
            ..Availability::default()
        },
    );
    b.handle_arrived(1_000, CallId(1), LINE, None);
    assert_eq!(offered(&orders(&mut b)), [(CallId(1), CARLA)]);
    // Carla is ringing: a second caller waits although Anna is paused and Bernd busy.
    b.handle_arrived(1_100, CallId(2), LINE, None);
    assert!(offered(&orders(&mut b)).is_empty());
    // Bernd's do-not-disturb ends: he gets the second caller at once.
    b.set_availability(2_000, BERND, Availability::default());
    assert_eq!(offered(&orders(&mut b)), [(CallId(2), BERND)]);
    // Anna may not pause while ringing... she is paused; resuming makes her ready.
    assert_eq!(
        b.pause(2_100, CARLA, "Pause"),
        Err(AgentCommandError::Busy("ein Anruf klingelt"))
    );
    b.resume(3_000, ANNA);
    assert!(matches!(
        b.agent(ANNA).unwrap().state,
        AgentState::Ready { .. }
    ));
}

#[test]
fn a_declined_offer_goes_to_the_next_agent_at_once_and_a_rung_out_one_after_the_ring_time() {
    let mut b = board(Strategy::LongestIdle);
    b.log_in(0, ANNA, None).unwrap();
    b.log_in(10, BERND, None).unwrap();
    b.handle_arrived(1_000, CallId(7), LINE, None);
    assert_eq!(offered(&orders(&mut b)), [(CallId(7), ANNA)]);
    b.handle_offer_ended(2_000, CallId(7), ANNA);
    assert_eq!(offered(&orders(&mut b)), [(CallId(7), BERND)]);
    // Anna is free again with her old idle time, but passed on this caller.
    assert_eq!(
        b.agent(ANNA).unwrap().state,
        AgentState::Ready { since_ms: 0 }
    );
    // Bernd lets it ring out: the queue withdraws it and, nobody else being free,
    // offers Anna again.
    b.handle_timeout(2_000 + 15_000);
    let out = orders(&mut b);
    assert!(out.contains(&Order::Withdraw {
        call: CallId(7),
        agent: BERND
    }));
    assert_eq!(offered(&out), [(CallId(7), ANNA)]);
}

#[test]
fn a_caller_who_hangs_up_while_an_agent_rings_is_an_abandon_and_the_ringing_stops() {
    let mut b = board(Strategy::RingAll);
    b.log_in(0, ANNA, None).unwrap();
    b.log_in(0, BERND, None).unwrap();
    events(&mut b);
    b.handle_arrived(1_000, CallId(7), LINE, None);
    orders(&mut b);
    b.handle_left(9_000, CallId(7));
    let out = orders(&mut b);
    assert!(out.contains(&Order::Withdraw {
        call: CallId(7),
        agent: ANNA
    }));
    assert!(out.contains(&Order::Withdraw {
        call: CallId(7),
        agent: BERND
    }));
    assert!(events(&mut b).contains(&EventKind::Abandoned {
        call: CallId(7),
        waited_ms: 8_000,
        position: 1
    }));
    assert!(matches!(
        b.agent(ANNA).unwrap().state,
        AgentState::Ready { .. }
    ));
}

#[test]
fn a_closed_hotline_plays_its_message_and_ends_the_call_without_queue_events() {
    let mut b = board(Strategy::RingAll);
    let weekday = crate::opening_hours::OpeningHours::parse_day("08:00-16:00").unwrap();
    let hours = OpeningHours {
        weekly: [
            weekday.clone(),
            weekday.clone(),
            weekday.clone(),
            weekday.clone(),
            weekday,
            vec![],
            vec![],
        ],
        state: Some(crate::holidays::State::BY),
        closures: vec![],
    };
    let mut line = HotlineSetup::always_open(LINE, Q);
    line.hours = Some(hours);
    b.configure(
        0,
        vec![line],
        vec![QueueSetup::new(
            Q,
            LINE,
            QueueSettings::new(Strategy::RingAll),
        )],
    );
    // Christmas Day 2026 is a Friday, and a holiday.
    b.handle_arrived(0, CallId(1), LINE, Some(date(2026, 12, 25).at(10, 0, 0, 0)));
    assert_eq!(clips(&orders(&mut b)), [Clip::Closed(LINE)]);
    b.handle_played(8_000, CallId(1));
    assert_eq!(orders(&mut b), [Order::SendAway { call: CallId(1) }]);
    assert!(events(&mut b).is_empty());
    // A working Monday morning: open.
    b.handle_arrived(0, CallId(2), LINE, Some(date(2026, 12, 7).at(10, 0, 0, 0)));
    assert_eq!(clips(&orders(&mut b)), [Clip::Welcome(LINE)]);
}

#[test]
fn the_menu_leads_to_the_chosen_queue_or_to_the_first_when_nothing_is_pressed() {
    let mut b = Switchboard::default();
    let mut line = HotlineSetup::always_open(LINE, Q);
    line.menu = vec![('1', Q), ('2', Q2)];
    let queues = vec![
        QueueSetup::new(Q, LINE, QueueSettings::new(Strategy::RingAll)).with_members(&[(ANNA, 1)]),
        QueueSetup::new(Q2, LINE, QueueSettings::new(Strategy::RingAll))
            .with_members(&[(BERND, 1)]),
    ];
    b.configure(0, vec![line], queues);
    b.log_in(0, ANNA, None).unwrap();
    b.log_in(0, BERND, None).unwrap();
    b.handle_arrived(1_000, CallId(1), LINE, None);
    assert_eq!(clips(&orders(&mut b)), [Clip::Welcome(LINE)]);
    b.handle_digit(2_000, CallId(1), '2');
    let out = orders(&mut b);
    assert_eq!(offered(&out), [(CallId(1), BERND)]);
    // The welcome was heard already: only the position follows.
    b.handle_played(3_000, CallId(1));
    assert_eq!(
        clips(&orders(&mut b)),
        [Clip::Position {
            position: 1,
            wait_ms: None
        }]
    );
    // A second caller presses nothing.
    b.handle_arrived(10_000, CallId(2), LINE, None);
    assert_eq!(clips(&orders(&mut b)), [Clip::Welcome(LINE)]);
    b.handle_played(14_000, CallId(2));
    assert_eq!(clips(&orders(&mut b)), [Clip::Menu(LINE)]);
    b.handle_played(18_000, CallId(2));
    assert_eq!(clips(&orders(&mut b)), [Clip::HoldMusic(LINE)]);
    b.handle_digit(19_000, CallId(2), '9');
    assert!(
        orders(&mut b).is_empty(),
        "a key without a choice does nothing"
    );
    b.handle_timeout(18_000 + MENU_WAIT_MS - 1);
    assert!(!offered(&orders(&mut b)).contains(&(CallId(2), ANNA)));
    b.handle_timeout(18_000 + MENU_WAIT_MS);
    assert!(offered(&orders(&mut b)).contains(&(CallId(2), ANNA)));
}

#[test]
fn a_full_queue_overflows_to_another_queue_or_to_a_message() {
    let mut b = Switchboard::default();
    let mut settings = QueueSettings::new(Strategy::RingAll);
    settings.max_length = Some(1);
    let mut first = QueueSetup::new(Q, LINE, settings.clone());
    first.overflow = Overflow::Queue(Q2);
    let second = QueueSetup::new(Q2, LINE, settings);
    b.configure(
        0,
        vec![HotlineSetup::always_open(LINE, Q)],
        vec![first, second],
    );
    b.handle_arrived(0, CallId(1), LINE, None);
    b.handle_arrived(0, CallId(2), LINE, None);
    b.handle_arrived(0, CallId(3), LINE, None);
    orders(&mut b);
    let board = b.board(LINE);
    let places: Vec<(CallId, QueueId)> = board.waiting.iter().map(|w| (w.call, w.queue)).collect();
    assert_eq!(places, [(CallId(1), Q), (CallId(2), Q2)]);
    // The third found both full: the overflow message, then the end.
    b.handle_played(5_000, CallId(3));
    assert_eq!(orders(&mut b), [Order::SendAway { call: CallId(3) }]);
}

#[test]
fn only_members_log_in_and_each_login_is_an_event_per_queue() {
    let mut b = board(Strategy::RingAll);
    assert_eq!(b.log_in(0, 99, None), Err(AgentCommandError::NotMember));
    assert_eq!(
        b.log_in(0, ANNA, Some(Q2)),
        Err(AgentCommandError::NotMember)
    );
    assert_eq!(b.log_in(0, ANNA, Some(Q)), Ok(vec![Q]));
    assert_eq!(b.log_in(5, ANNA, None), Ok(vec![Q]), "twice is once");
    assert_eq!(events(&mut b), [EventKind::AgentLogin { agent: ANNA }]);
    assert_eq!(b.log_out(9, ANNA, None), Vec::<QueueId>::new());
    assert_eq!(events(&mut b), [EventKind::AgentLogout { agent: ANNA }]);
    assert_eq!(b.pause(10, ANNA, "x"), Err(AgentCommandError::NotLoggedIn));
}

#[test]
fn a_caller_who_asks_for_a_callback_keeps_the_place_and_is_called_back_by_the_next_free_agent() {
    let mut b = Switchboard::default();
    let mut settings = QueueSettings::new(Strategy::LongestIdle);
    settings.callback_after_ms = Some(30_000);
    settings.position_every_ms = None;
    let q = QueueSetup::new(Q, LINE, settings).with_members(&[(ANNA, 1)]);
    b.configure(0, vec![HotlineSetup::always_open(LINE, Q)], vec![q]);
    b.handle_arrived(0, CallId(1), LINE, None);
    b.handle_arrived(1_000, CallId(2), LINE, None);
    orders(&mut b);
    b.handle_played(4_000, CallId(1));
    b.handle_played(6_000, CallId(1));
    orders(&mut b);
    // After 30 s the offer; the key keeps the place; the confirmation, then the end.
    b.handle_timeout(30_000);
    assert_eq!(clips(&orders(&mut b)), [Clip::CallbackOffer]);
    b.handle_digit(35_000, CallId(1), '1');
    assert_eq!(
        orders(&mut b),
        [Order::Play {
            call: CallId(1),
            clip: Clip::CallbackConfirmed,
            looping: false
        }]
    );
    b.handle_played(40_000, CallId(1));
    assert_eq!(orders(&mut b), [Order::SendAway { call: CallId(1) }]);
    b.handle_left(40_001, CallId(1));
    assert_eq!(
        b.board(LINE).waiting.len(),
        2,
        "the callback keeps its place"
    );
    assert!(b.board(LINE).waiting[0].callback);
    // Anna logs in: the callback comes first (it was first in line).
    b.log_in(50_000, ANNA, None).unwrap();
    let out = orders(&mut b);
    assert!(
        matches!(
            out[..],
            [Order::CallBack {
                call: CallId(1),
                agent: ANNA,
                ..
            }]
        ),
        "{out:?}"
    );
    // Nobody answers: the place stays; the next try waits a minute, meanwhile Anna
    // takes the second caller.
    b.handle_callback_failed(60_000, CallId(1), ANNA);
    assert_eq!(offered(&orders(&mut b)), [(CallId(2), ANNA)]);
    b.handle_answered(61_000, CallId(2), ANNA);
    b.handle_ended(62_000, CallId(2), ANNA);
    assert!(orders(&mut b).is_empty(), "not yet");
    assert_eq!(b.poll_timeout(), Some(120_000));
    b.handle_timeout(120_000);
    assert!(matches!(
        orders(&mut b)[..],
        [Order::CallBack {
            call: CallId(1),
            agent: ANNA,
            ..
        }]
    ));
    b.handle_callback_reached(125_000, CallId(1), ANNA);
    assert!(matches!(
        b.agent(ANNA).unwrap().state,
        AgentState::OnCall { .. }
    ));
    assert!(events(&mut b).contains(&EventKind::CallbackDone {
        call: CallId(1),
        agent: ANNA
    }));
    assert!(b.board(LINE).waiting.is_empty());
}

#[test]
fn a_callback_waits_until_the_caller_hung_up_and_is_not_offered_to_who_cannot_be_called() {
    let mut b = Switchboard::default();
    let mut settings = QueueSettings::new(Strategy::LongestIdle);
    settings.callback_after_ms = Some(10_000);
    settings.position_every_ms = None;
    let q = QueueSetup::new(Q, LINE, settings).with_members(&[(ANNA, 1)]);
    b.configure(0, vec![HotlineSetup::always_open(LINE, Q)], vec![q]);
    b.handle_arrived(0, CallId(1), LINE, None);
    b.handle_arrived(0, CallId(2), LINE, None);
    b.no_callback(CallId(2));
    for call in [CallId(1), CallId(2)] {
        b.handle_played(4_000, call); // the welcome
        b.handle_played(6_000, call); // the position
    }
    orders(&mut b);
    b.handle_timeout(10_000);
    let heard: Vec<(CallId, Clip)> = orders(&mut b)
        .into_iter()
        .filter_map(|o| match o {
            Order::Play { call, clip, .. } => Some((call, clip)),
            _ => None,
        })
        .collect();
    assert_eq!(
        heard,
        [(CallId(1), Clip::CallbackOffer)],
        "a caller without a number hears no offer"
    );
    b.handle_digit(11_000, CallId(2), '1');
    assert!(orders(&mut b).is_empty(), "and their key asks for nothing");
    b.handle_digit(11_000, CallId(1), '1');
    orders(&mut b);
    // Anna is free while the caller still hears the confirmation: not called back yet.
    b.log_in(12_000, ANNA, None).unwrap();
    let out = orders(&mut b);
    assert_eq!(
        offered(&out),
        [(CallId(2), ANNA)],
        "the other caller first: {out:?}"
    );
    assert!(!out.iter().any(|o| matches!(o, Order::CallBack { .. })));
}

#[test]
fn queues_that_overflow_into_each_other_end_with_the_message_not_a_loop() {
    let mut b = Switchboard::default();
    let mut settings = QueueSettings::new(Strategy::RingAll);
    settings.max_length = Some(1);
    let mut first = QueueSetup::new(Q, LINE, settings.clone());
    first.overflow = Overflow::Queue(Q2);
    let mut second = QueueSetup::new(Q2, LINE, settings);
    second.overflow = Overflow::Queue(Q);
    b.configure(
        0,
        vec![HotlineSetup::always_open(LINE, Q)],
        vec![first, second],
    );
    b.handle_arrived(0, CallId(1), LINE, None);
    b.handle_arrived(0, CallId(2), LINE, None);
    orders(&mut b);
    b.handle_arrived(0, CallId(3), LINE, None);
    assert_eq!(clips(&orders(&mut b)), [Clip::Overflow]);
    b.handle_played(5_000, CallId(3));
    assert_eq!(orders(&mut b), [Order::SendAway { call: CallId(3) }]);
}

#[test]
fn a_removed_queues_callers_hear_the_overflow_and_its_ringing_agents_are_free() {
    let mut b = board(Strategy::RingAll);
    b.log_in(0, ANNA, None).unwrap();
    b.handle_arrived(1_000, CallId(7), LINE, None);
    orders(&mut b);
    events(&mut b);
    // The administration removes the queue (the hotline gets another one).
    let other = QueueSetup::new(Q2, LINE, QueueSettings::new(Strategy::RingAll));
    b.configure(
        2_000,
        vec![HotlineSetup::always_open(LINE, Q2)],
        vec![other],
    );
    let out = orders(&mut b);
    assert!(
        out.contains(&Order::Withdraw {
            call: CallId(7),
            agent: ANNA
        }),
        "{out:?}"
    );
    assert_eq!(clips(&out), [Clip::Overflow]);
    assert_eq!(
        events(&mut b),
        [EventKind::Overflowed {
            call: CallId(7),
            waited_ms: 1_000
        }]
    );
    assert!(matches!(
        b.agent(ANNA).unwrap().state,
        AgentState::Ready { .. }
    ));
    b.handle_played(6_000, CallId(7));
    assert_eq!(orders(&mut b), [Order::SendAway { call: CallId(7) }]);
}

#[test]
fn an_agent_who_answers_a_caller_who_just_asked_for_a_callback_takes_the_call() {
    let mut b = Switchboard::default();
    let mut settings = QueueSettings::new(Strategy::LongestIdle);
    settings.callback_after_ms = Some(0);
    settings.position_every_ms = None;
    let q = QueueSetup::new(Q, LINE, settings).with_members(&[(ANNA, 1)]);
    b.configure(0, vec![HotlineSetup::always_open(LINE, Q)], vec![q]);
    b.log_in(0, ANNA, None).unwrap();
    b.handle_arrived(0, CallId(1), LINE, None);
    b.handle_timeout(0);
    orders(&mut b);
    b.handle_digit(1_000, CallId(1), '1');
    // Her answer crossed the key: she talks to the caller; no callback remains.
    b.handle_answered(1_001, CallId(1), ANNA);
    assert!(matches!(
        b.agent(ANNA).unwrap().state,
        AgentState::OnCall { .. }
    ));
    assert!(b.board(LINE).waiting.is_empty());
}

#[test]
fn a_queue_overflows_to_a_person_who_takes_the_call_or_else_the_message_plays() {
    const DORA: i64 = 9;
    let mut b = Switchboard::default();
    let mut settings = QueueSettings::new(Strategy::RingAll);
    settings.max_length = Some(1);
    let mut q = QueueSetup::new(Q, LINE, settings);
    q.overflow = Overflow::Person(DORA);
    b.configure(0, vec![HotlineSetup::always_open(LINE, Q)], vec![q]);
    b.handle_arrived(0, CallId(1), LINE, None);
    b.handle_arrived(0, CallId(2), LINE, None);
    let out = orders(&mut b);
    // Dora is rung at least 30 s (her own forwarding may need the time).
    assert!(
        out.contains(&Order::Forward {
            call: CallId(2),
            person: DORA,
            until: 32_000
        }),
        "{out:?}"
    );
    assert!(events(&mut b).contains(&EventKind::Overflowed {
        call: CallId(2),
        waited_ms: 0
    }));
    let waiting: Vec<CallId> = b.board(LINE).waiting.iter().map(|w| w.call).collect();
    assert_eq!(waiting, [CallId(1)], "the forwarded caller waits no more");
    // Whatever played ends: music until Dora answers.
    b.handle_played(4_000, CallId(2));
    assert_eq!(clips(&orders(&mut b)), [Clip::HoldMusic(LINE)]);
    b.handle_answered(6_000, CallId(2), DORA);
    b.handle_ended(60_000, CallId(2), DORA);
    assert!(events(&mut b).is_empty(), "the outcome was the overflow");
    assert!(orders(&mut b).is_empty());

    // Dora does not answer the next: the overflow message, then the end.
    b.handle_arrived(61_000, CallId(3), LINE, None);
    orders(&mut b);
    b.handle_offer_ended(95_000, CallId(3), DORA);
    assert_eq!(clips(&orders(&mut b)), [Clip::Overflow]);
    b.handle_played(98_000, CallId(3));
    assert_eq!(orders(&mut b), [Order::SendAway { call: CallId(3) }]);
    b.handle_left(98_100, CallId(3));

    // A caller who hangs up while Dora rings is no abandon either.
    b.handle_arrived(99_000, CallId(4), LINE, None);
    events(&mut b);
    b.handle_left(100_000, CallId(4));
    assert!(events(&mut b).is_empty());
}

#[test]
fn a_queue_overflows_to_the_hotlines_voicemail_and_the_caller_is_no_abandon() {
    let mut b = Switchboard::default();
    let mut settings = QueueSettings::new(Strategy::RingAll);
    settings.max_length = Some(1);
    let mut q = QueueSetup::new(Q, LINE, settings);
    q.overflow = Overflow::Voicemail;
    b.configure(0, vec![HotlineSetup::always_open(LINE, Q)], vec![q]);
    b.handle_arrived(0, CallId(1), LINE, None);
    b.handle_arrived(0, CallId(2), LINE, None);
    let out = orders(&mut b);
    assert!(
        out.contains(&Order::Voicemail {
            call: CallId(2),
            hotline: LINE
        }),
        "{out:?}"
    );
    assert!(
        !clips(&out).contains(&Clip::Overflow),
        "no overflow message: the box greets"
    );
    assert!(events(&mut b).contains(&EventKind::Overflowed {
        call: CallId(2),
        waited_ms: 0
    }));
    let waiting: Vec<CallId> = b.board(LINE).waiting.iter().map(|w| w.call).collect();
    assert_eq!(waiting, [CallId(1)]);
    // The box plays now; keys and played prompts are the voicemail's, not the queue's.
    b.handle_digit(1_000, CallId(2), '1');
    b.handle_played(2_000, CallId(2));
    assert!(orders(&mut b).is_empty());
    // The message is left, the call ends: the outcome stays the overflow.
    b.handle_left(30_000, CallId(2));
    assert!(events(&mut b).is_empty());
}

#[test]
fn a_callback_promised_before_a_restart_keeps_its_place_and_is_called_back() {
    let mut b = board(Strategy::LongestIdle);
    // After the restart a caller waits already; the promise entered earlier.
    b.handle_arrived(100_000, CallId(7), LINE, None);
    assert!(b.restore_callback(100_001, CallId(3), Q, 40_000));
    assert!(
        !b.restore_callback(100_001, CallId(4), QueueId(99), 40_000),
        "no such queue"
    );
    let waiting: Vec<(CallId, bool)> = b
        .board(LINE)
        .waiting
        .iter()
        .map(|w| (w.call, w.callback))
        .collect();
    assert_eq!(
        waiting,
        [(CallId(3), true), (CallId(7), false)],
        "by when they entered"
    );
    assert!(
        events(&mut b).iter().all(|e| e.call() != Some(CallId(3))),
        "no new events"
    );
    orders(&mut b);
    b.log_in(101_000, ANNA, None).unwrap();
    let out = orders(&mut b);
    assert!(
        matches!(
            out[..],
            [Order::CallBack {
                call: CallId(3),
                agent: ANNA,
                ..
            }]
        ),
        "the promise first: {out:?}"
    );
}
