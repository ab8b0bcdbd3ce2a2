//! The queue on small hand-made days.

use super::*;

const Q: QueueId = QueueId(1);

fn agent(id: i64, idle_since_ms: i64) -> Candidate {
    Candidate {
        agent: id,
        level: 1,
        idle_since_ms,
        calls_today: 0,
    }
}

fn actions(q: &mut Queue) -> Vec<Action> {
    std::iter::from_fn(|| q.poll_action()).collect()
}

fn events(q: &mut Queue) -> Vec<EventKind> {
    std::iter::from_fn(|| q.poll_event())
        .map(|e| e.kind)
        .collect()
}

fn play(call: i64, prompt: Prompt) -> Action {
    Action::Play {
        call: CallId(call),
        prompt,
    }
}

#[test]
fn callers_hear_welcome_and_position_and_are_offered_in_order() {
    let mut q = Queue::new(Q, QueueSettings::new(Strategy::LongestIdle));
    q.handle_entered(0, CallId(1));
    q.handle_entered(1_000, CallId(2));
    let position = |n| Prompt::Position {
        position: n,
        estimated_wait_ms: None,
    };
    assert_eq!(
        actions(&mut q),
        [
            play(1, Prompt::Welcome),
            play(1, position(1)),
            play(2, Prompt::Welcome),
            play(2, position(2)),
        ]
    );
    // Two agents free: the first in line goes to the one free longest.
    let offer = q
        .next_offer(2_000, &[agent(7, 500), agent(8, 100)])
        .unwrap();
    assert_eq!((offer.call, offer.agents), (CallId(1), vec![8]));
    let offer = q.next_offer(2_000, &[agent(7, 500)]).unwrap();
    assert_eq!((offer.call, offer.agents), (CallId(2), vec![7]));
    assert!(
        q.next_offer(2_000, &[agent(9, 0)]).is_none(),
        "both are rung"
    );
    q.handle_answered(6_000, CallId(1), 8);
    assert!(actions(&mut q).contains(&Action::Connect {
        call: CallId(1),
        agent: 8
    }));
    assert_eq!(
        events(&mut q),
        [
            EventKind::Entered {
                call: CallId(1),
                position: 1
            },
            EventKind::Entered {
                call: CallId(2),
                position: 2
            },
            EventKind::Offered {
                call: CallId(1),
                agent: 8
            },
            EventKind::Offered {
                call: CallId(2),
                agent: 7
            },
            EventKind::Answered {
                call: CallId(1),
                agent: 8,
                waited_ms: 6_000
            },
        ]
    );
    assert_eq!(q.len(), 1);
}

#[test]
fn an_offer_that_rings_out_goes_to_the_next_agent() {
    let mut settings = QueueSettings::new(Strategy::RoundRobin);
    settings.ring_ms = 15_000;
    settings.position_every_ms = None;
    let mut q = Queue::new(Q, settings);
    q.handle_entered(0, CallId(1));
    let team = [agent(7, 0), agent(8, 0)];
    assert_eq!(q.next_offer(0, &team).unwrap().agents, [7]);
    assert_eq!(q.poll_timeout(), Some(15_000));
    actions(&mut q);
    q.handle_timeout(15_000);
    assert_eq!(
        actions(&mut q),
        [Action::StopRinging {
            call: CallId(1),
            agents: vec![7]
        }]
    );
    assert_eq!(
        q.next_offer(15_000, &team).unwrap().agents,
        [8],
        "round robin"
    );
}

#[test]
fn ring_all_stops_the_others_when_one_answers() {
    let mut q = Queue::new(Q, QueueSettings::new(Strategy::RingAll));
    q.handle_entered(0, CallId(1));
    q.next_offer(0, &[agent(7, 0), agent(8, 0), agent(9, 0)]);
    actions(&mut q);
    q.handle_answered(3_000, CallId(1), 8);
    assert_eq!(
        actions(&mut q),
        [
            Action::StopRinging {
                call: CallId(1),
                agents: vec![7, 9]
            },
            Action::Connect {
                call: CallId(1),
                agent: 8
            },
        ]
    );
}

