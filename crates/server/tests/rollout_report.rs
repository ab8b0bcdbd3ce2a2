//! The rollout page's report over REST (issue 19), against the whole server in-process,
//! on SQLite and on PostgreSQL when the run has one (`TEST_POSTGRES_URL`):
//!
//! - The softphone has a cap of 10 and six holders: the server's snapshot records today
//!   (a second snapshot the same day replaces the first), beside a day recorded before.
//! - Office occupancy per building and day comes from the desk bookings: two booked, one
//!   checked in, a cancelled booking not counted.
//! - Usage, for whole months that are over only: five people called last month (shown
//!   with their total), two the month before (hidden as "< 5", no total); the running
//!   month has no figures, though calls were made in it.
//! - One's commute distance: only one's own, 0 < km <= 500, else 422; audited without it.
//! - No session 401, not an administrator 403, a bad span 422; the CSV has its columns and
//!   a building whose name starts with `=` is defused.

mod mobile_work_kit;

use jiff::civil::Date;
use mobile_work_kit::{audit_by, put, today};
use planner::calendar::DayPart;
use planner::ids::PersonId;
use planner::rollout_report::FeatureDay;
use serde_json::{json, Value};
use store::{CallLine, RoomKind};
use testkit::server::{on_every_database, Options, TestServer};

const STAFF: &str = "p.eins,Paula Eins,Bauamt,2521,,user\n\
                     p.zwei,Peter Zwei,Bauamt,2522,,user\n\
                     p.drei,Petra Drei,Bauamt,2523,,user\n\
                     p.vier,Paul Vier,Bauamt,2524,,user\n\
                     p.fuenf,Pia Fünf,Bauamt,2525,,user\n\
                     p.sechs,Pit Sechs,Bauamt,2526,,user\n";

const HOLDERS: [&str; 6] = ["p.eins", "p.zwei", "p.drei", "p.vier", "p.fuenf", "p.sechs"];

fn servers() -> Vec<TestServer> {
    on_every_database(|| Options {
        extra_staff: STAFF.into(),
        ..Options::default()
    })
}

fn ms_at(day: Date, hour: i8) -> i64 {
    planner::calendar::zone()
        .to_timestamp(day.at(hour, 0, 0, 0))
        .unwrap()
        .as_millisecond()
}

fn call(s: &TestServer, login: &str, day: Date) {
    let at = ms_at(day, 10);
    let line = CallLine {
        id: 0,
        staff_id: s.staff_id(login),
        direction: "out".into(),
        peer_number: "2599".into(),
        peer_name: None,
        peer_login: None,
        peer_staff_id: None,
        started_at: at,
        answered_at: Some(at + 1000),
        ended_at: at + 60_000,
    };
    s.block_on(s.store.add_call_line(&line)).unwrap();
}

fn usage<'a>(report: &'a Value, month: &str, measure: &str) -> &'a Value {
    report["usage"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["month"] == month && u["measure"] == measure)
        .unwrap_or_else(|| panic!("no {measure} for {month}: {report:#}"))
}

