//! Scenario tests of the presence hub from its documented behaviour (`docs/presence.md`
//! and the doc comments of `hub.rs`), through the public API only: several clients of one
//! person, idle clients, who is told what, hand-set states with "until", and the call,
//! meeting and phone hooks. Watches are in `hub_watches.rs`, random sequences against a
//! model in `hub_model.rs`.

mod common;

use common::*;
use presence::{Audience, ConnId, Event, Location, Manual, Privacy, State, View};
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------------------
// Several clients of one person

#[test]
fn offline_only_when_the_last_client_closes() {
    let mut hub = hub();
    connect(&mut hub, T0, 1, BEN, &[ANNA]);
    assert_eq!(
        state_of(&hub, ANNA),
        State::Offline,
        "new people are offline"
    );

    hub.handle_connect(T0 + 1, ConnId(10), ANNA, vec![]);
    let (entry, recipients) = one_change(drain(&mut hub));
    assert_eq!((entry.person, entry.state), (ANNA, State::Available));
    assert_eq!(entry.changed_ms, T0 + 1);
    assert_eq!(recipients.get(&ConnId(1)), Some(&View::ALL));

    // A second browser: still available, nothing to announce.
    hub.handle_connect(T0 + 2, ConnId(11), ANNA, vec![]);
    assert_eq!(drain(&mut hub), vec![]);
    assert_eq!(hub.connections(), 3);

    // Closing one of two is no change either.
    hub.handle_disconnect(T0 + 3, ConnId(10));
    assert_eq!(drain(&mut hub), vec![]);
    assert_eq!(state_of(&hub, ANNA), State::Available);
    assert_eq!(hub.entry(ANNA).unwrap().changed_ms, T0 + 1);
    assert_eq!(hub.connections(), 2);

    hub.handle_disconnect(T0 + 4, ConnId(11));
    let (entry, recipients) = one_change(drain(&mut hub));
    assert_eq!((entry.person, entry.state), (ANNA, State::Offline));
    assert_eq!(recipients.keys().copied().collect::<Vec<_>>(), [ConnId(1)]);
    assert_eq!(hub.connections(), 1);
    assert_eq!(hub.entry(ANNA).unwrap().changed_ms, T0 + 4);
}

#[test]
fn inputs_that_change_nothing_announce_nothing() {
    let mut hub = hub();
    connect(&mut hub, T0, 1, ANNA, &[]);
    let before = hub.entry(ANNA).unwrap();

    hub.handle_connect(T0 + 1, ConnId(1), ANNA, vec![]); // same id again
    hub.handle_connect(T0 + 1, ConnId(2), NOBODY, vec![ANNA]); // unknown person
    hub.handle_disconnect(T0 + 1, ConnId(77)); // unknown connection
    hub.handle_activity(T0 + 1, ConnId(1), false); // not idle: already so
    hub.handle_activity(T0 + 1, ConnId(77), true);
    hub.handle_call(T0 + 1, ANNA, false); // no call to end
    hub.handle_device(T0 + 1, ANNA, false); // no phone to lose
    hub.handle_device(T0 + 1, ANNA, true); // a phone: still available
    hub.handle_meeting(T0 + 1, ANNA, false);
    hub.handle_call(T0 + 1, NOBODY, true);
    hub.handle_set(T0 + 1, NOBODY, manual(State::Busy));
    hub.handle_timeout(T0 + 1);

    assert_eq!(drain(&mut hub), vec![]);
    assert_eq!(hub.connections(), 1);
    assert_eq!(hub.entry(ANNA), Some(before));
    assert_eq!(hub.entry(NOBODY), None);
    assert_eq!(hub.poll_timeout(), None);

    // Idle twice is one change; a meeting joined twice is one change.
    hub.handle_activity(T0 + 2, ConnId(1), true);
    hub.handle_activity(T0 + 3, ConnId(1), true);
    assert_eq!(changes(&drain(&mut hub)), [(ANNA, State::Away)]);
    hub.handle_meeting(T0 + 4, ANNA, true);
    hub.handle_meeting(T0 + 5, ANNA, true);
    assert_eq!(changes(&drain(&mut hub)), [(ANNA, State::InAMeeting)]);
}

