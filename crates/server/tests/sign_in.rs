//! End-to-end tests of sign-in, second factors, sessions, the admin API and the audit log,
//! against the built binary over real HTTP. Codes by SMS are tested in `sms.rs`.

mod common;

use common::{now, setup, PASSWORD};
use serde_json::{json, Value};
use testkit::http::Client;

#[test]
fn password_sign_in_sessions_and_csrf() {
    let s = setup("");
    let mut c = s.client();
    let wrong = c.post(
        "/api/v1/auth/login",
        json!({"login": "b.user", "password": "falsch falsch"}),
    );
    let unknown = c.post(
        "/api/v1/auth/login",
        json!({"login": "niemand", "password": "falsch falsch"}),
    );
    assert_eq!((wrong.status, unknown.status), (401, 401));
    assert_eq!(
        wrong.body, unknown.body,
        "the answer never reveals whether a login exists"
    );
    assert_eq!(c.get("/api/v1/me").status, 401);

    let ok = c.post(
        "/api/v1/auth/login",
        json!({"login": "B.User", "password": PASSWORD}),
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
    let cookie = ok.header("set-cookie").unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert_eq!(c.get("/api/v1/me").json()["login"], "b.user");

    let mut no_csrf = c.clone();
    no_csrf.csrf = None;
    let refused = no_csrf.post("/api/v1/me/recovery-codes", json!({}));
    assert_eq!(
        (refused.status, refused.json()["error"].clone()),
        (403, json!("csrf"))
    );
    let mut wrong_csrf = c.clone();
    wrong_csrf.csrf = Some("forged".into());
    assert_eq!(
        wrong_csrf
            .post("/api/v1/me/recovery-codes", json!({}))
            .status,
        403
    );
    let codes = c.post("/api/v1/me/recovery-codes", json!({"password": PASSWORD}));
    assert_eq!(codes.json()["recovery_codes"].as_array().unwrap().len(), 10);

    let mut other = s.signed_in("b.user");
    let list = c.get("/api/v1/me/sessions").json();
    let sessions = list["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    let theirs = sessions.iter().find(|x| x["current"] == false).unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        c.request("DELETE", &format!("/api/v1/me/sessions/{theirs}"), None)
            .status,
        200
    );
    assert_eq!(
        other.get("/api/v1/me").status,
        401,
        "an ended session is gone"
    );
    assert_eq!(
        c.request("DELETE", "/api/v1/me/sessions/999999", None)
            .status,
        404
    );

    assert_eq!(c.post("/api/v1/auth/logout", json!({})).status, 200);
    assert_eq!(c.get("/api/v1/me").status, 401);
}

#[test]
fn totp_enrolment_second_sign_in_replay_and_recovery_codes() {
    let s = setup("");
    let mut c = s.signed_in("b.user");
    let enrol = c
        .post("/api/v1/me/totp", json!({"password": PASSWORD}))
        .json();
    assert!(enrol["otpauth_uri"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/"));
    assert!(enrol["qr_svg"].as_str().unwrap().starts_with("<svg"));
    let secret = auth::totp::TotpSecret::from_base32(enrol["secret"].as_str().unwrap()).unwrap();
    let wrong = c.post("/api/v1/me/totp/confirm", json!({"code": "000000"}));
    assert_eq!(wrong.status, 401);
    let confirmed = c.post(
        "/api/v1/me/totp/confirm",
        json!({"code": auth::totp::code_at(&secret, now())}),
    );
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    let recovery: Vec<String> = confirmed.json()["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(recovery.len(), 10);
    assert_eq!(
        c.post("/api/v1/me/totp", json!({"password": PASSWORD}))
            .status,
        409,
        "a confirmed app is not silently replaced"
    );

    let mut second = s.client();
    let step = second
        .post(
            "/api/v1/auth/login",
            json!({"login": "b.user", "password": PASSWORD}),
        )
        .json();
    assert_eq!(
        step,
        json!({"status": "second_factor", "methods": ["totp", "recovery"]})
    );
    assert_eq!(
        second.get("/api/v1/me").status,
        401,
        "no session before the second factor"
    );
    assert_eq!(
        second
            .post(
                "/api/v1/auth/second-factor",
                json!({"method": "totp", "code": "123456"})
            )
            .status,
        401
    );
    // The next step's code: within the allowed drift, and newer than the one used to confirm.
    let next_code = auth::totp::code_at(&secret, now() + 30);
    let ok = second.post(
        "/api/v1/auth/second-factor",
        json!({"method": "totp", "code": next_code}),
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(
        second.get("/api/v1/me").json()["second_factor"]["totp"],
        true
    );

    let mut replay = s.client();
    replay.post(
        "/api/v1/auth/login",
        json!({"login": "b.user", "password": PASSWORD}),
    );
    let again = replay.post(
        "/api/v1/auth/second-factor",
        json!({"method": "totp", "code": next_code}),
    );
    assert_eq!(again.status, 401, "a code is accepted only once");
    let by_recovery = replay.post(
        "/api/v1/auth/second-factor",
        json!({"method": "recovery", "code": recovery[0].to_uppercase()}),
    );
    assert_eq!(by_recovery.status, 200, "{}", by_recovery.body);

    let mut reuse = s.client();
    reuse.post(
        "/api/v1/auth/login",
        json!({"login": "b.user", "password": PASSWORD}),
    );
    assert_eq!(
        reuse
            .post(
                "/api/v1/auth/second-factor",
                json!({"method": "recovery", "code": recovery[0]})
            )
            .status,
        401
    );
}

#[test]
fn failed_attempts_lock_the_account_until_an_admin_unlocks_it() {
    let s = setup("");
    let mut c = s.client();
    for _ in 0..3 {
        assert_eq!(
            c.post(
                "/api/v1/auth/login",
                json!({"login": "c.clerk", "password": "nicht richtig"})
            )
            .status,
            401
        );
    }
    let locked = c.post(
        "/api/v1/auth/login",
        json!({"login": "c.clerk", "password": PASSWORD}),
    );
    assert_eq!(
        locked.status, 429,
        "even the right password waits: {}",
        locked.body
    );
    let retry: u64 = locked.header("retry-after").unwrap().parse().unwrap();
    assert!((800..=900).contains(&retry), "{retry}");

    let mut admin = s.signed_in("a.admin");
    let list = admin.get("/api/v1/admin/locked").json();
    assert_eq!(list["locked"][0]["login"], "c.clerk");
    assert!(admin.get("/api/v1/admin/staff/c.clerk").json()["locked_until"].is_i64());
    assert_eq!(
        admin
            .post("/api/v1/admin/staff/c.clerk/unlock", json!({}))
            .status,
        200
    );
    assert!(admin.get("/api/v1/admin/locked").json()["locked"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(
        c.post(
            "/api/v1/auth/login",
            json!({"login": "c.clerk", "password": PASSWORD})
        )
        .status,
        200
    );

    let audit = admin.get("/api/v1/admin/audit?action=login.locked").json();
    assert_eq!(audit["entries"][0]["target"], "c.clerk");
    let unlock = admin
        .get("/api/v1/admin/audit?action=admin.unlocked")
        .json();
    assert_eq!(unlock["entries"][0]["actor"], "a.admin");
}

#[test]
fn required_second_factor_leads_through_enrolment_and_letter_codes() {
    let s = setup("");
    let mut admin = s.signed_in("a.admin");
    let letter = admin
        .post("/api/v1/admin/staff/d.new/letter-code", json!({}))
        .json();
    let letter_code = letter["code"].as_str().unwrap().to_string();
    assert_eq!(
        admin
            .request(
                "PUT",
                "/api/v1/admin/second-factor",
                Some(json!({"everyone": true}))
            )
            .status,
        200
    );

    // Without any factor: enrolment right after the password.
    let mut c = s.client();
    let step = c
        .post(
            "/api/v1/auth/login",
            json!({"login": "c.clerk", "password": PASSWORD}),
        )
        .json();
    assert_eq!(step["status"], "enrolment_required");
    assert_eq!(c.get("/api/v1/me").status, 401);
    let enrol = c.post("/api/v1/me/totp", json!({})).json();
    let secret = auth::totp::TotpSecret::from_base32(enrol["secret"].as_str().unwrap()).unwrap();
    let done = c.post(
        "/api/v1/me/totp/confirm",
        json!({"code": auth::totp::code_at(&secret, now())}),
    );
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.json()["recovery_codes"].as_array().unwrap().len(), 10);
    assert_eq!(
        c.get("/api/v1/me").json()["login"],
        "c.clerk",
        "enrolment started the session"
    );

    // With a letter: the letter code first, then enrolment.
    let mut d = s.client();
    let step = d
        .post(
            "/api/v1/auth/login",
            json!({"login": "d.new", "password": PASSWORD}),
        )
        .json();
    assert_eq!(step["methods"], json!(["letter"]));
    let after = d
        .post(
            "/api/v1/auth/second-factor",
            json!({"method": "letter", "code": letter_code}),
        )
        .json();
    assert_eq!(after["status"], "enrolment_required");
    let enrol = d.post("/api/v1/me/totp", json!({})).json();
    let secret = auth::totp::TotpSecret::from_base32(enrol["secret"].as_str().unwrap()).unwrap();
    assert_eq!(
        d.post(
            "/api/v1/me/totp/confirm",
            json!({"code": auth::totp::code_at(&secret, now())})
        )
        .status,
        200
    );
    assert_eq!(d.get("/api/v1/me").status, 200);

    let audit = admin.get("/api/v1/admin/audit?person=d.new").json();
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for expected in [
        "admin.letter_code.issued",
        "factor.letter.used",
        "factor.totp.enrolled",
        "login.ok",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing in {actions:?}"
        );
    }
    assert_eq!(
        admin
            .post("/api/v1/admin/staff/d.new/reset-factors", json!({}))
            .status,
        200
    );
    assert_eq!(
        d.get("/api/v1/me").status,
        401,
        "a reset ends the person's sessions"
    );
}

#[test]
fn admins_edit_people_and_switch_features_with_clear_errors() {
    let s = setup("");
    let mut admin = s.signed_in("a.admin");
    let list = admin.get("/api/v1/admin/staff?q=b%C3%A4rbel").json();
    assert_eq!(
        (list["total"].clone(), list["staff"][0]["login"].clone()),
        (json!(1), json!("b.user"))
    );
    assert_eq!(
        admin.get("/api/v1/admin/staff?unit=Bauamt").json()["total"],
        2
    );
    assert_eq!(admin.get("/api/v1/admin/staff?unit=Nirgendwo").status, 404);

    let patch =
        |c: &mut Client, body: Value| c.request("PATCH", "/api/v1/admin/staff/c.clerk", Some(body));
    let r = patch(
        &mut admin,
        json!({"mobile": "+49 160 1234567", "features": ["softphone"]}),
    );
    assert_eq!(
        (r.status, r.json()["mobile"].clone()),
        (200, json!("+49 160 1234567")),
        "{}",
        r.body
    );
    assert_eq!(
        patch(&mut admin, json!({"extension": "2401"})).status,
        409,
        "taken by b.user"
    );
    assert_eq!(patch(&mut admin, json!({"extension": "24a"})).status, 400);
    assert_eq!(patch(&mut admin, json!({"roles": ["chef"]})).status, 400);
    assert_eq!(patch(&mut admin, json!({"unit": "Nirgendwo"})).status, 404);
    assert_eq!(
        patch(&mut admin, json!({"shoe_size": 42})).status,
        422,
        "unknown fields are refused"
    );
    let now = admin.get("/api/v1/admin/staff/c.clerk").json();
    assert_eq!(
        (now["extension"].clone(), now["roles"].clone()),
        (json!("2501"), json!(["user"])),
        "failed edits change nothing"
    );
    assert_eq!(
        patch(&mut admin, json!({"mobile": null})).json()["mobile"],
        Value::Null
    );

    let on = admin
        .post(
            "/api/v1/admin/features",
            json!({"feature": "hotline", "on": true, "unit": "Bauamt"}),
        )
        .json();
    assert_eq!(
        (on["selected"].clone(), on["changed"].clone()),
        (json!(2), json!(2))
    );
    let off = admin
        .post(
            "/api/v1/admin/features",
            json!({"feature": "hotline", "on": false, "logins": ["c.clerk"]}),
        )
        .json();
    assert_eq!(off["changed"], 1);
    assert_eq!(
        admin
            .post(
                "/api/v1/admin/features",
                json!({"feature": "fax", "on": true, "unit": "Bauamt"})
            )
            .status,
        400
    );
    assert_eq!(
        admin
            .post(
                "/api/v1/admin/features",
                json!({"feature": "hotline", "on": true})
            )
            .status,
        400
    );

    let csv = admin.get("/api/v1/admin/audit.csv");
    assert_eq!(csv.status, 200);
    assert!(
        csv.body
            .starts_with("\u{feff}time;actor;action;target;source;detail"),
        "{}",
        csv.body
    );
    assert!(csv.body.contains("admin.feature.on"), "{}", csv.body);
}
