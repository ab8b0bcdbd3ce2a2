//! Scenario tests of one-shot watches ("tell me when she is available") from
//! `docs/presence.md` and the doc comments of `hub.rs`, through the public API only.

mod common;

use common::*;
use presence::{ConnId, Event, Hub, Manual, PersonId, State};

// ---------------------------------------------------------------------------------------
// "Tell me when she is available"

/// Ben watches Anna; Ben has client 3 open unless `watcher_online` is false.
fn watching(watcher_online: bool) -> Hub {
    let mut hub = hub();
    if watcher_online {
        connect(&mut hub, T0, 3, BEN, &[]);
    }
    assert_eq!(hub.handle_watch_add(T0, BEN, ANNA), Some(T0 + TTL));
    assert_eq!(drain(&mut hub), vec![]);
    hub
}

fn fired(watcher: PersonId, target: PersonId, conns: &[u64]) -> Event {
    Event::WatchFired {
        watcher,
        target,
        conns: conns.iter().copied().map(ConnId).collect(),
    }
}

#[test]
fn a_watch_fires_once_when_the_target_becomes_available() {
    let mut hub = watching(true);
    connect(&mut hub, T0, 4, BEN, &[]);
    assert_eq!(hub.poll_timeout(), Some(T0 + TTL));

    hub.handle_connect(T0 + SEC, ConnId(1), ANNA, vec![]);
    let events = drain(&mut hub);
    assert_eq!(changes(&events), [(ANNA, State::Available)]);
    let fired_events: Vec<&Event> = events
        .iter()
        .filter(|e| matches!(e, Event::WatchFired { .. }))
        .collect();
    assert_eq!(fired_events.len(), 1, "{events:?}");
    let Event::WatchFired {
        watcher,
        target,
        conns,
    } = fired_events[0]
    else {
        unreachable!()
    };
    assert_eq!((*watcher, *target), (BEN, ANNA));
    let mut conns = conns.clone();
    conns.sort();
    assert_eq!(conns, [ConnId(3), ConnId(4)]);

    // Firing removed it: no second fire, no expiry, nothing to remove.
    assert_eq!(hub.poll_timeout(), None);
    hub.handle_disconnect(T0 + 2 * SEC, ConnId(1));
    connect(&mut hub, T0 + 3 * SEC, 2, ANNA, &[]);
    hub.handle_set(T0 + 4 * SEC, ANNA, manual(State::Busy));
    hub.handle_set(T0 + 5 * SEC, ANNA, manual(State::Available));
    let events = drain(&mut hub);
    assert!(
        !events.iter().any(|e| matches!(e, Event::WatchFired { .. })),
        "{events:?}"
    );
    hub.handle_timeout(T0 + TTL);
    assert_eq!(drain(&mut hub), vec![]);
    assert!(!hub.handle_watch_remove(BEN, ANNA));
}

#[test]
fn a_watch_waits_through_states_other_than_available() {
    let mut hub = watching(true);
    hub.handle_set(T0, ANNA, manual(State::Busy));
    connect(&mut hub, T0 + 1, 1, ANNA, &[]);
    for (state, at) in [
        (State::DoNotDisturb, 2),
        (State::Away, 3),
        (State::Offline, 4),
    ] {
        hub.handle_set(T0 + at, ANNA, manual(state));
    }
    hub.handle_call(T0 + 5, ANNA, true);
    let events = drain(&mut hub);
    assert!(
        !events.iter().any(|e| matches!(e, Event::WatchFired { .. })),
        "{events:?}"
    );

    hub.handle_set(T0 + 6, ANNA, manual(State::Available)); // on the phone now
    hub.handle_call(T0 + 7, ANNA, false);
    assert_eq!(
        drain(&mut hub)
            .into_iter()
            .filter(|e| !matches!(e, Event::Changed { .. }))
            .collect::<Vec<_>>(),
        [fired(BEN, ANNA, &[3])]
    );
}

