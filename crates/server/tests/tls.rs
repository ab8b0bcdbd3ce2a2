//! HTTPS served by rustls from PEM files, with the certificate reloaded when the files
//! change; checked with a real TLS client (rustls, in testkit) that records exactly which
//! certificate is served. SIP over TLS shares the HTTPS certificate or has its own,
//! reloaded the same way. Certificates are made here with rcgen.

use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};
use testkit::http::Client;
use testkit::process::ServerProcess;
use testkit::tls::served_certificate;

const BIN: &str = env!("CARGO_BIN_EXE_durchwahl");

/// Writes `cert.pem` and `key.pem` for `CN=name` into `dir`; returns the certificate (DER).
fn certificate(dir: &Path, name: &str) -> Vec<u8> {
    let made = testkit::tls::self_signed(name, &["localhost", "127.0.0.1"]);
    made.write_to(dir);
    made.der
}

/// Waits until `address` serves `expected` (the reload checks the files every 2 s).
fn wait_until_served(address: &str, expected: &[u8], what: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while served_certificate(address) != expected {
        assert!(
            Instant::now() < deadline,
            "the renewed {what} certificate was not picked up on {address}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// What a plain-HTTP request to `address` gets back (nothing, or no HTTP answer, from a
/// TLS port).
fn plain_http_answer(address: &str) -> String {
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let _ = stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    String::from_utf8_lossy(&raw).into_owned()
}

#[test]
fn serves_https_marks_cookies_secure_and_reloads_a_renewed_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let first = certificate(dir.path(), "durchwahl-eins");
    let config = dir.path().join("durchwahl.toml");
    std::fs::write(
        &config,
        format!(
            "[http]\ntls_certificate = \"{}\"\ntls_key = \"{}\"\n\
             [sip]\ntls_listen = \"127.0.0.1:0\"\n",
            dir.path().join("cert.pem").display(),
            dir.path().join("key.pem").display()
        ),
    )
    .unwrap();
    let mut cmd = testkit::process::command(BIN);
    cmd.args([
        "serve",
        "--http-listen",
        "127.0.0.1:0",
        "--sip-listen",
        "127.0.0.1:0",
        "--log-level",
        "warn",
        "--config",
    ])
    .arg(&config)
    .arg("--data-dir")
    .arg(dir.path().join("data"));
    let server = ServerProcess::start(cmd);
    assert!(
        server.stdout.contains("listening on https://"),
        "{}",
        server.stdout
    );

    let mut https = Client::https(&server.address);
    let health = https.get("/healthz");
    assert_eq!(
        (health.version.as_str(), health.status),
        ("HTTP/1.1", 200),
        "HTTP/1.1 (web::http_server serves no HTTP/2), status 200: {health:?}"
    );
    assert_eq!(https.served_certificate().as_deref(), Some(&first[..]));
    let plain = plain_http_answer(&server.address);
    assert!(
        !plain.starts_with("HTTP/1.1 200"),
        "no plain HTTP on the TLS port: {plain}"
    );
    let login = https.post(
        "/api/v1/auth/login",
        serde_json::json!({"login": "x.y", "password": "wrong password"}),
    );
    assert_eq!(login.status, 401, "{login:?}");

    // SIP over TLS shares the HTTPS certificate (no [sip] certificate of its own) and
    // its renewal.
    let sip_tls = sip_tls_address(&server);
    for address in [&server.address, &sip_tls] {
        assert_eq!(served_certificate(address), first, "{address}");
    }
    let second = certificate(dir.path(), "durchwahl-zwei");
    for address in [&server.address, &sip_tls] {
        wait_until_served(address, &second, "HTTPS");
    }
    assert!(server.terminate(), "graceful shutdown over TLS");
}

#[test]
fn session_cookies_are_secure_over_tls() {
    let dir = tempfile::tempdir().unwrap();
    certificate(dir.path(), "localhost");
    let data = dir.path().join("data");
    let csv = dir.path().join("s.csv");
    std::fs::write(&csv, "login,name,unit,extension\na.b,Anna B,IKT,2001\n").unwrap();
    let run = |args: &[&str], input: &str| {
        let mut cmd = testkit::process::command(BIN);
        cmd.args(args).arg("--data-dir").arg(&data);
        assert!(testkit::process::run_with_input(cmd, input)
            .status
            .success());
    };
    run(&["users", "import", csv.to_str().unwrap()], "");
    run(&["users", "set-password", "a.b"], "Grüne Wiese am Inn\n");
    let mut cmd = testkit::process::command(BIN);
    cmd.args([
        "serve",
        "--http-listen",
        "127.0.0.1:0",
        "--sip-listen",
        "127.0.0.1:0",
        "--log-level",
        "warn",
        "--data-dir",
    ])
    .arg(&data);
    cmd.env("DURCHWAHL_CONFIG", {
        let config = dir.path().join("c.toml");
        std::fs::write(
            &config,
            format!(
                "[http]\ntls_certificate = \"{}\"\ntls_key = \"{}\"\n\
                 [sip]\ntls_listen = \"127.0.0.1:0\"\n",
                dir.path().join("cert.pem").display(),
                dir.path().join("key.pem").display()
            ),
        )
        .unwrap();
        config
    });
    let server = ServerProcess::start(cmd);
    let login = Client::https(&server.address).post(
        "/api/v1/auth/login",
        serde_json::json!({"login": "a.b", "password": "Grüne Wiese am Inn"}),
    );
    assert_eq!(login.status, 200, "{login:?}");
    let cookie = login
        .headers
        .iter()
        .find(|(name, value)| name == "set-cookie" && value.starts_with("dw_session="))
        .map(|(_, value)| value)
        .unwrap_or_else(|| panic!("{login:?}"));
    assert!(cookie.contains("; Secure"), "{cookie}");
}

/// The SIP TLS address the server printed.
fn sip_tls_address(server: &ServerProcess) -> String {
    server
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("sip listening on ")?.strip_suffix(" (tls)"))
        .unwrap_or_else(|| panic!("no SIP TLS address in {:?}", server.stdout))
        .to_string()
}

/// SIP over TLS with a certificate of its own while HTTP stays plain: served on the SIP
/// TLS port and replaced when the files are renewed.
#[test]
fn sip_over_tls_has_its_own_certificate_and_reloads_it() {
    let dir = tempfile::tempdir().unwrap();
    let sip = dir.path().join("sip");
    std::fs::create_dir(&sip).unwrap();
    let first = certificate(&sip, "sip-eins");
    let config = dir.path().join("durchwahl.toml");
    std::fs::write(
        &config,
        format!(
            "[sip]\ntls_listen = \"127.0.0.1:0\"\ntls_certificate = \"{}\"\ntls_key = \"{}\"\n",
            sip.join("cert.pem").display(),
            sip.join("key.pem").display()
        ),
    )
    .unwrap();
    let mut cmd = testkit::process::command(BIN);
    cmd.args(["serve", "--http-listen", "127.0.0.1:0"])
        .args(["--sip-listen", "127.0.0.1:0", "--log-level", "warn"])
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"));
    let server = ServerProcess::start(cmd);
    assert!(
        server.stdout.contains("listening on http://"),
        "{}",
        server.stdout
    );
    let sip_tls = sip_tls_address(&server);
    assert_eq!(served_certificate(&sip_tls), first);
    let second = certificate(&sip, "sip-zwei");
    wait_until_served(&sip_tls, &second, "SIP");
    assert!(server.terminate(), "graceful shutdown");
}
