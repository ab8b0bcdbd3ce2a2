//! The equipment pool over REST (issue 19), against the whole server in-process, on
//! SQLite and on PostgreSQL when the run has one (`TEST_POSTGRES_URL`):
//!
//! - The administration adds items; bad input is a 422 at its field (a used inventory
//!   number too) and stores nothing. It lends an item to Carl, who sees it under "Meine
//!   Geräte"; lending it again is a 409; taking it back keeps its history.
//! - Reservations: overlapping days are a 409, bad days a 422; lending over Dora's
//!   reservation is refused; she cancels it.
//! - The waiting list: while a camera is free nobody waits (409); with none free Dora
//!   and then Bärbel wait at places 1 and 2; the return keeps the camera for Dora (a
//!   mail to her in the outbox), Bärbel moves up.
//! - The sweep reminds an overdue borrower once a day by mail.
//! - With a real SMTP receiver (aiosmtpd, SQLite only): the offer and the reminder arrive.
//! - No session: 401; a non-administrator on the admin endpoints: 403. Every change is
//!   audited.

mod mobile_work_kit;

use durchwahl::equipment_reminders::sweep;
use mobile_work_kit::{audit_by, days_from_today, today};
use serde_json::{json, Value};
use testkit::http::{Client, Reply};
use testkit::server::{on_every_database, Options, TestServer};

fn servers() -> Vec<TestServer> {
    on_every_database(Options::default)
}

fn created(s: &TestServer, r: &Reply) -> Value {
    assert_eq!(r.status, 201, "{}: {}", s.label, r.body);
    r.json()
}

fn add(admin: &mut Client, number: &str, kind: &str, name: &str) -> Reply {
    admin.post(
        "/api/v1/admin/equipment/items",
        json!({"inventory_number": number, "kind": kind, "name": name}),
    )
}

fn lend(admin: &mut Client, item: i64, login: &str, due: &str) -> Reply {
    admin.post(
        &format!("/api/v1/admin/equipment/items/{item}/loan"),
        json!({"login": login, "due": due}),
    )
}

fn set_email(s: &TestServer, login: &str, email: &str) {
    let login = directory::Login::parse(login).unwrap();
    let mut record = s.block_on(s.store.person(&login)).unwrap().unwrap();
    record.email = Some(email.into());
    s.block_on(s.store.update_person(&record)).unwrap();
}

