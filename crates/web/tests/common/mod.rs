//! The web server in this process on port 0, on a throwaway database: the store seeded
//! directly (one password hash computed once for everyone), the real router, the socket
//! watch with a short period, settings the test chooses. Blocking clients from testkit
//! talk to it over loopback like any browser.
#![allow(dead_code)] // each test file uses a different part

use serde_json::json;
use std::sync::OnceLock;
use std::time::Duration;
use testkit::http::Client;
use testkit::TestDb;

pub const PASSWORD: &str = "Grüne Wiese am Inn";

pub const STAFF: &str = "login,name,unit,extension,mobile,roles
a.admin,Anna Admin,Abteilung 2/Sachgebiet 23 IKT,2301,,admin;user
b.user,Bärbel Böhm,Gesundheitsamt/Hotline,2401,+49 151 5550123,user
c.clerk,Carl Clerk,Bauamt,2501,,user
d.new,Dora Neu,Bauamt,2502,,user
";

/// One argon2id hash of [`PASSWORD`] for every test of this binary (hashing is slow).
fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| auth::hash_password(PASSWORD))
}

/// What a test may change.
pub struct Options {
    pub auth: web::AuthSettings,
    pub attachment_max_bytes: u64,
    pub attachment_quota_bytes: u64,
    pub rooms_per_hour: u32,
    /// How often open sockets' sessions are checked.
    pub socket_check: Duration,
}

impl Default for Options {
    fn default() -> Self {
        let mut auth = web::AuthSettings::default();
        auth.account_throttle.lock_after = 3;
        Options {
            auth,
            attachment_max_bytes: 1024 * 1024,
            attachment_quota_bytes: 4 * 1024 * 1024,
            rooms_per_hour: 20,
            socket_check: Duration::from_millis(200),
        }
    }
}

/// A running server; stops (and its database goes) when dropped.
pub struct Server {
    pub address: String,
    pub store: store::Store,
    pub state: web::AppState,
    pub label: &'static str,
    pub files: tempfile::TempDir,
    runtime: Option<tokio::runtime::Runtime>,
    _db: TestDb,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// A server on each database this run covers.
pub fn servers(options: impl Fn() -> Options) -> Vec<Server> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dbs = runtime.block_on(testkit::databases());
    drop(runtime);
    dbs.into_iter().map(|db| start(db, options())).collect()
}

/// A server on SQLite.
pub fn server(options: Options) -> Server {
    start(testkit::sqlite(), options)
}

pub fn start(db: TestDb, options: Options) -> Server {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let files = tempfile::tempdir().unwrap();
    let (address, store, state) = runtime.block_on(async {
        let store = store::Store::open(&db.url).await.unwrap();
        let plan = directory::plan_import(
            &store.snapshot().await.unwrap(),
            directory::parse_staff_csv(STAFF.as_bytes()),
        );
        assert!(plan.problems.is_empty(), "{:?}", plan.problems);
        store.apply_import(&plan, &mut |_, _| {}).await.unwrap();
        store
            .set_missing_password_hashes(password_hash())
            .await
            .unwrap();
        let settings = live::LiveSettings {
            privacy: presence::Privacy {
                location: presence::Audience::Unit,
                note: presence::Audience::Unit,
            },
            idle_after_seconds: 300,
            watch_ttl_ms: 8 * 3_600_000,
            attachment_max_bytes: options.attachment_max_bytes,
            attachment_dir: files.path().join("attachments"),
            attachment_quota_bytes: options.attachment_quota_bytes,
            rooms_per_hour: options.rooms_per_hour,
        };
        let live = live::Live::start(
            store.clone(),
            settings,
            live::clock::system(),
            live::Bus::new(),
            Box::new(web::WebFrames),
        )
        .await
        .unwrap();
        let state = web::AppState::new(
            store.clone(),
            "Landratsamt Test".into(),
            options.auth,
            web::SmsGateway::None,
            live,
            "test.local".into(),
        );
        tokio::spawn(web::auth::session::watch_sockets(
            state.clone(),
            options.socket_check,
        ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let router = web::router(state.clone());
        let http = web::HttpSettings {
            header_timeout: Duration::from_secs(30),
            connections_per_address: 0,
            exempt: Vec::new(),
        };
        tokio::spawn(web::serve(
            listener,
            router,
            None,
            http,
            std::future::pending(),
        ));
        (address, store, state)
    });
    Server {
        address,
        store,
        state,
        label: db.label,
        files,
        runtime: Some(runtime),
        _db: db,
    }
}

impl Server {
    pub fn client(&self) -> Client {
        Client::new(&self.address)
    }

    /// A client signed in with the password only.
    pub fn signed_in(&self, login: &str) -> Client {
        let mut c = self.client();
        let r = c.post(
            "/api/v1/auth/login",
            json!({"login": login, "password": PASSWORD}),
        );
        assert_eq!(r.status, 200, "{}: {}", self.label, r.body);
        c
    }

    /// Runs a future on the server's runtime (store checks from the test).
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.as_ref().unwrap().block_on(f)
    }

    pub fn staff_id(&self, login: &str) -> i64 {
        let login = directory::Login::parse(login).unwrap();
        self.block_on(self.store.account_by_login(&login))
            .unwrap()
            .unwrap()
            .id
    }
}
