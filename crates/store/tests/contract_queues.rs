//! The store's contract for the hotline's queue event log, on SQLite always and on
//! PostgreSQL when the test run has one (TEST_POSTGRES_URL): every kind of event reads
//! back as written, a period reads only its events, and the log refuses to be changed.

mod staffed;

use queues::{CallId, EventKind, QueueEvent, QueueId};

fn every_kind() -> Vec<QueueEvent> {
    let q = QueueId(3);
    let c = CallId(41);
    let kinds = vec![
        EventKind::AgentLogin { agent: 7 },
        EventKind::Entered {
            call: c,
            position: 2,
        },
        EventKind::Offered { call: c, agent: 7 },
        EventKind::Answered {
            call: c,
            agent: 7,
            waited_ms: 12_500,
        },
        EventKind::WrapUpEnded {
            agent: 7,
            early: true,
        },
        EventKind::Entered {
            call: CallId(42),
            position: 1,
        },
        EventKind::Abandoned {
            call: CallId(42),
            waited_ms: 3_000,
            position: 1,
        },
        EventKind::Entered {
            call: CallId(43),
            position: 1,
        },
        EventKind::CallbackRequested {
            call: CallId(43),
            waited_ms: 61_000,
        },
        EventKind::CallbackDone {
            call: CallId(43),
            agent: 7,
        },
        EventKind::Entered {
            call: CallId(44),
            position: 1,
        },
        EventKind::Overflowed {
            call: CallId(44),
            waited_ms: 120_000,
        },
        EventKind::AgentPaused {
            agent: 7,
            reason: "Schulung „Fallakte“ – Größe".into(),
        },
        EventKind::AgentResumed { agent: 7 },
        EventKind::WrapUpEnded {
            agent: 7,
            early: false,
        },
        EventKind::AgentLogout { agent: 7 },
    ];
    kinds
        .into_iter()
        .enumerate()
        .map(|(i, kind)| QueueEvent {
            at_ms: 1_000 * i as i64,
            queue: q,
            kind,
        })
        .collect()
}

#[tokio::test]
async fn events_read_back_as_written_by_period_and_cannot_be_changed() {
    for (store, db) in staffed::stores_with("login,name,unit,extension\n").await {
        let l = db.label;
        let events = every_kind();
        store.append_queue_events(&events).await.unwrap();
        assert_eq!(
            store.queue_events(0, 1_000_000).await.unwrap(),
            events,
            "{l}"
        );
        let period = store.queue_events(1_000, 4_000).await.unwrap();
        assert_eq!(period, events[1..4], "{l}: [from, to)");
        // The figures come from the stored log: 4 offered, 1 answered, 1 abandoned (short),
        // 1 callback, 1 overflow.
        let f = queues::figures(&period, None, 0, 1_000_000, queues::Thresholds::default());
        assert_eq!((f.offered, f.answered), (1, 1), "{l}");
        let all = store.queue_events(0, 1_000_000).await.unwrap();
        let f = queues::figures(&all, None, 0, 1_000_000, queues::Thresholds::default());
        assert_eq!(
            (
                f.offered,
                f.answered,
                f.short_abandons,
                f.callbacks_done,
                f.overflowed
            ),
            (4, 1, 1, 1, 1),
            "{l}"
        );
        // Another queue's events are not a hotline's.
        let other = QueueEvent {
            at_ms: 2_500,
            queue: QueueId(4),
            kind: EventKind::AgentLogin { agent: 9 },
        };
        store
            .append_queue_events(std::slice::from_ref(&other))
            .await
            .unwrap();
        assert_eq!(
            store.queue_events_of(&[3], 0, 1_000_000).await.unwrap(),
            events,
            "{l}"
        );
        assert_eq!(
            store.queue_events_of(&[4], 0, 1_000_000).await.unwrap(),
            std::slice::from_ref(&other),
            "{l}"
        );
        assert!(store
            .queue_events_of(&[], 0, 1_000_000)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            store.tamper_with_queue_events_for_test().await,
            (true, true),
            "{l}: updates and deletes are refused"
        );
        assert_eq!(
            store.queue_events_of(&[3], 0, 1_000_000).await.unwrap(),
            events,
            "{l}"
        );
    }
}
