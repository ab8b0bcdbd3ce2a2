//! The one route list, walked: every operation the generated OpenAPI document lists is
//! served, refuses callers without a session (401) or with the wrong role (403) as its
//! description says, and the document still has every path and method the API had
//! before it was generated from the handlers.

use serde_json::{json, Value};
use testkit::server::{start as server, Options};

/// Every operation of the hand-written document this one replaced: the API promised them.
const PUBLISHED_BEFORE: &[(&str, &str)] = &[
    ("GET", "/api/v1/admin/audit"),
    ("GET", "/api/v1/admin/audit.csv"),
    ("POST", "/api/v1/admin/features"),
    ("GET", "/api/v1/admin/groups"),
    ("POST", "/api/v1/admin/groups"),
    ("DELETE", "/api/v1/admin/groups/{id}/members/{login}"),
    ("PUT", "/api/v1/admin/groups/{id}/members/{login}"),
    ("GET", "/api/v1/admin/locked"),
    ("DELETE", "/api/v1/admin/phones/{sip_username}"),
    ("POST", "/api/v1/admin/rooms"),
    ("GET", "/api/v1/admin/second-factor"),
    ("PUT", "/api/v1/admin/second-factor"),
    ("GET", "/api/v1/admin/staff"),
    ("GET", "/api/v1/admin/staff/{login}"),
    ("PATCH", "/api/v1/admin/staff/{login}"),
    ("GET", "/api/v1/admin/staff/{login}/forwarding"),
    ("PUT", "/api/v1/admin/staff/{login}/forwarding"),
    ("POST", "/api/v1/admin/staff/{login}/letter-code"),
    ("GET", "/api/v1/admin/staff/{login}/phones"),
    ("POST", "/api/v1/admin/staff/{login}/phones"),
    ("POST", "/api/v1/admin/staff/{login}/reset-factors"),
    ("POST", "/api/v1/admin/staff/{login}/unlock"),
    ("GET", "/api/v1/admin/units"),
    ("GET", "/api/v1/attachments/{id}"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/auth/second-factor"),
    ("POST", "/api/v1/auth/sms"),
    ("GET", "/api/v1/me"),
    ("DELETE", "/api/v1/me/favourites/{login}"),
    ("PUT", "/api/v1/me/favourites/{login}"),
    ("GET", "/api/v1/me/forwarding"),
    ("PUT", "/api/v1/me/forwarding"),
    ("POST", "/api/v1/me/password"),
    ("GET", "/api/v1/me/phones"),
    ("POST", "/api/v1/me/phones"),
    ("DELETE", "/api/v1/me/phones/{sip_username}"),
    ("PUT", "/api/v1/me/presence"),
    ("POST", "/api/v1/me/recovery-codes"),
    ("DELETE", "/api/v1/me/sessions"),
    ("GET", "/api/v1/me/sessions"),
    ("DELETE", "/api/v1/me/sessions/{id}"),
    ("POST", "/api/v1/me/totp"),
    ("POST", "/api/v1/me/totp/confirm"),
    ("GET", "/api/v1/me/watches"),
    ("POST", "/api/v1/me/watches"),
    ("DELETE", "/api/v1/me/watches/{login}"),
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/v1/presence"),
    ("GET", "/api/v1/rooms"),
    ("POST", "/api/v1/rooms"),
    ("POST", "/api/v1/rooms/direct"),
    ("POST", "/api/v1/rooms/{id}/attachments"),
    ("POST", "/api/v1/rooms/{id}/members"),
    ("DELETE", "/api/v1/rooms/{id}/members/{login}"),
    ("GET", "/api/v1/rooms/{id}/messages"),
    ("POST", "/api/v1/rooms/{id}/messages"),
    ("DELETE", "/api/v1/rooms/{id}/messages/{mid}"),
    ("PATCH", "/api/v1/rooms/{id}/messages/{mid}"),
    ("POST", "/api/v1/rooms/{id}/read"),
    ("GET", "/api/v1/search"),
    ("GET", "/api/v1/team-panel"),
    ("GET", "/api/v1/ws"),
    ("GET", "/healthz"),
];

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            ops.push((method.to_uppercase(), path.clone(), op.clone()));
        }
    }
    ops
}

