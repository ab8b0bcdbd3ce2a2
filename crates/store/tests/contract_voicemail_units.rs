//! The store's contract for units' voicemail boxes (issue 17), on SQLite always and on
//! PostgreSQL when the test run has one (TEST_POSTGRES_URL): a unit gets one box under a
//! number nobody else has (no one's extension, no hotline's, no fax box's, no other box's;
//! a fax box cannot take a box's number either), found by its number; its members and
//! those of its sub-units hear it (not those of the units above it, nor anyone who left);
//! removing it hands back its messages' files; a person's or a hotline's box is never
//! removed that way.

mod staffed;

use store::{FaxOwner, Hotline, Store, StoreError, Voicemail};

const PEOPLE: &str = "login,name,unit,extension,email\n\
    a.amt,Anna Amt,Bauamt,2001,anna@amt.example\n\
    b.statik,Bernd Statik,Bauamt/Statik,2002,\n\
    c.pruef,Clara Prüf,Bauamt/Statik/Prüfung,2003,\n\
    d.kasse,Dieter Kasse,Kämmerei,2004,\n";

async fn id(store: &Store, login: &str) -> i64 {
    store.panel_person(login).await.unwrap().unwrap().id
}

async fn unit(store: &Store, path: &str) -> i64 {
    store.unit_id_by_path(path).await.unwrap().unwrap()
}

fn conflict<T: std::fmt::Debug>(result: Result<T, StoreError>) -> String {
    match result {
        Err(StoreError::Conflict(why)) => why,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn hotline() -> Hotline {
    Hotline {
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
    }
}

fn message(box_id: i64, file: &str) -> Voicemail {
    Voicemail {
        id: 0,
        box_id,
        caller_number: Some("2004".into()),
        caller_name: None,
        caller_staff_id: None,
        received_at: 1_000,
        duration_ms: 4_000,
        file: file.into(),
        heard_at: None,
    }
}

#[tokio::test]
async fn a_unit_box_takes_a_number_nobody_else_has() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let statik = unit(&store, "Bauamt/Statik").await;
        let kasse = unit(&store, "Kämmerei").await;
        store.add_hotline(&hotline(), 1).await.unwrap();
        store
            .create_fax_box("2099", FaxOwner::Unit(kasse), None, 1)
            .await
            .unwrap();

        let made = store
            .create_unit_mailbox(statik, "2590", Some("statik@amt.example"), "en", 5)
            .await
            .unwrap();
        let b = &made.mailbox;
        assert_eq!(
            (made.unit_name.as_str(), made.unit_path.as_str()),
            ("Statik", "Bauamt/Statik"),
            "{l}"
        );
        assert_eq!(
            (b.unit_id, b.staff_id, b.hotline_id),
            (Some(statik), None, None),
            "{l}"
        );
        assert_eq!(b.number.as_deref(), Some("2590"), "{l}");
        assert_eq!(b.email.as_deref(), Some("statik@amt.example"), "{l}");
        assert_eq!(
            (b.language.as_str(), b.enabled, b.email_mode.as_str()),
            ("en", true, "attach"),
            "{l}"
        );
        assert!(!b.has_greeting, "{l}");
        assert_eq!(store.mailbox(b.id).await.unwrap().as_ref(), Some(b), "{l}");
        assert_eq!(
            store.unit_mailbox(b.id).await.unwrap(),
            Some(made.clone()),
            "{l}"
        );
        assert_eq!(
            store.unit_mailbox_by_number("2590").await.unwrap(),
            Some(made.clone()),
            "{l}"
        );
        assert_eq!(
            store.unit_mailbox_by_number("2591").await.unwrap(),
            None,
            "{l}"
        );

        // Every number someone has already is refused, naming who; nothing is written.
        let taken = [
            (
                "2001",
                "Die Nummer 2001 ist schon die Durchwahl von Anna Amt.",
            ),
            (
                "2900",
                "Die Nummer 2900 gehört schon der Hotline Bürgertelefon.",
            ),
            (
                "+4989123900",
                "Die Nummer +4989123900 gehört schon der Hotline Bürgertelefon.",
            ),
            ("2099", "Die Nummer 2099 hat schon ein anderer Faxeingang."),
            ("2590", "Die Nummer 2590 hat schon die Mailbox von Statik."),
        ];
        for (number, why) in taken {
            let refused = store
                .create_unit_mailbox(kasse, number, None, "de", 6)
                .await;
            assert_eq!(conflict(refused), why, "{l}");
        }
        // A fax box cannot take a voicemail box's number either.
        assert_eq!(
            conflict(
                store
                    .create_fax_box("2590", FaxOwner::Unit(kasse), None, 6)
                    .await
            ),
            "Die Nummer 2590 hat schon die Mailbox von Statik.",
            "{l}"
        );
        // One box per unit; a unit that does not exist has none.
        assert_eq!(
            conflict(
                store
                    .create_unit_mailbox(statik, "2591", None, "de", 6)
                    .await
            ),
            "Statik hat schon eine Mailbox.",
            "{l}"
        );
        assert_eq!(
            conflict(
                store
                    .create_unit_mailbox(kasse + 999, "2592", None, "de", 6)
                    .await
            ),
            "Diese Organisationseinheit gibt es nicht.",
            "{l}"
        );
        let all = store.unit_mailboxes().await.unwrap();
        assert_eq!(
            all,
            std::slice::from_ref(&made),
            "{l}: nothing else written"
        );

        // Without an address, and an E.164 number.
        let second = store
            .create_unit_mailbox(kasse, "+4989123590", None, "de", 7)
            .await
            .unwrap();
        assert_eq!(second.mailbox.email, None, "{l}");
        let paths: Vec<String> = store
            .unit_mailboxes()
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.unit_path)
            .collect();
        assert_eq!(paths, ["Bauamt/Statik", "Kämmerei"], "{l}: by path");
    }
}

