//! Mobile work's agreements and approvals over REST (issue 19), against the whole server
//! in-process, on SQLite and on PostgreSQL when the run has one (`TEST_POSTGRES_URL`):
//!
//! - The administration sets the service agreement's rules (inconsistent ones are a 422
//!   and change nothing), publishes the texts to acknowledge and names the Bauamt's head
//!   and deputy.
//! - Carl applies: first with broken rules and unacknowledged texts (every broken rule
//!   listed, 422, nothing stored), then properly; the head approves; a second decision is
//!   a 409; a stranger and the deputy (while the head is present) get 403.
//! - Dora applies while the head is absent: the deputy sees and rejects it.
//! - Carl revokes his agreement: it ends after the notice period.
//! - The head asks for changes, Carl applies again with them or withdraws; an agreement
//!   in force is renewed and ends by agreement.
//! - Six applications at once store one; an approval and a rejection at once write one.
//! - No session: 401; a non-administrator on the admin endpoints: 403. Every step is in
//!   the audit log.

mod mobile_work_kit;

use mobile_work_kit::*;
use serde_json::{json, Value};
use testkit::http::Client;

#[test]
fn the_administration_sets_rules_texts_and_leaders_and_bad_input_changes_nothing() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        let mut carl = s.signed_in("c.clerk");

        // Not an administrator: 403, on every admin endpoint.
        let r = put(&mut carl, "/api/v1/admin/mobile-work/rules", rules());
        assert_eq!(r.status, 403, "{}: {}", s.label, r.body);
        assert_eq!(carl.get("/api/v1/admin/mobile-work/rules").status, 403);
        let r = carl.post(
            "/api/v1/admin/mobile-work/texts",
            json!({"key": "x", "title": "x", "body": "x"}),
        );
        assert_eq!(r.status, 403);
        let r = put(
            &mut carl,
            "/api/v1/admin/units/1/leaders",
            json!({"head": "c.clerk"}),
        );
        assert_eq!(r.status, 403);

        // Inconsistent rules: 422 in German, nothing stored.
        let mut too_many = rules();
        too_many["days_per_week"] = json!(6);
        let r = put(&mut admin, "/api/v1/admin/mobile-work/rules", too_many);
        assert_eq!(r.status, 422, "{}: {}", s.label, r.body);
        assert_eq!(r.json()["error"], "invalid");
        assert!(
            r.json()["message"]
                .as_str()
                .unwrap()
                .contains("Arbeitstage"),
            "{}",
            r.body
        );
        let mut bad_day = rules();
        bad_day["workdays"] = json!(["mon", "dienstag"]);
        let r = put(&mut admin, "/api/v1/admin/mobile-work/rules", bad_day);
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(r.json()["field"], "workdays");
        let mut backwards = rules();
        backwards["core_hours"] = json!({"from": "15:00", "until": "09:00"});
        let r = put(&mut admin, "/api/v1/admin/mobile-work/rules", backwards);
        assert_eq!(r.status, 422, "{}", r.body);
        let r = put(
            &mut admin,
            "/api/v1/admin/mobile-work/rules",
            json!({"days_per_week": 2}),
        );
        assert_eq!(r.status, 422, "{}", r.body);
        let mut unknown_land = rules();
        unknown_land["holidays"] = json!("Bayern");
        let r = put(&mut admin, "/api/v1/admin/mobile-work/rules", unknown_land);
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (422, json!("holidays")),
            "{}",
            r.body
        );
        let mut unknown_unit = rules();
        unknown_unit["eligibility"] = json!({"units": [999999]});
        let r = put(&mut admin, "/api/v1/admin/mobile-work/rules", unknown_unit);
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (422, json!("eligibility.units"))
        );
        let mut unknown_role = rules();
        unknown_role["eligibility"] = json!({"excluded_roles": ["Azubi"]});
        let r = put(&mut admin, "/api/v1/admin/mobile-work/rules", unknown_role);
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (422, json!("eligibility.excluded_roles"))
        );
        let page = admin.get("/api/v1/admin/mobile-work/rules").json();
        assert_eq!(page["rules"], Value::Null, "{}: {page:#}", s.label);

        // Bad texts and leaders: 422 / 404, nothing stored.
        let r = admin.post(
            "/api/v1/admin/mobile-work/texts",
            json!({"key": "Daten Schutz", "title": "x", "body": "x"}),
        );
        assert_eq!((r.status, r.json()["field"].clone()), (422, json!("key")));
        let r = admin.post(
            "/api/v1/admin/mobile-work/texts",
            json!({"key": "datenschutz", "title": " ", "body": "x"}),
        );
        assert_eq!((r.status, r.json()["field"].clone()), (422, json!("title")));
        let bauamt = s
            .block_on(s.store.unit_id_by_path("Bauamt"))
            .unwrap()
            .unwrap();
        let r = put(
            &mut admin,
            &format!("/api/v1/admin/units/{bauamt}/leaders"),
            json!({"head": "h.haupt", "deputies": ["niemand"]}),
        );
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (422, json!("deputies"))
        );
        let r = put(
            &mut admin,
            &format!("/api/v1/admin/units/{bauamt}/leaders"),
            json!({"head": "h.haupt", "deputies": ["h.haupt"]}),
        );
        assert_eq!(r.status, 422, "{}", r.body);
        let r = put(
            &mut admin,
            "/api/v1/admin/units/999999/leaders",
            json!({"head": "h.haupt"}),
        );
        assert_eq!(r.status, 404, "{}", r.body);
        let r = admin.get(&format!("/api/v1/admin/units/{bauamt}/leaders"));
        assert_eq!(
            (
                r.status,
                r.json()["head"].clone(),
                r.json()["deputies"].clone()
            ),
            (200, Value::Null, json!([]))
        );
        assert_eq!(admin.get("/api/v1/admin/units/999999/leaders").status, 404);
        assert_eq!(
            carl.get(&format!("/api/v1/admin/units/{bauamt}/leaders"))
                .status,
            403
        );
        let led = s
            .block_on(s.store.units_led_by(s.staff_id("h.haupt")))
            .unwrap();
        assert!(led.is_empty(), "{}: {led:?}", s.label);

        // Set up properly; a new version of a text asks everyone again.
        set_up(&s, &mut admin);
        let page = admin.get("/api/v1/admin/mobile-work/rules").json();
        assert_eq!(page["rules"]["notice_days"], 28, "{page:#}");
        assert_eq!(page["texts"].as_array().unwrap().len(), 2);
        acknowledge_all(&mut carl);
        let r = admin.post(
            "/api/v1/admin/mobile-work/texts",
            json!({"key": "datenschutz", "title": "Belehrung Datenschutz", "body": "Neu."}),
        );
        assert_eq!((r.status, r.json()["version"].clone()), (201, json!(2)));
        let own = carl.get("/api/v1/mobile-work").json();
        assert_eq!(own["to_acknowledge"][0]["key"], "datenschutz", "{own:#}");
        assert_eq!(own["to_acknowledge"][0]["version"], 2);

        let actions = audit_by("actor", &mut admin, "admin.mobile_work.");
        for wanted in [
            "admin.mobile_work.rules_set",
            "admin.mobile_work.text_published",
            "admin.mobile_work.leaders_set",
        ] {
            assert!(
                actions.iter().any(|(a, by)| a == wanted && by == "a.admin"),
                "{}: {wanted} in {actions:?}",
                s.label
            );
        }
        // The refused attempts left no trace.
        assert_eq!(
            actions
                .iter()
                .filter(|(a, _)| a == "admin.mobile_work.rules_set")
                .count(),
            1
        );
    }
}