#[test]
fn the_administration_adds_lends_and_takes_back() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        let headset = created(
            &s,
            &add(&mut admin, "HS-001", "headset", "Jabra Evolve2 40"),
        );
        let item = headset["id"].as_i64().unwrap();
        assert_eq!(headset["state"], "available");

        // Bad input: 422 at the field, nothing stored.
        for (bad, field) in [
            (
                json!({"inventory_number": "HS-001", "kind": "headset", "name": "X"}),
                "inventory_number",
            ),
            (
                json!({"inventory_number": " ", "kind": "headset", "name": "X"}),
                "inventory_number",
            ),
            (
                json!({"inventory_number": "X-1", "kind": "toaster", "name": "X"}),
                "kind",
            ),
            (
                json!({"inventory_number": "X-1", "kind": "camera", "name": ""}),
                "name",
            ),
        ] {
            let r = admin.post("/api/v1/admin/equipment/items", bad.clone());
            assert_eq!(r.status, 422, "{}: {bad}: {}", s.label, r.body);
            assert_eq!(r.json()["field"], field, "{}", r.body);
        }
        let r = admin.post(
            "/api/v1/admin/equipment/items",
            json!({"inventory_number": "X-1", "kind": "camera", "name": "X", "colour": "rot"}),
        );
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(s.block_on(s.store.equipment_items()).unwrap().len(), 1);

        // Lending: bad due days and unknown people are 422, nothing lent.
        let due = days_from_today(7).to_string();
        for (login, day, field) in [
            ("c.clerk", days_from_today(-1).to_string(), "due"),
            ("c.clerk", "nächste Woche".to_string(), "due"),
            ("niemand", due.clone(), "login"),
        ] {
            let r = lend(&mut admin, item, login, &day);
            assert_eq!(r.status, 422, "{}: {login} {day}: {}", s.label, r.body);
            assert_eq!(r.json()["field"], field, "{}", r.body);
        }
        assert_eq!(lend(&mut admin, 999_999, "c.clerk", &due).status, 404);
        let r = lend(&mut admin, item, "c.clerk", &due);
        let loan = created(&s, &r);
        assert_eq!(
            (loan["person"]["name"].clone(), loan["overdue"].clone()),
            (json!("Carl Clerk"), json!(false))
        );
        let r = lend(&mut admin, item, "d.new", &due);
        assert_eq!(r.status, 409, "{}: {}", s.label, r.body);

        // Carl sees it under "Meine Geräte"; the pool says lent, to nobody by name.
        let mut carl = s.signed_in("c.clerk");
        let mine = carl.get("/api/v1/equipment/mine").json();
        assert_eq!(
            mine["loans"][0]["device"]["inventory_number"], "HS-001",
            "{mine}"
        );
        assert_eq!(mine["loans"][0]["due"], json!(due));
        let pool = carl.get("/api/v1/equipment").json();
        assert_eq!(pool["items"][0]["state"], "lent", "{pool}");
        assert_eq!(pool["items"][0]["lent_until"], json!(due));
        assert!(!pool.to_string().contains("Carl"), "{pool}");
        let overview = admin.get("/api/v1/admin/equipment").json();
        assert_eq!(
            overview["items"][0]["loan"]["person"]["login"], "c.clerk",
            "{overview}"
        );

        // Retiring a lent item is refused; back, it can be retired; history kept.
        let retire = format!("/api/v1/admin/equipment/items/{item}/retire");
        assert_eq!(admin.post(&retire, json!({})).status, 409);
        let back = format!("/api/v1/admin/equipment/items/{item}/return");
        let r = admin.post(&back, json!({}));
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        assert_eq!(r.json()["returned"], json!(today().to_string()));
        assert_eq!(admin.post(&back, json!({})).status, 409);
        assert_eq!(
            carl.get("/api/v1/equipment/mine").json()["loans"],
            json!([])
        );
        let r = admin.post(&retire, json!({}));
        assert_eq!(
            (r.status, r.json()["state"].clone()),
            (200, json!("retired")),
            "{}",
            r.body
        );
        let history = admin
            .get(&format!("/api/v1/admin/equipment/items/{item}/loans"))
            .json();
        assert_eq!(history.as_array().map(Vec::len), Some(1), "{history}");
        assert_eq!(lend(&mut admin, item, "c.clerk", &due).status, 409);

        let actions: Vec<String> = audit_by("target", &mut admin, "admin.equipment.")
            .into_iter()
            .map(|(a, _)| a)
            .collect();
        for action in [
            "admin.equipment.item_added",
            "admin.equipment.lent",
            "admin.equipment.returned",
            "admin.equipment.retired",
        ] {
            assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
        }
    }
}

