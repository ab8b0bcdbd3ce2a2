//! The desks' signs (QR codes), meeting rooms booked by the clock, team zones, and
//! renaming or removing what the administration drew; on SQLite and on PostgreSQL when the
//! run has one.

use super::{audit_actions, book, created, days_from_today, servers, set_up, today};
use serde_json::{json, Value};
use testkit::http::Client;

#[test]
fn a_desk_sign_is_the_qr_code_of_its_check_in_link() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        let layout = set_up(&s, &mut admin);
        let desk = layout.desks[0];
        let path =
            |origin: &str| format!("/api/v1/admin/desks/desks/{desk}/qr.svg?origin={origin}");
        let r = admin.get(&path("https%3A%2F%2Fdurchwahl.landkreis.de"));
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        assert_eq!(r.header("content-type"), Some("image/svg+xml"));
        assert!(r.body.starts_with("<svg "), "{}", r.body);
        assert!(
            r.body
                .contains("<title>QR-Code zum Einchecken am Platz 2.14-A</title>"),
            "{}",
            r.body
        );
        // The same drawing as the QR code of the link itself: the sign carries exactly it.
        let expected = auth::try_qr_svg(
            &format!("https://durchwahl.landkreis.de/#/desks/check-in/{desk}"),
            "QR-Code zum Einchecken am Platz 2.14-A",
        )
        .unwrap();
        assert_eq!(r.body, expected);
        // Not an origin, or a desk that does not exist.
        for bad in ["javascript:alert(1)", "https%3A%2F%2Fa.de%2Fevil", ""] {
            let r = admin.get(&path(bad));
            assert_eq!(r.status, 422, "{}: {bad}: {}", s.label, r.body);
        }
        let r = admin.get("/api/v1/admin/desks/desks/999999/qr.svg?origin=https://a.de");
        assert_eq!(r.status, 404, "{}: {}", s.label, r.body);
    }
}

#[test]
fn meeting_rooms_are_booked_by_the_clock_never_twice() {
    for s in servers() {
        let l = s.label;
        let mut admin = s.signed_in("a.admin");
        let layout = set_up(&s, &mut admin);
        let floor = layout.floor;
        let saal = created(
            &s,
            &admin.post(
                &format!("/api/v1/admin/desks/floors/{floor}/rooms"),
                json!({"name": "Sitzungssaal", "kind": "meeting", "seats": 12}),
            ),
        );
        let day = days_from_today(1).to_string();
        let booking = |from: &str, to: &str, title: &str| json!({"room": saal, "day": day, "from": from, "to": to, "title": title});
        let mut carl = s.signed_in("c.clerk");
        let mut dora = s.signed_in("d.new");
        let path = "/api/v1/desks/meeting-rooms/bookings";
        let r = carl.post(path, booking("09:00", "10:30", "Bauausschuss"));
        assert_eq!(r.status, 201, "{l}: {}", r.body);
        let carls = r.json()["id"].as_i64().unwrap();
        // Overlapping: refused, naming when and by whom; touching: booked.
        let r = dora.post(path, booking("10:15", "11:00", "Statik"));
        assert_eq!(r.status, 409, "{l}: {}", r.body);
        assert!(
            r.json()["message"]
                .as_str()
                .unwrap()
                .contains("von 09:00–10:30 schon gebucht – von Carl Clerk"),
            "{l}: {}",
            r.body
        );
        let r = dora.post(path, booking("10:30", "11:00", "Statik"));
        assert_eq!(r.status, 201, "{l}: {}", r.body);
        let doras = r.json()["id"].as_i64().unwrap();
        // Bad input: 422 at the field, nothing booked.
        let past = days_from_today(-1).to_string();
        for (body, field) in [
            (booking("9:00", "10:00", "X"), "from"),
            (booking("12:10", "13:00", "X"), "from"),
            (booking("13:00", "12:00", "X"), "from"),
            (booking("12:00", "13:00", " "), "title"),
            (booking("12:00", "13:00", &"x".repeat(121)), "title"),
            (
                json!({"room": layout.room, "day": day, "from": "12:00", "to": "13:00", "title": "X"}),
                "room",
            ),
            (
                json!({"room": saal, "day": past, "from": "12:00", "to": "13:00", "title": "X"}),
                "from",
            ),
            (
                json!({"room": saal, "day": "morgen", "from": "12:00", "to": "13:00", "title": "X"}),
                "day",
            ),
        ] {
            let r = dora.post(path, body.clone());
            assert_eq!(r.status, 422, "{l}: {body}: {}", r.body);
            let answer = r.json();
            let fields: Vec<&str> = answer["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["field"].as_str().unwrap())
                .collect();
            assert_eq!(fields, [field], "{l}: {body}: {}", r.body);
        }
        // The day's view: the room with both bookings, each marked as the caller's or not.
        let r = dora.get(&format!("/api/v1/desks/meeting-rooms?day={day}"));
        assert_eq!(r.status, 200, "{l}: {}", r.body);
        let rooms = r.json();
        assert_eq!(
            rooms.as_array().unwrap().len(),
            1,
            "{l}: offices are not listed"
        );
        let seen: Vec<String> = rooms[0]["bookings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                format!(
                    "{}-{} {} {} {}",
                    b["from"], b["to"], b["title"], b["by"], b["mine"]
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                r#""09:00"-"10:30" "Bauausschuss" "Carl Clerk" false"#,
                r#""10:30"-"11:00" "Statik" "Dora Neu" true"#
            ],
            "{l}"
        );
        // Only the owner cancels, or an administrator; then the time is free again.
        let r = dora.request("DELETE", &format!("{path}/{carls}"), None);
        assert_eq!(r.status, 404, "{l}: {}", r.body);
        let r = admin.request("DELETE", &format!("{path}/{carls}"), None);
        assert_eq!(r.status, 200, "{l}: {}", r.body);
        let r = dora.request("DELETE", &format!("{path}/{doras}"), None);
        assert_eq!(r.status, 200, "{l}: {}", r.body);
        let r = dora.post(path, booking("09:00", "11:00", "Statik, länger"));
        assert_eq!(r.status, 201, "{l}: {}", r.body);
        let actions = audit_actions(&mut admin, "desks.room_");
        // Newest first.
        assert_eq!(
            actions,
            [
                "desks.room_booked",
                "desks.room_cancelled",
                "desks.room_cancelled",
                "desks.room_booked",
                "desks.room_booked"
            ],
            "{l}"
        );
    }
}

