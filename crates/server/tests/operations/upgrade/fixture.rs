//! What the upgrade test and the fixture's maker share: the data folder as one
//! `data.tar.gz`, the manifest (`expected.json`) and how its figures are read from a
//! SQLite file, and the built binary started and stopped as an operator does.
//!
//! The manifest's checked parts, each read by [`observe`] and compared by [`differences`]:
//! - `counts`: tables whose number of rows nothing but a person changes: exactly equal.
//! - `kept`: append-only tables (the audit log, queue events, the applied migrations):
//!   every row up to the fixture's newest `rowid` is still there; newer ones may follow.
//! - `rows`: a few exact rows, each a query whose rows are `json_array(...)`.
//! - `files`: the SHA-256 of every file of the data folder but the database.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use sqlx::{Connection, Row};
use std::collections::BTreeMap;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_durchwahl");
/// The data folder's archive in a fixture folder.
pub const ARCHIVE: &str = "data.tar.gz";
/// The manifest in a fixture folder.
pub const MANIFEST: &str = "expected.json";
/// The database file in a data folder.
pub const DATABASE: &str = "durchwahl.db";

/// Where the fixtures live: `crates/server/tests/fixtures`.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every plain file below `dir` by relative path, without the database's own files.
pub fn files(dir: &Path) -> BTreeMap<String, PathBuf> {
    let mut found = BTreeMap::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            let relative = path.strip_prefix(dir).unwrap().to_str().unwrap().to_owned();
            if path.is_dir() {
                folders.push(path);
            } else if !relative.starts_with(DATABASE) {
                found.insert(relative, path);
            }
        }
    }
    found
}

/// `{path: sha256}` of every file below `dir` but the database.
pub fn file_hashes(dir: &Path) -> Value {
    let hashes: Map<String, Value> = files(dir)
        .into_iter()
        .map(|(name, path)| (name, sha256(&std::fs::read(path).unwrap()).into()))
        .collect();
    Value::Object(hashes)
}

/// Unpacks a fixture's archive into `data` (which must not exist yet).
pub fn unpack(fixture: &Path, data: &Path) {
    assert!(!data.exists(), "{} exists", data.display());
    let file = std::fs::File::open(fixture.join(ARCHIVE)).unwrap();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    archive.set_preserve_permissions(true);
    std::fs::create_dir_all(data).unwrap();
    archive.unpack(data).unwrap();
}

