//! Issue 16, the case database over HTTP against the real server: only a hotline's agents
//! and supervisors (and administrators) reach its cases, administrators design the form,
//! supervisors add slots, an answered call becomes a case with the caller's number, a full
//! slot answers 409 and writes nothing (also when many book at once), bad values name
//! every field, and the list searches and exports an Excel-friendly CSV file.

use serde_json::{json, Value};
use testkit::http::Client;
use testkit::server::{on_every_database, start, Options, TestServer};

/// Besides the fixture (a.admin, b.user, c.clerk, d.new): two more agents.
const STAFF: &str = "e.agent,Eva Agent,Gesundheitsamt/Hotline,2403,,user
f.agent,Fritz Agent,Gesundheitsamt/Hotline,2404,,user
";

fn options() -> Options {
    Options {
        extra_staff: STAFF.into(),
        ..Options::default()
    }
}

struct Hotlines {
    /// The health office's: agents b.user, e.agent and f.agent, supervisor c.clerk.
    health: i64,
    /// The building office's: agent d.new.
    building: i64,
}

fn hotlines(s: &TestServer) -> Hotlines {
    let id = |login| s.staff_id(login);
    let agents = [id("b.user"), id("e.agent"), id("f.agent")];
    let health = s
        .block_on(
            s.store
                .add_hotline_for_test("Bürgertelefon", "2900", &agents, &[id("c.clerk")]),
        )
        .unwrap();
    let building = s
        .block_on(
            s.store
                .add_hotline_for_test("Bauamt", "2910", &[id("d.new")], &[]),
        )
        .unwrap();
    Hotlines { health, building }
}

fn form() -> Value {
    json!({"fields": [
        {"key": "name", "label": "Name", "kind": "text", "required": true},
        {"key": "born", "label": "Geburtsdatum", "kind": "date"},
        {"key": "temp", "label": "Temperatur", "kind": "number", "min": 34, "max": 43},
        {"key": "consent", "label": "Einwilligung", "kind": "yes_no"},
        {"key": "termin", "label": "Testtermin", "kind": "appointment_slot"},
    ]})
}

/// An instant `secs` from now as the API writes them.
fn iso_in(secs: i64) -> String {
    let now = jiff::Timestamp::now().as_second();
    jiff::Timestamp::from_second(now + secs)
        .unwrap()
        .to_string()
}

/// The form saved by the administrator and one slot with `capacity` places added by the
/// supervisor; returns the slot's id.
fn form_and_slot(s: &TestServer, h: &Hotlines, capacity: u32) -> i64 {
    let mut admin = s.signed_in("a.admin");
    let put = admin.request(
        "PUT",
        &format!("/api/v1/hotlines/{}/case-form", h.health),
        Some(form()),
    );
    assert_eq!(put.status, 200, "{}: {}", s.label, put.body);
    assert_eq!(put.json()["version"], 1);
    let mut supervisor = s.signed_in("c.clerk");
    let added = supervisor.post(
        &format!("/api/v1/hotlines/{}/slots", h.health),
        json!({"slots": [{"start": iso_in(86_400), "end": iso_in(86_400 + 900), "capacity": capacity}]}),
    );
    assert_eq!(added.status, 201, "{}: {}", s.label, added.body);
    added.json()["slots"][0]["id"].as_i64().unwrap()
}

