//! Desk sharing over REST (issue 19), against the whole server in-process, on SQLite and
//! on PostgreSQL when the run has one (`TEST_POSTGRES_URL`):
//!
//! - The administration sets up a building, a floor with its plan image, a room and desks
//!   with equipment and markers; bad input is a 422 (or 413, 409) and stores nothing.
//! - Carl books a desk; Dora is told who has it (409); past days, unknown desks and
//!   parts are refused (422, nothing booked); a cancelled booking frees the desk.
//! - 50 bookings of one desk's morning at the same moment (16 people on 50
//!   connections): one 201, 49 times 409, one booking stored.
//! - Check-in by the desk's QR link: only the booking's owner, only on its day; "where is
//!   my colleague today" shows the desk.
//! - The release task releases an unchecked booking (a checked-in one stays).
//! - No session: 401; a non-administrator on the admin endpoints: 403. Every change is
//!   in the audit log.
//! - Signs, meeting rooms, team zones and changing the layout: `layout.rs`.

use durchwahl::desk_release::{sweep, DesksConfig};
use jiff::civil::Date;
use serde_json::{json, Value};
use testkit::http::{Client, Reply};
use testkit::server::{on_every_database, Options, TestServer};

mod layout;

/// More people for the simultaneous bookings.
fn crowd() -> String {
    (0..16)
        .map(|i| format!("p.person{i:02},Person {i:02},Bauamt,26{i:02},,user\n"))
        .collect()
}

/// The release task is off: the tests run it themselves at chosen times of the day
/// ([`sweep`]), so that bookings for today do not vanish under them in the morning.
fn servers() -> Vec<TestServer> {
    on_every_database(|| {
        let mut options = Options {
            extra_staff: crowd(),
            ..Options::default()
        };
        options.config.desks.release_unchecked = false;
        options
    })
}

fn zone() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/Berlin").unwrap_or(jiff::tz::TimeZone::UTC)
}

/// Today in the administration's calendar.
fn today() -> Date {
    zone().to_datetime(jiff::Timestamp::now()).date()
}

fn days_from_today(days: i64) -> Date {
    today()
        .checked_add(jiff::Span::new().days(days))
        .expect("a date")
}

/// A tiny PNG's first bytes (the type is recognised by them).
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

