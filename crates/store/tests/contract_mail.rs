//! The store's contract for the mail outbox, on SQLite always and on PostgreSQL when the
//! test run has one (TEST_POSTGRES_URL): a queued mail comes back whole when due, a sent one
//! loses its attachment's bytes, a failed try is retried later or given up and then shown,
//! the counts of the admin page, and old mails go.

use store::mail_outbox::{Attachment, MailState, NewMail, KEEP_MS};
use store::Store;

const MINUTE: i64 = 60_000;
const T0: i64 = 1_780_000_000_000;

async fn stores() -> Vec<(Store, testkit::TestDb)> {
    let mut out = Vec::new();
    for db in testkit::databases().await {
        let store = Store::open(&db.url)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", db.label));
        out.push((store, db));
    }
    out
}

fn mail(to: &str, with_file: bool) -> NewMail {
    NewMail {
        to: to.into(),
        subject: "Neue Sprachnachricht von 0931 4711 – Bürgerbüro".into(),
        text: "Grüße aus Würzburg.\nZweite Zeile.".into(),
        attachment: with_file.then(|| Attachment {
            name: "nachricht.ogg".into(),
            content_type: "audio/ogg".into(),
            // Every byte value, NUL included: the column is binary, not text.
            bytes: (0..=255u8).cycle().take(70_000).collect(),
        }),
    }
}

#[tokio::test]
async fn a_queued_mail_comes_back_whole_when_due_and_loses_its_bytes_once_sent() {
    for (store, db) in stores().await {
        let l = db.label;
        assert_eq!(store.next_mail_due().await.unwrap(), None, "{l}: empty");
        let a = store
            .queue_mail(&mail("dora@lra.example", true), T0)
            .await
            .unwrap();
        let b = store
            .queue_mail(&mail("Bernd Böhm <bernd@lra.example>", false), T0 + 5)
            .await
            .unwrap();
        assert!(b > a, "{l}: ids grow");
        assert_eq!(store.next_mail_due().await.unwrap(), Some(T0), "{l}");
        assert!(
            store.due_mails(T0 - 1, 10).await.unwrap().is_empty(),
            "{l}: nothing is due before it was queued"
        );
        let due = store.due_mails(T0 + 5, 10).await.unwrap();
        assert_eq!(due.len(), 2, "{l}");
        assert_eq!(
            (due[0].id, due[0].created_ms, due[0].attempts),
            (a, T0, 0),
            "{l}"
        );
        assert_eq!(due[0].mail, mail("dora@lra.example", true), "{l}: whole");
        assert_eq!(due[1].mail, mail("Bernd Böhm <bernd@lra.example>", false));
        assert_eq!(store.due_mails(T0 + 5, 1).await.unwrap().len(), 1, "{l}");

        store.mail_sent(a, T0 + 1_000).await.unwrap();
        let due = store.due_mails(T0 + MINUTE, 10).await.unwrap();
        assert_eq!(
            due.iter().map(|m| m.id).collect::<Vec<_>>(),
            [b],
            "{l}: sent is sent"
        );
        let status = store.mail_status(T0 + 2_000).await.unwrap();
        assert_eq!(
            (status.pending, status.failed, status.sent_24h),
            (1, 0, 1),
            "{l}"
        );
        assert!(status.recent_failures.is_empty(), "{l}");
        assert_eq!(
            stored_bytes(&db, a).await,
            None,
            "{l}: the attachment's bytes are dropped once sent"
        );
        // A second "sent" (a late answer) changes nothing.
        store.mail_sent(a, T0 + 9_000).await.unwrap();
        store
            .mail_attempt_failed(a, "zu spät", T0, T0, true)
            .await
            .unwrap();
        let status = store.mail_status(T0 + 2_000).await.unwrap();
        assert_eq!((status.failed, status.sent_24h), (0, 1), "{l}");
        assert_eq!(
            store
                .mail_status(T0 + 1_000 + 24 * 60 * MINUTE)
                .await
                .unwrap()
                .sent_24h,
            0,
            "{l}: counted for 24 hours"
        );
    }
}

