//! Shared set-up of the server's end-to-end tests. Most run the whole server in the test's
//! own process (`testkit::server`): same configuration, store, HTTP and SIP service as the
//! binary, without starting it. The few that need the binary itself (a crash, a stray
//! environment) use [`process`]; the sipp and baresip runs use [`sip`].
#![allow(dead_code)] // each test file uses a different part

/// The binary as a process: a server that can be killed and started again.
pub mod process;
/// The SIP end-to-end tests' set-up: provisioning, the server's SIP address, sipp runs.
pub mod sip;

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use testkit::server::{Options, TestServer};

pub const BIN: &str = env!("CARGO_BIN_EXE_durchwahl");
pub use testkit::server::PASSWORD;

/// A server in this process with the fixture staff (`tests/fixtures/staff.csv`: a.admin,
/// b.user, c.clerk, d.new, all with [`PASSWORD`]) and `config` (TOML) read the way
/// `durchwahl serve --config` reads a file, after `[auth] lock_after_failures = 3`.
pub fn setup(config: &str) -> TestServer {
    capture_log();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("durchwahl.toml");
    std::fs::write(&file, format!("[auth]\nlock_after_failures = 3\n{config}")).unwrap();
    let config = durchwahl::config::load(Some(&file), &[], &Default::default())
        .unwrap_or_else(|e| panic!("test configuration: {e:#}"));
    testkit::server::start(Options {
        config,
        ..Options::default()
    })
}

/// Everything the servers of this test binary logged so far (all levels from debug up),
/// as the binary would write it to standard error.
pub fn log() -> String {
    String::from_utf8_lossy(&LOG.get().expect("capture_log ran").lock().unwrap()).into_owned()
}

static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

/// Installs this test binary's one tracing subscriber, writing into memory.
fn capture_log() {
    LOG.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = Captured(buffer.clone());
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .init();
        buffer
    });
}

#[derive(Clone)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The id of the signed-in person's unit room.
pub fn unit_room(c: &mut testkit::http::Client) -> i64 {
    let rooms = c.get("/api/v1/rooms").json();
    rooms["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "unit")
        .expect("a unit room")["id"]
        .as_i64()
        .unwrap()
}

pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}