fn audit_actions(admin: &mut Client, prefix: &str) -> Vec<String> {
    let r = admin.get(&format!("/api/v1/admin/audit?action={prefix}"));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The ids of what the administration sets up.
struct Layout {
    floor: i64,
    room: i64,
    desks: [i64; 2],
}

fn created(s: &TestServer, r: &Reply) -> i64 {
    assert_eq!(r.status, 201, "{}: {}", s.label, r.body);
    r.json()["id"].as_i64().expect("an id")
}

/// A building, a floor with a plan, a room and two desks.
fn set_up(s: &TestServer, admin: &mut Client) -> Layout {
    let building = created(
        s,
        &admin.post(
            "/api/v1/admin/desks/buildings",
            json!({"name": "Rathaus", "address": "Markt 1"}),
        ),
    );
    let floor = created(
        s,
        &admin.post(
            &format!("/api/v1/admin/desks/buildings/{building}/floors"),
            json!({"name": "2. OG", "level": 2}),
        ),
    );
    let r = admin.request_raw(
        "PUT",
        &format!("/api/v1/admin/desks/floors/{floor}/plan"),
        "image/png",
        PNG,
    );
    assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
    let room = created(
        s,
        &admin.post(
            &format!("/api/v1/admin/desks/floors/{floor}/rooms"),
            json!({"name": "2.14", "kind": "office", "seats": 4}),
        ),
    );
    let first = created(
        s,
        &admin.post(
            &format!("/api/v1/admin/desks/rooms/{room}/desks"),
            json!({"label": "2.14-A", "equipment": ["docking", "two_screens"],
                   "position": {"x": 12.5, "y": 40}}),
        ),
    );
    let second = created(
        s,
        &admin.post(
            &format!("/api/v1/admin/desks/rooms/{room}/desks"),
            json!({"label": "2.14-B", "equipment": ["height_adjustable"]}),
        ),
    );
    let r = admin.request(
        "PUT",
        &format!("/api/v1/admin/desks/desks/{second}/position"),
        Some(json!({"position": {"x": 60, "y": 40.5}})),
    );
    assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
    Layout {
        floor,
        room,
        desks: [first, second],
    }
}

fn book(client: &mut Client, desk: i64, day: Date, part: &str) -> Reply {
    client.post(
        "/api/v1/desks/bookings",
        json!({"desk": desk, "day": day.to_string(), "part": part}),
    )
}

fn holding(s: &TestServer, day: Date) -> Vec<store::DeskBookingRow> {
    s.block_on(s.store.desk_bookings_between(day, day))
        .unwrap()
        .into_iter()
        .filter(|b| b.to_planner().holds())
        .collect()
}

#[test]
fn the_administration_sets_up_desks_and_bad_input_stores_nothing() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        let layout = set_up(&s, &mut admin);

        // Everyone sees the building, the floor with its plan and the desks' markers.
        let mut carl = s.signed_in("c.clerk");
        let r = carl.get("/api/v1/desks/buildings");
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()[0]["name"], "Rathaus");
        assert_eq!(r.json()[0]["floors"][0]["has_plan"], true);
        let r = carl.get(&format!("/api/v1/desks/floors/{}/plan", layout.floor));
        assert_eq!(
            (r.status, r.header("content-type")),
            (200, Some("image/png"))
        );
        assert_eq!(r.bytes, PNG);
        let r = carl.get(&format!("/api/v1/desks/floors/{}", layout.floor));
        assert_eq!(r.status, 200, "{}", r.body);
        let floor = r.json();
        assert_eq!(floor["rooms"][0]["name"], "2.14");
        assert_eq!(floor["desks"][0]["label"], "2.14-A");
        assert_eq!(
            floor["desks"][0]["equipment"],
            json!(["docking", "two_screens"])
        );
        assert_eq!(floor["desks"][0]["position"], json!({"x": 12.5, "y": 40.0}));
        assert_eq!(floor["desks"][1]["position"], json!({"x": 60.0, "y": 40.5}));

        // Bad input: 422 (or 413, 409, 404), and nothing more is stored.
        let desks_url = format!("/api/v1/admin/desks/rooms/{}/desks", layout.room);
        for bad in [
            json!({"label": "  "}),
            json!({"label": "X", "position": {"x": 101, "y": 5}}),
            json!({"label": "X", "equipment": ["zwei Bildschirme"]}),
            json!({"label": "X", "colour": "rot"}),
            json!({"name": "X"}),
        ] {
            let r = admin.post(&desks_url, bad.clone());
            assert_eq!(r.status, 422, "{}: {bad}: {}", s.label, r.body);
        }
        let r = admin.post(&desks_url, json!({"label": "2.14-A"}));
        assert_eq!(r.status, 409, "{}: {}", s.label, r.body);
        let r = admin.post(
            "/api/v1/admin/desks/rooms/999999/desks",
            json!({"label": "X"}),
        );
        assert_eq!(r.status, 404, "{}: {}", s.label, r.body);
        let r = admin.post(
            &format!("/api/v1/admin/desks/floors/{}/rooms", layout.floor),
            json!({"name": "2.15", "kind": "Abstellkammer"}),
        );
        assert_eq!(r.status, 422, "{}", r.body);
        let r = admin.post("/api/v1/admin/desks/buildings", json!({"name": ""}));
        assert_eq!(r.status, 422, "{}", r.body);
        let r = admin.request(
            "PUT",
            &format!("/api/v1/admin/desks/desks/{}/position", layout.desks[0]),
            Some(json!({"position": {"x": -1, "y": 5}})),
        );
        assert_eq!(r.status, 422, "{}", r.body);
        let desks = s.block_on(s.store.desks_on_floor(layout.floor)).unwrap();
        assert_eq!(desks.len(), 2, "{}: {desks:?}", s.label);
        assert_eq!(desks[0].position, Some((125, 400)), "{}", s.label);
        assert_eq!(s.block_on(s.store.rooms(layout.floor)).unwrap().len(), 1);
        assert_eq!(s.block_on(s.store.buildings()).unwrap().len(), 1);

        // A plan that is no image (an SVG can carry scripts) or too large: refused, the
        // old plan stays.
        let plan_url = format!("/api/v1/admin/desks/floors/{}/plan", layout.floor);
        let r = admin.request_raw("PUT", &plan_url, "image/svg+xml", b"<svg onload=\"x()\"/>");
        assert_eq!(r.status, 422, "{}: {}", s.label, r.body);
        let mut huge = PNG.to_vec();
        huge.resize(6 * 1024 * 1024, 0);
        let r = admin.request_raw("PUT", &plan_url, "image/png", &huge);
        assert_eq!(r.status, 413, "{}: {}", s.label, r.body);
        let r = carl.get(&format!("/api/v1/desks/floors/{}/plan", layout.floor));
        assert_eq!(r.bytes, PNG, "{}", s.label);

        let actions = audit_actions(&mut admin, "admin.desks.");
        for action in [
            "admin.desks.building_added",
            "admin.desks.floor_added",
            "admin.desks.plan_uploaded",
            "admin.desks.room_added",
            "admin.desks.desk_added",
            "admin.desks.desk_placed",
        ] {
            assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
        }
    }
}

