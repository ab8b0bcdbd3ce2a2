//! Presence and chat end to end: the whole server in the test's process, WebSocket clients
//! of several people (the crash test, which needs the binary, is in crash.rs).
//! c.clerk and d.new share the unit "Bauamt"; a.admin and b.user are in other units.

mod common;

use common::{setup, unit_room};
use serde_json::{json, Value};
use std::time::Duration;
use testkit::http::Client;
use testkit::ws;

fn presence_of<'a>(login: &'a str, state: &'a str) -> impl Fn(&Value) -> bool + 'a {
    move |f| f["type"] == "presence" && f["entry"]["login"] == login && f["entry"]["state"] == state
}

fn put(c: &mut Client, path: &str, body: Value) -> testkit::http::Reply {
    c.request("PUT", path, Some(body))
}

#[test]
fn the_socket_needs_a_session_and_our_origin() {
    let s = setup("");
    assert_eq!(ws::open(&s.client(), None).err(), Some(401));
    let c = s.signed_in("c.clerk");
    assert_eq!(ws::open(&c, Some("https://evil.example")).err(), Some(403));
    let origin = format!("http://{}", c.address());
    assert!(ws::open(&c, Some(&origin)).is_ok());
}

#[test]
fn presence_reaches_the_unit_and_favourites_with_privacy() {
    let s = setup("");
    let mut c = s.signed_in("c.clerk");
    let mut a = s.signed_in("a.admin");
    let mut d = s.signed_in("d.new");
    assert_eq!(
        a.request("PUT", "/api/v1/me/favourites/d.new", None).status,
        204
    );
    let mut cws = ws::connect(&c, None);
    let mut aws = ws::connect(&a, None);
    let snapshot = cws
        .pending
        .iter()
        .find(|f| f["type"] == "presence.snapshot")
        .cloned()
        .unwrap();
    let d_entry = snapshot["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["login"] == "d.new")
        .cloned();
    assert_eq!(d_entry.unwrap()["state"], "offline");

    let mut dws = ws::connect(&d, None);
    cws.wait_for(presence_of("d.new", "available"));
    aws.wait_for(presence_of("d.new", "available"));

    dws.send(
        json!({"type": "presence.set", "ref": 1, "state": "busy", "location": "home_office",
                    "note": "Bescheide", "until": "2099-01-01T10:00:00Z"}),
    );
    assert_eq!(dws.wait_for(|f| f["ref"] == 1)["type"], "ack");
    let same_unit = cws.wait_for(presence_of("d.new", "busy"));
    assert_eq!(same_unit["entry"]["note"], "Bescheide");
    assert_eq!(same_unit["entry"]["location"], "home_office");
    assert_eq!(same_unit["entry"]["until"], "2099-01-01T10:00:00Z");
    let other_unit = aws.wait_for(presence_of("d.new", "busy"));
    assert_eq!(
        other_unit["entry"]["note"],
        Value::Null,
        "notes stay in the unit"
    );
    assert_eq!(other_unit["entry"]["location"], Value::Null);

    // Bad values change nothing and say why.
    dws.send(json!({"type": "presence.set", "ref": 2, "state": "on_the_phone"}));
    let refused = dws.wait_for(|f| f["ref"] == 2);
    assert_eq!(
        (refused["type"].as_str(), refused["code"].as_str()),
        (Some("error"), Some("bad_request"))
    );
    let r = put(
        &mut d,
        "/api/v1/me/presence",
        json!({"state": "busy", "until": "gestern"}),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    let panel = c.get("/api/v1/team-panel").json();
    let d_panel = panel["unit"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["login"] == "d.new")
        .cloned()
        .unwrap();
    assert_eq!(d_panel["presence"]["state"], "busy");
    assert_eq!(d_panel["extension"], "2502");

    // Idle on the only client: away; back: busy again (hand-set busy wins over idle).
    let r = put(&mut d, "/api/v1/me/presence", json!({"state": "available"}));
    assert_eq!(r.status, 200);
    cws.wait_for(presence_of("d.new", "available"));
    dws.send(json!({"type": "presence.activity", "idle": true}));
    cws.wait_for(presence_of("d.new", "away"));
    // A second client that is active makes her available; closing the last makes her offline.
    let mut dws2 = ws::connect(&d, None);
    cws.wait_for(presence_of("d.new", "available"));
    drop(dws2.drain(Duration::from_millis(10)));
    drop(dws2);
    cws.wait_for(presence_of("d.new", "away"));
    drop(dws);
    cws.wait_for(presence_of("d.new", "offline"));
}

#[test]
fn a_watch_fires_once_when_she_is_available_and_survives_a_reload() {
    let s = setup("");
    let c = s.signed_in("c.clerk");
    let mut d = s.signed_in("d.new");
    let mut dws = ws::connect(&d, None);
    assert_eq!(
        put(&mut d, "/api/v1/me/presence", json!({"state": "busy"})).status,
        200
    );
    let mut cws = ws::connect(&c, None);
    cws.send(json!({"type": "watch.add", "ref": "w", "login": "d.new"}));
    let ack = cws.wait_for(|f| f["ref"] == "w");
    assert_eq!(ack["type"], "ack", "{ack}");
    assert!(ack["expires_at"].as_str().unwrap() > "2026");
    // A reload: the watch is stored.
    drop(cws);
    let mut c = c;
    assert_eq!(
        c.get("/api/v1/me/watches").json()["watches"][0]["login"],
        "d.new"
    );
    let mut cws = ws::connect(&c, None);
    dws.send(json!({"type": "presence.set", "ref": 1, "state": "available"}));
    let fired = cws.wait_for(|f| f["type"] == "watch.fired");
    assert_eq!(
        (fired["login"].as_str(), fired["name"].as_str()),
        (Some("d.new"), Some("Dora Neu"))
    );
    // One shot: busy and available again fire nothing more.
    dws.send(json!({"type": "presence.set", "ref": 2, "state": "busy"}));
    dws.send(json!({"type": "presence.set", "ref": 3, "state": "available"}));
    cws.wait_for(presence_of("d.new", "busy"));
    cws.wait_for(presence_of("d.new", "available"));
    assert!(!cws
        .drain(Duration::from_millis(300))
        .iter()
        .any(|f| f["type"] == "watch.fired"));
    assert_eq!(c.get("/api/v1/me/watches").json()["watches"], json!([]));
    cws.send(json!({"type": "watch.add", "ref": "self", "login": "c.clerk"}));
    assert_eq!(cws.wait_for(|f| f["ref"] == "self")["code"], "bad_request");
}

#[test]
fn chat_both_ways_stored_before_ack_edit_delete_read_and_search() {
    let s = setup("");
    let mut c = s.signed_in("c.clerk");
    let mut d = s.signed_in("d.new");
    let mut cws = ws::connect(&c, None);
    let mut dws = ws::connect(&d, None);
    let r = c.post("/api/v1/rooms/direct", json!({"login": "d.new"}));
    assert_eq!(r.status, 200, "{}", r.body);
    let room = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["title"], "Dora Neu");
    assert_eq!(
        d.post("/api/v1/rooms/direct", json!({"login": "c.clerk"}))
            .json()["id"],
        room
    );
    let updated = dws.wait_for(|f| f["type"] == "room.updated" && f["room"]["id"] == room);
    // Not Carl's title ("Dora Neu") sent to Dora: the shared frame has no title.
    assert!(updated["room"].get("title").is_none(), "{updated}");
    assert_eq!(updated["room"]["members"], json!(["c.clerk", "d.new"]));

    cws.send(json!({"type": "chat.send", "ref": "m1", "room": room, "text": "Hast du kurz Zeit, @d.new?"}));
    let ack = cws.wait_for(|f| f["ref"] == "m1");
    assert_eq!(ack["type"], "ack", "{ack}");
    let id = ack["message"]["id"].as_i64().unwrap();
    assert_eq!(ack["message"]["mentions"], json!(["d.new"]));
    let got = dws.wait_for(|f| f["type"] == "chat.message");
    assert_eq!(got["message"]["text"], "Hast du kurz Zeit, @d.new?");
    assert_eq!(got["message"]["author_name"], "Carl Clerk");
    // The other way, over REST.
    let r = d.post(
        &format!("/api/v1/rooms/{room}/messages"),
        json!({"text": "Ja, gleich."}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let answer = cws.wait_for(|f| f["type"] == "chat.message" && f["message"]["author"] == "d.new");
    assert_eq!(answer["message"]["text"], "Ja, gleich.");
    let rooms = c.get("/api/v1/rooms").json();
    let mine = rooms["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == room)
        .cloned()
        .unwrap();
    assert_eq!(mine["unread"], 1);
    let reply_id = answer["message"]["id"].as_i64().unwrap();
    cws.send(json!({"type": "chat.read", "ref": "r", "room": room, "up_to": reply_id}));
    assert_eq!(cws.wait_for(|f| f["ref"] == "r")["unread"], 0);

    // Edit and delete own messages; not others'.
    cws.send(json!({"type": "chat.edit", "ref": "e", "id": id, "text": "Hast du morgen Zeit?"}));
    assert!(cws.wait_for(|f| f["ref"] == "e")["message"]["edited_at"].is_string());
    let edited = dws.wait_for(|f| f["type"] == "chat.message" && f["message"]["id"] == id);
    assert_eq!(edited["message"]["text"], "Hast du morgen Zeit?");
    dws.send(json!({"type": "chat.delete", "ref": "x", "id": id}));
    assert_eq!(dws.wait_for(|f| f["ref"] == "x")["code"], "forbidden");
    let r = c.request(
        "DELETE",
        &format!("/api/v1/rooms/{room}/messages/{id}"),
        None,
    );
    assert_eq!((r.status, r.json()["deleted"].clone()), (200, json!(true)));
    let gone = dws.wait_for(|f| f["type"] == "chat.message" && f["message"]["id"] == id);
    assert_eq!(gone["message"]["text"], "");

    let history = c
        .get(&format!("/api/v1/rooms/{room}/messages?limit=1"))
        .json();
    assert_eq!(history["messages"][0]["text"], "Ja, gleich.");
    assert_eq!(history["more"], true);
    let found = c.get("/api/v1/search?q=GLEICH").json();
    assert_eq!(found["messages"].as_array().unwrap().len(), 1);
    assert_eq!(
        c.get("/api/v1/search?q=morgen").json()["messages"],
        json!([]),
        "deleted text is gone"
    );

    // Someone else cannot read or post there.
    let mut b = s.signed_in("b.user");
    assert_eq!(b.get(&format!("/api/v1/rooms/{room}/messages")).status, 403);
    let mut bws = ws::connect(&b, None);
    bws.send(json!({"type": "chat.send", "ref": 9, "room": room, "text": "Hallo"}));
    assert_eq!(bws.wait_for(|f| f["ref"] == 9)["code"], "not_member");
}

#[test]
fn a_reconnecting_client_misses_nothing_and_sees_nothing_twice() {
    let s = setup("");
    let mut c = s.signed_in("c.clerk");
    let d = s.signed_in("d.new");
    let room = unit_room(&mut c);
    let mut dws = ws::connect(&d, None);
    let mut cws = ws::connect(&c, None);
    cws.send(json!({"type": "chat.send", "ref": 0, "room": room, "text": "eins"}));
    let first = dws.wait_for(|f| f["type"] == "chat.message");
    let seen = first["message"]["rev"].as_i64().unwrap();
    drop(dws);
    for (i, text) in ["zwei", "drei", "vier"].iter().enumerate() {
        cws.send(json!({"type": "chat.send", "ref": i + 1, "room": room, "text": text}));
        cws.wait_for(|f| f["ref"] == i + 1);
    }
    let mut dws = ws::connect(&d, Some(seen));
    let replayed: Vec<Value> = std::mem::take(&mut dws.pending)
        .into_iter()
        .filter(|f| f["type"] == "chat.message")
        .map(|f| f["message"]["text"].clone())
        .collect();
    assert_eq!(replayed, vec![json!("zwei"), json!("drei"), json!("vier")]);
    cws.send(json!({"type": "chat.send", "ref": 9, "room": room, "text": "fünf"}));
    let live = dws.wait_for(|f| f["type"] == "chat.message");
    assert_eq!(live["message"]["text"], "fünf");
    assert!(dws
        .drain(Duration::from_millis(300))
        .iter()
        .all(|f| f["type"] != "chat.message"));
}

#[test]
fn bad_frames_get_errors_and_floods_get_closed_without_harming_others() {
    let s = setup("");
    let c = s.signed_in("c.clerk");
    let d = s.signed_in("d.new");
    let mut first = ws::open(&c, None).unwrap();
    first.send(json!({"type": "ping", "ref": 1}));
    assert_eq!(
        first.wait_for(|f| f["type"] == "error")["code"],
        "hello_required"
    );
    first.send(json!({"type": "hello", "protocol": 1}));
    first.wait_for(|f| f["type"] == "resume.done");
    for (frame, code) in [
        ("{not json", "malformed"),
        ("[1,2]", "malformed"),
        (r#"{"ref":3}"#, "malformed"),
        (r#"{"type":"teleport","ref":4}"#, "unknown_type"),
        (r#"{"type":"chat.send","ref":5,"room":"x"}"#, "bad_request"),
    ] {
        first.send_text(frame);
        assert_eq!(
            first.wait_for(|f| f["type"] == "error")["code"],
            code,
            "{frame}"
        );
    }
    first.send_binary(vec![1, 2, 3]);
    assert_eq!(
        first.wait_for(|f| f["type"] == "error")["code"],
        "malformed"
    );
    first.send(json!({"type": "ping", "ref": 6}));
    assert_eq!(
        first.wait_for(|f| f["ref"] == 6)["type"],
        "pong",
        "still serving after bad frames"
    );

    let mut other = ws::connect(&d, None);
    let mut big = ws::connect(&c, None);
    big.send_text(&format!(
        r#"{{"type":"ping","pad":"{}"}}"#,
        "x".repeat(20_000)
    ));
    assert_eq!(big.wait_closed().0, 1009);
    for i in 0..200 {
        if first.closed.is_some() {
            break;
        }
        first.send(json!({"type": "ping", "ref": i}));
    }
    let (code, reason) = first.wait_closed();
    assert_eq!((code, reason.as_str()), (1008, "flooding"));
    other.send(json!({"type": "ping", "ref": "ok"}));
    assert_eq!(other.wait_for(|f| f["ref"] == "ok")["type"], "pong");
}

#[test]
fn attachments_only_for_members_and_within_the_limit() {
    let s = setup("[chat]\nattachment_max_mib = 1\n");
    let mut c = s.signed_in("c.clerk");
    let mut b = s.signed_in("b.user");
    let room = unit_room(&mut c);
    let upload = |client: &mut Client, name: &str, body: &str| {
        client.request_raw(
            "POST",
            &format!("/api/v1/rooms/{room}/attachments?name={name}"),
            "text/plain",
            body.as_bytes(),
        )
    };
    let r = upload(&mut c, "Antrag.txt", "Inhalt");
    assert_eq!(r.status, 201, "{}", r.body);
    let file = r.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(b.get(&format!("/api/v1/attachments/{file}")).status, 404);
    let got = c.get(&format!("/api/v1/attachments/{file}"));
    assert_eq!((got.status, got.body.as_str()), (200, "Inhalt"));
    assert_eq!(got.header("x-content-type-options"), Some("nosniff"));
    let mut cws = ws::connect(&c, None);
    cws.send(json!({"type": "chat.send", "ref": 1, "room": room, "text": "", "attachment": file}));
    let ack = cws.wait_for(|f| f["ref"] == 1);
    assert_eq!(ack["message"]["attachment"]["name"], "Antrag.txt");
    assert_eq!(upload(&mut b, "x.txt", "x").status, 403);
    assert_eq!(
        upload(&mut c, "big.txt", &"x".repeat(1_100_000)).status,
        413
    );
    assert_eq!(upload(&mut c, "..", "x").status, 400);
}

#[test]
fn colleagues_are_found_by_name_login_or_extension_for_favourites() {
    let s = setup("");
    let mut c = s.signed_in("c.clerk");
    let logins = |reply: testkit::http::Reply| -> Vec<String> {
        assert_eq!(reply.status, 200);
        let body = reply.json();
        body["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["login"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(logins(c.get("/api/v1/presence?q=DORA")), ["d.new"]);
    assert_eq!(logins(c.get("/api/v1/presence?q=b.us")), ["b.user"]);
    assert_eq!(
        logins(c.get("/api/v1/presence?q=250")),
        ["c.clerk", "d.new"]
    );
    // LIKE wildcards are plain characters here.
    assert!(logins(c.get("/api/v1/presence?q=%25")).is_empty());
    assert!(logins(c.get("/api/v1/presence?q=_")).is_empty());
    assert_eq!(c.get("/api/v1/presence?q=%20").status, 400);
    assert_eq!(c.get("/api/v1/presence?q=a&unit=Bauamt").status, 400);
    assert_eq!(s.client().get("/api/v1/presence?q=dora").status, 401);
}

#[test]
fn administrators_change_team_panel_groups_and_every_change_is_audited() {
    let s = setup("");
    let mut admin = s.signed_in("a.admin");
    let made = admin.post(
        "/api/v1/admin/groups",
        json!({"name": "Krisenstab", "members": ["c.clerk"]}),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let id = made.json()["id"].as_i64().unwrap();
    let members = |admin: &mut Client| -> Vec<Value> {
        let groups = admin.get("/api/v1/admin/groups").json();
        groups["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["id"] == id)
            .unwrap()["members"]
            .as_array()
            .unwrap()
            .clone()
    };
    let path = |login: &str| format!("/api/v1/admin/groups/{id}/members/{login}");

    assert_eq!(admin.request("PUT", &path("b.user"), None).status, 204);
    assert_eq!(members(&mut admin), vec![json!("b.user"), json!("c.clerk")]);
    let unknown = admin.request("PUT", &path("nobody"), None);
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    assert!(unknown.body.contains("gibt es nicht"), "{}", unknown.body);
    let no_group = admin.request(
        "PUT",
        &format!("/api/v1/admin/groups/{}/members/b.user", id + 99),
        None,
    );
    assert_eq!(no_group.status, 404, "{}", no_group.body);

    assert_eq!(admin.request("DELETE", &path("b.user"), None).status, 204);
    let again = admin.request("DELETE", &path("b.user"), None);
    assert_eq!(again.status, 404, "{}", again.body);
    assert!(again.body.contains("nicht in der Gruppe"), "{}", again.body);
    assert_eq!(members(&mut admin), vec![json!("c.clerk")]);

    let audit = admin.get("/api/v1/admin/audit?limit=50").body;
    assert!(
        audit.contains("group.member_added") && audit.contains("group.member_removed"),
        "{audit}"
    );
    // Not for everyone.
    let mut clerk = s.signed_in("c.clerk");
    assert_eq!(clerk.request("PUT", &path("d.new"), None).status, 403);
}

#[test]
fn a_watch_ends_over_rest_or_the_socket_and_unknown_people_are_refused() {
    let s = setup("");
    let mut c = s.signed_in("c.clerk");
    assert_eq!(
        c.post("/api/v1/me/watches", json!({"login": "d.new"}))
            .status,
        201
    );
    assert_eq!(
        c.request("DELETE", "/api/v1/me/watches/d.new", None).status,
        204
    );
    let again = c.request("DELETE", "/api/v1/me/watches/d.new", None);
    assert_eq!(again.status, 404, "{}", again.body);
    assert!(again.body.contains("beobachten"), "{}", again.body);
    let unknown = c.request("DELETE", "/api/v1/me/watches/x.niemand", None);
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    assert!(unknown.body.contains("gibt es nicht"), "{}", unknown.body);

    // Over the socket, ending a watch that is not there is acknowledged; an unknown
    // person is refused.
    let mut cws = ws::connect(&c, None);
    cws.send(json!({"type": "watch.remove", "ref": "gone", "login": "d.new"}));
    assert_eq!(cws.wait_for(|f| f["ref"] == "gone")["type"], "ack");
    cws.send(json!({"type": "watch.remove", "ref": "who", "login": "x.niemand"}));
    assert_eq!(cws.wait_for(|f| f["ref"] == "who")["type"], "error");
    assert_eq!(c.get("/api/v1/me/watches").json()["watches"], json!([]));
}