// ---------------------------------------------------------------------------------------
// Idle clients

#[test]
fn idle_in_one_of_two_clients_stays_available() {
    let mut hub = hub();
    connect(&mut hub, T0, 1, ANNA, &[]);
    connect(&mut hub, T0, 2, ANNA, &[]);

    hub.handle_activity(T0 + SEC, ConnId(1), true);
    assert_eq!(drain(&mut hub), vec![]);
    assert_eq!(state_of(&hub, ANNA), State::Available);

    hub.handle_activity(T0 + 2 * SEC, ConnId(2), true);
    let (entry, _) = one_change(drain(&mut hub));
    assert_eq!(entry.state, State::Away);

    hub.handle_activity(T0 + 3 * SEC, ConnId(1), false);
    let (entry, _) = one_change(drain(&mut hub));
    assert_eq!(entry.state, State::Available);
}

#[test]
fn closing_the_active_client_leaves_the_idle_one_away() {
    let mut hub = hub();
    connect(&mut hub, T0, 1, ANNA, &[]);
    connect(&mut hub, T0, 2, ANNA, &[]);
    hub.handle_activity(T0 + SEC, ConnId(1), true);
    assert_eq!(drain(&mut hub), vec![]);

    hub.handle_disconnect(T0 + 2 * SEC, ConnId(2));
    assert_eq!(changes(&drain(&mut hub)), [(ANNA, State::Away)]);

    // A fresh client is active again; closing the idle one then changes nothing.
    connect(&mut hub, T0 + 3 * SEC, 3, ANNA, &[]);
    assert_eq!(state_of(&hub, ANNA), State::Available);
    hub.handle_disconnect(T0 + 4 * SEC, ConnId(1));
    assert_eq!(drain(&mut hub), vec![]);
    assert_eq!(state_of(&hub, ANNA), State::Available);
}

#[test]
fn idle_does_not_replace_a_hand_set_state_and_a_phone_does_not_count_as_active() {
    let mut hub = hub();
    connect(&mut hub, T0, 1, ANNA, &[]);
    hub.handle_set(T0, ANNA, manual(State::Busy));
    drain(&mut hub);
    hub.handle_activity(T0 + SEC, ConnId(1), true);
    assert_eq!(drain(&mut hub), vec![]);
    assert_eq!(state_of(&hub, ANNA), State::Busy);

    // Back to available by hand while the only client is idle: away.
    hub.handle_set(T0 + 2 * SEC, ANNA, manual(State::Available));
    assert_eq!(changes(&drain(&mut hub)), [(ANNA, State::Away)]);
    // Rule 7 speaks of open web clients: a desk phone does not make an idle person active.
    hub.handle_device(T0 + 3 * SEC, ANNA, true);
    assert_eq!(drain(&mut hub), vec![]);
    assert_eq!(state_of(&hub, ANNA), State::Away);
}

// ---------------------------------------------------------------------------------------
// Who is told, and what they may see

#[test]
fn a_change_reaches_own_clients_and_followers_with_unit_views() {
    let mut hub = hub();
    connect(&mut hub, T0, 1, ANNA, &[]);
    connect(&mut hub, T0, 2, ANNA, &[]);
    connect(&mut hub, T0, 3, BEN, &[ANNA]); // same unit
    connect(&mut hub, T0, 4, CARLA, &[ANNA, BEN]); // other unit
    connect(&mut hub, T0, 5, DORA, &[BEN]); // does not follow Anna

    let set = Manual::new(
        State::Busy,
        Some(Location::HomeOffice),
        Some("Haushalt"),
        None,
        T0,
    )
    .unwrap();
    hub.handle_set(T0 + SEC, ANNA, set.clone());
    let (entry, recipients) = one_change(drain(&mut hub));
    assert_eq!(entry.person, ANNA);
    assert_eq!(entry.state, State::Busy);
    assert_eq!(entry.manual, set);
    assert_eq!(entry.changed_ms, T0 + SEC);
    let expected = BTreeMap::from([
        (ConnId(1), View::ALL),
        (ConnId(2), View::ALL),
        (ConnId(3), View::ALL),
        (ConnId(4), NOTHING),
    ]);
    assert_eq!(recipients, expected);

    assert_eq!(hub.view_for(ANNA, ANNA), View::ALL);
    assert_eq!(hub.view_for(BEN, ANNA), View::ALL);
    assert_eq!(hub.view_for(CARLA, ANNA), NOTHING);
}

