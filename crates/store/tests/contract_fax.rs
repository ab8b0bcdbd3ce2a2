//! The store's contract for fax (issue 17), on SQLite always and on PostgreSQL when the
//! test run has one (TEST_POSTGRES_URL): boxes of people and units under numbers nobody
//! else has, who uses a unit's box (its members and its sub-units'), received faxes,
//! sent faxes through the queue (claimed once, retried, sent or given up), listing,
//! deleting (also with the box), retention and a restart's clean-up.

mod staffed;

use store::{FaxDirection, FaxOwner, FaxStatus, Hotline, Store, StoreError};

const PEOPLE: &str = "login,name,unit,extension,email\n\
    a.amt,Anna Amt,Bauamt,2001,anna@amt.example\n\
    b.statik,Bernd Statik,Bauamt/Statik,2002,\n\
    c.pruef,Clara Prüf,Bauamt/Statik/Prüfung,2003,\n\
    d.kasse,Dieter Kasse,Kämmerei,2004,\n";

struct World {
    anna: i64,
    bernd: i64,
    clara: i64,
    dieter: i64,
    bauamt: i64,
    statik: i64,
}

async fn world(store: &Store) -> World {
    let id =
        |login: &'static str| async move { store.panel_person(login).await.unwrap().unwrap().id };
    let unit =
        |path: &'static str| async move { store.unit_id_by_path(path).await.unwrap().unwrap() };
    World {
        anna: id("a.amt").await,
        bernd: id("b.statik").await,
        clara: id("c.pruef").await,
        dieter: id("d.kasse").await,
        bauamt: unit("Bauamt").await,
        statik: unit("Bauamt/Statik").await,
    }
}

