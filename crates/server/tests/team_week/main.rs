//! The team's week and the office rotation over REST (issue 19), against the whole server
//! in-process, on SQLite and on PostgreSQL when the run has one (`TEST_POSTGRES_URL`):
//!
//! - Carl plans his week within his agreement (Tuesday, Thursday); a Wednesday is refused
//!   with the planner's German reason at its day (422) and nothing is written.
//! - Hanna, head of the Bauamt, sets the rules; with a shared office and a minimum no plan
//!   exists and the proposal names the rules; with fixed rules the plan comes, an edited
//!   plan's breach is named, a plan with a breach is not accepted, the proposal is, and
//!   Carl's days follow. The team calendar and the CSV show it; strangers get 403.
//! - iCal feeds by token: the body is a calendar with Carl's mobile day; a wrong or
//!   revoked token is a 404.
//! - Why someone is away (sick) is in their own view and feed only: colleagues, the head,
//!   the unit feed and the CSV say "away"/"abwesend". A leaver's feeds are 404.
//! - Today's plan sets the presence location; a location set by hand today stays
//!   (`presence.rs`).
//! - No session: 401.

#[path = "../mobile_work_kit/mod.rs"]
mod mobile_work_kit;
mod presence;

use mobile_work_kit::*;
use serde_json::{json, Value};
use testkit::http::Client;

fn week(days: &[(&str, &str)]) -> Value {
    let mut all: Vec<Value> = (0..7)
        .map(|i| {
            let l = if i < 5 { "office" } else { "off" };
            json!({"morning": l, "afternoon": l})
        })
        .collect();
    for (i, (m, a)) in days.iter().enumerate() {
        if !m.is_empty() {
            all[i] = json!({"morning": m, "afternoon": a});
        }
    }
    Value::Array(all)
}

fn bauamt(s: &testkit::server::TestServer) -> i64 {
    s.block_on(s.store.unit_id_by_path("Bauamt"))
        .unwrap()
        .unwrap()
}

