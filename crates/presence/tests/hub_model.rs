//! Random event sequences against a small model of the hub, written from
//! `docs/presence.md`: after every step the announced changes, the hub's entries, its
//! connection count and its next deadline must agree with the model.

use presence::merge::merge;
use presence::{Audience, ConnId, Event, Hub, Location, Manual, PersonId, Privacy, Signals};
use presence::{State, View};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

const T0: i64 = 1_767_225_600_000;
/// Persons 0 and 1 share a unit, person 2 works in another.
const UNITS: [i64; 3] = [10, 10, 20];
const PEOPLE: usize = UNITS.len();
const HAND_SET: [State; 5] = [
    State::Available,
    State::Busy,
    State::Away,
    State::DoNotDisturb,
    State::Offline,
];

fn pid(p: usize) -> PersonId {
    PersonId(p as i64 + 1)
}

fn index(person: PersonId) -> usize {
    (person.0 - 1) as usize
}

/// Persons named by the bits of `mask`, in order.
fn people_in(mask: u8) -> Vec<usize> {
    (0..PEOPLE).filter(|p| mask & (1 << p) != 0).collect()
}

#[derive(Debug, Clone)]
enum Op {
    Connect {
        person: usize,
        follows: u8,
    },
    /// The n-th open connection (modulo their number).
    Disconnect(usize),
    Activity(usize, bool),
    Follow(usize, u8),
    Set {
        person: usize,
        state: State,
        location: Option<Location>,
        note: bool,
        until_s: Option<i64>,
    },
    Call(usize, bool),
    Device(usize, bool),
    Meeting(usize, bool),
    /// Let this many milliseconds pass, then `handle_timeout`.
    Advance(i64),
}

fn op() -> impl Strategy<Value = Op> {
    let location = prop::option::of(prop::sample::select(vec![
        Location::Office,
        Location::HomeOffice,
        Location::OnTheRoad,
    ]));
    prop_oneof![
        3 => (0..PEOPLE, 0u8..8).prop_map(|(person, follows)| Op::Connect { person, follows }),
        2 => (0usize..16).prop_map(Op::Disconnect),
        3 => (0usize..16, any::<bool>()).prop_map(|(c, idle)| Op::Activity(c, idle)),
        1 => (0usize..16, 0u8..8).prop_map(|(c, mask)| Op::Follow(c, mask)),
        3 => (
            0..PEOPLE,
            prop::sample::select(HAND_SET.to_vec()),
            location,
            any::<bool>(),
            prop::option::of(1i64..6),
        )
            .prop_map(|(person, state, location, note, until_s)| Op::Set {
                person,
                state,
                location,
                note,
                until_s,
            }),
        2 => (0..PEOPLE, any::<bool>()).prop_map(|(p, on)| Op::Call(p, on)),
        1 => (0..PEOPLE, any::<bool>()).prop_map(|(p, on)| Op::Device(p, on)),
        1 => (0..PEOPLE, any::<bool>()).prop_map(|(p, on)| Op::Meeting(p, on)),
        3 => (0i64..4_000).prop_map(Op::Advance),
    ]
}

fn privacy() -> impl Strategy<Value = Privacy> {
    let audience = || {
        prop::sample::select(vec![
            Audience::Organisation,
            Audience::Unit,
            Audience::Nobody,
        ])
    };
    (audience(), audience()).prop_map(|(location, note)| Privacy { location, note })
}

/// The rules of `docs/presence.md`, first match wins.
fn documented_rules(manual: State, s: Signals) -> State {
    let reachable = s.clients > 0 || s.devices > 0 || s.calls > 0;
    let all_clients_idle = s.clients > 0 && s.idle_clients == s.clients;
    match manual {
        State::Offline => State::Offline,
        _ if !reachable => State::Offline,
        State::DoNotDisturb => State::DoNotDisturb,
        _ if s.calls > 0 => State::OnThePhone,
        _ if s.in_meeting => State::InAMeeting,
        State::Busy | State::Away => manual,
        _ if all_clients_idle => State::Away,
        _ => State::Available,
    }
}

#[derive(Debug, Default)]
struct ModelPerson {
    manual: Manual,
    devices: u32,
    calls: u32,
    meeting: bool,
}

#[derive(Debug)]
struct ModelConn {
    person: usize,
    idle: bool,
    follows: BTreeSet<usize>,
}

#[derive(Debug)]
struct Model {
    now: i64,
    privacy: Privacy,
    people: Vec<ModelPerson>,
    conns: BTreeMap<ConnId, ModelConn>,
    next_conn: u64,
}