fn conflict(result: Result<store::FaxBox, StoreError>) -> String {
    match result {
        Err(StoreError::Conflict(why)) => why,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn boxes_take_numbers_nobody_else_has() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let w = world(&store).await;
        let hotline = Hotline {
            id: 0,
            name: "Bürgertelefon".into(),
            extension: "2900".into(),
            did: Some("+4989123900".into()),
            holiday_state: None,
            hours: Default::default(),
            closed_announcement: None,
            welcome_announcement: None,
            hold_music: None,
            case_retention_days: 90,
            supervisor_listen: false,
        };
        store.add_hotline(&hotline, 1).await.unwrap();

        let anna = store
            .create_fax_box("+4989123001", FaxOwner::Person(w.anna), None, 5)
            .await
            .unwrap();
        assert_eq!(anna.number, "+4989123001", "{l}");
        assert_eq!((anna.staff_id, anna.unit_id), (Some(w.anna), None), "{l}");
        assert_eq!(anna.name, "Anna Amt", "{l}");
        assert_eq!(
            anna.email.as_deref(),
            Some("anna@amt.example"),
            "{l}: a person's box mails their own address"
        );
        let unit = store
            .create_fax_box(
                "2099",
                FaxOwner::Unit(w.bauamt),
                Some("bauamt@amt.example"),
                6,
            )
            .await
            .unwrap();
        assert_eq!((unit.staff_id, unit.unit_id), (None, Some(w.bauamt)));
        assert_eq!(unit.name, "Bauamt", "{l}");
        assert_eq!(unit.email.as_deref(), Some("bauamt@amt.example"), "{l}");
        // A person without an address: their box mails nowhere.
        let bernd = store
            .create_fax_box("2098", FaxOwner::Person(w.bernd), None, 7)
            .await
            .unwrap();
        assert_eq!(bernd.email, None, "{l}");

        // Numbers others have: a person's extension, a hotline's extension or direct
        // number, another box's number.
        let why = conflict(
            store
                .create_fax_box("2002", FaxOwner::Unit(w.statik), None, 8)
                .await,
        );
        assert_eq!(
            why,
            "Die Nummer 2002 ist schon die Durchwahl von Bernd Statik."
        );
        let why = conflict(
            store
                .create_fax_box("2900", FaxOwner::Person(w.dieter), None, 8)
                .await,
        );
        assert_eq!(
            why,
            "Die Nummer 2900 gehört schon der Hotline Bürgertelefon."
        );
        let why = conflict(
            store
                .create_fax_box("+4989123900", FaxOwner::Person(w.dieter), None, 8)
                .await,
        );
        assert!(why.contains("Hotline Bürgertelefon"), "{l}: {why}");
        let why = conflict(
            store
                .create_fax_box("2099", FaxOwner::Person(w.dieter), None, 8)
                .await,
        );
        assert_eq!(why, "Die Nummer 2099 hat schon ein anderer Faxeingang.");
        // No such owner; an address for a person's box.
        conflict(
            store
                .create_fax_box("2097", FaxOwner::Person(w.dieter + 1000), None, 8)
                .await,
        );
        conflict(
            store
                .create_fax_box("2097", FaxOwner::Unit(w.bauamt + 1000), None, 8)
                .await,
        );
        conflict(
            store
                .create_fax_box("2097", FaxOwner::Person(w.dieter), Some("d@x.example"), 8)
                .await,
        );
        assert_eq!(
            store.fax_boxes().await.unwrap().len(),
            3,
            "{l}: nothing written"
        );
        assert_eq!(store.fax_box_by_number("2097").await.unwrap(), None, "{l}");

        // Listing: people's boxes first, by name; looked up by id and number.
        let all = store.fax_boxes().await.unwrap();
        let numbers: Vec<&str> = all.iter().map(|b| b.number.as_str()).collect();
        assert_eq!(numbers, ["+4989123001", "2098", "2099"], "{l}");
        assert_eq!(store.fax_box(unit.id).await.unwrap(), Some(unit.clone()));
        assert_eq!(
            store.fax_box_by_number("2099").await.unwrap(),
            Some(unit.clone()),
            "{l}"
        );
        assert_eq!(store.fax_box(unit.id + 100).await.unwrap(), None, "{l}");

        assert!(store.delete_fax_box(bernd.id).await.unwrap(), "{l}");
        assert!(!store.delete_fax_box(bernd.id).await.unwrap(), "{l}");
        // Its number is free again.
        store
            .create_fax_box("2098", FaxOwner::Person(w.dieter), None, 9)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_units_box_is_used_by_its_members_and_those_of_its_sub_units() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let w = world(&store).await;
        let bauamt = store
            .create_fax_box("2090", FaxOwner::Unit(w.bauamt), None, 1)
            .await
            .unwrap();
        let statik = store
            .create_fax_box("2091", FaxOwner::Unit(w.statik), None, 1)
            .await
            .unwrap();
        let clara = store
            .create_fax_box("2092", FaxOwner::Person(w.clara), None, 1)
            .await
            .unwrap();

        let mut all = vec![w.anna, w.bernd, w.clara];
        all.sort();
        assert_eq!(store.fax_box_viewers(bauamt.id).await.unwrap(), all, "{l}");
        let mut below = vec![w.bernd, w.clara];
        below.sort();
        assert_eq!(
            store.fax_box_viewers(statik.id).await.unwrap(),
            below,
            "{l}"
        );
        assert_eq!(
            store.fax_box_viewers(clara.id).await.unwrap(),
            [w.clara],
            "{l}"
        );
        assert!(store
            .fax_box_viewers(clara.id + 100)
            .await
            .unwrap()
            .is_empty());

        let ids = |boxes: Vec<store::FaxBox>| boxes.into_iter().map(|b| b.id).collect::<Vec<_>>();
        // Own box first, then the units' (by name): her unit and those above it.
        assert_eq!(
            ids(store.fax_boxes_of(w.clara).await.unwrap()),
            [clara.id, bauamt.id, statik.id],
            "{l}"
        );
        assert_eq!(
            ids(store.fax_boxes_of(w.bernd).await.unwrap()),
            [bauamt.id, statik.id],
            "{l}"
        );
        assert_eq!(
            ids(store.fax_boxes_of(w.anna).await.unwrap()),
            [bauamt.id],
            "{l}: a sub-unit's box is not the parent unit's"
        );
        assert!(
            store.fax_boxes_of(w.dieter).await.unwrap().is_empty(),
            "{l}"
        );
    }
}