#[test]
fn a_week_within_the_agreement_and_a_day_outside_it_refused() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        let mut carl = s.signed_in("c.clerk");
        let mut head = s.signed_in("h.haupt");
        set_up(&s, &mut admin);
        carl_approved(&s, &mut carl, &mut head, &["tue", "thu"]);
        let monday = next_monday().to_string();
        let r = carl.get(&format!("/api/v1/team-week/me?week={monday}"));
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let mine = r.json();
        assert_eq!(mine["monday"], monday);
        assert_eq!(mine["days"][0]["morning"], "office");
        assert_eq!(mine["days"][6]["afternoon"], "off");
        assert_eq!(mine["agreement"], "feste Tage: Di, Do", "{mine:#}");
        assert_eq!(mine["unit"]["path"], "Bauamt");

        // Tuesday mobile, Friday morning on leave: within the agreement.
        let days = week(&[
            ("", ""),
            ("mobile", "mobile"),
            ("", ""),
            ("", ""),
            ("leave", "office"),
        ]);
        let r = put(
            &mut carl,
            "/api/v1/team-week/me",
            json!({"monday": monday, "days": days}),
        );
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        assert_eq!(r.json()["days"][1]["morning"], "mobile");
        assert_eq!(r.json()["days"][4]["morning"], "leave");

        // Wednesday mobile: not an agreed day; 422 at the day, nothing written.
        let days = week(&[("", ""), ("office", "office"), ("mobile", "office")]);
        let r = put(
            &mut carl,
            "/api/v1/team-week/me",
            json!({"monday": monday, "days": days}),
        );
        assert_eq!(r.status, 422, "{}: {}", s.label, r.body);
        assert_eq!(r.json()["field"], "days[2]");
        assert_eq!(problems(&r), ["not_agreed_day"]);
        assert!(
            r.json()["message"]
                .as_str()
                .unwrap()
                .contains("kein vereinbarter Tag für mobile Arbeit"),
            "{}",
            r.body
        );
        let after = carl
            .get(&format!("/api/v1/team-week/me?week={monday}"))
            .json();
        assert_eq!(after["days"][1]["morning"], "mobile", "{}", s.label);
        assert_eq!(after["days"][2]["morning"], "office", "{}", s.label);

        // Tuesday and Thursday mobile: both agreed days.
        let days = week(&[
            ("", ""),
            ("mobile", "mobile"),
            ("", ""),
            ("mobile", "mobile"),
        ]);
        let r = put(
            &mut carl,
            "/api/v1/team-week/me",
            json!({"monday": monday, "days": days}),
        );
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        // Mobile before the agreement starts: none in force.
        let this_monday = next_monday()
            .checked_sub(jiff::Span::new().days(7))
            .unwrap()
            .to_string();
        let days = week(&[("", ""), ("mobile", "office")]);
        let r = put(
            &mut carl,
            "/api/v1/team-week/me",
            json!({"monday": this_monday, "days": days}),
        );
        assert_eq!(
            (r.status, problems(&r)),
            (422, vec!["no_agreement".to_string()]),
            "{}",
            r.body
        );

        // Bad forms.
        let r = put(
            &mut carl,
            "/api/v1/team-week/me",
            json!({"monday": monday, "days": week(&[("home", "office")])}),
        );
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (422, json!("days[0].morning")),
            "{}",
            r.body
        );
        let tuesday = next_monday()
            .checked_add(jiff::Span::new().days(1))
            .unwrap()
            .to_string();
        let r = put(
            &mut carl,
            "/api/v1/team-week/me",
            json!({"monday": tuesday, "days": week(&[])}),
        );
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (422, json!("monday")),
            "{}",
            r.body
        );
        let r = put(
            &mut carl,
            "/api/v1/team-week/me",
            json!({"monday": monday, "days": []}),
        );
        assert_eq!((r.status, r.json()["field"].clone()), (422, json!("days")));

        // Wishes.
        let r = put(
            &mut carl,
            "/api/v1/team-week/me/wishes",
            json!({"weekdays": ["tue"]}),
        );
        assert_eq!(
            (r.status, r.json()["wishes"].clone()),
            (200, json!(["tue"])),
            "{}",
            r.body
        );
        let r = put(
            &mut carl,
            "/api/v1/team-week/me/wishes",
            json!({"weekdays": ["dienstag"]}),
        );
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (422, json!("weekdays"))
        );

        let planned = audit_by("actor", &mut admin, "team_week.week_planned");
        assert!(planned.iter().all(|(_, actor)| actor == "c.clerk"));
        assert_eq!(planned.len(), 2, "{}: {planned:?}", s.label);
    }
}

fn rules_body(min: u16, seats: u16) -> Value {
    json!({"min_in_office": [min, min, min, min, min, 0, 0],
           "offices": [{"name": "1.12", "seats": seats, "members": ["c.clerk", "d.new"]}]})
}

