//! Who gets through, and when: every rule of an application, checked at every request.

use crate::http::{get, send, Echo};
use crate::{app, assert_refused, change, publish, sqlite, BEHIND_PROXY};
use serde_json::{json, Value};
use testkit::upstream::Upstream;

/// The requests that reached the upstream's `/echo` (health checks left out).
fn echoed(upstream: &Upstream) -> Vec<String> {
    upstream
        .targets()
        .into_iter()
        .filter(|t| t.starts_with("/echo"))
        .collect()
}

/// The ISO weekday (Monday = 1) and the hour now in Europe/Berlin, where the hours of
/// applications are.
fn berlin_now() -> (i8, i8) {
    let zone = jiff::tz::TimeZone::get("Europe/Berlin").expect("the time zone database");
    let now = jiff::Timestamp::now().to_zoned_datetime(zone).datetime();
    (now.weekday().to_monday_one_offset(), now.hour())
}

/// Two windows that exclude now: every other weekday all day, and today at hours that
/// are not now.
pub fn hours_excluding_now() -> (Value, Value) {
    let (today, hour) = berlin_now();
    let others: Vec<i8> = (1..=7).filter(|d| *d != today).collect();
    let (from, to) = if hour < 12 {
        ("13:00", "14:00")
    } else {
        ("01:00", "02:00")
    };
    (
        json!({"days": others, "from": "00:00", "to": "23:59"}),
        json!({"days": [today], "from": from, "to": to}),
    )
}

/// A window that includes now: today, all day.
fn hours_including_now() -> Value {
    let (today, _) = berlin_now();
    json!({"days": [today], "from": "00:00", "to": "23:59"})
}

#[test]
fn unit_role_and_feature_decide_and_a_changed_rule_counts_at_the_next_request() {
    let upstream = Upstream::start();
    let g = sqlite(("", ""));
    let up = upstream.url();
    let mut anna = g.signed_in("a.admin");
    publish(
        &g,
        &mut anna,
        app("abt2", &up, |a| a["units"] = json!(["Abteilung 2"])),
    );
    publish(
        &g,
        &mut anna,
        app("admins", &up, |a| a["roles"] = json!(["admin"])),
    );
    publish(
        &g,
        &mut anna,
        app("meet", &up, |a| a["features"] = json!(["meetings"])),
    );
    let mut frieda = g.signed_in("f.sach");
    let mut emil = g.signed_in("e.zwanzig");
    let mut carl = g.signed_in("c.clerk");
    let mut baerbel = g.signed_in("b.user");

    // Units: Abteilung 2 and its sub-units; not Abteilung 20, not the Bauamt.
    Echo::of(&anna.get("/apps/abt2/echo/anna"));
    Echo::of(&frieda.get("/apps/abt2/echo/frieda"));
    assert_refused(&emil.get("/apps/abt2/echo/emil"), "unit", "Abteilung 20");
    assert_refused(&carl.get("/apps/abt2/echo/carl"), "unit", "Bauamt");

    // Roles: one of them.
    Echo::of(&anna.get("/apps/admins/echo/anna"));
    assert_refused(&baerbel.get("/apps/admins/echo/baerbel"), "role", "a user");

    // Features: refused until switched on, then at once.
    assert_refused(
        &carl.get("/apps/meet/echo/carl-1"),
        "feature",
        "no meetings",
    );
    let on = anna.post(
        "/api/v1/admin/features",
        json!({"feature": "meetings", "on": true, "logins": ["c.clerk"]}),
    );
    assert_eq!(on.status, 200, "{}", on.body);
    Echo::of(&carl.get("/apps/meet/echo/carl-2"));

    // A changed rule takes effect at the next request.
    change(
        &g,
        &mut anna,
        app("abt2", &up, |a| a["units"] = json!(["Bauamt"])),
    );
    assert_refused(&anna.get("/apps/abt2/echo/anna-2"), "unit", "rule changed");
    Echo::of(&carl.get("/apps/abt2/echo/carl-3"));

    assert_eq!(
        echoed(&upstream),
        [
            "/echo/anna",
            "/echo/frieda",
            "/echo/anna",
            "/echo/carl-2",
            "/echo/carl-3"
        ],
        "refusals never reach the upstream"
    );
}

