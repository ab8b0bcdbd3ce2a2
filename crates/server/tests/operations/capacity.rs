//! The capacity page (docs/capacity.md) on the whole server, on SQLite and on PostgreSQL
//! when the run has one: a published application capped at one user, used by one
//! person, is at 100 % (red) on `GET /api/v1/admin/capacity` with its history; staying
//! red for `red_minutes` (1 here; the fake clock moves the minute, `sample_secs = 1`
//! makes the readings come every second) sends the German alert mail through a real SMTP
//! receiver and writes `capacity.red` to the audit log. Only administrators see the page.
//!
//! The machine running the tests may have other figures red (a full disk, a busy CPU),
//! which alert too: the checks look for this application's mail and entry only.

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use testkit::http::Client;
use testkit::server::{on_every_database, Options, TestServer};
use testkit::smtp::{Options as ReceiverOptions, SmtpReceiver};

const PAGE: &str = "/api/v1/admin/capacity";
const SUBJECT: &str =
    "Kapazität: Nutzende der Anwendung „e-akte“ ist seit 1 Minute im roten Bereich (100 % von 1)";

fn config(receiver: &SmtpReceiver) -> durchwahl::config::Config {
    let toml = format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\n\
         from = \"Durchwahl <durchwahl@lra.example>\"\nfirst_retry_seconds = 1\n\
         [capacity]\nalert_to = [\"it@lra.example\"]\nred_minutes = 1\nsample_secs = 1\n",
        receiver.port
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("durchwahl.toml");
    std::fs::write(&file, toml).unwrap();
    durchwahl::config::load(Some(&file), &[], &Default::default())
        .unwrap_or_else(|e| panic!("test configuration: {e:#}"))
}

/// Polls the page until `done` holds for the e-akte figure (panics after 30 s).
fn wait_for_figure(s: &TestServer, admin: &mut Client, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let page = admin.get(PAGE);
        assert_eq!(page.status, 200, "{}: {}", s.label, page.body);
        let page = page.json();
        let figure = page["figures"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["app"] == json!("e-akte")).cloned());
        if figure.is_some_and(|f| done(&f)) {
            return page;
        }
        assert!(Instant::now() < deadline, "{}: {page:#}", s.label);
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_capped_application_in_use_is_red_alerted_by_mail_and_audited() {
    let receiver = SmtpReceiver::start(ReceiverOptions::default());
    let config = config(&receiver);
    for (n, s) in on_every_database(|| Options {
        config: config.clone(),
        fake_clock: true,
        ..Options::default()
    })
    .into_iter()
    .enumerate()
    {
        let l = s.label;
        let mut admin = s.signed_in("a.admin");
        // Only administrators.
        assert_eq!(s.client().get(PAGE).status, 401, "{l}");
        let mut bärbel = s.signed_in("b.user");
        assert_eq!(bärbel.get(PAGE).status, 403, "{l}");

        // Published with a cap of one (its upstream is down: the person counts as a user
        // all the same, admitted before the request is forwarded).
        let published = admin.post(
            "/api/v1/admin/gateway/apps",
            json!({"name": "e-akte", "title": "E-Akte", "kind": "proxy",
                   "upstream": "http://127.0.0.1:9/", "max_users": 1}),
        );
        assert_eq!(published.status, 201, "{l}: {}", published.body);
        let used = bärbel.get("/apps/e-akte/");
        assert!(used.status >= 500, "{l}: {} {}", used.status, used.body);

        let page = wait_for_figure(&s, &mut admin, |f| f["level"] == json!("red"));
        assert_eq!(page["red_minutes"], json!(1), "{l}");
        assert_eq!(page["alert_to"], json!(["it@lra.example"]), "{l}");
        assert!(page["sampled_at"].as_i64().is_some(), "{l}: {page}");
        let keys: Vec<&str> = page["figures"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["key"].as_str())
            .collect();
        assert_eq!(
            keys,
            [
                "cpu",
                "memory",
                "connections",
                "media_legs",
                "db_pool",
                "write_queue_chat",
                "write_queue_registrations",
                "disk",
                "gateway_users",
                "calls",
                "registrations"
            ],
            "{l}"
        );
        let figure = page["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["app"] == json!("e-akte"))
            .unwrap();
        assert_eq!(
            (
                &figure["key"],
                &figure["value"],
                &figure["limit"],
                &figure["unit"]
            ),
            (
                &json!("gateway_users"),
                &json!(1.0),
                &json!(1.0),
                &json!("count")
            ),
            "{l}"
        );
        let history = figure["history"].as_array().unwrap();
        assert_eq!(history.last().unwrap()[1], json!(1.0), "{l}: {figure}");
        for figure in page["figures"].as_array().unwrap() {
            let level = figure["level"].as_str().unwrap();
            assert!(
                ["green", "amber", "red", "unknown"].contains(&level),
                "{l}: {figure}"
            );
        }
        let calls = &page["figures"].as_array().unwrap()[9];
        assert_eq!(
            (&calls["limit"], &calls["level"]),
            (&Value::Null, &json!("green")),
            "{l}: {calls}"
        );
        assert_eq!(
            page["figures"][4]["limit"],
            json!(if l == "sqlite" { 4.0 } else { 8.0 }),
            "{l}"
        );

        // Nothing yet: red for less than a minute.
        let earlier = receiver.messages();
        assert_eq!(
            earlier.iter().filter(|m| m.subject() == SUBJECT).count(),
            n,
            "{l}: the servers before sent one each"
        );
        // A minute on, still in use (a user counts for five minutes): the alert.
        s.advance(Duration::from_secs(61));
        let deadline = Instant::now() + Duration::from_secs(30);
        let mail = loop {
            let mails = receiver.messages();
            let ours: Vec<_> = mails
                .into_iter()
                .filter(|m| m.subject() == SUBJECT)
                .collect();
            if ours.len() > n {
                break ours[n].clone();
            }
            assert!(Instant::now() < deadline, "{l}: no alert mail");
            std::thread::sleep(Duration::from_millis(100));
        };
        assert_eq!(mail.envelope_to(), "it@lra.example", "{l}");
        assert!(
            mail.text().contains("1 von 1 (100 %)"),
            "{l}: {}",
            mail.text()
        );
        let red = s
            .block_on(s.store.audit_entries(&store::AuditFilter {
                action_prefix: Some("capacity.red".into()),
                ..Default::default()
            }))
            .unwrap();
        let ours: Vec<_> = red
            .iter()
            .filter(|e| e.target.as_deref() == Some("gateway_users:e-akte"))
            .collect();
        assert_eq!(ours.len(), 1, "{l}: {red:?}");
        assert!(ours[0].detail.contains("(100 %)"), "{l}: {:?}", ours[0]);
        // The history was stored for the next start.
        let stored = s
            .block_on(s.store.capacity_samples_since(0))
            .unwrap()
            .into_iter()
            .filter(|r| r.figure == "gateway_users:e-akte")
            .count();
        assert!(stored >= 2, "{l}: {stored}");
        let page = wait_for_figure(&s, &mut admin, |f| {
            f["history"].as_array().is_some_and(|h| h.len() == 2)
        });
        assert!(page["sampled_at"].as_i64().is_some(), "{l}");
    }
}
