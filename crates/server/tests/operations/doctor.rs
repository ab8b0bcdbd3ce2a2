//! `durchwahl doctor` as an administrator runs it, the binary against real neighbours: a
//! mail server (aiosmtpd), a TURN server (Debian's coturn), a port another program holds,
//! an expired certificate, and a running Durchwahl holding its own ports.

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use testkit::process::{command, ServerProcess};
use testkit::smtp::{Options, SmtpReceiver};

const BIN: &str = env!("CARGO_BIN_EXE_durchwahl");

/// Runs `durchwahl doctor` with the file and flags; whether it exited 0, and its report
/// (what it printed, then its error line).
fn doctor(config: &Path, args: &[&str]) -> (bool, String) {
    let mut cmd = command(BIN);
    cmd.arg("doctor").arg("--config").arg(config).args(args);
    testkit::process::without_inherited_config(&mut cmd);
    let out = cmd.output().expect("run durchwahl doctor");
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    (
        out.status.success(),
        report + &String::from_utf8_lossy(&out.stderr),
    )
}

/// The report's line for the check that starts with `check`, asserting its status.
fn line<'a>(report: &'a str, status: &str, check: &str) -> &'a str {
    report
        .lines()
        .find(|l| l.starts_with(status) && l[status.len()..].trim_start().starts_with(check))
        .unwrap_or_else(|| panic!("no {status} line for {check:?} in:\n{report}"))
}

fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn free_tcp_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Debian's coturn on a free loopback port, ready (killed when dropped).
struct Turn {
    child: Child,
    port: u16,
}

impl Drop for Turn {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

fn start_turn(dir: &Path) -> Turn {
    let port = free_udp_port();
    let mut child = Command::new("turnserver")
        .args(["-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1"])
        .arg(format!("--listening-port={port}"))
        .args(["--min-port=53000", "--max-port=53099", "--lt-cred-mech"])
        .args([
            "--user=doctor:geheim",
            "--realm=durchwahl.test",
            "--no-tls",
            "--no-dtls",
        ])
        .args(["--no-cli", "--log-file=stdout", "--simple-log"])
        .arg(format!("--pidfile={}", dir.join("turn.pid").display()))
        .arg(format!("--userdb={}", dir.join("turndb").display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("turnserver (coturn; scripts/test installs it)");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let line = lines
            .next()
            .expect("turnserver exited")
            .expect("read its log");
        if line.contains("Total General servers") {
            break;
        }
        assert!(Instant::now() < deadline, "turnserver did not start");
    }
    std::thread::spawn(move || for _ in lines {});
    Turn { child, port }
}

/// A self-signed certificate valid from `from` to `until` (`(year, month, day)`), written
/// as `name.pem` and `name.key`.
fn certificate(dir: &Path, name: &str, from: (i32, u8, u8), until: (i32, u8, u8)) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["durchwahl.test".into()]).unwrap();
    params.not_before = rcgen::date_time_ymd(from.0, from.1, from.2);
    params.not_after = rcgen::date_time_ymd(until.0, until.1, until.2);
    let cert = params.self_signed(&key).unwrap();
    std::fs::write(dir.join(format!("{name}.pem")), cert.pem()).unwrap();
    std::fs::write(dir.join(format!("{name}.key")), key.serialize_pem()).unwrap();
}