fn cases_of(client: &mut Client, hotline: i64) -> Value {
    let r = client.get(&format!("/api/v1/hotlines/{hotline}/cases"));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

#[test]
fn only_the_hotlines_agents_supervisors_and_administrators_get_in() {
    let s = start(options());
    let h = hotlines(&s);
    let cases = format!("/api/v1/hotlines/{}/cases", h.health);
    let form_path = format!("/api/v1/hotlines/{}/case-form", h.health);
    let slots = format!("/api/v1/hotlines/{}/slots", h.health);

    let mut anonymous = s.client();
    assert_eq!(anonymous.get(&cases).status, 401);
    assert_eq!(anonymous.post(&cases, json!({})).status, 401);

    // An agent of another hotline, and someone of no hotline, are refused everywhere.
    for login in ["d.new", "f.agent"] {
        let mut other = s.signed_in(login);
        let building = format!("/api/v1/hotlines/{}/cases", h.building);
        let (path, body) = if login == "d.new" {
            (cases.clone(), json!({"values": {"name": "X"}}))
        } else {
            (building, json!({}))
        };
        let r = other.get(&path);
        assert_eq!(r.status, 403, "{login}: {}", r.body);
        assert_eq!(r.json()["error"], "forbidden");
        assert!(r.json()["message"]
            .as_str()
            .unwrap()
            .contains("Agenten und Supervisoren"));
        assert_eq!(other.post(&path, body).status, 403, "{login}");
        let hotline_of = |p: &str| p.replace("/cases", "");
        assert_eq!(
            other
                .get(&format!("{}/case-form", hotline_of(&path)))
                .status,
            403
        );
        assert_eq!(
            other.get(&format!("{}/slots", hotline_of(&path))).status,
            403
        );
        assert_eq!(
            other.get(&format!("{}/cases/1", hotline_of(&path))).status,
            403
        );
        assert_eq!(
            other
                .get(&format!("{}/callers/0301234/cases", hotline_of(&path)))
                .status,
            403
        );
        // Whether a hotline exists is none of their business.
        assert_eq!(other.get("/api/v1/hotlines/999/cases").status, 403);
    }
    assert!(s.block_on(s.store.case_form(h.health)).unwrap().version == 0);

    // The agent works with cases but changes neither the form nor the slots.
    let mut agent = s.signed_in("b.user");
    assert_eq!(cases_of(&mut agent, h.health)["total"], 0);
    assert_eq!(agent.get(&form_path).status, 200);
    let r = agent.request("PUT", &form_path, Some(form()));
    assert_eq!(r.status, 403, "{}", r.body);
    let slot = json!({"slots": [{"start": iso_in(3_600), "end": iso_in(4_500), "capacity": 3}]});
    let r = agent.post(&slots, slot.clone());
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.json()["message"]
        .as_str()
        .unwrap()
        .contains("Supervisoren"));

    // The supervisor adds slots; the administrator does everything, and learns of
    // hotlines that do not exist.
    let mut supervisor = s.signed_in("c.clerk");
    assert_eq!(supervisor.post(&slots, slot).status, 201);
    let r = supervisor.request("PUT", &form_path, Some(form()));
    assert_eq!(r.status, 403, "{}", r.body);
    let mut admin = s.signed_in("a.admin");
    assert_eq!(admin.request("PUT", &form_path, Some(form())).status, 200);
    assert_eq!(cases_of(&mut admin, h.health)["total"], 0);
    let r = admin.get("/api/v1/hotlines/999/cases");
    assert_eq!(
        (r.status, r.json()["error"].clone()),
        (404, json!("not_found"))
    );
    let listed = agent.get(&slots).json();
    assert_eq!(listed["slots"][0]["free"], 3);
}

