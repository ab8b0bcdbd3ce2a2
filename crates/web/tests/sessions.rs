//! Issue 13: a session that ends, ends everywhere — its WebSockets close with 4401
//! whether it was signed out elsewhere, its factors were reset, its password was set by
//! the CLI (another process: found by the periodic check), it idled out or reached its
//! lifetime. And: confirming the password again before sensitive changes, counted like a
//! sign-in; no secrets in caches; a bounded number of sockets per session.

mod common;

use common::{server, Options, PASSWORD};
use serde_json::json;
use std::time::{Duration, Instant};
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

#[test]
fn idle_sessions_end_on_the_socket_and_use_keeps_them() {
    let s = server(Options {
        auth: web::AuthSettings {
            idle_secs: 2,
            ..Options::default().auth
        },
        ..Options::default()
    });
    let idle = s.signed_in("c.clerk");
    let busy = s.signed_in("d.new");
    let mut idle_socket = ws::connect(&idle, None);
    let mut busy_socket = ws::connect(&busy, None);
    let started = Instant::now();
    // Keep-alives do not count as use; setting one's presence does.
    let mut closed = None;
    for i in 0..40 {
        idle_socket.send(json!({"type": "ping", "ref": i}));
        busy_socket.send(json!({"type": "presence.set", "ref": i, "state": "busy"}));
        busy_socket.drain(Duration::from_millis(100));
        let frames = idle_socket.drain(Duration::from_millis(100));
        if idle_socket.closed.is_some() {
            closed = idle_socket.closed.clone();
            break;
        }
        drop(frames);
    }
    assert_eq!(closed.map(|c| c.0), Some(4401), "the idle session ended");
    // Sessions count whole seconds: 2 s of idling is over after 1 to 2 s.
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert!(busy_socket.closed.is_none(), "used over its socket: alive");
    let mut busy = busy;
    assert_eq!(busy.get("/api/v1/me").status, 200);
}

#[test]
fn a_session_ends_on_the_socket_at_its_lifetime_even_when_used() {
    let s = server(Options {
        auth: web::AuthSettings {
            lifetime_secs: 2,
            ..Options::default().auth
        },
        ..Options::default()
    });
    let c = s.signed_in("c.clerk");
    let mut socket = ws::connect(&c, None);
    let end = Instant::now() + Duration::from_secs(5);
    while socket.closed.is_none() && Instant::now() < end {
        socket.send(json!({"type": "presence.set", "state": "busy"}));
        socket.drain(Duration::from_millis(100));
    }
    assert_eq!(socket.closed.map(|c| c.0), Some(4401));
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
