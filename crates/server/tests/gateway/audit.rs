//! The audit log of the gateway: who used which application from where, and every
//! refusal with its reason; never what was asked for or sent.

use crate::http::{get, send, Echo};
use crate::{app, publish, sqlite, BEHIND_PROXY};
use serde_json::{json, Value};
use testkit::http::Client;
use testkit::upstream::Upstream;

fn entries(admin: &mut Client, action: &str) -> Vec<Value> {
    let r = admin.get(&format!("/api/v1/admin/audit?action={action}&limit=1000"));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["entries"].as_array().cloned().unwrap_or_default()
}

/// Whether the entry names `text` in its target or detail.
fn names(entry: &Value, text: &str) -> bool {
    ["target", "detail"]
        .iter()
        .any(|f| entry[f].as_str().is_some_and(|v| v.contains(text)))
}

#[test]
fn access_and_refusals_are_audited_once_with_person_app_address_and_reason_and_no_content() {
    let upstream = Upstream::start();
    let g = sqlite(BEHIND_PROXY);
    let mut admin = g.signed_in("a.admin");
    let up = upstream.url();
    publish(
        &g,
        &mut admin,
        app("akte", &up, |a| a["units"] = json!(["Abteilung 2"])),
    );
    publish(
        &g,
        &mut admin,
        app("admins", &up, |a| a["roles"] = json!(["admin"])),
    );
    let home = [("X-Forwarded-For", "198.51.100.7")];

    // Frieda uses the e-file three times: one access entry.
    let frieda = g.signed_in("f.sach");
    for n in 0..3 {
        let path = format!("/apps/akte/echo/vorgang-4711?kennwort=Geheim{n}xyz");
        Echo::of(&get(&frieda, &path, &home));
    }
    let posted = send(
        &frieda,
        "POST",
        "/apps/akte/echo/form?inhalt=Bescheid-XYZ",
        &home,
    );
    Echo::of(&posted);

    // Carl is refused twice for the same reason (one entry), once for another.
    let carl = g.signed_in("c.clerk");
    for _ in 0..2 {
        let r = get(
            &carl,
            "/apps/akte/echo/vorgang-4711?kennwort=GeheimCarl",
            &home,
        );
        assert_eq!(r.status, 403, "{}", r.body);
    }
    let r = get(&carl, "/apps/admins/echo/x", &home);
    assert_eq!(r.status, 403, "{}", r.body);

    let access = entries(&mut admin, "gateway.access");
    let frieda_access: Vec<&Value> = access
        .iter()
        .filter(|e| e["actor"] == "f.sach" && names(e, "akte"))
        .collect();
    assert_eq!(
        frieda_access.len(),
        1,
        "once per use, not per request: {access:?}"
    );
    assert_eq!(frieda_access[0]["source"], "198.51.100.7", "{access:?}");
    assert!(
        !access.iter().any(|e| e["actor"] == "c.clerk"),
        "a refusal is no access: {access:?}"
    );

    let refused = entries(&mut admin, "gateway.refused");
    let carl_unit: Vec<&Value> = refused
        .iter()
        .filter(|e| e["actor"] == "c.clerk" && names(e, "akte"))
        .collect();
    assert_eq!(
        carl_unit.len(),
        1,
        "the same refusal once a minute: {refused:?}"
    );
    assert!(
        names(carl_unit[0], "unit"),
        "the reason: {:?}",
        carl_unit[0]
    );
    assert_eq!(carl_unit[0]["source"], "198.51.100.7");
    let carl_role: Vec<&Value> = refused
        .iter()
        .filter(|e| e["actor"] == "c.clerk" && names(e, "admins"))
        .collect();
    assert_eq!(carl_role.len(), 1, "{refused:?}");
    assert!(
        names(carl_role[0], "role"),
        "the reason: {:?}",
        carl_role[0]
    );

    // Nothing of the requests themselves.
    let all = entries(&mut admin, "gateway.")
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>();
    assert!(all.len() >= 3, "{all:?}");
    for content in [
        "Geheim",
        "kennwort",
        "vorgang-4711",
        "Bescheid",
        "inhalt",
        "/echo",
    ] {
        assert!(
            all.iter().all(|e| !e.contains(content)),
            "{content} in the audit log: {all:?}"
        );
    }
    drop(frieda);
    drop(carl);
}
