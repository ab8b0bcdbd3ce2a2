//! The store's contract for hotlines, on SQLite always and on PostgreSQL when the test
//! run has one (TEST_POSTGRES_URL): a hotline with its queue, agents, supervisors and
//! announcements reads back whole, is found by extension and direct number, and agents'
//! logins are kept.

mod staffed;

use store::{Hotline, HotlineQueue, QueueAgent};

const PEOPLE: &str = "login,name,unit,extension\n\
    a.agent,Anna Agent,Gesundheitsamt,2901\n\
    b.agent,Bernd Agent,Gesundheitsamt,2902\n\
    s.chef,Sabine Chef,Gesundheitsamt,2903\n";

fn hotline(welcome: i64) -> Hotline {
    let weekday = "08:00-12:00, 13:00-16:00".to_string();
    Hotline {
        id: 0,
        name: "Bürgertelefon Gesundheitsamt".into(),
        extension: "2900".into(),
        did: Some("+4989123452900".into()),
        holiday_state: Some("BY".into()),
        hours: [
            weekday.clone(),
            weekday.clone(),
            weekday.clone(),
            weekday.clone(),
            "08:00-12:00".into(),
            String::new(),
            String::new(),
        ],
        closed_announcement: None,
        welcome_announcement: Some(welcome),
        hold_music: None,
        case_retention_days: 90,
        supervisor_listen: false,
    }
}

#[tokio::test]
async fn a_hotline_reads_back_whole_and_is_found_by_its_numbers() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let audio: Vec<u8> = (0..320).map(|i| i as u8).collect();
        let welcome = store
            .add_announcement("Begrüßung", &audio, Some(b"OggS opus"), 40, 1)
            .await
            .unwrap();
        let plain = store
            .add_announcement("Alt", &audio, None, 40, 1)
            .await
            .unwrap();
        assert_eq!(
            store.announcement_opus(welcome).await.unwrap().as_deref(),
            Some(&b"OggS opus"[..]),
            "{l}: the Opus copy too"
        );
        assert_eq!(store.announcement_opus(plain).await.unwrap(), None, "{l}");
        assert_eq!(store.announcement_opus(plain + 99).await.unwrap(), None);
        assert_eq!(
            store.announcement_audio(welcome).await.unwrap(),
            Some(audio),
            "{l}: the audio comes back byte for byte"
        );
        assert_eq!(store.announcement_audio(welcome + 99).await.unwrap(), None);
        let id = store.add_hotline(&hotline(welcome), 1).await.unwrap();
        let mut queue = HotlineQueue::new(id, "Terminvergabe");
        queue.strategy = "skills".into();
        queue.max_wait_secs = Some(600);
        let q = store.add_hotline_queue(&queue).await.unwrap();
        let person = |login: &str| {
            let store = store.clone();
            let login = login.to_string();
            async move {
                store
                    .panel_person(&login)
                    .await
                    .unwrap()
                    .expect("a person")
                    .id
            }
        };
        let (anna, bernd, sabine) = (
            person("a.agent").await,
            person("b.agent").await,
            person("s.chef").await,
        );
        store.set_queue_agent(q, anna, 1).await.unwrap();
        store.set_queue_agent(q, bernd, 1).await.unwrap();
        store.set_queue_agent(q, bernd, 2).await.unwrap();
        store.add_hotline_supervisor(id, sabine).await.unwrap();
        store.add_hotline_supervisor(id, sabine).await.unwrap();
        store.set_agent_logins(anna, &[q], true).await.unwrap();

        let book = store.hotline_book().await.unwrap();
        let mut expected = hotline(welcome);
        expected.id = id;
        assert_eq!(book.hotlines, [expected.clone()], "{l}");
        queue.id = q;
        assert_eq!(book.queues, [queue], "{l}");
        assert_eq!(
            book.agents,
            [
                QueueAgent {
                    queue_id: q,
                    staff_id: anna,
                    level: 1,
                    logged_in: true
                },
                QueueAgent {
                    queue_id: q,
                    staff_id: bernd,
                    level: 2,
                    logged_in: false
                },
            ],
            "{l}"
        );
        assert_eq!(book.supervisors, [(id, sabine)], "{l}");
        for number in ["2900", "+4989123452900"] {
            assert_eq!(
                store.hotline_by_number(number).await.unwrap(),
                Some(expected.clone()),
                "{l}: {number}"
            );
        }
        assert_eq!(store.hotline_by_number("2901").await.unwrap(), None, "{l}");
        // A second hotline may not take the same extension.
        let mut twin = hotline(welcome);
        twin.name = "Zwilling".into();
        twin.did = None;
        assert!(store.add_hotline(&twin, 2).await.is_err(), "{l}");
        assert_eq!(store.hotline_book().await.unwrap().hotlines.len(), 1, "{l}");
        // Listening in is switched on and off by itself, each with its audit entry;
        // other settings leave it.
        let switched = |how: &str| store::AuditEntry {
            at: 1,
            actor: Some("a.admin".into()),
            action: format!("hotline.listening.{how}"),
            target: Some("Gesundheitsamt".into()),
            source: None,
            detail: String::new(),
        };
        assert!(
            store
                .set_hotline_listening(id, true, &switched("on"))
                .await
                .unwrap(),
            "{l}"
        );
        assert!(
            !store
                .set_hotline_listening(id + 99, true, &switched("on"))
                .await
                .unwrap(),
            "{l}"
        );
        assert!(store.update_hotline(&expected).await.unwrap(), "{l}");
        let on = store.hotline_book().await.unwrap().hotlines[0].supervisor_listen;
        assert!(on, "{l}: a settings change keeps the switch");
        store
            .set_hotline_listening(id, false, &switched("off"))
            .await
            .unwrap();
        let off = store.hotline_book().await.unwrap().hotlines[0].supervisor_listen;
        assert!(!off, "{l}");
        let audit = store
            .audit_entries(&store::AuditFilter {
                action_prefix: Some("hotline.listening".into()),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            audit.len(),
            2,
            "{l}: one entry per switch, none for an unknown hotline"
        );
    }
}

