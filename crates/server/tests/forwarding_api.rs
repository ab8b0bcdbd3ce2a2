//! Call forwarding over REST, end to end against the real binary: a person (with or
//! without the softphone feature) sets their own rules; admins set anyone's; bad input is
//! refused with the field and a problem code and changes nothing; every change is audited.

mod common;

use common::setup;
use serde_json::{json, Value};
use testkit::http::Client;

fn rules(always: Value, busy: Value, no_answer: Value) -> Value {
    json!({"always": always, "busy": busy, "no_answer": no_answer})
}

fn off() -> Value {
    json!({"on": false})
}

fn put(client: &mut Client, path: &str, body: Value) -> testkit::http::Reply {
    client.request("PUT", path, Some(body))
}

fn audit_entries(admin: &mut Client) -> Vec<(String, String, String)> {
    let audit = admin.get("/api/v1/admin/audit?action=forwarding.").json();
    audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (s("actor"), s("target"), s("detail"))
        })
        .collect()
}

#[test]
fn a_person_sets_own_rules_and_bad_input_changes_nothing() {
    let s = setup("");
    let mut admin = s.signed_in("a.admin");
    let mut carl = s.signed_in("c.clerk");

    // Carl has no softphone feature: forwarding is still his to set.
    let fresh = carl.get("/api/v1/me/forwarding").json();
    assert_eq!(
        fresh,
        json!({"login": "c.clerk", "extension": "2501",
               "always": {"on": false, "target": null, "target_name": null},
               "busy": {"on": false, "target": null, "target_name": null},
               "no_answer": {"on": false, "target": null, "target_name": null, "seconds": 20}})
    );

    let wanted = rules(
        off(),
        json!({"on": true, "target": " 2502 "}),
        json!({"on": true, "target": "2301", "seconds": 30}),
    );
    let saved = put(&mut carl, "/api/v1/me/forwarding", wanted.clone());
    assert_eq!(saved.status, 200, "{}", saved.body);
    let saved = saved.json();
    assert_eq!(
        saved["busy"],
        json!({"on": true, "target": "2502", "target_name": "Dora Neu"})
    );
    assert_eq!(saved["no_answer"]["seconds"], 30);
    assert_eq!(carl.get("/api/v1/me/forwarding").json(), saved);

    // Each bad rule: 400 naming the field and the problem, and nothing changed.
    for (body, field, problem) in [
        (
            rules(json!({"on": true, "target": "2501"}), off(), off()),
            "always.target",
            "own_extension",
        ),
        (
            rules(off(), json!({"on": true, "target": "9999"}), off()),
            "busy.target",
            "unknown_extension",
        ),
        (
            rules(off(), json!({"on": false, "target": "25-02"}), off()),
            "busy.target",
            "not_an_extension",
        ),
        (
            rules(off(), off(), json!({"on": true, "target": ""})),
            "no_answer.target",
            "target_missing",
        ),
        (
            rules(
                off(),
                off(),
                json!({"on": true, "target": "2502", "seconds": 4}),
            ),
            "no_answer.seconds",
            "seconds_out_of_range",
        ),
        (
            rules(off(), off(), json!({"on": false, "seconds": 121})),
            "no_answer.seconds",
            "seconds_out_of_range",
        ),
    ] {
        let r = put(&mut carl, "/api/v1/me/forwarding", body);
        assert_eq!(r.status, 400, "{field}: {}", r.body);
        let answer = r.json();
        assert_eq!(
            (answer["field"].as_str(), answer["problem"].as_str()),
            (Some(field), Some(problem))
        );
        assert!(!answer["message"].as_str().unwrap().is_empty());
        assert_eq!(carl.get("/api/v1/me/forwarding").json(), saved, "{field}");
    }
    let own = put(
        &mut carl,
        "/api/v1/me/forwarding",
        rules(json!({"on": true, "target": "2501"}), off(), off()),
    );
    assert!(own.json()["message"]
        .as_str()
        .unwrap()
        .contains("eigene Durchwahl"));
    // A body of another shape: 422, also nothing changed.
    for body in [
        json!({"always": {"on": true}, "busy": {"on": false}}),
        json!({"always": {"on": "yes"}, "busy": {"on": false}, "no_answer": {"on": false}}),
        json!({"always": {"on": false, "colour": 1}, "busy": {"on": false}, "no_answer": {"on": false}}),
    ] {
        let r = put(&mut carl, "/api/v1/me/forwarding", body.clone());
        assert_eq!(r.status, 422, "{body}: {}", r.body);
    }
    assert_eq!(carl.get("/api/v1/me/forwarding").json(), saved);

    // Saving the same rules again is no change and is not audited twice.
    assert_eq!(put(&mut carl, "/api/v1/me/forwarding", wanted).status, 200);
    assert_eq!(
        audit_entries(&mut admin),
        vec![(
            "c.clerk".to_string(),
            "c.clerk".to_string(),
            "always off; busy on → 2502; no_answer on → 2301 after 30 s".to_string()
        )]
    );
}