#[test]
fn the_report_shows_the_seeded_figures_and_hides_small_groups() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        let today = today();
        let this_month = today.first_of_month();
        let last_month = this_month.yesterday().unwrap().first_of_month();
        let before = last_month.yesterday().unwrap().first_of_month();
        let span = format!("from={before}&to={today}");

        // The softphone under a cap of 10, six holders; a day recorded before, and the
        // server's snapshot of today, taken twice.
        let r = put(
            &mut admin,
            "/api/v1/admin/rollout/softphone",
            json!({"cap": 10, "scheme": "weights", "criteria": []}),
        );
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let people: Vec<PersonId> = HOLDERS.iter().map(|l| PersonId(s.staff_id(l))).collect();
        s.block_on(s.store.admit_to_rollout("softphone", &people[..5], 1))
            .unwrap();
        let now = jiff::Timestamp::now().as_second();
        assert_eq!(
            s.block_on(durchwahl::rollout_history::snapshot(&s.store, now)),
            Some(1)
        );
        s.block_on(s.store.admit_to_rollout("softphone", &people[5..], 2))
            .unwrap();
        assert_eq!(
            s.block_on(durchwahl::rollout_history::snapshot(&s.store, now)),
            Some(1)
        );
        s.block_on(s.store.record_rollout_day(&FeatureDay {
            day: last_month,
            feature: "softphone".into(),
            holders: 3,
            cap: Some(4),
            waiting: 2,
        }))
        .unwrap();

        // A building (its name a formula) with three desks: two booked today, one checked
        // in, a third booking cancelled.
        let building = s.block_on(s.store.add_building("=Rathaus", None)).unwrap();
        let floor = s
            .block_on(s.store.add_floor(building, "EG", 0, None))
            .unwrap();
        let room = s
            .block_on(s.store.add_room(floor, "0.01", RoomKind::Office, 3))
            .unwrap();
        let desks: Vec<i64> = ["A", "B", "C"]
            .iter()
            .map(|l| s.block_on(s.store.add_desk(room, l, &[], None)).unwrap())
            .collect();
        let book = |desk: i64, login: &str| {
            s.block_on(
                s.store
                    .book_desk(desk, s.staff_id(login), today, DayPart::Whole, 1),
            )
            .unwrap()
        };
        let first = book(desks[0], "p.eins");
        book(desks[1], "p.zwei");
        let third = book(desks[2], "p.drei");
        s.block_on(
            s.store
                .check_in_desk_booking(first.id, s.staff_id("p.eins"), 2),
        )
        .unwrap();
        assert!(s
            .block_on(
                s.store
                    .cancel_desk_booking(third.id, s.staff_id("p.drei"), 3)
            )
            .unwrap());

        // Calls: five people last month (1 + 2 + 3 + 4 + 5), two the month before, and
        // some this month that no figure may show yet.
        let mid_last = last_month.checked_add(jiff::Span::new().days(14)).unwrap();
        for (i, login) in HOLDERS[..5].iter().enumerate() {
            for _ in 0..=i {
                call(&s, login, mid_last);
            }
        }
        call(&s, "p.eins", before);
        call(&s, "p.zwei", before);
        for login in &HOLDERS[..5] {
            call(&s, login, this_month);
        }

        let r = admin.get(&format!("/api/v1/admin/rollout/report?{span}"));
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let report = r.json();
        assert_eq!(report["min_group"], 5);
        assert_eq!(report["co2_grams_per_km"], 166);
        let softphone = report["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["feature"] == "softphone")
            .unwrap_or_else(|| panic!("{report:#}"));
        assert_eq!(
            softphone["days"],
            json!([
                {"day": last_month.to_string(), "holders": 3, "cap": 4, "waiting": 2},
                {"day": today.to_string(), "holders": 6, "cap": 10, "waiting": 0}
            ]),
            "{}",
            s.label
        );
        let rathaus = &report["buildings"][0];
        assert_eq!(rathaus["building"], "=Rathaus");
        assert_eq!(rathaus["desks"], 3);
        let days = rathaus["days"].as_array().unwrap();
        assert_eq!(days.len() as i32, (today - before).get_days() + 1);
        assert_eq!(
            days.last().unwrap(),
            &json!({"day": today.to_string(), "booked": 2, "checked_in": 1})
        );
        assert_eq!(days[0]["booked"], 0);

        let running = this_month.strftime("%Y-%m").to_string();
        assert!(
            !report["usage"]
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u["month"] == running),
            "{}: the running month has figures: {report:#}",
            s.label
        );
        let calls = usage(&report, &last_month.strftime("%Y-%m").to_string(), "calls");
        assert_eq!(
            (
                calls["people"].clone(),
                calls["total"].clone(),
                calls["text"].clone()
            ),
            (json!(5), json!(15), json!("5")),
            "{}",
            s.label
        );
        let few = usage(&report, &before.strftime("%Y-%m").to_string(), "calls");
        assert_eq!(
            (
                few["people"].clone(),
                few["total"].clone(),
                few["text"].clone()
            ),
            (Value::Null, Value::Null, json!("< 5")),
            "{}",
            s.label
        );
        let serialised = report.to_string();
        for login in HOLDERS {
            assert!(!serialised.contains(login), "{login} in {serialised}");
        }

        // The CSV: its columns, the figures, a defused formula.
        let r = admin.get(&format!("/api/v1/admin/rollout/report.csv?{span}"));
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        assert!(r.header("content-type").unwrap().starts_with("text/csv"));
        let lines: Vec<&str> = r.body.lines().collect();
        assert_eq!(
            lines[0].trim_start_matches('\u{feff}'),
            "\"Bereich\";\"Gegenstand\";\"Zeitraum\";\"Kennzahl\";\"Wert\""
        );
        let has = |line: &str| lines.contains(&line);
        assert!(
            has(&format!(
                "\"Merkmal\";\"Softphone\";\"{today}\";\"Nutzende\";\"6\""
            )),
            "{}",
            r.body
        );
        assert!(
            has(&format!(
                "\"Nutzung\";\"Softphone\";\"{}\";\"Personen mit Anrufen\";\"< 5\"",
                before.strftime("%Y-%m")
            )),
            "{}",
            r.body
        );
        assert!(
            has(&format!(
                "\"Belegung\";\"'=Rathaus\";\"{today}\";\"eingecheckt\";\"1\""
            )),
            "{}",
            r.body
        );
        assert!(!r.body.contains("\"=Rathaus"), "{}", r.body);

        // Bad spans: 422.
        for bad in [
            "from=gestern",
            "from=2026-02-30",
            "from=2026-03-01&to=2026-02-01",
            "from=2024-01-01&to=2026-01-01",
        ] {
            let r = admin.get(&format!("/api/v1/admin/rollout/report?{bad}"));
            assert_eq!(r.status, 422, "{}: {bad}: {}", s.label, r.body);
        }

        // Not an administrator: 403; no session: 401.
        let mut paula = s.signed_in("p.eins");
        let mut nobody = s.client();
        for path in [
            "/api/v1/admin/rollout/report",
            "/api/v1/admin/rollout/report.csv",
        ] {
            assert_eq!(paula.get(path).status, 403, "{}: {path}", s.label);
            assert_eq!(nobody.get(path).status, 401, "{}: {path}", s.label);
        }
        assert_eq!(nobody.get("/api/v1/me/commute").status, 401);
    }
}