/// The stored attachment bytes of mail `id`, read with plain SQL: the outbox offers no
/// read of a mail that is no longer due.
async fn stored_bytes(db: &testkit::TestDb, id: i64) -> Option<Vec<u8>> {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(db.url.unredacted()).await.unwrap();
    let row = sqlx::query("SELECT attachment FROM mail_outbox WHERE id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    let bytes = row.try_get::<Option<Vec<u8>>, _>(0).unwrap();
    pool.close().await;
    bytes
}

#[tokio::test]
async fn a_failed_try_is_retried_later_or_given_up_and_stays_visible() {
    for (store, db) in stores().await {
        let l = db.label;
        let id = store
            .queue_mail(&mail("dora@lra.example", true), T0)
            .await
            .unwrap();
        let held = store
            .queue_mail(&mail("carl@lra.example", false), T0 + 1)
            .await
            .unwrap();
        store
            .mail_held(held, "SMTP ist nicht eingerichtet")
            .await
            .unwrap();
        store
            .mail_attempt_failed(id, "Verbindung abgelehnt", T0 + MINUTE, T0 + 10, false)
            .await
            .unwrap();
        assert_eq!(
            store
                .due_mails(T0 + 100, 10)
                .await
                .unwrap()
                .iter()
                .map(|m| m.id)
                .collect::<Vec<_>>(),
            [held],
            "{l}: the failed one waits for its next try"
        );
        let again = store.due_mails(T0 + MINUTE, 10).await.unwrap();
        let retried = again.iter().find(|m| m.id == id).expect("due again");
        assert_eq!(retried.attempts, 1, "{l}");
        assert!(retried.mail.attachment.is_some(), "{l}: kept for the retry");

        let status = store.mail_status(T0 + MINUTE).await.unwrap();
        assert_eq!(
            (status.pending, status.failed, status.sent_24h),
            (2, 0, 0),
            "{l}"
        );
        let f = &status.recent_failures;
        assert_eq!(f.len(), 2, "{l}: {f:?}");
        assert_eq!(
            (
                f[0].id,
                f[0].error.as_str(),
                f[0].attempts,
                f[0].state,
                f[0].next_attempt_ms,
                f[0].last_attempt_ms
            ),
            (
                id,
                "Verbindung abgelehnt",
                1,
                MailState::Pending,
                T0 + MINUTE,
                Some(T0 + 10)
            ),
            "{l}: the latest try first"
        );
        assert_eq!(
            (
                f[1].id,
                f[1].error.as_str(),
                f[1].attempts,
                f[1].last_attempt_ms
            ),
            (held, "SMTP ist nicht eingerichtet", 0, None),
            "{l}: held without a try"
        );
        assert_eq!(
            (f[0].to.as_str(), f[0].subject.as_str()),
            ("dora@lra.example", mail("", false).subject.as_str())
        );

        store
            .mail_attempt_failed(
                id,
                "550 5.1.1 Empfänger unbekannt",
                T0 + MINUTE,
                T0 + MINUTE,
                true,
            )
            .await
            .unwrap();
        assert!(
            store
                .due_mails(T0 + 600 * MINUTE, 10)
                .await
                .unwrap()
                .iter()
                .all(|m| m.id != id),
            "{l}: given up is never due"
        );
        let status = store.mail_status(T0 + MINUTE).await.unwrap();
        assert_eq!((status.pending, status.failed), (1, 1), "{l}");
        let given_up = &status.recent_failures[0];
        assert_eq!(
            (
                given_up.id,
                given_up.state,
                given_up.attempts,
                given_up.error.as_str()
            ),
            (id, MailState::Failed, 2, "550 5.1.1 Empfänger unbekannt"),
            "{l}"
        );
        assert_eq!(
            stored_bytes(&db, id).await.map(|b| b.len()),
            Some(70_000),
            "{l}: a given-up mail keeps its attachment (what was not sent)"
        );
    }
}

#[tokio::test]
async fn old_sent_and_given_up_mails_go_pending_ones_stay() {
    for (store, db) in stores().await {
        let l = db.label;
        let sent = store
            .queue_mail(&mail("a@lra.example", false), T0)
            .await
            .unwrap();
        let failed = store
            .queue_mail(&mail("b@lra.example", false), T0)
            .await
            .unwrap();
        let pending = store
            .queue_mail(&mail("c@lra.example", false), T0)
            .await
            .unwrap();
        store.mail_sent(sent, T0 + 1).await.unwrap();
        store
            .mail_attempt_failed(failed, "abgelehnt", T0 + 2, T0 + 2, true)
            .await
            .unwrap();
        assert_eq!(
            store.delete_old_mails(T0 + 1).await.unwrap(),
            0,
            "{l}: younger than the line"
        );
        assert_eq!(
            store.delete_old_mails(T0 + 1 + KEEP_MS).await.unwrap(),
            2,
            "{l}"
        );
        let status = store.mail_status(T0 + KEEP_MS).await.unwrap();
        assert_eq!((status.pending, status.failed), (1, 0), "{l}");
        assert_eq!(
            store.due_mails(T0 + KEEP_MS, 10).await.unwrap()[0].id,
            pending,
            "{l}: a pending mail is never deleted, however old"
        );
    }
}
