//! Administrators change a hotline after setting it up, through the API, on both
//! databases: its own settings, queues added, changed and removed, agents (who stay keep
//! their login), supervisors and closures. Every bad input is refused with the field and
//! changes nothing; every change is audited; only administrators may.

use serde_json::{json, Value};
use testkit::server::{on_every_database, Options, TestServer};

fn detail(admin: &mut testkit::http::Client, id: i64) -> Value {
    let r = admin.get(&format!("/api/v1/admin/hotlines/{id}"));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

#[test]
fn a_hotline_is_changed_field_by_field_and_bad_input_changes_nothing() {
    for s in on_every_database(Options::default) {
        change(&s);
    }
}

fn change(s: &TestServer) {
    let l = s.label;
    let mut admin = s.signed_in("a.admin");
    let made = admin.post(
        "/api/v1/admin/hotlines",
        json!({"name": "Bürgertelefon", "extension": "2900",
               "queue": {"name": "Allgemein"}, "agents": [{"login": "b.user"}, {"login": "c.clerk", "level": 2}],
               "supervisors": ["a.admin"]}),
    );
    assert_eq!(made.status, 201, "{l}: {}", made.body);
    let (id, first) = (
        made.json()["id"].as_i64().unwrap(),
        made.json()["queue"].as_i64().unwrap(),
    );
    let before = detail(&mut admin, id);
    assert_eq!(before["queues"][0]["ring_secs"], 20, "{l}: {before}");
    assert_eq!(before["announcements"]["welcome"], "builtin");

    // Own settings: a bad field and a taken number change nothing.
    let put = |admin: &mut testkit::http::Client, body: Value| {
        admin.request("PUT", &format!("/api/v1/admin/hotlines/{id}"), Some(body))
    };
    let bad = put(
        &mut admin,
        json!({"name": "Bürgertelefon", "extension": "2900", "hours": ["", "", "", "", "", "", "9-17"]}),
    );
    assert_eq!(
        (bad.status, bad.json()["field"].as_str()),
        (400, Some("hours.6")),
        "{l}: {}",
        bad.body
    );
    let taken = put(
        &mut admin,
        json!({"name": "Bürgertelefon", "extension": "2501"}),
    );
    assert_eq!(taken.status, 409, "{l}: Carl's extension");
    assert_eq!(detail(&mut admin, id)["hours"], before["hours"], "{l}");
    let ok = put(
        &mut admin,
        json!({"name": "Bürgertelefon Gesundheitsamt", "extension": "2900",
        "did": "+4993219282900", "holiday_state": "by", "case_retention_days": 30,
        "hours": ["08:00-16:00", "08:00-16:00", "08:00-16:00", "08:00-16:00", "08:00-12:00", "", ""]}),
    );
    assert_eq!(ok.status, 200, "{l}: {}", ok.body);
    let now = detail(&mut admin, id);
    assert_eq!(
        (
            now["name"].as_str(),
            now["holiday_state"].as_str(),
            now["case_retention_days"].as_i64()
        ),
        (Some("Bürgertelefon Gesundheitsamt"), Some("BY"), Some(30)),
        "{l}: {now}"
    );

    // A second queue behind menu key 2; the same key again is refused.
    let queues = format!("/api/v1/admin/hotlines/{id}/queues");
    let second = admin.post(
        &queues,
        json!({"name": "Termine", "menu_digit": "2", "strategy": "ring_all"}),
    );
    assert_eq!(second.status, 201, "{l}: {}", second.body);
    let second = second.json()["id"].as_i64().unwrap();
    let again = admin.post(&queues, json!({"name": "Andere", "menu_digit": "2"}));
    assert_eq!(again.status, 409, "{l}: {}", again.body);
    let bad = admin.post(&queues, json!({"name": "Kaputt", "ring_secs": 1}));
    assert_eq!(
        (bad.status, bad.json()["field"].as_str()),
        (400, Some("ring_secs")),
        "{l}"
    );
    let into_nothing = admin.request(
        "PUT",
        &format!("{queues}/{first}"),
        Some(json!({"name": "Allgemein", "overflow_kind": "queue", "overflow_target": "99999"})),
    );
    assert_eq!(into_nothing.status, 400, "{l}: {}", into_nothing.body);
    let overflow = admin.request(
        "PUT",
        &format!("{queues}/{first}"),
        Some(
            json!({"name": "Allgemein", "menu_digit": "1", "max_wait_secs": 300,
                    "overflow_kind": "queue", "overflow_target": second.to_string()}),
        ),
    );
    assert_eq!(overflow.status, 200, "{l}: {}", overflow.body);
    let q = &detail(&mut admin, id)["queues"][0];
    assert_eq!(
        (
            q["menu_digit"].as_str(),
            q["max_wait_secs"].as_i64(),
            q["overflow_target"].as_str()
        ),
        (Some("1"), Some(300), Some(second.to_string().as_str())),
        "{l}: {q}"
    );
    // The second may not overflow back into the first: a circle.
    let circle = admin.request("PUT", &format!("{queues}/{second}"),
        Some(json!({"name": "Termine", "overflow_kind": "queue", "overflow_target": first.to_string()})));
    assert_eq!(
        (circle.status, circle.json()["problem"].as_str()),
        (400, Some("overflow_cycle")),
        "{l}: {}",
        circle.body
    );
    // Emergency numbers are no hotline's, and names are unique.
    let emergency = put(
        &mut admin,
        json!({"name": "Bürgertelefon Gesundheitsamt", "extension": "112"}),
    );
    assert_eq!(
        (emergency.status, emergency.json()["problem"].as_str()),
        (400, Some("extension_reserved")),
        "{l}"
    );
    let same = admin.post("/api/v1/admin/hotlines", json!({"name": "Bürgertelefon Gesundheitsamt", "extension": "2950", "queue": {"name": "Q"}}));
    assert_eq!(same.status, 409, "{l}: {}", same.body);
    // The queue the first overflows into stays.
    assert_eq!(
        admin
            .request("DELETE", &format!("{queues}/{second}"), None)
            .status,
        409,
        "{l}"
    );

    // Agents: Bärbel logs in, then the list changes; she stays and keeps her login.
    let mut b = s.signed_in("b.user");
    assert_eq!(
        b.post("/api/v1/hotline/agent", json!({"action": "log_in"}))
            .status,
        200
    );
    let agents = format!("{queues}/{first}/agents");
    let unknown = admin.request("PUT", &agents, Some(json!([{"login": "niemand"}])));
    assert_eq!(
        (unknown.status, unknown.json()["field"].as_str()),
        (400, Some("agents")),
        "{l}"
    );
    let set = admin.request(
        "PUT",
        &agents,
        Some(json!([{"login": "b.user", "level": 3}, {"login": "d.new"}])),
    );
    assert_eq!(set.status, 200, "{l}: {}", set.body);
    let q = &detail(&mut admin, id)["queues"][0];
    let listed: Vec<(String, i64, bool)> = q["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["login"].as_str().unwrap().to_string(),
                a["level"].as_i64().unwrap(),
                a["logged_in"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("b.user".to_string(), 3, true),
            ("d.new".to_string(), 1, false)
        ],
        "{l}"
    );
    assert_eq!(
        b.get("/api/v1/hotline/agent").json()["queues"][0]["level"],
        3,
        "{l}: the switchboard knows"
    );

    // Supervisors and closures.
    let sup = admin.request(
        "PUT",
        &format!("/api/v1/admin/hotlines/{id}/supervisors"),
        Some(json!(["c.clerk"])),
    );
    assert_eq!(sup.status, 200, "{l}");
    assert_eq!(detail(&mut admin, id)["supervisors"], json!(["c.clerk"]));
    let closures = format!("/api/v1/admin/hotlines/{id}/closures");
    let backwards = admin.request(
        "PUT",
        &closures,
        Some(json!([{"first_day": "2026-12-31", "last_day": "2026-12-24"}])),
    );
    assert_eq!(backwards.status, 400, "{l}");
    let ok = admin.request(
        "PUT",
        &closures,
        Some(
            json!([{"first_day": "2026-12-24", "last_day": "2026-12-31", "reason": "Weihnachten"}]),
        ),
    );
    assert_eq!(ok.status, 200, "{l}: {}", ok.body);
    assert_eq!(
        detail(&mut admin, id)["closures"][0]["reason"],
        "Weihnachten"
    );

    // Removing: the overflow first, then the second queue; the last one stays.
    let plain = admin.request(
        "PUT",
        &format!("{queues}/{first}"),
        Some(json!({"name": "Allgemein"})),
    );
    assert_eq!(plain.status, 200, "{l}");
    assert_eq!(
        admin
            .request("DELETE", &format!("{queues}/{second}"), None)
            .status,
        200,
        "{l}"
    );
    assert_eq!(
        admin
            .request("DELETE", &format!("{queues}/{first}"), None)
            .status,
        409,
        "{l}: the last queue"
    );

    // A supervisor sees their own hotline's board and report, not another's.
    let other = admin.post(
        "/api/v1/admin/hotlines",
        json!({"name": "Zweite", "extension": "2950",
        "queue": {"name": "Q"}, "supervisors": ["d.new"]}),
    );
    assert_eq!(other.status, 201, "{l}: {}", other.body);
    let other = other.json()["id"].as_i64().unwrap();
    let mut dora = s.signed_in("d.new");
    assert_eq!(
        dora.get(&format!("/api/v1/hotlines/{other}/board")).status,
        200,
        "{l}"
    );
    assert_eq!(
        dora.get(&format!("/api/v1/hotlines/{id}/board")).status,
        403,
        "{l}"
    );
    assert_eq!(
        dora.get(&format!(
            "/api/v1/hotlines/{id}/report?from=2026-12-01&to=2026-12-06"
        ))
        .status,
        403,
        "{l}"
    );
    let mine: Vec<(i64, String)> = dora
        .get("/api/v1/hotlines")
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["id"].as_i64().unwrap(),
                h["role"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        mine,
        [(id, "agent".to_string()), (other, "supervisor".to_string())],
        "{l}: an agent of the first, the supervisor of the second"
    );

    // Only administrators; and every change is in the audit log.
    let mut clerk = s.signed_in("c.clerk");
    assert_eq!(
        clerk
            .request(
                "PUT",
                &format!("{queues}/{first}"),
                Some(json!({"name": "X"}))
            )
            .status,
        403
    );
    let audit = admin.get("/api/v1/admin/audit?action=hotline.").json();
    let entries = audit["entries"].as_array().map_or(0, Vec::len);
    assert!(entries >= 9, "{l}: {entries} audit entries: {audit}");
}
