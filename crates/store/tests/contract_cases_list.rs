//! The store's contract for finding and forgetting cases (issue 16), on SQLite always and
//! on PostgreSQL when the test run has one (TEST_POSTGRES_URL): search and filters of the
//! case list, a caller's earlier cases, the hotline's slots, and retention, which deletes
//! only the closed cases that are due.

mod hotline_cases;
mod staffed;

use cases::CaseState;
use hotline_cases::*;
use serde_json::json;
use store::{CaseChange, CaseFilter, NewCase, StoreError};

#[tokio::test]
async fn the_list_searches_filters_and_finds_a_callers_earlier_cases() {
    for (store, db) in staffed::stores_with(FILE).await {
        let l = db.label;
        let h = set_up(&store).await;
        let agent = actor(h.agent, "a.agent");
        let make = |name: &'static str, caller: Option<&'static str>, at: i64| {
            let store = store.clone();
            async move {
                let new = NewCase {
                    caller_number: caller,
                    ..new_case(json!({"name": name, "born": "1973-08-12"}))
                };
                store.create_case(h.health, &new, &agent, at).await.unwrap()
            }
        };
        let erika = make("Erika Müller", Some("0151 5550123"), NOW).await;
        let max = make("Max Müller", Some("+49 30 901820"), NOW + 10).await;
        let jonas = make("Jonas Weiß", Some("0151-5550123"), NOW + 20).await;
        store
            .create_case(h.building, &new_case(json!({})), &agent, NOW)
            .await
            .unwrap();
        let ids = |filter: CaseFilter| {
            let store = store.clone();
            async move {
                let page = store.cases(h.health, &filter).await.unwrap();
                (
                    page.cases.iter().map(|c| c.id).collect::<Vec<_>>(),
                    page.total,
                )
            }
        };
        let all = ids(CaseFilter::default()).await;
        assert_eq!(
            all,
            (vec![jonas.id, max.id, erika.id], 3),
            "{l}: newest first, one hotline"
        );
        let text = |t: &str| CaseFilter {
            text: Some(t.into()),
            ..CaseFilter::default()
        };
        assert_eq!(ids(text("MÜLLER")).await.0, [max.id, erika.id], "{l}");
        assert_eq!(ids(text("müller erika")).await.0, [erika.id], "{l}");
        assert_eq!(ids(text("5550123")).await.0, [jonas.id, erika.id], "{l}");
        assert_eq!(ids(text("+49(0)30")).await.0, [max.id], "{l}");
        assert_eq!(ids(text("12.08.1973")).await.1, 3, "{l}");
        assert_eq!(
            ids(text("100%")).await.1,
            0,
            "{l}: LIKE wildcards are literal"
        );
        let page = CaseFilter {
            limit: 2,
            offset: 1,
            ..CaseFilter::default()
        };
        assert_eq!(ids(page).await, (vec![max.id, erika.id], 3), "{l}");
        let span = CaseFilter {
            created_from: Some(NOW + 5),
            created_until: Some(NOW + 20),
            ..CaseFilter::default()
        };
        assert_eq!(ids(span).await.0, [max.id], "{l}");
        let done = CaseChange {
            state: Some(CaseState::Done),
            assignee: Some(Some("b.super")),
            ..CaseChange::default()
        };
        store
            .update_case(h.health, max.id, &done, &agent, NOW + 30)
            .await
            .unwrap();
        let by_state = CaseFilter {
            state: Some(CaseState::Done),
            ..CaseFilter::default()
        };
        assert_eq!(ids(by_state).await.0, [max.id], "{l}");
        let by_assignee = CaseFilter {
            assignee: Some(h.supervisor),
            ..CaseFilter::default()
        };
        assert_eq!(ids(by_assignee).await.0, [max.id], "{l}");

        let earlier = store
            .cases_by_caller(h.health, "0151/555 01 23", 10)
            .await
            .unwrap();
        let earlier: Vec<i64> = earlier.iter().map(|c| c.id).collect();
        assert_eq!(earlier, [jonas.id, erika.id], "{l}");
        assert!(store
            .cases_by_caller(h.building, "01515550123", 10)
            .await
            .unwrap()
            .is_empty());
        assert!(store
            .cases_by_caller(h.health, "unbekannt", 10)
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn retention_deletes_only_the_closed_cases_that_are_due() {
    for (store, db) in staffed::stores_with(FILE).await {
        let l = db.label;
        let h = set_up(&store).await;
        store
            .set_case_retention_for_test(h.health, 30)
            .await
            .unwrap();
        let agent = actor(h.agent, "a.agent");
        let long_ago = NOW - 400 * DAY;
        let slot = store
            .add_case_slots(h.health, &[slot(long_ago + DAY, 3)], &agent, long_ago)
            .await
            .unwrap()[0];
        let create = |name: &'static str, booking: bool| {
            let store = store.clone();
            async move {
                let v = if booking {
                    json!({"name": name, "test": slot.id})
                } else {
                    json!({"name": name})
                };
                store
                    .create_case(h.health, &new_case(v), &agent, long_ago)
                    .await
                    .unwrap()
            }
        };
        let close = |id: i64, hotline: i64, at: i64| {
            let store = store.clone();
            async move {
                let done = CaseChange {
                    state: Some(CaseState::Done),
                    ..CaseChange::default()
                };
                store
                    .update_case(hotline, id, &done, &agent, at)
                    .await
                    .unwrap();
            }
        };
        let due = create("due", true).await;
        close(due.id, h.health, NOW - 30 * DAY).await;
        let not_yet = create("not yet", true).await;
        close(not_yet.id, h.health, NOW - 30 * DAY + 1).await;
        let open = create("open for a year", false).await;
        // The building office keeps closed cases 90 days.
        let elsewhere = store
            .create_case(h.building, &new_case(json!({})), &agent, long_ago)
            .await
            .unwrap();
        close(elsewhere.id, h.building, NOW - 31 * DAY).await;
        assert_eq!(
            store.case_slots(h.health, 0, i64::MAX).await.unwrap()[0].booked,
            2
        );

        assert_eq!(store.delete_due_cases(NOW).await.unwrap(), 1, "{l}");
        assert!(store.case(h.health, due.id).await.unwrap().is_none(), "{l}");
        for (hotline, kept) in [
            (h.health, not_yet.id),
            (h.health, open.id),
            (h.building, elsewhere.id),
        ] {
            assert!(
                store.case(hotline, kept).await.unwrap().is_some(),
                "{l}: {kept}"
            );
        }
        // The due case's booking went with it and gave its place back.
        let slots = store.case_slots(h.health, 0, i64::MAX).await.unwrap();
        assert_eq!(slots[0].booked, 1, "{l}");
        assert_eq!(
            store.count_bookings_for_test(slot.id).await.unwrap(),
            1,
            "{l}"
        );
        let filter = store::AuditFilter {
            action_prefix: Some("case.retention".into()),
            ..store::AuditFilter::default()
        };
        let logged = store.audit_entries(&filter).await.unwrap();
        assert_eq!(logged.len(), 1, "{l}");
        assert!(
            logged[0].detail.starts_with("1 closed cases deleted"),
            "{}",
            logged[0].detail
        );
        assert_eq!(logged[0].at, NOW, "{l}");

        // A second later the next one is due; nothing else, and no line when nothing is.
        assert_eq!(store.delete_due_cases(NOW + 1).await.unwrap(), 1, "{l}");
        assert_eq!(store.delete_due_cases(NOW + 2).await.unwrap(), 0, "{l}");
        assert_eq!(store.audit_entries(&filter).await.unwrap().len(), 2, "{l}");
        assert_eq!(
            store.case_slots(h.health, 0, i64::MAX).await.unwrap()[0].booked,
            0
        );
        // A new case never gets a deleted case's number (the audit log refers to them).
        let fresh = create("fresh", false).await;
        assert!(fresh.id > not_yet.id && fresh.id > elsewhere.id, "{l}");
        assert!(
            store.case_history(fresh.id).await.unwrap().len() == 1,
            "{l}"
        );
    }
}

#[tokio::test]
async fn slots_are_added_all_or_none_and_listed_by_time() {
    for (store, db) in staffed::stores_with(FILE).await {
        let l = db.label;
        let h = hotlines(&store).await;
        let by = actor(h.supervisor, "b.super");
        let added = store
            .add_case_slots(
                h.health,
                &[slot(NOW + 2 * DAY, 5), slot(NOW + DAY, 10)],
                &by,
                NOW,
            )
            .await
            .unwrap();
        assert_eq!(added.len(), 2, "{l}");
        let e = store
            .add_case_slots(
                h.health,
                &[slot(NOW + 3 * DAY, 1), slot(NOW + DAY, 10)],
                &by,
                NOW,
            )
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Conflict(_)), "{l}: {e:?}");
        let listed = store.case_slots(h.health, 0, i64::MAX).await.unwrap();
        let starts: Vec<i64> = listed.iter().map(|s| s.starts_at).collect();
        assert_eq!(
            starts,
            [NOW + DAY, NOW + 2 * DAY],
            "{l}: time order, nothing of the refused"
        );
        let day_two = store
            .case_slots(h.health, NOW + 2 * DAY, NOW + 3 * DAY)
            .await
            .unwrap();
        assert_eq!((day_two.len(), day_two[0].capacity), (1, 5), "{l}");
        assert!(store
            .case_slots(h.building, 0, i64::MAX)
            .await
            .unwrap()
            .is_empty());
        let by_id = store
            .slots_by_id(&[added[0].id, added[1].id + 99])
            .await
            .unwrap();
        assert_eq!(by_id.len(), 1, "{l}");
        assert!(matches!(
            store
                .add_case_slots(h.health + 100, &[slot(NOW + DAY, 1)], &by, NOW)
                .await,
            Err(StoreError::UnknownHotline(_))
        ));
        let audit = store
            .audit_entries(&store::AuditFilter {
                action_prefix: Some("case.slots".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(audit.len(), 1, "{l}");
    }
}
