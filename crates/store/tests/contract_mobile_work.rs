//! The store's contract for mobile work (issue 19), on SQLite always and on PostgreSQL
//! when the test run has one (TEST_POSTGRES_URL): no desk booked twice under 50 concurrent
//! bookings, whole days all or nothing, cancel/check-in/release; agreement transitions
//! guarded by state (two concurrent approvals: one wins) with their history in order;
//! waiting lists in the planner's order and caps; acknowledgements of a new text version.

mod staffed;

use jiff::civil::{date, Date};
use planner::agreement_rules::{AgreementRules, Application, Eligibility, MobileLimits, Person};
use planner::approval::{authorise, Agreement, Applied, Capacity, Leadership};
use planner::calendar::{DayPart, WeekdaySet};
use planner::desks::{due_for_release, BookingState, ReleasePolicy};
use planner::ids::{AgreementId, PersonId, UnitId};
use planner::rollout::{change_cap, Scheme};
use planner::terms::DaysPattern;
use store::{AgreementState, RolloutCriterionRow, RoomKind, Store, StoreError};

const PEOPLE: &str = "login,name,unit,extension,email\n\
    a.amt,Anna Amt,Bauamt,2001,\n\
    b.bau,Bernd Bau,Bauamt,2002,\n\
    c.statik,Clara Statik,Bauamt/Statik,2003,\n\
    d.statik,Dora Statik,Bauamt/Statik,2004,\n\
    e.statik,Emil Statik,Bauamt/Statik,2005,\n";

async fn id(store: &Store, login: &str) -> i64 {
    store.panel_person(login).await.unwrap().unwrap().id
}

async fn unit(store: &Store, path: &str) -> i64 {
    store.unit_id_by_path(path).await.unwrap().unwrap()
}

/// A desk in a room on a floor of a building.
async fn desk(store: &Store) -> i64 {
    let building = store
        .add_building("Rathaus", Some("Marktplatz 1"))
        .await
        .unwrap();
    let floor = store
        .add_floor(building, "1. OG", 1, Some("plan.png"))
        .await
        .unwrap();
    let room = store
        .add_room(floor, "1.12", RoomKind::Office, 4)
        .await
        .unwrap();
    store
        .add_desk(
            room,
            "1.12-A",
            &["docking", "two_screens"],
            Some((120, 340)),
        )
        .await
        .unwrap()
}

const DAY: fn() -> Date = || date(2025, 3, 10);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_bookings_of_one_desk_one_wins() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let desk = desk(&store).await;
        let people = [
            id(&store, "a.amt").await,
            id(&store, "b.bau").await,
            id(&store, "c.statik").await,
        ];
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let store = store.clone();
                let person = people[i % people.len()];
                tokio::spawn(async move {
                    store
                        .book_desk(desk, person, DAY(), DayPart::Morning, i as i64)
                        .await
                })
            })
            .collect();
        let mut won = Vec::new();
        let mut taken = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(booking) => won.push(booking),
                Err(StoreError::DeskTaken { desk: d, day, half }) => {
                    assert_eq!((d, day, half), (desk, DAY(), "vormittags"), "{l}");
                    taken += 1;
                }
                Err(other) => panic!("{l}: {other:?}"),
            }
        }
        assert_eq!((won.len(), taken), (1, 49), "{l}");
        let stored = store.desk_bookings_between(DAY(), DAY()).await.unwrap();
        assert_eq!(stored, won, "{l}: nothing written for the refused ones");
        // The afternoon is still free.
        store
            .book_desk(desk, people[1], DAY(), DayPart::Afternoon, 60)
            .await
            .unwrap_or_else(|e| panic!("{l}: {e}"));
    }
}

