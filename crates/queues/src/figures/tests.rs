//! The figures against a scenario computed by hand, and the edge cases.

use super::*;

/// 2024-06-10 08:00:00 UTC, a multiple of 15 minutes.
const EIGHT: i64 = 1_717_977_600_000 + 8 * 3_600_000;
/// 08:30:00, the end of the scenario's period.
const HALF_PAST: i64 = EIGHT + 30 * 60_000;
const Q1: QueueId = QueueId(1);
const Q2: QueueId = QueueId(2);

/// `mm:ss` after 08:00 (negative: before) in Unix milliseconds.
fn t(min: i64, sec: i64) -> i64 {
    EIGHT + min * 60_000 + sec * 1_000
}

fn ev(at_ms: i64, queue: QueueId, kind: EventKind) -> QueueEvent {
    QueueEvent { at_ms, queue, kind }
}

fn entered(at_ms: i64, queue: QueueId, call: i64) -> QueueEvent {
    let kind = EventKind::Entered {
        call: CallId(call),
        position: 1,
    };
    ev(at_ms, queue, kind)
}

/// The call entered at `at_ms` and was answered after `wait_s`.
fn answered(at_ms: i64, queue: QueueId, call: i64, wait_s: i64) -> Vec<QueueEvent> {
    let call = CallId(call);
    vec![
        entered(at_ms, queue, call.0),
        ev(at_ms + 500, queue, EventKind::Offered { call, agent: 7 }),
        ev(
            at_ms + wait_s * 1_000,
            queue,
            EventKind::Answered {
                call,
                agent: 7,
                waited_ms: wait_s * 1_000,
            },
        ),
    ]
}

fn abandoned(at_ms: i64, queue: QueueId, call: i64, wait_s: i64) -> Vec<QueueEvent> {
    let kind = EventKind::Abandoned {
        call: CallId(call),
        waited_ms: wait_s * 1_000,
        position: 2,
    };
    vec![
        entered(at_ms, queue, call),
        ev(at_ms + wait_s * 1_000, queue, kind),
    ]
}

fn overflowed(at_ms: i64, queue: QueueId, call: i64, wait_s: i64) -> Vec<QueueEvent> {
    let kind = EventKind::Overflowed {
        call: CallId(call),
        waited_ms: wait_s * 1_000,
    };
    vec![
        entered(at_ms, queue, call),
        ev(at_ms + wait_s * 1_000, queue, kind),
    ]
}

/// Entered, asked for a callback after `wait_s`, and was called back at `done_ms`.
fn callback(at_ms: i64, call: i64, wait_s: i64, done_ms: Option<i64>) -> Vec<QueueEvent> {
    let call = CallId(call);
    let kind = EventKind::CallbackRequested {
        call,
        waited_ms: wait_s * 1_000,
    };
    let mut events = vec![
        entered(at_ms, Q1, call.0),
        ev(at_ms + wait_s * 1_000, Q1, kind),
    ];
    if let Some(done) = done_ms {
        events.push(ev(done, Q1, EventKind::CallbackDone { call, agent: 8 }));
    }
    events
}