#[test]
fn a_team_zone_is_its_team_s_ahead_and_everyone_s_on_the_day() {
    for s in servers() {
        let l = s.label;
        let mut admin = s.signed_in("a.admin");
        let layout = set_up(&s, &mut admin);
        let [desk, other] = layout.desks;
        let zone = format!("/api/v1/admin/desks/rooms/{}/zone", layout.room);
        // Bad input changes nothing.
        let r = admin.request("PUT", &zone, Some(json!({"unit": "Gibtsnicht"})));
        assert_eq!(r.status, 422, "{l}: {}", r.body);
        let r = admin.request(
            "PUT",
            "/api/v1/admin/desks/rooms/999999/zone",
            Some(json!({"unit": "Bauamt"})),
        );
        assert_eq!(r.status, 404, "{l}: {}", r.body);
        let mut carl = s.signed_in("c.clerk");
        let r = carl.request("PUT", &zone, Some(json!({"unit": "Bauamt"})));
        assert_eq!(r.status, 403, "{l}: {}", r.body);
        let r = admin.request("PUT", &zone, Some(json!({"unit": "Bauamt"})));
        assert_eq!(r.status, 200, "{l}: {}", r.body);

        // The floor says whose zone it is and whether it is the caller's.
        let mut baerbel = s.signed_in("b.user");
        let floor = format!("/api/v1/desks/floors/{}", layout.floor);
        let room = |c: &mut Client| c.get(&floor).json()["rooms"][0].clone();
        assert_eq!(room(&mut carl)["zone"], "Bauamt", "{l}");
        assert_eq!(room(&mut carl)["my_zone"], true, "{l}");
        assert_eq!(room(&mut baerbel)["my_zone"], false, "{l}");

        // Ahead: the team books, others are refused; on the day: anyone.
        let tomorrow = days_from_today(1);
        let r = book(&mut baerbel, desk, tomorrow, "whole");
        assert_eq!(r.status, 403, "{l}: {}", r.body);
        assert!(r.body.contains("Teamzone von Bauamt"), "{l}: {}", r.body);
        let r = book(&mut carl, desk, tomorrow, "whole");
        assert_eq!(r.status, 201, "{l}: {}", r.body);
        let r = book(&mut baerbel, other, today(), "whole");
        assert_eq!(r.status, 201, "{l}: {}", r.body);
        // The zone ended: everyone books ahead again.
        let r = admin.request("PUT", &zone, Some(json!({"unit": null})));
        assert_eq!(r.status, 200, "{l}: {}", r.body);
        assert_eq!(room(&mut baerbel)["zone"], Value::Null, "{l}");
        let r = book(&mut baerbel, other, days_from_today(2), "morning");
        assert_eq!(r.status, 201, "{l}: {}", r.body);
        assert_eq!(
            audit_actions(&mut admin, "admin.desks.zone_set").len(),
            2,
            "{l}"
        );
    }
}