#[test]
fn a_broken_installation_is_red_where_it_is_broken_and_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let smtp = SmtpReceiver::start(Options::default());
    let turn = start_turn(dir.path());
    let closed_turn = free_udp_port();
    // Another program holds the HTTP port (this test).
    let held = TcpListener::bind("127.0.0.1:0").unwrap();
    let http = held.local_addr().unwrap();
    certificate(dir.path(), "expired", (2020, 1, 1), (2021, 1, 1));
    let config = dir.path().join("durchwahl.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = \"{data}\"\n\
             [http]\nlisten = \"{http}\"\ntls_certificate = \"{d}/expired.pem\"\ntls_key = \"{d}/expired.key\"\n\
             [sip]\nlisten = \"127.0.0.1:{sip}\"\ntls_listen = \"127.0.0.1:{sip_tls}\"\n\
             [media]\nport_range = \"46000-46019\"\nbind = \"127.0.0.1\"\n\
             turn_urls = [\"turn:127.0.0.1:{turn}\", \"turn:127.0.0.1:{closed_turn}\"]\n\
             turn_username = \"doctor\"\nturn_password = \"geheim\"\n\
             [smtp]\nhost = \"127.0.0.1\"\nport = {smtp}\nsecurity = \"none\"\nfrom = \"durchwahl@landkreis.test\"\n",
            data = dir.path().join("data").display(),
            d = dir.path().display(),
            sip = free_udp_port(),
            sip_tls = free_tcp_port(),
            turn = turn.port,
            smtp = smtp.port,
        ),
    )
    .unwrap();

    let (ok, report) = doctor(&config, &[]);
    assert!(!ok, "red lines make the command fail:\n{report}");
    let port = line(&report, "FAIL", &format!("HTTP port {http} (TCP)"));
    assert!(
        port.contains(&format!("(pid {})", std::process::id())),
        "{report}"
    );
    assert!(report.contains("→ stop "), "what to do follows:\n{report}");
    let cert = line(&report, "FAIL", "HTTPS certificate");
    assert!(cert.contains("expired on 2021-01-01"), "{report}");
    line(
        &report,
        "OK",
        &format!("mail server 127.0.0.1:{}", smtp.port),
    );
    line(&report, "OK", &format!("TURN turn:127.0.0.1:{}", turn.port));
    let closed = line(
        &report,
        "FAIL",
        &format!("TURN turn:127.0.0.1:{closed_turn}"),
    );
    assert!(closed.contains("does not answer"), "{report}");
    line(&report, "WARN", "data folder");
    let database = line(&report, "WARN", "database sqlite://");
    assert!(database.contains("no database file yet"), "{report}");
    // Counted, not asserted free: another test's socket may hold one of them.
    assert!(
        report
            .lines()
            .any(|l| l.contains("media ports 127.0.0.1 46000-46019 (UDP): ")
                && l.ends_with(" of 20 free")),
        "{report}"
    );
    // The counts, and the error naming them (the clock may be a fourth red line).
    let failed = report.lines().filter(|l| l.starts_with("FAIL")).count();
    assert!(failed >= 3, "{report}");
    assert!(
        report.contains(&format!(" {failed} FAIL\nerror: {failed} checks failed")),
        "{report}"
    );
    // Nothing was created by looking.
    assert!(!dir.path().join("data").exists());

    // The mail server gone: red too.
    drop(smtp);
    drop(held);
    let (_, report) = doctor(&config, &[]);
    line(&report, "FAIL", "mail server 127.0.0.1:");
    line(&report, "OK", &format!("HTTP port {http} (TCP): free"));
}

#[test]
fn a_running_durchwahl_holds_its_own_ports_and_its_database_is_current() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let config = dir.path().join("durchwahl.toml");
    let (http, sip) = (free_tcp_port(), free_udp_port());
    std::fs::write(
        &config,
        format!(
            "[http]\nlisten = \"127.0.0.1:{http}\"\n[sip]\nlisten = \"127.0.0.1:{sip}\"\n\
             [media]\nport_range = \"46100-46119\"\nbind = \"127.0.0.1\"\n"
        ),
    )
    .unwrap();
    let flags = ["--data-dir", data.to_str().unwrap()];
    let mut serve = command(BIN);
    serve.arg("serve").arg("--config").arg(&config).args(flags);
    serve.args(["--log-level", "warn"]);
    let server = ServerProcess::start(serve);

    let (ok, report) = doctor(&config, &flags);
    let running = line(&report, "OK", &format!("HTTP port 127.0.0.1:{http} (TCP)"));
    assert!(
        running.contains("in use by the running Durchwahl"),
        "{report}"
    );
    line(
        &report,
        "OK",
        &format!("SIP port 127.0.0.1:{sip} (UDP): in use by the running Durchwahl"),
    );
    line(
        &report,
        "OK",
        &format!("SIP port 127.0.0.1:{sip} (TCP): in use by the running Durchwahl"),
    );
    let database = line(&report, "OK", "database sqlite://");
    assert!(database.contains("migrations applied"), "{report}");
    line(
        &report,
        "OK",
        &format!("data folder {}: writable", data.display()),
    );
    let key = line(&report, "OK", "key file ");
    assert!(
        key.ends_with("present, readable by its owner only"),
        "{report}"
    );
    std::fs::set_permissions(
        data.join("secrets.key"),
        std::os::unix::fs::PermissionsExt::from_mode(0o644),
    )
    .unwrap();
    let (_, again) = doctor(&config, &flags);
    let key = line(&again, "WARN", "key file ");
    assert!(key.ends_with("readable by others (mode 644)"), "{again}");
    assert!(
        ok,
        "amber lines (no mail server, the clock) do not fail it:\n{report}"
    );
    assert!(server.terminate());
}
