//! The store's contract for the case database behind a hotline (issue 16), on SQLite
//! always and on PostgreSQL when the test run has one (TEST_POSTGRES_URL): who belongs to
//! a hotline; forms; cases created, changed and audited without their values; bad values,
//! full slots, forbidden transitions and stale revisions change nothing; 50 concurrent
//! bookings of a slot with 10 places give exactly 10.

mod hotline_cases;
mod staffed;

use cases::{CaseState, FormDefinition, Problem, Refusal};
use hotline_cases::*;
use serde_json::json;
use store::{CaseChange, CaseFilter, CaseRow, HotlineRole, NewCase, StoreError};

#[tokio::test]
async fn roles_come_from_the_hotline_tables() {
    for (store, db) in staffed::stores_with(FILE).await {
        let l = db.label;
        let h = hotlines(&store).await;
        let role = |hotline, who| {
            let store = store.clone();
            async move { store.hotline_role(hotline, who).await.unwrap() }
        };
        assert_eq!(role(h.health, h.agent).await, HotlineRole::Agent, "{l}");
        assert_eq!(
            role(h.health, h.supervisor).await,
            HotlineRole::Supervisor,
            "{l}"
        );
        assert_eq!(role(h.health, h.other).await, HotlineRole::None, "{l}");
        assert_eq!(role(h.health, h.nobody).await, HotlineRole::None, "{l}");
        assert_eq!(role(h.building, h.other).await, HotlineRole::Agent, "{l}");
        assert_eq!(role(h.building, h.agent).await, HotlineRole::None, "{l}");
        assert!(store.hotline_exists(h.health).await.unwrap(), "{l}");
        assert!(!store.hotline_exists(h.health + 100).await.unwrap(), "{l}");
    }
}

#[tokio::test]
async fn forms_are_versioned_and_a_stale_save_is_refused() {
    for (store, db) in staffed::stores_with(FILE).await {
        let l = db.label;
        let h = hotlines(&store).await;
        let by = actor(h.supervisor, "b.super");
        let empty = store.case_form(h.health).await.unwrap();
        assert_eq!(
            (empty.version, empty.definition.fields().len()),
            (0, 0),
            "{l}"
        );
        let saved = store
            .set_case_form(h.health, &swab_form(), Some(0), &by, NOW)
            .await
            .unwrap();
        assert_eq!(saved.version, 1, "{l}");
        let read = store.case_form(h.health).await.unwrap();
        assert_eq!((read.version, read.definition), (1, swab_form()), "{l}");
        let stale = store
            .set_case_form(h.health, &FormDefinition::default(), Some(0), &by, NOW)
            .await
            .unwrap_err();
        assert!(
            matches!(stale, StoreError::Conflict(ref m) if m.contains("Version 1")),
            "{l}: {stale:?}"
        );
        assert_eq!(store.case_form(h.health).await.unwrap().version, 1, "{l}");
        assert!(matches!(
            store.case_form(h.health + 100).await,
            Err(StoreError::UnknownHotline(_))
        ));
        let audit = store.case_history(0).await.unwrap();
        assert!(audit.is_empty(), "{l}");
    }
}

