//! A real SMTP receiver per test (feature `tls`: its certificates are made with rcgen):
//! Debian's `aiosmtpd` (package `python3-aiosmtpd`, which brings its own Python; the
//! tests need none otherwise) as a child process on a free loopback port, delivering into
//! a Maildir in a temporary folder, killed when the [`SmtpReceiver`] is dropped.
//! `scripts/test` installs it.
//!
//! It speaks plain SMTP, requires STARTTLS ([`Security::Starttls`], with a certificate for
//! 127.0.0.1 and localhost from a test CA at [`SmtpReceiver::ca_file`]) or TLS from the
//! first byte ([`Security::Tls`]), and refuses mails larger than a size when asked
//! (`552`, RFC 1870). It can be stopped and started again on the same port, to be "down"
//! for a while. What its command line cannot do without Python code of ours: refuse a
//! single recipient, or accept a login (without an authenticator it advertises AUTH after
//! STARTTLS and refuses every login with 535).
//!
//! ```no_run
//! use testkit::smtp::{Options, Security, SmtpReceiver};
//! let receiver = SmtpReceiver::start(Options { security: Security::Starttls, ..Options::default() });
//! // … [smtp] host = "127.0.0.1", port = receiver.port, ca_file = receiver.ca_file …
//! let mails = receiver.wait_for(1, std::time::Duration::from_secs(10));
//! assert_eq!(mails[0].subject(), "Testnachricht von Durchwahl");
//! ```

mod received;

pub use received::{Received, ReceivedFile};

use crate::tls::Authority;
use std::hash::{BuildHasher, Hasher};
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// How long aiosmtpd may take to greet after it was started.
const READY_WITHIN: Duration = Duration::from_secs(20);

/// How the receiver protects connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Security {
    /// Plain SMTP.
    #[default]
    Plain,
    /// STARTTLS offered and required before MAIL (`--tlscert`).
    Starttls,
    /// TLS from the first byte (`--smtpscert`).
    Tls,
}

/// What a receiver is like.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Plain, STARTTLS or TLS.
    pub security: Security,
    /// Refuse mails larger than this many bytes (552); default aiosmtpd's 32 MiB.
    pub max_size: Option<usize>,
}

/// A running (or stopped) aiosmtpd, its folder removed when dropped.
pub struct SmtpReceiver {
    /// Its loopback port, the same across [`stop`](Self::stop) and [`run`](Self::run).
    pub port: u16,
    /// The PEM of the CA that issued its certificate (for `[smtp] ca_file`).
    pub ca_file: PathBuf,
    options: Options,
    child: Option<Child>,
    dir: TempDir,
}

impl Drop for SmtpReceiver {
    fn drop(&mut self) {
        self.stop();
    }
}

impl SmtpReceiver {
    /// A receiver, started and greeting.
    pub fn start(options: Options) -> SmtpReceiver {
        let mut receiver = SmtpReceiver::stopped(options);
        // Free ports are checked by binding them; should one be taken before aiosmtpd binds
        // it, aiosmtpd exits and another port is tried.
        for _ in 0..5 {
            match receiver.try_run() {
                Ok(()) => return receiver,
                Err(_) => receiver.port = free_port(),
            }
        }
        panic!("aiosmtpd found no free port in 5 tries");
    }