/// The scenario, period [08:00:00, 08:30:00), thresholds 20 s and 5 s:
///
/// | call | queue | entered  | then                                    | counts as            |
/// |------|-------|----------|-----------------------------------------|----------------------|
/// | 1    | 1     | 08:01:00 | answered after 10 s                     | answered, in 20 s    |
/// | 2    | 1     | 08:02:00 | answered after 20 s                     | answered, in 20 s    |
/// | 3    | 1     | 08:03:00 | answered after 21 s                     | answered             |
/// | 4    | 1     | 08:05:00 | answered after 45 s                     | answered             |
/// | 5    | 1     | 08:16:00 | answered after 5 s                      | answered, in 20 s    |
/// | 6    | 1     | 08:17:00 | answered after 31 s                     | answered             |
/// | 7    | 1     | 08:06:00 | abandoned after 3 s                     | abandoned, short     |
/// | 8    | 1     | 08:18:00 | abandoned after 40 s                    | abandoned            |
/// | 9    | 1     | 08:07:00 | callback asked at 60 s, done 08:12:00   | callback done        |
/// | 15   | 1     | 08:20:00 | callback asked at 120 s, done 08:31:00  | callback pending     |
/// | 10   | 1     | 08:19:00 | overflowed after 120 s (into queue 2)   | overflowed           |
/// | 11   | 1     | 08:27:00 | nothing yet                             | waiting, 180 s       |
/// | 13   | 1     | 08:29:00 | answered after 65 s, at 08:30:05        | waiting, 60 s        |
/// | 12   | 1     | 07:59:50 | answered after 25 s, at 08:00:15        | not in the period    |
/// | 16   | 1     | 08:30:00 | nothing                                 | not in the period    |
/// | 14   | 2     | 08:10:00 | nothing yet                             | waiting, 1,200 s     |
/// | 10   | 2     | 08:21:00 | answered after 10 s (same call id)      | answered, in 20 s    |
///
/// Queue 1 alone:
/// - offered 13 (1–11, 13, 15); answered 6 (1–6), 3 of them within 20 s (1, 2, 5);
///   abandoned 2, 1 short (7); overflowed 1; callbacks requested 2, done 1, pending 1;
///   handled 6 + 1 = 7; waiting 2 (11, 13), the longest 180 s (11).
///   Check: 6 + 2 + 1 + 2 + 2 = 13.
/// - service level 3 / 6 = 0.5; SL2 3 / (6 + 2 − 1) = 3/7;
///   ASA (10 + 20 + 21 + 45 + 5 + 31) / 6 = 132 / 6 = 22 s;
///   abandon rate (2 − 1) / (13 − 1) = 1/12.
/// - slot 08:00: calls 1, 2, 3, 4, 7, 9: offered 6, answered 4, abandoned 1,
///   mean wait (10 + 20 + 21 + 45) / 4 = 24 s.
///   slot 08:15: calls 5, 6, 8, 10, 11, 13, 15: offered 7, answered 2, abandoned 1,
///   mean wait (5 + 31) / 2 = 18 s.
///
/// Queue 2 alone: offered 2 (14, 10), answered 1 within 20 s, waiting 1 for 1,200 s;
/// service level 1/1, SL2 1/1, ASA 10 s, abandon rate 0 / 2 = 0; slot 08:00 has call 14,
/// slot 08:15 has call 10 (mean wait 10 s).
///
/// Both queues: offered 15, answered 7, 4 within 20 s, abandoned 2, 1 short, overflowed 1,
/// callbacks 2 / 1 / 1, handled 8, waiting 3, the longest 1,200 s;
/// service level 4/7, SL2 4 / (7 + 1) = 0.5, ASA (132 + 10) / 7 = 20,285.7 ms → 20,286,
/// abandon rate 1 / 14.
fn scenario() -> Vec<QueueEvent> {
    let mut events = [
        answered(t(1, 0), Q1, 1, 10),
        answered(t(2, 0), Q1, 2, 20),
        answered(t(3, 0), Q1, 3, 21),
        answered(t(5, 0), Q1, 4, 45),
        answered(t(16, 0), Q1, 5, 5),
        answered(t(17, 0), Q1, 6, 31),
        abandoned(t(6, 0), Q1, 7, 3),
        abandoned(t(18, 0), Q1, 8, 40),
        callback(t(7, 0), 9, 60, Some(t(12, 0))),
        callback(t(20, 0), 15, 120, Some(t(31, 0))),
        overflowed(t(19, 0), Q1, 10, 120),
        vec![entered(t(27, 0), Q1, 11)],
        answered(t(29, 0), Q1, 13, 65),
        answered(t(0, -10), Q1, 12, 25),
        vec![entered(t(30, 0), Q1, 16)],
        vec![entered(t(10, 0), Q2, 14)],
        answered(t(21, 0), Q2, 10, 10),
        vec![
            ev(t(0, -30), Q1, EventKind::AgentLogin { agent: 7 }),
            ev(
                t(14, 0),
                Q1,
                EventKind::AgentPaused {
                    agent: 7,
                    reason: "Pause".into(),
                },
            ),
        ],
    ]
    .concat();
    // The log's order must not matter.
    events.reverse();
    events
}