#[test]
fn the_head_proposes_sees_a_conflict_fixes_the_rules_and_accepts() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        let mut carl = s.signed_in("c.clerk");
        let mut head = s.signed_in("h.haupt");
        let mut stranger = s.signed_in("b.user");
        set_up(&s, &mut admin);
        carl_approved(&s, &mut carl, &mut head, &["tue", "thu"]);
        let unit = bauamt(&s);
        let rules = format!("/api/v1/team-week/units/{unit}/rules");

        // Only the head, a deputy or an administrator sets the rules.
        for who in [&mut carl, &mut stranger] {
            assert_eq!(who.get(&rules).status, 403);
            assert_eq!(put(who, &rules, rules_body(1, 1)).status, 403);
        }
        assert_eq!(head.get("/api/v1/team-week/units/999999/rules").status, 404);
        let r = put(
            &mut head,
            &rules,
            json!({"min_in_office": [9, 0, 0, 0, 0, 0, 0]}),
        );
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (422, json!("min_in_office[0]")),
            "{}",
            r.body
        );
        let mut outsider = rules_body(1, 1);
        outsider["offices"][0]["members"] = json!(["b.user"]);
        let r = put(&mut head, &rules, outsider);
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (422, json!("offices[0].members"))
        );
        assert_eq!(
            head.get(&rules).json()["offices"],
            json!([]),
            "nothing changed"
        );

        // A one-seat office for Carl and Dora and all four in the office: impossible.
        let r = put(&mut head, &rules, rules_body(4, 1));
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        assert_eq!(
            r.json()["offices"][0]["members"],
            json!(["c.clerk", "d.new"])
        );
        let proposal = format!("/api/v1/team-week/units/{unit}/proposal");
        let r = head.post(&proposal, json!({"weeks": 1}));
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let conflict = &r.json()["conflict"];
        assert!(
            conflict["message"]
                .as_str()
                .unwrap()
                .starts_with("Kein Plan möglich"),
            "{conflict}"
        );
        assert!(
            conflict["message"].as_str().unwrap().contains("Büro 1.12"),
            "{conflict}"
        );
        let named: Vec<&str> = conflict["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert!(
            named.contains(&"shared_office") && named.contains(&"minimum_in_office"),
            "{conflict}"
        );
        assert_eq!(r.json()["people"], json!([]));
        assert_eq!(carl.post(&proposal, json!({"weeks": 1})).status, 403);
        let r = head.post(&proposal, json!({"weeks": 20}));
        assert_eq!((r.status, r.json()["field"].clone()), (422, json!("weeks")));

        // Two seats and a minimum of three: Carl works mobile on his days.
        assert_eq!(put(&mut head, &rules, rules_body(3, 2)).status, 200);
        let r = head.post(&proposal, json!({"weeks": 1}));
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let plan = r.json();
        assert_eq!(plan["conflict"], Value::Null, "{plan:#}");
        assert_eq!(plan["first_monday"], next_monday().to_string());
        // This week is under way and a week in half a year too far: 422 at the Monday.
        for (monday, problem) in [(-7, "week_not_ahead"), (7 * 26, "week_too_far_ahead")] {
            let monday = next_monday()
                .checked_add(jiff::Span::new().days(monday))
                .unwrap();
            let r = head.post(
                &proposal,
                json!({"weeks": 1, "first_monday": monday.to_string()}),
            );
            assert_eq!(r.status, 422, "{}: {}", s.label, r.body);
            assert_eq!(r.json()["fields"][0]["field"], "first_monday", "{}", r.body);
            assert_eq!(r.json()["fields"][0]["problem"], problem, "{}", r.body);
        }
        let row = |plan: &Value, login: &str| {
            plan["people"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["login"] == login)
                .unwrap()["spots"]
                .clone()
        };
        assert_eq!(
            row(&plan, "c.clerk"),
            json!(["office", "mobile", "office", "mobile", "office", "off", "off"]),
            "{plan:#}"
        );
        let carl_share = plan["shares"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["login"] == "c.clerk")
            .unwrap()
            .clone();
        assert_eq!(
            (carl_share["wanted"].clone(), carl_share["granted"].clone()),
            (json!(2), json!(2))
        );

        // Dora mobile on Monday: she has no agreement. Checked, named, not accepted.
        let mut edited = json!({"first_monday": plan["first_monday"], "weeks": 1,
                                "people": plan["people"]});
        for person in edited["people"].as_array_mut().unwrap() {
            if person["login"] == "d.new" {
                person["spots"][0] = json!("mobile");
            }
        }
        let check = format!("/api/v1/team-week/units/{unit}/check");
        let r = head.post(&check, edited.clone());
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let breaches = r.json()["breaches"].clone();
        assert_eq!(breaches[0]["rule"], "no_agreement", "{breaches}");
        assert_eq!(breaches[0]["login"], "d.new");
        assert!(
            breaches[0]["message"]
                .as_str()
                .unwrap()
                .contains("Dora Neu"),
            "{breaches}"
        );
        let accept = format!("/api/v1/team-week/units/{unit}/plan");
        let r = head.post(&accept, edited);
        assert_eq!(r.status, 422, "{}: {}", s.label, r.body);
        assert_eq!(s.block_on(s.store.rotation_plans(unit)).unwrap().len(), 0);
        let mut unknown = json!({"first_monday": plan["first_monday"], "weeks": 1,
                                 "people": [{"login": "b.user", "spots": []}]});
        assert_eq!(
            head.post(&accept, unknown.clone()).json()["field"],
            "people[0]"
        );
        unknown["first_monday"] = json!("2025-03-11");
        assert_eq!(head.post(&accept, unknown).json()["field"], "first_monday");

        // The proposal as it is: accepted, Carl's days written.
        let body =
            json!({"first_monday": plan["first_monday"], "weeks": 1, "people": plan["people"]});
        assert_eq!(carl.post(&accept, body.clone()).status, 403);
        let r = head.post(&accept, body);
        assert_eq!(r.status, 201, "{}: {}", s.label, r.body);
        let mine = carl
            .get(&format!("/api/v1/team-week/me?week={}", next_monday()))
            .json();
        assert_eq!(mine["days"][1]["afternoon"], "mobile", "{mine:#}");
        assert_eq!(mine["days"][3]["morning"], "mobile");
        let accepted = audit_by("actor", &mut admin, "team_week.plan_accepted");
        assert_eq!(
            accepted,
            [("team_week.plan_accepted".to_string(), "h.haupt".to_string())]
        );

        // The team calendar: members and the head; not a stranger.
        let calendar = format!(
            "/api/v1/team-week/units/{unit}/calendar?from={}",
            next_monday()
        );
        let r = carl.get(&calendar);
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let team = r.json();
        assert_eq!(team["manager"], false);
        assert_eq!(team["minimum"][0], 3);
        let carl_row = team["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["login"] == "c.clerk")
            .unwrap()
            .clone();
        assert_eq!(carl_row["days"][1]["morning"], "mobile");
        assert_eq!(team["in_office"][1], 3, "{team:#}");
        assert_eq!(head.get(&calendar).json()["manager"], true);
        assert_eq!(stranger.get(&calendar).status, 403);
        assert_eq!(
            head.get("/api/v1/team-week/units/999999/calendar").status,
            404
        );

        // The CSV for the head.
        let csv = format!(
            "/api/v1/team-week/units/{unit}/plan.csv?from={}",
            next_monday()
        );
        let r = head.get(&csv);
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        assert!(r.header("content-type").unwrap().starts_with("text/csv"));
        let tuesday = next_monday()
            .checked_add(jiff::Span::new().days(1))
            .unwrap();
        assert!(
            r.body
                .starts_with("Datum;Login;Name;Vormittag;Nachmittag\r\n"),
            "{}",
            r.body
        );
        assert!(
            r.body
                .contains(&format!("{tuesday};c.clerk;Carl Clerk;Mobil;Mobil")),
            "{}",
            r.body
        );
        assert_eq!(carl.get(&csv).status, 403);

        // The plan's minimum still holds: Carl back in the office on Tuesday is fine; with
        // the minimum raised to four, his move to mobile again is refused at the half (three
        // would be left), leave is not.
        let me = "/api/v1/team-week/me";
        let monday = next_monday().to_string();
        let office_tuesday = week(&[
            ("", ""),
            ("office", "office"),
            ("", ""),
            ("mobile", "mobile"),
        ]);
        let r = put(
            &mut carl,
            me,
            json!({"monday": monday, "days": office_tuesday}),
        );
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        assert_eq!(put(&mut head, &rules, rules_body(4, 2)).status, 200);
        let mobile_tuesday = week(&[
            ("", ""),
            ("mobile", "office"),
            ("", ""),
            ("mobile", "mobile"),
        ]);
        let r = put(
            &mut carl,
            me,
            json!({"monday": monday, "days": mobile_tuesday}),
        );
        assert_eq!(r.status, 422, "{}: {}", s.label, r.body);
        assert_eq!(
            r.json()["fields"][0]["field"],
            "days[1].morning",
            "{}",
            r.body
        );
        assert_eq!(problems(&r), ["unit_minimum"]);
        let leave_tuesday = week(&[("", ""), ("leave", "leave"), ("", ""), ("mobile", "mobile")]);
        let r = put(
            &mut carl,
            me,
            json!({"monday": monday, "days": leave_tuesday}),
        );
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
    }
}