    /// A receiver with its port, folder and certificate, not yet started: connections to
    /// its port are refused until [`run`](Self::run).
    pub fn stopped(options: Options) -> SmtpReceiver {
        let dir = tempfile::tempdir().expect("temporary folder");
        let authority = Authority::new("Durchwahl Test-CA Mail");
        let certified = authority.issue("127.0.0.1", &["127.0.0.1", "localhost"]);
        certified.write_to(dir.path());
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, &authority.cert_pem).expect("write the CA");
        // A Maildir whole (aiosmtpd's Python makes one only where no folder is).
        for sub in ["tmp", "new", "cur"] {
            std::fs::create_dir_all(dir.path().join("maildir").join(sub)).expect("the Maildir");
        }
        SmtpReceiver {
            port: free_port(),
            ca_file,
            options,
            child: None,
            dir,
        }
    }

    /// Starts it (again) on its port and waits for its greeting.
    pub fn run(&mut self) {
        if let Err(why) = self.try_run() {
            panic!("{why}");
        }
    }

    fn try_run(&mut self) -> Result<(), String> {
        if self.child.is_some() {
            return Ok(());
        }
        let mut child = self.spawn()?;
        let deadline = Instant::now() + READY_WITHIN;
        loop {
            if let Some(status) = child.try_wait().expect("wait for aiosmtpd") {
                let log = std::fs::read_to_string(self.dir.path().join("aiosmtpd.log"));
                return Err(format!(
                    "aiosmtpd exited ({status}):\n{}",
                    log.unwrap_or_default()
                ));
            }
            if self.greets() {
                self.child = Some(child);
                return Ok(());
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("aiosmtpd did not greet within {READY_WITHIN:?}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn spawn(&self) -> Result<Child, String> {
        let dir = self.dir.path();
        let mut args: Vec<String> = vec![
            "-n".into(),
            "-l".into(),
            format!("127.0.0.1:{}", self.port),
            "-c".into(),
            "aiosmtpd.handlers.Mailbox".into(),
        ];
        let (cert, key) = (path(&dir.join("cert.pem")), path(&dir.join("key.pem")));
        match self.options.security {
            Security::Plain => {}
            Security::Starttls => {
                args.extend(["--tlscert".into(), cert, "--tlskey".into(), key]);
            }
            Security::Tls => {
                args.extend(["--smtpscert".into(), cert, "--smtpskey".into(), key]);
            }
        }
        if let Some(size) = self.options.max_size {
            args.extend(["-s".into(), size.to_string()]);
        }
        args.push(path(&dir.join("maildir")));
        // Its errors go to a file (a pipe nobody drains could fill and stall it).
        let log = dir.join("aiosmtpd.log");
        let start = |program: &str, before: &[&str]| {
            Command::new(program)
                .args(before)
                .args(&args)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log)?)
                .spawn()
        };
        // Debian's package brings the `aiosmtpd` command (run by the system's Python);
        // a Python of one's own with the module installed works too.
        match start("aiosmtpd", &[]) {
            Ok(child) => Ok(child),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                start("python3", &["-m", "aiosmtpd"]).map_err(|e| {
                    format!(
                        "aiosmtpd could not start ({e}); scripts/test installs python3-aiosmtpd"
                    )
                })
            }
            Err(e) => Err(format!("aiosmtpd could not start: {e}")),
        }
    }

    /// Whether something on the port greets with 220 (plain or STARTTLS; with TLS from
    /// the first byte the greeting is encrypted, so an accepted connection must do).
    fn greets(&self) -> bool {
        let Ok(stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        if self.options.security == Security::Tls {
            return true;
        }
        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line).is_ok() && line.starts_with("220")
    }

    /// Stops it (SIGTERM, SIGKILL after 5 s); its port refuses connections until
    /// [`run`](Self::run).
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pid = rustix::process::Pid::from_child(&child);
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
        let deadline = Instant::now() + Duration::from_secs(5);
        while child.try_wait().expect("wait for aiosmtpd").is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.wait();
    }

    /// Every message delivered so far, oldest first.
    pub fn messages(&self) -> Vec<Received> {
        let maildir = self.dir.path().join("maildir");
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = ["new", "cur"]
            .iter()
            .filter_map(|sub| std::fs::read_dir(maildir.join(sub)).ok())
            .flatten()
            .filter_map(|entry| {
                let entry = entry.ok()?;
                Some((entry.metadata().ok()?.modified().ok()?, entry.path()))
            })
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|(_, file)| Received::parse(&std::fs::read(file).expect("read a message")))
            .collect()
    }

    /// Waits until `count` messages were delivered (panics after `within`); all of them.
    pub fn wait_for(&self, count: usize, within: Duration) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            assert!(
                Instant::now() < deadline,
                "{} of {count} messages arrived within {within:?}",
                messages.len()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// A loopback port below Linux's range for outgoing connections (32768–60999), so no
/// outgoing connection takes it while the receiver is stopped; checked by binding it.
fn free_port() -> u16 {
    loop {
        let random = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        let port = 20_000 + (random % 12_768) as u16;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}
