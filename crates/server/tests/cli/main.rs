//! End-to-end tests of the built `durchwahl` binary: bulk provisioning of staff
//! (`staff`) and phones (`phones`) on SQLite and on PostgreSQL, the config command, and
//! `serve`/`demo` answering HTTP and stopping cleanly (`server`). One test binary; the
//! helpers every part uses are here.

mod phones;
mod server;
mod staff;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use store::{DatabaseUrl, Store};
use testkit::TestDb;

pub const BIN: &str = env!("CARGO_BIN_EXE_durchwahl");

pub fn command(args: &[&str]) -> Command {
    let mut cmd = testkit::process::command(BIN);
    cmd.args(args).env("DURCHWAHL_LOG_LEVEL", "warn");
    cmd
}

/// Runs `durchwahl ARGS --database-url URL`, feeding `stdin`.
pub fn run(db: &TestDb, args: &[&str], stdin: &str) -> Output {
    let mut cmd = command(args);
    cmd.args(["--database-url", db.url.unredacted()]);
    testkit::process::run_with_input(cmd, stdin)
}

pub fn ok(db: &TestDb, args: &[&str]) -> String {
    let out = run(db, args, "");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{}: durchwahl {args:?} failed: {stderr}",
        db.label
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn fails(db: &TestDb, args: &[&str]) -> String {
    let out = run(db, args, "");
    assert!(
        !out.status.success(),
        "{}: durchwahl {args:?} should fail",
        db.label
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

pub async fn staff_count(db: &TestDb) -> u64 {
    let store = Store::open(&db.url).await.unwrap();
    let n = store.staff_count().await.unwrap();
    store.close().await;
    n
}

pub const GOOD: &str = "login;name;unit;extension;email;roles;features
a.adler;Anna Adler;Abteilung 2/Sachgebiet 23 IKT;2301;a.adler@lra.example;admin|user;softphone|meetings
b.boehm;Bärbel Böhm;Abteilung 2/Sachgebiet 22 Organisation und Personal;2201;;;
c.weiss;Jürgen Weiß;Gesundheitsamt/Hotline;2401;;agent;hotline|softphone
";

/// Imports [`GOOD`] and returns the folder holding the file.
pub fn import_good(db: &TestDb) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok(
        db,
        &[
            "users",
            "import",
            &write(dir.path(), "staff.csv", GOOD.as_bytes()),
        ],
    );
    dir
}
