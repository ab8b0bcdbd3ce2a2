//! The store's contract for the equipment pool (issue 19), on SQLite always and on
//! PostgreSQL when the test run has one (TEST_POSTGRES_URL): unique inventory numbers;
//! 50 concurrent loans of one item lend it once; 50 concurrent overlapping reservations
//! reserve it once; lending over someone else's reservation is refused and picks up the
//! borrower's own; return, history, retire; the waiting list in order, refused while an
//! item is free, and the offer of a returned item to the first in line; overdue loans
//! reminded at most once a day.

mod staffed;

use jiff::civil::{date, Date};
use planner::equipment::{DateRange, EquipmentError, Kind, OFFER_DAYS};
use planner::ids::PersonId;
use store::{Store, StoreError};

const PEOPLE: &str = "login,name,unit,extension,email\n\
    a.amt,Anna Amt,Bauamt,2001,\n\
    b.bau,Bernd Bau,Bauamt,2002,\n\
    c.statik,Clara Statik,Bauamt/Statik,2003,\n";

async fn id(store: &Store, login: &str) -> i64 {
    store.panel_person(login).await.unwrap().unwrap().id
}

fn day(d: i8) -> Date {
    date(2025, 3, d)
}

fn range(a: i8, b: i8) -> DateRange {
    DateRange::new(day(a), day(b)).unwrap()
}

