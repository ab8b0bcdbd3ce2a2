//! The real `durchwahl` binary as a child process, for end-to-end tests, in an
//! environment of the test's own making: no `DURCHWAHL_*` variable from the developer's
//! shell reaches it (the binary reads them as configuration and refuses unknown ones).

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A command for `program` (the binary under test) that inherits no `DURCHWAHL_*`
/// variable; the test sets the ones it means with [`Command::env`].
pub fn command(program: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new(program);
    without_inherited_config(&mut command);
    command
}

/// Removes every `DURCHWAHL_*` variable the command would inherit from this process,
/// keeping those the test set on the command itself.
pub fn without_inherited_config(command: &mut Command) {
    let explicit: Vec<std::ffi::OsString> =
        command.get_envs().map(|(k, _)| k.to_os_string()).collect();
    for (key, _) in std::env::vars_os() {
        let ours = key.to_str().is_some_and(|k| k.starts_with("DURCHWAHL_"));
        if ours && !explicit.contains(&key) {
            command.env_remove(&key);
        }
    }
}

/// A running server; killed when dropped (so a failing test leaves nothing behind).
pub struct ServerProcess {
    child: Child,
    /// `host:port` it listens on.
    pub address: String,
    /// What it printed before it was ready.
    pub stdout: String,
}

impl ServerProcess {
    /// Starts the command (without inherited `DURCHWAHL_*` variables) and waits for its
    /// `listening on http://…` line.
    pub fn start(mut command: Command) -> ServerProcess {
        without_inherited_config(&mut command);
        let mut child = command
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the server");
        let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
        let mut stdout = String::new();
        let address = loop {
            let mut line = String::new();
            assert!(
                reader.read_line(&mut line).expect("read") > 0,
                "server exited early:\n{stdout}"
            );
            stdout.push_str(&line);
            if let Some(rest) = line
                .strip_prefix("listening on http://")
                .or_else(|| line.strip_prefix("listening on https://"))
            {
                break rest.trim().trim_end_matches('/').to_string();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in reader.lines() {});
        ServerProcess {
            child,
            address,
            stdout,
        }
    }

    /// Sends SIGTERM and returns whether the process exited successfully.
    pub fn terminate(mut self) -> bool {
        let pid = rustix::process::Pid::from_child(&self.child);
        rustix::process::kill_process(pid, rustix::process::Signal::TERM).expect("SIGTERM");
        self.child.wait().expect("wait").success()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a command to completion (without inherited `DURCHWAHL_*` variables), feeding
/// `stdin`, and returns what it printed.
pub fn run_with_input(mut command: Command, stdin: &str) -> std::process::Output {
    use std::io::Write;
    without_inherited_config(&mut command);
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the command");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait")
}