#[tokio::test]
async fn received_faxes_are_listed_newest_first_and_deleted() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let w = world(&store).await;
        let b = store
            .create_fax_box("2090", FaxOwner::Person(w.anna), None, 1)
            .await
            .unwrap()
            .id;
        let first = store.fax_receiving(b, "+4930111", 1_000).await.unwrap();
        let coming = store.fax(first).await.unwrap().unwrap();
        assert_eq!(coming.direction, FaxDirection::In, "{l}");
        assert_eq!(coming.status, FaxStatus::Receiving, "{l}");
        assert_eq!(
            (coming.pages, coming.file, coming.finished_ms),
            (0, None, None)
        );
        store
            .fax_received(first, 3, "fax/1.pdf", Some("AMT MUENCHEN"), 2_000)
            .await
            .unwrap();
        let got = store.fax(first).await.unwrap().unwrap();
        assert_eq!(got.status, FaxStatus::Received, "{l}");
        assert_eq!(got.pages, 3);
        assert_eq!(got.file.as_deref(), Some("fax/1.pdf"));
        assert_eq!(got.remote_ident.as_deref(), Some("AMT MUENCHEN"));
        assert_eq!((got.created_ms, got.finished_ms), (1_000, Some(2_000)));
        // Received once only.
        assert!(matches!(
            store
                .fax_received(first, 3, "fax/1b.pdf", None, 2_500)
                .await,
            Err(StoreError::Conflict(_))
        ));

        let broken = store.fax_receiving(b, "+4930222", 3_000).await.unwrap();
        store
            .fax_failed(
                broken,
                1,
                "Verbindung abgebrochen",
                Some("fax/2.pdf"),
                3_500,
            )
            .await
            .unwrap();
        let failed = store.fax(broken).await.unwrap().unwrap();
        assert_eq!(failed.status, FaxStatus::Failed, "{l}");
        assert_eq!(failed.reason.as_deref(), Some("Verbindung abgebrochen"));
        assert_eq!(
            (failed.pages, failed.file.as_deref()),
            (1, Some("fax/2.pdf"))
        );
        assert!(matches!(
            store.fax_failed(broken, 1, "again", None, 3_600).await,
            Err(StoreError::Conflict(_))
        ));

        let listed: Vec<i64> = store
            .faxes_of_box(b, 10)
            .await
            .unwrap()
            .iter()
            .map(|f| f.id)
            .collect();
        assert_eq!(listed, [broken, first], "{l}: newest first");
        assert_eq!(store.faxes_of_box(b, 1).await.unwrap().len(), 1, "{l}");

        let mut files = store.fax_files().await.unwrap();
        files.sort();
        assert_eq!(files, ["fax/1.pdf", "fax/2.pdf"], "{l}");

        let gone = store.delete_fax(first).await.unwrap().unwrap();
        assert_eq!(gone, got, "{l}: the row comes back for its files");
        assert_eq!(store.delete_fax(first).await.unwrap(), None, "{l}");
        assert_eq!(store.fax(first).await.unwrap(), None, "{l}");
        // A fax on the line is not deleted (not even by a delete that read it before it
        // was claimed): it ends as it would have.
        let late = store.fax_receiving(b, "+4930333", 4_000).await.unwrap();
        assert_eq!(store.delete_fax(late).await.unwrap(), None, "{l}");
        store
            .fax_received(late, 1, "fax/3.pdf", None, 4_500)
            .await
            .unwrap();
        // Once over, it can go; its end cannot come twice.
        assert!(store.delete_fax(late).await.unwrap().is_some(), "{l}");
        assert!(store
            .fax_received(late, 1, "fax/3.pdf", None, 4_600)
            .await
            .is_err());
    }
}