fn scenario_figures(queues: Option<&[QueueId]>) -> Figures {
    figures(&scenario(), queues, EIGHT, HALF_PAST, Thresholds::default())
}

fn slot(start_ms: i64, counts: [u64; 3], mean_wait_ms: Option<i64>) -> Slot {
    let [offered, answered, abandoned] = counts;
    Slot {
        start_ms,
        offered,
        answered,
        abandoned,
        mean_wait_ms,
    }
}

#[test]
fn the_scenario_of_queue_1_gives_the_figures_computed_by_hand() {
    let expected = Figures {
        offered: 13,
        answered: 6,
        answered_in_threshold: 3,
        abandoned: 2,
        short_abandons: 1,
        overflowed: 1,
        callbacks_requested: 2,
        callbacks_done: 1,
        callbacks_pending: 1,
        handled: 7,
        waiting: 2,
        longest_wait_ms: Some(180_000),
        service_level: Some(0.5),
        sl2: Some(3.0 / 7.0),
        asa_ms: Some(22_000),
        abandon_rate: Some(1.0 / 12.0),
        slots: vec![
            slot(t(0, 0), [6, 4, 1], Some(24_000)),
            slot(t(15, 0), [7, 2, 1], Some(18_000)),
        ],
    };
    assert_eq!(scenario_figures(Some(&[Q1])), expected);
}

#[test]
fn the_scenario_of_queue_2_counts_the_overflowed_call_again() {
    let f = scenario_figures(Some(&[Q2]));
    assert_eq!((f.offered, f.answered, f.answered_in_threshold), (2, 1, 1));
    assert_eq!(
        (f.abandoned, f.overflowed, f.callbacks_requested),
        (0, 0, 0)
    );
    assert_eq!((f.waiting, f.longest_wait_ms), (1, Some(1_200_000)));
    assert_eq!((f.service_level, f.sl2), (Some(1.0), Some(1.0)));
    assert_eq!((f.asa_ms, f.abandon_rate), (Some(10_000), Some(0.0)));
    let slots = vec![
        slot(t(0, 0), [1, 0, 0], None),
        slot(t(15, 0), [1, 1, 0], Some(10_000)),
    ];
    assert_eq!(f.slots, slots);
}

#[test]
fn the_scenario_of_all_queues_adds_both() {
    let f = scenario_figures(None);
    assert_eq!((f.offered, f.answered, f.answered_in_threshold), (15, 7, 4));
    assert_eq!((f.abandoned, f.short_abandons, f.overflowed), (2, 1, 1));
    let callbacks = (f.callbacks_requested, f.callbacks_done, f.callbacks_pending);
    assert_eq!((callbacks, f.handled), ((2, 1, 1), 8));
    assert_eq!((f.waiting, f.longest_wait_ms), (3, Some(1_200_000)));
    assert_eq!((f.service_level, f.sl2), (Some(4.0 / 7.0), Some(0.5)));
    assert_eq!((f.asa_ms, f.abandon_rate), (Some(20_286), Some(1.0 / 14.0)));
    let slots = vec![
        slot(t(0, 0), [7, 4, 1], Some(24_000)),
        slot(t(15, 0), [8, 3, 1], Some(15_333)),
    ];
    assert_eq!(f.slots, slots);
    // Naming both queues is the same as naming none.
    assert_eq!(scenario_figures(Some(&[Q2, Q1])), f);
}

#[test]
fn a_queue_without_events_has_only_empty_figures() {
    let f = scenario_figures(Some(&[QueueId(3)]));
    let mut expected = Figures::empty();
    expected.slots = vec![slot(t(0, 0), [0; 3], None), slot(t(15, 0), [0; 3], None)];
    assert_eq!(f, expected);
    assert_eq!(scenario_figures(Some(&[])), expected);
}

#[test]
fn an_empty_log_has_zero_counts_no_ratios_and_empty_slots() {
    let f = figures(&[], None, EIGHT, HALF_PAST, Thresholds::default());
    assert_eq!((f.offered, f.handled, f.waiting), (0, 0, 0));
    assert_eq!((f.service_level, f.sl2, f.abandon_rate), (None, None, None));
    assert_eq!((f.asa_ms, f.longest_wait_ms), (None, None));
    assert_eq!(f.slots.len(), 2);
}