#[test]
fn reservations_never_overlap_and_lending_respects_them() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        let laptop = created(&s, &add(&mut admin, "NB-7", "laptop", "ThinkPad T14"))["id"]
            .as_i64()
            .unwrap();
        let mut dora = s.signed_in("d.new");
        let mut carl = s.signed_in("c.clerk");
        let reserve = |c: &mut Client, first: i64, last: i64| {
            c.post(
                "/api/v1/equipment/reservations",
                json!({"item": laptop, "first": days_from_today(first).to_string(),
                       "last": days_from_today(last).to_string()}),
            )
        };
        let mine = created(&s, &reserve(&mut dora, 2, 4));
        assert_eq!(mine["mine"], true);
        let r = reserve(&mut carl, 4, 5);
        assert_eq!(r.status, 409, "{}: {}", s.label, r.body);
        assert!(
            r.json()["message"].as_str().unwrap().contains("reserviert"),
            "{}",
            r.body
        );
        for (first, last, field) in [(-1, 1, "first"), (3, 2, "last"), (1, 40, "first")] {
            let r = reserve(&mut carl, first, last);
            assert_eq!(r.status, 422, "{}: {first}..{last}: {}", s.label, r.body);
            assert_eq!(r.json()["field"], field, "{}", r.body);
        }
        let r = carl.post(
            "/api/v1/equipment/reservations",
            json!({"item": 999_999, "first": today().to_string(), "last": today().to_string()}),
        );
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (422, json!("item")),
            "{}",
            r.body
        );
        // Carl sees the days taken, not by whom.
        let pool = carl.get("/api/v1/equipment").json();
        let held = &pool["items"][0]["reservations"][0];
        assert_eq!(
            (held["mine"].clone(), held["person"].clone()),
            (json!(false), json!(null)),
            "{pool}"
        );

        // Lending to Carl over Dora's days is refused; until the day before is fine.
        let r = lend(
            &mut admin,
            laptop,
            "c.clerk",
            &days_from_today(3).to_string(),
        );
        assert_eq!(r.status, 409, "{}: {}", s.label, r.body);
        created(
            &s,
            &lend(
                &mut admin,
                laptop,
                "c.clerk",
                &days_from_today(1).to_string(),
            ),
        );
        assert_eq!(
            s.block_on(s.store.equipment_reservations(today()))
                .unwrap()
                .len(),
            1
        );

        // Only Dora cancels hers.
        let id = mine["id"].as_i64().unwrap();
        let path = format!("/api/v1/equipment/reservations/{id}");
        assert_eq!(carl.request("DELETE", &path, None).status, 404);
        assert_eq!(dora.request("DELETE", &path, None).status, 200);
        assert!(s
            .block_on(s.store.equipment_reservations(today()))
            .unwrap()
            .is_empty());
        let actions: Vec<String> = audit_by("actor", &mut admin, "equipment.")
            .into_iter()
            .map(|(a, _)| a)
            .collect();
        for action in ["equipment.reserved", "equipment.cancelled"] {
            assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
        }
    }
}

