//! Second-factor secrets encrypted at rest with the data folder's key file, `secrets.key`
//! (issue 20, docs/secrets-key.md), on SQLite and on PostgreSQL when the run has one.
//!
//! - In-process server: an enrolled authenticator's secret is not in the database column,
//!   signing in with a code works, the key file has 32 bytes and mode 0600; a plain secret
//!   written the old way is encrypted at the next start (once) and still signs in.
//! - The `durchwahl serve` binary: with the key file removed or replaced while encrypted
//!   secrets exist it refuses to start, says what to restore, and changes nothing; with the
//!   key restored it starts.

use serde_json::json;
use sqlx::{AnyPool, Row};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use store::{Backend, DatabaseUrl, Store};
use testkit::server::{start_on, Options, PASSWORD};

const BIN: &str = env!("CARGO_BIN_EXE_durchwahl");

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A pool beside the store, for reading and writing the column as it is.
async fn raw(url: &DatabaseUrl) -> AnyPool {
    sqlx::any::install_default_drivers();
    let url = match url.backend() {
        Backend::Sqlite => format!("{}?mode=rw", url.unredacted()),
        Backend::Postgres => url.unredacted().to_string(),
    };
    AnyPool::connect(&url).await.unwrap()
}

/// `(staff_id, secret)` of every TOTP factor, as stored.
fn column(url: &DatabaseUrl) -> Vec<(i64, String)> {
    block_on(async {
        let pool = raw(url).await;
        let rows = sqlx::query("SELECT staff_id, secret FROM totp_factors ORDER BY staff_id")
            .fetch_all(&pool)
            .await
            .unwrap();
        pool.close().await;
        rows.iter()
            .map(|r| (r.get::<i64, _>(0), r.get::<String, _>(1)))
            .collect()
    })
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn databases() -> Vec<testkit::TestDb> {
    block_on(testkit::databases())
}

/// Signs `login` in with the password and then a TOTP code of `secret` at `at`.
fn sign_in_with_code(
    s: &testkit::server::TestServer,
    login: &str,
    secret: &auth::totp::TotpSecret,
    at: u64,
) -> u16 {
    let mut c = s.client();
    let first = c.post(
        "/api/v1/auth/login",
        json!({"login": login, "password": PASSWORD}),
    );
    assert_eq!(first.json()["status"], "second_factor", "{}", first.body);
    let code = auth::totp::code_at(secret, at);
    c.post(
        "/api/v1/auth/second-factor",
        json!({"method": "totp", "code": code}),
    )
    .status
}

#[test]
fn enrolled_secrets_are_encrypted_and_plain_ones_are_encrypted_at_the_next_start() {
    for db in databases() {
        let url = db.url.clone();
        let s = start_on(db, Options::default());
        let label = s.label;

        let key_file = s.data_dir.join("secrets.key");
        let meta = std::fs::metadata(&key_file).expect("the key file is made at the start");
        assert_eq!(
            (meta.len(), meta.permissions().mode() & 0o777),
            (32, 0o600),
            "{label}"
        );
        let key = std::fs::read(&key_file).unwrap();

        // Enrol an authenticator app as a person does.
        let mut c = s.signed_in("b.user");
        let enrol = c
            .post("/api/v1/me/totp", json!({"password": PASSWORD}))
            .json();
        let plain = enrol["secret"].as_str().unwrap().to_string();
        let secret = auth::totp::TotpSecret::from_base32(&plain).unwrap();
        let confirmed = c.post(
            "/api/v1/me/totp/confirm",
            json!({"code": auth::totp::code_at(&secret, now())}),
        );
        assert_eq!(confirmed.status, 200, "{label}: {}", confirmed.body);

        let b = s.staff_id("b.user");
        let stored = column(&url);
        assert_eq!(stored.len(), 1, "{label}");
        assert_eq!(stored[0].0, b);
        assert!(
            stored[0].1.starts_with("v1:") && !stored[0].1.contains(&plain),
            "{label}: the column holds {:?}",
            stored[0].1
        );
        // The next step's code: newer than the one used to confirm.
        assert_eq!(sign_in_with_code(&s, "b.user", &secret, now() + 30), 200);

        // A secret as older versions stored it: in plain text.
        let c_clerk = s.staff_id("c.clerk");
        let old_plain = auth::totp::TotpSecret::generate();
        block_on(async {
            let pool = raw(&url).await;
            sqlx::query(
                "INSERT INTO totp_factors (staff_id, secret, confirmed, last_step, created_at) \
                 VALUES ($1, $2, 1, NULL, 1)",
            )
            .bind(c_clerk)
            .bind(old_plain.to_base32())
            .execute(&pool)
            .await
            .unwrap();
            pool.close().await;
        });

        let s = s.restart(Options::default());
        assert_eq!(
            std::fs::read(&key_file).unwrap(),
            key,
            "{label}: the key is kept"
        );
        let after = column(&url);
        assert_eq!(after.len(), 2, "{label}");
        assert_eq!(
            after[0], stored[0],
            "{label}: encrypted ones are left alone"
        );
        assert_eq!(after[1].0, c_clerk);
        assert!(
            after[1].1.starts_with("v1:") && !after[1].1.contains(&old_plain.to_base32()),
            "{label}: the plain secret is encrypted at the start: {:?}",
            after[1].1
        );
        assert_eq!(
            sign_in_with_code(&s, "c.clerk", &old_plain, now()),
            200,
            "{label}"
        );

        // Once: another start leaves every value as it is.
        let s = s.restart(Options::default());
        assert_eq!(column(&url), after, "{label}");
        drop(s);
    }
}

/// How `durchwahl serve` went.
enum Started {
    /// It exited before listening, with this on stderr.
    Refused(String),
    /// It listens on this address.
    Listening(std::process::Child, String),
}

/// `durchwahl serve` on `url` and `data`, until it listens or exits.
// A listening child is handed to the caller, who kills and waits for it.
#[allow(clippy::zombie_processes)]
fn serve(url: &DatabaseUrl, data: &Path) -> Started {
    use std::io::BufRead;
    let log = data.with_extension("log");
    let mut child = testkit::process::command(BIN)
        .args([
            "serve",
            "--http-listen",
            "127.0.0.1:0",
            "--sip-listen",
            "127.0.0.1:0",
            "--database-url",
            url.unredacted(),
            "--data-dir",
            data.to_str().unwrap(),
            "--log-level",
            "warn",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    loop {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            assert!(!child.wait().unwrap().success(), "exited without listening");
            return Started::Refused(std::fs::read_to_string(&log).unwrap());
        }
        if let Some(address) = line.strip_prefix("listening on http://") {
            let address = address.trim().trim_end_matches('/').to_string();
            // Keep draining stdout so the server never blocks on a full pipe.
            std::thread::spawn(move || for _ in out.lines() {});
            return Started::Listening(child, address);
        }
    }
}

fn refused(started: Started) -> String {
    match started {
        Started::Refused(error) => error,
        Started::Listening(mut child, _) => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the server started")
        }
    }
}

#[test]
fn a_missing_or_other_key_over_encrypted_secrets_stops_the_start_and_changes_nothing() {
    for db in databases() {
        let (url, label) = (db.url.clone(), db.label);
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        // One person with an encrypted secret, through the start-up code of the server.
        block_on(async {
            let mut store = Store::open(&url).await.unwrap();
            let plan = directory::plan_import(
                &store.snapshot().await.unwrap(),
                directory::parse_staff_csv(testkit::server::STAFF.as_bytes()),
            );
            store.apply_import(&plan, &mut |_, _| {}).await.unwrap();
            durchwahl::secrets_key::unlock(&mut store, &data)
                .await
                .unwrap();
            let b = directory::Login::parse("b.user").unwrap();
            let b = store.account_by_login(&b).await.unwrap().unwrap().id;
            let secret = auth::totp::TotpSecret::generate().to_base32();
            assert!(store.begin_totp(b, &secret, 1).await.unwrap());
            store.close().await;
        });
        let key_file = data.join("secrets.key");
        let key = std::fs::read(&key_file).unwrap();
        let stored = column(&url);
        assert_eq!(stored.len(), 1, "{label}");

        std::fs::remove_file(&key_file).unwrap();
        let error = refused(serve(&url, &data));
        assert!(
            error.contains("secrets.key")
                && error.contains("is missing")
                && error.contains("restore secrets.key from the backup")
                && error.contains("No new key was made"),
            "{label}: {error}"
        );
        assert!(
            !key_file.exists(),
            "{label}: no new key over encrypted data"
        );
        assert_eq!(column(&url), stored, "{label}");

        let other = [0x5a_u8; 32];
        std::fs::write(&key_file, other).unwrap();
        let error = refused(serve(&url, &data));
        assert!(
            error.contains("does not match the database")
                && error.contains("Restore the secrets.key backed up together with this database")
                && error.contains("Nothing was changed"),
            "{label}: {error}"
        );
        assert_eq!(std::fs::read(&key_file).unwrap(), other, "{label}");
        assert_eq!(column(&url), stored, "{label}");

        std::fs::write(&key_file, &key).unwrap();
        let Started::Listening(mut child, address) = serve(&url, &data) else {
            panic!("{label}: does not start with the key restored");
        };
        let health = testkit::http::Client::new(&address).get("/healthz").status;
        let _ = child.kill();
        let _ = child.wait();
        assert_eq!(health, 200, "{label}");
        assert_eq!(column(&url), stored, "{label}");
    }
}