#[test]
fn apply_and_the_head_approves_a_deputy_decides_while_the_head_is_away() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        let mut carl = s.signed_in("c.clerk");
        let mut head = s.signed_in("h.haupt");
        let mut deputy = s.signed_in("v.vertreter");
        let mut stranger = s.signed_in("b.user");

        // Before the rules exist there is nothing to apply under.
        let start = days_from_today(14).to_string();
        let good = json!({"weekdays": ["tue", "thu"], "start": start,
                          "end": days_from_today(194).to_string(),
                          "reason": "Pflege eines Angehörigen"});
        let r = carl.post("/api/v1/mobile-work/applications", good.clone());
        assert_eq!(r.status, 409, "{}: {}", s.label, r.body);
        set_up(&s, &mut admin);

        // Every broken rule at once, texts not yet acknowledged: 422, nothing stored.
        let bad = json!({"days_per_week": 4, "start": days_from_today(-3).to_string(),
                         "end": days_from_today(400).to_string(),
                         "reachable": {"from": "10:00", "until": "14:00"}});
        let r = carl.post("/api/v1/mobile-work/applications", bad);
        assert_eq!(r.status, 422, "{}: {}", s.label, r.body);
        let found = problems(&r);
        for wanted in [
            "too_many_days_per_week",
            "start_in_past",
            "term_too_long",
            "core_hours_not_covered",
            "acknowledgement_missing",
        ] {
            assert!(found.iter().any(|p| p == wanted), "{wanted} in {}", r.body);
        }
        assert_eq!(
            found
                .iter()
                .filter(|p| *p == "acknowledgement_missing")
                .count(),
            2
        );
        assert!(r.body.contains("Belehrung Datenschutz"), "{}", r.body);
        // A good application is still refused until the texts are acknowledged.
        let r = carl.post("/api/v1/mobile-work/applications", good.clone());
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(problems(&r), ["acknowledgement_missing"; 2]);
        let r = carl.post(
            "/api/v1/mobile-work/applications",
            json!({"weekdays": ["tue"], "days_per_week": 1, "start": start}),
        );
        assert_eq!((r.status, r.json()["field"].clone()), (422, json!("days")));
        let r = carl.post(
            "/api/v1/mobile-work/applications",
            json!({"days_per_week": 1, "start": "morgen"}),
        );
        assert_eq!((r.status, r.json()["field"].clone()), (422, json!("start")));
        let r = carl.post(
            "/api/v1/mobile-work/acknowledgements",
            json!({"key": "datenschutz", "version": 7}),
        );
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(
            carl.get("/api/v1/mobile-work").json()["agreements"],
            json!([])
        );
        let stored = s
            .block_on(s.store.agreements_of(s.staff_id("c.clerk")))
            .unwrap();
        assert!(stored.is_empty(), "{}: {stored:?}", s.label);

        // Carl acknowledges and applies.
        acknowledge_all(&mut carl);
        let r = carl.post("/api/v1/mobile-work/applications", good.clone());
        assert_eq!(r.status, 201, "{}: {}", s.label, r.body);
        let applied = r.json();
        let id = applied["id"].as_i64().unwrap();
        assert_eq!(applied["state"], "applied");
        assert_eq!(applied["days"]["weekdays"], json!(["tue", "thu"]));
        assert_eq!(applied["history"][0]["action"], "applied");
        let r = carl.post("/api/v1/mobile-work/applications", good.clone());
        assert_eq!(r.status, 409, "{}", r.body);

        // Only the head sees it among the decisions; others may not decide.
        let pending = head.get("/api/v1/mobile-work/decisions").json();
        assert_eq!(pending["applications"][0]["id"], id, "{pending:#}");
        assert_eq!(
            pending["applications"][0]["reason"],
            "Pflege eines Angehörigen"
        );
        for who in [&mut deputy, &mut stranger, &mut carl] {
            let list = who.get("/api/v1/mobile-work/decisions").json();
            assert_eq!(list["applications"], json!([]), "{list:#}");
        }
        let decision = format!("/api/v1/mobile-work/agreements/{id}/decision");
        for who in [&mut stranger, &mut deputy, &mut carl] {
            let r = who.post(&decision, json!({"decision": "approve"}));
            assert_eq!(r.status, 403, "{}: {}", s.label, r.body);
        }
        let r = head.post(
            "/api/v1/mobile-work/agreements/999999/decision",
            json!({"decision": "approve"}),
        );
        assert_eq!(r.status, 404, "{}", r.body);
        let r = head.post(&decision, json!({"decision": "vielleicht"}));
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (422, json!("decision"))
        );
        let r = head.post(
            &decision,
            json!({"decision": "reject", "category": "other"}),
        );
        assert_eq!((r.status, r.json()["field"].clone()), (422, json!("note")));

        // The head approves; a second decision finds it decided.
        let r = head.post(&decision, json!({"decision": "approve"}));
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let approved = r.json();
        assert_eq!(approved["state"], "approved");
        let step = &approved["history"][1];
        assert_eq!(
            (&step["action"], &step["decider_login"], &step["capacity"]),
            (&json!("approved"), &json!("h.haupt"), &json!("head")),
            "{approved:#}"
        );
        let r = head.post(
            &decision,
            json!({"decision": "reject", "category": "other",
                                             "note": "Doch nicht."}),
        );
        assert_eq!(r.status, 409, "{}", r.body);
        let own = carl.get("/api/v1/mobile-work").json();
        assert_eq!(own["agreements"][0]["state"], "approved", "{own:#}");
        assert_eq!(own["agreements"][0]["history"].as_array().unwrap().len(), 2);
        assert_eq!(own["rules"]["notice_days"], 28);

        // Dora applies while the head is away: the deputy decides, the head may not.
        let mut dora = s.signed_in("d.new");
        acknowledge_all(&mut dora);
        let r = dora.post(
            "/api/v1/mobile-work/applications",
            json!({"days_per_week": 1, "start": start, "end": days_from_today(100).to_string()}),
        );
        assert_eq!(r.status, 201, "{}: {}", s.label, r.body);
        let doras = r.json()["id"].as_i64().unwrap();
        s.block_on(s.store.add_absence(
            s.staff_id("h.haupt"),
            days_from_today(-1),
            days_from_today(5),
        ))
        .unwrap();
        let pending = deputy.get("/api/v1/mobile-work/decisions").json();
        assert_eq!(pending["applications"][0]["id"], doras, "{pending:#}");
        assert_eq!(
            head.get("/api/v1/mobile-work/decisions").json()["applications"],
            json!([])
        );
        let doras_decision = format!("/api/v1/mobile-work/agreements/{doras}/decision");
        let r = head.post(&doras_decision, json!({"decision": "approve"}));
        assert_eq!(r.status, 403, "{}", r.body);
        let r = deputy.post(&doras_decision, json!({"decision": "reject", "note": "x"}));
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (422, json!("category"))
        );
        let r = deputy.post(
            &doras_decision,
            json!({"decision": "reject", "category": "service_needs",
                   "note": "Die Bauberatung ist im Frühjahr voll besetzt nötig."}),
        );
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let rejected = r.json();
        assert_eq!(rejected["state"], "rejected");
        assert_eq!(rejected["rejection_category"], "service_needs");
        assert_eq!(rejected["history"][1]["capacity"], "deputy");
        assert_eq!(rejected["history"][1]["decider_login"], "v.vertreter");

        // Carl revokes: mobile work ends after the 28 days' notice.
        let revocation = format!("/api/v1/mobile-work/agreements/{id}/revocation");
        let r = stranger.post(&revocation, json!({"reason": "Neugier"}));
        assert_eq!(r.status, 403, "{}", r.body);
        let r = carl.post(&revocation, json!({"reason": " "}));
        assert_eq!(r.status, 422, "{}", r.body);
        let r = carl.post(&revocation, json!({"reason": "Umzug näher ans Amt"}));
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let revoking = r.json();
        assert_eq!(revoking["state"], "revoking");
        assert_eq!(
            revoking["revocation_effective"],
            days_from_today(28).to_string()
        );
        let r = carl.post(&revocation, json!({"reason": "noch einmal"}));
        assert_eq!(r.status, 409, "{}", r.body);
        let r = carl.post(
            &format!("/api/v1/mobile-work/agreements/{id}/end"),
            json!({}),
        );
        assert_eq!(r.status, 409, "{}", r.body);

        // Every step is audited, by whoever took it.
        let actions = audit_by("actor", &mut admin, "mobile_work.");
        // Notes and reasons stay in the agreement's history, out of the audit log.
        let log = admin.get("/api/v1/admin/audit?action=mobile_work.").body;
        for private in ["Bauberatung", "Umzug"] {
            assert!(!log.contains(private), "{}: {private} in {log}", s.label);
        }
        assert!(log.contains("rejected"), "{}: {log}", s.label);
        for (action, by) in [
            ("mobile_work.acknowledged", "c.clerk"),
            ("mobile_work.applied", "c.clerk"),
            ("mobile_work.decided", "h.haupt"),
            ("mobile_work.applied", "d.new"),
            ("mobile_work.decided", "v.vertreter"),
            ("mobile_work.revoked", "c.clerk"),
        ] {
            assert!(
                actions.iter().any(|(a, who)| a == action && who == by),
                "{}: {action} by {by} in {actions:?}",
                s.label
            );
        }
        // Refused steps wrote nothing.
        assert_eq!(
            actions
                .iter()
                .filter(|(a, _)| a == "mobile_work.decided")
                .count(),
            2
        );
    }
}