impl Model {
    fn signals(&self, p: usize) -> Signals {
        let mine = || self.conns.values().filter(move |c| c.person == p);
        let person = &self.people[p];
        Signals {
            clients: mine().count() as u32,
            idle_clients: mine().filter(|c| c.idle).count() as u32,
            devices: person.devices,
            calls: person.calls,
            in_meeting: person.meeting,
            // The model drives no hotline duty (its rule is in `hub_scenarios.rs`).
            duty: None,
        }
    }

    fn state(&self, p: usize) -> State {
        let manual = self.people[p].manual.state();
        let signals = self.signals(p);
        let state = documented_rules(manual, signals);
        assert_eq!(
            merge(manual, signals),
            state,
            "merge({manual:?}, {signals:?})"
        );
        state
    }

    /// Own connections see everything, followers what the privacy settings allow.
    fn recipients(&self, p: usize) -> BTreeMap<ConnId, View> {
        let mut out = BTreeMap::new();
        for (id, c) in &self.conns {
            if c.person == p {
                out.insert(*id, View::ALL);
            } else if c.follows.contains(&p) {
                let same_unit = UNITS[c.person] == UNITS[p];
                let admits = |a: Audience| match a {
                    Audience::Organisation => true,
                    Audience::Unit => same_unit,
                    Audience::Nobody => false,
                };
                let offline = self.state(p) == State::Offline;
                let view = View {
                    location: !offline && admits(self.privacy.location),
                    note: !offline && admits(self.privacy.note),
                };
                out.insert(*id, view);
            }
        }
        out
    }

    fn next_deadline(&self) -> Option<i64> {
        self.people.iter().filter_map(|p| p.manual.until_ms).min()
    }

    fn nth_conn(&self, n: usize) -> Option<ConnId> {
        let count = self.conns.len();
        (count > 0).then(|| *self.conns.keys().nth(n % count).unwrap())
    }
}

/// What one step should announce besides state changes.
#[derive(Default)]
struct Expect {
    /// Hand-set part changed (set or expired): announced even if the state stays.
    manual_changed: BTreeSet<usize>,
    /// `until` ran out: a `ManualExpired` each.
    expired: BTreeSet<usize>,
    /// Opened in this step: may miss its own person's change (the shell sends it the
    /// snapshot right after connecting).
    fresh: Option<ConnId>,
}

fn apply(hub: &mut Hub, model: &mut Model, op: &Op) -> Result<Expect, TestCaseError> {
    let mut expect = Expect::default();
    let now = model.now;
    match *op {
        Op::Connect { person, follows } => {
            let conn = ConnId(model.next_conn);
            model.next_conn += 1;
            let wanted: Vec<PersonId> = people_in(follows).into_iter().map(pid).collect();
            hub.handle_connect(now, conn, pid(person), wanted);
            let follows = people_in(follows).into_iter().filter(|f| *f != person);
            let c = ModelConn {
                person,
                idle: false,
                follows: follows.collect(),
            };
            model.conns.insert(conn, c);
            expect.fresh = Some(conn);
        }
        Op::Disconnect(n) => {
            let conn = model.nth_conn(n).unwrap_or(ConnId(u64::MAX));
            hub.handle_disconnect(now, conn);
            model.conns.remove(&conn);
        }
        Op::Activity(n, idle) => {
            let conn = model.nth_conn(n).unwrap_or(ConnId(u64::MAX));
            hub.handle_activity(now, conn, idle);
            if let Some(c) = model.conns.get_mut(&conn) {
                c.idle = idle;
            }
        }
        Op::Follow(n, mask) => {
            let conn = model.nth_conn(n).unwrap_or(ConnId(u64::MAX));
            let asked: Vec<PersonId> = people_in(mask).into_iter().map(pid).collect();
            let added = hub.handle_follow(conn, &asked);
            let expected: Vec<PersonId> = match model.conns.get_mut(&conn) {
                None => Vec::new(),
                Some(c) => people_in(mask)
                    .into_iter()
                    .filter(|f| *f != c.person && c.follows.insert(*f))
                    .map(pid)
                    .collect(),
            };
            prop_assert_eq!(added, expected);
        }
        Op::Set {
            person,
            state,
            location,
            note,
            until_s,
        } => {
            let note = note.then_some("Bin gleich zurück");
            let until = until_s.map(|s| now + s * 1_000);
            let manual = Manual::new(state, location, note, until, now).unwrap();
            hub.handle_set(now, pid(person), manual.clone());
            model.people[person].manual = manual;
            expect.manual_changed.insert(person);
        }
        Op::Call(p, active) => {
            hub.handle_call(now, pid(p), active);
            let calls = &mut model.people[p].calls;
            *calls = if active {
                *calls + 1
            } else {
                calls.saturating_sub(1)
            };
        }
        Op::Device(p, online) => {
            hub.handle_device(now, pid(p), online);
            let devices = &mut model.people[p].devices;
            *devices = if online {
                *devices + 1
            } else {
                devices.saturating_sub(1)
            };
        }
        Op::Meeting(p, active) => {
            hub.handle_meeting(now, pid(p), active);
            model.people[p].meeting = active;
        }
        Op::Advance(ms) => {
            model.now += ms;
            hub.handle_timeout(model.now);
            for (p, person) in model.people.iter_mut().enumerate() {
                if person.manual.until_ms.is_some_and(|u| u <= model.now) {
                    // Back to available, location kept, note cleared.
                    person.manual = Manual {
                        state: None,
                        location: person.manual.location,
                        note: None,
                        until_ms: None,
                    };
                    expect.manual_changed.insert(p);
                    expect.expired.insert(p);
                }
            }
        }
    }
    Ok(expect)
}