#[test]
fn the_layout_is_renamed_and_what_is_empty_removed() {
    for s in servers() {
        let l = s.label;
        let mut admin = s.signed_in("a.admin");
        let layout = set_up(&s, &mut admin);
        let [desk, other] = layout.desks;
        let at = |kind: &str, id: i64| format!("/api/v1/admin/desks/layout/{kind}/{id}");
        let buildings = |c: &mut Client| c.get("/api/v1/desks/buildings").json();
        let building = buildings(&mut admin)[0]["id"].as_i64().unwrap();

        // Renaming: an empty name 422, a taken one 409, a missing one 404, unknown kind 404.
        for bad in [" ".to_string(), "x".repeat(121)] {
            let r = admin.request("PUT", &at("desks", desk), Some(json!({ "name": bad })));
            assert_eq!(r.status, 422, "{l}: {}", r.body);
        }
        let r = admin.request("PUT", &at("desks", desk), Some(json!({"name": "2.14-B"})));
        assert_eq!(r.status, 409, "{l}: {}", r.body);
        let r = admin.request("PUT", &at("desks", 999_999), Some(json!({"name": "X"})));
        assert_eq!(r.status, 404, "{l}: {}", r.body);
        let r = admin.request("PUT", &at("chairs", desk), Some(json!({"name": "X"})));
        assert_eq!(r.status, 404, "{l}: {}", r.body);
        let mut carl = s.signed_in("c.clerk");
        let r = carl.request("PUT", &at("desks", desk), Some(json!({"name": "X"})));
        assert_eq!(r.status, 403, "{l}: {}", r.body);
        let r = admin.request(
            "PUT",
            &at("desks", desk),
            Some(json!({"name": "2.14-Fenster"})),
        );
        assert_eq!(r.status, 200, "{l}: {}", r.body);
        let r = admin.request(
            "PUT",
            &at("buildings", building),
            Some(json!({"name": "Rathaus Nord"})),
        );
        assert_eq!(r.status, 200, "{l}: {}", r.body);
        assert_eq!(buildings(&mut admin)[0]["name"], "Rathaus Nord", "{l}");
        let floor = admin
            .get(&format!("/api/v1/desks/floors/{}", layout.floor))
            .json();
        let renamed = floor["desks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == desk);
        assert_eq!(renamed.unwrap()["label"], "2.14-Fenster", "{l}");

        // Removing: only what is empty, from the inside out; a desk booked ahead stays.
        let r = book(&mut carl, desk, days_from_today(1), "whole");
        assert_eq!(r.status, 201, "{l}: {}", r.body);
        let booking = r.json()["id"].as_i64().unwrap();
        for (kind, id, says) in [
            ("buildings", building, "noch 1 Etage"),
            ("floors", layout.floor, "noch 1 Raum"),
            ("rooms", layout.room, "noch 2 Platz"),
            ("desks", desk, "ab heute noch 1-mal gebucht"),
        ] {
            let r = admin.request("DELETE", &at(kind, id), None);
            assert_eq!(r.status, 409, "{l}: {kind}: {}", r.body);
            assert!(r.body.contains(says), "{l}: {kind}: {}", r.body);
        }
        let r = carl.request("DELETE", &format!("/api/v1/desks/bookings/{booking}"), None);
        assert_eq!(r.status, 200, "{l}: {}", r.body);
        // A booking today that was cancelled does not hold the desk.
        for id in [desk, other] {
            let r = admin.request("DELETE", &at("desks", id), None);
            assert_eq!(r.status, 200, "{l}: {}", r.body);
        }
        let r = admin.request("DELETE", &at("desks", desk), None);
        assert_eq!(r.status, 404, "{l}: {}", r.body);
        for (kind, id) in [
            ("rooms", layout.room),
            ("floors", layout.floor),
            ("buildings", building),
        ] {
            let r = admin.request("DELETE", &at(kind, id), None);
            assert_eq!(r.status, 200, "{l}: {kind}: {}", r.body);
        }
        assert_eq!(buildings(&mut admin), json!([]), "{l}");
        // Removed, not deleted: the desk's bookings stay for the reports, and the names
        // are free again.
        assert!(
            s.block_on(s.store.desk_booking(booking)).unwrap().is_some(),
            "{l}: the booking's history is kept"
        );
        let r = admin.post(
            "/api/v1/admin/desks/buildings",
            json!({"name": "Rathaus Nord"}),
        );
        assert_eq!(r.status, 201, "{l}: {}", r.body);
        let r = admin.post(
            &format!("/api/v1/admin/desks/rooms/{}/desks", layout.room),
            json!({"label": "neu"}),
        );
        assert_eq!(r.status, 404, "{l}: no desk in a removed room: {}", r.body);
        assert_eq!(
            audit_actions(&mut admin, "admin.desks.removed").len(),
            5,
            "{l}"
        );
        let r = s.client().request("DELETE", &at("desks", 1), None);
        assert_eq!(r.status, 401, "{l}: {}", r.body);
    }
}