#[test]
fn the_waiting_list_is_served_in_order_and_overdue_loans_reminded() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        let camera = created(&s, &add(&mut admin, "CAM-1", "camera", "Logitech C920"))["id"]
            .as_i64()
            .unwrap();
        let mut dora = s.signed_in("d.new");
        let mut baerbel = s.signed_in("b.user");
        let join = |c: &mut Client| c.post("/api/v1/equipment/waiting", json!({"kind": "camera"}));

        // A camera is free: reserve it instead of waiting.
        let r = join(&mut dora);
        assert_eq!(r.status, 409, "{}: {}", s.label, r.body);
        assert_eq!(
            dora.post("/api/v1/equipment/waiting", json!({"kind": "Kamera"}))
                .status,
            422
        );
        created(
            &s,
            &lend(&mut admin, camera, "c.clerk", &today().to_string()),
        );

        // None free: Dora, then Bärbel; twice is refused.
        let place = created(&s, &join(&mut dora));
        assert_eq!(
            (place["position"].clone(), place["of"].clone()),
            (json!(1), json!(1))
        );
        let place = created(&s, &join(&mut baerbel));
        assert_eq!(place["position"], 2, "{place}");
        assert_eq!(join(&mut dora).status, 409);
        let pool = baerbel.get("/api/v1/equipment").json();
        let cameras = pool["kinds"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kind"] == "camera")
            .unwrap()
            .clone();
        assert_eq!(
            (
                cameras["free_today"].clone(),
                cameras["my_position"].clone(),
                cameras["waiting"].clone()
            ),
            (json!(0), json!(2), json!(2)),
            "{pool}"
        );
        let overview = admin.get("/api/v1/admin/equipment").json();
        let list = overview["waiting"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kind"] == "camera")
            .unwrap()["waiting"]
            .clone();
        assert_eq!(list[0]["person"]["login"], "d.new", "{overview}");

        // Back: kept for Dora (a mail to her in the outbox); Bärbel is next.
        set_email(&s, "d.new", "dora@lra.example");
        let r = admin.post(
            &format!("/api/v1/admin/equipment/items/{camera}/return"),
            json!({}),
        );
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let mine = dora.get("/api/v1/equipment/mine").json();
        assert_eq!(mine["waiting"], json!([]), "{mine}");
        assert_eq!(mine["reservations"][0]["offered"], true, "{mine}");
        assert_eq!(
            mine["reservations"][0]["device"]["inventory_number"],
            "CAM-1"
        );
        let mine = baerbel.get("/api/v1/equipment/mine").json();
        assert_eq!(
            mine["waiting"],
            json!([{"kind": "camera", "position": 1, "of": 1}]),
            "{mine}"
        );
        let mails = s.block_on(s.store.due_mails(i64::MAX, 10)).unwrap();
        assert_eq!(mails.len(), 1, "{}: {mails:?}", s.label);
        assert_eq!(mails[0].mail.to, "dora@lra.example");
        assert!(
            mails[0].mail.subject.contains("CAM-1"),
            "{}",
            mails[0].mail.subject
        );
        assert!(audit_by("target", &mut admin, "equipment.offered")
            .contains(&("equipment.offered".into(), "d.new".into())));
        // Bärbel leaves the list.
        assert_eq!(
            baerbel
                .request("DELETE", "/api/v1/equipment/waiting/camera", None)
                .status,
            200
        );
        assert_eq!(
            baerbel
                .request("DELETE", "/api/v1/equipment/waiting/camera", None)
                .status,
            404
        );

        // Dora collects it, due today; three days later at 9:00 the sweep reminds her
        // once (a second sweep that day does not), at 6:00 the next day not yet.
        created(&s, &lend(&mut admin, camera, "d.new", &today().to_string()));
        let at = |days: i64, hour: i8| {
            planner::calendar::zone()
                .to_timestamp(days_from_today(days).at(hour, 0, 0, 0))
                .unwrap()
                .as_millisecond()
        };
        let mailer =
            durchwahl::mailer::start(s.store.clone(), &Default::default(), live::clock::system())
                .unwrap();
        let before = s.block_on(s.store.due_mails(i64::MAX, 10)).unwrap().len();
        let swept = s
            .block_on(sweep(&s.store, Some(&mailer), "Landratsamt", at(0, 10)))
            .unwrap();
        assert_eq!(swept.reminded, 0, "{}: due today is not overdue", s.label);
        let swept = s
            .block_on(sweep(&s.store, Some(&mailer), "Landratsamt", at(3, 9)))
            .unwrap();
        assert_eq!(swept.reminded, 1, "{}", s.label);
        let swept = s
            .block_on(sweep(&s.store, Some(&mailer), "Landratsamt", at(3, 15)))
            .unwrap();
        assert_eq!(swept.reminded, 0, "{}: once a day", s.label);
        let swept = s
            .block_on(sweep(&s.store, Some(&mailer), "Landratsamt", at(4, 6)))
            .unwrap();
        assert_eq!(swept.reminded, 0, "{}: not at night", s.label);
        let mails = s.block_on(s.store.due_mails(i64::MAX, 10)).unwrap();
        assert_eq!(mails.len(), before + 1, "{}: {mails:?}", s.label);
        let reminder = mails
            .iter()
            .find(|m| m.mail.subject.starts_with("Erinnerung"))
            .expect("a reminder");
        assert_eq!(reminder.mail.to, "dora@lra.example");
        assert!(
            reminder.mail.text.contains("Dora Neu") && reminder.mail.text.contains("Landratsamt"),
            "{}",
            reminder.mail.text
        );
        let mine = dora.get("/api/v1/equipment/mine").json();
        assert_eq!(
            mine["loans"][0]["overdue"], false,
            "{mine}: not yet overdue today"
        );
    }
}