#[test]
fn people_book_see_who_sits_where_and_cancel() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        let layout = set_up(&s, &mut admin);
        let [desk, other] = layout.desks;
        let mut carl = s.signed_in("c.clerk");
        let mut dora = s.signed_in("d.new");
        let tomorrow = days_from_today(1);

        let r = book(&mut carl, desk, tomorrow, "whole");
        assert_eq!(r.status, 201, "{}: {}", s.label, r.body);
        let booking = r.json();
        assert_eq!(
            (
                booking["part"].clone(),
                booking["state"].clone(),
                booking["name"].clone()
            ),
            (json!("whole"), json!("booked"), json!("Carl Clerk"))
        );

        // Taken: 409 naming who has it, nothing written.
        let r = book(&mut dora, desk, tomorrow, "morning");
        assert_eq!(r.status, 409, "{}: {}", s.label, r.body);
        let message = r.json()["message"].as_str().unwrap_or_default().to_string();
        assert!(
            message.contains("schon gebucht") && message.contains("Carl Clerk"),
            "{message}"
        );
        // Carl holds a desk then already: a second one is refused too.
        let r = book(&mut carl, other, tomorrow, "afternoon");
        assert_eq!(r.status, 409, "{}: {}", s.label, r.body);

        // Bad input: 422, nothing booked.
        for (body, field) in [
            (
                json!({"desk": other, "day": days_from_today(-1).to_string()}),
                "day",
            ),
            (
                json!({"desk": 999_999, "day": tomorrow.to_string()}),
                "desk",
            ),
            (json!({"desk": other, "day": "morgen"}), "day"),
            (
                json!({"desk": other, "day": tomorrow.to_string(), "part": "abends"}),
                "part",
            ),
        ] {
            let r = dora.post("/api/v1/desks/bookings", body.clone());
            assert_eq!(r.status, 422, "{}: {body}: {}", s.label, r.body);
            assert_eq!(r.json()["field"], field, "{}", r.body);
        }
        let r = dora.post(
            "/api/v1/desks/bookings",
            json!({"day": tomorrow.to_string()}),
        );
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(holding(&s, tomorrow).len(), 1, "{}", s.label);
        assert!(holding(&s, days_from_today(-1)).is_empty());

        // Who sits where tomorrow.
        let r = dora.get(&format!(
            "/api/v1/desks/floors/{}?day={tomorrow}",
            layout.floor
        ));
        assert_eq!(r.status, 200, "{}", r.body);
        let floor = r.json();
        assert_eq!(floor["desks"][0]["bookings"][0]["login"], "c.clerk");
        assert_eq!(floor["desks"][0]["bookings"][0]["mine"], false);
        assert_eq!(floor["desks"][1]["bookings"], json!([]));
        let r = carl.get("/api/v1/desks/bookings");
        assert_eq!(r.json().as_array().map(Vec::len), Some(1), "{}", r.body);

        // Only Carl cancels his booking; then the desk is Dora's to book.
        let id = booking["id"].as_i64().unwrap();
        let r = dora.request("DELETE", &format!("/api/v1/desks/bookings/{id}"), None);
        assert_eq!(r.status, 404, "{}: {}", s.label, r.body);
        let r = carl.request("DELETE", &format!("/api/v1/desks/bookings/{id}"), None);
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let r = book(&mut dora, desk, tomorrow, "morning");
        assert_eq!(r.status, 201, "{}: {}", s.label, r.body);
        // The afternoon is still free.
        let r = book(&mut carl, desk, tomorrow, "afternoon");
        assert_eq!(r.status, 201, "{}: {}", s.label, r.body);

        let actions = audit_actions(&mut admin, "desks.");
        for action in ["desks.booked", "desks.cancelled"] {
            assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
        }
    }
}

