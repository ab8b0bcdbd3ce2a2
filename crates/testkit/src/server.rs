//! The whole server in the test's own process: the real configuration, store, HTTP and
//! SIP service through `durchwahl::runtime::run`, on listeners bound to port 0, with the
//! staff of `tests/fixtures/staff.csv` seeded straight into the store and one password
//! hash computed once for everyone. Optionally on a fake clock that the test moves.
//!
//! Blocking clients (`crate::http`, `crate::ws`) talk to it over loopback like any
//! browser; the server runs on a runtime of its own, so tests stay plain `#[test]`s.

use crate::TestDb;
use durchwahl::config::Config;
use durchwahl::runtime::{self, RunOptions};
use live::clock::FakeClock;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use store::Store;

/// The password of everyone in the fixture.
pub const PASSWORD: &str = "Grüne Wiese am Inn";

/// The staff every test server starts with (`tests/fixtures/staff.csv`).
pub const STAFF: &str = include_str!("../../../tests/fixtures/staff.csv");

/// One argon2id hash of [`PASSWORD`] for every server of a test binary.
fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| auth::hash_password(PASSWORD))
}

/// What a test may choose.
pub struct Options {
    /// The configuration; listen addresses are replaced by port 0 on loopback.
    pub config: Config,
    /// Run on a fake clock starting now (moved with [`TestServer::advance`]).
    pub fake_clock: bool,
    /// How often open sockets' sessions are checked.
    pub session_check: Duration,
    /// Extra staff lines (CSV rows in the fixture's columns), also with [`PASSWORD`].
    pub extra_staff: String,
}

impl Default for Options {
    fn default() -> Self {
        let mut config = Config::default();
        // Fewer guesses before a lock, so lock tests stay short.
        config.auth.lock_after_failures = 3;
        config.sip.domain = "test.local".into();
        Options {
            config,
            fake_clock: false,
            session_check: Duration::from_millis(200),
            extra_staff: String::new(),
        }
    }
}

/// A running server; stops (and its database and files go) when dropped.
pub struct TestServer {
    /// `host:port` of HTTP.
    pub address: String,
    /// The SIP service's UDP and TCP address.
    pub sip: SocketAddr,
    /// The store (for checks and set-ups the API has no road for).
    pub store: Store,
    /// The fake clock, when asked for.
    pub clock: Option<Arc<FakeClock>>,
    /// The backend, for assertion messages.
    pub label: &'static str,
    /// The data folder (attachments live below it).
    pub data_dir: std::path::PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    runtime: Option<tokio::runtime::Runtime>,
    // Options only so that `restart` can hand them to the next server.
    files: Option<tempfile::TempDir>,
    db: Option<TestDb>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(Duration::from_secs(5));
        }
    }
}

/// A server on each database this run covers (SQLite, and PostgreSQL when available).
pub fn on_every_database(options: impl Fn() -> Options) -> Vec<TestServer> {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dbs = runtime.block_on(crate::databases());
    drop(runtime);
    dbs.into_iter().map(|db| start_on(db, options())).collect()
}

/// A server on SQLite.
pub fn start(options: Options) -> TestServer {
    start_on(crate::sqlite(), options)
}

/// A server on `db`.
pub fn start_on(db: TestDb, options: Options) -> TestServer {
    let files = tempfile::tempdir().expect("temporary folder");
    start_with(db, files, options)
}

/// A server on `db` with its files in `files`.
fn start_with(db: TestDb, files: tempfile::TempDir, options: Options) -> TestServer {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let data_dir = files.path().join("data");
    let mut config = options.config;
    config.http.listen = "127.0.0.1:0".parse().expect("address");
    config.sip.listen = "127.0.0.1:0".parse().expect("address");
    config.sip.tls_listen = "127.0.0.1:0".parse().expect("address");
    let clock = options
        .fake_clock
        .then(|| FakeClock::at(live::Clock::now_ms(&live::clock::SystemClock)));
    let run_options = RunOptions {
        clock: match &clock {
            Some(fake) => fake.clone(),
            None => live::clock::system(),
        },
        session_check: options.session_check,
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (address, sip, store) = runtime.block_on(async {
        let store = Store::open(&db.url).await.expect("open the store");
        seed(&store, &options.extra_staff).await;
        let listeners = runtime::bind(&config).await.expect("bind");
        let address = listeners.http_address().expect("address").to_string();
        let sip = listeners.sip_address().expect("address");
        let served = store.clone();
        let data = data_dir.clone();
        tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.await;
            };
            if let Err(error) =
                runtime::run(&config, served, listeners, &data, run_options, shutdown).await
            {
                eprintln!("the test server stopped: {error:#}");
            }
        });
        (address, sip, store)
    });
    let server = TestServer {
        address,
        sip,
        store,
        clock,
        label: db.label,
        data_dir,
        stop: Some(stop),
        runtime: Some(runtime),
        files: Some(files),
        db: Some(db),
    };
    server.wait_until_serving();
    server
}