#[test]
fn an_empty_or_reversed_period_has_no_calls_and_no_slots() {
    let events = scenario();
    for (from, to) in [(EIGHT, EIGHT), (HALF_PAST, EIGHT)] {
        let f = figures(&events, None, from, to, Thresholds::default());
        assert_eq!(f, Figures::empty());
    }
}

#[test]
fn without_answers_the_service_level_and_asa_are_none_but_sl2_counts_the_abandon() {
    let events = [abandoned(t(1, 0), Q1, 1, 30), abandoned(t(2, 0), Q1, 2, 4)].concat();
    let f = figures(&events, None, EIGHT, HALF_PAST, Thresholds::default());
    assert_eq!((f.answered, f.abandoned, f.short_abandons), (0, 2, 1));
    assert_eq!((f.service_level, f.asa_ms), (None, None));
    // 0 answered in 20 s of 1 caller who waited over 5 s; 1 long abandon of 2 − 1 calls.
    assert_eq!((f.sl2, f.abandon_rate), (Some(0.0), Some(1.0)));
}

#[test]
fn only_short_abandons_give_no_sl2_and_no_abandon_rate() {
    let events = abandoned(t(1, 0), Q1, 1, 4);
    let f = figures(&events, None, EIGHT, HALF_PAST, Thresholds::default());
    assert_eq!((f.offered, f.abandoned, f.short_abandons), (1, 1, 1));
    assert_eq!((f.sl2, f.abandon_rate), (None, None));
}

#[test]
fn the_thresholds_are_at_most_for_answers_and_less_than_for_short_abandons() {
    let events = [answered(t(1, 0), Q1, 1, 8), abandoned(t(2, 0), Q1, 2, 8)].concat();
    let exact = Thresholds {
        threshold_ms: 8_000,
        short_abandon_ms: 8_000,
    };
    let f = figures(&events, None, EIGHT, HALF_PAST, exact);
    assert_eq!((f.answered_in_threshold, f.short_abandons), (1, 0));
    let tighter = Thresholds {
        threshold_ms: 7_999,
        short_abandon_ms: 8_001,
    };
    let f = figures(&events, None, EIGHT, HALF_PAST, tighter);
    assert_eq!((f.answered_in_threshold, f.short_abandons), (0, 1));
}

#[test]
fn events_at_or_after_the_end_are_not_yet_seen() {
    let events = answered(t(10, 0), Q1, 1, 30);
    let before_answer = figures(&events, None, EIGHT, t(10, 30), Thresholds::default());
    assert_eq!((before_answer.answered, before_answer.waiting), (0, 1));
    assert_eq!(before_answer.longest_wait_ms, Some(30_000));
    let after_answer = figures(&events, None, EIGHT, t(10, 31), Thresholds::default());
    assert_eq!((after_answer.answered, after_answer.waiting), (1, 0));
}

#[test]
fn a_call_belongs_to_the_period_it_entered_in() {
    let events = answered(t(14, 50), Q1, 1, 30);
    let first = figures(&events, None, EIGHT, t(15, 0), Thresholds::default());
    let second = figures(&events, None, t(15, 0), HALF_PAST, Thresholds::default());
    assert_eq!((first.offered, first.waiting), (1, 1));
    assert_eq!((second.offered, second.answered), (0, 0));
    // Entering exactly at the start counts; exactly at the end does not.
    let at_start = figures(&events, None, t(14, 50), HALF_PAST, Thresholds::default());
    let at_end = figures(&events, None, EIGHT, t(14, 50), Thresholds::default());
    assert_eq!((at_start.offered, at_end.offered), (1, 0));
}

