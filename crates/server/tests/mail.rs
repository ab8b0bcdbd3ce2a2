//! Outgoing e-mail against a real SMTP receiver (aiosmtpd, `testkit::smtp`): the server
//! with `[smtp]` pointing at it, mails queued through the admin page's test mail
//! (`POST /api/v1/admin/mail/test`, the road voicemail notifications share) and through the
//! mailer itself. A mail arrives whole over STARTTLS with the configured CA, waits while the
//! receiver is down and arrives once it is up, fails at once when refused for good, waits
//! after a refused login, and shows on `GET /api/v1/admin/mail`; only administrators may
//! use either. On SQLite and, with TEST_POSTGRES_URL, on PostgreSQL.

mod common;

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use testkit::http::Client;
use testkit::server::{Options, TestServer};
use testkit::smtp::{Options as ReceiverOptions, Security, SmtpReceiver};

const FROM: &str = "Durchwahl Landratsamt <durchwahl@lra.example>";

/// `[smtp]` for `receiver`, with `security` and retries a second apart.
fn smtp(receiver: &SmtpReceiver, security: &str, extra: &str) -> String {
    format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"{security}\"\nfrom = \"{FROM}\"\n\
         ca_file = \"{}\"\nfirst_retry_seconds = 1\ntimeout_seconds = 10\n{extra}",
        receiver.port,
        receiver.ca_file.display()
    )
}

/// `[smtp]` without a CA file (plain SMTP).
fn plain_smtp(receiver: &SmtpReceiver) -> String {
    format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nfrom = \"{FROM}\"\n\
         first_retry_seconds = 1\n",
        receiver.port
    )
}

/// The configuration of a server whose file holds `toml`.
fn config(toml: &str) -> durchwahl::config::Config {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("durchwahl.toml");
    std::fs::write(&file, toml).unwrap();
    durchwahl::config::load(Some(&file), &[], &Default::default())
        .unwrap_or_else(|e| panic!("test configuration: {e:#}"))
}

/// Servers on every database of the run with `toml` as their configuration file.
fn servers(toml: &str) -> Vec<TestServer> {
    let config = config(toml);
    testkit::server::on_every_database(|| Options {
        config: config.clone(),
        ..Options::default()
    })
}