#[tokio::test]
async fn a_whole_day_that_half_collides_writes_nothing() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let desk = desk(&store).await;
        let (anna, bernd) = (id(&store, "a.amt").await, id(&store, "b.bau").await);
        let afternoon = store
            .book_desk(desk, anna, DAY(), DayPart::Afternoon, 1)
            .await
            .unwrap();
        let refused = store.book_desk(desk, bernd, DAY(), DayPart::Whole, 2).await;
        assert!(
            matches!(
                refused,
                Err(StoreError::DeskTaken {
                    half: "nachmittags",
                    ..
                })
            ),
            "{l}: {refused:?}"
        );
        assert!(
            refused.unwrap_err().to_string().contains("bereits gebucht"),
            "{l}"
        );
        let stored = store.desk_bookings_between(DAY(), DAY()).await.unwrap();
        assert_eq!(stored, vec![afternoon], "{l}: not even the morning half");
        // The morning alone is free.
        let morning = store
            .book_desk(desk, bernd, DAY(), DayPart::Morning, 3)
            .await
            .unwrap();

        // Cancelling frees the afternoon; a whole day is still refused (the morning is held).
        assert!(
            !store
                .cancel_desk_booking(afternoon.id, bernd, 4)
                .await
                .unwrap(),
            "{l}: not Bernd's"
        );
        assert!(
            store
                .cancel_desk_booking(afternoon.id, anna, 4)
                .await
                .unwrap(),
            "{l}"
        );
        assert!(
            store
                .book_desk(desk, anna, DAY(), DayPart::Whole, 5)
                .await
                .is_err(),
            "{l}"
        );
        let next_day = date(2025, 3, 11);
        let whole = store
            .book_desk(desk, anna, next_day, DayPart::Whole, 6)
            .await
            .unwrap();

        // Check-in: Bernd's own booking; not Anna's for him.
        let checked = store
            .check_in_desk_booking(morning.id, bernd, 7)
            .await
            .unwrap();
        assert_eq!(
            (checked.state, checked.checked_in_ms),
            (BookingState::CheckedIn, Some(7)),
            "{l}"
        );
        let again = store
            .check_in_desk_booking(morning.id, bernd, 8)
            .await
            .unwrap();
        assert_eq!(
            again.checked_in_ms,
            Some(7),
            "{l}: the first check-in counts"
        );
        assert!(
            matches!(
                store.check_in_desk_booking(whole.id, bernd, 8).await,
                Err(StoreError::Conflict(_))
            ),
            "{l}"
        );

        // Release of unchecked bookings, as the planner chooses them at 10:00 on the next day.
        let policy = ReleasePolicy {
            morning_by: jiff::civil::time(10, 0, 0, 0),
            afternoon_by: jiff::civil::time(14, 0, 0, 0),
        };
        let all: Vec<_> = store
            .desk_bookings_between(DAY(), next_day)
            .await
            .unwrap()
            .iter()
            .map(|b| b.to_planner())
            .collect();
        let due = due_for_release(&all, &policy, next_day.at(10, 0, 0, 0));
        assert_eq!(due, vec![planner::ids::BookingId(whole.id)], "{l}");
        assert_eq!(
            store.release_desk_bookings(&due, 9).await.unwrap(),
            due,
            "{l}"
        );
        assert_eq!(
            store.release_desk_bookings(&due, 10).await.unwrap(),
            vec![],
            "{l}: once"
        );
        let released = store.desk_booking(whole.id).await.unwrap().unwrap();
        assert_eq!(released.state, BookingState::Released, "{l}");
        // A released desk is free again.
        store
            .book_desk(desk, bernd, next_day, DayPart::Afternoon, 11)
            .await
            .unwrap();
        // A checked-in booking is not released.
        let checked = planner::ids::BookingId(morning.id);
        assert_eq!(
            store.release_desk_bookings(&[checked], 12).await.unwrap(),
            vec![],
            "{l}"
        );
    }
}