#[tokio::test]
async fn a_promised_callback_is_kept_until_done() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let promise = |call_id, entered_ms| store::PromisedCallback {
            call_id,
            queue_id: 4,
            number: "+4917612345678".into(),
            name: None,
            person_id: None,
            via_trunk: Some(0),
            entered_ms,
            requested_ms: entered_ms + 30_000,
        };
        store
            .promise_callback(&promise(7 << 32 | 2, 2_000))
            .await
            .unwrap();
        store
            .promise_callback(&promise(7 << 32 | 1, 1_000))
            .await
            .unwrap();
        // Written twice (a retried write): still one.
        store
            .promise_callback(&promise(7 << 32 | 1, 1_000))
            .await
            .unwrap();
        assert_eq!(
            store.highest_queue_call_id().await.unwrap(),
            7 << 32 | 2,
            "{l}"
        );
        let all = store.promised_callbacks().await.unwrap();
        assert_eq!(
            all,
            [promise(7 << 32 | 1, 1_000), promise(7 << 32 | 2, 2_000)],
            "{l}"
        );
        store.callback_kept(7 << 32 | 1).await.unwrap();
        store.callback_kept(99).await.unwrap();
        let left: Vec<i64> = store
            .promised_callbacks()
            .await
            .unwrap()
            .iter()
            .map(|c| c.call_id)
            .collect();
        assert_eq!(left, [7 << 32 | 2], "{l}");
    }
}

#[tokio::test]
async fn where_an_agent_answers_is_kept_and_auto_is_no_entry() {
    for (store, db) in staffed::stores_with(PEOPLE).await {
        let l = db.label;
        let anna = store.panel_person("a.agent").await.unwrap().unwrap().id;
        store.set_answer_on(anna, "mobile").await.unwrap();
        let book = store.hotline_book().await.unwrap();
        assert_eq!(book.answer_on, [(anna, "mobile".to_string())], "{l}");
        store.set_answer_on(anna, "auto").await.unwrap();
        assert!(
            store.hotline_book().await.unwrap().answer_on.is_empty(),
            "{l}"
        );
        assert!(store.set_answer_on(anna, "fax").await.is_err(), "{l}");
    }
}