/// The manifest of a fixture folder.
pub fn manifest(fixture: &Path) -> Value {
    let text = std::fs::read_to_string(fixture.join(MANIFEST)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A connection to the SQLite file, read-only unless `write`.
pub async fn connect(db: &Path, write: bool) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    let mode = if write { "rw" } else { "ro" };
    let url = format!("sqlite://{}?mode={mode}", db.display());
    sqlx::AnyConnection::connect(&url).await.unwrap()
}

async fn scalar(conn: &mut sqlx::AnyConnection, sql: &str) -> i64 {
    let row = sqlx::query(sql).fetch_one(&mut *conn).await;
    let row = row.unwrap_or_else(|e| panic!("{sql}: {e}"));
    row.try_get::<i64, _>(0).unwrap()
}

/// A table name as an SQL identifier.
fn quoted(table: &str) -> String {
    format!("\"{}\"", table.replace('"', "\"\""))
}

/// The manifest's `counts`, `kept` and `rows` as `db` holds them now: each count and each
/// query of `spec` measured again (a query that fails, e.g. on a dropped column, reads as
/// its error).
pub fn observe(db: &Path, spec: &Value) -> Value {
    block_on(async {
        let mut conn = connect(db, false).await;
        let mut counts = Map::new();
        for table in spec["counts"].as_object().unwrap().keys() {
            let sql = format!("SELECT COUNT(*) FROM {}", quoted(table));
            let n = match sqlx::query(&sql).fetch_one(&mut conn).await {
                Ok(row) => json!(row.try_get::<i64, _>(0).unwrap()),
                Err(e) => json!(e.to_string()),
            };
            counts.insert(table.clone(), n);
        }
        let mut kept = Map::new();
        for (table, was) in spec["kept"].as_object().unwrap() {
            let up_to = was["up_to_rowid"].as_i64().unwrap();
            let sql = format!(
                "SELECT COUNT(*) FROM {} WHERE rowid <= {up_to}",
                quoted(table)
            );
            let rows = scalar(&mut conn, &sql).await;
            kept.insert(table.clone(), json!({"up_to_rowid": up_to, "rows": rows}));
        }
        let mut rows = Vec::new();
        for query in spec["rows"].as_array().unwrap() {
            let sql = query["sql"].as_str().unwrap();
            let found = match sqlx::query(sql).fetch_all(&mut conn).await {
                Ok(found) => found
                    .iter()
                    .map(|r| {
                        serde_json::from_str::<Value>(&r.try_get::<String, _>(0).unwrap()).unwrap()
                    })
                    .collect(),
                Err(e) => json!(e.to_string()),
            };
            rows.push(json!({"what": query["what"], "sql": sql, "rows": found}));
        }
        conn.close().await.unwrap();
        json!({"counts": counts, "kept": kept, "rows": rows})
    })
}

/// What `seen` (from [`observe`]) lost or changed against `expected`, one line each.
pub fn differences(expected: &Value, seen: &Value) -> Vec<String> {
    let mut lost = Vec::new();
    for (table, n) in expected["counts"].as_object().unwrap() {
        if &seen["counts"][table] != n {
            lost.push(format!("{table}: {n} rows, now {}", seen["counts"][table]));
        }
    }
    for (table, was) in expected["kept"].as_object().unwrap() {
        let now = &seen["kept"][table]["rows"];
        if now != &was["rows"] {
            lost.push(format!(
                "{table}: {} rows up to rowid {}, now {now}",
                was["rows"], was["up_to_rowid"]
            ));
        }
    }
    let seen_rows = seen["rows"].as_array().unwrap();
    for (query, now) in expected["rows"].as_array().unwrap().iter().zip(seen_rows) {
        if query["rows"] != now["rows"] {
            lost.push(format!(
                "{}: was {}, now {}",
                query["what"].as_str().unwrap_or("?"),
                query["rows"],
                now["rows"]
            ));
        }
    }
    lost
}

/// The built binary serving a data folder, until [`Served::stop`].
pub struct Served {
    child: Option<Child>,
    /// `host:port` of its HTTP listener.
    pub address: String,
}

impl Served {
    /// `durchwahl <command>` (`serve` or `demo`) on `data`, once it listens.
    // The listening child is kept in `Served`, which stops (or kills) and waits for it.
    #[allow(clippy::zombie_processes)]
    pub fn start(command: &str, data: &Path, config: Option<&Path>) -> Served {
        let log = data.with_extension(format!("{command}.log"));
        let mut run = testkit::process::command(BIN);
        run.arg("--data-dir").arg(data);
        if let Some(config) = config {
            run.arg("--config").arg(config);
        }
        let mut child = run
            .args([command, "--http-listen", "127.0.0.1:0"])
            .args(["--sip-listen", "127.0.0.1:0", "--log-level", "warn"])
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        loop {
            let mut line = String::new();
            if out.read_line(&mut line).unwrap() == 0 {
                let status = child.wait().unwrap();
                let stderr = std::fs::read_to_string(&log).unwrap();
                panic!("durchwahl {command} exited ({status}) without listening:\n{stderr}");
            }
            if let Some(address) = line.strip_prefix("listening on http://") {
                let address = address.trim().trim_end_matches('/').to_string();
                // Keep draining stdout so the server never blocks on a full pipe.
                std::thread::spawn(move || for _ in out.lines() {});
                return Served {
                    child: Some(child),
                    address,
                };
            }
        }
    }

    pub fn client(&self) -> testkit::http::Client {
        testkit::http::Client::new(&self.address)
    }

    /// Stops it as systemd does (SIGTERM) and waits: it must exit cleanly.
    pub fn stop(mut self) {
        let mut child = self.child.take().unwrap();
        let pid = child.id().to_string();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -TERM {pid}");
        let status = child.wait().unwrap();
        assert!(status.success(), "durchwahl did not stop cleanly: {status}");
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Signs `login` in with the password and, when asked for it, a TOTP code of `secret`;
/// the client with its session, or the refusal.
pub fn sign_in(
    served: &Served,
    login: &str,
    password: &str,
    totp_secret: Option<&str>,
) -> Result<testkit::http::Client, String> {
    let mut client = served.client();
    let first = client.post(
        "/api/v1/auth/login",
        json!({"login": login, "password": password}),
    );
    match (first.status, first.json()["status"].as_str(), totp_secret) {
        (200, Some("ok"), None) => return Ok(client),
        (200, Some("second_factor"), Some(_)) => {}
        _ => return Err(format!("{login}: {} {}", first.status, first.body)),
    }
    let secret = auth::totp::TotpSecret::from_base32(totp_secret.unwrap()).unwrap();
    // The next step's code (one step of drift is allowed, RFC 6238 §5.2): right after the
    // fixture was made, this step's code may be the one that confirmed the enrolment.
    let code = auth::totp::code_at(&secret, now() + 30);
    let second = client.post(
        "/api/v1/auth/second-factor",
        json!({"method": "totp", "code": code}),
    );
    match second.status {
        200 => Ok(client),
        _ => Err(format!("{login}'s code: {} {}", second.status, second.body)),
    }
}

/// Reads a whole file (for the archive's entries).
pub fn read(path: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .unwrap()
        .read_to_end(&mut bytes)
        .unwrap();
    bytes
}