#[test]
fn a_watch_on_an_available_target_fires_at_once() {
    let mut hub = hub();
    connect(&mut hub, T0, 1, ANNA, &[]);
    connect(&mut hub, T0, 3, BEN, &[]);
    assert_eq!(
        hub.handle_watch_add(T0 + SEC, BEN, ANNA),
        Some(T0 + SEC + TTL)
    );
    assert_eq!(drain(&mut hub), [fired(BEN, ANNA, &[3])]);
    assert_eq!(hub.poll_timeout(), None);
    assert!(!hub.handle_watch_remove(BEN, ANNA));
}

#[test]
fn a_watch_fires_at_the_watchers_next_connect() {
    let mut hub = watching(false);
    connect(&mut hub, T0 + SEC, 1, ANNA, &[]);
    assert_eq!(state_of(&hub, ANNA), State::Available);

    hub.handle_connect(T0 + 2 * SEC, ConnId(3), BEN, vec![]);
    let events = drain(&mut hub);
    assert_eq!(
        events
            .into_iter()
            .filter(|e| !matches!(e, Event::Changed { .. }))
            .collect::<Vec<_>>(),
        [fired(BEN, ANNA, &[3])]
    );
    assert_eq!(hub.poll_timeout(), None);
}

#[test]
fn a_watch_set_while_offline_on_an_available_target_fires_at_connect() {
    let mut hub = hub();
    connect(&mut hub, T0, 1, ANNA, &[]);
    assert_eq!(hub.handle_watch_add(T0, BEN, ANNA), Some(T0 + TTL));
    assert_eq!(drain(&mut hub), vec![], "nobody to tell yet");
    hub.handle_connect(T0 + SEC, ConnId(3), BEN, vec![]);
    let events = drain(&mut hub);
    assert!(events.contains(&fired(BEN, ANNA, &[3])), "{events:?}");
}

#[test]
fn a_watch_does_not_fire_at_connect_when_the_target_is_no_longer_available() {
    let mut hub = watching(false);
    connect(&mut hub, T0 + SEC, 1, ANNA, &[]);
    hub.handle_set(T0 + 2 * SEC, ANNA, manual(State::Busy));
    connect(&mut hub, T0 + 3 * SEC, 3, BEN, &[]);
    assert!(
        hub.handle_watch_remove(BEN, ANNA),
        "the watch is still pending"
    );
}

#[test]
fn every_watcher_of_a_target_is_told() {
    let mut hub = watching(true);
    connect(&mut hub, T0, 4, CARLA, &[]);
    assert_eq!(hub.handle_watch_add(T0, CARLA, ANNA), Some(T0 + TTL));
    hub.handle_connect(T0 + SEC, ConnId(1), ANNA, vec![]);
    let mut fired_for: Vec<(PersonId, Vec<ConnId>)> = drain(&mut hub)
        .into_iter()
        .filter_map(|e| match e {
            Event::WatchFired {
                watcher,
                target: ANNA,
                conns,
            } => Some((watcher, conns)),
            _ => None,
        })
        .collect();
    fired_for.sort();
    assert_eq!(
        fired_for,
        [(BEN, vec![ConnId(3)]), (CARLA, vec![ConnId(4)])]
    );
}

#[test]
fn a_watch_fires_when_the_until_runs_out() {
    let mut hub = hub();
    connect(&mut hub, T0, 1, ANNA, &[]);
    let until = T0 + HOUR;
    hub.handle_set(
        T0,
        ANNA,
        Manual::new(State::Busy, None, None, Some(until), T0).unwrap(),
    );
    connect(&mut hub, T0, 3, BEN, &[]);
    hub.handle_watch_add(T0, BEN, ANNA);
    assert_eq!(drain(&mut hub), vec![]);
    assert_eq!(hub.poll_timeout(), Some(until));

    hub.handle_timeout(until);
    let events = drain(&mut hub);
    assert!(matches!(
        events[0],
        Event::ManualExpired { person: ANNA, .. }
    ));
    assert_eq!(changes(&events), [(ANNA, State::Available)]);
    assert_eq!(events.last(), Some(&fired(BEN, ANNA, &[3])));
}