#[tokio::test]
async fn sent_faxes_go_through_the_queue_claimed_once_and_retried() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let w = world(&store).await;
        let b = store
            .create_fax_box("2090", FaxOwner::Unit(w.bauamt), None, 1)
            .await
            .unwrap()
            .id;
        let older = store
            .queue_fax(b, w.bernd, "+4930444", "fax/a.tiff", 2, 10_000)
            .await
            .unwrap();
        let newer = store
            .queue_fax(b, w.anna, "+4930555", "fax/b.tiff", 1, 11_000)
            .await
            .unwrap();
        let queued = store.fax(older).await.unwrap().unwrap();
        assert_eq!(queued.direction, FaxDirection::Out, "{l}");
        assert_eq!(queued.status, FaxStatus::Queued, "{l}");
        assert_eq!(queued.sender_id, Some(w.bernd));
        assert_eq!((queued.pages, queued.attempts), (2, 0));
        assert_eq!(queued.tiff.as_deref(), Some("fax/a.tiff"));
        assert_eq!(queued.next_attempt_ms, Some(10_000), "{l}: due at once");

        let due = |now| {
            let store = store.clone();
            async move {
                store
                    .due_faxes(now, 10)
                    .await
                    .unwrap()
                    .iter()
                    .map(|f| f.id)
                    .collect::<Vec<_>>()
            }
        };
        assert!(due(9_999).await.is_empty(), "{l}");
        assert_eq!(due(10_500).await, [older], "{l}");
        assert_eq!(due(20_000).await, [older, newer], "{l}: oldest first");
        assert_eq!(store.due_faxes(20_000, 1).await.unwrap().len(), 1, "{l}");

        // Two senders claim at once: one wins.
        let (a, b2) = tokio::join!(
            store.fax_sending(older, 20_000),
            store.fax_sending(older, 20_000)
        );
        assert!(a.unwrap() ^ b2.unwrap(), "{l}: claimed once");
        assert!(!store.fax_sending(older, 20_000).await.unwrap(), "{l}");
        let sending = store.fax(older).await.unwrap().unwrap();
        assert_eq!((sending.status, sending.attempts), (FaxStatus::Sending, 1));
        assert_eq!(due(20_000).await, [newer], "{l}: no longer due");

        // Busy: queued again for later, with why; claimed again when due.
        store.fax_retry(older, "Besetzt", 80_000).await.unwrap();
        let retry = store.fax(older).await.unwrap().unwrap();
        assert_eq!(retry.status, FaxStatus::Queued, "{l}");
        assert_eq!(retry.reason.as_deref(), Some("Besetzt"));
        assert_eq!(retry.next_attempt_ms, Some(80_000));
        assert!(
            !store.fax_sending(older, 79_999).await.unwrap(),
            "{l}: not before its time"
        );
        assert!(matches!(
            store.fax_retry(older, "x", 1).await,
            Err(StoreError::Conflict(_))
        ));
        assert!(store.fax_sending(older, 80_000).await.unwrap(), "{l}");
        assert!(matches!(
            store.fax_received(older, 1, "fax/x.pdf", None, 1).await,
            Err(StoreError::Conflict(_))
        ));
        store.fax_sent(older, 2, "fax/a.pdf", 81_000).await.unwrap();
        let sent = store.fax(older).await.unwrap().unwrap();
        assert_eq!(sent.status, FaxStatus::Sent, "{l}");
        assert_eq!((sent.pages, sent.attempts), (2, 2));
        assert_eq!(sent.file.as_deref(), Some("fax/a.pdf"));
        assert_eq!((sent.reason, sent.finished_ms), (None, Some(81_000)));
        assert!(matches!(
            store.fax_sent(older, 2, "fax/a2.pdf", 82_000).await,
            Err(StoreError::Conflict(_))
        ));

        // Given up after tries: failed with the reason.
        assert!(store.fax_sending(newer, 90_000).await.unwrap());
        store
            .fax_failed(newer, 0, "Keine Faxgegenstelle", None, 95_000)
            .await
            .unwrap();
        let failed = store.fax(newer).await.unwrap().unwrap();
        assert_eq!(failed.status, FaxStatus::Failed, "{l}");
        assert_eq!(failed.reason.as_deref(), Some("Keine Faxgegenstelle"));
        assert_eq!(failed.next_attempt_ms, None, "{l}");
        assert!(due(1_000_000).await.is_empty(), "{l}");
    }
}