#[test]
fn second_factor_apps_need_a_session_signed_in_with_a_code() {
    let upstream = Upstream::start();
    let g = sqlite(("", ""));
    let mut admin = g.signed_in("a.admin");
    publish(
        &g,
        &mut admin,
        app("akte", &upstream.url(), |a| {
            a["second_factor"] = json!(true)
        }),
    );

    let mut carl = g.signed_in("c.clerk");
    assert_refused(
        &carl.get("/apps/akte/echo/pwd"),
        "second_factor",
        "password only",
    );

    let mut baerbel = g.signed_in_with_code("b.user");
    let echo = Echo::of(&baerbel.get("/apps/akte/echo/otp"));
    let claims = crate::forwarding::verified_claims(&g, &echo);
    assert_eq!(claims["amr"], json!(["pwd", "otp"]), "{claims}");
    assert_eq!(echoed(&upstream), ["/echo/otp"]);
}

#[test]
fn office_only_apps_follow_the_client_address_the_trusted_proxy_names() {
    let upstream = Upstream::start();
    let g = sqlite(BEHIND_PROXY);
    let mut admin = g.signed_in("a.admin");
    publish(
        &g,
        &mut admin,
        app("buero", &upstream.url(), |a| a["office_only"] = json!(true)),
    );
    let mut carl = g.signed_in("c.clerk");

    let inside = get(
        &carl,
        "/apps/buero/echo/in",
        &[("X-Forwarded-For", "10.20.1.5")],
    );
    let echo = Echo::of(&inside);
    assert_eq!(echo.one("x-forwarded-for"), Some("10.20.1.5"));
    // A client writing an office address left of what the proxy appended gains nothing.
    let spoofed = get(
        &carl,
        "/apps/buero/echo/spoofed",
        &[("X-Forwarded-For", "10.20.1.5, 203.0.113.9")],
    );
    assert_refused(&spoofed, "network", "the proxy saw 203.0.113.9");
    let home = get(
        &carl,
        "/apps/buero/echo/home",
        &[("X-Forwarded-For", "203.0.113.9")],
    );
    assert_refused(&home, "network", "from home");
    // The proxy itself (loopback) is not in the office either.
    assert_refused(&carl.get("/apps/buero/echo/proxy"), "network", "no header");
    assert_eq!(echoed(&upstream), ["/echo/in"]);
}

#[test]
fn hours_outside_the_window_refuse_and_inside_let_through() {
    let upstream = Upstream::start();
    let g = sqlite(("", ""));
    let up = upstream.url();
    let mut admin = g.signed_in("a.admin");
    let (other_days, other_hours) = hours_excluding_now();
    publish(
        &g,
        &mut admin,
        app("tage", &up, |a| a["hours"] = other_days),
    );
    publish(
        &g,
        &mut admin,
        app("zeiten", &up, |a| a["hours"] = other_hours),
    );
    publish(
        &g,
        &mut admin,
        app("jetzt", &up, |a| a["hours"] = hours_including_now()),
    );
    let mut carl = g.signed_in("c.clerk");
    assert_refused(
        &carl.get("/apps/tage/echo/days"),
        "hours",
        "another weekday",
    );
    assert_refused(&carl.get("/apps/zeiten/echo/hours"), "hours", "other hours");
    Echo::of(&carl.get("/apps/jetzt/echo/now"));
    // Opened now by a changed rule: at the next request.
    change(
        &g,
        &mut admin,
        app("zeiten", &up, |a| a["hours"] = hours_including_now()),
    );
    Echo::of(&carl.get("/apps/zeiten/echo/opened"));
    assert_eq!(echoed(&upstream), ["/echo/now", "/echo/opened"]);
}

