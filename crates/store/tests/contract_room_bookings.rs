//! The store's contract for meeting rooms booked by the clock (issue 19), on SQLite always
//! and on PostgreSQL when the test run has one (TEST_POSTGRES_URL): 50 overlapping
//! bookings of one room at once book it once and the others name the holder; touching
//! stretches both stand; only meeting rooms are booked; cancelling frees the room, and
//! only the owner's cancel works when it is limited to them.

mod staffed;

use jiff::civil::{date, time, Date};
use planner::room_booking::Slot;
use store::{RoomKind, Store, StoreError};

const PEOPLE: &str = "login,name,unit,extension,email\n\
    a.amt,Anna Amt,Bauamt,2001,\n\
    b.bau,Bernd Bau,Bauamt,2002,\n\
    c.statik,Clara Statik,Bauamt/Statik,2003,\n";

async fn id(store: &Store, login: &str) -> i64 {
    store.panel_person(login).await.unwrap().unwrap().id
}

/// A meeting room and an office on one floor.
async fn rooms(store: &Store) -> (i64, i64) {
    let building = store.add_building("Rathaus", None).await.unwrap();
    let floor = store.add_floor(building, "EG", 0, None).await.unwrap();
    let meeting = store
        .add_room(floor, "Sitzungssaal", RoomKind::Meeting, 12)
        .await
        .unwrap();
    let office = store
        .add_room(floor, "0.12", RoomKind::Office, 2)
        .await
        .unwrap();
    (meeting, office)
}

const DAY: fn() -> Date = || date(2025, 3, 10);

fn slot(from: (i8, i8), to: (i8, i8)) -> Slot {
    Slot {
        date: DAY(),
        from: time(from.0, from.1, 0, 0),
        to: time(to.0, to.1, 0, 0),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_overlapping_bookings_of_one_room_at_once_book_it_once() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let (room, _) = rooms(&store).await;
        let people = [id(&store, "a.amt").await, id(&store, "b.bau").await];
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let store = store.clone();
                let person = people[i % 2];
                // Every stretch shares 10:00–10:15 with every other.
                let start = 9 * 60 + 15 * (i % 5) as i32;
                let s = slot(((start / 60) as i8, (start % 60) as i8), (10, 15));
                tokio::spawn(async move {
                    store
                        .book_room(room, person, s, &format!("Runde {i}"), i as i64)
                        .await
                })
            })
            .collect();
        let mut booked = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => booked += 1,
                Err(StoreError::Conflict(message)) => {
                    assert!(
                        message.starts_with("Der Raum „Sitzungssaal“ ist am ")
                            && message.contains("schon gebucht – von "),
                        "{l}: {message}"
                    );
                }
                Err(other) => panic!("{l}: {other}"),
            }
        }
        assert_eq!(booked, 1, "{l}");
        let held = store.room_bookings_between(DAY(), DAY()).await.unwrap();
        assert_eq!(held.len(), 1, "{l}");
    }
}

#[tokio::test]
async fn touching_stands_overlapping_is_refused_and_cancelling_frees() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let (room, office) = rooms(&store).await;
        let anna = id(&store, "a.amt").await;
        let bernd = id(&store, "b.bau").await;
        let first = store
            .book_room(room, anna, slot((9, 0), (10, 0)), "Bauausschuss", 1)
            .await
            .unwrap();
        assert_eq!(
            (first.room_name.as_str(), first.staff_name.as_str()),
            ("Sitzungssaal", "Anna Amt"),
            "{l}"
        );
        store
            .book_room(room, bernd, slot((10, 0), (11, 0)), "Statik", 2)
            .await
            .unwrap();
        let refused = store
            .book_room(room, bernd, slot((9, 45), (10, 15)), "Zwischendurch", 3)
            .await
            .unwrap_err();
        assert_eq!(
            refused.to_string(),
            StoreError::Conflict(
                "Der Raum „Sitzungssaal“ ist am Mo, 10.03.2025 von 09:00–10:00 schon gebucht – von Anna Amt."
                    .into()
            )
            .to_string(),
            "{l}"
        );
        // An office is not booked by the clock; an unknown room neither.
        for not_meeting in [office, 999_999] {
            let e = store
                .book_room(not_meeting, anna, slot((12, 0), (13, 0)), "X", 4)
                .await
                .unwrap_err();
            assert!(matches!(e, StoreError::NotFound { .. }), "{l}: {e}");
        }
        // Only the owner's cancel works when limited to them; then the room is free.
        assert!(!store
            .cancel_room_booking(first.id, Some(bernd), 5)
            .await
            .unwrap());
        assert!(store
            .cancel_room_booking(first.id, Some(anna), 6)
            .await
            .unwrap());
        assert!(!store.cancel_room_booking(first.id, None, 7).await.unwrap());
        let cancelled = store.room_booking(first.id).await.unwrap().unwrap();
        assert_eq!(cancelled.cancelled_ms, Some(6), "{l}");
        assert!(!cancelled.holds());
        store
            .book_room(room, bernd, slot((9, 45), (10, 0)), "Zwischendurch", 8)
            .await
            .unwrap();
        let titles: Vec<String> = store
            .room_bookings_between(DAY(), DAY())
            .await
            .unwrap()
            .into_iter()
            .map(|b| format!("{} {}", b.slot.clock(), b.title))
            .collect();
        assert_eq!(
            titles,
            ["09:45–10:00 Zwischendurch", "10:00–11:00 Statik"],
            "{l}"
        );
    }
}
