//! `durchwahl backup` and `durchwahl restore`, run as the built binary (as cron runs it)
//! against a whole server in this process:
//!
//! - On every database: messages, an uploaded attachment and files in the data folder
//!   (a key file, a recording, a long path); a backup while a second client keeps writing
//!   messages; a restore into an empty folder (and an empty PostgreSQL database): every
//!   message acknowledged before the backup began is there, the files are byte-identical,
//!   the database is at the same migration. A restore into the non-empty folder, or into
//!   a non-empty database, is refused and changes nothing.
//! - On SQLite: an existing FILE is not overwritten; cut-off, damaged, path-escaping
//!   (`..`, absolute, symbolic link), unlisted and too-new archives are refused, and the
//!   target stays empty.

use serde_json::Value;
use sqlx::{Connection, Row};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use store::{DatabaseUrl, Store};
use testkit::http::Client;
use testkit::server::{start_on, Options, TestServer};

const BIN: &str = env!("CARGO_BIN_EXE_durchwahl");

/// Runs the binary with this data folder (and database, else SQLite in the folder).
fn durchwahl(data_dir: &Path, database: Option<&DatabaseUrl>, args: &[&str]) -> Output {
    let mut command = testkit::process::command(BIN);
    command.arg("--data-dir").arg(data_dir);
    if let Some(url) = database {
        command.arg("--database-url").arg(url.unredacted());
    }
    command.args(args).output().expect("run durchwahl")
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

fn unit_room(client: &mut Client) -> i64 {
    let rooms = client.get("/api/v1/rooms").json();
    rooms["rooms"]
        .as_array()
        .expect("rooms")
        .iter()
        .find(|r| r["kind"] == "unit")
        .expect("a unit room")["id"]
        .as_i64()
        .expect("an id")
}

/// Posts a message; its id once the server acknowledged it (committed).
fn post(client: &mut Client, room: i64, text: &str) -> i64 {
    let r = client.post(
        &format!("/api/v1/rooms/{room}/messages"),
        serde_json::json!({ "text": text }),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["id"].as_i64().expect("the message's id")
}

/// Every plain file below `dir` by path, without the SQLite database's own files.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let relative = path
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                folders.push(path);
            } else if !relative.starts_with("durchwahl.db") {
                files.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    files
}

/// Files the server keeps in its data folder besides uploads.
fn put_files(data_dir: &Path) {
    let key: Vec<u8> = (0..32u8)
        .map(|i| i.wrapping_mul(37).wrapping_add(11))
        .collect();
    std::fs::write(data_dir.join("secrets.key"), &key).unwrap();
    std::fs::set_permissions(
        data_dir.join("secrets.key"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    std::fs::create_dir_all(data_dir.join("voicemail/7")).unwrap();
    let recording: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(data_dir.join("voicemail/7/1.opus"), recording).unwrap();
    let long = format!("fax/{}/eingang-{}.pdf", "a".repeat(60), "b".repeat(60));
    std::fs::create_dir_all(data_dir.join(&long).parent().unwrap()).unwrap();
    std::fs::write(data_dir.join(long), b"%PDF-1.4 eins").unwrap();
}

/// The newest applied migration.
async fn migration(url: &DatabaseUrl) -> i64 {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url.unredacted())
        .await
        .unwrap();
    let version: i64 = sqlx::query("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .try_get(0)
        .unwrap();
    conn.close().await.unwrap();
    version
}

/// The manifest, the first entry of an archive (gzip or plain).
fn manifest_of(file: &Path) -> Value {
    let bytes = std::fs::read(file).unwrap();
    let reader: Box<dyn Read> = match bytes.starts_with(&[0x1f, 0x8b]) {
        true => Box::new(flate2::read::GzDecoder::new(bytes.as_slice())),
        false => Box::new(bytes.as_slice()),
    };
    let mut archive = tar::Archive::new(reader);
    let mut first = archive.entries().unwrap().next().unwrap().unwrap();
    assert_eq!(first.path().unwrap().to_str(), Some("manifest.json"));
    let mut json = String::new();
    first.read_to_string(&mut json).unwrap();
    serde_json::from_str(&json).unwrap()
}

/// A message the second client wrote, and when it was acknowledged.
type Acked = Arc<Mutex<Vec<(i64, String, Instant)>>>;

/// Keeps writing messages (as Dora, in the same room) until `stop`. A person may write 5
/// messages a second after a burst of 30; a refused one (429) is written again after the
/// pause the server asks for, as a client would.
fn keep_writing(
    server: &TestServer,
    room: i64,
    stop: Arc<AtomicBool>,
) -> (Acked, std::thread::JoinHandle<()>) {
    let acked: Acked = Arc::default();
    let mut client = server.signed_in("d.new");
    let list = acked.clone();
    let writer = std::thread::spawn(move || {
        let mut n = 0;
        while !stop.load(Ordering::Relaxed) {
            let text = format!("während der Sicherung {n}");
            let r = client.post(
                &format!("/api/v1/rooms/{room}/messages"),
                serde_json::json!({ "text": text }),
            );
            if r.status == 429 {
                std::thread::sleep(std::time::Duration::from_millis(200));
                continue;
            }
            assert_eq!(r.status, 201, "{}", r.body);
            let id = r.json()["id"].as_i64().expect("the message's id");
            list.lock().unwrap().push((id, text, Instant::now()));
            n += 1;
        }
    });
    (acked, writer)
}

#[test]
fn a_backup_during_writes_restores_everything_on_every_database() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for db in runtime.block_on(testkit::databases()) {
        let url = db.url.clone();
        let label = db.label;
        let server = start_on(db, Options::default());
        let mut carl = server.signed_in("c.clerk");
        let room = unit_room(&mut carl);
        let mut before: Vec<(i64, String)> = (0..5)
            .map(|i| format!("vor der Sicherung {i}"))
            .map(|t| (post(&mut carl, room, &t), t))
            .collect();
        let upload = carl.request_raw(
            "POST",
            &format!("/api/v1/rooms/{room}/attachments?name=Antrag.txt"),
            "text/plain",
            b"Inhalt des Antrags",
        );
        assert_eq!(upload.status, 201, "{label}: {}", upload.body);
        let attachment = upload.json()["id"].as_str().unwrap().to_owned();
        put_files(&server.data_dir);

        let stop = Arc::new(AtomicBool::new(false));
        let (acked, writer) = keep_writing(&server, room, stop.clone());
        while acked.lock().unwrap().len() < 3 {
            assert!(!writer.is_finished(), "{label}: the writer stopped");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("sicherung.tar.gz");
        let began = Instant::now();
        let out = durchwahl(
            &server.data_dir,
            Some(&url),
            &["backup", file.to_str().unwrap()],
        );
        let ended = Instant::now();
        stop.store(true, Ordering::Relaxed);
        writer.join().unwrap();
        assert!(out.status.success(), "{label}: {}", text(&out.stderr));
        let summary = text(&out.stdout);
        assert!(
            // The attachment, the files put there, secrets.key and gateway-signing.key.
            summary.starts_with(&format!("backup written to {}: 5 files", file.display())),
            "{label}: {summary}"
        );
        let acked = acked.lock().unwrap();
        before.extend(
            acked
                .iter()
                .filter(|(_, _, at)| *at < began)
                .map(|(id, t, _)| (*id, t.clone())),
        );
        let during = acked
            .iter()
            .filter(|(_, _, at)| (began..ended).contains(at))
            .count();
        assert!(
            during > 0,
            "{label}: the server took no writes during the backup"
        );
        if label == "postgres" {
            // Without pg_dump: a clear refusal naming the command, and no file.
            let elsewhere = folder.path().join("ohne-pg_dump.tar");
            let out = testkit::process::command(BIN)
                .env("PATH", "/nonexistent")
                .arg("--data-dir")
                .arg(&server.data_dir)
                .args(["--database-url", url.unredacted(), "backup"])
                .arg(&elsewhere)
                .output()
                .unwrap();
            let stderr = text(&out.stderr);
            assert!(!out.status.success(), "{stderr}");
            assert!(stderr.contains("pg_dump is not on PATH"), "{stderr}");
            assert!(stderr.contains("pg_dump --format=custom"), "{stderr}");
            assert!(!elsewhere.exists());
        }
        let names: Vec<String> = std::fs::read_dir(folder.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            ["sicherung.tar.gz"],
            "{label}: no scratch files left"
        );
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{label}: the backup holds secrets");

        let manifest = manifest_of(&file);
        let latest = runtime.block_on(migration(&url));
        assert_eq!(manifest["database"]["kind"], label, "{manifest}");
        assert_eq!(manifest["database"]["migration_version"], latest);
        assert_eq!(manifest["durchwahl_version"], env!("CARGO_PKG_VERSION"));
        let key = manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == "secrets.key")
            .expect("the key file is in the backup");
        assert_eq!(key["size"], 32);
        assert_eq!(key["sha256"].as_str().unwrap().len(), 64);

        // Restore into an empty folder (that does not exist yet) and an empty database.
        let target = tempfile::tempdir().unwrap();
        let restored = target.path().join("data");
        let fresh = match label {
            "postgres" => runtime.block_on(testkit::postgres()),
            _ => None,
        };
        let restored_url = match &fresh {
            Some(db) => db.url.clone(),
            None => DatabaseUrl::sqlite_in(&restored),
        };
        let explicit = fresh.as_ref().map(|db| &db.url);
        let out = durchwahl(&restored, explicit, &["restore", file.to_str().unwrap()]);
        assert!(out.status.success(), "{label}: {}", text(&out.stderr));
        assert!(
            text(&out.stdout).starts_with("restored "),
            "{label}: {}",
            text(&out.stdout)
        );
        assert_eq!(
            runtime.block_on(migration(&restored_url)),
            latest,
            "{label}: the same migration"
        );
        assert_eq!(
            tree(&restored),
            tree(&server.data_dir),
            "{label}: the same files"
        );
        let key_mode = std::fs::metadata(restored.join("secrets.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(key_mode & 0o777, 0o600, "{label}");
        let store = runtime.block_on(Store::open(&restored_url)).unwrap();
        for (id, text) in &before {
            let found = runtime.block_on(store.message(*id)).unwrap();
            assert_eq!(
                found.map(|m| m.text),
                Some(text.clone()),
                "{label}: message {id}"
            );
        }
        let file_row = runtime.block_on(store.attachment(&attachment)).unwrap();
        assert_eq!(file_row.map(|a| a.size), Some(18), "{label}");
        runtime.block_on(store.close());
        drop(server);

        // Into the now filled folder: refused, nothing changed.
        let was = tree(&restored);
        let db_was = std::fs::read(restored.join("durchwahl.db")).ok();
        let out = durchwahl(&restored, explicit, &["restore", file.to_str().unwrap()]);
        assert!(!out.status.success(), "{label}");
        assert!(
            text(&out.stderr).contains("is not empty"),
            "{label}: {}",
            text(&out.stderr)
        );
        assert_eq!(tree(&restored), was, "{label}");
        assert_eq!(
            std::fs::read(restored.join("durchwahl.db")).ok(),
            db_was,
            "{label}"
        );

        // An empty folder but a filled database: refused, the folder stays absent.
        let other = target.path().join("other");
        let out = durchwahl(
            &other,
            Some(&restored_url),
            &["restore", file.to_str().unwrap()],
        );
        assert!(!out.status.success(), "{label}");
        assert!(
            text(&out.stderr).contains("database") && text(&out.stderr).contains("is not empty"),
            "{label}: {}",
            text(&out.stderr)
        );
        assert!(!other.exists(), "{label}");
    }
}

/// A copy of `original` with `edit` applied to its manifest and `extra` entries appended.
fn rewrite(
    original: &Path,
    out: &Path,
    edit: impl Fn(&mut Value),
    extra: &[(tar::Header, Vec<u8>)],
) {
    let bytes = std::fs::read(original).unwrap();
    let mut archive = tar::Archive::new(bytes.as_slice());
    let mut builder = tar::Builder::new(Vec::new());
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let path = entry.path().unwrap().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        if path == Path::new("manifest.json") {
            let mut manifest: Value = serde_json::from_slice(&data).unwrap();
            edit(&mut manifest);
            data = serde_json::to_vec(&manifest).unwrap();
        }
        let mut header = entry.header().clone();
        header.set_size(data.len() as u64);
        builder
            .append_data(&mut header, &path, data.as_slice())
            .unwrap();
    }
    for (header, data) in extra {
        builder.append(header, data.as_slice()).unwrap();
    }
    std::fs::write(out, builder.into_inner().unwrap()).unwrap();
}

/// A plain-file entry named by raw bytes (so `..` and absolute names get through).
fn raw_entry(name: &[u8], data: &[u8]) -> (tar::Header, Vec<u8>) {
    let mut header = tar::Header::new_gnu();
    header.as_gnu_mut().unwrap().name[..name.len()].copy_from_slice(name);
    header.set_size(data.len() as u64);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    (header, data.to_vec())
}

#[test]
fn bad_archives_and_existing_files_are_refused_and_change_nothing() {
    let db = testkit::sqlite();
    let live_url = db.url.clone();
    let server = start_on(db, Options::default());
    put_files(&server.data_dir);
    let folder = tempfile::tempdir().unwrap();
    let plain = folder.path().join("sicherung.tar");
    let out = durchwahl(
        &server.data_dir,
        Some(&live_url),
        &["backup", plain.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    // An existing FILE is never overwritten.
    let was = std::fs::read(&plain).unwrap();
    let out = durchwahl(
        &server.data_dir,
        Some(&live_url),
        &["backup", plain.to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("already exists"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(&plain).unwrap(), was);
    // Nor is a backup written into the data folder.
    let inside = server.data_dir.join("x.tar");
    let out = durchwahl(
        &server.data_dir,
        Some(&live_url),
        &["backup", inside.to_str().unwrap()],
    );
    assert!(
        text(&out.stderr).contains("inside the data folder"),
        "{}",
        text(&out.stderr)
    );
    assert!(!inside.exists());

    let escaped = folder.path().join("escaped.txt");
    let mut cases: Vec<(&str, PathBuf, &str)> = Vec::new();
    let case = |name: &str| folder.path().join(name);

    // Cut off in the middle.
    std::fs::write(case("cut.tar"), &was[..was.len() / 2]).unwrap();
    cases.push(("cut off", case("cut.tar"), "incomplete"));
    // One byte of the recording changed (a plain tar: only the SHA-256 can tell).
    let mut flipped = was.clone();
    let at = flipped
        .windows(8)
        .position(|w| w == [0u8, 7, 14, 21, 28, 35, 42, 49])
        .expect("the recording's bytes")
        + 4000;
    flipped[at] ^= 0xff;
    std::fs::write(case("flipped.tar"), &flipped).unwrap();
    cases.push(("damaged file", case("flipped.tar"), "SHA-256"));
    // Damaged gzip.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&was).unwrap();
    let mut gz = gz.finish().unwrap();
    let middle = gz.len() / 2;
    gz[middle] ^= 0x55;
    std::fs::write(case("damaged.tar.gz"), &gz).unwrap();
    cases.push(("damaged gzip", case("damaged.tar.gz"), "damaged"));
    // Not a backup at all.
    std::fs::write(case("other.tar.gz"), b"just some bytes, not an archive").unwrap();
    cases.push((
        "not a backup",
        case("other.tar.gz"),
        "not a Durchwahl backup",
    ));
    // Escaping names and a link.
    let up = format!(
        "data/../../{}",
        escaped.file_name().unwrap().to_str().unwrap()
    );
    rewrite(
        &plain,
        &case("dotdot.tar"),
        |_| {},
        &[raw_entry(up.as_bytes(), b"boo")],
    );
    cases.push(("..", case("dotdot.tar"), "`..`"));
    let absolute = escaped.to_str().unwrap().as_bytes().to_vec();
    rewrite(
        &plain,
        &case("absolute.tar"),
        |_| {},
        &[raw_entry(&absolute, b"boo")],
    );
    cases.push(("absolute", case("absolute.tar"), "absolute"));
    let mut link = tar::Header::new_gnu();
    link.set_entry_type(tar::EntryType::Symlink);
    link.set_path("data/link").unwrap();
    link.set_link_name(folder.path()).unwrap();
    link.set_size(0);
    link.set_cksum();
    rewrite(&plain, &case("link.tar"), |_| {}, &[(link, Vec::new())]);
    cases.push(("symbolic link", case("link.tar"), "not a plain file"));
    rewrite(
        &plain,
        &case("unlisted.tar"),
        |_| {},
        &[raw_entry(b"data/extra.txt", b"x")],
    );
    cases.push(("unlisted", case("unlisted.tar"), "does not list"));
    // Written by a newer Durchwahl with a migration this build does not know.
    let future = |m: &mut Value| {
        m["durchwahl_version"] = "99.0.0".into();
        m["database"]["migration_version"] = 9999.into();
        m["database"]["migration"] = "9999_future".into();
    };
    rewrite(&plain, &case("newer.tar"), future, &[]);
    cases.push(("newer", case("newer.tar"), "does not know"));

    for (what, archive, says) in cases {
        let target = folder.path().join(format!("target-{what}"));
        let out = durchwahl(&target, None, &["restore", archive.to_str().unwrap()]);
        let stderr = text(&out.stderr);
        assert!(!out.status.success(), "{what}: restored");
        assert!(stderr.contains(says), "{what}: {stderr}");
        assert!(!target.exists(), "{what}: the target was touched");
        assert!(!escaped.exists(), "{what}: a file escaped");
    }

    // An untouched copy still restores (the cases above failed for their own reasons).
    let target = folder.path().join("target-good");
    let out = durchwahl(&target, None, &["restore", plain.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(tree(&target), tree(&server.data_dir));
}