#[test]
fn a_revoked_session_is_refused_at_its_very_next_request() {
    let upstream = Upstream::start();
    let g = sqlite(("", ""));
    let mut admin = g.signed_in("a.admin");
    publish(&g, &mut admin, app("akte", &upstream.url(), |_| {}));

    // Signed out: the cookie it had is worth nothing at the very next request.
    let mut laptop = g.signed_in("b.user");
    Echo::of(&laptop.get("/apps/akte/echo/1"));
    let mut kept = laptop.clone();
    assert_eq!(laptop.post("/api/v1/auth/logout", json!({})).status, 200);
    assert_eq!(kept.get("/apps/akte/echo/2").status, 401);

    // Ended by the administrator (the factors reset ends every session): the same.
    let mut desktop = g.signed_in("c.clerk");
    Echo::of(&desktop.get("/apps/akte/echo/3"));
    let reset = admin.post("/api/v1/admin/staff/c.clerk/reset-factors", json!({}));
    assert_eq!(reset.status, 200, "{}", reset.body);
    assert_eq!(desktop.get("/apps/akte/echo/4").status, 401);

    // Ended from another of the person's sessions.
    let mut phone = g.signed_in("d.new");
    let mut tablet = g.signed_in("d.new");
    Echo::of(&tablet.get("/apps/akte/echo/5"));
    let sessions = phone.get("/api/v1/me/sessions").json();
    let other = sessions["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["current"] == false)
        .expect("the tablet's session")["id"]
        .as_i64()
        .unwrap();
    let ended = phone.request("DELETE", &format!("/api/v1/me/sessions/{other}"), None);
    assert_eq!(ended.status, 200, "{}", ended.body);
    assert_eq!(tablet.get("/apps/akte/echo/6").status, 401);

    assert_eq!(echoed(&upstream), ["/echo/1", "/echo/3", "/echo/5"]);
}

#[test]
fn max_users_lets_no_one_more_in_while_the_first_is_active() {
    let upstream = Upstream::start();
    let g = sqlite(("", ""));
    let mut admin = g.signed_in("a.admin");
    publish(
        &g,
        &mut admin,
        app("einzel", &upstream.url(), |a| a["max_users"] = json!(1)),
    );
    let mut carl = g.signed_in("c.clerk");
    let mut baerbel = g.signed_in("b.user");
    Echo::of(&carl.get("/apps/einzel/echo/carl-1"));
    let full = baerbel.get("/apps/einzel/echo/baerbel");
    assert_eq!(full.status, 503, "{}", full.body);
    assert!(
        full.json()["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "a message: {}",
        full.body
    );
    // The one using it goes on using it.
    Echo::of(&carl.get("/apps/einzel/echo/carl-2"));
    // Raised to two: Bärbel is let in at her next request.
    change(
        &g,
        &mut admin,
        app("einzel", &upstream.url(), |a| a["max_users"] = json!(2)),
    );
    Echo::of(&baerbel.get("/apps/einzel/echo/baerbel-2"));
    assert_eq!(
        echoed(&upstream),
        ["/echo/carl-1", "/echo/carl-2", "/echo/baerbel-2"]
    );
}

#[test]
fn without_a_session_api_clients_get_401_and_browsers_the_sign_in() {
    let upstream = Upstream::start();
    let g = sqlite(("", ""));
    let mut admin = g.signed_in("a.admin");
    publish(
        &g,
        &mut admin,
        app("akte", &upstream.url(), |a| a["roles"] = json!(["admin"])),
    );
    let nobody = g.client();

    let api = get(&nobody, "/apps/akte/echo/deep?x=1", &[]);
    assert_eq!(api.status, 401, "{}", api.body);
    assert!(api.json()["error"].is_string(), "{}", api.body);

    let browser = get(
        &nobody,
        "/apps/akte/echo/deep?x=1",
        &[("Accept", "text/html,application/xhtml+xml")],
    );
    assert!(
        [302, 303, 307].contains(&browser.status),
        "a redirect to the sign-in: {} {}",
        browser.status,
        browser.body
    );
    let location = browser.header("location").unwrap_or_default();
    assert!(
        location.starts_with('/') && !location.starts_with("//"),
        "on our origin: {location}"
    );
    assert!(
        !location.contains("deep") && !location.contains("x%3D1") && !location.contains("x=1"),
        "back to /apps/akte/ only, not the deep path: {location}"
    );

    // Refusals for browsers: a page, German unless English is asked for.
    let mut baerbel = g.signed_in("b.user");
    let html = [("Accept", "text/html")];
    let german = get(&baerbel, "/apps/akte/", &html);
    assert_eq!(german.status, 403, "{}", german.body);
    assert!(
        german
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/html")),
        "{:?}",
        german.headers
    );
    let english = get(&baerbel, "/apps/akte/?lang=en", &html);
    assert_eq!(english.status, 403);
    assert_ne!(german.body, english.body, "English with ?lang=en");
    let english = send(
        &baerbel,
        "GET",
        "/apps/akte/",
        &[("Accept", "text/html"), ("Accept-Language", "en")],
    );
    assert_eq!(english.status, 403);
    assert_ne!(german.body, english.body, "English with Accept-Language");

    // An unknown application: 404.
    assert_eq!(baerbel.get("/apps/gibtsnicht/echo").status, 404);
    assert!(echoed(&upstream).is_empty(), "{:?}", upstream.targets());
}
