//! Invariants of the figures over random, consistent call histories in random order.

use proptest::prelude::*;

use super::*;

/// How a generated call ends (if it ends before the log does).
#[derive(Debug, Clone, Copy)]
enum End {
    None,
    Answered,
    Abandoned,
    Overflowed,
    Callback { done_after_ms: Option<i64> },
}

/// A generated call: its queue, when it entered, and how and after what wait it ended.
#[derive(Debug, Clone, Copy)]
struct Generated {
    queue: i64,
    entered_ms: i64,
    wait_ms: i64,
    end: End,
}

/// The log spans three hours from here (not on the 15-minute grid on purpose).
const START: i64 = 1_717_977_600_000 + 123_456;
const SPAN: i64 = 3 * 3_600_000;

fn end() -> impl Strategy<Value = End> {
    prop_oneof![
        Just(End::None),
        Just(End::Answered),
        Just(End::Abandoned),
        Just(End::Overflowed),
        proptest::option::of(0..SPAN).prop_map(|done_after_ms| End::Callback { done_after_ms }),
    ]
}

fn call() -> impl Strategy<Value = Generated> {
    // Waits cluster around the thresholds, with a few long ones.
    let wait = prop_oneof![0..30_000_i64, 0..SPAN];
    (1..=3_i64, 0..SPAN, wait, end()).prop_map(|(queue, at, wait_ms, end)| Generated {
        queue,
        entered_ms: START + at,
        wait_ms,
        end,
    })
}

/// The events of the generated calls (call ids 0, 1, …), in a random order.
fn history() -> impl Strategy<Value = (Vec<Generated>, Vec<QueueEvent>)> {
    proptest::collection::vec(call(), 0..60).prop_flat_map(|calls| {
        let events: Vec<QueueEvent> = calls.iter().enumerate().flat_map(call_events).collect();
        (Just(calls), Just(events).prop_shuffle())
    })
}

fn call_events((id, g): (usize, &Generated)) -> Vec<QueueEvent> {
    let call = CallId(id as i64);
    let (queue, ended_ms, waited_ms) = (QueueId(g.queue), g.entered_ms + g.wait_ms, g.wait_ms);
    let at = |at_ms, kind| QueueEvent { at_ms, queue, kind };
    let mut events = vec![at(g.entered_ms, EventKind::Entered { call, position: 1 })];
    match g.end {
        End::None => {}
        End::Answered => events.push(at(
            ended_ms,
            EventKind::Answered {
                call,
                agent: 1,
                waited_ms,
            },
        )),
        End::Abandoned => events.push(at(
            ended_ms,
            EventKind::Abandoned {
                call,
                waited_ms,
                position: 1,
            },
        )),
        End::Overflowed => events.push(at(ended_ms, EventKind::Overflowed { call, waited_ms })),
        End::Callback { done_after_ms } => {
            events.push(at(
                ended_ms,
                EventKind::CallbackRequested { call, waited_ms },
            ));
            if let Some(after) = done_after_ms {
                events.push(at(
                    ended_ms + after,
                    EventKind::CallbackDone { call, agent: 2 },
                ));
            }
        }
    }
    events
}

fn period() -> impl Strategy<Value = (i64, i64)> {
    (0..SPAN, 0..SPAN).prop_map(|(a, b)| (START + a.min(b), START + a.max(b)))
}

fn thresholds() -> impl Strategy<Value = Thresholds> {
    (0..30_000_i64, 0..10_000_i64).prop_map(|(threshold_ms, short_abandon_ms)| Thresholds {
        threshold_ms,
        short_abandon_ms,
    })
}

fn in_unit_interval(ratio: Option<f64>) -> bool {
    ratio.is_none_or(|r| (0.0..=1.0).contains(&r))
}

proptest! {
    #[test]
    fn every_call_of_the_period_is_counted_once_and_ratios_stay_in_0_to_1(
        (calls, events) in history(),
        (from, to) in period(),
        t in thresholds(),
    ) {
        let f = figures(&events, None, from, to, t);
        let entered = calls.iter().filter(|c| (from..to).contains(&c.entered_ms)).count();
        prop_assert_eq!(f.offered, entered as u64);
        prop_assert_eq!(
            f.answered + f.abandoned + f.overflowed + f.callbacks_requested + f.waiting,
            f.offered
        );
        prop_assert!(f.answered_in_threshold <= f.answered);
        prop_assert!(f.short_abandons <= f.abandoned);
        prop_assert_eq!(f.callbacks_done + f.callbacks_pending, f.callbacks_requested);
        prop_assert_eq!(f.handled, f.answered + f.callbacks_done);
        prop_assert_eq!(f.longest_wait_ms.is_some(), f.waiting > 0);
        prop_assert!(f.longest_wait_ms.is_none_or(|w| w > 0 && w <= to - from));
        for ratio in [f.service_level, f.sl2, f.abandon_rate] {
            prop_assert!(in_unit_interval(ratio), "{:?}", ratio);
        }
        prop_assert_eq!(f.asa_ms.is_some(), f.answered > 0);
    }

    #[test]
    fn the_slots_tile_the_period_and_add_up_to_the_totals(
        (_, events) in history(),
        (from, to) in period(),
    ) {
        let f = figures(&events, None, from, to, Thresholds::default());
        let sum = |count: fn(&Slot) -> u64| f.slots.iter().map(count).sum::<u64>();
        prop_assert_eq!(sum(|s| s.offered), f.offered);
        prop_assert_eq!(sum(|s| s.answered), f.answered);
        prop_assert_eq!(sum(|s| s.abandoned), f.abandoned);
        if from < to {
            let (first, last) = (&f.slots[0], &f.slots[f.slots.len() - 1]);
            prop_assert!(first.start_ms <= from && from < first.start_ms + SLOT_MS);
            prop_assert!(last.start_ms < to && to <= last.start_ms + SLOT_MS);
        }
        for (i, slot) in f.slots.iter().enumerate() {
            prop_assert_eq!(slot.start_ms.rem_euclid(SLOT_MS), 0);
            prop_assert_eq!(slot.start_ms, f.slots[0].start_ms + i as i64 * SLOT_MS);
            prop_assert_eq!(slot.mean_wait_ms.is_some(), slot.answered > 0);
        }
    }

    #[test]
    fn the_queues_add_up_to_all_queues_and_the_order_does_not_matter(
        (calls, events) in history(),
        (from, to) in period(),
    ) {
        let t = Thresholds::default();
        let all = figures(&events, None, from, to, t);
        let one = |q| figures(&events, Some(&[QueueId(q)][..]), from, to, t);
        let per_queue = [one(1), one(2), one(3)];
        let total = |count: fn(&Figures) -> u64| per_queue.iter().map(count).sum::<u64>();
        prop_assert_eq!(total(|f| f.offered), all.offered);
        prop_assert_eq!(total(|f| f.answered_in_threshold), all.answered_in_threshold);
        prop_assert_eq!(total(|f| f.short_abandons), all.short_abandons);
        prop_assert_eq!(total(|f| f.callbacks_pending), all.callbacks_pending);
        prop_assert_eq!(total(|f| f.waiting), all.waiting);
        let in_order: Vec<QueueEvent> = calls.iter().enumerate().flat_map(call_events).collect();
        prop_assert_eq!(figures(&in_order, None, from, to, t), all);
    }
}