#[tokio::test]
async fn members_and_sub_units_hear_a_unit_box() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let (anna, bernd, clara, dieter) = (
            id(&store, "a.amt").await,
            id(&store, "b.statik").await,
            id(&store, "c.pruef").await,
            id(&store, "d.kasse").await,
        );
        let statik = unit(&store, "Bauamt/Statik").await;
        let bauamt = unit(&store, "Bauamt").await;
        let b = store
            .create_unit_mailbox(statik, "2590", None, "de", 1)
            .await
            .unwrap()
            .mailbox
            .id;
        let top = store
            .create_unit_mailbox(bauamt, "2580", None, "de", 1)
            .await
            .unwrap()
            .mailbox
            .id;
        let mut listeners = store.mailbox_listeners(b).await.unwrap();
        listeners.sort();
        assert_eq!(
            listeners,
            [bernd, clara],
            "{l}: the unit and its sub-unit, not above"
        );
        let mut all = store.mailbox_listeners(top).await.unwrap();
        all.sort();
        assert_eq!(all, [anna, bernd, clara], "{l}");
        assert!(
            !store.mailbox_listeners(b).await.unwrap().contains(&dieter),
            "{l}"
        );

        // Each hears the boxes of their unit and of those above it, the nearest last.
        assert_eq!(
            store.unit_mailboxes_of(clara).await.unwrap(),
            [(top, "Bauamt".to_string()), (b, "Statik".to_string())],
            "{l}"
        );
        assert_eq!(
            store.unit_mailboxes_of(anna).await.unwrap(),
            [(top, "Bauamt".to_string())],
            "{l}"
        );
        assert!(
            store.unit_mailboxes_of(dieter).await.unwrap().is_empty(),
            "{l}"
        );

        // A person's and a hotline's box stay as they were.
        let own = store.person_mailbox(bernd, 2).await.unwrap();
        assert_eq!((own.unit_id, own.number.as_deref()), (None, None), "{l}");
        assert_eq!(
            store.mailbox_listeners(own.id).await.unwrap(),
            [bernd],
            "{l}"
        );
        assert_eq!(store.unit_mailbox(own.id).await.unwrap(), None, "{l}");
    }
}

#[tokio::test]
async fn removing_a_unit_box_hands_back_its_files() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let statik = unit(&store, "Bauamt/Statik").await;
        let b = store
            .create_unit_mailbox(statik, "2590", None, "de", 1)
            .await
            .unwrap()
            .mailbox
            .id;
        let first = store
            .add_voicemail(&message(b, "voicemail/9/a.opus"))
            .await
            .unwrap();
        store
            .add_voicemail(&message(b, "voicemail/9/b.opus"))
            .await
            .unwrap();
        assert_eq!(store.unheard_voicemails(b).await.unwrap(), 2, "{l}");

        // A person's box is no unit box: left alone.
        let anna = id(&store, "a.amt").await;
        let own = store.person_mailbox(anna, 1).await.unwrap().id;
        assert_eq!(store.delete_unit_mailbox(own).await.unwrap(), None, "{l}");
        assert!(store.mailbox(own).await.unwrap().is_some(), "{l}");

        assert_eq!(
            store.delete_unit_mailbox(b).await.unwrap(),
            Some(vec![
                "voicemail/9/a.opus".to_string(),
                "voicemail/9/b.opus".to_string()
            ]),
            "{l}"
        );
        assert_eq!(store.mailbox(b).await.unwrap(), None, "{l}");
        assert_eq!(
            store.voicemail(first).await.unwrap(),
            None,
            "{l}: the rows went too"
        );
        assert_eq!(
            store.delete_unit_mailbox(b).await.unwrap(),
            None,
            "{l}: once"
        );
        // The number is free again.
        store
            .create_unit_mailbox(statik, "2590", None, "de", 2)
            .await
            .unwrap();
    }
}