#[test]
fn a_full_line_and_a_long_wait_overflow() {
    let mut settings = QueueSettings::new(Strategy::LongestIdle);
    settings.max_length = Some(2);
    settings.max_wait_ms = Some(120_000);
    settings.position_every_ms = None;
    let mut q = Queue::new(Q, settings);
    for call in 1..=3 {
        q.handle_entered(call * 1_000, CallId(call));
    }
    assert!(actions(&mut q).contains(&Action::Overflow {
        call: CallId(3),
        reason: OverflowReason::QueueFull
    }));
    assert_eq!(q.len(), 2);
    assert_eq!(q.poll_timeout(), Some(121_000));
    q.handle_timeout(121_000);
    assert_eq!(
        actions(&mut q),
        [Action::Overflow {
            call: CallId(1),
            reason: OverflowReason::WaitedTooLong
        }]
    );
    let logged = events(&mut q);
    assert!(logged.contains(&EventKind::Overflowed {
        call: CallId(3),
        waited_ms: 0
    }));
    assert!(logged.contains(&EventKind::Overflowed {
        call: CallId(1),
        waited_ms: 120_000
    }));
}

#[test]
fn announcements_come_at_their_intervals() {
    let mut settings = QueueSettings::new(Strategy::LongestIdle);
    settings.position_every_ms = Some(30_000);
    settings.periodic_every_ms = Some(45_000);
    let mut q = Queue::new(Q, settings);
    q.handle_entered(0, CallId(1));
    actions(&mut q);
    let mut heard = Vec::new();
    while let Some(at) = q.poll_timeout().filter(|at| *at <= 100_000) {
        q.handle_timeout(at);
        heard.extend(actions(&mut q).into_iter().map(|a| (at, a)));
    }
    let position = Prompt::Position {
        position: 1,
        estimated_wait_ms: None,
    };
    assert_eq!(
        heard,
        [
            (30_000, play(1, position)),
            (45_000, play(1, Prompt::Periodic)),
            (60_000, play(1, position)),
            (90_000, play(1, position)),
            (90_000, play(1, Prompt::Periodic)),
        ]
    );
}

#[test]
fn a_callback_keeps_the_place_and_is_not_an_abandon() {
    let mut settings = QueueSettings::new(Strategy::LongestIdle);
    settings.callback_after_ms = Some(60_000);
    settings.position_every_ms = None;
    let mut q = Queue::new(Q, settings);
    q.handle_entered(0, CallId(1));
    q.handle_digit(10_000, CallId(1), '1');
    assert_eq!(q.len(), 1, "a key before the offer does nothing");
    q.handle_entered(30_000, CallId(2));
    actions(&mut q);
    q.handle_timeout(60_000);
    assert_eq!(actions(&mut q), [play(1, Prompt::CallbackOffer)]);
    q.handle_digit(61_000, CallId(1), '1');
    q.handle_hangup(62_000, CallId(1));
    assert_eq!(actions(&mut q), [play(1, Prompt::CallbackConfirmed)]);
    assert_eq!(q.len(), 2, "still in line");
    // The first free agent calls caller 1 back before caller 2 is offered.
    let offer = q.next_offer(70_000, &[agent(7, 0)]).unwrap();
    assert_eq!(offer.call, CallId(1));
    assert_eq!(
        actions(&mut q),
        [Action::CallBack {
            call: CallId(1),
            agent: 7
        }]
    );
    // Not reached: the place stays and is tried again.
    q.handle_callback_failed(70_500, CallId(1));
    assert_eq!(
        q.next_offer(80_000, &[agent(8, 0)]).unwrap().call,
        CallId(2),
        "the failed callback waits; caller 2 is next"
    );
    q.handle_answered(81_000, CallId(2), 8);
    assert_eq!(q.next_offer(100_000, &[agent(8, 0)]), None, "not yet");
    q.handle_timeout(70_500 + CALLBACK_RETRY_MS);
    assert_eq!(
        q.next_offer(131_000, &[agent(8, 0)]).unwrap().call,
        CallId(1)
    );
    q.handle_callback_done(140_000, CallId(1), 8);
    let logged = events(&mut q);
    assert!(logged.contains(&EventKind::CallbackRequested {
        call: CallId(1),
        waited_ms: 61_000
    }));
    assert!(logged.contains(&EventKind::CallbackDone {
        call: CallId(1),
        agent: 8
    }));
    assert!(!logged
        .iter()
        .any(|e| matches!(e, EventKind::Abandoned { .. })));
    assert!(q.is_empty());
}