#[test]
fn calendar_feeds_by_secret_token() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        let mut carl = s.signed_in("c.clerk");
        let mut head = s.signed_in("h.haupt");
        set_up(&s, &mut admin);
        carl_approved(&s, &mut carl, &mut head, &["tue", "thu"]);
        let days = week(&[("", ""), ("mobile", "mobile")]);
        let r = put(
            &mut carl,
            "/api/v1/team-week/me",
            json!({"monday": next_monday().to_string(), "days": days}),
        );
        assert_eq!(r.status, 200, "{}", r.body);

        let r = carl.post("/api/v1/team-week/feeds", json!({"scope": "person"}));
        assert_eq!(r.status, 201, "{}: {}", s.label, r.body);
        let url = r.json()["url"].as_str().unwrap().to_string();
        let id = r.json()["id"].as_i64().unwrap();
        let r = carl.post("/api/v1/team-week/feeds", json!({"scope": "unit"}));
        assert_eq!(r.status, 201, "{}", r.body);
        let unit_url = r.json()["url"].as_str().unwrap().to_string();
        assert_eq!(
            carl.post("/api/v1/team-week/feeds", json!({"scope": "all"}))
                .status,
            422
        );
        let listed = carl.get("/api/v1/team-week/feeds").json();
        assert_eq!(listed["feeds"].as_array().unwrap().len(), 2);
        assert!(
            !listed.to_string().contains(".ics"),
            "tokens are shown once: {listed}"
        );

        let mut nobody = s.client();
        let r = nobody.get(&url);
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        assert!(r
            .header("content-type")
            .unwrap()
            .starts_with("text/calendar"));
        let tuesday = next_monday()
            .checked_add(jiff::Span::new().days(1))
            .unwrap();
        let compact = tuesday.strftime("%Y%m%d").to_string();
        assert!(
            r.body.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"),
            "{}",
            r.body
        );
        assert!(
            r.body
                .contains(&format!("DTSTART;VALUE=DATE:{compact}\r\n"))
                && r.body.contains("SUMMARY:Mobil\r\n"),
            "{}",
            r.body
        );
        let r = nobody.get(&unit_url);
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(
            r.body.contains("SUMMARY:Carl Clerk: Mobil\r\n"),
            "{}",
            r.body
        );
        assert!(r.body.contains("Dora Neu: Büro"), "{}", r.body);

        assert_eq!(
            nobody
                .get("/api/v1/team-week/calendar/not-a-token.ics")
                .status,
            404
        );
        let mut dora = s.signed_in("d.new");
        assert_eq!(
            dora.request("DELETE", &format!("/api/v1/team-week/feeds/{id}"), None)
                .status,
            404
        );
        assert_eq!(
            carl.request("DELETE", &format!("/api/v1/team-week/feeds/{id}"), None)
                .status,
            204
        );
        assert_eq!(nobody.get(&url).status, 404);
    }
}