/// `bodies` posted to `path` by `clients` at the same moment; the statuses, sorted.
fn at_once(clients: Vec<Client>, path: &str, body: Value) -> Vec<u16> {
    let barrier = std::sync::Barrier::new(clients.len());
    let mut statuses: Vec<u16> = std::thread::scope(|scope| {
        let running: Vec<_> = clients
            .into_iter()
            .map(|mut client| {
                let (barrier, body) = (&barrier, body.clone());
                scope.spawn(move || {
                    barrier.wait();
                    client.post(path, body).status
                })
            })
            .collect();
        running.into_iter().map(|t| t.join().unwrap()).collect()
    });
    statuses.sort_unstable();
    statuses
}

#[test]
fn fifty_bookings_of_one_desk_at_once_book_it_once() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        let layout = set_up(&s, &mut admin);
        // Sixteen people (more sign-ins at once from one address meet the sign-in
        // throttle), each on three or four connections: 50 bookings.
        let people: Vec<Client> = (0..16)
            .map(|i| s.signed_in(&format!("p.person{i:02}")))
            .collect();
        let clients: Vec<Client> = (0..50).map(|i| people[i % 16].clone()).collect();
        let day = days_from_today(2);
        let statuses = at_once(
            clients,
            "/api/v1/desks/bookings",
            json!({"desk": layout.desks[0], "day": day.to_string(), "part": "morning"}),
        );
        let mut expected = vec![201];
        expected.extend([409; 49]);
        assert_eq!(statuses, expected, "{}", s.label);
        let held = holding(&s, day);
        assert_eq!(held.len(), 1, "{}: {held:?}", s.label);
        let all = s.block_on(s.store.desk_bookings_between(day, day)).unwrap();
        assert_eq!(all.len(), 1, "{}: nothing else written: {all:?}", s.label);
    }
}

#[test]
fn only_the_owner_checks_in_and_only_on_the_day() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        let layout = set_up(&s, &mut admin);
        let [desk, other] = layout.desks;
        let mut carl = s.signed_in("c.clerk");
        let mut dora = s.signed_in("d.new");
        let r = book(&mut carl, desk, today(), "whole");
        assert_eq!(r.status, 201, "{}: {}", s.label, r.body);
        let r = book(&mut dora, other, days_from_today(1), "whole");
        assert_eq!(r.status, 201, "{}: {}", s.label, r.body);

        // Dora follows the QR link on Carl's desk: not hers.
        let r = dora.post(&format!("/api/v1/desks/{desk}/check-in"), json!({}));
        assert_eq!(r.status, 403, "{}: {}", s.label, r.body);
        // Her own desk, but booked for tomorrow: not today.
        let r = dora.post(&format!("/api/v1/desks/{other}/check-in"), json!({}));
        assert_eq!(r.status, 404, "{}: {}", s.label, r.body);
        let r = dora.post("/api/v1/desks/999999/check-in", json!({}));
        assert_eq!(r.status, 404, "{}: {}", s.label, r.body);
        assert!(holding(&s, days_from_today(1))[0].checked_in_ms.is_none());

        let r = carl.post(&format!("/api/v1/desks/{desk}/check-in"), json!({}));
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        assert_eq!(r.json()[0]["state"], "checked_in", "{}", r.body);
        // Twice is fine.
        let r = carl.post(&format!("/api/v1/desks/{desk}/check-in"), json!({}));
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        assert!(holding(&s, today())[0].checked_in_ms.is_some());

        // Where is Carl today?
        let r = dora.get("/api/v1/desks/people/c.clerk/today");
        assert_eq!(r.status, 200, "{}", r.body);
        let seat = &r.json()["seats"][0];
        assert_eq!(
            (
                seat["desk"].clone(),
                seat["room"].clone(),
                seat["floor"].clone(),
                seat["building"].clone()
            ),
            (
                json!("2.14-A"),
                json!("2.14"),
                json!("2. OG"),
                json!("Rathaus")
            ),
            "{}",
            r.body
        );
        let r = carl.get("/api/v1/desks/people/d.new/today");
        assert_eq!(r.json()["seats"], json!([]), "{}", r.body);
        assert_eq!(carl.get("/api/v1/desks/people/niemand/today").status, 404);
        let actions = audit_actions(&mut admin, "desks.checked_in");
        assert_eq!(actions.len(), 2, "{actions:?}");
    }
}