#[test]
fn one_states_only_ones_own_commute() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        let mut paula = s.signed_in("p.eins");
        let r = paula.get("/api/v1/me/commute");
        assert_eq!((r.status, r.json()), (200, json!({"km": null})));
        for bad in [
            json!({"km": 0}),
            json!({"km": -3}),
            json!({"km": 501}),
            json!({"km": "weit"}),
            json!({"km": 12, "by": "car"}),
        ] {
            let r = put(&mut paula, "/api/v1/me/commute", bad.clone());
            assert_eq!(r.status, 422, "{}: {bad}: {}", s.label, r.body);
        }
        assert_eq!(
            s.block_on(s.store.commute_of(s.staff_id("p.eins")))
                .unwrap(),
            None
        );
        let r = put(&mut paula, "/api/v1/me/commute", json!({"km": 12.5}));
        assert_eq!(
            (r.status, r.json()),
            (200, json!({"km": 12.5})),
            "{}",
            s.label
        );
        assert_eq!(paula.get("/api/v1/me/commute").json(), json!({"km": 12.5}));
        assert_eq!(
            s.signed_in("p.zwei").get("/api/v1/me/commute").json(),
            json!({"km": null})
        );
        let audit = audit_by("actor", &mut admin, "rollout.commute_set");
        assert_eq!(
            audit,
            vec![("rollout.commute_set".to_string(), "p.eins".to_string())]
        );
        let r = admin.get("/api/v1/admin/audit?action=rollout.commute_set");
        assert!(
            !r.body.contains("12.5") && !r.body.contains("12500"),
            "{}",
            r.body
        );
        let r = put(&mut paula, "/api/v1/me/commute", json!({"km": null}));
        assert_eq!((r.status, r.json()), (200, json!({"km": null})));
        assert_eq!(
            s.block_on(s.store.commute_of(s.staff_id("p.eins")))
                .unwrap(),
            None
        );
    }
}

/// Monday and Tuesday mobile (Wednesday mobile in the morning only, so not a day without
/// the way to work) in the week containing `day`, for `login`.
fn plan_mobile(s: &TestServer, login: &str, day: Date, days: usize) {
    use jiff::civil::Weekday::*;
    use planner::week::{Day, Location, Week};
    let workdays =
        planner::calendar::WeekdaySet::of(&[Monday, Tuesday, Wednesday, Thursday, Friday]);
    let mut week = Week::containing(day, workdays);
    for d in week.days.iter_mut().take(days) {
        *d = Day::whole(Location::Mobile);
    }
    week.days[days].morning = Location::Mobile;
    s.block_on(s.store.set_week(s.staff_id(login), &week))
        .unwrap();
}

#[test]
fn planned_mobile_days_give_the_kilometres_and_co2_saved_for_five_or_more() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        let this_month = today().first_of_month();
        let last_month = this_month.yesterday().unwrap().first_of_month();
        let before = last_month.yesterday().unwrap().first_of_month();
        let mid = |m: Date| m.checked_add(jiff::Span::new().days(14)).unwrap();
        // Last month five people, two mobile days each, 10 km; the month before four.
        for login in &HOLDERS[..5] {
            plan_mobile(&s, login, mid(last_month), 2);
            s.block_on(s.store.set_commute(s.staff_id(login), Some(10_000), 1))
                .unwrap();
        }
        for login in &HOLDERS[..4] {
            plan_mobile(&s, login, mid(before), 1);
        }
        let r = admin.get(&format!(
            "/api/v1/admin/rollout/report?from={before}&to={}",
            today()
        ));
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let report = r.json();
        let month = |m: Date| m.strftime("%Y-%m").to_string();
        let saved = |m: Date| {
            report["savings"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["month"] == month(m))
                .cloned()
                .unwrap()
        };
        // 5 people x 2 x 10 km x 2 days = 200 km; x 166 g = 33.2 kg.
        assert_eq!(
            saved(last_month),
            json!({"month": month(last_month), "people": 5, "km": 200, "co2_kg": 33,
                   "fewer_than": null, "text": "5"}),
            "{}",
            s.label
        );
        assert_eq!(
            saved(before),
            json!({"month": month(before), "people": null, "km": null, "co2_kg": null,
                   "fewer_than": 5, "text": "< 5"}),
            "{}",
            s.label
        );
        let days = usage(&report, &month(last_month), "mobile_days");
        assert_eq!(
            (days["people"].clone(), days["total"].clone()),
            (json!(5), json!(10))
        );
        let few = usage(&report, &month(before), "mobile_days");
        assert_eq!(
            (few["text"].clone(), few["total"].clone()),
            (json!("< 5"), Value::Null)
        );
    }
}
