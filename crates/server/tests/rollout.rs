//! The phased rollout and the staff council's report over REST (issue 19), against the
//! whole server in-process, on SQLite and on PostgreSQL when the run has one
//! (`TEST_POSTGRES_URL`):
//!
//! - Mobile work has a cap of 2: three approved applications give two places and put the
//!   third on the waiting list at position 1 (the decision's answer says so in German,
//!   and so does the person's view). Raising the cap to 3 admits them (audited, their
//!   view says granted, a mail to them waits in the outbox). Two more wait; the one the administration records as caring
//!   for a relative goes first and is admitted when the cap rises to 4; lowering it to 1
//!   takes the feature from nobody.
//! - Under a cap of 1, approvals stand while the place waits; a waiting person who ends
//!   their agreement leaves the list, and the holder ending theirs gives the place to the
//!   next in line (audited, told by mail); ending twice frees nothing more.
//! - Bad input is a 422 and changes nothing, an unknown feature 404, a non-administrator
//!   403, no session 401.
//! - The council report holds aggregates only: no login, name or agreement in it, and a
//!   count below three is shown as "weniger als 3"; the CSV says the same.

mod mobile_work_kit;

use mobile_work_kit::{audit_by, put, today};
use serde_json::{json, Value};
use testkit::http::{Client, Reply};
use testkit::server::{on_every_database, Options, TestServer};

/// The Bauamt's head and more clerks besides the fixture's Carl and Dora, and a member of
/// the staff council.
const STAFF: &str = "h.haupt,Hanna Haupt,Bauamt,2510,,user\n\
                     e.erna,Erna Emsig,Bauamt,2512,,user\n\
                     f.fritz,Fritz Fleißig,Bauamt,2513,,user\n\
                     g.gustav,Gustav Gründlich,Bauamt,2514,,user\n\
                     p.rat,Petra Rat,Personalrat,2590,,user;council\n";

const CLERKS: [&str; 3] = ["c.clerk", "d.new", "e.erna"];

fn servers() -> Vec<TestServer> {
    on_every_database(|| Options {
        extra_staff: STAFF.into(),
        ..Options::default()
    })
}

/// Rules, one text, the Bauamt's head.
fn set_up(s: &TestServer, admin: &mut Client) {
    let r = put(
        admin,
        "/api/v1/admin/mobile-work/rules",
        json!({"days_per_week": 2, "days_per_month": 10,
               "core_hours": {"from": "09:00", "until": "15:00"},
               "notice_days": 28, "max_term_days": 365, "reminder_days": [14]}),
    );
    assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
    let r = admin.post(
        "/api/v1/admin/mobile-work/texts",
        json!({"key": "datenschutz", "title": "Belehrung Datenschutz", "body": "Bitte lesen."}),
    );
    assert_eq!(r.status, 201, "{}: {}", s.label, r.body);
    let bauamt = s
        .block_on(s.store.unit_id_by_path("Bauamt"))
        .unwrap()
        .expect("the Bauamt");
    let r = put(
        admin,
        &format!("/api/v1/admin/units/{bauamt}/leaders"),
        json!({"head": "h.haupt", "deputies": []}),
    );
    assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
}

