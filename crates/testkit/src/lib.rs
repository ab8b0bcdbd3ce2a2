//! Test support: throwaway databases on both backends, the whole server in the test's
//! process (`server`), blocking HTTP and WebSocket clients, the binary as a process for
//! the few tests that need one (CLI, signals, TLS reload), and test peers: a sans-IO SIP
//! phone on `sip::Transactions` and `sip::dialog` (`sip_phone`), an RTP peer
//! (`rtp_peer`), a fax machine (`fax_line`), an OpenID Connect provider for single sign-on (`oidc_provider`) and
//! a real SMTP receiver (`smtp`, aiosmtpd).
//!
//! SQLite is always available. PostgreSQL is used when `TEST_POSTGRES_URL` names a server
//! (the test script starts one); each test then gets a database of its own. Under CI
//! (`CI=true`) a missing PostgreSQL is an error, so coverage of it cannot silently vanish.
//! A test's PostgreSQL database is dropped when its [`TestDb`] is.
#![deny(missing_docs)]

pub mod desk_voice;
pub mod fax_line;
pub mod http;
pub mod oidc_provider;
pub mod process;
pub mod rtp_peer;
pub mod server;
pub mod sip_phone;
#[cfg(feature = "tls")]
pub mod slapd;
#[cfg(feature = "tls")]
pub mod smtp;
#[cfg(feature = "tls")]
pub mod tls;
pub mod upstream;
pub mod voicemail;
pub mod webrtc_peer;
pub mod ws;

use sqlx::Connection;
use std::sync::atomic::{AtomicU32, Ordering};
use store::DatabaseUrl;
use tempfile::TempDir;

/// A database for one test; an SQLite file is removed, a PostgreSQL database dropped, when
/// this is dropped.
pub struct TestDb {
    /// Where the database is.
    pub url: DatabaseUrl,
    /// Short name of the backend, for assertion messages.
    pub label: &'static str,
    _dir: Option<TempDir>,
    /// The PostgreSQL server's URL and the database's name, to drop it.
    postgres: Option<(String, String)>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((server, name)) = self.postgres.take() {
            drop_postgres_database(server, name);
        }
    }
}

/// Drops a test's PostgreSQL database, even with connections still open to it (a store
/// or a server process the test did not close). Blocks until done, inside a tokio runtime
/// or outside one alike: the work runs on a short-lived thread with a runtime of its own.
/// A failure is reported on stderr, never a panic (this runs in `Drop`, maybe unwinding).
fn drop_postgres_database(server: String, name: String) {
    let worker = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        runtime
            .block_on(async {
                let mut admin = sqlx::PgConnection::connect(&server)
                    .await
                    .map_err(|e| e.to_string())?;
                // WITH (FORCE), PostgreSQL 13+: ends the connections still open to it.
                sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                    .map_err(|e| e.to_string())?;
                admin.close().await.map_err(|e| e.to_string())
            })
            .map_err(|e| format!("{name}: {e}"))
    });
    match worker.join() {
        Ok(Ok(())) => {}
        Ok(Err(e)) => eprintln!("testkit: could not drop the test database {e}"),
        Err(_) => eprintln!("testkit: dropping a test database panicked"),
    }
}

/// A fresh SQLite database in a temporary folder.
pub fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("temporary folder");
    TestDb {
        url: DatabaseUrl::sqlite_in(dir.path()),
        label: "sqlite",
        _dir: Some(dir),
        postgres: None,
    }
}

impl TestDb {
    /// An SQLite database in a folder the test owns (`durchwahl.db` in it).
    pub fn sqlite_at(dir: &std::path::Path) -> TestDb {
        TestDb {
            url: DatabaseUrl::sqlite_in(dir),
            label: "sqlite",
            _dir: None,
            postgres: None,
        }
    }
}

/// The PostgreSQL server's URL, when the test run has one.
pub fn postgres_server() -> Option<String> {
    match std::env::var("TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but TEST_POSTGRES_URL is not set: run the tests through scripts/test")
        }
        _ => None,
    }
}

/// A fresh, empty PostgreSQL database, when the test run has a server.
pub async fn postgres() -> Option<TestDb> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let server = postgres_server()?;
    let name = format!(
        "dw_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    );
    let mut admin = sqlx::PgConnection::connect(&server)
        .await
        .unwrap_or_else(|e| panic!("TEST_POSTGRES_URL is set but unreachable: {e}"));
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create test database");
    let base = server.split('?').next().unwrap_or(&server);
    let root = base.rsplit_once('/').map_or(base, |(root, _)| root);
    let url = DatabaseUrl::parse(&format!("{root}/{name}")).expect("valid PostgreSQL URL");
    let _ = admin.close().await;
    Some(TestDb {
        url,
        label: "postgres",
        _dir: None,
        postgres: Some((server, name)),
    })
}

/// Every backend this test run covers: SQLite, and PostgreSQL when available.
pub async fn databases() -> Vec<TestDb> {
    let mut all = vec![sqlite()];
    all.extend(postgres().await);
    all
}