#[test]
fn changes_are_asked_for_and_an_agreement_is_renewed_and_ended() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        set_up(&s, &mut admin);
        let mut head = s.signed_in("h.haupt");
        let mut carl = s.signed_in("c.clerk");
        acknowledge_all(&mut carl);
        let start = days_from_today(7).to_string();
        let r = carl.post(
            "/api/v1/mobile-work/applications",
            json!({"days_per_week": 2, "start": start}),
        );
        // Open-ended, but the rules allow at most 365 days.
        assert_eq!(problems(&r), ["end_required"], "{}: {}", s.label, r.body);
        let r = carl.post(
            "/api/v1/mobile-work/applications",
            json!({"days_per_week": 2, "start": start, "end": days_from_today(60).to_string()}),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        let id = r.json()["id"].as_i64().unwrap();
        let decision = format!("/api/v1/mobile-work/agreements/{id}/decision");
        let r = head.post(
            &decision,
            json!({"decision": "request_changes", "note": "Bitte feste Tage angeben."}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["state"], "changes_requested");
        assert_eq!(r.json()["note"], "Bitte feste Tage angeben.");
        // Not waiting for a decision any more, and not in force: 409 for both.
        let r = head.post(&decision, json!({"decision": "approve"}));
        assert_eq!(r.status, 409, "{}", r.body);
        let r = carl.post(
            &format!("/api/v1/mobile-work/agreements/{id}/end"),
            json!({}),
        );
        assert_eq!(r.status, 409, "{}", r.body);

        // Carl applies again with changes: checked like the first time.
        let resubmission = format!("/api/v1/mobile-work/agreements/{id}/resubmission");
        let changed = json!({"weekdays": ["wed"], "start": start,
                             "end": days_from_today(60).to_string()});
        let mut dora = s.signed_in("d.new");
        let r = dora.post(&resubmission, changed.clone());
        assert_eq!(r.status, 403, "{}", r.body);
        let r = carl.post(
            &resubmission,
            json!({"weekdays": ["mon", "tue", "wed"], "start": start,
                   "end": days_from_today(60).to_string()}),
        );
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(problems(&r).contains(&"too_many_days_per_week".to_string()));
        let own = carl.get("/api/v1/mobile-work").json();
        assert_eq!(
            own["agreements"][0]["state"], "changes_requested",
            "{own:#}"
        );
        let r = carl.post(&resubmission, changed.clone());
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let again = r.json();
        assert_eq!(again["state"], "applied");
        assert_eq!(again["days"]["weekdays"], json!(["wed"]));
        assert_eq!(again["history"][2]["action"], "resubmitted", "{again:#}");
        let r = carl.post(&resubmission, changed.clone());
        assert_eq!(r.status, 409, "{}", r.body);

        // He withdraws it; then he may apply anew, unless the rules exclude him.
        let withdrawal = format!("/api/v1/mobile-work/agreements/{id}/withdrawal");
        let r = dora.post(&withdrawal, json!({}));
        assert_eq!(r.status, 403, "{}", r.body);
        let r = carl.post(&withdrawal, json!({}));
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["state"], "withdrawn");
        let r = carl.post(&withdrawal, json!({}));
        assert_eq!(r.status, 409, "{}", r.body);
        let mut excluding = rules();
        excluding["eligibility"] = json!({"excluded_people": [s.staff_id("c.clerk")]});
        let r = put(&mut admin, "/api/v1/admin/mobile-work/rules", excluding);
        assert_eq!(r.status, 200, "{}", r.body);
        let r = carl.post("/api/v1/mobile-work/applications", changed.clone());
        assert_eq!(problems(&r), ["person_excluded"], "{}", r.body);
        let r = put(&mut admin, "/api/v1/admin/mobile-work/rules", rules());
        assert_eq!(r.status, 200, "{}", r.body);
        let r = carl.post("/api/v1/mobile-work/applications", changed);
        assert_eq!(r.status, 201, "{}", r.body);

        // An approved agreement ends by agreement, today its last day.
        acknowledge_all(&mut dora);
        let r = dora.post(
            "/api/v1/mobile-work/applications",
            json!({"weekdays": ["fri"], "start": start, "end": days_from_today(60).to_string()}),
        );
        assert_eq!(r.status, 201, "{}", r.body);
        let doras = r.json()["id"].as_i64().unwrap();
        let r = head.post(
            &format!("/api/v1/mobile-work/agreements/{doras}/decision"),
            json!({"decision": "approve"}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
        // The head renews it until a later day, within the longest term.
        let renewal = format!("/api/v1/mobile-work/agreements/{doras}/renewal");
        let r = carl.post(&renewal, json!({"end": days_from_today(120).to_string()}));
        assert_eq!(r.status, 403, "{}", r.body);
        for too in [days_from_today(30), days_from_today(460)] {
            let r = head.post(&renewal, json!({"end": too.to_string()}));
            assert_eq!(r.status, 422, "{}: {}", s.label, r.body);
        }
        let r = head.post(&renewal, json!({"end": "bald"}));
        assert_eq!((r.status, r.json()["field"].clone()), (422, json!("end")));
        let r = head.post(&renewal, json!({"end": days_from_today(120).to_string()}));
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let renewed = r.json();
        assert_eq!(renewed["end"], json!(days_from_today(120).to_string()));
        assert_eq!(renewed["history"][2]["action"], "renewed", "{renewed:#}");

        // Only Dora ends it at once; her head may only revoke it, with notice.
        let end = format!("/api/v1/mobile-work/agreements/{doras}/end");
        let r = carl.post(&end, json!({}));
        assert_eq!(r.status, 403, "{}", r.body);
        let r = head.post(&end, json!({}));
        assert_eq!(r.status, 403, "{}", r.body);
        assert!(r.body.contains("mit der Frist"), "{}", r.body);
        let r = dora.post(&end, json!({}));
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let ended = r.json();
        assert_eq!(
            (&ended["state"], &ended["end_cause"], &ended["end"]),
            (
                &json!("ended"),
                &json!("by_agreement"),
                &json!(today().to_string())
            ),
            "{ended:#}"
        );
        let r = dora.post(&end, json!({}));
        assert_eq!(r.status, 409, "{}", r.body);
    }
}

#[test]
fn the_administration_lists_every_unit_with_its_id_and_leaders() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        set_up(&s, &mut admin);
        let r = admin.get("/api/v1/admin/mobile-work/units");
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let units = r.json()["units"].as_array().unwrap().clone();
        let paths: Vec<&str> = units.iter().map(|u| u["unit"].as_str().unwrap()).collect();
        let mut sorted = paths.clone();
        sorted.sort_unstable();
        assert_eq!(paths, sorted, "{}", s.label);
        assert!(paths.contains(&"Gesundheitsamt/Hotline"), "{paths:?}");
        let bauamt = units.iter().find(|u| u["unit"] == "Bauamt").unwrap();
        let id = s
            .block_on(s.store.unit_id_by_path("Bauamt"))
            .unwrap()
            .unwrap();
        assert_eq!(bauamt["unit_id"], id);
        assert_eq!(
            bauamt["head"],
            json!({"login": "h.haupt", "name": "Hanna Haupt"})
        );
        assert_eq!(
            bauamt["deputies"],
            json!([{"login": "v.vertreter", "name": "Veit Vertreter"}])
        );
        let hotline = units
            .iter()
            .find(|u| u["unit"] == "Gesundheitsamt/Hotline")
            .unwrap();
        assert_eq!(
            (hotline["head"].clone(), hotline["deputies"].clone()),
            (Value::Null, json!([]))
        );
        let mut carl = s.signed_in("c.clerk");
        let r = carl.get("/api/v1/admin/mobile-work/units");
        assert_eq!(r.status, 403, "{}: {}", s.label, r.body);
    }
}

