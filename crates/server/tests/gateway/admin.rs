//! Publishing applications, and the portal's list.

use crate::http::{get, Echo};
use crate::{app, change, databases, publish, sqlite, start, Gateway};
use serde_json::{json, Value};
use testkit::http::Client;
use testkit::upstream::Upstream;

const APPS: &str = "/api/v1/admin/gateway/apps";

/// The applications in a list answer: a bare array or `{"apps": [...]}`.
pub fn listed(body: &Value) -> Vec<Value> {
    body.as_array()
        .or(body["apps"].as_array())
        .cloned()
        .unwrap_or_else(|| panic!("no list of applications: {body}"))
}

/// The names of every application the admin list shows.
fn admin_names(g: &Gateway, admin: &mut Client) -> Vec<String> {
    let r = admin.get(APPS);
    assert_eq!(r.status, 200, "{}: {}", g.label, r.body);
    listed(&r.json())
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect()
}

/// The field a 422 names: `field`, or the first of `fields`.
fn fields_named(body: &Value) -> Vec<String> {
    let mut names: Vec<String> = body["field"]
        .as_str()
        .map(str::to_owned)
        .into_iter()
        .collect();
    if let Some(fields) = body["fields"].as_array() {
        names.extend(
            fields
                .iter()
                .filter_map(|f| f["field"].as_str().map(str::to_owned)),
        );
    }
    names
}

