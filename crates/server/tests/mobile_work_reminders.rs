//! Mobile work's notifications (issue 19), against the whole server on SQLite and on
//! PostgreSQL when the run has one; mails wait in the outbox (no mail server here):
//! - Carl applies: Hanna, the Bauamt's head, gets a mail naming him; Veit, her deputy, none
//!   while she is present. Asked for changes, Carl applies again: Hanna gets a second one.
//! - Carl's approved agreement ends within the rules' 14 days: the calendar's sweep at
//!   start-up reminds him once, with the renewal page; after the next start (which reminds
//!   Dora, whose agreement came due meanwhile) he still has that one reminder.

mod mobile_work_kit;

use mobile_work_kit::{acknowledge_all, days_from_today, servers, set_up, LEADERS};
use serde_json::json;
use std::time::{Duration, Instant};
use store::mail_outbox::QueuedMail;
use testkit::http::Client;
use testkit::server::{Options, TestServer};

fn give_address(s: &TestServer, login: &str, email: &str) {
    let login = directory::Login::parse(login).unwrap();
    let mut record = s.block_on(s.store.person(&login)).unwrap().unwrap();
    record.email = Some(email.into());
    s.block_on(s.store.update_person(&record)).unwrap();
}

fn mails(s: &TestServer) -> Vec<QueuedMail> {
    s.block_on(s.store.due_mails(i64::MAX, 100)).unwrap()
}

fn to(s: &TestServer, address: &str) -> Vec<String> {
    mails(s)
        .into_iter()
        .filter(|m| m.mail.to == address)
        .map(|m| format!("{}\n{}", m.mail.subject, m.mail.text))
        .collect()
}

/// Waits (the calendar runs at start-up, beside the test) until `address` has a mail.
fn await_mail(s: &TestServer, address: &str) {
    let end = Instant::now() + Duration::from_secs(20);
    while to(s, address).is_empty() {
        assert!(Instant::now() < end, "{}: no mail to {address}", s.label);
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `client` applies for Tuesdays from in two days for `days` days; the application's id.
fn apply(client: &mut Client, days: i64) -> i64 {
    acknowledge_all(client);
    let r = client.post(
        "/api/v1/mobile-work/applications",
        json!({"weekdays": ["tue"], "start": days_from_today(2).to_string(),
               "end": days_from_today(2 + days).to_string()}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

fn options() -> Options {
    Options {
        extra_staff: LEADERS.into(),
        ..Options::default()
    }
}

#[test]
fn deciders_hear_of_applications_and_holders_are_reminded_once() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        set_up(&s, &mut admin);
        for (login, email) in [
            ("h.haupt", "hanna@lra.example"),
            ("v.vertreter", "veit@lra.example"),
            ("c.clerk", "carl@lra.example"),
            ("d.new", "dora@lra.example"),
        ] {
            give_address(&s, login, email);
        }
        let mut carl = s.signed_in("c.clerk");
        let mut hanna = s.signed_in("h.haupt");
        let id = apply(&mut carl, 10);
        let hannas = to(&s, "hanna@lra.example");
        assert_eq!(hannas.len(), 1, "{}: {hannas:?}", s.label);
        assert!(
            hannas[0].starts_with("Mobiles Arbeiten: Antrag von Carl Clerk"),
            "{hannas:?}"
        );
        assert!(hannas[0].contains("#/mobile-work"), "{hannas:?}");
        assert!(to(&s, "veit@lra.example").is_empty(), "{}", s.label);

        let decide = |head: &mut Client, body| {
            head.post(
                &format!("/api/v1/mobile-work/agreements/{id}/decision"),
                body,
            )
        };
        let r = decide(
            &mut hanna,
            json!({"decision": "request_changes", "note": "Bitte mittwochs"}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        let r = carl.post(
            &format!("/api/v1/mobile-work/agreements/{id}/resubmission"),
            json!({"weekdays": ["wed"], "start": days_from_today(2).to_string(),
                   "end": days_from_today(12).to_string()}),
        );
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        assert_eq!(to(&s, "hanna@lra.example").len(), 2, "{}", s.label);
        let r = decide(&mut hanna, json!({"decision": "approve"}));
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(to(&s, "carl@lra.example").is_empty(), "not yet reminded");

        // Dora's agreement runs long: no reminder due.
        let mut dora = s.signed_in("d.new");
        let doras = apply(&mut dora, 100);
        let r = hanna.post(
            &format!("/api/v1/mobile-work/agreements/{doras}/decision"),
            json!({"decision": "approve"}),
        );
        assert_eq!(r.status, 200, "{}", r.body);

        // The next start-up's sweep reminds Carl, with the day and the renewal page.
        let s = s.restart(options());
        await_mail(&s, "carl@lra.example");
        let carls = to(&s, "carl@lra.example");
        let end = days_from_today(12).strftime("%d.%m.%Y").to_string();
        assert_eq!(carls.len(), 1, "{}: {carls:?}", s.label);
        assert!(
            carls[0].starts_with(&format!(
                "Mobiles Arbeiten: Ihre Vereinbarung endet am {end}"
            )),
            "{carls:?}"
        );
        assert!(carls[0].contains("#/mobile-work"), "{carls:?}");
        assert!(to(&s, "dora@lra.example").is_empty(), "{}", s.label);

        // Dora's rules change to remind 120 days ahead: the next start reminds her, and
        // Carl, reminded already, gets nothing more.
        let mut admin = s.signed_in("a.admin");
        let mut rules = mobile_work_kit::rules();
        rules["reminder_days"] = json!([120, 14]);
        let r = mobile_work_kit::put(&mut admin, "/api/v1/admin/mobile-work/rules", rules);
        assert_eq!(r.status, 200, "{}", r.body);
        let s = s.restart(options());
        await_mail(&s, "dora@lra.example");
        assert_eq!(to(&s, "carl@lra.example").len(), 1, "{}: once", s.label);
        assert_eq!(to(&s, "dora@lra.example").len(), 1, "{}", s.label);
    }
}