fn rules() -> AgreementRules {
    AgreementRules {
        eligibility: Eligibility::default(),
        limits: MobileLimits {
            days_per_week: 3,
            days_per_month: 12,
        },
        workdays: WeekdaySet::MONDAY_TO_FRIDAY,
        core_hours: None,
        acknowledgements: vec![],
        notice_days: 28,
        max_term_days: None,
        reminder_days: vec![],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_concurrent_approvals_one_wins_with_the_history_in_order() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let (anna, bernd, clara) = (
            id(&store, "a.amt").await,
            id(&store, "b.bau").await,
            id(&store, "c.statik").await,
        );
        let (bauamt, statik) = (
            unit(&store, "Bauamt").await,
            unit(&store, "Bauamt/Statik").await,
        );
        store
            .set_unit_leaders(bauamt, Some(anna), &[bernd])
            .await
            .unwrap();
        let chain = store.leadership_chain(clara).await.unwrap();
        assert_eq!(
            chain,
            vec![
                Leadership {
                    unit: UnitId(statik),
                    head: None,
                    deputies: vec![]
                },
                Leadership {
                    unit: UnitId(bauamt),
                    head: Some(PersonId(anna)),
                    deputies: vec![PersonId(bernd)]
                },
            ],
            "{l}"
        );
        // Anna is away, so Bernd decides as her deputy.
        let today = date(2025, 3, 3);
        store
            .add_absence(anna, today, date(2025, 3, 7))
            .await
            .unwrap();
        let absent = store.absent_on(today).await.unwrap();
        assert_eq!(absent, vec![PersonId(anna)], "{l}");
        let deputy = authorise(&chain, PersonId(bernd), PersonId(clara), &absent).unwrap();
        assert_eq!(deputy.capacity(), Capacity::Deputy(UnitId(bauamt)), "{l}");

        let person = Person {
            id: PersonId(clara),
            units: vec![UnitId(statik), UnitId(bauamt)],
            roles: vec![],
        };
        let application = Application {
            pattern: DaysPattern::PerWeek(2),
            start: DAY(),
            end: Some(date(2025, 12, 31)),
            reachable: None,
            acknowledged: vec![],
            reason: Some("Pflege".into()),
        };
        let now = today.at(9, 0, 0, 0);
        let (applied, audit) =
            Applied::submit(AgreementId(0), &person, application, &rules(), now).unwrap();
        let id = store.insert_agreement(&applied, &audit, 1).await.unwrap();
        let row = store.agreement(id).await.unwrap().unwrap();
        assert_eq!(
            (row.state, row.revision, row.staff_id),
            (AgreementState::Applied, 1, clara),
            "{l}"
        );
        let Agreement::Applied(read) = row.to_planner() else {
            panic!("{l}: {row:?}")
        };

        // Two approvals at once (two tabs): one is written, the other refused.
        let tasks: Vec<_> = (0..2)
            .map(|i| {
                let (store, read, deputy) = (store.clone(), read.clone(), deputy.clone());
                tokio::spawn(async move {
                    let at = today.at(10, i, 0, 0);
                    let (approved, audit) = read.approve(&deputy, at).unwrap();
                    store
                        .record_agreement_transition(
                            id,
                            AgreementState::Applied,
                            1,
                            &Agreement::Approved(approved),
                            &audit,
                            2,
                        )
                        .await
                })
            })
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        let won: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(won.len(), 1, "{l}: {results:?}");
        assert_eq!(
            (won[0].state, won[0].revision),
            (AgreementState::Approved, 2),
            "{l}"
        );
        assert!(
            results.iter().any(|r| matches!(
                r,
                Err(StoreError::AgreementChanged {
                    expected: AgreementState::Applied,
                    found: AgreementState::Approved,
                    ..
                })
            )),
            "{l}: {results:?}"
        );

        // The holder revokes; a stale revision is refused.
        let row = store.agreement(id).await.unwrap().unwrap();
        let Agreement::Approved(approved) = row.to_planner() else {
            panic!("{l}")
        };
        let later = date(2025, 4, 1).at(8, 0, 0, 0);
        let (revoking, audit) = approved
            .revoke(
                planner::approval::Party::Manager(&deputy),
                later,
                "Umorganisation".into(),
                &rules(),
            )
            .map_err(|r| r.error)
            .unwrap();
        let next = Agreement::Revoking(revoking);
        let stale = store
            .record_agreement_transition(id, AgreementState::Approved, 1, &next, &audit, 3)
            .await;
        assert!(
            matches!(stale, Err(StoreError::AgreementChanged { .. })),
            "{l}: {stale:?}"
        );
        let written = store
            .record_agreement_transition(id, AgreementState::Approved, 2, &next, &audit, 3)
            .await
            .unwrap();
        assert_eq!(written.state, AgreementState::Revoking, "{l}");
        assert_eq!(written.to_planner(), next, "{l}: read back as written");

        let history = store.agreement_history(id).await.unwrap();
        let actions: Vec<_> = history.iter().map(|h| (h.seq, h.action.as_str())).collect();
        assert_eq!(
            actions,
            vec![(1, "applied"), (2, "approved"), (3, "revocation_given")],
            "{l}"
        );
        assert!(
            history[1].summary.starts_with("Genehmigt"),
            "{l}: {}",
            history[1].summary
        );
        assert_eq!(history[0].at, now, "{l}");
        assert!(
            matches!(history[1].actor, planner::approval::Actor::Decider { person, .. } if person == PersonId(bernd)),
            "{l}"
        );
        assert_eq!(store.agreements_of(clara).await.unwrap().len(), 1, "{l}");
        assert_eq!(
            store
                .agreements_in_state(AgreementState::Revoking)
                .await
                .unwrap()
                .len(),
            1,
            "{l}"
        );
    }
}