#[test]
fn organisation_wide_privacy_shows_location_and_note_to_other_units() {
    let open = Privacy {
        location: Audience::Organisation,
        note: Audience::Organisation,
    };
    let mut hub = hub_with(open);
    reachable(&mut hub, &[ANNA]);
    connect(&mut hub, T0, 3, BEN, &[ANNA]);
    connect(&mut hub, T0, 4, CARLA, &[ANNA]);
    hub.handle_set(T0, ANNA, manual(State::Away));
    let (_, recipients) = one_change(drain(&mut hub));
    assert_eq!(
        recipients,
        BTreeMap::from([(ConnId(3), View::ALL), (ConnId(4), View::ALL)])
    );
    assert_eq!(hub.view_for(CARLA, ANNA), View::ALL);
}

#[test]
fn mixed_privacy_views_per_unit() {
    let mixed = Privacy {
        location: Audience::Organisation,
        note: Audience::Nobody,
    };
    let location_only = View {
        location: true,
        note: false,
    };
    let mut hub = hub_with(mixed);
    connect(&mut hub, T0, 1, ANNA, &[]);
    connect(&mut hub, T0, 3, BEN, &[ANNA]);
    connect(&mut hub, T0, 4, CARLA, &[ANNA]);
    hub.handle_set(T0, ANNA, manual(State::Busy));
    let (_, recipients) = one_change(drain(&mut hub));
    assert_eq!(
        recipients,
        BTreeMap::from([
            (ConnId(1), View::ALL), // the person always sees all of their own
            (ConnId(3), location_only),
            (ConnId(4), location_only),
        ])
    );

    let hidden = Privacy {
        location: Audience::Nobody,
        note: Audience::Unit,
    };
    let mut hub = hub_with(hidden);
    reachable(&mut hub, &[ANNA]);
    connect(&mut hub, T0, 3, BEN, &[ANNA]);
    connect(&mut hub, T0, 4, CARLA, &[ANNA]);
    hub.handle_set(T0, ANNA, manual(State::Busy));
    let (_, recipients) = one_change(drain(&mut hub));
    let note_only = View {
        location: false,
        note: true,
    };
    assert_eq!(
        recipients,
        BTreeMap::from([(ConnId(3), note_only), (ConnId(4), NOTHING)])
    );
}

#[test]
fn a_closed_follower_is_no_longer_told() {
    let mut hub = hub();
    reachable(&mut hub, &[ANNA]);
    connect(&mut hub, T0, 3, BEN, &[ANNA]);
    connect(&mut hub, T0, 4, BEN, &[ANNA]);
    hub.handle_set(T0, ANNA, manual(State::Busy));
    let (_, recipients) = one_change(drain(&mut hub));
    assert_eq!(
        recipients.keys().copied().collect::<Vec<_>>(),
        [ConnId(3), ConnId(4)]
    );

    hub.handle_disconnect(T0 + SEC, ConnId(3));
    drain(&mut hub);
    hub.handle_set(T0 + 2 * SEC, ANNA, manual(State::Away));
    let (_, recipients) = one_change(drain(&mut hub));
    assert_eq!(recipients.keys().copied().collect::<Vec<_>>(), [ConnId(4)]);

    hub.handle_disconnect(T0 + 3 * SEC, ConnId(4));
    drain(&mut hub);
    hub.handle_set(T0 + 4 * SEC, ANNA, manual(State::Busy));
    let (_, recipients) = one_change(drain(&mut hub));
    assert!(recipients.is_empty(), "{recipients:?}");
}