#[test]
fn an_abandon_is_logged_with_wait_and_position_and_stops_the_ringing() {
    let mut q = Queue::new(Q, QueueSettings::new(Strategy::LongestIdle));
    q.handle_entered(0, CallId(1));
    q.handle_entered(0, CallId(2));
    q.next_offer(1_000, &[agent(7, 0)]);
    q.next_offer(1_000, &[agent(8, 0)]);
    actions(&mut q);
    q.handle_hangup(12_000, CallId(2));
    assert_eq!(
        actions(&mut q),
        [Action::StopRinging {
            call: CallId(2),
            agents: vec![8]
        }]
    );
    assert!(events(&mut q).contains(&EventKind::Abandoned {
        call: CallId(2),
        waited_ms: 12_000,
        position: 2
    }));
}

#[test]
fn the_estimate_is_the_position_times_the_time_between_answers() {
    let mut q = Queue::new(Q, QueueSettings::new(Strategy::LongestIdle));
    assert_eq!(q.estimated_wait(3), None, "no answers yet");
    for (call, at) in [(1, 60_000), (2, 90_000), (3, 120_000)] {
        q.handle_entered(0, CallId(call));
        q.next_offer(0, &[agent(7, 0)]);
        q.handle_answered(at, CallId(call), 7);
    }
    // Answers every 30 s: third in line waits about 90 s.
    assert_eq!(q.estimated_wait(3), Some(90_000));
    q.handle_entered(120_000, CallId(4));
    let heard = actions(&mut q);
    assert!(heard.contains(&play(
        4,
        Prompt::Position {
            position: 1,
            estimated_wait_ms: Some(30_000)
        }
    )));
}

#[test]
fn skills_widen_while_the_caller_waits() {
    let mut settings = QueueSettings::new(Strategy::Skills {
        widen_after_ms: 30_000,
    });
    settings.position_every_ms = None;
    let mut q = Queue::new(Q, settings);
    q.handle_entered(0, CallId(1));
    let generalist = Candidate {
        level: 2,
        ..agent(9, 0)
    };
    assert!(
        q.next_offer(10_000, &[generalist]).is_none(),
        "experts first"
    );
    assert_eq!(q.next_offer(30_000, &[generalist]).unwrap().agents, [9]);
}

#[test]
fn the_queues_own_log_gives_the_wallboard_figures() {
    // Four callers: 1 answered after 10 s, 2 after 30 s, 3 hangs up after 3 s (a short
    // abandon), 4 hangs up after 40 s. By hand: offered 4, answered 2, in 20 s 1:
    // service level 1/2, SL2 1/3 (the short abandon left out), ASA 20 s, abandon rate
    // 1/3 (1 of the 3 that are not short abandons).
    let mut q = Queue::new(Q, QueueSettings::new(Strategy::LongestIdle));
    for call in 1..=4 {
        q.handle_entered(0, CallId(call));
    }
    q.next_offer(0, &[agent(7, 0)]);
    q.handle_answered(10_000, CallId(1), 7);
    q.handle_hangup(3_000, CallId(3));
    q.next_offer(10_000, &[agent(8, 0)]);
    q.handle_answered(30_000, CallId(2), 8);
    q.handle_hangup(40_000, CallId(4));
    let log: Vec<QueueEvent> = std::iter::from_fn(|| q.poll_event()).collect();
    let f = crate::figures(&log, None, 0, 3_600_000, crate::Thresholds::default());
    assert_eq!(
        (f.offered, f.answered, f.abandoned, f.short_abandons),
        (4, 2, 2, 1)
    );
    assert_eq!(f.service_level, Some(0.5));
    assert_eq!(f.sl2, Some(1.0 / 3.0));
    assert_eq!(f.asa_ms, Some(20_000));
    assert_eq!(f.abandon_rate, Some(1.0 / 3.0));
    assert_eq!(f.waiting, 0);
}