#[test]
fn admins_set_anyones_rules_and_others_cannot() {
    let s = setup("");
    let mut admin = s.signed_in("a.admin");
    let mut dora = s.signed_in("d.new");
    let mut anonymous = s.client();
    let body = rules(json!({"on": true, "target": "2501"}), off(), off());

    // No session, no access; a user is no admin; a write needs the session's CSRF token.
    assert_eq!(anonymous.get("/api/v1/me/forwarding").status, 401);
    assert_eq!(
        put(&mut anonymous, "/api/v1/me/forwarding", body.clone()).status,
        401
    );
    assert_eq!(
        dora.get("/api/v1/admin/staff/c.clerk/forwarding").status,
        403
    );
    assert_eq!(
        put(
            &mut dora,
            "/api/v1/admin/staff/c.clerk/forwarding",
            body.clone()
        )
        .status,
        403
    );
    let token = dora.csrf.take();
    assert_eq!(
        put(&mut dora, "/api/v1/me/forwarding", body.clone()).status,
        403
    );
    dora.csrf = token;
    assert_eq!(
        dora.get("/api/v1/me/forwarding").json()["always"]["on"],
        false
    );

    let set = put(&mut admin, "/api/v1/admin/staff/d.new/forwarding", body);
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(
        dora.get("/api/v1/me/forwarding").json()["always"],
        json!({"on": true, "target": "2501", "target_name": "Carl Clerk"})
    );
    assert_eq!(
        admin.get("/api/v1/admin/staff/d.new/forwarding").json()["extension"],
        "2502"
    );
    // The admin's own extension is no target for Dora either way; Dora's own is refused.
    let refused = put(
        &mut admin,
        "/api/v1/admin/staff/d.new/forwarding",
        rules(off(), json!({"on": true, "target": "2502"}), off()),
    );
    assert_eq!(refused.json()["problem"], "own_extension");
    assert_eq!(
        admin.get("/api/v1/admin/staff/x.none/forwarding").status,
        404
    );
    assert_eq!(
        put(
            &mut admin,
            "/api/v1/admin/staff/x.none/forwarding",
            rules(off(), off(), off())
        )
        .status,
        404
    );

    // The rule names a person: when Carl gets a new extension, Dora's calls follow him.
    let moved = admin.request(
        "PATCH",
        "/api/v1/admin/staff/c.clerk",
        Some(json!({"extension": "2599"})),
    );
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(
        dora.get("/api/v1/me/forwarding").json()["always"]["target"],
        "2599"
    );

    assert_eq!(
        audit_entries(&mut admin),
        vec![(
            "a.admin".to_string(),
            "d.new".to_string(),
            "always on → 2501; busy off; no_answer off after 20 s".to_string()
        )]
    );
}

#[test]
fn a_rule_may_send_calls_to_the_own_voicemail_box() {
    let s = setup("");
    let mut admin = s.signed_in("a.admin");
    let mut carl = s.signed_in("c.clerk");
    let saved = put(
        &mut carl,
        "/api/v1/me/forwarding",
        rules(
            json!({"on": false, "target": "Voicemail"}),
            json!({"on": true, "target": "voicemail"}),
            json!({"on": true, "target": "2502", "seconds": 15}),
        ),
    );
    assert_eq!(saved.status, 200, "{}", saved.body);
    let saved = saved.json();
    assert_eq!(
        saved["always"],
        json!({"on": false, "target": "voicemail", "target_name": null})
    );
    assert_eq!(
        saved["busy"],
        json!({"on": true, "target": "voicemail", "target_name": null})
    );
    assert_eq!(saved["no_answer"]["target_name"], "Dora Neu");
    assert_eq!(carl.get("/api/v1/me/forwarding").json(), saved);
    // Anything else that is no extension is refused, and the message names the box.
    let refused = put(
        &mut carl,
        "/api/v1/me/forwarding",
        rules(json!({"on": true, "target": "Mailbox"}), off(), off()),
    );
    assert_eq!(refused.status, 400, "{}", refused.body);
    let refused = refused.json();
    assert_eq!(refused["field"], "always.target");
    assert_eq!(refused["problem"], "not_an_extension");
    assert!(
        refused["message"].as_str().unwrap().contains("„voicemail“"),
        "{refused}"
    );
    assert_eq!(carl.get("/api/v1/me/forwarding").json(), saved);
    // An admin sets it for someone else: the box is theirs.
    let set = put(
        &mut admin,
        "/api/v1/admin/staff/d.new/forwarding",
        rules(json!({"on": true, "target": "voicemail"}), off(), off()),
    );
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.json()["always"]["target"], "voicemail");
    assert_eq!(
        audit_entries(&mut admin)
            .into_iter()
            .map(|(_, target, detail)| (target, detail))
            .collect::<Vec<_>>(),
        vec![
            (
                "d.new".to_string(),
                "always on → voicemail; busy off; no_answer off after 20 s".to_string()
            ),
            (
                "c.clerk".to_string(),
                "always off → voicemail; busy on → voicemail; no_answer on → 2502 after 15 s"
                    .to_string()
            ),
        ]
    );
}
