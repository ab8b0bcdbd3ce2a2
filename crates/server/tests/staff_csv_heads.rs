//! The staff CSV's `head_of` column decides who decides on mobile work (issue 19), against
//! the whole server on SQLite and on PostgreSQL when the run has one. The file is imported
//! as `durchwahl users import` does (plan, then apply); then:
//! - the administrators' page shows the Bauamt's head and deputy from the file;
//! - Carl's application waits for Hanna, the head by the file, not for Veit, her deputy;
//! - a file naming an unknown unit is refused at its line and changes no leader;
//! - a file making Veit head and Hanna nothing moves the decision to Veit: Hanna gets 403.

mod mobile_work_kit;

use directory::{parse_staff_csv, plan_import, ImportPlan};
use mobile_work_kit::{acknowledge_all, days_from_today, put, rules, servers};
use serde_json::json;
use testkit::http::Client;
use testkit::server::TestServer;

fn plan(s: &TestServer, csv: &str) -> ImportPlan {
    let current = s.block_on(s.store.snapshot()).unwrap();
    plan_import(&current, parse_staff_csv(csv.as_bytes()))
}

fn import(s: &TestServer, csv: &str) {
    let plan = plan(s, csv);
    assert!(plan.problems.is_empty(), "{}: {:?}", s.label, plan.problems);
    s.block_on(s.store.apply_import(&plan, &mut |_, _| {}))
        .unwrap();
}

fn leaders(s: &TestServer, admin: &mut Client, unit: i64) -> serde_json::Value {
    let r = admin.get(&format!("/api/v1/admin/units/{unit}/leaders"));
    assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
    let r = r.json();
    json!({"head": r["head"]["login"], "deputies": r["deputies"].as_array().unwrap()
        .iter().map(|d| d["login"].clone()).collect::<Vec<_>>()})
}

fn pending(client: &mut Client) -> Vec<i64> {
    let r = client.get("/api/v1/mobile-work/decisions");
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn the_csv_names_the_head_who_decides() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        let r = put(&mut admin, "/api/v1/admin/mobile-work/rules", rules());
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let bauamt = s
            .block_on(s.store.unit_id_by_path("Bauamt"))
            .unwrap()
            .unwrap();
        assert_eq!(
            leaders(&s, &mut admin, bauamt),
            json!({"head": null, "deputies": []})
        );

        import(
            &s,
            "login,name,unit,extension,head_of\n\
             h.haupt,Hanna Haupt,Bauamt,2510,Bauamt\n\
             v.vertreter,Veit Vertreter,Bauamt,2511,stellv:Bauamt\n",
        );
        assert_eq!(
            leaders(&s, &mut admin, bauamt),
            json!({"head": "h.haupt", "deputies": ["v.vertreter"]})
        );

        let mut carl = s.signed_in("c.clerk");
        acknowledge_all(&mut carl);
        let start = days_from_today(14);
        let r = carl.post(
            "/api/v1/mobile-work/applications",
            json!({"weekdays": ["tue"], "start": start.to_string(),
                   "end": days_from_today(100).to_string()}),
        );
        assert_eq!(r.status, 201, "{}: {}", s.label, r.body);
        let id = r.json()["id"].as_i64().unwrap();
        let mut hanna = s.signed_in("h.haupt");
        let mut veit = s.signed_in("v.vertreter");
        assert_eq!(pending(&mut hanna), vec![id], "{}", s.label);
        assert_eq!(pending(&mut veit), Vec::<i64>::new(), "{}", s.label);

        // An unknown unit: refused at its line, no leader changes.
        let refused = plan(
            &s,
            "login,name,unit,extension,head_of\n\
             v.vertreter,Veit Vertreter,Bauamt,2511,Bauamt\n\
             h.haupt,Hanna Haupt,Bauamt,2510,Bauhof\n",
        );
        assert_eq!(refused.problems.len(), 1, "{:?}", refused.problems);
        assert!(
            refused.problems[0]
                .to_string()
                .starts_with("line 3, field head_of: unit \"Bauhof\" does not exist"),
            "{}",
            refused.problems[0]
        );
        assert!(s
            .block_on(s.store.apply_import(&refused, &mut |_, _| {}))
            .is_err());
        assert_eq!(leaders(&s, &mut admin, bauamt)["head"], "h.haupt");

        // Veit heads the Bauamt now, Hanna nothing: the decision is his.
        import(
            &s,
            "login,name,unit,extension,head_of\n\
             h.haupt,Hanna Haupt,Bauamt,2510,\n\
             v.vertreter,Veit Vertreter,Bauamt,2511,Bauamt\n",
        );
        assert_eq!(
            leaders(&s, &mut admin, bauamt),
            json!({"head": "v.vertreter", "deputies": []})
        );
        let decide = |client: &mut Client| {
            client.post(
                &format!("/api/v1/mobile-work/agreements/{id}/decision"),
                json!({"decision": "approve"}),
            )
        };
        assert_eq!(decide(&mut hanna).status, 403, "{}", s.label);
        let r = decide(&mut veit);
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        assert_eq!(r.json()["state"], "approved");
    }
}
