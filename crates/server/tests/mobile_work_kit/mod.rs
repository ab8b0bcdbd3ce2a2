//! What the mobile-work tests share (issue 19): the administration's calendar day, a PUT,
//! the audit log, and for the agreements' tests the Bauamt's head and deputy, the rules,
//! the texts and acknowledging them. Each test file uses a part.
#![allow(dead_code)]

use jiff::civil::Date;
use serde_json::{json, Value};
use testkit::http::{Client, Reply};
use testkit::server::{on_every_database, Options, TestServer};

/// The Bauamt's head and deputy, besides the fixture's staff (Carl and Dora are in the
/// Bauamt; Bärbel is in the Gesundheitsamt).
pub const LEADERS: &str = "h.haupt,Hanna Haupt,Bauamt,2510,,user\n\
                       v.vertreter,Veit Vertreter,Bauamt,2511,,user\n";

pub fn servers() -> Vec<TestServer> {
    on_every_database(|| Options {
        extra_staff: LEADERS.into(),
        ..Options::default()
    })
}

/// Today in the administration's calendar.
pub fn today() -> Date {
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").unwrap_or(jiff::tz::TimeZone::UTC);
    tz.to_datetime(jiff::Timestamp::now()).date()
}

pub fn days_from_today(days: i64) -> Date {
    today()
        .checked_add(jiff::Span::new().days(days))
        .expect("a date")
}

pub fn put(client: &mut Client, path: &str, body: Value) -> Reply {
    client.request("PUT", path, Some(body))
}

pub fn rules() -> Value {
    json!({
        "days_per_week": 2,
        "days_per_month": 10,
        "core_hours": {"from": "09:00", "until": "15:00"},
        "notice_days": 28,
        "max_term_days": 365,
        "reminder_days": [42, 14]
    })
}

pub fn problems(reply: &Reply) -> Vec<String> {
    reply.json()["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| f["problem"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The audit log's entries whose action starts with `prefix`: each action with the
/// entry's `field` ("actor" or "target").
pub fn audit_by(field: &str, admin: &mut Client, prefix: &str) -> Vec<(String, String)> {
    let r = admin.get(&format!("/api/v1/admin/audit?action={prefix}"));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (s("action"), s(field))
        })
        .collect()
}

/// The administration sets everything up: rules, two texts, the Bauamt's leaders.
pub fn set_up(s: &TestServer, admin: &mut Client) {
    let r = put(admin, "/api/v1/admin/mobile-work/rules", rules());
    assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
    assert_eq!(r.json()["summary"]["days_per_week"], 2);
    for (key, title) in [
        ("datenschutz", "Belehrung Datenschutz"),
        ("informationssicherheit", "Belehrung Informationssicherheit"),
    ] {
        let r = admin.post(
            "/api/v1/admin/mobile-work/texts",
            json!({"key": key, "title": title, "body": "Bitte sorgfältig lesen."}),
        );
        assert_eq!(r.status, 201, "{}: {}", s.label, r.body);
        assert_eq!(r.json()["version"], 1);
    }
    let bauamt = s
        .block_on(s.store.unit_id_by_path("Bauamt"))
        .unwrap()
        .expect("the Bauamt");
    let r = put(
        admin,
        &format!("/api/v1/admin/units/{bauamt}/leaders"),
        json!({"head": "h.haupt", "deputies": ["v.vertreter"]}),
    );
    assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
    assert_eq!(r.json()["head"]["login"], "h.haupt");
    assert_eq!(r.json()["deputies"][0]["login"], "v.vertreter");
    let r = admin.get(&format!("/api/v1/admin/units/{bauamt}/leaders"));
    assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
    assert_eq!(
        (
            r.json()["head"]["name"].clone(),
            r.json()["deputies"].clone()
        ),
        (
            json!("Hanna Haupt"),
            json!([{"login": "v.vertreter", "name": "Veit Vertreter"}])
        )
    );
}

pub fn acknowledge_all(client: &mut Client) {
    let texts = client.get("/api/v1/mobile-work").json()["to_acknowledge"].clone();
    for text in texts.as_array().unwrap() {
        let r = client.post(
            "/api/v1/mobile-work/acknowledgements",
            json!({"key": text["key"], "version": text["version"]}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let after = client.get("/api/v1/mobile-work").json();
    assert_eq!(after["to_acknowledge"], json!([]), "{after:#}");
}

/// The Monday after today.
pub fn next_monday() -> Date {
    let ahead = 7 - i64::from(today().weekday().to_monday_zero_offset());
    days_from_today(ahead)
}

/// Carl applies for `weekdays` from next Monday for half a year, and Hanna (head of the
/// Bauamt) approves: an agreement in force from next Monday. Needs [`set_up`].
pub fn carl_approved(s: &TestServer, carl: &mut Client, head: &mut Client, weekdays: &[&str]) {
    acknowledge_all(carl);
    let start = next_monday();
    let end = start
        .checked_add(jiff::Span::new().days(180))
        .expect("a date");
    let r = carl.post(
        "/api/v1/mobile-work/applications",
        serde_json::json!({"weekdays": weekdays, "start": start.to_string(),
                           "end": end.to_string()}),
    );
    assert_eq!(r.status, 201, "{}: {}", s.label, r.body);
    let id = r.json()["id"].as_i64().expect("an id");
    let r = head.post(
        &format!("/api/v1/mobile-work/agreements/{id}/decision"),
        serde_json::json!({"decision": "approve"}),
    );
    assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
}
