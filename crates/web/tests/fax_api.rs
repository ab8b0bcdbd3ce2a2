//! Issue 17, fax over HTTP against the real server (faxes put in through the store, as the
//! server's fax machinery will): one sees the boxes one uses (one's own, one's unit's and
//! those above it) with their faxes newest first; a PDF is served only to those who use
//! its box (everyone else gets 404, as for a fax that does not exist); deleting removes
//! the row and the files, is audited and reaches the box's users as `fax.changed`; a fax
//! on the line is not deleted. Administrators make boxes for people and units under
//! numbers nobody has and remove them with their faxes; bad input is refused at its
//! field and writes nothing; others get 403. On SQLite and PostgreSQL when the run has one.
//!
//! Sending (`POST /api/v1/fax`): the web's own checks (the form, the box, the number, a
//! PDF at all); what the server's fax service does with a good one is its own tests'.

use serde_json::{json, Value};
use std::time::Duration;
use store::{AuditFilter, FaxOwner};
use testkit::http::Client;
use testkit::server::{on_every_database, start, Options, TestServer};
use testkit::ws;

/// A small PDF as a scanner might write it (only its bytes matter here).
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// Besides the fixture (a.admin, b.user, c.clerk and d.new of Bauamt): one more in a
/// sub-unit of Bauamt.
fn options() -> Options {
    Options {
        extra_staff: "e.statik,Eva Statik,Bauamt/Statik,2503,,user\n".into(),
        ..Options::default()
    }
}

fn overview(client: &mut Client) -> Value {
    let r = client.get("/api/v1/fax");
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

/// The ids of the boxes and of each box's faxes, as listed.
fn listed(client: &mut Client) -> Vec<(i64, Vec<i64>)> {
    overview(client)["boxes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let faxes = b["faxes"].as_array().unwrap();
            (
                b["id"].as_i64().unwrap(),
                faxes.iter().map(|f| f["id"].as_i64().unwrap()).collect(),
            )
        })
        .collect()
}

/// A received fax in `fax_box` with its PDF written under the data folder.
fn received(s: &TestServer, fax_box: i64, remote: &str, file: &str, at: i64) -> i64 {
    let path = s.data_dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, PDF).unwrap();
    let id = s
        .block_on(s.store.fax_receiving(fax_box, remote, at))
        .unwrap();
    s.block_on(
        s.store
            .fax_received(id, 2, file, Some("AMT MUENCHEN"), at + 30_000),
    )
    .unwrap();
    id
}

fn audited(s: &TestServer, prefix: &str) -> Vec<store::AuditEntry> {
    s.block_on(s.store.audit_entries(&AuditFilter {
        person: None,
        action_prefix: Some(prefix.into()),
        since: None,
        until: None,
        limit: 100,
    }))
    .unwrap()
}