#[test]
fn follows_at_connect_skip_unknown_people_self_and_duplicates() {
    let mut hub = hub();
    reachable(&mut hub, &[ANNA]);
    connect(&mut hub, T0, 3, BEN, &[ANNA, NOBODY, BEN, ANNA]);
    hub.handle_set(T0, ANNA, manual(State::Busy));
    let (_, recipients) = one_change(drain(&mut hub));
    assert_eq!(recipients, BTreeMap::from([(ConnId(3), View::ALL)]));

    // Ben's own change reaches his connection once, with everything.
    hub.handle_set(T0, BEN, manual(State::Busy));
    let (_, recipients) = one_change(drain(&mut hub));
    assert_eq!(recipients, BTreeMap::from([(ConnId(3), View::ALL)]));
}

#[test]
fn handle_follow_adds_and_skips_duplicates_unknown_people_and_self() {
    let mut hub = hub();
    reachable(&mut hub, &[ANNA, CARLA, DORA]);
    connect(&mut hub, T0, 3, BEN, &[ANNA]);
    let added = hub.handle_follow(ConnId(3), &[ANNA, CARLA, CARLA, NOBODY, BEN, DORA]);
    assert_eq!(added, [CARLA, DORA]);
    assert_eq!(hub.handle_follow(ConnId(3), &[CARLA, DORA]), []);
    assert_eq!(hub.handle_follow(ConnId(77), &[CARLA]), []);
    assert_eq!(drain(&mut hub), vec![]);

    for (person, view) in [(ANNA, View::ALL), (CARLA, NOTHING), (DORA, View::ALL)] {
        hub.handle_set(T0 + SEC, person, manual(State::Busy));
        let (entry, recipients) = one_change(drain(&mut hub));
        assert_eq!(entry.person, person);
        assert_eq!(recipients, BTreeMap::from([(ConnId(3), view)]));
    }

    // Follows end with the connection.
    hub.handle_disconnect(T0 + 2 * SEC, ConnId(3));
    drain(&mut hub);
    hub.handle_set(T0 + 3 * SEC, CARLA, manual(State::Away));
    let (_, recipients) = one_change(drain(&mut hub));
    assert!(recipients.is_empty());
}

// ---------------------------------------------------------------------------------------
// Hand-set state with "until"

#[test]
fn until_returns_to_available_keeps_the_location_and_clears_the_note() {
    let mut hub = hub();
    connect(&mut hub, T0, 1, ANNA, &[]);
    connect(&mut hub, T0, 3, BEN, &[ANNA]);
    let until = T0 + HOUR;
    let set = Manual::new(
        State::DoNotDisturb,
        Some(Location::OnTheRoad),
        Some("Ortstermin"),
        Some(until),
        T0,
    )
    .unwrap();
    hub.handle_set(T0, ANNA, set);
    assert_eq!(changes(&drain(&mut hub)), [(ANNA, State::DoNotDisturb)]);
    assert_eq!(hub.poll_timeout(), Some(until));

    hub.handle_timeout(until - 1);
    assert_eq!(drain(&mut hub), vec![]);
    assert_eq!(state_of(&hub, ANNA), State::DoNotDisturb);
    assert_eq!(hub.poll_timeout(), Some(until));

    hub.handle_timeout(until);
    let left = Manual {
        state: None,
        location: Some(Location::OnTheRoad),
        note: None,
        until_ms: None,
    };
    let events = drain(&mut hub);
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(
        events[0],
        Event::ManualExpired {
            person: ANNA,
            manual: left.clone()
        }
    );
    let Event::Changed { entry, recipients } = &events[1] else {
        panic!("expected Changed, got {:?}", events[1]);
    };
    assert_eq!(entry.state, State::Available);
    assert_eq!(entry.manual, left);
    assert_eq!(entry.changed_ms, until);
    assert_eq!(recipients.len(), 2);
    assert_eq!(hub.entry(ANNA).unwrap().manual, left);
    assert_eq!(hub.poll_timeout(), None);

    hub.handle_timeout(until + HOUR);
    assert_eq!(drain(&mut hub), vec![]);
}