async fn camera(store: &Store, number: &str) -> i64 {
    store
        .add_equipment_item(number, Kind::Camera, "Logitech C920", None, 0)
        .await
        .unwrap()
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_loans_of_one_item_lend_it_once() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let item = camera(&store, "INV-1").await;
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
                        .lend_equipment(item, person, day(3), day(10), i as i64)
                        .await
                })
            })
            .collect();
        let mut lent = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(Ok(_)) => lent += 1,
                Ok(Err(EquipmentError::Lent { .. })) => {}
                other => panic!("{l}: {other:?}"),
            }
        }
        assert_eq!(lent, 1, "{l}");
        let history = store.equipment_loans_of_item(item).await.unwrap();
        assert_eq!(history.len(), 1, "{l}: {history:?}");

        // The same for reservations of overlapping days.
        let other = camera(&store, "INV-2").await;
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let store = store.clone();
                let person = people[i % people.len()];
                let days = range(5 + (i % 3) as i8, 7);
                tokio::spawn(async move {
                    store
                        .reserve_equipment(other, person, days, day(3), i as i64)
                        .await
                })
            })
            .collect();
        let mut reserved = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(Ok(_)) => reserved += 1,
                Ok(Err(EquipmentError::Taken { .. })) => {}
                other => panic!("{l}: {other:?}"),
            }
        }
        assert_eq!(reserved, 1, "{l}");
        assert_eq!(store.equipment_reservations(day(3)).await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn items_loans_reservations_and_their_history() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let anna = id(&store, "a.amt").await;
        let bernd = id(&store, "b.bau").await;
        let item = store
            .add_equipment_item(
                "HS-7",
                Kind::Headset,
                "Jabra Evolve2 40",
                Some("mit Tasche"),
                1,
            )
            .await
            .unwrap();
        assert_eq!(item.kind, Kind::Headset);
        match store
            .add_equipment_item("HS-7", Kind::Laptop, "anderes", None, 2)
            .await
        {
            Err(StoreError::Conflict(message)) => assert!(message.contains("HS-7"), "{message}"),
            other => panic!("{l}: {other:?}"),
        }
        assert_eq!(store.equipment_items().await.unwrap().len(), 1, "{l}");

        // Bernd reserves the 6th to the 8th; Anna cannot borrow it over those days, only
        // until the 5th; her own reservation of the 4th is picked up by the loan.
        let bernds = store
            .reserve_equipment(item.id, bernd, range(6, 8), day(3), 3)
            .await
            .unwrap()
            .unwrap();
        let annas = store
            .reserve_equipment(item.id, anna, range(4, 4), day(3), 4)
            .await
            .unwrap()
            .unwrap();
        let refused = store
            .reserve_equipment(item.id, anna, range(8, 9), day(3), 5)
            .await
            .unwrap();
        assert!(
            matches!(refused, Err(EquipmentError::Taken { claim, .. }) if claim == bernds.id),
            "{l}"
        );
        let refused = store
            .lend_equipment(item.id, anna, day(3), day(6), 6)
            .await
            .unwrap();
        assert!(
            matches!(refused, Err(EquipmentError::Taken { .. })),
            "{l}: {refused:?}"
        );
        let loan = store
            .lend_equipment(item.id, anna, day(3), day(5), 7)
            .await
            .unwrap()
            .unwrap();
        let left = store.equipment_reservations(day(3)).await.unwrap();
        assert_eq!(
            left.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![bernds.id],
            "{l}"
        );
        assert!(!left.iter().any(|r| r.id == annas.id));
        let now = store.equipment_item(item.id).await.unwrap().unwrap();
        assert_eq!(now.loan.as_ref().map(|x| x.staff_id), Some(anna), "{l}");
        // Retiring a lent item is refused.
        let refused = store.retire_equipment(item.id, 8).await.unwrap();
        assert!(matches!(refused, Err(EquipmentError::Lent { .. })), "{l}");

        // Returned: history kept; the item can go again, retired it cannot.
        let back = store
            .return_equipment(item.id, day(5), 9)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((back.id, back.returned), (loan.id, Some(day(5))), "{l}");
        assert_eq!(
            store.return_equipment(item.id, day(5), 10).await.unwrap(),
            Err(EquipmentError::NotLent)
        );
        let history = store.equipment_loans_of_item(item.id).await.unwrap();
        assert_eq!(history.len(), 1, "{l}");
        assert_eq!(history[0].returned, Some(day(5)));
        let cancelled = store.retire_equipment(item.id, 11).await.unwrap().unwrap();
        assert_eq!(
            cancelled.len(),
            1,
            "{l}: Bernd's reservation ends with the item"
        );
        assert!(store
            .equipment_reservations(day(3))
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            store
                .lend_equipment(item.id, bernd, day(5), day(6), 12)
                .await
                .unwrap(),
            Err(EquipmentError::Retired)
        );
        // Cancelling: only one's own, only once.
        let other = camera(&store, "CAM-1").await;
        let r = store
            .reserve_equipment(other, anna, range(4, 4), day(3), 13)
            .await
            .unwrap()
            .unwrap();
        assert!(!store
            .cancel_equipment_reservation(r.id, bernd, 14)
            .await
            .unwrap());
        assert!(store
            .cancel_equipment_reservation(r.id, anna, 14)
            .await
            .unwrap());
        assert!(!store
            .cancel_equipment_reservation(r.id, anna, 15)
            .await
            .unwrap());
        match store
            .lend_equipment(999_999, anna, day(3), day(4), 16)
            .await
        {
            Err(StoreError::NotFound { .. }) => {}
            other => panic!("{l}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn the_waiting_list_is_served_in_order_and_overdue_loans_reminded_once_a_day() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let anna = id(&store, "a.amt").await;
        let bernd = id(&store, "b.bau").await;
        let clara = id(&store, "c.statik").await;
        let item = camera(&store, "CAM-1").await;

        // While the camera is free nobody waits.
        assert_eq!(
            store
                .join_equipment_waiting(bernd, Kind::Camera, day(3), 1)
                .await
                .unwrap(),
            Err(EquipmentError::OneIsFree { kind: Kind::Camera })
        );
        store
            .lend_equipment(item, anna, day(3), day(4), 2)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            store
                .equipment_free_today(Kind::Camera, day(3))
                .await
                .unwrap(),
            0
        );
        // Clara joins after Bernd; Bernd twice is refused.
        let first = store
            .join_equipment_waiting(bernd, Kind::Camera, day(3), 10)
            .await
            .unwrap()
            .unwrap();
        store
            .join_equipment_waiting(clara, Kind::Camera, day(3), 20)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            store
                .join_equipment_waiting(bernd, Kind::Camera, day(3), 30)
                .await
                .unwrap(),
            Err(EquipmentError::AlreadyWaiting { kind: Kind::Camera })
        );
        let list = store.equipment_waiting().await.unwrap();
        assert_eq!(
            planner::equipment::position(&list, PersonId(clara), Kind::Camera),
            Some(2),
            "{l}"
        );
        // Nothing free, nothing offered.
        assert!(store
            .offer_free_equipment(day(3), 31)
            .await
            .unwrap()
            .is_empty());

        // Overdue on the 5th: one reminder that day, another on the 6th.
        assert!(store
            .overdue_equipment_loans(day(4))
            .await
            .unwrap()
            .is_empty());
        let overdue = store.overdue_equipment_loans(day(5)).await.unwrap();
        assert_eq!(overdue.len(), 1, "{l}");
        assert!(store
            .mark_equipment_reminded(overdue[0].id, day(5))
            .await
            .unwrap());
        assert!(!store
            .mark_equipment_reminded(overdue[0].id, day(5))
            .await
            .unwrap());
        assert!(store
            .mark_equipment_reminded(overdue[0].id, day(6))
            .await
            .unwrap());

        // Back on the 6th: kept for Bernd for OFFER_DAYS days; he leaves the list, Clara is
        // first now.
        store
            .return_equipment(item, day(6), 40)
            .await
            .unwrap()
            .unwrap();
        assert!(!store
            .mark_equipment_reminded(overdue[0].id, day(7))
            .await
            .unwrap());
        let made = store.offer_free_equipment(day(6), 41).await.unwrap();
        assert_eq!(made.len(), 1, "{l}");
        assert_eq!((made[0].person, made[0].entry), (PersonId(bernd), first.id));
        assert_eq!(made[0].range.days(), OFFER_DAYS);
        let kept = store.equipment_reservations(day(6)).await.unwrap();
        assert_eq!(kept.len(), 1, "{l}");
        assert!(kept[0].offered && kept[0].staff_id == bernd);
        let list = store.equipment_waiting().await.unwrap();
        assert_eq!(
            planner::equipment::position(&list, PersonId(clara), Kind::Camera),
            Some(1)
        );
        assert!(store
            .offer_free_equipment(day(6), 42)
            .await
            .unwrap()
            .is_empty());
        // Clara gives up waiting; a second time says she was not waiting.
        assert!(store
            .leave_equipment_waiting(clara, Kind::Camera)
            .await
            .unwrap());
        assert!(!store
            .leave_equipment_waiting(clara, Kind::Camera)
            .await
            .unwrap());
        // Bernd collects it: the offer is picked up by the loan.
        store
            .lend_equipment(item, bernd, day(7), day(9), 43)
            .await
            .unwrap()
            .unwrap();
        assert!(
            store
                .equipment_reservations(day(7))
                .await
                .unwrap()
                .is_empty(),
            "{l}"
        );
    }
}