#[test]
fn three_mobile_days_are_more_than_two_agreed_per_week() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        let mut carl = s.signed_in("c.clerk");
        let mut head = s.signed_in("h.haupt");
        set_up(&s, &mut admin);
        acknowledge_all(&mut carl);
        let start = next_monday();
        let end = start.checked_add(jiff::Span::new().days(180)).unwrap();
        let r = carl.post(
            "/api/v1/mobile-work/applications",
            json!({"days_per_week": 2, "start": start.to_string(), "end": end.to_string()}),
        );
        assert_eq!(r.status, 201, "{}: {}", s.label, r.body);
        let id = r.json()["id"].as_i64().unwrap();
        let r = head.post(
            &format!("/api/v1/mobile-work/agreements/{id}/decision"),
            json!({"decision": "approve"}),
        );
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let days = week(&[
            ("mobile", "mobile"),
            ("mobile", "mobile"),
            ("", ""),
            ("mobile", "mobile"),
        ]);
        let r = put(
            &mut carl,
            "/api/v1/team-week/me",
            json!({"monday": start.to_string(), "days": days}),
        );
        assert_eq!(r.status, 422, "{}: {}", s.label, r.body);
        // A breach of the whole week is named at the week, not at one day.
        assert_eq!(r.json()["field"], "week", "{}", r.body);
        assert_eq!(problems(&r), ["too_much_in_week"]);
        let after = carl
            .get(&format!("/api/v1/team-week/me?week={start}"))
            .json();
        assert_eq!(after["days"][0]["morning"], "office", "nothing written");
    }
}

