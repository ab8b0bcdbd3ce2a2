//! The access gateway (`docs/gateway.md`) end to end: the `durchwahl` binary as a process
//! in front of a real upstream (`testkit::upstream`), staff imported and given passwords
//! through the CLI, sessions signed in over HTTP as a browser does. On SQLite; publishing
//! and the first access also on PostgreSQL when the run has one (`TEST_POSTGRES_URL`).
//! One test binary with a module per concern:
//!
//! - `admin`: publishing, changing and removing applications (201, 422 with the field and
//!   nothing changed, 409, 403, 401, CSRF), the admin list and the portal list
//!   (`GET /api/v1/apps`, only what a person may see, with `available` and `reason`).
//! - `access`: allowed and refused by unit (sub-units count, `Abteilung 2` is not
//!   `Abteilung 20`), role, feature, second factor, office network (behind a trusted
//!   proxy), hours (Europe/Berlin); a revoked session and a changed rule count at the very
//!   next request; `max_users`; not signed in.
//! - `forwarding`: the identity token (EdDSA against `/.well-known/jwks.json`, its
//!   claims), Durchwahl's cookies stripped and the rest kept, a forged identity and forged
//!   `X-Forwarded-*` replaced, redirects rewritten, WebSockets, timeouts (504) and an
//!   upstream that is down (502).
//! - `streams`: 200 MB up and 50 MB down, streamed, checked byte for byte, and the
//!   server's peak memory far below the body.
//! - `hostile`: encoded dots and slashes, double encoding, dot segments, backslashes, a
//!   name that only starts like another, smuggling headers: refused, never forwarded.
//! - `audit`: `gateway.access` and `gateway.refused` with person, application, address
//!   and reason, once per minute, and no content.
//! - `review`: what a security review found: path-parameter dot segments, overlong and
//!   look-alike dots, headers that name a person or a path, cookies and headers an
//!   upstream may not set, WebSockets ended by a sign-out or a changed rule, changed
//!   roles in the next token, TRACE, foreign origins, metadata upstreams, slow uploads
//!   against the timeout, junk names kept out of the audit log (`review_live`: what
//!   lasts over time, WebSockets, tokens, slow uploads).
//! - `hosting`: an application on a host name of its own, the handover from Durchwahl
//!   by a one-time code, its own cookie, and what stays apart from Durchwahl's origin.

mod access;
mod admin;
mod audit;
mod forwarding;
mod hostile;
mod hosting;
mod http;
mod review;
mod review_live;
mod streams;

use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Stdio;
use testkit::http::{Client, Reply};
use testkit::process::ServerProcess;
use testkit::server::PASSWORD;
use testkit::TestDb;

const BIN: &str = env!("CARGO_BIN_EXE_durchwahl");

/// The people of every gateway test: the fixture's four and two more, one in a sibling
/// sub-unit of Abteilung 2 and one in Abteilung 20 (which `Abteilung 2` must not match).
const STAFF: &str = "login,name,unit,extension,mobile,roles\n\
    a.admin,Anna Admin,Abteilung 2/Sachgebiet 23 IKT,2301,,admin;user\n\
    b.user,Bärbel Böhm,Gesundheitsamt/Hotline,2401,+49 151 5550123,user\n\
    c.clerk,Carl Clerk,Bauamt,2501,,user\n\
    d.new,Dora Neu,Bauamt,2502,,user\n\
    e.zwanzig,Emil Zwanzig,Abteilung 20,2001,,user\n\
    f.sach,Frieda Sach,Abteilung 2/Sachgebiet 21,2101,,user\n";

const LOGINS: [&str; 6] = [
    "a.admin",
    "b.user",
    "c.clerk",
    "d.new",
    "e.zwanzig",
    "f.sach",
];

/// `[auth]` lines and sections for a server behind a trusted proxy on loopback, with the
/// office at 10.20.0.0/16.
pub const BEHIND_PROXY: (&str, &str) = (
    "office_networks = [\"10.20.0.0/16\"]\n",
    "[http]\ntrusted_proxies = [\"127.0.0.1\"]\n",
);