#[test]
fn a_case_from_an_answered_call_until_done_and_a_full_slot_answers_409() {
    for s in on_every_database(options) {
        let l = s.label;
        let h = hotlines(&s);
        let slot = form_and_slot(&s, &h, 1);
        let base = format!("/api/v1/hotlines/{}", h.health);
        let mut agent = s.signed_in("b.user");

        // The form opens with the caller's number; their earlier cases are none yet.
        let earlier = agent.get(&format!("{base}/callers/+4930901820/cases"));
        assert_eq!(earlier.json()["cases"], json!([]), "{l}");
        let made = agent.post(
            &format!("{base}/cases"),
            json!({"caller_number": "+49 (0)30 901820", "assignee": "e.agent",
                "values": {"name": "Erika Muster", "born": "12.08.1973", "temp": "38,2",
                    "consent": true, "termin": slot}}),
        );
        assert_eq!(made.status, 201, "{l}: {}", made.body);
        let case = made.json();
        assert_eq!(case["caller_number"], "+4930901820", "{l}");
        assert_eq!(case["state"], "new");
        assert_eq!(case["assignee"]["login"], "e.agent");
        assert_eq!(case["created_by"]["name"], "Bärbel Böhm");
        assert_eq!(case["values"]["born"], "1973-08-12");
        assert_eq!(case["values"]["temp"], 38.2);
        assert_eq!(case["bookings"][0]["field"], "termin");
        assert_eq!(case["bookings"][0]["slot"]["free"], 0);
        assert_eq!(case["history"][0]["action"], "case.created");
        let id = case["id"].as_i64().unwrap();

        // Another caller wants the same slot: 409, German, and nothing is written.
        let second = agent.post(
            &format!("{base}/cases"),
            json!({"caller_number": "0151 5550123", "values": {"name": "Max", "termin": slot}}),
        );
        assert_eq!(second.status, 409, "{l}: {}", second.body);
        let body = second.json();
        assert_eq!(
            (body["error"].clone(), body["field"].clone()),
            (json!("conflict"), json!("values.termin"))
        );
        assert_eq!(body["problem"], "slot_full");
        assert_eq!(
            body["message"],
            "„Testtermin“: Der Termin ist ausgebucht (alle 1 Plätze sind vergeben). Bitte \
             einen anderen Termin wählen."
        );
        assert_eq!(cases_of(&mut agent, h.health)["total"], 1, "{l}");
        let earlier = agent
            .get(&format!("{base}/callers/01515550123/cases"))
            .json();
        assert_eq!(earlier["cases"], json!([]), "{l}");

        // Bad values: every field named, 400, nothing changed.
        let bad = agent.request(
            "PATCH",
            &format!("{base}/cases/{id}"),
            Some(
                json!({"values": {"name": "", "born": "31.02.1990", "temp": 50, "colour": "rot"}}),
            ),
        );
        assert_eq!(bad.status, 400, "{l}: {}", bad.body);
        let fields: Vec<(String, String)> = bad.json()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["field"].as_str().unwrap().into(),
                    f["problem"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(
            fields,
            [
                ("values.name".to_string(), "missing".to_string()),
                ("values.born".into(), "not_a_date".into()),
                ("values.temp".into(), "above_max".into()),
                ("values.colour".into(), "unknown_field".into()),
            ],
            "{l}"
        );
        let unchanged = agent.get(&format!("{base}/cases/{id}")).json();
        assert_eq!(
            (
                unchanged["revision"].clone(),
                unchanged["values"]["name"].clone()
            ),
            (json!(1), json!("Erika Muster"))
        );

        // Taken up, done, and refused back to new; the earlier cases of the number show it.
        let r = agent.request(
            "PATCH",
            &format!("{base}/cases/{id}"),
            Some(json!({"state": "in_progress", "assignee": null, "revision": 1})),
        );
        assert_eq!(r.status, 200, "{l}: {}", r.body);
        assert_eq!(
            (r.json()["state"].clone(), r.json()["assignee"].clone()),
            (json!("in_progress"), Value::Null)
        );
        let stale = agent.request(
            "PATCH",
            &format!("{base}/cases/{id}"),
            Some(json!({"state": "done", "revision": 1})),
        );
        assert_eq!(stale.status, 409, "{l}: {}", stale.body);
        let done = agent.request(
            "PATCH",
            &format!("{base}/cases/{id}"),
            Some(json!({"state": "done"})),
        );
        assert_eq!(done.status, 200, "{l}: {}", done.body);
        assert!(done.json()["closed_at"].is_string(), "{l}");
        let back = agent.request(
            "PATCH",
            &format!("{base}/cases/{id}"),
            Some(json!({"state": "new"})),
        );
        assert_eq!(back.status, 409, "{l}: {}", back.body);
        assert!(back.json()["message"]
            .as_str()
            .unwrap()
            .contains("„erledigt“"));
        let earlier = agent.get(&format!("{base}/callers/030%20901820/cases"));
        assert_eq!(earlier.status, 200);
        let earlier = agent
            .get(&format!("{base}/callers/+4930901820/cases"))
            .json();
        assert_eq!(earlier["cases"][0]["id"], id, "{l}");
        assert_eq!(earlier["cases"][0]["state"], "done", "{l}");
        let history = agent.get(&format!("{base}/cases/{id}")).json()["history"].clone();
        let actions: Vec<&str> = history
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            ["case.created", "case.changed", "case.changed"],
            "{l}"
        );
        assert!(
            !history.to_string().contains("Erika"),
            "{l}: values never in the history"
        );

        // Another hotline's agent cannot read it by number.
        let mut other = s.signed_in("d.new");
        assert_eq!(other.get(&format!("{base}/cases/{id}")).status, 403);
        let building = format!("/api/v1/hotlines/{}/cases/{id}", h.building);
        assert_eq!(
            other.get(&building).status,
            404,
            "{l}: not that hotline's case"
        );
    }
}

