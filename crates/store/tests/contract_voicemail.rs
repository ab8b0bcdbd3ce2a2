//! The store's contract for voicemail, on SQLite always and on PostgreSQL when the test run
//! has one (TEST_POSTGRES_URL): a person's box is made once, its settings and greetings
//! read back, messages are listed newest first, heard, counted, deleted, and found for
//! retention.

mod staffed;

use store::{GreetingKind, Voicemail};

const PEOPLE: &str = "login,name,unit,extension\n\
    a.schneider,Anna Schneider,Bürgeramt,2001\n\
    b.meier,Bernd Meier,Bürgeramt,2002\n";

fn message(box_id: i64, at: i64, file: &str) -> Voicemail {
    Voicemail {
        id: 0,
        box_id,
        caller_number: Some("+4930123456".into()),
        caller_name: None,
        caller_staff_id: None,
        received_at: at,
        duration_ms: 5_000,
        file: file.into(),
        heard_at: None,
    }
}

#[tokio::test]
async fn a_box_is_made_once_and_keeps_its_settings_and_greetings() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let anna = store.panel_person("a.schneider").await.unwrap().unwrap().id;
        let first = store.person_mailbox(anna, 1).await.unwrap();
        let again = store.person_mailbox(anna, 2).await.unwrap();
        assert_eq!(first, again, "{l}: one box per person");
        assert!(first.enabled, "{l}: on by default");
        assert_eq!(first.email_mode, "attach", "{l}");
        assert_eq!(first.language, "de", "{l}");
        assert!(!first.has_greeting && !first.has_absence, "{l}");
        assert_eq!(store.mailbox(first.id).await.unwrap(), Some(first.clone()));
        assert_eq!(store.mailbox(first.id + 99).await.unwrap(), None);

        let wanted = store::Mailbox {
            enabled: false,
            absence_on: true,
            absence_until: Some("2026-12-24".into()),
            email_mode: "link".into(),
            language: "en".into(),
            ..first.clone()
        };
        assert!(store.set_mailbox_settings(&wanted).await.unwrap());
        assert!(store
            .set_mailbox_greeting(first.id, GreetingKind::Absence, Some((b"alaw", b"OggS")))
            .await
            .unwrap());
        let changed = store.mailbox(first.id).await.unwrap().unwrap();
        assert!(
            !changed.enabled && changed.absence_on && changed.has_absence,
            "{l}"
        );
        assert!(!changed.has_greeting, "{l}");
        assert_eq!(changed.absence_until.as_deref(), Some("2026-12-24"));
        assert_eq!(changed.email_mode, "link");
        assert_eq!(
            store
                .mailbox_greeting_alaw(first.id, GreetingKind::Absence)
                .await
                .unwrap()
                .as_deref(),
            Some(&b"alaw"[..]),
            "{l}"
        );
        assert_eq!(
            store
                .mailbox_greeting_opus(first.id, GreetingKind::Absence)
                .await
                .unwrap()
                .as_deref(),
            Some(&b"OggS"[..])
        );
        assert_eq!(
            store
                .mailbox_greeting_alaw(first.id, GreetingKind::Personal)
                .await
                .unwrap(),
            None
        );
        store
            .set_mailbox_greeting(first.id, GreetingKind::Absence, None)
            .await
            .unwrap();
        assert!(
            !store.mailbox(first.id).await.unwrap().unwrap().has_absence,
            "{l}"
        );
        assert_eq!(changed.language, "en");
        let gone = store::Mailbox {
            id: first.id + 99,
            ..wanted
        };
        assert!(!store.set_mailbox_settings(&gone).await.unwrap());
    }
}

#[tokio::test]
async fn messages_are_listed_heard_counted_deleted_and_found_for_retention() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let bernd = store.panel_person("b.meier").await.unwrap().unwrap().id;
        let b = store.person_mailbox(bernd, 1).await.unwrap().id;
        let old = store
            .add_voicemail(&message(b, 1_000, "voicemail/1/a.opus"))
            .await
            .unwrap();
        let new = store
            .add_voicemail(&message(b, 9_000, "voicemail/1/b.opus"))
            .await
            .unwrap();
        let listed = store.voicemails(b).await.unwrap();
        assert_eq!(
            listed.iter().map(|m| m.id).collect::<Vec<_>>(),
            [new, old],
            "{l}"
        );
        assert_eq!(listed[0].caller_number.as_deref(), Some("+4930123456"));
        assert_eq!(store.unheard_voicemails(b).await.unwrap(), 2, "{l}");
        assert!(store.mark_voicemail(new, true, 10_000).await.unwrap());
        assert!(store.mark_voicemail(new, true, 20_000).await.unwrap());
        assert_eq!(
            store.voicemail(new).await.unwrap().unwrap().heard_at,
            Some(10_000),
            "{l}: first heard stays"
        );
        assert_eq!(store.unheard_voicemails(b).await.unwrap(), 1);
        assert_eq!(
            store.voicemail_counts(b).await.unwrap(),
            (1, 1),
            "{l}: new, old"
        );
        assert!(store.mark_voicemail(new, false, 30_000).await.unwrap());
        assert_eq!(
            store.unheard_voicemails(b).await.unwrap(),
            2,
            "{l}: unheard again"
        );
        assert_eq!(
            store.voicemails_before(5_000).await.unwrap(),
            [(old, "voicemail/1/a.opus".to_string(), b)],
            "{l}"
        );
        let mut files = store.voicemail_files().await.unwrap();
        files.sort();
        assert_eq!(files, ["voicemail/1/a.opus", "voicemail/1/b.opus"]);
        assert_eq!(
            store.delete_voicemail(old).await.unwrap().as_deref(),
            Some("voicemail/1/a.opus")
        );
        assert_eq!(
            store.delete_voicemail(old).await.unwrap(),
            None,
            "{l}: once"
        );
        assert!(!store.mark_voicemail(old, true, 1).await.unwrap());
        assert_eq!(store.voicemails(b).await.unwrap().len(), 1);
    }
}