#[tokio::test]
async fn waiting_list_in_the_planners_order_and_caps() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let people = [
            id(&store, "a.amt").await,
            id(&store, "b.bau").await,
            id(&store, "c.statik").await,
            id(&store, "d.statik").await,
            id(&store, "e.statik").await,
        ];
        let criteria = [
            RolloutCriterionRow {
                key: "schwerbehinderung".into(),
                label: "Schwerbehinderung".into(),
                weight: 3,
            },
            RolloutCriterionRow {
                key: "pflege".into(),
                label: "Pflege von Angehörigen".into(),
                weight: 2,
            },
        ];
        store
            .configure_rollout("mobile_work", Some(2), Scheme::Weights, &criteria, 1)
            .await
            .unwrap();
        store
            .admit_to_rollout(
                "mobile_work",
                &[PersonId(people[0]), PersonId(people[1])],
                2,
            )
            .await
            .unwrap();
        // The cap is reached: a third admission is refused and nothing is written.
        let full = store
            .admit_to_rollout("mobile_work", &[PersonId(people[2])], 3)
            .await;
        assert!(
            matches!(full, Err(StoreError::CapReached { cap: 2, .. })),
            "{l}: {full:?}"
        );
        let at = |h| date(2025, 3, 3).at(h, 0, 0, 0);
        // Clara applied first with no criterion, Dora later with care duties, Emil last
        // with a severe disability.
        store
            .add_to_waiting_list("mobile_work", people[2], at(8), &[])
            .await
            .unwrap();
        store
            .add_to_waiting_list("mobile_work", people[3], at(9), &["pflege".into()])
            .await
            .unwrap();
        store
            .add_to_waiting_list(
                "mobile_work",
                people[4],
                at(10),
                &["schwerbehinderung".into()],
            )
            .await
            .unwrap();
        let twice = store
            .add_to_waiting_list("mobile_work", people[4], at(11), &[])
            .await;
        assert!(matches!(twice, Err(StoreError::Conflict(_))), "{l}");
        let holder = store
            .add_to_waiting_list("mobile_work", people[0], at(11), &[])
            .await;
        assert!(matches!(holder, Err(StoreError::Conflict(_))), "{l}");
        let unknown = store
            .add_to_waiting_list("mobile_work", people[0], at(11), &["pendeln".into()])
            .await;
        assert!(matches!(unknown, Err(StoreError::Invalid(_))), "{l}");

        let feature = store.rollout_feature("mobile_work").await.unwrap().unwrap();
        assert_eq!((feature.cap, feature.holders), (Some(2), 2), "{l}");
        let waiting: Vec<_> = store
            .waiting_list("mobile_work")
            .await
            .unwrap()
            .iter()
            .map(|w| w.applicant())
            .collect();
        let order: Vec<_> = feature
            .priority
            .order(&waiting)
            .iter()
            .map(|a| a.person.0)
            .collect();
        assert_eq!(order, vec![people[4], people[3], people[2]], "{l}");
        // Tiers: the same here (the severe disability ranks first).
        store
            .configure_rollout("mobile_work", Some(2), Scheme::Tiers, &criteria, 4)
            .await
            .unwrap();
        let tiers = store.rollout_feature("mobile_work").await.unwrap().unwrap();
        assert_eq!(tiers.holders, 2, "{l}: reconfiguring keeps the holders");
        assert_eq!(
            tiers.priority.position(&waiting, PersonId(people[2])),
            Some(3),
            "{l}"
        );

        // Raising the cap to 4 admits the next two in line.
        store
            .set_rollout_cap("mobile_work", Some(4), 5)
            .await
            .unwrap();
        let next = change_cap(Some(4), tiers.holders, &tiers.priority, &waiting);
        assert_eq!(next, vec![PersonId(people[4]), PersonId(people[3])], "{l}");
        store
            .admit_to_rollout("mobile_work", &next, 6)
            .await
            .unwrap();
        let left: Vec<_> = store
            .waiting_list("mobile_work")
            .await
            .unwrap()
            .iter()
            .map(|w| w.staff_id)
            .collect();
        assert_eq!(left, vec![people[2]], "{l}");
        assert_eq!(
            store
                .rollout_feature("mobile_work")
                .await
                .unwrap()
                .unwrap()
                .holders,
            4,
            "{l}"
        );
        // Admitting two when one place is left admits neither.
        store
            .set_rollout_cap("mobile_work", Some(5), 7)
            .await
            .unwrap();
        assert!(
            store
                .remove_rollout_holder("mobile_work", people[0])
                .await
                .unwrap(),
            "{l}"
        );
        let two = store
            .admit_to_rollout(
                "mobile_work",
                &[PersonId(people[2]), PersonId(people[0])],
                8,
            )
            .await;
        assert!(two.is_ok(), "{l}: two places after a removal: {two:?}");
        let three = store
            .admit_to_rollout("mobile_work", &[PersonId(people[0])], 9)
            .await;
        assert!(
            matches!(
                three,
                Err(StoreError::Conflict(_)) | Err(StoreError::CapReached { .. })
            ),
            "{l}"
        );
        let holders = store.rollout_holders("mobile_work").await.unwrap();
        assert_eq!(holders.len(), 5, "{l}");
        assert_eq!(
            store
                .rollout_feature("mobile_work")
                .await
                .unwrap()
                .unwrap()
                .holders,
            5,
            "{l}"
        );
    }
}