#[test]
fn twenty_agents_booking_five_places_at_once_get_five() {
    for s in on_every_database(options) {
        let l = s.label;
        let h = hotlines(&s);
        let slot = form_and_slot(&s, &h, 5);
        let path = format!("/api/v1/hotlines/{}/cases", h.health);
        let agents: Vec<Client> = ["b.user", "e.agent", "f.agent", "c.clerk"]
            .iter()
            .map(|login| s.signed_in(login))
            .collect();
        let threads: Vec<_> = (0..20)
            .map(|i| {
                let mut client = agents[i % agents.len()].clone();
                let path = path.clone();
                std::thread::spawn(move || {
                    let body = json!({"values": {"name": format!("Person {i}"), "termin": slot}});
                    client.post(&path, body)
                })
            })
            .collect();
        let mut statuses: Vec<u16> = threads
            .into_iter()
            .map(|t| t.join().unwrap().status)
            .collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [[201; 5].as_slice(), &[409; 15]].concat(), "{l}");
        let mut agent = agents[0].clone();
        assert_eq!(cases_of(&mut agent, h.health)["total"], 5, "{l}");
        let slots = agent
            .get(&format!("/api/v1/hotlines/{}/slots", h.health))
            .json();
        assert_eq!(
            (
                slots["slots"][0]["booked"].clone(),
                slots["slots"][0]["free"].clone()
            ),
            (json!(5), json!(0)),
            "{l}"
        );
    }
}