#[test]
fn a_watch_expires_unfired_after_its_ttl() {
    let mut hub = watching(true);
    assert_eq!(hub.poll_timeout(), Some(T0 + TTL));
    hub.handle_timeout(T0 + TTL - 1);
    assert_eq!(drain(&mut hub), vec![]);

    hub.handle_timeout(T0 + TTL);
    assert_eq!(
        drain(&mut hub),
        [Event::WatchExpired {
            watcher: BEN,
            target: ANNA
        }]
    );
    assert_eq!(hub.poll_timeout(), None);
    assert!(!hub.handle_watch_remove(BEN, ANNA));
    connect(&mut hub, T0 + TTL + 1, 1, ANNA, &[]);
    assert_eq!(hub.poll_event(), None, "an expired watch fired");
}

#[test]
fn adding_a_watch_again_restarts_its_ttl() {
    let mut hub = watching(true);
    let again = T0 + 3 * HOUR;
    assert_eq!(hub.handle_watch_add(again, BEN, ANNA), Some(again + TTL));
    assert_eq!(hub.poll_timeout(), Some(again + TTL));

    hub.handle_timeout(T0 + TTL);
    assert_eq!(drain(&mut hub), vec![], "the first expiry still fired");
    assert!(hub.handle_watch_remove(BEN, ANNA), "the watch is gone");

    // And once more, left to run out.
    hub.handle_watch_add(again, BEN, ANNA);
    hub.handle_timeout(again + TTL);
    assert_eq!(
        drain(&mut hub),
        [Event::WatchExpired {
            watcher: BEN,
            target: ANNA
        }]
    );
}

#[test]
fn removing_a_watch_says_whether_there_was_one() {
    let mut hub = watching(true);
    assert!(!hub.handle_watch_remove(ANNA, BEN));
    assert!(!hub.handle_watch_remove(BEN, CARLA));
    assert!(hub.handle_watch_remove(BEN, ANNA));
    assert!(!hub.handle_watch_remove(BEN, ANNA));
    assert_eq!(hub.poll_timeout(), None);

    connect(&mut hub, T0 + SEC, 1, ANNA, &[]);
    hub.handle_timeout(T0 + TTL);
    assert_eq!(drain(&mut hub), vec![]);
}

#[test]
fn restoring_watches() {
    let mut hub = hub();
    hub.restore_watch(T0, BEN, ANNA, T0);
    hub.restore_watch(T0, CARLA, ANNA, T0 - HOUR);
    assert_eq!(
        drain(&mut hub),
        [
            Event::WatchExpired {
                watcher: BEN,
                target: ANNA
            },
            Event::WatchExpired {
                watcher: CARLA,
                target: ANNA
            },
        ]
    );
    assert_eq!(hub.poll_timeout(), None);
    assert!(!hub.handle_watch_remove(BEN, ANNA));

    // One still running fires as a fresh one would.
    hub.restore_watch(T0, DORA, ANNA, T0 + HOUR);
    assert_eq!(drain(&mut hub), vec![]);
    assert_eq!(hub.poll_timeout(), Some(T0 + HOUR));
    connect(&mut hub, T0 + SEC, 4, DORA, &[]);
    hub.handle_connect(T0 + 2 * SEC, ConnId(1), ANNA, vec![]);
    let events = drain(&mut hub);
    assert_eq!(
        events
            .into_iter()
            .filter(|e| !matches!(e, Event::Changed { .. }))
            .collect::<Vec<_>>(),
        [fired(DORA, ANNA, &[4])]
    );
    assert_eq!(hub.poll_timeout(), None);
}

#[test]
fn watching_yourself_or_unknown_people_is_refused() {
    let mut hub = hub();
    connect(&mut hub, T0, 1, ANNA, &[]);
    assert_eq!(hub.handle_watch_add(T0, ANNA, ANNA), None);
    assert_eq!(hub.handle_watch_add(T0, ANNA, NOBODY), None);
    assert_eq!(hub.handle_watch_add(T0, NOBODY, ANNA), None);
    assert_eq!(drain(&mut hub), vec![]);
    assert_eq!(hub.poll_timeout(), None);
    assert!(!hub.handle_watch_remove(ANNA, ANNA));
    assert!(!hub.handle_watch_remove(NOBODY, ANNA));
}