#[tokio::test]
async fn a_case_is_created_changed_and_audited_without_its_values() {
    for (store, db) in staffed::stores_with(FILE).await {
        let l = db.label;
        let h = set_up(&store).await;
        let agent = actor(h.agent, "a.agent");
        let slots = store
            .add_case_slots(h.health, &[slot(NOW + DAY, 10)], &agent, NOW)
            .await
            .unwrap();
        let new = NewCase {
            caller_number: Some("+49 (0)30 901820"),
            values: values(
                json!({"name": "Erika Mustermann", "born": "12.08.1973", "test": slots[0].id}),
            ),
            assignee: Some("a.agent"),
            state: None,
        };
        let case = store
            .create_case(h.health, &new, &agent, NOW)
            .await
            .unwrap();
        assert_eq!(case.caller_number.as_deref(), Some("+4930901820"), "{l}");
        assert_eq!(case.state, CaseState::New, "{l}");
        assert_eq!(case.revision, 1, "{l}");
        assert_eq!(case.values.get("born"), Some(&json!("1973-08-12")), "{l}");
        assert_eq!(
            case.assignee.as_ref().map(|a| a.login.as_str()),
            Some("a.agent")
        );
        assert_eq!(
            case.created_by.as_ref().map(|a| a.name.as_str()),
            Some("Anna Agent")
        );
        let booked = store.case_bookings(case.id).await.unwrap();
        assert_eq!(booked.len(), 1, "{l}");
        assert_eq!(
            (booked[0].field_key.as_str(), booked[0].slot.booked),
            ("test", 1)
        );

        // Taken up and reassigned by the supervisor, then done, then reopened.
        let sup = actor(h.supervisor, "b.super");
        let change = CaseChange {
            state: Some(CaseState::InProgress),
            assignee: Some(Some("b.super")),
            values: Some(values(json!({"reason": "Symptome"}))),
            revision: Some(1),
        };
        let changed = store
            .update_case(h.health, case.id, &change, &sup, NOW + 60)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (changed.state, changed.revision),
            (CaseState::InProgress, 2),
            "{l}"
        );
        assert_eq!(changed.assignee.map(|a| a.login), Some("b.super".into()));
        assert_eq!(changed.values.get("name"), Some(&json!("Erika Mustermann")));
        assert_eq!(changed.updated_at, NOW + 60, "{l}");
        let done = CaseChange {
            state: Some(CaseState::Done),
            ..CaseChange::default()
        };
        let closed = store
            .update_case(h.health, case.id, &done, &sup, NOW + 120)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (closed.state, closed.closed_at),
            (CaseState::Done, Some(NOW + 120))
        );
        let reopen = CaseChange {
            state: Some(CaseState::InProgress),
            ..CaseChange::default()
        };
        let reopened = store
            .update_case(h.health, case.id, &reopen, &sup, NOW + 180)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((reopened.closed_at, reopened.revision), (None, 4), "{l}");

        // A change that changes nothing writes nothing.
        let same = store
            .update_case(h.health, case.id, &reopen, &sup, NOW + 240)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((same.revision, same.updated_at), (4, NOW + 180), "{l}");

        let history = store.case_history(case.id).await.unwrap();
        let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "case.created",
                "case.changed",
                "case.changed",
                "case.changed"
            ],
            "{l}"
        );
        assert_eq!(history[0].actor.as_deref(), Some("a.agent"));
        assert!(
            history[0].detail.contains("fields: name, born, test"),
            "{}",
            history[0].detail
        );
        assert!(
            history[1].detail.contains("state: new -> in_progress"),
            "{}",
            history[1].detail
        );
        assert!(
            history[1].detail.contains("assignee: b.super"),
            "{}",
            history[1].detail
        );
        for entry in &history {
            for secret in ["Erika", "Mustermann", "1973", "901820", "Symptome"] {
                assert!(
                    !entry.detail.contains(secret),
                    "{l}: {secret} in {}",
                    entry.detail
                );
            }
        }

        // Another hotline's case number is not this hotline's.
        assert!(
            store.case(h.building, case.id).await.unwrap().is_none(),
            "{l}"
        );
        let elsewhere = store
            .update_case(h.building, case.id, &done, &sup, NOW)
            .await
            .unwrap();
        assert!(elsewhere.is_none(), "{l}");
    }
}