fn overview(admin: &mut Client) -> Value {
    let r = admin.get("/api/v1/admin/mail");
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

/// Polls the admin page's data until `done` holds (panics after 30 s); the last answer.
fn wait_for_overview(admin: &mut Client, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let now = overview(admin);
        if done(&now) {
            return now;
        }
        assert!(Instant::now() < deadline, "{what}: {now:#}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn send_test(admin: &mut Client, to: &str) -> Value {
    let r = admin.post("/api/v1/admin/mail/test", json!({ "to": to }));
    assert_eq!(r.status, 202, "{}", r.body);
    r.json()
}

#[test]
fn a_test_mail_arrives_over_starttls_with_subject_text_and_attachment() {
    let receiver = SmtpReceiver::start(ReceiverOptions {
        security: Security::Starttls,
        ..ReceiverOptions::default()
    });
    for (n, s) in servers(&smtp(&receiver, "starttls", ""))
        .into_iter()
        .enumerate()
    {
        let l = s.label;
        let mut admin = s.signed_in("a.admin");
        let before = overview(&mut admin);
        assert_eq!(
            (
                &before["configured"],
                &before["pending"],
                &before["sent_24h"]
            ),
            (&json!(true), &json!(0), &json!(0)),
            "{l}"
        );
        let queued = send_test(&mut admin, " Dora.Neu@LRA.example ");
        assert_eq!(queued["configured"], json!(true), "{l}");
        let mails = receiver.wait_for(n + 1, Duration::from_secs(30));
        let mail = &mails[n];
        assert_eq!(mail.subject(), "Testnachricht von Durchwahl", "{l}");
        assert_eq!(
            mail.envelope_to(),
            "Dora.Neu@lra.example",
            "{l}: trimmed, the domain in lower case"
        );
        assert_eq!(
            mail.header("from").as_deref(),
            Some("\"Durchwahl Landratsamt\" <durchwahl@lra.example>"),
            "{l}"
        );
        assert_eq!(
            mail.header("auto-submitted").as_deref(),
            Some("auto-generated")
        );
        let text = mail.text();
        assert!(
            text.contains("„E-Mail-Versand“") && text.contains("Anna Admin"),
            "{l}: {text}"
        );
        let files = mail.attachments();
        assert_eq!(files.len(), 1, "{l}: {}", mail.raw);
        assert_eq!(
            (files[0].name.as_str(), files[0].content_type.as_str()),
            ("durchwahl-test.txt", "text/plain"),
            "{l}"
        );
        assert!(String::from_utf8(files[0].bytes.clone())
            .unwrap()
            .starts_with("Anhang der Testnachricht: kommt er an"));
        let after = wait_for_overview(&mut admin, "counted as sent", |o| o["sent_24h"] == 1);
        assert_eq!(
            (
                &after["pending"],
                &after["failed"],
                &after["recent_failures"]
            ),
            (&json!(0), &json!(0), &json!([])),
            "{l}"
        );
        let audit = admin.get("/api/v1/admin/audit?action=admin.mail").json();
        assert_eq!(
            audit["entries"][0]["target"],
            json!("Dora.Neu@lra.example"),
            "{l}"
        );
    }
}

#[test]
fn a_mail_waits_while_the_receiver_is_down_and_arrives_once_it_is_up() {
    let databases = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(testkit::databases());
    for db in databases {
        // Each database's server gets a receiver that is down at first.
        let mut receiver = SmtpReceiver::stopped(ReceiverOptions::default());
        let s = testkit::server::start_on(
            db,
            Options {
                config: config(&plain_smtp(&receiver)),
                ..Options::default()
            },
        );
        let l = s.label;
        let mut admin = s.signed_in("a.admin");
        let id = send_test(&mut admin, "dora@lra.example")["id"].clone();
        let waiting = wait_for_overview(&mut admin, "the failed try listed", |o| {
            o["recent_failures"][0]["attempts"].as_i64() >= Some(1)
        });
        assert_eq!(waiting["pending"], json!(1), "{l}");
        let failure = &waiting["recent_failures"][0];
        assert_eq!(
            (&failure["id"], &failure["state"], &failure["to"]),
            (&id, &json!("pending"), &json!("dora@lra.example")),
            "{l}"
        );
        let error = failure["error"].as_str().unwrap();
        assert!(
            error.starts_with(&format!(
                "Keine Verbindung zum Mailserver 127.0.0.1:{}",
                receiver.port
            )),
            "{l}: {error}"
        );
        assert!(failure["next_attempt_at"].is_string(), "{l}: {failure}");
        assert!(receiver.messages().is_empty());

        receiver.run();
        let mails = receiver.wait_for(1, Duration::from_secs(30));
        assert_eq!(mails[0].subject(), "Testnachricht von Durchwahl", "{l}");
        let sent = wait_for_overview(&mut admin, "sent after all", |o| o["sent_24h"] == 1);
        assert_eq!(
            (&sent["pending"], &sent["recent_failures"]),
            (&json!(0), &json!([])),
            "{l}"
        );
        std::thread::sleep(Duration::from_millis(1_500));
        assert_eq!(receiver.messages().len(), 1, "{l}: sent once");
    }
}

#[test]
fn a_mail_the_server_refuses_for_good_fails_at_once_and_is_listed() {
    // 552 (RFC 1870 §6.3): the receiver takes nothing larger than 400 bytes.
    let receiver = SmtpReceiver::start(ReceiverOptions {
        max_size: Some(400),
        ..ReceiverOptions::default()
    });
    for s in servers(&plain_smtp(&receiver)) {
        let l = s.label;
        let mut admin = s.signed_in("a.admin");
        let id = send_test(&mut admin, "dora@lra.example")["id"].clone();
        let failed = wait_for_overview(&mut admin, "given up", |o| o["failed"] == 1);
        assert_eq!(
            (&failed["pending"], &failed["sent_24h"]),
            (&json!(0), &json!(0))
        );
        let f = &failed["recent_failures"][0];
        assert_eq!(
            (&f["id"], &f["state"], &f["attempts"], &f["next_attempt_at"]),
            (&id, &json!("failed"), &json!(1), &Value::Null),
            "{l}: one try, no retry: {f}"
        );
        let error = f["error"].as_str().unwrap();
        assert!(
            error.starts_with("Der Mailserver lehnt ab: 552"),
            "{l}: {error}"
        );
        assert_eq!(f["subject"], json!("Testnachricht von Durchwahl"));
    }
    assert!(receiver.messages().is_empty());
}

#[test]
fn without_a_mail_server_mails_wait_marked_as_such() {
    for s in servers("") {
        let l = s.label;
        let mut admin = s.signed_in("a.admin");
        assert_eq!(overview(&mut admin)["configured"], json!(false), "{l}");
        let queued = send_test(&mut admin, "dora@lra.example");
        assert_eq!(queued["configured"], json!(false), "{l}");
        let now = overview(&mut admin);
        assert_eq!((&now["pending"], &now["failed"]), (&json!(1), &json!(0)));
        let f = &now["recent_failures"][0];
        assert_eq!(
            (
                &f["error"],
                &f["attempts"],
                &f["state"],
                &f["last_attempt_at"]
            ),
            (
                &json!("SMTP ist nicht eingerichtet"),
                &json!(0),
                &json!("pending"),
                &Value::Null
            ),
            "{l}: {f}"
        );
        let bad = admin.post("/api/v1/admin/mail/test", json!({"to": "dora at lra"}));
        assert_eq!(
            (bad.status, bad.json()["field"].clone()),
            (400, json!("to")),
            "{l}"
        );
    }
}

#[test]
fn only_administrators_see_the_page_and_send_test_mails() {
    for s in servers("") {
        let mut clerk = s.signed_in("b.user");
        assert_eq!(clerk.get("/api/v1/admin/mail").status, 403, "{}", s.label);
        let r = clerk.post("/api/v1/admin/mail/test", json!({"to": "dora@lra.example"}));
        assert_eq!(r.status, 403, "{}", s.label);
        let mut admin = s.signed_in("a.admin");
        assert_eq!(
            overview(&mut admin)["pending"],
            json!(0),
            "nothing was queued"
        );
        assert_eq!(s.client().get("/api/v1/admin/mail").status, 401);
    }
}

#[test]
fn a_refused_login_keeps_the_mail_pending_and_the_password_out_of_the_log() {
    // aiosmtpd's command line has no accounts: it refuses every login with 535 (after
    // STARTTLS, where it offers AUTH). A refused login is ours to fix, not the mail's.
    let receiver = SmtpReceiver::start(ReceiverOptions {
        security: Security::Starttls,
        ..ReceiverOptions::default()
    });
    let s = common::setup(&smtp(
        &receiver,
        "starttls",
        "username = \"durchwahl\"\npassword = \"Geheim-SMTP-77\"\n",
    ));
    let mut admin = s.signed_in("a.admin");
    send_test(&mut admin, "dora@lra.example");
    let waiting = wait_for_overview(&mut admin, "the refused login listed", |o| {
        o["recent_failures"][0]["attempts"].as_i64() >= Some(1)
    });
    let f = &waiting["recent_failures"][0];
    assert_eq!(f["state"], json!("pending"), "{f}");
    let error = f["error"].as_str().unwrap();
    assert!(
        error.starts_with("Der Mailserver weist vorerst ab: 535"),
        "{error}"
    );
    assert!(receiver.messages().is_empty());
    let log = common::log();
    assert!(
        log.contains("dora@lra.example"),
        "the log names the recipient"
    );
    assert!(!log.contains("Geheim-SMTP-77"), "never the password");
    assert!(
        !log.contains("kommt er an") && !log.contains("löschen"),
        "never the body or the attachment"
    );
}

#[test]
fn tls_from_the_first_byte_works_and_an_unknown_ca_is_refused() {
    let receiver = SmtpReceiver::start(ReceiverOptions {
        security: Security::Tls,
        ..ReceiverOptions::default()
    });
    let s = common::setup(&smtp(&receiver, "tls", ""));
    let mut admin = s.signed_in("a.admin");
    send_test(&mut admin, "dora@lra.example");
    let mails = receiver.wait_for(1, Duration::from_secs(30));
    assert_eq!(mails[0].subject(), "Testnachricht von Durchwahl");
    drop(s);

    // Without the CA file the receiver's certificate is no one's we trust.
    let starttls = SmtpReceiver::start(ReceiverOptions {
        security: Security::Starttls,
        ..ReceiverOptions::default()
    });
    let config = smtp(&starttls, "starttls", "").replace(
        &format!("ca_file = \"{}\"\n", starttls.ca_file.display()),
        "",
    );
    let s = common::setup(&config);
    let mut admin = s.signed_in("a.admin");
    send_test(&mut admin, "dora@lra.example");
    let waiting = wait_for_overview(&mut admin, "the TLS failure listed", |o| {
        o["recent_failures"][0]["attempts"].as_i64() >= Some(1)
    });
    let error = waiting["recent_failures"][0]["error"].as_str().unwrap();
    assert!(error.starts_with("TLS mit 127.0.0.1:"), "{error}");
    assert!(starttls.messages().is_empty());
}

#[test]
fn starttls_is_required_a_server_without_it_gets_nothing() {
    let plain = SmtpReceiver::start(ReceiverOptions::default());
    let s = common::setup(&smtp(&plain, "starttls", ""));
    let mut admin = s.signed_in("a.admin");
    send_test(&mut admin, "dora@lra.example");
    let waiting = wait_for_overview(&mut admin, "the missing STARTTLS listed", |o| {
        o["recent_failures"][0]["attempts"].as_i64() >= Some(1)
    });
    let f = &waiting["recent_failures"][0];
    let error = f["error"].as_str().unwrap();
    assert!(
        error.contains("passt nicht zu den Einstellungen") && error.contains("STARTTLS"),
        "{error}"
    );
    assert_eq!(f["state"], json!("pending"));
    assert!(plain.messages().is_empty(), "no mail in plain text");
}

#[test]
fn the_mailer_sends_a_binary_attachment_byte_for_byte() {
    let receiver = SmtpReceiver::start(ReceiverOptions::default());
    let config = config(&plain_smtp(&receiver));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = testkit::sqlite();
    let recording: Vec<u8> = (0..=255u8).cycle().take(200_000).collect();
    let id = runtime.block_on(async {
        let store = store::Store::open(&db.url).await.unwrap();
        let mailer = durchwahl::mailer::start(store, &config.smtp, live::clock::system()).unwrap();
        assert!(mailer.configured());
        mailer
            .queue(store::mail_outbox::NewMail {
                to: "Dora Neu <dora@lra.example>".into(),
                subject: "Neue Sprachnachricht von 0931 4711".into(),
                text: "Eine Nachricht, 0:12 lang.".into(),
                attachment: Some(store::mail_outbox::Attachment {
                    name: "Sprachnachricht 2026-12-07 09-30.ogg".into(),
                    content_type: "audio/ogg".into(),
                    bytes: recording.clone(),
                }),
            })
            .await
            .unwrap()
    });
    assert!(id > 0);
    let mails = receiver.wait_for(1, Duration::from_secs(30));
    let files = mails[0].attachments();
    assert_eq!(mails[0].subject(), "Neue Sprachnachricht von 0931 4711");
    assert_eq!(mails[0].envelope_to(), "dora@lra.example");
    assert_eq!(files[0].name, "Sprachnachricht 2026-12-07 09-30.ogg");
    assert_eq!(files[0].content_type, "audio/ogg");
    assert!(
        files[0].bytes == recording,
        "the recording arrives byte for byte"
    );
}