#[test]
fn the_head_sees_the_agreements_in_force_of_their_unit() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        set_up(&s, &mut admin);
        let mut head = s.signed_in("h.haupt");
        let mut deputy = s.signed_in("v.vertreter");
        let mut carl = s.signed_in("c.clerk");
        let mut stranger = s.signed_in("b.user");
        let in_force = |client: &mut Client| {
            let r = client.get("/api/v1/mobile-work/in-force");
            assert_eq!(r.status, 200, "{}", r.body);
            r.json()["agreements"].clone()
        };
        acknowledge_all(&mut carl);
        let r = carl.post(
            "/api/v1/mobile-work/applications",
            json!({"weekdays": ["mon"], "start": days_from_today(7).to_string(),
                   "end": days_from_today(60).to_string()}),
        );
        assert_eq!(r.status, 201, "{}: {}", s.label, r.body);
        let id = r.json()["id"].as_i64().unwrap();
        // Applied, not yet in force.
        assert_eq!(in_force(&mut head), json!([]), "{}", s.label);
        let r = head.post(
            &format!("/api/v1/mobile-work/agreements/{id}/decision"),
            json!({"decision": "approve"}),
        );
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let listed = in_force(&mut head);
        assert_eq!(listed.as_array().map(Vec::len), Some(1), "{}", s.label);
        assert_eq!(
            (listed[0]["id"].as_i64(), listed[0]["login"].clone()),
            (Some(id), json!("c.clerk"))
        );
        assert_eq!(listed[0]["history"].as_array().map(Vec::len), Some(2));
        // The deputy while the head is present, the holder, a stranger: nothing.
        for client in [&mut deputy, &mut carl, &mut stranger] {
            assert_eq!(in_force(client), json!([]), "{}", s.label);
        }
        let r = carl.post(
            &format!("/api/v1/mobile-work/agreements/{id}/end"),
            json!({}),
        );
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        assert_eq!(in_force(&mut head), json!([]), "{}", s.label);
    }
}