#[test]
fn until_is_honoured_when_the_timeout_comes_late() {
    let mut hub = hub();
    connect(&mut hub, T0, 1, ANNA, &[]);
    let until = T0 + 10 * SEC;
    hub.handle_set(
        T0,
        ANNA,
        Manual::new(State::Busy, None, Some("x"), Some(until), T0).unwrap(),
    );
    drain(&mut hub);

    hub.handle_timeout(until + 5 * SEC);
    let events = drain(&mut hub);
    assert!(matches!(
        events.first(),
        Some(Event::ManualExpired { person: ANNA, manual }) if manual.state.is_none() && manual.note.is_none()
    ));
    assert_eq!(changes(&events), [(ANNA, State::Available)]);
    assert_eq!(hub.entry(ANNA).unwrap().changed_ms, until + 5 * SEC);
}

#[test]
fn a_newer_set_replaces_the_old_until() {
    let mut hub = hub();
    connect(&mut hub, T0, 1, ANNA, &[]);
    let (first, second) = (T0 + HOUR, T0 + 2 * HOUR);
    hub.handle_set(
        T0,
        ANNA,
        Manual::new(State::Busy, None, None, Some(first), T0).unwrap(),
    );
    let later = Manual::new(State::Away, None, Some("Pause"), Some(second), T0 + SEC).unwrap();
    hub.handle_set(T0 + SEC, ANNA, later.clone());
    assert_eq!(
        changes(&drain(&mut hub)),
        [(ANNA, State::Busy), (ANNA, State::Away)]
    );
    assert_eq!(hub.poll_timeout(), Some(second));

    hub.handle_timeout(first);
    assert_eq!(drain(&mut hub), vec![], "the replaced deadline fired");
    assert_eq!(hub.entry(ANNA).unwrap().manual, later);

    hub.handle_timeout(second);
    let events = drain(&mut hub);
    assert!(matches!(
        events[0],
        Event::ManualExpired { person: ANNA, .. }
    ));
    assert_eq!(changes(&events), [(ANNA, State::Available)]);
}

#[test]
fn a_newer_set_without_until_cancels_the_deadline() {
    let mut hub = hub();
    connect(&mut hub, T0, 1, ANNA, &[]);
    let until = T0 + HOUR;
    hub.handle_set(
        T0,
        ANNA,
        Manual::new(State::Busy, None, None, Some(until), T0).unwrap(),
    );
    hub.handle_set(T0 + SEC, ANNA, manual(State::DoNotDisturb));
    drain(&mut hub);
    assert_eq!(hub.poll_timeout(), None);

    hub.handle_timeout(until + HOUR);
    assert_eq!(drain(&mut hub), vec![]);
    assert_eq!(state_of(&hub, ANNA), State::DoNotDisturb);
}

#[test]
fn until_expires_while_offline_and_is_stored_back() {
    let mut hub = hub();
    connect(&mut hub, T0, 3, BEN, &[ANNA]);
    let until = T0 + HOUR;
    let set = Manual::new(State::Busy, Some(Location::Office), None, Some(until), T0).unwrap();
    hub.handle_set(T0, ANNA, set);
    assert_eq!(changes(&drain(&mut hub)), [(ANNA, State::Offline)]);

    hub.handle_timeout(until);
    let events = drain(&mut hub);
    assert!(
        matches!(&events[0], Event::ManualExpired { person: ANNA, manual }
        if manual.state() == State::Available && manual.location == Some(Location::Office))
    );
    // No client: still offline, but the hand-set part is available again.
    assert_eq!(changes(&events), [(ANNA, State::Offline)]);
    connect(&mut hub, until + SEC, 1, ANNA, &[]);
    assert_eq!(state_of(&hub, ANNA), State::Available);
}

#[test]
fn restored_until_in_the_past_expires_at_the_next_timeout() {
    let mut hub = hub();
    let stored = Manual {
        state: Some(State::Busy),
        location: None,
        note: Some("alt".into()),
        until_ms: Some(T0 - HOUR),
    };
    hub.restore_manual(T0, ANNA, stored);
    assert_eq!(drain(&mut hub), vec![], "restoring is silent");
    assert_eq!(hub.poll_timeout(), Some(T0 - HOUR));
    hub.handle_timeout(T0);
    let events = drain(&mut hub);
    assert!(matches!(
        events[0],
        Event::ManualExpired { person: ANNA, .. }
    ));
    assert_eq!(hub.entry(ANNA).unwrap().manual, Manual::default());
}