#[test]
fn admins_publish_change_and_remove_applications_on_every_database() {
    for db in databases() {
        let upstream = Upstream::start();
        let g = start(db, ("", ""));
        let label = g.label;
        let mut admin = g.signed_in("a.admin");

        let r = admin.post(APPS, app("akte", &upstream.url(), |_| {}));
        assert_eq!(r.status, 201, "{label}: {}", r.body);
        let names = admin_names(&g, &mut admin);
        assert_eq!(names, vec!["akte".to_owned()], "{label}");
        let listed_app = listed(&admin.get(APPS).json()).remove(0);
        assert_eq!(listed_app["title"], "Anwendung akte", "{label}");
        assert_eq!(
            listed_app["upstream"]
                .as_str()
                .map(|u| u.trim_end_matches('/')),
            Some(upstream.url().as_str()),
            "{label}"
        );
        assert!(
            listed_app.get("health").is_some(),
            "{label}: health, null before the first check: {listed_app}"
        );

        // The first access goes through, with the person's identity.
        let mut user = g.signed_in("b.user");
        let echo = Echo::of(&user.get("/apps/akte/echo/start?x=1"));
        assert_eq!(echo.target, "/echo/start?x=1", "{label}");
        assert!(
            echo.one("x-durchwahl-identity").is_some(),
            "{label}: an identity"
        );

        // A name taken: 409, the first one unchanged.
        let taken = admin.post(
            APPS,
            app("akte", "http://127.0.0.1:9", |a| {
                a["title"] = json!("Doppelt")
            }),
        );
        assert_eq!(taken.status, 409, "{label}: {}", taken.body);
        let kept = listed(&admin.get(APPS).json()).remove(0);
        assert_eq!(kept["title"], "Anwendung akte", "{label}");

        // A rule replaced: the name stays, the new title shows.
        change(
            &g,
            &mut admin,
            app("akte", &upstream.url(), |a| a["title"] = json!("E-Akte")),
        );
        assert_eq!(
            listed(&admin.get(APPS).json())[0]["title"],
            "E-Akte",
            "{label}"
        );

        // Removed: 204, gone from the list, the path unknown.
        let removed = admin.request("DELETE", &format!("{APPS}/akte"), None);
        assert_eq!(removed.status, 204, "{label}: {}", removed.body);
        assert!(admin_names(&g, &mut admin).is_empty(), "{label}");
        assert_eq!(user.get("/apps/akte/echo").status, 404, "{label}");

        let audit = admin.get("/api/v1/admin/audit?action=admin.gateway.app&limit=50");
        let actions: Vec<String> = audit.json()["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_owned())
            .collect();
        for action in [
            "admin.gateway.app.created",
            "admin.gateway.app.changed",
            "admin.gateway.app.removed",
        ] {
            assert!(
                actions.iter().any(|a| a == action),
                "{label}: {action} in {actions:?}"
            );
        }
    }
}

#[test]
fn bad_input_is_422_with_its_field_and_changes_nothing() {
    let upstream = Upstream::start();
    let g = sqlite(("", ""));
    let mut admin = g.signed_in("a.admin");
    publish(&g, &mut admin, app("akte", &upstream.url(), |_| {}));
    let up = upstream.url();
    let cases: Vec<(&str, Value)> = vec![
        ("name", app("Akte", &up, |_| {})),
        ("name", app("-akte", &up, |_| {})),
        ("name", app("a_b", &up, |_| {})),
        ("name", app(&"a".repeat(41), &up, |_| {})),
        ("title", app("t1", &up, |a| a["title"] = json!(""))),
        (
            "title",
            app("t2", &up, |a| a["title"] = json!("x".repeat(81))),
        ),
        (
            "description",
            app("t3", &up, |a| a["description"] = json!("x".repeat(301))),
        ),
        ("kind", app("t4", &up, |a| a["kind"] = json!("tunnel"))),
        ("upstream", app("t5", "ftp://127.0.0.1/", |_| {})),
        ("upstream", app("t6", "nicht eine adresse", |_| {})),
        (
            "link",
            app("t7", &up, |a| {
                a["kind"] = json!("link");
                a["upstream"] = Value::Null;
                a["link"] = json!("javascript:alert(1)");
            }),
        ),
        ("roles", app("t9", &up, |a| a["roles"] = json!(["kaiser"]))),
        (
            "features",
            app("t10", &up, |a| a["features"] = json!(["fax"])),
        ),
        (
            "hours",
            app("t11", &up, |a| {
                a["hours"] = json!({"days": [1, 2], "from": "19:00", "to": "07:00"})
            }),
        ),
        (
            "hours",
            app("t12", &up, |a| {
                a["hours"] = json!({"days": [0, 8], "from": "07:00", "to": "19:00"})
            }),
        ),
        (
            "hours",
            app("t13", &up, |a| {
                a["hours"] = json!({"days": [1], "from": "25:00", "to": "26:00"})
            }),
        ),
        (
            "timeout_secs",
            app("t14", &up, |a| a["timeout_secs"] = json!(0)),
        ),
        (
            "timeout_secs",
            app("t15", &up, |a| a["timeout_secs"] = json!(601)),
        ),
    ];
    for (field, body) in cases {
        let r = admin.post(APPS, body.clone());
        assert_eq!(r.status, 422, "{field}: {body}: {}", r.body);
        let named = fields_named(&r.json());
        assert!(
            named.iter().any(|n| n.starts_with(field)),
            "{field}: the answer names the field: {}",
            r.body
        );
    }
    // A bad replacement changes nothing either.
    let bad = admin.request(
        "PUT",
        &format!("{APPS}/akte"),
        Some(app("akte", &up, |a| a["timeout_secs"] = json!(601))),
    );
    assert_eq!(bad.status, 422, "{}", bad.body);
    let apps = listed(&admin.get(APPS).json());
    assert_eq!(apps.len(), 1, "only the good one: {apps:?}");
    assert_eq!(apps[0]["timeout_secs"], 30, "{}", apps[0]);
    // The unknown application: 404 on change and removal.
    let unknown = admin.request(
        "PUT",
        &format!("{APPS}/gibtsnicht"),
        Some(app("gibtsnicht", &up, |_| {})),
    );
    assert_eq!(unknown.status, 404, "{}", unknown.body);
    assert_eq!(
        admin
            .request("DELETE", &format!("{APPS}/gibtsnicht"), None)
            .status,
        404
    );
    assert!(
        upstream.targets().iter().all(|t| t.starts_with("/health")),
        "{:?}",
        upstream.targets()
    );
}

#[test]
fn only_admins_with_a_session_and_its_token_publish() {
    let upstream = Upstream::start();
    let g = sqlite(("", ""));
    let body = app("akte", &upstream.url(), |_| {});

    let mut nobody = g.client();
    assert_eq!(nobody.post(APPS, body.clone()).status, 401);
    assert_eq!(nobody.get(APPS).status, 401);

    let mut user = g.signed_in("b.user");
    assert_eq!(user.post(APPS, body.clone()).status, 403);
    assert_eq!(user.get(APPS).status, 403);
    assert_eq!(
        user.request("DELETE", &format!("{APPS}/akte"), None).status,
        403
    );

    // An admin's session without its CSRF token: refused, nothing published.
    let mut admin = g.signed_in("a.admin");
    let mut forged = admin.clone();
    forged.csrf = None;
    let r = forged.post(APPS, body.clone());
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(listed(&admin.get(APPS).json()).is_empty());

    publish(&g, &mut admin, body);
    assert_eq!(listed(&admin.get(APPS).json()).len(), 1);
}

/// The portal entry for `name` in `GET /api/v1/apps` as `client` sees it.
fn portal(client: &mut Client, headers: &[(&str, &str)]) -> Vec<Value> {
    let r = get(client, "/api/v1/apps", headers);
    assert_eq!(r.status, 200, "{}", r.body);
    listed(&r.json())
}

fn entry<'a>(apps: &'a [Value], name: &str) -> Option<&'a Value> {
    apps.iter().find(|a| a["name"] == name)
}