#[test]
fn why_someone_is_away_is_theirs_alone_and_a_leavers_feeds_stop() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        let mut carl = s.signed_in("c.clerk");
        let mut head = s.signed_in("h.haupt");
        set_up(&s, &mut admin);
        carl_approved(&s, &mut carl, &mut head, &["tue", "thu"]);
        let monday = next_monday().to_string();
        let days = week(&[("", ""), ("mobile", "mobile"), ("sick", "sick")]);
        let r = put(
            &mut carl,
            "/api/v1/team-week/me",
            json!({"monday": monday, "days": days}),
        );
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let url = carl
            .post("/api/v1/team-week/feeds", json!({"scope": "person"}))
            .json()["url"]
            .as_str()
            .unwrap()
            .to_string();
        let unit_url = carl
            .post("/api/v1/team-week/feeds", json!({"scope": "unit"}))
            .json()["url"]
            .as_str()
            .unwrap()
            .to_string();

        // Carl's own feed and view say why; nobody else's does.
        let mut nobody = s.client();
        let r = nobody.get(&url);
        assert!(r.body.contains("SUMMARY:krank\r\n"), "{}", r.body);
        let r = nobody.get(&unit_url);
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(!r.body.contains("krank"), "{}: {}", s.label, r.body);
        assert!(r.body.contains("Carl Clerk: abwesend\r\n"), "{}", r.body);
        let calendar = format!(
            "/api/v1/team-week/units/{}/calendar?from={monday}",
            bauamt(&s)
        );
        let carl_in = |v: &Value| -> Value {
            v["people"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["login"] == "c.clerk")
                .unwrap()["days"][2]
                .clone()
        };
        let mut dora = s.signed_in("d.new");
        let r = dora.get(&calendar);
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(!r.body.contains("sick"), "{}: {}", s.label, r.body);
        assert_eq!(carl_in(&r.json())["morning"], "away");
        let r = head.get(&calendar);
        assert!(!r.body.contains("sick"), "{}", r.body);
        let r = carl.get(&calendar);
        assert_eq!(carl_in(&r.json())["morning"], "sick", "{}", r.body);
        let r = head.get(&format!(
            "/api/v1/team-week/units/{}/plan.csv?from={monday}",
            bauamt(&s)
        ));
        assert_eq!(r.status, 200, "{}", r.body);
        assert!(!r.body.contains("krank"), "{}", r.body);
        assert!(r.body.contains("abwesend"), "{}", r.body);

        // Carl leaves: directory sync disables him, and his links show nothing.
        let plan = directory::sync::SyncPlan {
            disables: vec![directory::Login::parse("c.clerk").unwrap()],
            ..Default::default()
        };
        let book = store::SyncBook {
            run: store::SyncRun {
                trigger: "cli".into(),
                kind: "full".into(),
                outcome: "applied".into(),
                disabled: 1,
                ..Default::default()
            },
            ..Default::default()
        };
        s.block_on(s.store.apply_sync(&plan, &book, 1_800_000_000))
            .unwrap();
        assert_eq!(nobody.get(&url).status, 404, "{}", s.label);
        assert_eq!(nobody.get(&unit_url).status, 404, "{}", s.label);
    }
}

#[test]
fn nothing_works_without_a_session() {
    for s in servers() {
        let mut nobody = s.client();
        for (method, path) in [
            ("GET", "/api/v1/team-week/me"),
            ("PUT", "/api/v1/team-week/me"),
            ("PUT", "/api/v1/team-week/me/wishes"),
            ("GET", "/api/v1/team-week/units/1/calendar"),
            ("GET", "/api/v1/team-week/units/1/rules"),
            ("PUT", "/api/v1/team-week/units/1/rules"),
            ("POST", "/api/v1/team-week/units/1/proposal"),
            ("POST", "/api/v1/team-week/units/1/check"),
            ("POST", "/api/v1/team-week/units/1/plan"),
            ("GET", "/api/v1/team-week/units/1/plan.csv"),
            ("GET", "/api/v1/team-week/feeds"),
            ("POST", "/api/v1/team-week/feeds"),
            ("DELETE", "/api/v1/team-week/feeds/1"),
        ] {
            let body = (method != "GET").then(|| json!({}));
            let r = nobody.request(method, path, body);
            assert_eq!(r.status, 401, "{}: {method} {path}: {}", s.label, r.body);
        }
    }
}