#[tokio::test]
async fn bad_values_full_slots_and_forbidden_changes_change_nothing() {
    for (store, db) in staffed::stores_with(FILE).await {
        let l = db.label;
        let h = set_up(&store).await;
        let agent = actor(h.agent, "a.agent");
        let slots = store
            .add_case_slots(
                h.health,
                &[slot(NOW + DAY, 1), slot(NOW + 2 * DAY, 1)],
                &agent,
                NOW,
            )
            .await
            .unwrap();
        let (one, two) = (slots[0].id, slots[1].id);
        // Every bad field is named; nothing is created, the slot keeps its place.
        let bad =
            new_case(json!({"born": "31.02.1990", "reason": "Langeweile", "test": one, "x": 1}));
        let e = store
            .create_case(h.health, &bad, &agent, NOW)
            .await
            .unwrap_err();
        assert_eq!(
            field_problems(e),
            [
                ("name".to_string(), "missing"),
                ("born".to_string(), "not_a_date"),
                ("reason".to_string(), "not_an_option"),
                ("x".to_string(), "unknown_field"),
            ],
            "{l}"
        );
        let bad_number = NewCase {
            caller_number: Some("Herr Maier"),
            ..new_case(json!({"name": "A"}))
        };
        let e = store
            .create_case(h.health, &bad_number, &agent, NOW)
            .await
            .unwrap_err();
        assert!(
            matches!(&e, StoreError::CaseRefused(Refusal::CallerNumber { raw }) if raw == "Herr Maier"),
            "{l}: {e:?}"
        );
        let page = store.cases(h.health, &CaseFilter::default()).await.unwrap();
        assert_eq!(page.total, 0, "{l}");
        assert_eq!(
            store.case_slots(h.health, 0, i64::MAX).await.unwrap()[0].booked,
            0
        );

        // The slot's one place goes to the first case; the second is refused as a whole
        // (its name is not written either).
        let first = store
            .create_case(
                h.health,
                &new_case(json!({"name": "A", "test": one})),
                &agent,
                NOW,
            )
            .await
            .unwrap();
        let second = store
            .create_case(h.health, &new_case(json!({"name": "B"})), &agent, NOW)
            .await
            .unwrap();
        let book = CaseChange {
            values: Some(values(json!({"name": "B2", "test": one}))),
            ..CaseChange::default()
        };
        let e = store
            .update_case(h.health, second.id, &book, &agent, NOW + 1)
            .await
            .unwrap_err();
        let StoreError::CaseRefused(refusal) = &e else {
            panic!("{l}: {e:?}")
        };
        assert!(refusal.is_conflict(), "{l}");
        assert!(
            e.to_string().contains("ausgebucht (alle 1 Plätze"),
            "{l}: {e}"
        );
        let unchanged = store.case(h.health, second.id).await.unwrap().unwrap();
        assert_eq!(
            unchanged, second,
            "{l}: nothing written, not even the revision"
        );
        assert_eq!(store.case_history(second.id).await.unwrap().len(), 1, "{l}");

        // Moving the first case to the other slot gives the place back.
        let moved = CaseChange {
            values: Some(values(json!({"test": two}))),
            ..CaseChange::default()
        };
        store
            .update_case(h.health, first.id, &moved, &agent, NOW + 2)
            .await
            .unwrap();
        let counts: Vec<i64> = store
            .case_slots(h.health, 0, i64::MAX)
            .await
            .unwrap()
            .iter()
            .map(|s| s.booked)
            .collect();
        assert_eq!(counts, [0, 1], "{l}");
        store
            .update_case(h.health, second.id, &book, &agent, NOW + 3)
            .await
            .unwrap();
        // Clearing the field cancels the booking.
        let clear = CaseChange {
            values: Some(values(json!({"test": null}))),
            ..CaseChange::default()
        };
        store
            .update_case(h.health, first.id, &clear, &agent, NOW + 4)
            .await
            .unwrap();
        for s in store.case_slots(h.health, 0, i64::MAX).await.unwrap() {
            assert_eq!(
                s.booked,
                store.count_bookings_for_test(s.id).await.unwrap(),
                "{l}"
            );
        }
        assert!(
            store.case_bookings(first.id).await.unwrap().is_empty(),
            "{l}"
        );

        // A slot that has begun, an unknown one and another hotline's are refused.
        let building = store
            .add_case_slots(h.building, &[slot(NOW + DAY, 5)], &agent, NOW)
            .await
            .unwrap();
        for (slot, at, problem) in [
            (two, NOW + 2 * DAY, "slot_started"),
            (two + 1000, NOW, "slot_unknown"),
            (building[0].id, NOW, "slot_unknown"),
        ] {
            let change = CaseChange {
                values: Some(values(json!({"test": slot}))),
                ..CaseChange::default()
            };
            let e = store
                .update_case(h.health, first.id, &change, &agent, at)
                .await
                .unwrap_err();
            assert_eq!(field_problems(e), [("test".to_string(), problem)], "{l}");
        }

        // Done cannot go back to new; a change on an old revision is refused.
        let done = CaseChange {
            state: Some(CaseState::Done),
            ..CaseChange::default()
        };
        let closed = store
            .update_case(h.health, first.id, &done, &agent, NOW + 5)
            .await
            .unwrap()
            .unwrap();
        let back = CaseChange {
            state: Some(CaseState::New),
            ..CaseChange::default()
        };
        let e = store
            .update_case(h.health, first.id, &back, &agent, NOW + 6)
            .await
            .unwrap_err();
        assert!(
            matches!(e, StoreError::CaseRefused(Refusal::Transition(_))),
            "{l}: {e:?}"
        );
        let stale = CaseChange {
            values: Some(values(json!({"name": "Z"}))),
            revision: Some(closed.revision - 1),
            ..CaseChange::default()
        };
        let e = store
            .update_case(h.health, first.id, &stale, &agent, NOW + 6)
            .await
            .unwrap_err();
        assert!(
            matches!(e, StoreError::CaseRefused(Refusal::Stale { .. })),
            "{l}: {e:?}"
        );
        // Only the hotline's agents and supervisors can be assigned.
        for login in ["c.other", "d.none", "nobody.at.all"] {
            let assign = CaseChange {
                assignee: Some(Some(login)),
                ..CaseChange::default()
            };
            let e = store
                .update_case(h.health, first.id, &assign, &agent, NOW + 7)
                .await
                .unwrap_err();
            assert!(
                matches!(&e, StoreError::CaseRefused(Refusal::AssigneeNotMember { login: l }) if l == login),
                "{e:?}"
            );
        }
        assert_eq!(
            store.case(h.health, first.id).await.unwrap().unwrap(),
            closed,
            "{l}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_bookings_of_ten_places_give_exactly_ten() {
    for (store, db) in staffed::stores_with(FILE).await {
        let l = db.label;
        let h = set_up(&store).await;
        let agent = actor(h.agent, "a.agent");
        let slot = store
            .add_case_slots(h.health, &[slot(NOW + DAY, 10)], &agent, NOW)
            .await
            .unwrap()[0];
        let mut cases: Vec<CaseRow> = Vec::new();
        for i in 0..50 {
            let new = new_case(json!({"name": format!("Person {i}")}));
            cases.push(
                store
                    .create_case(h.health, &new, &agent, NOW)
                    .await
                    .unwrap(),
            );
        }
        let (hotline, agent_id) = (h.health, h.agent);
        let tasks: Vec<_> = cases
            .iter()
            .map(|case| {
                let store = store.clone();
                let id = case.id;
                tokio::spawn(async move {
                    let change = CaseChange {
                        values: Some(values(json!({"test": slot.id}))),
                        ..CaseChange::default()
                    };
                    let by = actor(agent_id, "a.agent");
                    store.update_case(hotline, id, &change, &by, NOW + 1).await
                })
            })
            .collect();
        let (mut booked, mut full) = (0, 0);
        for task in tasks {
            match task.await.unwrap() {
                Ok(Some(case)) => {
                    assert_eq!(case.values.slot("test"), Some(slot.id), "{l}");
                    booked += 1;
                }
                Err(StoreError::CaseRefused(Refusal::Fields(errors))) => {
                    assert_eq!(errors.len(), 1, "{l}");
                    assert!(
                        matches!(errors[0].problem, Problem::SlotFull { capacity: 10, .. }),
                        "{l}: {:?}",
                        errors[0]
                    );
                    assert!(errors[0].to_string().contains("ausgebucht"), "{l}");
                    full += 1;
                }
                other => panic!("{l}: {other:?}"),
            }
        }
        assert_eq!((booked, full), (10, 40), "{l}");
        let stored = store.case_slots(h.health, 0, i64::MAX).await.unwrap();
        assert_eq!(stored[0].booked, 10, "{l}");
        assert_eq!(
            store.count_bookings_for_test(slot.id).await.unwrap(),
            10,
            "{l}"
        );
        let mut holding = 0;
        for case in &cases {
            let now = store.case(h.health, case.id).await.unwrap().unwrap();
            holding += usize::from(now.values.slot("test").is_some());
        }
        assert_eq!(holding, 10, "{l}: only the booked cases hold the slot");
    }
}
