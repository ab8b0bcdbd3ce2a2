//! The real `durchwahl` binary as a child process, for end-to-end tests.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running server; killed when dropped (so a failing test leaves nothing behind).
pub struct ServerProcess {
    child: Child,
    /// `host:port` it listens on.
    pub address: String,
    /// What it printed before it was ready.
    pub stdout: String,
}

impl ServerProcess {
    /// Starts the command and waits for its `listening on http://…` line.
    pub fn start(mut command: Command) -> ServerProcess {
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
        let pid = self.child.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill")
            .success());
        self.child.wait().expect("wait").success()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a command to completion, feeding `stdin`, and returns what it printed.
pub fn run_with_input(mut command: Command, stdin: &str) -> std::process::Output {
    use std::io::Write;
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
