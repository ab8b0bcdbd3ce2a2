//! Sign-in codes by SMS through the configured HTTP(S) gateway: local receivers stand in
//! for the provider and check the request that arrives.

mod common;

use common::{setup, PASSWORD};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;

/// A local HTTP server standing in for the SMS provider; hands over each request.
fn sms_receiver() -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut raw = Vec::new();
            let mut buf = [0u8; 4096];
            loop {
                let n = stream.read(&mut buf).unwrap();
                raw.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&raw).to_string();
                if let Some(split) = text.find("\r\n\r\n") {
                    let length = text
                        .lines()
                        .find_map(|l| l.strip_prefix("Content-Length: "))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    if raw.len() >= split + 4 + length || n == 0 {
                        break;
                    }
                }
            }
            stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                .unwrap();
            tx.send(String::from_utf8_lossy(&raw).into_owned()).unwrap();
        }
    });
    (address, rx)
}

#[test]
fn sms_codes_go_through_the_configured_gateway_and_are_never_logged() {
    let (address, requests) = sms_receiver();
    let s = setup(&format!(
        "[sms]\ngateway = \"http\"\nurl = \"http://{address}/send?to={{to}}\"\nheaders = [\"Authorization: Bearer SMS-SECRET\"]\nbody = '{{\"text\": \"{{text}}\"}}'\n"
    ));
    let mut admin = s.signed_in("a.admin");
    let rule = admin.request(
        "PUT",
        "/api/v1/admin/second-factor",
        Some(json!({"units": ["Gesundheitsamt"]})),
    );
    assert_eq!(rule.status, 200, "{}", rule.body);
    assert_eq!(
        admin
            .request(
                "PUT",
                "/api/v1/admin/second-factor",
                Some(json!({"units": ["Nirgendwo"]}))
            )
            .status,
        404
    );

    let mut c = s.client();
    let step = c
        .post(
            "/api/v1/auth/login",
            json!({"login": "b.user", "password": PASSWORD}),
        )
        .json();
    assert_eq!(
        step["methods"],
        json!(["sms"]),
        "the unit rule applies to the Hotline below Gesundheitsamt"
    );
    assert_eq!(c.post("/api/v1/auth/sms", json!({})).status, 200);
    let request = requests
        .recv_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    assert!(
        request.starts_with("POST /send?to=%2B49%20151%205550123 HTTP/1.1"),
        "{request}"
    );
    assert!(
        request
            .to_ascii_lowercase()
            .contains("authorization: bearer sms-secret"),
        "{request}"
    );
    let body = &request[request.find("\r\n\r\n").unwrap() + 4..];
    let text = serde_json::from_str::<Value>(body).unwrap()["text"]
        .as_str()
        .unwrap()
        .to_string();
    let code: String = text.split(": ").nth(1).unwrap().chars().take(6).collect();
    assert!(code.chars().all(|c| c.is_ascii_digit()), "{text}");
    assert_eq!(
        c.post("/api/v1/auth/sms", json!({})).status,
        429,
        "one SMS per 30 seconds"
    );
    assert_eq!(
        c.post(
            "/api/v1/auth/second-factor",
            json!({"method": "sms", "code": "000000"})
        )
        .status,
        401
    );
    let ok = c.post(
        "/api/v1/auth/second-factor",
        json!({"method": "sms", "code": code}),
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
    let log = common::log();
    assert!(
        log.contains("path=/api/v1/auth/sms"),
        "the server's log is captured (the SMS request is in it)"
    );
    assert!(
        !log.contains(&code) && !log.contains("SMS-SECRET"),
        "codes and secrets never reach the log"
    );
}

/// Reads one HTTP request (head and `Content-Length` body) from `stream`: its path and
/// body, or `None` when the connection ends first (a client that gave up in the TLS
/// handshake).
fn read_request(stream: &mut impl Read) -> Option<(String, String)> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).ok().filter(|&n| n > 0)?;
        raw.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&raw).into_owned();
        let Some(split) = text.find("\r\n\r\n") else {
            continue;
        };
        let length: usize = text[..split]
            .lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.trim().parse().ok())
            .unwrap_or(0);
        if raw.len() >= split + 4 + length {
            let path = text.split(' ').nth(1).unwrap_or_default().to_string();
            let body = String::from_utf8_lossy(&raw[split + 4..split + 4 + length]);
            return Some((path, body.into_owned()));
        }
    }
}