#[test]
fn the_release_task_releases_unchecked_bookings() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        let layout = set_up(&s, &mut admin);
        let [desk, other] = layout.desks;
        let mut carl = s.signed_in("c.clerk");
        let mut dora = s.signed_in("d.new");
        assert_eq!(book(&mut carl, desk, today(), "whole").status, 201);
        assert_eq!(book(&mut dora, other, today(), "afternoon").status, 201);
        let r = dora.post(&format!("/api/v1/desks/{other}/check-in"), json!({}));
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);

        let policy = DesksConfig::default().policy().unwrap();
        let at = |hour: i8| {
            zone()
                .to_timestamp(today().at(hour, 0, 0, 0))
                .unwrap()
                .as_millisecond()
        };
        // Before 9:00 nothing is due.
        let released = s.block_on(sweep(&s.store, &policy, at(8))).unwrap();
        assert_eq!(released, Vec::<i64>::new(), "{}", s.label);
        // At 9:00 Carl's unchecked booking goes; Dora's checked-in one stays.
        let released = s.block_on(sweep(&s.store, &policy, at(9))).unwrap();
        assert_eq!(released.len(), 1, "{}", s.label);
        let left = holding(&s, today());
        assert_eq!(left.len(), 1, "{}: {left:?}", s.label);
        assert_eq!(left[0].desk_id, other);
        let r = carl.get("/api/v1/desks/bookings");
        assert_eq!(r.json()[0]["state"], "released", "{}", r.body);
        // Released: Carl cannot check in any more, and the desk is free for others.
        let r = carl.post(&format!("/api/v1/desks/{desk}/check-in"), json!({}));
        assert_eq!(r.status, 404, "{}: {}", s.label, r.body);
        let r = book(&mut admin, desk, today(), "morning");
        assert_eq!(r.status, 201, "{}: {}", s.label, r.body);
        assert_eq!(audit_actions(&mut admin, "desks.released").len(), 1);
        // A second sweep releases nothing more.
        let released = s.block_on(sweep(&s.store, &policy, at(15))).unwrap();
        assert_eq!(
            released.len(),
            1,
            "{}: the admin's morning booking",
            s.label
        );
    }
}

#[test]
fn nothing_works_without_a_session_and_admin_endpoints_need_the_role() {
    for s in servers() {
        let mut nobody = s.client();
        let admin_calls = [
            ("POST", "/api/v1/admin/desks/buildings"),
            ("POST", "/api/v1/admin/desks/buildings/1/floors"),
            ("PUT", "/api/v1/admin/desks/floors/1/plan"),
            ("POST", "/api/v1/admin/desks/floors/1/rooms"),
            ("POST", "/api/v1/admin/desks/rooms/1/desks"),
            ("PUT", "/api/v1/admin/desks/desks/1/position"),
            (
                "GET",
                "/api/v1/admin/desks/desks/1/qr.svg?origin=https://a.de",
            ),
            ("PUT", "/api/v1/admin/desks/rooms/1/zone"),
        ];
        let everyones = [
            ("GET", "/api/v1/desks/buildings"),
            ("GET", "/api/v1/desks/floors/1"),
            ("GET", "/api/v1/desks/floors/1/plan"),
            ("GET", "/api/v1/desks/people/c.clerk/today"),
            ("GET", "/api/v1/desks/bookings"),
            ("POST", "/api/v1/desks/bookings"),
            ("DELETE", "/api/v1/desks/bookings/1"),
            ("POST", "/api/v1/desks/1/check-in"),
            ("GET", "/api/v1/desks/meeting-rooms"),
            ("POST", "/api/v1/desks/meeting-rooms/bookings"),
            ("DELETE", "/api/v1/desks/meeting-rooms/bookings/1"),
        ];
        for (method, path) in admin_calls.iter().chain(&everyones) {
            let body = (*method != "GET").then(|| json!({"name": "X"}));
            let r = nobody.request(method, path, body);
            assert_eq!(r.status, 401, "{}: {method} {path}: {}", s.label, r.body);
        }
        let mut carl = s.signed_in("c.clerk");
        for (method, path) in admin_calls {
            let r = carl.request(method, path, Some(json!({"name": "X"})));
            assert_eq!(r.status, 403, "{}: {method} {path}: {}", s.label, r.body);
        }
        assert!(s.block_on(s.store.buildings()).unwrap().is_empty());
    }
}