#[test]
fn the_first_outcome_counts_and_stray_events_are_ignored() {
    let call = CallId(1);
    let mut events = answered(t(1, 0), Q1, 1, 10);
    events.extend([
        // Written twice, or a later contradiction: the answer stands.
        ev(
            t(2, 0),
            Q1,
            EventKind::Abandoned {
                call,
                waited_ms: 60_000,
                position: 1,
            },
        ),
        ev(
            t(2, 0),
            Q1,
            EventKind::Answered {
                call,
                agent: 9,
                waited_ms: 60_000,
            },
        ),
        // A callback done that was never asked for.
        ev(t(3, 0), Q1, EventKind::CallbackDone { call, agent: 9 }),
        // A call that never entered.
        ev(
            t(4, 0),
            Q1,
            EventKind::Answered {
                call: CallId(2),
                agent: 9,
                waited_ms: 1,
            },
        ),
        // A second Entered does not restart the call.
        entered(t(5, 0), Q1, 1),
    ]);
    let f = figures(&events, None, EIGHT, HALF_PAST, Thresholds::default());
    assert_eq!((f.offered, f.answered, f.abandoned), (1, 1, 0));
    assert_eq!((f.callbacks_done, f.asa_ms), (0, Some(10_000)));
}

#[test]
fn at_the_same_millisecond_entering_goes_first_whatever_the_order_in_the_log() {
    let call = CallId(1);
    let events = [
        ev(t(1, 0), Q1, EventKind::CallbackDone { call, agent: 7 }),
        ev(
            t(1, 0),
            Q1,
            EventKind::CallbackRequested { call, waited_ms: 0 },
        ),
        entered(t(1, 0), Q1, 1),
    ];
    let f = figures(&events, None, EIGHT, HALF_PAST, Thresholds::default());
    assert_eq!(
        (f.offered, f.callbacks_requested, f.callbacks_done),
        (1, 1, 1)
    );
}

#[test]
fn a_period_off_the_grid_keeps_its_slots_on_the_grid() {
    let events = scenario();
    let f = figures(
        &events,
        Some(&[Q1]),
        t(4, 0),
        t(16, 1),
        Thresholds::default(),
    );
    // Calls 4, 7, 9 (08:05–08:07) and 5 (08:16:00); call 5 answered at 08:16:05, after
    // the end.
    let slots = vec![
        slot(t(0, 0), [3, 1, 1], Some(45_000)),
        slot(t(15, 0), [1, 0, 0], None),
    ];
    assert_eq!((f.offered, f.slots), (4, slots));
}

#[test]
fn the_mean_rounds_halves_up_and_slots_align_before_1970() {
    assert_eq!(mean(3, 2), Some(2));
    assert_eq!(mean(-3, 2), Some(-1));
    assert_eq!(mean(5, 3), Some(2));
    assert_eq!(mean(0, 0), None);
    assert_eq!(slot_start(-1), -SLOT_MS);
    assert_eq!(slot_start(SLOT_MS), SLOT_MS);
    assert_eq!(slot_start(SLOT_MS - 1), 0);
}

#[test]
fn open_calls_are_the_waiting_and_the_callbacks_not_done() {
    let q = QueueId(1);
    let at = |at_ms, kind| QueueEvent {
        at_ms,
        queue: q,
        kind,
    };
    let events = [
        at(
            0,
            EventKind::Entered {
                call: CallId(1),
                position: 1,
            },
        ),
        at(
            1,
            EventKind::Entered {
                call: CallId(2),
                position: 2,
            },
        ),
        at(
            2,
            EventKind::Entered {
                call: CallId(3),
                position: 3,
            },
        ),
        at(
            3,
            EventKind::Entered {
                call: CallId(4),
                position: 4,
            },
        ),
        at(
            5,
            EventKind::CallbackRequested {
                call: CallId(2),
                waited_ms: 4,
            },
        ),
        at(
            6,
            EventKind::CallbackRequested {
                call: CallId(3),
                waited_ms: 4,
            },
        ),
        at(
            7,
            EventKind::CallbackDone {
                call: CallId(3),
                agent: 9,
            },
        ),
        at(
            8,
            EventKind::Answered {
                call: CallId(4),
                agent: 9,
                waited_ms: 5,
            },
        ),
    ];
    let open: Vec<(CallId, bool)> = open_calls(&events, 100)
        .iter()
        .map(|c| (c.call, c.callback))
        .collect();
    assert_eq!(open, [(CallId(1), false), (CallId(2), true)]);
    // As of 6 ms (events before it), calls 3 and 4 were still waiting too.
    assert_eq!(open_calls(&events, 6).len(), 4);
}