// ---------------------------------------------------------------------------------------
// Calls, meetings and phones

#[test]
fn calls_put_an_available_person_on_the_phone_until_the_last_ends() {
    let mut hub = hub();
    connect(&mut hub, T0, 1, ANNA, &[]);
    hub.handle_call(T0 + 1, ANNA, true);
    assert_eq!(changes(&drain(&mut hub)), [(ANNA, State::OnThePhone)]);
    hub.handle_call(T0 + 2, ANNA, true);
    hub.handle_call(T0 + 3, ANNA, false);
    assert_eq!(drain(&mut hub), vec![]);
    hub.handle_call(T0 + 4, ANNA, false);
    assert_eq!(changes(&drain(&mut hub)), [(ANNA, State::Available)]);
}

#[test]
fn calls_and_meetings_override_busy_and_away_but_not_do_not_disturb() {
    let mut hub = hub();
    connect(&mut hub, T0, 1, ANNA, &[]);
    hub.handle_set(T0, ANNA, manual(State::Busy));
    drain(&mut hub);
    hub.handle_meeting(T0 + 1, ANNA, true);
    assert_eq!(changes(&drain(&mut hub)), [(ANNA, State::InAMeeting)]);
    hub.handle_call(T0 + 2, ANNA, true);
    assert_eq!(changes(&drain(&mut hub)), [(ANNA, State::OnThePhone)]);
    hub.handle_call(T0 + 3, ANNA, false);
    assert_eq!(changes(&drain(&mut hub)), [(ANNA, State::InAMeeting)]);
    hub.handle_meeting(T0 + 4, ANNA, false);
    assert_eq!(changes(&drain(&mut hub)), [(ANNA, State::Busy)]);

    hub.handle_set(T0 + 5, ANNA, manual(State::Away));
    hub.handle_call(T0 + 6, ANNA, true);
    assert_eq!(
        changes(&drain(&mut hub)),
        [(ANNA, State::Away), (ANNA, State::OnThePhone)]
    );

    // Do not disturb stays while a call runs, and calls and meetings come and go.
    hub.handle_set(T0 + 7, ANNA, manual(State::DoNotDisturb));
    assert_eq!(changes(&drain(&mut hub)), [(ANNA, State::DoNotDisturb)]);
    hub.handle_meeting(T0 + 8, ANNA, true);
    hub.handle_call(T0 + 9, ANNA, true);
    hub.handle_call(T0 + 10, ANNA, false);
    hub.handle_call(T0 + 10, ANNA, false);
    hub.handle_meeting(T0 + 11, ANNA, false);
    assert_eq!(drain(&mut hub), vec![]);
    assert_eq!(state_of(&hub, ANNA), State::DoNotDisturb);
}

#[test]
fn appear_offline_is_not_overridden() {
    let mut hub = hub();
    connect(&mut hub, T0, 1, ANNA, &[]);
    connect(&mut hub, T0, 3, BEN, &[ANNA]);
    hub.handle_set(T0, ANNA, manual(State::Offline));
    assert_eq!(changes(&drain(&mut hub)), [(ANNA, State::Offline)]);
    hub.handle_call(T0 + 1, ANNA, true);
    hub.handle_meeting(T0 + 2, ANNA, true);
    hub.handle_device(T0 + 3, ANNA, true);
    connect(&mut hub, T0 + 4, 2, ANNA, &[]);
    hub.handle_activity(T0 + 5, ConnId(1), true);
    assert_eq!(drain(&mut hub), vec![]);
    assert_eq!(state_of(&hub, ANNA), State::Offline);
}

#[test]
fn a_registered_phone_alone_is_available() {
    let mut hub = hub();
    connect(&mut hub, T0, 3, BEN, &[ANNA]);
    hub.handle_device(T0, ANNA, true);
    let (entry, recipients) = one_change(drain(&mut hub));
    assert_eq!(entry.state, State::Available);
    assert_eq!(recipients, BTreeMap::from([(ConnId(3), View::ALL)]));

    hub.handle_device(T0 + 1, ANNA, true);
    hub.handle_device(T0 + 2, ANNA, false);
    assert_eq!(drain(&mut hub), vec![]);
    hub.handle_call(T0 + 3, ANNA, true);
    assert_eq!(changes(&drain(&mut hub)), [(ANNA, State::OnThePhone)]);
    hub.handle_call(T0 + 4, ANNA, false);
    hub.handle_device(T0 + 5, ANNA, false);
    assert_eq!(
        changes(&drain(&mut hub)),
        [(ANNA, State::Available), (ANNA, State::Offline)]
    );
}

