//! The binary as a subprocess, for what only the binary can show: a server killed without
//! warning and started again on the same data, a stray environment. Staff come from the
//! fixture and get their passwords through the CLI, as an administrator would do it.

use serde_json::json;
use std::path::Path;
use std::process::Command;
use testkit::http::Client;
use testkit::process::ServerProcess;

use super::{BIN, PASSWORD};
use testkit::server::STAFF;

pub struct Setup {
    pub server: ServerProcess,
    _dir: tempfile::TempDir,
    pub log: std::path::PathBuf,
    command: Vec<String>,
}

fn server_command(args: &[String], log: &Path) -> Command {
    let mut cmd = testkit::process::command(BIN);
    cmd.args(args).stderr(
        std::fs::File::options()
            .append(true)
            .create(true)
            .open(log)
            .unwrap(),
    );
    cmd
}

pub fn durchwahl(data: &Path, args: &[&str], stdin: &str) {
    let mut cmd = testkit::process::command(BIN);
    cmd.args(args)
        .args(["--data-dir", data.to_str().unwrap(), "--log-level", "warn"]);
    let out = testkit::process::run_with_input(cmd, stdin);
    assert!(
        out.status.success(),
        "durchwahl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A server with four people (all with [`PASSWORD`]) and extra config lines.
pub fn setup(config: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let csv = dir.path().join("staff.csv");
    std::fs::write(&csv, STAFF).unwrap();
    durchwahl(&data, &["users", "import", csv.to_str().unwrap()], "");
    for login in ["a.admin", "b.user", "c.clerk", "d.new"] {
        durchwahl(
            &data,
            &["users", "set-password", login],
            &format!("{PASSWORD}\n"),
        );
    }
    let file = dir.path().join("durchwahl.toml");
    std::fs::write(&file, format!("[auth]\nlock_after_failures = 3\n{config}")).unwrap();
    let log = dir.path().join("server.log");
    let command: Vec<String> = [
        "serve",
        "--http-listen",
        "127.0.0.1:0",
        "--sip-listen",
        "127.0.0.1:0",
        "--config",
        file.to_str().unwrap(),
        "--data-dir",
        data.to_str().unwrap(),
        "--log-level",
        "info",
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    Setup {
        server: ServerProcess::start(server_command(&command, &log)),
        _dir: dir,
        log,
        command,
    }
}

impl Setup {
    /// Kills the server without warning (a crash) and starts it again on the same data.
    pub fn crash_and_restart(&mut self) {
        let fresh = ServerProcess::start(server_command(&self.command, &self.log));
        let crashed = std::mem::replace(&mut self.server, fresh);
        drop(crashed); // SIGKILL
    }

    pub fn client(&self) -> Client {
        Client::new(&self.server.address)
    }

    /// A client signed in with the password only.
    pub fn signed_in(&self, login: &str) -> Client {
        let mut c = self.client();
        let r = c.post(
            "/api/v1/auth/login",
            json!({"login": login, "password": PASSWORD}),
        );
        assert_eq!(
            (r.status, r.json()["status"].clone()),
            (200, json!("ok")),
            "{}",
            r.body
        );
        c
    }
}
