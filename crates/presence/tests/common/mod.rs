//! Shared set-up of the hub scenario tests: four people, an explicit clock and helpers
//! that drain events the way a shell does.
#![allow(dead_code)] // each test file uses a different part

use presence::{ConnId, Entry, Event, Hub, Manual, PersonId, Privacy};
use presence::{State, View};
use std::collections::BTreeMap;

/// 2026-01-01T00:00:00Z, so times look like the shell's Unix milliseconds.
pub const T0: i64 = 1_767_225_600_000;
pub const SEC: i64 = 1_000;
pub const HOUR: i64 = 3_600 * SEC;
/// The documented default `watch_hours`.
pub const TTL: i64 = 8 * HOUR;

pub const ANNA: PersonId = PersonId(1);
pub const BEN: PersonId = PersonId(2);
/// Works in another unit than Anna and Ben.
pub const CARLA: PersonId = PersonId(3);
pub const DORA: PersonId = PersonId(4);
pub const NOBODY: PersonId = PersonId(99);

pub const NOTHING: View = View {
    location: false,
    note: false,
};

/// Anna, Ben and Dora in unit 10, Carla in unit 20.
pub fn hub_with(privacy: Privacy) -> Hub {
    let mut hub = Hub::new(privacy, TTL);
    hub.upsert_person(ANNA, 10);
    hub.upsert_person(BEN, 10);
    hub.upsert_person(CARLA, 20);
    hub.upsert_person(DORA, 10);
    hub
}

pub fn hub() -> Hub {
    hub_with(Privacy::default())
}

pub fn drain(hub: &mut Hub) -> Vec<Event> {
    std::iter::from_fn(|| hub.poll_event()).collect()
}

/// Who changed to what, in event order.
pub fn changes(events: &[Event]) -> Vec<(PersonId, State)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Changed { entry, .. } => Some((entry.person, entry.state)),
            _ => None,
        })
        .collect()
}

/// The one event must be a change; returns it with its recipients (each at most once).
pub fn one_change(events: Vec<Event>) -> (Entry, BTreeMap<ConnId, View>) {
    let [Event::Changed { entry, recipients }] = <[Event; 1]>::try_from(events)
        .unwrap_or_else(|events| panic!("expected one Changed event, got {events:?}"))
    else {
        panic!("expected a Changed event");
    };
    let count = recipients.len();
    let recipients: BTreeMap<ConnId, View> = recipients.into_iter().collect();
    assert_eq!(recipients.len(), count, "a connection is told twice");
    (entry, recipients)
}

pub fn manual(state: State) -> Manual {
    Manual::new(state, None, None, None, T0).unwrap()
}

pub fn state_of(hub: &Hub, person: PersonId) -> State {
    hub.entry(person).unwrap().state
}

/// Opens a client and drains what that caused.
pub fn connect(hub: &mut Hub, now: i64, conn: u64, person: PersonId, follows: &[PersonId]) {
    hub.handle_connect(now, ConnId(conn), person, follows.to_vec());
    drain(hub);
}

/// Makes people reachable without a client (a registered phone), so their hand-set
/// changes are announced to followers; offline people's are not.
pub fn reachable(hub: &mut Hub, people: &[PersonId]) {
    for p in people {
        hub.handle_device(T0, *p, true);
    }
    drain(hub);
}