#[tokio::test]
async fn retention_a_restart_and_a_deleted_box() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let w = world(&store).await;
        let b = store
            .create_fax_box("2090", FaxOwner::Person(w.anna), None, 1)
            .await
            .unwrap()
            .id;
        let old_in = store.fax_receiving(b, "+4930111", 1_000).await.unwrap();
        store
            .fax_received(old_in, 1, "fax/1.pdf", None, 1_100)
            .await
            .unwrap();
        let old_out = store
            .queue_fax(b, w.anna, "+4930222", "fax/2.tiff", 1, 2_000)
            .await
            .unwrap();
        assert!(store.fax_sending(old_out, 2_000).await.unwrap());
        store
            .fax_sent(old_out, 1, "fax/2.pdf", 2_500)
            .await
            .unwrap();
        // Old but not over: kept by retention (and cut off by a stop below).
        let cut_in = store.fax_receiving(b, "+4930333", 3_000).await.unwrap();
        let cut_out = store
            .queue_fax(b, w.anna, "+4930444", "fax/4.tiff", 1, 3_000)
            .await
            .unwrap();
        assert!(store.fax_sending(cut_out, 3_000).await.unwrap());
        let waiting = store
            .queue_fax(b, w.anna, "+4930555", "fax/5.tiff", 1, 3_000)
            .await
            .unwrap();
        let young = store.fax_receiving(b, "+4930666", 9_000).await.unwrap();
        store
            .fax_received(young, 1, "fax/6.pdf", None, 9_100)
            .await
            .unwrap();

        let old: Vec<i64> = store
            .faxes_before(5_000)
            .await
            .unwrap()
            .iter()
            .map(|f| f.id)
            .collect();
        assert_eq!(
            old,
            [old_in, old_out],
            "{l}: over and older than the cutoff"
        );

        assert_eq!(store.interrupted_faxes(10_000).await.unwrap(), 2, "{l}");
        let cut = store.fax(cut_in).await.unwrap().unwrap();
        assert_eq!(cut.status, FaxStatus::Failed, "{l}");
        assert_eq!(cut.reason.as_deref(), Some("Empfang unterbrochen"));
        assert_eq!(cut.finished_ms, Some(10_000));
        let again = store.fax(cut_out).await.unwrap().unwrap();
        assert_eq!(again.status, FaxStatus::Queued, "{l}");
        assert_eq!((again.next_attempt_ms, again.attempts), (Some(10_000), 1));
        assert_eq!(
            store.fax(waiting).await.unwrap().unwrap().status,
            FaxStatus::Queued
        );
        assert_eq!(store.interrupted_faxes(11_000).await.unwrap(), 0, "{l}");

        // The box goes with its faxes.
        assert_eq!(store.faxes_of_box(b, 100).await.unwrap().len(), 6, "{l}");
        assert!(store.delete_fax_box(b).await.unwrap());
        for id in [old_in, old_out, cut_in, cut_out, waiting, young] {
            assert_eq!(store.fax(id).await.unwrap(), None, "{l}: fax {id} cascaded");
        }
        assert!(store.fax_files().await.unwrap().is_empty(), "{l}");
    }
}
