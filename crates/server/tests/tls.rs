//! HTTPS served by rustls from PEM files, with the certificate reloaded when the files
//! change; checked with the real openssl and curl clients. SIP over TLS shares the HTTPS
//! certificate or has its own, reloaded the same way.

use std::path::Path;
use std::process::Command;
use testkit::process::ServerProcess;

const BIN: &str = env!("CARGO_BIN_EXE_durchwahl");

fn certificate(dir: &Path, name: &str) {
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN={name}"),
        ])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
}

/// The subject of the certificate the server presents.
fn served_subject(address: &str) -> String {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("openssl s_client -connect {address} </dev/null 2>/dev/null | openssl x509 -noout -subject"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn curl(args: &[&str]) -> String {
    let out = Command::new("curl")
        .args(["-sk", "-i"])
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn serves_https_marks_cookies_secure_and_reloads_a_renewed_certificate() {
    let dir = tempfile::tempdir().unwrap();
    certificate(dir.path(), "durchwahl-eins");
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
    let base = format!("https://{}", server.address);

    let health = curl(&[&format!("{base}/healthz")]);
    assert!(
        health
            .lines()
            .next()
            .unwrap_or_default()
            .starts_with("HTTP/1.1 200 "),
        "HTTP/1.1 (web::http_server serves no HTTP/2), status 200: {health}"
    );
    let plain = Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}"])
        .arg(format!("http://{}/healthz", server.address))
        .output()
        .unwrap();
    assert_ne!(
        String::from_utf8_lossy(&plain.stdout),
        "200",
        "no plain HTTP on the TLS port"
    );
    let login = curl(&[
        "-H",
        "Content-Type: application/json",
        "-d",
        r#"{"login":"x.y","password":"wrong password"}"#,
        &format!("{base}/api/v1/auth/login"),
    ]);
    assert!(
        login.lines().next().unwrap_or_default().contains(" 401"),
        "{login}"
    );

    // SIP over TLS shares the HTTPS certificate (no [sip] certificate of its own) and
    // its renewal.
    let sip_tls = sip_tls_address(&server);
    for address in [&server.address, &sip_tls] {
        assert!(
            served_subject(address).contains("durchwahl-eins"),
            "{address}"
        );
    }
    certificate(dir.path(), "durchwahl-zwei");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    for address in [&server.address, &sip_tls] {
        while !served_subject(address).contains("durchwahl-zwei") {
            assert!(
                std::time::Instant::now() < deadline,
                "the renewed certificate was not picked up on {address}"
            );
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
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
    let login = curl(&[
        "-H",
        "Content-Type: application/json",
        "-d",
        r#"{"login":"a.b","password":"Grüne Wiese am Inn"}"#,
        &format!("https://{}/api/v1/auth/login", server.address),
    ]);
    let cookie = login
        .lines()
        .find(|l| {
            l.to_ascii_lowercase()
                .starts_with("set-cookie: dw_session=")
        })
        .unwrap_or_else(|| panic!("{login}"));
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
    certificate(&sip, "sip-eins");
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
    assert!(served_subject(&sip_tls).contains("sip-eins"));
    certificate(&sip, "sip-zwei");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while !served_subject(&sip_tls).contains("sip-zwei") {
        assert!(
            std::time::Instant::now() < deadline,
            "the renewed SIP certificate was not picked up"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert!(server.terminate(), "graceful shutdown");
}
