//! What a security review found over time: open WebSockets ended by a sign-out or a
//! changed rule (and kept otherwise), changed roles in the very next identity token, and
//! the upstream's timeout counted from the end of a slow upload.

use crate::http::{parse, Echo};
use crate::review::{cookie_line, echoes, websocket};
use crate::{app, change, publish, sqlite};
use serde_json::{json, Value};
use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};
use testkit::upstream::Upstream;
use tokio_tungstenite::tungstenite::{self, Message};

/// How long until the socket is closed from the other side (panics after 6 s).
fn closed_after(socket: &mut tungstenite::WebSocket<TcpStream>, since: Instant) -> Duration {
    socket
        .get_ref()
        .set_read_timeout(Some(Duration::from_secs(6)))
        .unwrap();
    loop {
        match socket.read() {
            Ok(Message::Close(_)) | Err(_) if since.elapsed() < Duration::from_secs(6) => {
                return since.elapsed()
            }
            Ok(Message::Ping(_) | Message::Pong(_)) => {}
            other => panic!("still open after {:?}: {other:?}", since.elapsed()),
        }
    }
}

#[test]
fn an_open_websocket_ends_with_its_session_or_its_rule_and_lives_on_otherwise() {
    let upstream = Upstream::start();
    let g = sqlite(("", ""));
    let mut admin = g.signed_in("a.admin");
    let up = upstream.url();
    let units = json!(["Bauamt", "Gesundheitsamt"]);
    publish(&g, &mut admin, app("live", &up, |a| a["units"] = units));
    let carl = g.signed_in("c.clerk");
    let mut dora = g.signed_in("d.new");
    let baerbel = g.signed_in("b.user");

    // Nothing changes: open after 5 s, the echo still there.
    let mut stays = websocket(&g, &carl, "live", None).expect("Carl's socket");
    echoes(&mut stays, "eins");
    std::thread::sleep(Duration::from_secs(5));
    echoes(&mut stays, "nach fünf Sekunden");

    // Signed out: closed within the recheck.
    let mut signed_out = websocket(&g, &dora, "live", None).expect("Dora's socket");
    echoes(&mut signed_out, "Dora");
    let since = Instant::now();
    assert_eq!(dora.post("/api/v1/auth/logout", json!({})).status, 200);
    let took = closed_after(&mut signed_out, since);
    assert!(took < Duration::from_millis(3500), "after {took:?}");

    // The rule changed to leave Bärbel (Gesundheitsamt) out: closed within the recheck.
    let mut excluded = websocket(&g, &baerbel, "live", None).expect("Bärbel's socket");
    echoes(&mut excluded, "Bärbel");
    let since = Instant::now();
    change(
        &g,
        &mut admin,
        app("live", &up, |a| a["units"] = json!(["Bauamt"])),
    );
    let took = closed_after(&mut excluded, since);
    assert!(took < Duration::from_millis(3500), "after {took:?}");

    // Carl still qualifies: his socket lives on.
    std::thread::sleep(Duration::from_secs(1));
    echoes(&mut stays, "noch da");
}

#[test]
fn changed_roles_and_name_are_in_the_very_next_identity_token() {
    let upstream = Upstream::start();
    let g = sqlite(("", ""));
    let mut admin = g.signed_in("a.admin");
    publish(&g, &mut admin, app("akte", &upstream.url(), |_| {}));
    let mut carl = g.signed_in("c.clerk");
    let before = crate::forwarding::verified_claims(&g, &Echo::of(&carl.get("/apps/akte/echo/1")));
    assert_eq!(
        (before["name"].clone(), before["roles"].clone()),
        (json!("Carl Clerk"), json!(["user"]))
    );

    let r = admin.request(
        "PATCH",
        "/api/v1/admin/staff/c.clerk",
        Some(json!({"name": "Carl Neumann", "roles": ["user", "supervisor"]})),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let after = crate::forwarding::verified_claims(&g, &Echo::of(&carl.get("/apps/akte/echo/2")));
    assert_eq!(after["name"], "Carl Neumann", "{after}");
    let mut roles: Vec<&str> = after["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    roles.sort_unstable();
    assert_eq!(roles, ["supervisor", "user"], "{after}");
}

#[test]
fn the_timeout_counts_from_the_end_of_a_slow_upload_and_slow_answers_still_get_504() {
    let upstream = Upstream::start();
    let g = sqlite(("", ""));
    let mut admin = g.signed_in("a.admin");
    publish(
        &g,
        &mut admin,
        app("akte", &upstream.url(), |a| a["timeout_secs"] = json!(2)),
    );

    // Ten bytes over 7 s, longer than the 2 s the upstream may take to answer.
    let mut stream = TcpStream::connect(&g.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "POST /apps/akte/upload HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n{}\
         Content-Type: application/octet-stream\r\nContent-Length: 10\r\n\r\n",
        g.address,
        cookie_line(&admin)
    )
    .unwrap();
    let started = Instant::now();
    for byte in b"0123456789" {
        std::thread::sleep(Duration::from_millis(700));
        stream.write_all(&[*byte]).unwrap();
    }
    let mut answer = Vec::new();
    let _ = std::io::Read::read_to_end(&mut stream, &mut answer);
    let reply = parse(&answer).expect("an answer");
    assert_eq!(
        reply.status,
        200,
        "after {:?}: {}",
        started.elapsed(),
        reply.body
    );
    assert_eq!(reply.json()["bytes"], 10, "{}", reply.body);

    let started = Instant::now();
    let slow = admin.get("/apps/akte/slow");
    assert_eq!(slow.status, 504, "{}", slow.body);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(2) && took < testkit::upstream::SLOW / 2,
        "the 2 s timeout: {took:?}"
    );
}