/// Drains the hub after one step and checks everything against the model.
fn check(
    hub: &mut Hub,
    model: &Model,
    before: &[State],
    announced: &mut [State],
    mut expect: Expect,
) -> Result<(), TestCaseError> {
    let mut told = BTreeMap::<usize, usize>::new();
    while let Some(event) = hub.poll_event() {
        match event {
            Event::Changed { entry, recipients } => {
                let p = index(entry.person);
                prop_assert_eq!(entry.state, model.state(p), "announced {:?}", entry);
                prop_assert_eq!(&entry.manual, &model.people[p].manual);
                prop_assert_eq!(entry.changed_ms, model.now);
                let count = recipients.len();
                let got: BTreeMap<ConnId, View> = recipients.into_iter().collect();
                prop_assert_eq!(got.len(), count, "a connection told twice");
                let mut want = model.recipients(p);
                // Staying offline (appear offline) is told to the person's own clients only.
                if before[p] == State::Offline && entry.state == State::Offline {
                    want.retain(|c, _| model.conns[c].person == p);
                }
                if got != want {
                    if let Some(fresh) = expect.fresh.filter(|c| model.conns[c].person == p) {
                        want.remove(&fresh);
                    }
                }
                prop_assert_eq!(got, want, "recipients of {:?}", entry.person);
                announced[p] = entry.state;
                *told.entry(p).or_default() += 1;
            }
            Event::ManualExpired { person, manual } => {
                let p = index(person);
                prop_assert!(
                    expect.expired.remove(&p),
                    "unexpected expiry of {:?}",
                    person
                );
                prop_assert_eq!(&manual, &model.people[p].manual);
            }
            other => prop_assert!(false, "unexpected {:?}", other),
        }
    }
    prop_assert!(
        expect.expired.is_empty(),
        "missing expiries {:?}",
        expect.expired
    );

    let mut should_tell = expect.manual_changed;
    should_tell.extend((0..PEOPLE).filter(|p| before[*p] != model.state(*p)));
    prop_assert_eq!(told.keys().copied().collect::<BTreeSet<_>>(), should_tell);
    prop_assert!(told.values().all(|n| *n == 1), "told twice: {:?}", told);

    for (p, last) in announced.iter().enumerate() {
        let entry = hub.entry(pid(p)).unwrap();
        prop_assert_eq!(
            entry.state,
            *last,
            "entry of {} differs from the last announced",
            p
        );
        prop_assert_eq!(entry.state, model.state(p));
        prop_assert_eq!(&entry.manual, &model.people[p].manual);
    }
    prop_assert_eq!(hub.connections(), model.conns.len());
    prop_assert_eq!(hub.poll_timeout(), model.next_deadline());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_sequences_agree_with_the_model(
        privacy in privacy(),
        ops in prop::collection::vec(op(), 1..80),
    ) {
        let mut hub = Hub::new(privacy, 8 * 3_600_000);
        for (p, unit) in UNITS.iter().enumerate() {
            hub.upsert_person(pid(p), *unit);
        }
        let mut model = Model {
            now: T0,
            privacy,
            people: (0..PEOPLE).map(|_| ModelPerson::default()).collect(),
            conns: BTreeMap::new(),
            next_conn: 1,
        };
        let mut announced = [State::Offline; PEOPLE];
        for op in &ops {
            let before: Vec<State> = (0..PEOPLE).map(|p| model.state(p)).collect();
            let expect = apply(&mut hub, &mut model, op)?;
            check(&mut hub, &model, &before, &mut announced, expect)?;
        }
    }
}