/// An HTTPS server standing in for the provider (rustls, with a certificate for
/// localhost from an internal CA made here); hands over each request's path and body.
struct HttpsReceiver {
    port: u16,
    requests: mpsc::Receiver<(String, String)>,
}

impl HttpsReceiver {
    fn start(authority: &testkit::tls::Authority) -> HttpsReceiver {
        use rustls_pki_types::pem::PemObject;
        use rustls_pki_types::{CertificateDer, PrivateKeyDer};
        let leaf = authority.issue("localhost", &["localhost"]);
        let chain = vec![CertificateDer::from(leaf.der)];
        let key = PrivateKeyDer::from_pem_slice(leaf.key_pem.as_bytes()).unwrap();
        let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = std::sync::Arc::new(
            rustls::ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(chain, key)
                .unwrap(),
        );
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, requests) = mpsc::channel();
        std::thread::spawn(move || {
            for tcp in listener.incoming() {
                let Ok(tcp) = tcp else { continue };
                let connection = rustls::ServerConnection::new(config.clone()).unwrap();
                let mut tls = rustls::StreamOwned::new(connection, tcp);
                let Some(request) = read_request(&mut tls) else {
                    continue;
                };
                let _ = tls.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
                tls.conn.send_close_notify();
                let _ = tls.flush();
                if tx.send(request).is_err() {
                    break;
                }
            }
        });
        HttpsReceiver { port, requests }
    }
}

#[test]
fn sms_over_https_trusts_only_known_certificates() {
    let certs = tempfile::tempdir().unwrap();
    let authority = testkit::tls::Authority::new("Test-CA");
    std::fs::write(certs.path().join("ca.pem"), &authority.cert_pem).unwrap();
    let receiver = HttpsReceiver::start(&authority);
    let sms = |ca: &str| {
        format!(
            "[sms]\ngateway = \"http\"\nurl = \"https://localhost:{}/send\"\nbody = '{{\"to\": \"{{to}}\", \"text\": \"{{text}}\"}}'\n{ca}",
            receiver.port
        )
    };
    let rule = json!({"everyone": true});

    // Without the receiver's CA the certificate is untrusted: nothing is sent.
    let untrusted = setup(&sms(""));
    untrusted.signed_in("a.admin").request(
        "PUT",
        "/api/v1/admin/second-factor",
        Some(rule.clone()),
    );
    let mut c = untrusted.client();
    c.post(
        "/api/v1/auth/login",
        json!({"login": "b.user", "password": PASSWORD}),
    );
    assert_eq!(c.post("/api/v1/auth/sms", json!({})).status, 503);

    let trusted = setup(&sms(&format!(
        "ca_file = \"{}\"\n",
        certs.path().join("ca.pem").display()
    )));
    trusted
        .signed_in("a.admin")
        .request("PUT", "/api/v1/admin/second-factor", Some(rule));
    let mut c = trusted.client();
    c.post(
        "/api/v1/auth/login",
        json!({"login": "b.user", "password": PASSWORD}),
    );
    let sent = c.post("/api/v1/auth/sms", json!({}));
    assert_eq!(sent.status, 200, "{}", common::log());
    let (path, body) = receiver
        .requests
        .recv_timeout(std::time::Duration::from_secs(10))
        .unwrap();
    assert_eq!(
        path, "/send",
        "the first request that arrives is the trusted server's"
    );
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["to"], "+49 151 5550123");
    let code: String = body["text"]
        .as_str()
        .unwrap()
        .split(": ")
        .nth(1)
        .unwrap()
        .chars()
        .take(6)
        .collect();
    let ok = c.post(
        "/api/v1/auth/second-factor",
        json!({"method": "sms", "code": code}),
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
}