/// `client` acknowledges the texts and applies; the application's id.
fn apply(client: &mut Client) -> i64 {
    let texts = client.get("/api/v1/mobile-work").json()["to_acknowledge"].clone();
    for text in texts.as_array().unwrap() {
        let r = client.post(
            "/api/v1/mobile-work/acknowledgements",
            json!({"key": text["key"], "version": text["version"]}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let start = today().checked_add(jiff::Span::new().days(14)).unwrap();
    let r = client.post(
        "/api/v1/mobile-work/applications",
        json!({"weekdays": ["tue"], "start": start.to_string(),
               "end": start.checked_add(jiff::Span::new().days(90)).unwrap().to_string()}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

fn decide(head: &mut Client, id: i64, decision: Value) -> Reply {
    head.post(
        &format!("/api/v1/mobile-work/agreements/{id}/decision"),
        decision,
    )
}

fn my_mobile_work(client: &mut Client) -> Value {
    let r = client.get("/api/v1/rollout");
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["feature"] == "mobile_work")
        .cloned()
        .expect("mobile work has a cap")
}

/// Every object key in `value`, at any depth.
fn keys(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                keys(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

#[test]
fn a_cap_of_two_puts_the_third_on_the_waiting_list_and_raising_it_admits_them() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        let mut head = s.signed_in("h.haupt");
        set_up(&s, &mut admin);

        // Bad input: 422 and nothing set up; an unknown feature 404.
        for bad in [
            json!({"cap": -1, "scheme": "weights"}),
            json!({"cap": 2, "scheme": "lottery"}),
            json!({"cap": 2, "scheme": "weights", "criteria": [{"key": "Pflege!", "label": "Pflege"}]}),
            json!({"cap": 2, "scheme": "weights", "criteria": [{"key": "pflege", "label": ""}]}),
            json!({"cap": 2, "scheme": "weights", "criteria": [
                {"key": "pflege", "label": "Pflege"}, {"key": "pflege", "label": "Pflege"}]}),
            json!({"cap": 2, "scheme": "weights", "colour": "red"}),
        ] {
            let r = put(&mut admin, "/api/v1/admin/rollout/mobile_work", bad.clone());
            assert_eq!(r.status, 422, "{}: {bad}: {}", s.label, r.body);
        }
        let r = admin.get("/api/v1/admin/rollout/mobile_work");
        assert_eq!(r.json()["configured"], false, "{}", r.body);
        let r = put(
            &mut admin,
            "/api/v1/admin/rollout/teleportation",
            json!({"cap": 2, "scheme": "weights"}),
        );
        assert_eq!(r.status, 404, "{}", r.body);
        let r = put(
            &mut admin,
            "/api/v1/admin/rollout/mobile_work/cap",
            json!({"cap": 2}),
        );
        assert_eq!(r.status, 409, "no rollout yet: {}", r.body);

        // A cap of 2 with two criteria.
        let r = put(
            &mut admin,
            "/api/v1/admin/rollout/mobile_work",
            json!({"cap": 2, "scheme": "weights", "criteria": [
                {"key": "schwerbehinderung", "label": "Schwerbehinderung", "weight": 5},
                {"key": "pflege", "label": "Pflege von Angehörigen", "weight": 3}]}),
        );
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        assert_eq!(r.json()["cap"], 2);
        assert_eq!(r.json()["criteria"][1]["key"], "pflege");

        // Three apply, the head approves all: two places, the third waits at 1.
        let mut clerks: Vec<Client> = CLERKS.iter().map(|l| s.signed_in(l)).collect();
        let ids: Vec<i64> = clerks.iter_mut().map(apply).collect();
        let mut answers = Vec::new();
        for id in &ids {
            let r = decide(&mut head, *id, json!({"decision": "approve"}));
            assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
            assert_eq!(r.json()["state"], "approved", "{}", r.body);
            answers.push(r.json()["rollout"].clone());
        }
        assert_eq!(answers[0]["state"], "granted", "{answers:?}");
        assert_eq!(answers[1]["state"], "granted", "{answers:?}");
        assert_eq!(answers[2]["state"], "waiting", "{answers:?}");
        assert_eq!(answers[2]["position"], 1);
        assert!(
            answers[2]["message"]
                .as_str()
                .unwrap()
                .contains("Warteliste auf Platz 1"),
            "{answers:?}"
        );
        let erna = my_mobile_work(&mut clerks[2]);
        assert_eq!(
            (erna["state"].clone(), erna["position"].clone()),
            (json!("waiting"), json!(1))
        );
        assert_eq!(my_mobile_work(&mut clerks[0])["state"], "granted");
        let view = admin.get("/api/v1/admin/rollout/mobile_work").json();
        assert_eq!(view["holders"], 2, "{view}");
        assert_eq!(view["waiting"][0]["login"], "e.erna", "{view}");
        assert_eq!(view["waiting"][0]["position"], 1);

        // Not an administrator: 403; no session: 401.
        let r = put(
            &mut clerks[2],
            "/api/v1/admin/rollout/mobile_work/cap",
            json!({"cap": 9}),
        );
        assert_eq!(r.status, 403, "{}", r.body);
        assert_eq!(clerks[2].get("/api/v1/admin/rollout").status, 403);
        assert_eq!(
            clerks[2]
                .get("/api/v1/mobile-work/council-report?from=2026-01&to=2026-12")
                .status,
            403
        );
        // The staff council reads its report, and nothing of the administration's.
        let mut council = s.signed_in("p.rat");
        let r = council.get("/api/v1/mobile-work/council-report?from=2026-01&to=2026-12");
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        assert_eq!(council.get("/api/v1/admin/rollout").status, 403);
        assert_eq!(council.get("/api/v1/admin/mobile-work/rules").status, 403);
        let mut nobody = s.client();
        for (method, path) in [
            ("GET", "/api/v1/rollout"),
            ("GET", "/api/v1/admin/rollout"),
            ("GET", "/api/v1/admin/rollout/mobile_work"),
            ("PUT", "/api/v1/admin/rollout/mobile_work"),
            ("PUT", "/api/v1/admin/rollout/mobile_work/cap"),
            (
                "GET",
                "/api/v1/mobile-work/council-report?from=2026-01&to=2026-12",
            ),
        ] {
            let body = (method != "GET").then(|| json!({"cap": 9}));
            let r = nobody.request(method, path, body);
            assert_eq!(r.status, 401, "{}: {method} {path}: {}", s.label, r.body);
        }
        let r = put(
            &mut admin,
            "/api/v1/admin/rollout/mobile_work/cap",
            json!({"cap": "drei"}),
        );
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(
            admin.get("/api/v1/admin/rollout/mobile_work").json()["cap"],
            2
        );

        // Raising the cap admits Erna, audited; her view says granted, and a mail to her
        // waits in the outbox (no mail server here).
        let login = directory::Login::parse("e.erna").unwrap();
        let mut record = s.block_on(s.store.person(&login)).unwrap().unwrap();
        record.email = Some("erna@lra.example".into());
        s.block_on(s.store.update_person(&record)).unwrap();
        let r = put(
            &mut admin,
            "/api/v1/admin/rollout/mobile_work/cap",
            json!({"cap": 3}),
        );
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        assert_eq!(
            (r.json()["holders"].clone(), r.json()["waiting"].clone()),
            (json!(3), json!([]))
        );
        assert_eq!(my_mobile_work(&mut clerks[2])["state"], "granted");
        let audit = audit_by("target", &mut admin, "rollout.");
        assert!(
            audit.contains(&("rollout.admitted".into(), "e.erna".into())),
            "{audit:?}"
        );
        assert!(
            audit.iter().any(|(a, _)| a == "rollout.cap_changed"),
            "{audit:?}"
        );
        let mails = s.block_on(s.store.due_mails(i64::MAX, 10)).unwrap();
        assert_eq!(mails.len(), 1, "{}", s.label);
        assert_eq!(mails[0].mail.to, "erna@lra.example");
        assert!(
            mails[0].mail.subject.contains("Mobiles Arbeiten"),
            "{}",
            mails[0].mail.subject
        );

        // Two more wait; Gustav, applying later but caring for a relative, goes first
        // once the administration records it; raising the cap to 4 admits him.
        for login in ["f.fritz", "g.gustav"] {
            let id = apply(&mut s.signed_in(login));
            let r = decide(&mut head, id, json!({"decision": "approve"}));
            assert_eq!(r.json()["rollout"]["state"], "waiting", "{}", r.body);
        }
        let order = |v: &Value| -> Vec<Value> {
            v["waiting"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| w["login"].clone())
                .collect()
        };
        let path = "/api/v1/admin/rollout/mobile_work/waiting";
        let r = put(
            &mut admin,
            &format!("{path}/g.gustav"),
            json!({"criteria": ["fliegen"]}),
        );
        assert_eq!(r.status, 422, "{}", r.body);
        let r = put(
            &mut admin,
            &format!("{path}/c.clerk"),
            json!({"criteria": ["pflege"]}),
        );
        assert_eq!(r.status, 404, "a holder is not waiting: {}", r.body);
        let r = put(
            &mut clerks[0],
            &format!("{path}/g.gustav"),
            json!({"criteria": ["pflege"]}),
        );
        assert_eq!(r.status, 403, "{}", r.body);
        let before = admin.get("/api/v1/admin/rollout/mobile_work").json();
        assert_eq!(order(&before), vec![json!("f.fritz"), json!("g.gustav")]);
        let r = put(
            &mut admin,
            &format!("{path}/g.gustav"),
            json!({"criteria": ["pflege"]}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(order(&r.json()), vec![json!("g.gustav"), json!("f.fritz")]);
        assert_eq!(r.json()["waiting"][0]["criteria"], json!(["pflege"]));
        let r = put(
            &mut admin,
            "/api/v1/admin/rollout/mobile_work/cap",
            json!({"cap": 4}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(order(&r.json()), vec![json!("f.fritz")]);
        assert_eq!(
            my_mobile_work(&mut s.signed_in("g.gustav"))["state"],
            "granted"
        );

        // Lowering it takes the feature from nobody.
        let r = put(
            &mut admin,
            "/api/v1/admin/rollout/mobile_work/cap",
            json!({"cap": 1}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            (r.json()["cap"].clone(), r.json()["holders"].clone()),
            (json!(1), json!(4))
        );
        assert_eq!(order(&r.json()), vec![json!("f.fritz")]);
        for clerk in clerks.iter_mut() {
            assert_eq!(my_mobile_work(clerk)["state"], "granted");
        }
    }
}

#[test]
fn the_council_report_shows_only_aggregates() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        let mut head = s.signed_in("h.haupt");
        set_up(&s, &mut admin);
        let mut ids = Vec::new();
        for login in CLERKS {
            ids.push(apply(&mut s.signed_in(login)));
        }
        for id in &ids {
            let r = decide(&mut head, *id, json!({"decision": "approve"}));
            assert_eq!(r.status, 200, "{}", r.body);
            assert_eq!(r.json()["rollout"], Value::Null, "no cap: {}", r.body);
        }
        let fritz = apply(&mut s.signed_in("f.fritz"));
        let r = decide(
            &mut head,
            fritz,
            json!({"decision": "reject", "category": "service_needs",
                   "note": "Bürgerbüro im Umbau"}),
        );
        assert_eq!(r.status, 200, "{}", r.body);

        let month = format!("{:04}-{:02}", today().year(), today().month());
        for bad in ["2026-13", "gestern", "26-01"] {
            let r = admin.get(&format!(
                "/api/v1/mobile-work/council-report?from={bad}&to={month}"
            ));
            assert_eq!(r.status, 422, "{bad}: {}", r.body);
        }
        let r = admin.get(&format!(
            "/api/v1/mobile-work/council-report?from={month}&to=2000-01"
        ));
        assert_eq!(r.status, 422, "{}", r.body);

        let r = admin.get(&format!(
            "/api/v1/mobile-work/council-report?from={month}&to={month}"
        ));
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let report = r.json();
        let units = report["units"].as_array().unwrap();
        assert_eq!(units.len(), 1, "{report:#}");
        let bauamt = &units[0];
        assert_eq!(bauamt["unit"], "Bauamt");
        assert_eq!(bauamt["applications"]["value"], 4, "{report:#}");
        assert_eq!(bauamt["approvals"]["value"], 3, "{report:#}");
        let service = bauamt["rejections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["category"] == "service_needs")
            .unwrap();
        assert_eq!(
            service["count"]["value"],
            Value::Null,
            "one rejection is hidden"
        );
        assert_eq!(service["count"]["fewer_than"], 3);
        assert_eq!(service["count"]["text"], "weniger als 3");

        // Nobody in it: no person's login or name, no agreement, no note.
        let mut all_keys = Vec::new();
        keys(&report, &mut all_keys);
        for key in [
            "id",
            "login",
            "name",
            "agreement",
            "person",
            "note",
            "staff_id",
        ] {
            assert!(!all_keys.iter().any(|k| k == key), "{key} in {report:#}");
        }
        let csv = admin.get(&format!(
            "/api/v1/mobile-work/council-report?from={month}&to={month}&format=csv"
        ));
        assert_eq!(csv.status, 200);
        assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
        for text in [&r.body, &csv.body] {
            for who in [
                "c.clerk",
                "d.new",
                "e.erna",
                "f.fritz",
                "h.haupt",
                "Carl",
                "Dora",
                "Erna",
                "Fritz",
                "Hanna",
                "Bürgerbüro",
            ] {
                assert!(!text.contains(who), "{who} in {text}");
            }
        }
        assert!(csv.body.contains("\"Bauamt\";\"4\";\"3\""), "{}", csv.body);
        assert!(csv.body.contains("weniger als 3"), "{}", csv.body);
    }
}

#[test]
fn an_ended_agreement_gives_its_place_to_the_next_in_line() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        let mut head = s.signed_in("h.haupt");
        set_up(&s, &mut admin);
        let r = put(
            &mut admin,
            "/api/v1/admin/rollout/mobile_work",
            json!({"cap": 1, "scheme": "weights"}),
        );
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let login = directory::Login::parse("d.new").unwrap();
        let mut record = s.block_on(s.store.person(&login)).unwrap().unwrap();
        record.email = Some("dora@lra.example".into());
        s.block_on(s.store.update_person(&record)).unwrap();

        // One place: Carl takes it; Dora and Erna are approved and wait, their approvals
        // standing (the agreements are approved, in their own list too).
        let mut clerks: Vec<Client> = CLERKS.iter().map(|l| s.signed_in(l)).collect();
        let ids: Vec<i64> = clerks.iter_mut().map(apply).collect();
        let mut places = Vec::new();
        for id in &ids {
            let r = decide(&mut head, *id, json!({"decision": "approve"}));
            assert_eq!(r.json()["state"], "approved", "{}: {}", s.label, r.body);
            places.push(r.json()["rollout"]["state"].clone());
        }
        assert_eq!(
            places,
            vec![json!("granted"), json!("waiting"), json!("waiting")]
        );
        let mine = clerks[1].get("/api/v1/mobile-work").json();
        assert!(
            mine.to_string().contains("\"approved\""),
            "Dora's approval stands while she waits: {mine}"
        );
        assert_eq!(my_mobile_work(&mut clerks[1])["position"], 1);
        assert_eq!(my_mobile_work(&mut clerks[2])["position"], 2);

        // Erna ends hers while waiting: she leaves the list, nobody is admitted.
        let end = |client: &mut Client, id: i64| {
            client.post(
                &format!("/api/v1/mobile-work/agreements/{id}/end"),
                json!({}),
            )
        };
        let r = end(&mut clerks[2], ids[2]);
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let view = admin.get("/api/v1/admin/rollout/mobile_work").json();
        assert_eq!(
            (
                view["holders"].clone(),
                view["waiting"].as_array().unwrap().len()
            ),
            (json!(1), 1),
            "{view}"
        );

        // Carl ends his: Dora takes the place, audited as admitted by Carl's step, told by
        // a mail in the outbox.
        let r = end(&mut clerks[0], ids[0]);
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let view = admin.get("/api/v1/admin/rollout/mobile_work").json();
        assert_eq!(view["holder_list"][0]["login"], "d.new", "{view}");
        assert_eq!(
            (view["holders"].clone(), view["waiting"].clone()),
            (json!(1), json!([]))
        );
        assert_eq!(my_mobile_work(&mut clerks[1])["state"], "granted");
        let admitted = |field| audit_by(field, &mut s.signed_in("a.admin"), "rollout.admitted");
        assert_eq!(
            admitted("target"),
            vec![("rollout.admitted".into(), "d.new".into())]
        );
        assert_eq!(
            admitted("actor"),
            vec![("rollout.admitted".into(), "c.clerk".into())]
        );
        let mails = s.block_on(s.store.due_mails(i64::MAX, 10)).unwrap();
        let to: Vec<&str> = mails.iter().map(|m| m.mail.to.as_str()).collect();
        assert_eq!(to, vec!["dora@lra.example"], "{}", s.label);

        // Ending again is refused and frees nothing more.
        assert_eq!(end(&mut clerks[0], ids[0]).status, 409);
        assert_eq!(
            admin.get("/api/v1/admin/rollout/mobile_work").json()["holders"],
            1
        );
    }
}