#[test]
fn nothing_works_without_a_session() {
    for s in servers() {
        let mut nobody = s.client();
        for (method, path) in [
            ("GET", "/api/v1/mobile-work"),
            ("POST", "/api/v1/mobile-work/acknowledgements"),
            ("POST", "/api/v1/mobile-work/applications"),
            ("GET", "/api/v1/mobile-work/decisions"),
            ("POST", "/api/v1/mobile-work/agreements/1/decision"),
            ("POST", "/api/v1/mobile-work/agreements/1/end"),
            ("POST", "/api/v1/mobile-work/agreements/1/revocation"),
            ("POST", "/api/v1/mobile-work/agreements/1/renewal"),
            ("POST", "/api/v1/mobile-work/agreements/1/resubmission"),
            ("POST", "/api/v1/mobile-work/agreements/1/withdrawal"),
            ("GET", "/api/v1/admin/mobile-work/rules"),
            ("PUT", "/api/v1/admin/mobile-work/rules"),
            ("POST", "/api/v1/admin/mobile-work/texts"),
            ("GET", "/api/v1/admin/units/1/leaders"),
            ("PUT", "/api/v1/admin/units/1/leaders"),
            ("GET", "/api/v1/admin/mobile-work/units"),
            ("GET", "/api/v1/mobile-work/in-force"),
        ] {
            let body = (method != "GET").then(|| json!({}));
            let r = nobody.request(method, path, body);
            assert_eq!(r.status, 401, "{}: {method} {path}: {}", s.label, r.body);
        }
        let page = s.block_on(s.store.mobile_work_rules()).unwrap();
        assert_eq!(page, None);
    }
}
