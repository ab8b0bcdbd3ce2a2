//! Sign-in codes by SMS through the configured HTTP(S) gateway: local receivers stand in
//! for the provider and check the request that arrives.

mod common;

use common::{setup, PASSWORD};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
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
    let log = std::fs::read_to_string(&s.log).unwrap();
    assert!(
        !log.contains(&code) && !log.contains("SMS-SECRET"),
        "codes and secrets never reach the log"
    );
}

/// An HTTPS receiver (Python's ssl server with a certificate for localhost from an
/// openssl-made internal CA)
/// that prints each request's path and body as one line.
struct HttpsReceiver {
    child: std::process::Child,
    lines: std::io::Lines<std::io::BufReader<std::process::ChildStdout>>,
    port: String,
}

impl HttpsReceiver {
    fn start(dir: &Path) -> HttpsReceiver {
        use std::io::BufRead;
        // An internal CA, and a certificate for localhost that it signs.
        std::fs::write(
            dir.join("ext.cnf"),
            "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n",
        )
        .unwrap();
        let steps = [
            "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=Test-CA -keyout ca-key.pem -out ca.pem",
            "openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout sms-key.pem -out sms.csr",
            "openssl x509 -req -in sms.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 2 -extfile ext.cnf -out sms-cert.pem",
        ];
        for step in steps {
            let status = Command::new("sh")
                .arg("-c")
                .arg(format!("{step} 2>/dev/null"))
                .current_dir(dir)
                .status()
                .unwrap();
            assert!(status.success(), "{step}");
        }
        let script = r#"
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers['Content-Length'])).decode()
        print(self.path + ' ' + body, flush=True)
        self.send_response(200); self.send_header('Content-Length', '0'); self.end_headers()
    def log_message(self, *a): pass
srv = http.server.HTTPServer(('127.0.0.1', 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
srv.serve_forever()
"#;
        let mut child = Command::new("python3")
            .args(["-c", script])
            .arg(dir.join("sms-cert.pem"))
            .arg(dir.join("sms-key.pem"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let port = lines.next().unwrap().unwrap();
        HttpsReceiver { child, lines, port }
    }
}

impl Drop for HttpsReceiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn sms_over_https_trusts_only_known_certificates() {
    let certs = tempfile::tempdir().unwrap();
    let mut receiver = HttpsReceiver::start(certs.path());
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
    assert_eq!(
        sent.status,
        200,
        "{}",
        std::fs::read_to_string(&trusted.log).unwrap()
    );
    let line = receiver.lines.next().unwrap().unwrap();
    let (path, body) = line.split_once(' ').unwrap();
    assert_eq!(
        path, "/send",
        "the first request that arrives is the trusted server's"
    );
    let body: Value = serde_json::from_str(body).unwrap();
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