#[tokio::test]
async fn one_person_holds_at_most_three_open_reservations() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let anna = id(&store, "a.amt").await;
        let mut cameras = Vec::new();
        for n in 0..4 {
            cameras.push(camera(&store, &format!("K-{n}")).await);
        }
        for (n, item) in cameras[..3].iter().enumerate() {
            let r = store
                .reserve_equipment(*item, anna, range(4, 5), day(3), n as i64)
                .await
                .unwrap();
            assert!(r.is_ok(), "{l}: {r:?}");
        }
        let fourth = store
            .reserve_equipment(cameras[3], anna, range(4, 5), day(3), 9)
            .await
            .unwrap();
        assert_eq!(fourth.unwrap_err().code(), "too_many", "{l}");
        // One that is over no longer counts.
        let later = store
            .reserve_equipment(cameras[3], anna, range(7, 7), day(6), 10)
            .await
            .unwrap();
        assert!(later.is_ok(), "{l}: {later:?}");
    }
}

#[tokio::test]
async fn a_leaver_keeps_a_name_for_what_they_still_hold() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let anna = id(&store, "a.amt").await;
        // Disabled as the directory sync disables a leaver.
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(db.url.unredacted()).await.unwrap();
        sqlx::query("UPDATE staff SET disabled_at = 1 WHERE id = $1")
            .bind(anna)
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
        assert!(
            store.panel_person_by_id(anna).await.unwrap().is_none(),
            "{l}"
        );
        assert_eq!(
            store.staff_name_by_id(anna).await.unwrap(),
            Some(("a.amt".to_string(), "Anna Amt".to_string(), true)),
            "{l}"
        );
        let bernd = id(&store, "b.bau").await;
        assert_eq!(
            store.staff_name_by_id(bernd).await.unwrap().map(|p| p.2),
            Some(false),
            "{l}"
        );
        assert_eq!(store.staff_name_by_id(999_999).await.unwrap(), None, "{l}");
    }
}