#[test]
fn people_see_open_and_delete_the_faxes_of_the_boxes_they_use() {
    for s in on_every_database(options) {
        let l = s.label;
        let carl = s.staff_id("c.clerk");
        let bauamt = s
            .block_on(s.store.unit_id_by_path("Bauamt"))
            .unwrap()
            .unwrap();
        let statik = s
            .block_on(s.store.unit_id_by_path("Bauamt/Statik"))
            .unwrap()
            .unwrap();
        let mk = |number: &str, owner| {
            s.block_on(s.store.create_fax_box(number, owner, None, 1))
                .unwrap()
                .id
        };
        let own = mk("+4989123501", FaxOwner::Person(carl));
        let unit = mk("2590", FaxOwner::Unit(bauamt));
        let sub = mk("2591", FaxOwner::Unit(statik));

        let first = received(&s, own, "+4930111222", "fax/in/1.pdf", 1_772_629_920_000);
        let second = received(&s, own, "+4930333444", "fax/in/2.pdf", 1_772_629_990_000);
        let coming = s
            .block_on(s.store.fax_receiving(unit, "+4940555", 1_772_630_000_000))
            .unwrap();
        let queued = s
            .block_on(s.store.queue_fax(
                unit,
                s.staff_id("d.new"),
                "+4940666",
                "fax/out/3.tiff",
                4,
                1_772_630_100_000,
            ))
            .unwrap();
        std::fs::create_dir_all(s.data_dir.join("fax/out")).unwrap();
        std::fs::write(s.data_dir.join("fax/out/3.tiff"), b"II*\0").unwrap();

        // Carl: his own box first, then Bauamt's; not the sub-unit's.
        let mut carl_c = s.signed_in("c.clerk");
        assert_eq!(
            listed(&mut carl_c),
            [(own, vec![second, first]), (unit, vec![queued, coming])],
            "{l}"
        );
        let all = overview(&mut carl_c);
        // Whether this server can send is the fax service's to say; a reason when not.
        assert_eq!(
            all["available"] == false,
            all["unavailable_reason"].is_string(),
            "{l}: {all}"
        );
        let mine = &all["boxes"][0];
        assert_eq!(
            (
                mine["number"].as_str(),
                mine["name"].as_str(),
                mine["kind"].as_str()
            ),
            (Some("+4989123501"), Some("Carl Clerk"), Some("person")),
            "{l}"
        );
        let f = &mine["faxes"][1];
        assert_eq!(f["direction"], "in");
        assert_eq!(f["remote"], "+4930111222");
        assert_eq!(f["remote_ident"], "AMT MUENCHEN");
        assert_eq!(
            (f["pages"].as_i64(), f["status"].as_str()),
            (Some(2), Some("received"))
        );
        assert_eq!(f["created_at"], "2026-03-04T13:12:00Z");
        assert_eq!(f["finished_at"], "2026-03-04T13:12:30Z");
        assert_eq!(f["pdf"], format!("/api/v1/fax/{first}/pdf"));
        let shared = &all["boxes"][1];
        assert_eq!(
            (shared["name"].as_str(), shared["kind"].as_str()),
            (Some("Bauamt"), Some("unit"))
        );
        let out = &shared["faxes"][0];
        assert_eq!(
            (out["direction"].as_str(), out["status"].as_str()),
            (Some("out"), Some("queued"))
        );
        assert_eq!(out["sender"], "Dora Neu", "{l}");
        assert_eq!(
            (out["pages"].as_i64(), out["attempts"].as_i64()),
            (Some(4), Some(0))
        );
        assert_eq!(out["next_attempt_at"], "2026-03-04T13:15:00Z");
        assert_eq!(out["pdf"], Value::Null, "{l}: no PDF while queued");

        // Eva of the sub-unit uses Bauamt's box and her unit's; Bärbel none of these.
        let mut eva = s.signed_in("e.statik");
        assert_eq!(
            listed(&mut eva),
            [(unit, vec![queued, coming]), (sub, vec![])],
            "{l}"
        );
        let mut baerbel = s.signed_in("b.user");
        assert!(listed(&mut baerbel).is_empty(), "{l}");

        // The PDF: inline, named by its local time and number; to no one else.
        let pdf = carl_c.get(&format!("/api/v1/fax/{first}/pdf"));
        assert_eq!(pdf.status, 200, "{l}: {}", pdf.body);
        assert_eq!(pdf.header("content-type"), Some("application/pdf"));
        assert_eq!(
            pdf.header("content-disposition"),
            Some("inline; filename=\"Fax-2026-03-04-1412-+4930111222.pdf\"")
        );
        assert_eq!(pdf.bytes, PDF, "{l}");
        let mut dora = s.signed_in("d.new");
        for (who, client) in [("d.new", &mut dora), ("b.user", &mut baerbel)] {
            let r = client.get(&format!("/api/v1/fax/{first}/pdf"));
            assert_eq!(r.status, 404, "{l}: {who}");
            assert_eq!(r.json()["message"], "Dieses Fax gibt es nicht (mehr).");
            assert_eq!(client.get("/api/v1/fax/999999/pdf").status, 404);
        }
        let none = dora.get(&format!("/api/v1/fax/{queued}/pdf"));
        assert_eq!(none.status, 404, "{l}: a queued fax has no PDF yet");

        // Deleting: not another's, not one on the line; one's own with its files.
        let mut carl_ws = ws::connect(&carl_c, None);
        let r = baerbel.request("DELETE", &format!("/api/v1/fax/{first}"), None);
        assert_eq!(r.status, 404, "{l}");
        let r = dora.request("DELETE", &format!("/api/v1/fax/{first}"), None);
        assert_eq!(r.status, 404, "{l}: Carl's own box is not Dora's");
        let r = dora.request("DELETE", &format!("/api/v1/fax/{coming}"), None);
        assert_eq!(r.status, 409, "{l}: {}", r.body);
        assert!(r.json()["message"]
            .as_str()
            .unwrap()
            .contains("gerade übertragen"));
        assert!(s.block_on(s.store.fax(coming)).unwrap().is_some());

        let r = carl_c.request("DELETE", &format!("/api/v1/fax/{first}"), None);
        assert_eq!(
            (r.status, r.json()["id"].as_i64()),
            (200, Some(first)),
            "{l}"
        );
        assert!(
            !s.data_dir.join("fax/in/1.pdf").exists(),
            "{l}: the PDF went"
        );
        assert!(s.data_dir.join("fax/in/2.pdf").exists(), "{l}");
        assert_eq!(s.block_on(s.store.fax(first)).unwrap(), None);
        carl_ws.wait_for(|f| f["type"] == "fax.changed" && f["box"] == own);
        assert_eq!(carl_c.get(&format!("/api/v1/fax/{first}/pdf")).status, 404);

        // Dora deletes the queued fax of Bauamt's box: its TIFF goes, Carl is told.
        let r = dora.request("DELETE", &format!("/api/v1/fax/{queued}"), None);
        assert_eq!(r.status, 200, "{l}: {}", r.body);
        assert!(!s.data_dir.join("fax/out/3.tiff").exists(), "{l}");
        carl_ws.wait_for(|f| f["type"] == "fax.changed" && f["box"] == unit);
        assert_eq!(
            listed(&mut carl_c),
            [(own, vec![second]), (unit, vec![coming])],
            "{l}"
        );

        let deleted = audited(&s, "fax.deleted");
        assert_eq!(deleted.len(), 2, "{l}");
        assert_eq!(deleted[0].actor.as_deref(), Some("d.new"));
        assert!(
            deleted[0].detail.contains(&format!("fax {queued}")),
            "{}",
            deleted[0].detail
        );
        assert_eq!(deleted[1].actor.as_deref(), Some("c.clerk"));
    }
}

