//! SIP devices over REST, end to end: a person adds their own softphone (credentials shown
//! once, only with the softphone feature), lists and removes it; admins manage anyone's;
//! every change is in the audit log; nobody reaches another person's devices.

mod common;

use common::setup;
use serde_json::json;

#[test]
fn own_softphone_needs_the_feature_and_shows_its_password_once() {
    let s = setup("[sip]\ndomain = \"pbx.lra.example\"\n");
    let mut admin = s.signed_in("a.admin");
    let mut carl = s.signed_in("c.clerk");
    let mut dora = s.signed_in("d.new");

    let refused = carl.post("/api/v1/me/phones", json!({"label": "Softphone"}));
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body.contains("softphone"), "{}", refused.body);
    let mine = carl.get("/api/v1/me/phones").json();
    assert_eq!(
        (mine["softphone"].clone(), mine["phones"].clone()),
        (json!(false), json!([]))
    );

    let on = admin.post(
        "/api/v1/admin/features",
        json!({"feature": "softphone", "on": true, "logins": ["c.clerk"]}),
    );
    assert_eq!(on.status, 200, "{}", on.body);
    let made = carl.post(
        "/api/v1/me/phones",
        json!({"label": " Softphone Homeoffice "}),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let device = made.json();
    assert_eq!(device["sip_username"], "2501-1");
    assert_eq!(device["label"], "Softphone Homeoffice");
    assert_eq!(
        (device["extension"].clone(), device["domain"].clone()),
        (json!("2501"), json!("pbx.lra.example"))
    );
    let password = device["sip_password"].as_str().unwrap().to_string();
    assert_eq!(password.len(), 24);

    // Listed without the password, here and for the admin.
    let listed = carl.get("/api/v1/me/phones");
    assert_eq!(listed.json()["phones"][0]["sip_username"], "2501-1");
    assert!(!listed.body.contains(&password));
    let for_admin = admin.get("/api/v1/admin/staff/c.clerk/phones");
    assert_eq!(
        for_admin.json()["phones"][0]["label"],
        "Softphone Homeoffice"
    );
    assert!(!for_admin.body.contains(&password));

    // Bad input changes nothing.
    assert_eq!(
        carl.post(
            "/api/v1/me/phones",
            json!({"label": "Softphone Homeoffice"})
        )
        .status,
        409
    );
    assert_eq!(
        carl.post("/api/v1/me/phones", json!({"label": ""})).status,
        400
    );
    assert_eq!(
        carl.post("/api/v1/me/phones", json!({"label": "x", "extra": 1}))
            .status,
        422
    );
    assert_eq!(
        carl.get("/api/v1/me/phones").json()["phones"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Someone else's device is out of reach; a user is no admin; no session, no access.
    assert_eq!(
        dora.request("DELETE", "/api/v1/me/phones/2501-1", None)
            .status,
        404
    );
    assert_eq!(dora.get("/api/v1/admin/staff/c.clerk/phones").status, 403);
    assert_eq!(s.client().get("/api/v1/me/phones").status, 401);
    assert_eq!(
        carl.get("/api/v1/me/phones").json()["phones"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let by_admin = admin.post(
        "/api/v1/admin/staff/d.new/phones",
        json!({"label": "Tischtelefon"}),
    );
    assert_eq!(by_admin.status, 201, "{}", by_admin.body);
    assert_eq!(by_admin.json()["sip_username"], "2502-1");
    assert_eq!(
        admin
            .post("/api/v1/admin/staff/x.none/phones", json!({"label": "A"}))
            .status,
        404
    );
    assert_eq!(
        admin
            .request("DELETE", "/api/v1/admin/phones/2502-1", None)
            .status,
        204
    );
    assert_eq!(
        admin
            .request("DELETE", "/api/v1/admin/phones/2502-1", None)
            .status,
        404
    );
    assert_eq!(
        carl.request("DELETE", "/api/v1/me/phones/2501-1", None)
            .status,
        204
    );
    assert_eq!(carl.get("/api/v1/me/phones").json()["phones"], json!([]));

    let audit = admin.get("/api/v1/admin/audit?action=phone.").json();
    let actions: Vec<(String, String)> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_string(),
                e["actor"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for expected in [
        ("phone.created", "c.clerk"),
        ("phone.created", "a.admin"),
        ("phone.removed", "a.admin"),
        ("phone.removed", "c.clerk"),
    ] {
        assert!(
            actions.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?} in {actions:?}"
        );
    }
    assert!(
        !format!("{audit}").contains(&password),
        "no password in the audit log"
    );
}
