//! Issue 13: a session that ends, ends everywhere — its WebSockets close with 4401
//! whether it was signed out elsewhere, its factors were reset, its password was set by
//! the CLI (another process: found by the periodic check), it idled out or reached its
//! lifetime. And: confirming the password again before sensitive changes, counted like a
//! sign-in; no secrets in caches; a bounded number of sockets per session.

use serde_json::json;
use std::time::{Duration, Instant};
use testkit::server::{start as server, Options, PASSWORD};
use testkit::ws;

#[test]
fn sockets_close_when_their_session_ends_elsewhere_or_is_reset() {
    let s = server(Options::default());
    let mut phone = s.signed_in("c.clerk");
    let laptop = s.signed_in("c.clerk");
    let mut on_phone = ws::connect(&phone, None);
    let mut on_laptop = ws::connect(&laptop, None);
    // Signed out on the laptop from the phone.
    let sessions = phone.get("/api/v1/me/sessions").json();
    let laptop_id = sessions["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["current"] == false)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = phone.request("DELETE", &format!("/api/v1/me/sessions/{laptop_id}"), None);
    assert_eq!(r.status, 200);
    assert_eq!(on_laptop.wait_closed(), (4401, "session ended".into()));
    on_phone.send(json!({"type": "ping", "ref": 1}));
    assert_eq!(on_phone.wait_for(|f| f["ref"] == 1)["type"], "pong");

    // An administrator resets the person's factors: that ends every session and socket.
    let mut admin = s.signed_in("a.admin");
    let r = admin.post("/api/v1/admin/staff/c.clerk/reset-factors", json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(on_phone.wait_closed().0, 4401);
    assert_eq!(phone.get("/api/v1/me").status, 401);
}

#[test]
fn a_password_set_in_another_process_closes_the_sockets_at_the_next_check() {
    let s = server(Options::default());
    let c = s.signed_in("c.clerk");
    let mut socket = ws::connect(&c, None);
    // As `durchwahl users set-password` does it: straight in the database.
    let login = directory::Login::parse("c.clerk").unwrap();
    let ended = s
        .block_on(s.store.set_password_hash(&login, "$argon2id$new", None))
        .unwrap();
    assert_eq!(ended, Some(1));
    assert_eq!(socket.wait_closed().0, 4401);
}

fn on_a_fake_clock() -> Options {
    Options {
        fake_clock: true,
        ..Options::default()
    }
}

#[test]
fn idle_sessions_end_on_the_socket_and_use_keeps_them() {
    // 30 minutes of idling end a session (the default).
    let s = server(on_a_fake_clock());
    let idle = s.signed_in("c.clerk");
    let busy = s.signed_in("d.new");
    let mut idle_socket = ws::connect(&idle, None);
    let mut busy_socket = ws::connect(&busy, None);
    // 20 minutes on: keep-alives do not count as use, setting one's presence does (and
    // the next session check writes that down).
    s.advance(Duration::from_secs(20 * 60));
    idle_socket.send(json!({"type": "ping", "ref": 1}));
    busy_socket.send(json!({"type": "presence.set", "ref": 1, "state": "busy"}));
    assert_eq!(busy_socket.wait_for(|f| f["ref"] == 1)["type"], "ack");
    assert_eq!(idle_socket.wait_for(|f| f["ref"] == 1)["type"], "pong");
    busy_socket.drain(Duration::from_millis(600));
    // 40 minutes after sign-in: the idle session is over, the used one is not.
    s.advance(Duration::from_secs(20 * 60));
    assert_eq!(idle_socket.wait_closed().0, 4401, "the idle session ended");
    busy_socket.drain(Duration::from_millis(600));
    assert!(busy_socket.closed.is_none(), "used over its socket: alive");
    let mut busy = busy;
    assert_eq!(busy.get("/api/v1/me").status, 200);
    let mut idle = idle;
    assert_eq!(idle.get("/api/v1/me").status, 401);
}

#[test]
fn a_session_ends_on_the_socket_at_its_lifetime_even_when_used() {
    // 12 hours after sign-in a session ends (the default), however busy.
    let s = server(on_a_fake_clock());
    let c = s.signed_in("c.clerk");
    let mut socket = ws::connect(&c, None);
    for hour in 0..13 {
        if socket.closed.is_some() {
            break;
        }
        s.advance(Duration::from_secs(3600));
        socket.send(json!({"type": "presence.set", "ref": hour, "state": "busy"}));
        socket.drain(Duration::from_millis(300));
    }
    assert_eq!(socket.wait_closed().0, 4401);
}

#[test]
fn sensitive_changes_ask_for_the_password_and_wrong_ones_count_like_sign_ins() {
    let s = server(Options::default());
    let mut c = s.signed_in("b.user");
    // New recovery codes, a new authenticator: not without the password.
    let r = c.post("/api/v1/me/recovery-codes", json!({}));
    assert_eq!(
        (r.status, r.json()["field"].clone()),
        (400, json!("password"))
    );
    let r = c.post("/api/v1/me/recovery-codes", json!({"password": "falsch"}));
    assert_eq!(r.status, 401);
    let r = c.post("/api/v1/me/recovery-codes", json!({"password": PASSWORD}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.header("cache-control"),
        Some("no-store"),
        "secrets stay out of caches"
    );
    assert_eq!(r.json()["recovery_codes"].as_array().unwrap().len(), 10);
    let r = c.post("/api/v1/me/totp", json!({}));
    assert_eq!(r.status, 400);
    let r = c.post("/api/v1/me/totp", json!({"password": PASSWORD}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("cache-control"), Some("no-store"));

    // A borrowed session cannot guess the password: wrong ones are counted, audited and
    // locked like sign-ins (3 here), after which even the right one waits.
    for i in 0..3 {
        let r = c.post(
            "/api/v1/me/password",
            json!({"current": format!("falsch {i}"), "new": "Ein ganz neues Passwort 1"}),
        );
        assert_eq!(r.status, 401, "{}", r.body);
    }
    let r = c.post(
        "/api/v1/me/password",
        json!({"current": PASSWORD, "new": "Ein ganz neues Passwort 1"}),
    );
    assert_eq!(r.status, 429, "{}", r.body);
    let audit = s
        .block_on(s.store.audit_entries(&store::AuditFilter::default()))
        .unwrap();
    let failed = audit
        .iter()
        .filter(|e| e.action == "password.confirm.failed" && e.target.as_deref() == Some("b.user"))
        .count();
    assert_eq!(
        failed, 4,
        "the recovery-code attempt and three password changes"
    );
    assert!(audit.iter().any(|e| e.action == "login.locked"));
}

#[test]
fn a_session_has_a_bounded_number_of_sockets() {
    let s = server(Options::default());
    let c = s.signed_in("c.clerk");
    let mut open = Vec::new();
    for _ in 0..live::connections::MAX_SOCKETS_PER_SESSION {
        open.push(ws::connect(&c, None));
    }
    assert_eq!(ws::open(&c, None).err(), Some(429), "one too many");
    drop(open.pop());
    // The server notices the close, then admits a new one.
    let end = Instant::now() + Duration::from_secs(5);
    loop {
        match ws::open(&c, None) {
            Ok(_) => break,
            Err(429) if Instant::now() < end => std::thread::sleep(Duration::from_millis(50)),
            Err(other) => panic!("{other}"),
        }
    }
}
