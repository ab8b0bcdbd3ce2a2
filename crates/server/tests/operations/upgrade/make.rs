//! Makes the fixture of this release (`../../fixtures/make-release-fixture.sh` runs it):
//! `durchwahl demo` in a fresh data folder, a session through the HTTP API of what the
//! demo does not make (an authenticator app enrolled, a chat message with an attachment,
//! a hotline case), a clean stop, a desk phone through `durchwahl phones add`; then the
//! database VACUUMed into a copy and the data folder packed into `data.tar.gz`, with
//! `expected.json` and `README.md` beside it.

use super::fixture::{self, Served, ARCHIVE, BIN, DATABASE, MANIFEST};
use serde_json::{json, Map, Value};
use std::path::Path;

/// The demo's password of every account.
const PASSWORD: &str = "Musterstadt-2020";
/// Enrols an authenticator app; sends the chat message.
const CLERK: &str = "sachbearbeitung";
/// Writes the hotline case.
const AGENT: &str = "hotline";
const ATTACHMENT_NAME: &str = "Antrag-Aufenthaltstitel-Entwurf.txt";
const ATTACHMENT: &str = "Antrag auf Verlängerung des Aufenthaltstitels\n\
    Name: Ayşe Yılmaz\nGewünschter Termin: Dienstag, 9 Uhr\n";
const MESSAGE: &str = "Der Entwurf für Frau Yılmaz, bitte bis Freitag prüfen (§ 31 AufenthG).";

/// Tables that change with the clock, not with a migration: left out of the manifest.
const LEFT_OUT: &[(&str, &str)] = &[
    ("sessions", "sign-ins expire and are purged"),
    ("pending_logins", "half-done sign-ins expire"),
    ("login_failures", "counted per sign-in attempt"),
    ("presence", "set at start from the day's plan"),
    ("sip_bindings", "registrations expire"),
    ("tw_presence_marks", "set at start from the day's plan"),
    (
        "call_history",
        "older lines are deleted after the retention",
    ),
    (
        "mail_outbox",
        "sent mails are deleted; reminders add new ones",
    ),
    (
        "rollout_history",
        "today's snapshot is taken again at start",
    ),
    (
        "rollout_holders",
        "places are given up when agreements run out",
    ),
    (
        "rollout_waiting",
        "the next in line is admitted when a place is free",
    ),
    ("equipment_reservations", "offers run out"),
    ("equipment_waiting", "offers run out"),
    ("mw_reminders", "sent as agreements near their end"),
    ("desk_booking_halves", "unchecked bookings are released"),
    ("sqlite_sequence", "SQLite's own"),
];

/// Append-only tables: every row of the fixture stays, newer ones may follow.
const KEPT: &[&str] = &[
    "_sqlx_migrations",
    "audit_log",
    "queue_events",
    "mw_agreement_history",
];

/// The exact rows checked, each a query of `json_array(...)` rows.
fn row_queries(audit_up_to: i64) -> Vec<(&'static str, String)> {
    vec![
        (
            "people: login, name, extension, unit",
            "SELECT json_array(s.login, s.display_name, s.extension, u.path) FROM staff s \
             JOIN units u ON u.id = s.unit_id \
             WHERE s.login IN ('admin', 'teamleitung', 'hotline', 'sachbearbeitung') \
             ORDER BY s.login"
                .into(),
        ),
        (
            "the authenticator app: login, sealed secret, confirmed",
            "SELECT json_array(s.login, t.secret, t.confirmed) FROM totp_factors t \
             JOIN staff s ON s.id = t.staff_id ORDER BY s.login"
                .into(),
        ),
        (
            "chat messages: room, author, text, attachment",
            "SELECT json_array(r.name, s.login, m.text, a.id, a.name, a.content_type, a.size) \
             FROM chat_messages m JOIN chat_rooms r ON r.id = m.room_id \
             JOIN staff s ON s.id = m.author_id \
             LEFT JOIN chat_attachments a ON a.id = m.attachment_id ORDER BY m.id"
                .into(),
        ),
        (
            "hotline cases: hotline, caller, state, values",
            "SELECT json_array(h.name, c.caller_number, c.state, c.field_values) FROM cases c \
             JOIN hotlines h ON h.id = c.hotline_id ORDER BY c.id"
                .into(),
        ),
        (
            "mobile-work agreements: person, first and last day, days",
            "SELECT json_array(s.login, a.start_day, a.end_day, a.weekdays, a.per_week) \
             FROM mw_agreements a JOIN staff s ON s.id = a.staff_id ORDER BY a.id"
                .into(),
        ),
        (
            "voicemail: box, caller, length, file",
            "SELECT json_array(m.box_id, m.caller_number, m.duration_ms, m.file) \
             FROM voicemail_messages m ORDER BY m.id"
                .into(),
        ),
        (
            "faxes: direction, remote, pages, file",
            "SELECT json_array(direction, remote, pages, file) FROM faxes ORDER BY id".into(),
        ),
        (
            "desk phones: person, label, SIP user",
            "SELECT json_array(s.login, d.label, d.sip_username) FROM sip_devices d \
             JOIN staff s ON s.id = d.staff_id ORDER BY d.id"
                .into(),
        ),
        (
            "equipment: inventory number, kind, name",
            "SELECT json_array(inventory_number, kind, name) FROM equipment_items ORDER BY id"
                .into(),
        ),
        (
            "the organisation's settings",
            "SELECT json_array(key, value) FROM settings \
             WHERE key IN ('organisation', 'demo') ORDER BY key"
                .into(),
        ),
        (
            "the audit log up to the fixture",
            format!(
                "SELECT json_array(id, actor, action, target) FROM audit_log \
                 WHERE id <= {audit_up_to} ORDER BY id"
            ),
        ),
    ]
}