/// The fixture's staff (and `extra`) with [`PASSWORD`], straight into the store.
async fn seed(store: &Store, extra: &str) {
    let csv = format!("{STAFF}{extra}");
    let plan = directory::plan_import(
        &store.snapshot().await.expect("snapshot"),
        directory::parse_staff_csv(csv.as_bytes()),
    );
    assert!(
        plan.problems.is_empty(),
        "fixture staff: {:?}",
        plan.problems
    );
    store
        .apply_import(&plan, &mut |_, _| {})
        .await
        .expect("import the fixture staff");
    store
        .set_missing_password_hashes(password_hash())
        .await
        .expect("passwords");
}

impl TestServer {
    /// Stops the server (as a crash would: nothing is finished first) and starts a new
    /// one on the same database and data folder, with `options`; its HTTP and SIP ports
    /// are new.
    pub fn restart(mut self, options: Options) -> TestServer {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
        self.stop.take();
        let db = self.db.take().expect("a database");
        let files = self.files.take().expect("a data folder");
        drop(self);
        start_with(db, files, options)
    }

    /// Waits until HTTP answers (the listener takes connections from the start; this
    /// waits for the runtime behind it).
    fn wait_until_serving(&self) {
        let end = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let mut probe = self.client();
            if probe.try_get("/healthz").is_some_and(|r| r.status == 200) {
                return;
            }
            assert!(
                std::time::Instant::now() < end,
                "the test server did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// A client without cookies.
    pub fn client(&self) -> crate::http::Client {
        crate::http::Client::new(&self.address)
    }

    /// A client signed in with the password only.
    pub fn signed_in(&self, login: &str) -> crate::http::Client {
        let mut c = self.client();
        let r = c.post(
            "/api/v1/auth/login",
            serde_json::json!({"login": login, "password": PASSWORD}),
        );
        assert_eq!(
            (r.status, r.json()["status"].clone()),
            (200, serde_json::json!("ok")),
            "{}: {}",
            self.label,
            r.body
        );
        c
    }

    /// Runs a future on the server's runtime (store checks from the test).
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.as_ref().expect("running").block_on(f)
    }

    /// A person's staff id.
    pub fn staff_id(&self, login: &str) -> i64 {
        let login = directory::Login::parse(login).expect("login");
        self.block_on(self.store.account_by_login(&login))
            .expect("store")
            .expect("known")
            .id
    }

    /// A new SIP device of `login` for a test phone ([`crate::sip_phone`]), made the way
    /// an administrator makes one: the `softphone` feature switched on for the person,
    /// then `POST /api/v1/admin/staff/{login}/phones`. The switch learns of it over the
    /// bus; its first REGISTER may still race that (see
    /// [`crate::sip_phone::udp::UdpPhone::register_until_accepted`]).
    pub fn sip_account(&self, login: &str, label: &str) -> crate::sip_phone::Account {
        let mut admin = self.signed_in("a.admin");
        let on = admin.post(
            "/api/v1/admin/features",
            serde_json::json!({"feature": "softphone", "on": true, "logins": [login]}),
        );
        assert_eq!(on.status, 200, "{}: {}", self.label, on.body);
        let made = admin.post(
            &format!("/api/v1/admin/staff/{login}/phones"),
            serde_json::json!({ "label": label }),
        );
        assert_eq!(made.status, 201, "{}: {}", self.label, made.body);
        let device = made.json();
        let text = |name: &str| device[name].as_str().expect("a text field").to_owned();
        crate::sip_phone::Account {
            username: text("sip_username"),
            password: text("sip_password"),
            domain: text("domain"),
        }
    }

    /// Moves the fake clock on (the server must run on one).
    pub fn advance(&self, by: Duration) {
        self.clock
            .as_ref()
            .expect("started with fake_clock")
            .advance(i64::try_from(by.as_millis()).expect("a sane duration"));
    }
}