#[test]
fn a_call_alone_makes_a_person_reachable() {
    // Rule 2 lists calls next to clients and phones: a call without either is on the phone.
    let mut hub = hub();
    hub.handle_call(T0, ANNA, true);
    assert_eq!(changes(&drain(&mut hub)), [(ANNA, State::OnThePhone)]);
    hub.handle_call(T0 + 1, ANNA, false);
    assert_eq!(changes(&drain(&mut hub)), [(ANNA, State::Offline)]);
    // A meeting alone does not.
    hub.handle_meeting(T0 + 2, ANNA, true);
    assert_eq!(drain(&mut hub), vec![]);
    assert_eq!(state_of(&hub, ANNA), State::Offline);
}

#[test]
fn appearing_offline_gives_nothing_away() {
    let open = Privacy {
        location: Audience::Organisation,
        note: Audience::Organisation,
    };
    let mut hub = hub_with(open);
    connect(&mut hub, T0, 1, ANNA, &[]);
    connect(&mut hub, T0, 3, BEN, &[ANNA]);
    let hidden = Manual::new(
        State::Offline,
        Some(Location::HomeOffice),
        Some("weg"),
        None,
        T0,
    )
    .unwrap();
    hub.handle_set(T0, ANNA, hidden.clone());
    let (entry, recipients) = one_change(drain(&mut hub));
    assert_eq!(entry.state, State::Offline);
    // Going offline is told, but without location or note.
    assert_eq!(
        recipients,
        BTreeMap::from([(ConnId(1), View::ALL), (ConnId(3), NOTHING)])
    );
    assert_eq!(hub.view_for(BEN, ANNA), NOTHING);
    // Changing the note while offline reaches only her own client.
    let mut again = hidden;
    again.note = Some("noch weg".into());
    hub.handle_set(T0 + SEC, ANNA, again);
    let (_, recipients) = one_change(drain(&mut hub));
    assert_eq!(recipients, BTreeMap::from([(ConnId(1), View::ALL)]));
}

#[test]
fn a_hotline_duty_is_shown_to_followers_and_wrap_up_is_busy() {
    use presence::Duty;
    let mut hub = hub();
    connect(&mut hub, T0, 1, BEN, &[ANNA]);
    connect(&mut hub, T0, 2, ANNA, &[]);
    drain(&mut hub);
    // Logged in: still available, but the duty is news for Ben.
    hub.handle_duty(T0 + 1, ANNA, Some(Duty::Ready));
    let (entry, recipients) = one_change(drain(&mut hub));
    assert_eq!(
        (entry.state, entry.duty),
        (State::Available, Some(Duty::Ready))
    );
    assert!(recipients.contains_key(&ConnId(1)));
    // The same again is no news.
    hub.handle_duty(T0 + 2, ANNA, Some(Duty::Ready));
    assert_eq!(drain(&mut hub), vec![]);
    // Wrap-up makes her busy; a pause does not.
    hub.handle_duty(T0 + 3, ANNA, Some(Duty::WrapUp));
    let (entry, _) = one_change(drain(&mut hub));
    assert_eq!((entry.state, entry.duty), (State::Busy, Some(Duty::WrapUp)));
    hub.handle_duty(T0 + 4, ANNA, Some(Duty::Paused));
    let (entry, _) = one_change(drain(&mut hub));
    assert_eq!(
        (entry.state, entry.duty),
        (State::Available, Some(Duty::Paused))
    );
    // Logged out: no duty.
    hub.handle_duty(T0 + 5, ANNA, None);
    let (entry, _) = one_change(drain(&mut hub));
    assert_eq!(entry.duty, None);
    assert_eq!(hub.entry(ANNA).unwrap().duty, None);
}
