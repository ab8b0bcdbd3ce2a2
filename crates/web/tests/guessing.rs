//! Issue 13: guessing in parallel must not get past the lockout. However many password or
//! code attempts arrive at once, no more are checked per lock window than the policy
//! allows, and the right password or code among them does not sign in. On SQLite and
//! PostgreSQL.

use serde_json::{json, Value};
use std::sync::{Arc, Barrier};
use std::thread;
use testkit::http::Client;
use testkit::server::{on_every_database as servers, Options, PASSWORD};

/// Sends `bodies` to `path` all at once (one thread and connection each) with the cookies
/// of `client`; returns (status, error code) in the order of `bodies`.
fn burst(client: &Client, path: &'static str, bodies: Vec<Value>) -> Vec<(u16, String)> {
    let start = Arc::new(Barrier::new(bodies.len()));
    let threads: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let mut c = client.clone();
            let start = start.clone();
            thread::spawn(move || {
                start.wait();
                let r = c.post(path, body);
                let code = serde_json::from_str::<Value>(&r.body)
                    .ok()
                    .and_then(|v| v["error"].as_str().map(str::to_owned))
                    .unwrap_or_default();
                (r.status, code)
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

#[test]
fn a_burst_of_passwords_checks_at_most_the_threshold_and_locks() {
    for s in servers(Options::default) {
        let l = s.label;
        let lock_after = 3;
        // 199 wrong passwords at once (the right one among them could be one of the few
        // checked: that would be a correct sign-in, not a hole), then the right one.
        let bodies: Vec<Value> = (0..199)
            .map(|i| json!({"login": "b.user", "password": format!("falsch {i}")}))
            .collect();
        let answers = burst(&s.client(), "/api/v1/auth/login", bodies);
        let checked = answers.iter().filter(|(st, _)| *st == 401).count();
        let refused = answers.iter().filter(|(st, _)| *st == 429).count();
        assert!(
            (1..=lock_after).contains(&checked),
            "{l}: {checked} passwords were checked; the lock is at {lock_after}"
        );
        assert_eq!(checked + refused, 199, "{l}: {answers:?}");
        // Nothing was lost: the stored count is the number checked, and the account is
        // locked now: the right password at the end is refused too.
        let row = s
            .block_on(s.store.failure_row(store::FailureScope::Account, "b.user"))
            .unwrap();
        assert_eq!(row.failures as usize, checked, "{l}");
        let mut late = s.client();
        let r = late.post(
            "/api/v1/auth/login",
            json!({"login": "b.user", "password": PASSWORD}),
        );
        assert_eq!(r.status, 429, "{l}: {}", r.body);
    }
}

#[test]
fn three_hundred_wrong_guesses_are_all_counted_and_stop_at_the_lock() {
    for s in servers(|| {
        // The documented lock at 10, on a clock the test moves past each delay.
        let mut o = Options::default();
        o.config.auth.lock_after_failures = 10;
        o.fake_clock = true;
        o
    }) {
        let l = s.label;
        // Ten bursts of 30 at once, a minute apart (past the longest delay, well within
        // the 15 minutes of a lock): the delays let a few through, the lock stops them.
        let mut checked = 0;
        for round in 0..10 {
            let bodies = (0..30)
                .map(|i| json!({"login": "c.clerk", "password": format!("falsch {round} {i}")}))
                .collect();
            let answers = burst(&s.client(), "/api/v1/auth/login", bodies);
            checked += answers.iter().filter(|(st, _)| *st == 401).count();
            assert!(
                answers.iter().all(|(st, _)| *st == 401 || *st == 429),
                "{l}: {answers:?}"
            );
            s.advance(std::time::Duration::from_secs(61));
        }
        assert_eq!(checked, 10, "{l}: exactly the threshold was checked");
        let row = s
            .block_on(s.store.failure_row(store::FailureScope::Account, "c.clerk"))
            .unwrap();
        assert_eq!(row.failures, 10, "{l}");
        assert!(row.locked_until.is_some(), "{l}");
        let audit = s
            .block_on(s.store.audit_entries(&store::AuditFilter::default()))
            .unwrap();
        let locks = audit.iter().filter(|e| e.action == "login.locked").count();
        let failures = audit.iter().filter(|e| e.action == "login.failed").count();
        assert_eq!(
            (locks, failures),
            (1, 10),
            "{l}: one lock, every check audited"
        );
    }
}

#[test]
fn a_burst_of_codes_voids_the_pending_sign_in() {
    for s in servers(|| {
        // The account's lock out of the way: the pending sign-in's own count is tested.
        let mut o = Options::default();
        o.config.auth.lock_after_failures = 50;
        o
    }) {
        let l = s.label;
        // d.new sets up an authenticator app, then signs in again from a new browser.
        let mut own = s.signed_in("d.new");
        let enrol = own
            .post("/api/v1/me/totp", json!({"password": PASSWORD}))
            .json();
        let secret =
            auth::totp::TotpSecret::from_base32(enrol["secret"].as_str().unwrap()).unwrap();
        let now = || {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
        };
        let ok = own.post(
            "/api/v1/me/totp/confirm",
            json!({"code": auth::totp::code_at(&secret, now())}),
        );
        assert_eq!(ok.status, 200, "{l}: {}", ok.body);
        let mut pending = s.client();
        let step = pending.post(
            "/api/v1/auth/login",
            json!({"login": "d.new", "password": PASSWORD}),
        );
        assert_eq!(step.json()["status"], "second_factor", "{l}");

        // The code of the next step: right when it arrives, never used before.
        let right = auth::totp::code_at(&secret, now() + 30);
        let wrong = |i: usize| format!("{:06}", (i * 7919) % 1_000_000);
        // 199 wrong codes at once, then the right one.
        let bodies = (0..199)
            .map(|i| {
                let code = Some(wrong(i)).filter(|c| *c != right).unwrap_or_default();
                json!({"method": "totp", "code": code})
            })
            .collect();
        let answers = burst(&pending, "/api/v1/auth/second-factor", bodies);
        let checked = answers
            .iter()
            .filter(|(_, code)| code == "wrong_credentials")
            .count();
        let attempts = web::AuthSettings::default().pending_attempts as usize;
        assert!(
            (1..=attempts).contains(&checked),
            "{l}: {checked} codes were checked; a pending sign-in allows {attempts}"
        );
        assert!(
            answers.iter().all(|(st, _)| *st == 401 || *st == 429),
            "{l}: {answers:?}"
        );
        let last = pending.post(
            "/api/v1/auth/second-factor",
            json!({"method": "totp", "code": right}),
        );
        assert_eq!(last.status, 401, "{l}: void, even with the right code");
        assert_eq!(pending.get("/api/v1/me").status, 401, "{l}: not signed in");
    }
}