#[test]
#[ignore = "makes the release fixture; run by tests/fixtures/make-release-fixture.sh"]
fn make_release_fixture() {
    let fixtures = std::env::var_os("UPGRADE_FIXTURE_DIR")
        .map_or_else(fixture::fixtures, std::path::PathBuf::from);
    let commit = std::env::var("UPGRADE_FIXTURE_COMMIT").unwrap_or_else(|_| "unknown".into());
    let version = env!("CARGO_PKG_VERSION");
    let target = fixtures.join(format!("release-{version}"));
    assert!(
        !target.exists(),
        "{} exists: remove it to make it again",
        target.display()
    );
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");

    let demo = Served::start("demo", &data, None);
    let session = session(&demo);
    demo.stop();
    let phone = testkit::process::command(BIN)
        .arg("--data-dir")
        .arg(&data)
        .args([
            "phones",
            "add",
            CLERK,
            "--label",
            "Tischtelefon Zimmer 2.14",
        ])
        .output()
        .unwrap();
    assert!(
        phone.status.success(),
        "{}",
        String::from_utf8_lossy(&phone.stderr)
    );

    // The database VACUUMed into the folder that is packed: small, no -wal beside it.
    let packed = work.path().join("packed");
    std::fs::create_dir(&packed).unwrap();
    for (name, path) in fixture::files(&data) {
        let to = packed.join(&name);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(path, to).unwrap();
    }
    fixture::block_on(async {
        let mut conn = fixture::connect(&data.join(DATABASE), true).await;
        let into = packed.join(DATABASE);
        sqlx::query(&format!("VACUUM INTO '{}'", into.display()))
            .execute(&mut conn)
            .await
            .unwrap();
    });
    let database = packed.join(DATABASE);
    let manifest = manifest(&database, &packed, version, &commit, session);

    std::fs::create_dir_all(&target).unwrap();
    pack(&packed, &target.join(ARCHIVE));
    let pretty = serde_json::to_string_pretty(&manifest).unwrap() + "\n";
    std::fs::write(target.join(MANIFEST), pretty).unwrap();
    let archive_size = std::fs::metadata(target.join(ARCHIVE)).unwrap().len();
    std::fs::write(
        target.join("README.md"),
        readme(&manifest, &database, archive_size),
    )
    .unwrap();
    println!("wrote {} ({archive_size} bytes packed)", target.display());
}

/// What the session made, for the manifest.
fn session(demo: &Served) -> Value {
    let mut clerk = fixture::sign_in(demo, CLERK, PASSWORD, None).unwrap();
    let enrol = clerk.post("/api/v1/me/totp", json!({"password": PASSWORD}));
    assert_eq!(enrol.status, 200, "{}", enrol.body);
    let plain = enrol.json()["secret"].as_str().unwrap().to_string();
    let secret = auth::totp::TotpSecret::from_base32(&plain).unwrap();
    let code = auth::totp::code_at(&secret, fixture::now());
    let confirmed = clerk.post("/api/v1/me/totp/confirm", json!({"code": code}));
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);

    let rooms = clerk.get("/api/v1/rooms").json();
    let room = rooms["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "unit")
        .expect("the clerk's unit room")["id"]
        .as_i64()
        .unwrap();
    let upload = clerk.request_raw(
        "POST",
        &format!("/api/v1/rooms/{room}/attachments?name={ATTACHMENT_NAME}"),
        "text/plain",
        ATTACHMENT.as_bytes(),
    );
    assert_eq!(upload.status, 201, "{}", upload.body);
    let attachment = upload.json()["id"].as_str().unwrap().to_owned();
    let posted = clerk.post(
        &format!("/api/v1/rooms/{room}/messages"),
        json!({"text": MESSAGE, "attachment": attachment}),
    );
    assert_eq!(posted.status, 201, "{}", posted.body);
    let plain_message = clerk.post(
        &format!("/api/v1/rooms/{room}/messages"),
        json!({"text": "Danke, ich schaue es mir morgen früh an."}),
    );
    assert_eq!(plain_message.status, 201, "{}", plain_message.body);

    let mut agent = fixture::sign_in(demo, AGENT, PASSWORD, None).unwrap();
    let case = agent.post(
        "/api/v1/hotlines/1/cases",
        json!({"caller_number": "+49 9321 555 0172", "values": {
            "name": "Jörg Weiß", "anliegen": "Befund", "symptome": false,
            "notiz": "Befund vom Montag fehlt noch; Rückruf erbeten."}}),
    );
    assert_eq!(case.status, 201, "{}", case.body);
    json!({
        "totp": {"login": CLERK, "password": PASSWORD, "secret": plain},
        "attachment": {"member": CLERK, "room": room, "id": attachment,
            "sha256": fixture::sha256(ATTACHMENT.as_bytes()), "message": MESSAGE},
    })
}