fn concrete(path: &str) -> String {
    path.replace("{login}", "d.new")
        .replace("{sip_username}", "2502-1")
        .replace("{id}", "1")
        .replace("{mid}", "1")
        .replace("{hotline}", "1")
        .replace("{case}", "1")
        .replace("{number}", "0301234")
        .replace("{kind}", "welcome")
        .replace("{queue}", "1")
}

#[test]
fn every_documented_operation_guards_as_it_says() {
    let s = server(Options::default());
    let mut anonymous = s.client();
    let mut user = s.signed_in("b.user");
    let mut admin = s.signed_in("a.admin");
    let doc = anonymous.get("/api/v1/openapi.json").json();
    assert_eq!(doc["openapi"], "3.1.0");
    let ops = operations(&doc);
    for (method, path) in PUBLISHED_BEFORE {
        assert!(
            ops.iter().any(|(m, p, _)| m == method && p == path),
            "{method} {path} is no longer in the document"
        );
    }
    let mut guarded = 0;
    for (method, path, op) in &ops {
        let role = op["x-required-role"].as_str();
        let security = op["security"].as_array().cloned().unwrap_or_default();
        let needs_cookie = security.iter().any(|s| {
            s.as_object()
                .is_some_and(|o| o.contains_key("sessionCookie") || o.contains_key("pendingCookie"))
        });
        assert_eq!(
            role.is_some() || needs_cookie,
            needs_cookie,
            "{method} {path}: a role without a cookie"
        );
        let url = concrete(path);
        let body = (method != "GET").then(|| json!({}));
        if needs_cookie {
            guarded += 1;
            let r = anonymous.request(method, &url, body.clone());
            assert_eq!(
                r.status, 401,
                "{method} {path} without a session: {}",
                r.body
            );
            assert!(
                op["responses"]["401"].is_object(),
                "{method} {path}: 401 documented"
            );
        }
        match role {
            Some("admin") => {
                let r = user.request(method, &url, body.clone());
                assert_eq!(r.status, 403, "{method} {path} as a user: {}", r.body);
                assert!(
                    op["responses"]["403"].is_object(),
                    "{method} {path}: 403 documented"
                );
                if method == "GET" && !path.contains('{') {
                    let r = admin.request(method, &url, None);
                    assert_eq!(r.status, 200, "{method} {path} as admin: {}", r.body);
                }
            }
            Some("council") => {
                // The staff council's reports: administrators read them too.
                let r = user.request(method, &url, body.clone());
                assert_eq!(r.status, 403, "{method} {path} as a user: {}", r.body);
                if method == "GET" && !path.contains('{') {
                    let r = admin.request(method, &url, None);
                    assert_eq!(r.status, 200, "{method} {path} as admin: {}", r.body);
                }
            }
            Some("user") if method == "GET" && !path.contains('{') && path != "/api/v1/ws" => {
                let r = user.request(method, &url, None);
                assert_ne!(r.status, 403, "{method} {path} as a user: {}", r.body);
                assert_ne!(r.status, 401, "{method} {path} as a user: {}", r.body);
            }
            Some("user") => {}
            Some(other) => panic!("{method} {path}: unknown role {other}"),
            None => {}
        }
    }
    assert!(guarded > 50, "{guarded} guarded operations");
    // Every operation has an answer documented with a schema or a description.
    for (method, path, op) in &ops {
        assert!(
            op["responses"].as_object().is_some_and(|r| !r.is_empty()),
            "{method} {path}"
        );
        assert!(
            op["tags"].as_array().is_some_and(|t| !t.is_empty()),
            "{method} {path}: no tag"
        );
    }
}