/// A form as a browser sends it: `fields` as text, then `file` (name, bytes) if any.
fn form(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--xx\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--xx\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
                 Content-Type: application/pdf\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"--xx--\r\n");
    body
}

fn post_form(client: &mut Client, body: &[u8]) -> testkit::http::Reply {
    client.request_raw(
        "POST",
        "/api/v1/fax",
        "multipart/form-data; boundary=xx",
        body,
    )
}

/// What the web checks before the server's fax service converts anything: each refusal
/// names its field in German, and nothing is stored. While the server cannot send faxes
/// (no fax service, or one that says why not), every send is a 503 with the reason.
#[test]
fn bad_sends_are_refused_at_their_field_and_store_nothing() {
    let s = start(options());
    let carl = s.staff_id("c.clerk");
    let dora = s.staff_id("d.new");
    let mk = |number: &str, owner| {
        s.block_on(s.store.create_fax_box(number, owner, None, 1))
            .unwrap()
            .id
    };
    let own = mk("2599", FaxOwner::Person(carl)).to_string();
    let doras = mk("2598", FaxOwner::Person(dora)).to_string();
    let mut c = s.signed_in("c.clerk");
    let nothing_stored = || {
        for b in s.block_on(s.store.fax_boxes()).unwrap() {
            assert!(s
                .block_on(s.store.faxes_of_box(b.id, 10))
                .unwrap()
                .is_empty());
        }
    };
    let page = overview(&mut c);
    let good = form(
        &[("box", own.as_str()), ("number", "089 123456")],
        Some(("a.pdf", PDF)),
    );
    if page["available"] == false {
        let r = post_form(&mut c, &good);
        assert_eq!(r.status, 503, "{}", r.body);
        assert_eq!(r.json()["message"], page["unavailable_reason"]);
        nothing_stored();
        return;
    }
    let cases: [(Vec<u8>, u16, &str, &str); 8] = [
        (
            b"no form".to_vec(),
            400,
            "file",
            "Das Formular kam nicht vollständig an. Bitte erneut senden.",
        ),
        (
            form(
                &[("box", own.as_str()), ("number", "089 123456")],
                Some(("bild.pdf", b"GIF89a...")),
            ),
            400,
            "file",
            "Die Datei ist kein PDF. Bitte eine PDF-Datei wählen.",
        ),
        (
            form(
                &[("box", own.as_str()), ("number", "089 123456")],
                Some(("leer.pdf", b"")),
            ),
            400,
            "file",
            "Bitte eine PDF-Datei wählen.",
        ),
        (
            form(&[("box", own.as_str()), ("number", "089 123456")], None),
            400,
            "file",
            "Bitte eine PDF-Datei wählen.",
        ),
        (
            form(
                &[("box", own.as_str()), ("number", " ")],
                Some(("a.pdf", PDF)),
            ),
            400,
            "number",
            "Bitte die Faxnummer der Gegenstelle eingeben.",
        ),
        (
            form(
                &[("box", own.as_str()), ("number", "089-FAX")],
                Some(("a.pdf", PDF)),
            ),
            400,
            "number",
            "Die Faxnummer darf nur Ziffern enthalten (mit + am Anfang für internationale \
             Nummern; Leerzeichen, / und - sind erlaubt).",
        ),
        (
            form(&[("number", "089 123456")], Some(("a.pdf", PDF))),
            400,
            "box",
            "Bitte einen Faxeingang wählen.",
        ),
        (
            form(
                &[("box", doras.as_str()), ("number", "089 123456")],
                Some(("a.pdf", PDF)),
            ),
            404,
            "",
            "Diesen Faxeingang gibt es nicht.",
        ),
    ];
    for (body, status, field, message) in cases {
        let r = post_form(&mut c, &body);
        assert_eq!(r.status, status, "{}", r.body);
        let answer = r.json();
        assert_eq!(answer["message"], message);
        if !field.is_empty() {
            assert_eq!(answer["field"], field, "{}", r.body);
        }
    }
    nothing_stored();
    // What the server's service then answers is its own tests' (crates/server/tests);
    // here only: never a 500, and nothing stored unless it was queued.
    let r = post_form(&mut c, &good);
    assert_ne!(r.status, 500, "{}", r.body);
    if r.status != 201 {
        nothing_stored();
    }
}