#[test]
fn nothing_works_without_a_session_and_admin_endpoints_need_the_role() {
    for s in servers() {
        let mut nobody = s.client();
        let admin_calls = [
            ("GET", "/api/v1/admin/equipment"),
            ("POST", "/api/v1/admin/equipment/items"),
            ("POST", "/api/v1/admin/equipment/items/1/loan"),
            ("POST", "/api/v1/admin/equipment/items/1/return"),
            ("POST", "/api/v1/admin/equipment/items/1/retire"),
            ("GET", "/api/v1/admin/equipment/items/1/loans"),
        ];
        let everyones = [
            ("GET", "/api/v1/equipment"),
            ("GET", "/api/v1/equipment/mine"),
            ("POST", "/api/v1/equipment/reservations"),
            ("DELETE", "/api/v1/equipment/reservations/1"),
            ("POST", "/api/v1/equipment/waiting"),
            ("DELETE", "/api/v1/equipment/waiting/camera"),
        ];
        for (method, path) in admin_calls.iter().chain(&everyones) {
            let body = (*method != "GET")
                .then(|| json!({"inventory_number": "X", "kind": "camera", "name": "X"}));
            let r = nobody.request(method, path, body);
            assert_eq!(r.status, 401, "{}: {method} {path}: {}", s.label, r.body);
        }
        let mut carl = s.signed_in("c.clerk");
        for (method, path) in admin_calls {
            let body = (method != "GET")
                .then(|| json!({"inventory_number": "X", "kind": "camera", "name": "X"}));
            let r = carl.request(method, path, body);
            assert_eq!(r.status, 403, "{}: {method} {path}: {}", s.label, r.body);
        }
        assert!(s.block_on(s.store.equipment_items()).unwrap().is_empty());
    }
}

/// Options whose `[smtp]` points at `receiver` (plain SMTP on loopback).
fn mailing(receiver: &testkit::smtp::SmtpReceiver) -> Options {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("durchwahl.toml");
    let toml = format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\n\
         from = \"Durchwahl <durchwahl@lra.example>\"\nfirst_retry_seconds = 1\n",
        receiver.port
    );
    std::fs::write(&file, toml).unwrap();
    let config = durchwahl::config::load(Some(&file), &[], &Default::default())
        .unwrap_or_else(|e| panic!("test configuration: {e:#}"));
    Options {
        config,
        ..Options::default()
    }
}

#[test]
fn the_offer_and_the_reminder_reach_a_real_mail_server() {
    let receiver = testkit::smtp::SmtpReceiver::start(Default::default());
    let options = mailing(&receiver);
    let smtp = options.config.smtp.clone();
    let s = testkit::server::start(options);
    let mut admin = s.signed_in("a.admin");
    let r = admin.request(
        "PATCH",
        "/api/v1/admin/staff/d.new",
        Some(json!({"email": "dora.neu@lra.example"})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let camera = created(&s, &add(&mut admin, "CAM-9", "camera", "Logitech Brio"))["id"]
        .as_i64()
        .unwrap();
    created(
        &s,
        &lend(&mut admin, camera, "c.clerk", &today().to_string()),
    );
    let mut dora = s.signed_in("d.new");
    created(
        &s,
        &dora.post("/api/v1/equipment/waiting", json!({"kind": "camera"})),
    );
    let r = admin.post(
        &format!("/api/v1/admin/equipment/items/{camera}/return"),
        json!({}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let mails = receiver.wait_for(1, std::time::Duration::from_secs(30));
    assert_eq!(mails[0].envelope_to(), "dora.neu@lra.example");
    assert_eq!(
        mails[0].subject(),
        "Gerät für Sie zurückgelegt: Kamera „Logitech Brio“ (CAM-9)"
    );
    assert!(
        mails[0].text().contains("Guten Tag Dora Neu"),
        "{}",
        mails[0].text()
    );

    // Dora collects it, due today; two days later the sweep reminds her.
    created(&s, &lend(&mut admin, camera, "d.new", &today().to_string()));
    let at = planner::calendar::zone()
        .to_timestamp(days_from_today(2).at(9, 0, 0, 0))
        .unwrap()
        .as_millisecond();
    let swept = s.block_on(async {
        let mailer =
            durchwahl::mailer::start(s.store.clone(), &smtp, live::clock::system()).unwrap();
        sweep(&s.store, Some(&mailer), "Landratsamt Musterstadt", at)
            .await
            .unwrap()
    });
    assert_eq!(swept.reminded, 1);
    let mails = receiver.wait_for(2, std::time::Duration::from_secs(30));
    let reminder = mails
        .iter()
        .find(|m| m.subject().starts_with("Erinnerung"))
        .expect("the reminder");
    assert_eq!(reminder.envelope_to(), "dora.neu@lra.example");
    assert!(
        reminder.text().contains("Landratsamt Musterstadt"),
        "{}",
        reminder.text()
    );
}