/// A `durchwahl serve` process on its own database and data folder.
pub struct Gateway {
    pub server: ServerProcess,
    pub label: &'static str,
    pub address: String,
    data: PathBuf,
    _db: TestDb,
    _dir: tempfile::TempDir,
}

fn cli(db: &TestDb, data: &std::path::Path, args: &[&str], stdin: &str) {
    let mut cmd = testkit::process::command(BIN);
    cmd.args(args)
        .args(["--database-url", db.url.unredacted()])
        .arg("--data-dir")
        .arg(data)
        .args(["--log-level", "warn"]);
    let out = testkit::process::run_with_input(cmd, stdin);
    assert!(
        out.status.success(),
        "{}: durchwahl {args:?}: {}",
        db.label,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The binary on `db` with the staff imported, `auth` lines added to `[auth]` and
/// `sections` after it.
pub fn start(db: TestDb, config: (&str, &str)) -> Gateway {
    start_listening(db, config, "127.0.0.1:0")
}

/// A port on 127.0.0.1 that was free a moment ago, for a server whose configuration must
/// name its own address (`[gateway] portal_url`).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// [`start`] listening on `listen` (`127.0.0.1:PORT`).
pub fn start_listening(db: TestDb, (auth, sections): (&str, &str), listen: &str) -> Gateway {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let csv = dir.path().join("staff.csv");
    std::fs::write(&csv, STAFF).unwrap();
    cli(&db, &data, &["users", "import", csv.to_str().unwrap()], "");
    for login in LOGINS {
        cli(
            &db,
            &data,
            &["users", "set-password", login],
            &format!("{PASSWORD}\n"),
        );
    }
    let config = dir.path().join("durchwahl.toml");
    std::fs::write(
        &config,
        format!("[auth]\nlock_after_failures = 3\n{auth}{sections}"),
    )
    .unwrap();
    let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
    let mut cmd = testkit::process::command(BIN);
    cmd.arg("--config")
        .arg(&config)
        .args([
            "serve",
            "--http-listen",
            listen,
            "--sip-listen",
            "127.0.0.1:0",
            "--database-url",
            db.url.unredacted(),
            "--log-level",
            "info",
        ])
        .arg("--data-dir")
        .arg(&data)
        .stdin(Stdio::null())
        .stderr(log);
    let server = ServerProcess::start(cmd);
    Gateway {
        address: server.address.clone(),
        label: db.label,
        server,
        data,
        _db: db,
        _dir: dir,
    }
}

/// The binary on a fresh SQLite database.
pub fn sqlite(config: (&str, &str)) -> Gateway {
    start(testkit::sqlite(), config)
}

/// Every database this run covers.
pub fn databases() -> Vec<TestDb> {
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(testkit::databases())
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

impl Gateway {
    pub fn client(&self) -> Client {
        Client::new(&self.address)
    }

    /// A session signed in with the password only (`amr` `["pwd"]`).
    pub fn signed_in(&self, login: &str) -> Client {
        let mut c = self.client();
        let r = c.post(
            "/api/v1/auth/login",
            json!({"login": login, "password": PASSWORD}),
        );
        assert_eq!(
            (r.status, r.json()["status"].clone()),
            (200, json!("ok")),
            "{}: {login}: {}",
            self.label,
            r.body
        );
        c
    }

    /// Enrols an authenticator app for `login` (signed in with the password) and returns
    /// a fresh session signed in with the password and a TOTP code (`["pwd","otp"]`).
    /// From then on `login` can no longer sign in with the password alone.
    pub fn signed_in_with_code(&self, login: &str) -> Client {
        let mut c = self.signed_in(login);
        let enrol = c.post("/api/v1/me/totp", json!({"password": PASSWORD}));
        assert_eq!(enrol.status, 200, "{}: {}", self.label, enrol.body);
        let secret =
            auth::totp::TotpSecret::from_base32(enrol.json()["secret"].as_str().unwrap()).unwrap();
        let confirmed = c.post(
            "/api/v1/me/totp/confirm",
            json!({"code": auth::totp::code_at(&secret, now())}),
        );
        assert_eq!(confirmed.status, 200, "{}: {}", self.label, confirmed.body);
        let mut fresh = self.client();
        let first = fresh.post(
            "/api/v1/auth/login",
            json!({"login": login, "password": PASSWORD}),
        );
        assert_eq!(first.json()["status"], "second_factor", "{}", first.body);
        // The next step's code: newer than the one that confirmed the enrolment.
        let second = fresh.post(
            "/api/v1/auth/second-factor",
            json!({"method": "totp", "code": auth::totp::code_at(&secret, now() + 30)}),
        );
        assert_eq!(
            (second.status, second.json()["status"].clone()),
            (200, json!("ok")),
            "{}: {}",
            self.label,
            second.body
        );
        fresh
    }

    /// The peak resident memory of the server process so far, in KiB (`VmHWM`).
    pub fn peak_memory_kib(&self) -> u64 {
        let data = self.data.to_str().unwrap();
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
                continue;
            };
            let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
            let ours = args.contains(&b"serve".as_slice())
                && args.contains(&data.as_bytes())
                && args.first().is_some_and(|a| a.ends_with(b"durchwahl"));
            if !ours {
                continue;
            }
            let status = std::fs::read_to_string(entry.path().join("status")).unwrap();
            let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
            return line
                .split_whitespace()
                .nth(1)
                .and_then(|n| n.parse().ok())
                .unwrap();
        }
        panic!("no server process with data folder {data}");
    }
}

/// An application body with every field: `proxy` to `upstream`, no restriction, a 30 s
/// timeout; `change` adjusts it.
pub fn app(name: &str, upstream: &str, change: impl FnOnce(&mut Value)) -> Value {
    let mut body = json!({
        "name": name,
        "title": format!("Anwendung {name}"),
        "description": "Für die Tests",
        "kind": "proxy",
        "upstream": upstream,
        "units": [],
        "roles": [],
        "features": [],
        "second_factor": false,
        "office_only": false,
        "hours": null,
        "max_users": null,
        "timeout_secs": 30,
        "health_path": "/health",
    });
    change(&mut body);
    body
}

/// Publishes `body` as `admin` and expects 201.
pub fn publish(g: &Gateway, admin: &mut Client, body: Value) {
    let name = body["name"].as_str().unwrap_or_default().to_owned();
    let r = admin.post("/api/v1/admin/gateway/apps", body);
    assert_eq!(r.status, 201, "{}: publish {name}: {}", g.label, r.body);
}

/// Replaces the rule of `name` as `admin` and expects 200.
pub fn change(g: &Gateway, admin: &mut Client, body: Value) {
    let name = body["name"].as_str().unwrap().to_owned();
    let r = admin.request(
        "PUT",
        &format!("/api/v1/admin/gateway/apps/{name}"),
        Some(body),
    );
    assert_eq!(r.status, 200, "{}: change {name}: {}", g.label, r.body);
}

/// The reason a refusal names: the JSON `error` code, or a `reason` field if the
/// answer has one.
pub fn reason(reply: &Reply) -> String {
    let body = reply.json();
    body["reason"]
        .as_str()
        .or(body["error"].as_str())
        .unwrap_or_default()
        .to_owned()
}

/// Asserts a 403 whose reason is `why`.
#[track_caller]
pub fn assert_refused(reply: &Reply, why: &str, context: &str) {
    assert_eq!(reply.status, 403, "{context}: {}", reply.body);
    let body = reply.json();
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{context}: a message: {}",
        reply.body
    );
    assert_eq!(reason(reply), why, "{context}: {}", reply.body);
}