/// The manifest of the packed folder.
fn manifest(database: &Path, packed: &Path, version: &str, commit: &str, session: Value) -> Value {
    let (tables, newest) = fixture::block_on(async {
        let mut conn = fixture::connect(database, false).await;
        let tables: Vec<String> = sqlx::query(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| sqlx::Row::get::<String, _>(r, 0))
        .collect();
        let mut newest = Map::new();
        for table in KEPT {
            let sql = format!("SELECT COALESCE(MAX(rowid), 0) FROM \"{table}\"");
            let row = sqlx::query(&sql).fetch_one(&mut conn).await.unwrap();
            newest.insert(table.to_string(), sqlx::Row::get::<i64, _>(&row, 0).into());
        }
        (tables, newest)
    });
    let left_out: Map<String, Value> = LEFT_OUT
        .iter()
        .map(|(t, why)| (t.to_string(), json!(why)))
        .collect();
    let counts: Map<String, Value> = tables
        .iter()
        .filter(|t| !left_out.contains_key(*t) && !KEPT.contains(&t.as_str()))
        .map(|t| (t.clone(), json!(0)))
        .collect();
    let kept: Map<String, Value> = newest
        .iter()
        .map(|(t, n)| (t.clone(), json!({"up_to_rowid": n, "rows": 0})))
        .collect();
    let rows: Vec<Value> = row_queries(newest["audit_log"].as_i64().unwrap())
        .into_iter()
        .map(|(what, sql)| json!({"what": what, "sql": sql, "rows": []}))
        .collect();
    let spec = json!({"counts": counts, "kept": kept, "rows": rows});
    let seen = fixture::observe(database, &spec);
    json!({
        "format": 1,
        "version": version,
        "commit": commit,
        "made_at": jiff::Timestamp::now().to_string(),
        "migration": newest["_sqlx_migrations"],
        "counts": seen["counts"],
        "kept": seen["kept"],
        "rows": seen["rows"],
        "files": fixture::file_hashes(packed),
        "sign_in": session["totp"],
        "attachment": session["attachment"],
        "left_out": left_out,
    })
}

/// A gzip'd tar of the folder, in name order, without owners or times.
fn pack(folder: &Path, archive: &Path) {
    let gz = flate2::write::GzEncoder::new(
        std::fs::File::create(archive).unwrap(),
        flate2::Compression::best(),
    );
    let mut tar = tar::Builder::new(gz);
    let mut names: Vec<String> = fixture::files(folder).into_keys().collect();
    names.push(DATABASE.into());
    names.sort();
    for name in names {
        let bytes = fixture::read(&folder.join(&name));
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(if name == "secrets.key" { 0o600 } else { 0o644 });
        header.set_mtime(0);
        header.set_cksum();
        tar.append_data(&mut header, &name, bytes.as_slice())
            .unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap();
}

/// The fixture's README: who made it, what it holds, how to make the next.
fn readme(manifest: &Value, database: &Path, archive_size: u64) -> String {
    let mut counts = String::new();
    for (table, n) in manifest["counts"].as_object().unwrap() {
        counts.push_str(&format!("| `{table}` | {n} |\n"));
    }
    for (table, kept) in manifest["kept"].as_object().unwrap() {
        counts.push_str(&format!("| `{table}` (append-only) | {} |\n", kept["rows"]));
    }
    let mut left_out = String::new();
    for (table, why) in manifest["left_out"].as_object().unwrap() {
        left_out.push_str(&format!("- `{table}`: {}\n", why.as_str().unwrap()));
    }
    let mut files = String::new();
    for name in manifest["files"].as_object().unwrap().keys() {
        files.push_str(&format!("  - `{name}`\n"));
    }
    format!(
        include_str!("readme_template.md"),
        version = manifest["version"].as_str().unwrap(),
        commit = manifest["commit"].as_str().unwrap(),
        made_at = manifest["made_at"].as_str().unwrap(),
        migration = manifest["migration"],
        database_size = std::fs::metadata(database).unwrap().len(),
        archive_size = archive_size,
        counts = counts,
        left_out = left_out,
        files = files,
        login = manifest["sign_in"]["login"].as_str().unwrap(),
    )
}