#[test]
fn the_portal_lists_only_what_a_person_may_see_and_says_why_not_now() {
    let upstream = Upstream::start();
    let g = sqlite(crate::BEHIND_PROXY);
    let mut admin = g.signed_in("a.admin");
    let up = upstream.url();
    publish(&g, &mut admin, app("alle", &up, |_| {}));
    publish(
        &g,
        &mut admin,
        app("admins", &up, |a| a["roles"] = json!(["admin"])),
    );
    publish(
        &g,
        &mut admin,
        app("bauamt", &up, |a| a["units"] = json!(["Bauamt"])),
    );
    publish(
        &g,
        &mut admin,
        app("meet", &up, |a| a["features"] = json!(["meetings"])),
    );
    publish(
        &g,
        &mut admin,
        app("sicher", &up, |a| a["second_factor"] = json!(true)),
    );
    publish(
        &g,
        &mut admin,
        app("buero", &up, |a| a["office_only"] = json!(true)),
    );
    let (closed, _) = crate::access::hours_excluding_now();
    publish(&g, &mut admin, app("spaet", &up, |a| a["hours"] = closed));
    let vdi = app("vdi", &up, |a| {
        a["kind"] = json!("link");
        a["link"] = json!("https://storefront.example/Citrix/");
        a["upstream"] = Value::Null;
        a["health_path"] = Value::Null;
    });
    publish(&g, &mut admin, vdi);

    let mut carl = g.signed_in("c.clerk");
    let outside = [("X-Forwarded-For", "203.0.113.9")];
    let apps = portal(&mut carl, &outside);
    let mut names: Vec<&str> = apps.iter().map(|a| a["name"].as_str().unwrap()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        vec!["alle", "bauamt", "buero", "sicher", "spaet", "vdi"],
        "not admins (role) nor meet (feature)"
    );
    for a in &apps {
        for field in ["name", "title", "description", "kind", "url", "available"] {
            assert!(a.get(field).is_some(), "{field} in {a}");
        }
    }
    let alle = entry(&apps, "alle").unwrap();
    assert_eq!(alle["available"], true, "{alle}");
    assert_eq!(alle["kind"], "proxy");
    assert_eq!(alle["url"], "/apps/alle/");
    assert!(alle["reason"].is_null(), "{alle}");
    let vdi = entry(&apps, "vdi").unwrap();
    assert_eq!(vdi["kind"], "link");
    assert_eq!(vdi["url"], "https://storefront.example/Citrix/");
    for (name, why) in [
        ("sicher", "second_factor"),
        ("buero", "network"),
        ("spaet", "hours"),
    ] {
        let e = entry(&apps, name).unwrap();
        assert_eq!(
            (e["available"].clone(), e["reason"].clone()),
            (json!(false), json!(why)),
            "{e}"
        );
    }
    // From the office the network is no reason any more.
    let inside = portal(&mut carl, &[("X-Forwarded-For", "10.20.3.4")]);
    assert_eq!(entry(&inside, "buero").unwrap()["available"], true);

    // Anna (admin, Abteilung 2) sees the admins' tile but not the Bauamt's.
    let apps = portal(&mut admin, &outside);
    assert!(entry(&apps, "admins").is_some());
    assert!(entry(&apps, "bauamt").is_none());
    assert!(entry(&apps, "meet").is_none());

    // Meetings switched on for Carl: the tile appears.
    let on = admin.post(
        "/api/v1/admin/features",
        json!({"feature": "meetings", "on": true, "logins": ["c.clerk"]}),
    );
    assert_eq!(on.status, 200, "{}", on.body);
    assert!(entry(&portal(&mut carl, &outside), "meet").is_some());

    assert_eq!(g.client().get("/api/v1/apps").status, 401);
}