#[tokio::test]
async fn a_new_text_version_is_acknowledged_again() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let anna = id(&store, "a.amt").await;
        let rules = serde_json::json!({ "days_per_week": 3, "notice_days": 28 });
        store.set_mobile_work_rules(&rules, 1).await.unwrap();
        assert_eq!(store.mobile_work_rules().await.unwrap(), Some(rules), "{l}");

        let v1 = store
            .publish_acknowledgement_text("datenschutz", "Datenschutz", "Fassung 1", 1)
            .await
            .unwrap();
        assert_eq!(v1.version, 1, "{l}");
        store
            .publish_acknowledgement_text("it_sicherheit", "IT-Sicherheit", "Fassung 1", 1)
            .await
            .unwrap();
        store
            .acknowledge_text(anna, "datenschutz", 1, 2)
            .await
            .unwrap();
        store
            .acknowledge_text(anna, "it_sicherheit", 1, 2)
            .await
            .unwrap();
        store
            .acknowledge_text(anna, "it_sicherheit", 1, 3)
            .await
            .unwrap();
        assert!(
            store.unacknowledged_texts(anna).await.unwrap().is_empty(),
            "{l}"
        );

        let v2 = store
            .publish_acknowledgement_text("datenschutz", "Datenschutz", "Fassung 2", 4)
            .await
            .unwrap();
        assert_eq!(v2.version, 2, "{l}");
        let ask: Vec<_> = store
            .unacknowledged_texts(anna)
            .await
            .unwrap()
            .into_iter()
            .map(|t| (t.key, t.version))
            .collect();
        assert_eq!(ask, vec![("datenschutz".to_string(), 2)], "{l}");
        let unknown = store.acknowledge_text(anna, "datenschutz", 3, 5).await;
        assert!(matches!(unknown, Err(StoreError::Invalid(_))), "{l}");
        store
            .acknowledge_text(anna, "datenschutz", 2, 5)
            .await
            .unwrap();
        assert!(
            store.unacknowledged_texts(anna).await.unwrap().is_empty(),
            "{l}"
        );
        let acks: Vec<_> = store
            .acknowledgements_of(anna)
            .await
            .unwrap()
            .into_iter()
            .map(|a| (a.key, a.version, a.at_ms))
            .collect();
        assert_eq!(
            acks,
            vec![
                ("datenschutz".to_string(), 1, 2),
                ("datenschutz".to_string(), 2, 5),
                ("it_sicherheit".to_string(), 1, 2)
            ],
            "{l}"
        );
        let current: Vec<_> = store
            .current_acknowledgement_texts()
            .await
            .unwrap()
            .into_iter()
            .map(|t| (t.key, t.version, t.body))
            .collect();
        assert_eq!(
            current[0],
            ("datenschutz".into(), 2, "Fassung 2".into()),
            "{l}"
        );
    }
}

/// Administrators setting one unit's leaders at once: every call succeeds, the last one
/// written stands whole (one head, its deputies), none fails on the unique index.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_leader_changes_all_land_whole() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let bauamt = unit(&store, "Bauamt").await;
        let (anna, bernd) = (id(&store, "a.amt").await, id(&store, "b.bau").await);
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let store = store.clone();
                let (head, deputy) = if i % 2 == 0 {
                    (anna, bernd)
                } else {
                    (bernd, anna)
                };
                tokio::spawn(
                    async move { store.set_unit_leaders(bauamt, Some(head), &[deputy]).await },
                )
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap_or_else(|e| panic!("{l}: {e}"));
        }
        let chain = store
            .leadership_chain(id(&store, "a.amt").await)
            .await
            .unwrap();
        let leaders = &chain[0];
        assert!(leaders.head.is_some(), "{l}: {leaders:?}");
        assert_eq!(leaders.deputies.len(), 1, "{l}: {leaders:?}");
        assert_ne!(Some(leaders.deputies[0]), leaders.head, "{l}: {leaders:?}");
    }
}