#[test]
fn administrators_make_and_remove_boxes_and_nobody_else_does() {
    let s = start(options());
    let mut carl = s.signed_in("c.clerk");
    let mut carl_ws = ws::connect(&carl, None);
    for (method, path) in [
        ("GET", "/api/v1/admin/fax/boxes"),
        ("POST", "/api/v1/admin/fax/boxes"),
        ("DELETE", "/api/v1/admin/fax/boxes/1"),
    ] {
        let body = (method == "POST").then(|| json!({"number": "2599", "login": "c.clerk"}));
        let r = carl.request(method, path, body);
        assert_eq!(r.status, 403, "{method} {path}: {}", r.body);
    }
    assert!(s.block_on(s.store.fax_boxes()).unwrap().is_empty());

    let mut admin = s.signed_in("a.admin");
    let boxes = "/api/v1/admin/fax/boxes";
    // Bad input, each at its field; nothing written.
    let refusals = [
        (json!({"number": "25a9", "login": "c.clerk"}), 400, "number"),
        (
            json!({"number": "+049891", "login": "c.clerk"}),
            400,
            "number",
        ),
        (json!({"number": "2599"}), 400, "owner"),
        (
            json!({"number": "2599", "login": "c.clerk", "unit": "Bauamt"}),
            400,
            "owner",
        ),
        (json!({"number": "2599", "login": "nobody"}), 400, "login"),
        (json!({"number": "2599", "unit": "Gibtsnicht"}), 400, "unit"),
        (json!({"number": "2599", "unit": 999_999}), 400, "unit"),
        (
            json!({"number": "2599", "unit": "Bauamt", "email": "kein at"}),
            400,
            "email",
        ),
        (
            json!({"number": "2599", "login": "c.clerk", "email": "c@x.example"}),
            400,
            "email",
        ),
    ];
    for (body, status, field) in refusals {
        let r = admin.post(boxes, body.clone());
        assert_eq!(r.status, status, "{body}: {}", r.body);
        assert_eq!(r.json()["field"], field, "{body}");
    }
    let taken = admin.post(boxes, json!({"number": "2502", "unit": "Bauamt"}));
    assert_eq!(taken.status, 409, "{}", taken.body);
    assert_eq!(
        taken.json()["message"],
        "Die Nummer 2502 ist schon die Durchwahl von Dora Neu."
    );
    let unknown = admin.post(
        boxes,
        json!({"number": "2599", "login": "c.clerk", "extra": 1}),
    );
    assert_eq!(unknown.status, 422, "{}", unknown.body);
    assert!(s.block_on(s.store.fax_boxes()).unwrap().is_empty());
    assert!(audited(&s, "admin.fax").is_empty());

    // A person's box (separators dropped) and a unit's with its address.
    let made = admin.post(
        boxes,
        json!({"number": "+49 89 123-501", "login": "c.clerk"}),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let person_box = made.json();
    assert_eq!(person_box["number"], "+4989123501");
    assert_eq!(
        (person_box["kind"].as_str(), person_box["login"].as_str()),
        (Some("person"), Some("c.clerk"))
    );
    carl_ws.wait_for(|f| f["type"] == "fax.changed" && f["box"] == person_box["id"]);
    let unit = admin.post(
        boxes,
        json!({"number": "2590", "unit": "Bauamt", "email": " Bauamt@Stadt.example "}),
    );
    assert_eq!(unit.status, 201, "{}", unit.body);
    let unit_box = unit.json();
    assert_eq!(unit_box["unit"], "Bauamt");
    assert_eq!(unit_box["name"], "Bauamt");
    let again = admin.post(boxes, json!({"number": "2590", "login": "d.new"}));
    assert_eq!(again.status, 409, "{}", again.body);
    let by_id = s
        .block_on(s.store.unit_id_by_path("Bauamt/Statik"))
        .unwrap()
        .unwrap();
    let sub = admin.post(boxes, json!({"number": "2591", "unit": by_id}));
    assert_eq!(sub.status, 201, "{}", sub.body);

    let list = admin.get(boxes);
    assert_eq!(list.status, 200);
    let listed = list.json();
    let numbers: Vec<&str> = listed["boxes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["+4989123501", "2590", "2591"]);
    assert_eq!(listed["boxes"][1]["email"], "Bauamt@stadt.example");
    assert_eq!(overview(&mut carl)["boxes"].as_array().unwrap().len(), 2);

    // Removed with its faxes and their files; Carl is told.
    let unit_id = unit_box["id"].as_i64().unwrap();
    let fax = received(&s, unit_id, "+4930111", "fax/in/9.pdf", 1_000);
    let r = admin.request("DELETE", &format!("{boxes}/{unit_id}"), None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["faxes"], 1);
    assert!(!s.data_dir.join("fax/in/9.pdf").exists());
    assert_eq!(s.block_on(s.store.fax(fax)).unwrap(), None);
    carl_ws.wait_for_within(Duration::from_secs(5), |f| {
        f["type"] == "fax.changed" && f["box"] == unit_id
    });
    assert_eq!(
        admin
            .request("DELETE", &format!("{boxes}/{unit_id}"), None)
            .status,
        404
    );
    assert_eq!(overview(&mut carl)["boxes"].as_array().unwrap().len(), 1);

    let actions: Vec<String> = audited(&s, "admin.fax")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "admin.fax.box_deleted",
            "admin.fax.box_created",
            "admin.fax.box_created",
            "admin.fax.box_created"
        ]
    );
}