#[test]
fn the_list_searches_filters_and_exports_for_excel() {
    let s = start(options());
    let h = hotlines(&s);
    let slot = form_and_slot(&s, &h, 10);
    let base = format!("/api/v1/hotlines/{}", h.health);
    let mut agent = s.signed_in("b.user");
    for (name, number, extra) in [
        (
            "Erika Müller",
            "0151 5550123",
            json!({"termin": slot, "consent": true}),
        ),
        ("Max Müller", "+49 30 901820", json!({"temp": 36.6})),
        ("=HYPERLINK(\"x\")", "030 1234", json!({})),
    ] {
        let mut values = extra;
        values["name"] = json!(name);
        let r = agent.post(
            &format!("{base}/cases"),
            json!({"caller_number": number, "values": values}),
        );
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let list = |agent: &mut Client, query: &str| agent.get(&format!("{base}/cases?{query}")).json();
    assert_eq!(list(&mut agent, "q=m%C3%BCller")["total"], 2);
    assert_eq!(list(&mut agent, "q=erika+m%C3%BCller")["total"], 1);
    assert_eq!(
        list(&mut agent, "q=5550123")["cases"][0]["values"]["name"],
        "Erika Müller"
    );
    assert_eq!(
        list(&mut agent, "state=new&limit=2")["cases"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(list(&mut agent, "state=done")["total"], 0);
    let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    let today = jiff::Timestamp::now().to_zoned_datetime(berlin).date();
    assert_eq!(
        list(&mut agent, &format!("from={today}&until={today}"))["total"],
        3
    );
    assert_eq!(
        list(&mut agent, &format!("until={}", today.yesterday().unwrap()))["total"],
        0
    );
    let bad = agent.get(&format!("{base}/cases?state=closed"));
    assert_eq!(
        (bad.status, bad.json()["field"].clone()),
        (400, json!("state"))
    );
    let bad = agent.get(&format!("{base}/cases?from=gestern"));
    assert_eq!(
        (bad.status, bad.json()["problem"].clone()),
        (400, json!("not_a_date"))
    );

    let csv = agent.get(&format!("{base}/cases?format=csv&q=m%C3%BCller"));
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(csv.header("content-disposition").unwrap().contains(".csv"));
    let lines: Vec<&str> = csv.body.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "\u{feff}\"Fall-Nr.\";\"Status\";\"Anrufernummer\";\"Zuständig\";\"Angelegt\";\"Geändert\";\
         \"Erledigt am\";\"Name\";\"Geburtsdatum\";\"Temperatur\";\"Einwilligung\";\"Testtermin\""
    );
    assert_eq!(
        lines.len(),
        4,
        "two cases and the final line break: {lines:?}"
    );
    let max: Vec<&str> = lines[1].split(';').collect();
    assert_eq!(max[1], "\"neu\"");
    assert_eq!(
        max[2], "\"'+4930901820\"",
        "numbers with + are defused like formulas"
    );
    assert_eq!(max[9], "\"36,6\"");
    let erika: Vec<&str> = lines[2].split(';').collect();
    assert_eq!(erika[10], "\"Ja\"");
    assert!(
        erika[11].contains('–') && erika[11].len() > 20,
        "{}",
        erika[11]
    );
    let all = agent.get(&format!("{base}/cases?format=csv")).body;
    assert!(all.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{all}");
}

#[test]
fn a_slot_nobody_booked_is_removed_and_a_booked_one_stays() {
    for s in on_every_database(options) {
        let l = s.label;
        let h = hotlines(&s);
        let booked = form_and_slot(&s, &h, 2);
        let base = format!("/api/v1/hotlines/{}", h.health);
        let mut agent = s.signed_in("b.user");
        let made = agent.post(
            &format!("{base}/cases"),
            json!({"values": {"name": "Erika Muster", "termin": booked}}),
        );
        assert_eq!(made.status, 201, "{l}: {}", made.body);
        let mut supervisor = s.signed_in("c.clerk");
        let free = supervisor.post(
            &format!("{base}/slots"),
            json!({"slots": [{"start": iso_in(2 * 86_400), "end": iso_in(2 * 86_400 + 900), "capacity": 5}]}),
        );
        assert_eq!(free.status, 201, "{l}: {}", free.body);
        let free = free.json()["slots"][0]["id"].as_i64().unwrap();

        let remove =
            |c: &mut Client, slot: i64| c.request("DELETE", &format!("{base}/slots/{slot}"), None);
        assert_eq!(
            remove(&mut agent, free).status,
            403,
            "{l}: agents do not remove slots"
        );
        let refused = remove(&mut supervisor, booked);
        assert_eq!(refused.status, 409, "{l}: {}", refused.body);
        assert!(refused.json()["message"]
            .as_str()
            .unwrap()
            .contains("1-mal gebucht"));
        assert_eq!(remove(&mut supervisor, free).status, 204, "{l}");
        assert_eq!(remove(&mut supervisor, free).status, 404, "{l}: gone");
        // Another hotline's slot is not found through this one.
        let other = format!("/api/v1/hotlines/{}/slots/{booked}", h.building);
        assert_eq!(
            s.signed_in("a.admin")
                .request("DELETE", &other, None)
                .status,
            404,
            "{l}"
        );
        let left: Vec<i64> = agent.get(&format!("{base}/slots")).json()["slots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_i64().unwrap())
            .collect();
        assert_eq!(left, [booked], "{l}");
        let audit = s
            .block_on(s.store.audit_entries(&store::AuditFilter {
                action_prefix: Some("case.slot.removed".into()),
                limit: 10,
                ..Default::default()
            }))
            .unwrap();
        assert_eq!(audit.len(), 1, "{l}: {audit:?}");
        assert_eq!(audit[0].actor.as_deref(), Some("c.clerk"));
    }
}

#[test]
fn the_hotlines_people_are_listed_for_assigning_cases() {
    for s in on_every_database(options) {
        let l = s.label;
        let h = hotlines(&s);
        let path = format!("/api/v1/hotlines/{}/members", h.health);
        let members = s.signed_in("b.user").get(&path);
        assert_eq!(members.status, 200, "{l}: {}", members.body);
        let people: Vec<(String, bool, bool)> = members.json()["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["login"].as_str().unwrap().to_string(),
                    m["agent"].as_bool().unwrap(),
                    m["supervisor"].as_bool().unwrap(),
                )
            })
            .collect();
        let mut logins: Vec<&str> = people.iter().map(|p| p.0.as_str()).collect();
        logins.sort();
        assert_eq!(
            logins,
            ["b.user", "c.clerk", "e.agent", "f.agent"],
            "{l}: {people:?}"
        );
        assert!(people.contains(&("c.clerk".into(), false, true)), "{l}");
        assert!(people.contains(&("b.user".into(), true, false)), "{l}");
        // The other hotline's agent sees nothing of this one.
        assert_eq!(s.signed_in("d.new").get(&path).status, 403, "{l}");
    }
}
