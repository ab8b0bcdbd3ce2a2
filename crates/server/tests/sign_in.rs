//! End-to-end tests of sign-in, second factors, sessions, the admin API and the audit log,
//! against the built binary over real HTTP. A local HTTP receiver stands in for the SMS
//! provider and checks the request that arrives.

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::sync::mpsc;
use testkit::http::Client;
use testkit::process::ServerProcess;

const BIN: &str = env!("CARGO_BIN_EXE_durchwahl");
const PASSWORD: &str = "Grüne Wiese am Inn";

const STAFF: &str = "login,name,unit,extension,mobile,roles
a.admin,Anna Admin,Abteilung 2/Sachgebiet 23 IKT,2301,,admin;user
b.user,Bärbel Böhm,Gesundheitsamt/Hotline,2401,+49 151 5550123,user
c.clerk,Carl Clerk,Bauamt,2501,,user
d.new,Dora Neu,Bauamt,2502,,user
";

struct Setup {
    server: ServerProcess,
    _dir: tempfile::TempDir,
    log: std::path::PathBuf,
}

fn durchwahl(data: &Path, args: &[&str], stdin: &str) {
    let mut cmd = Command::new(BIN);
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
fn setup(config: &str) -> Setup {
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
    let mut cmd = Command::new(BIN);
    cmd.args([
        "serve",
        "--http-listen",
        "127.0.0.1:0",
        "--config",
        file.to_str().unwrap(),
    ])
    .args(["--data-dir", data.to_str().unwrap(), "--log-level", "info"])
    .stderr(std::fs::File::create(&log).unwrap());
    Setup {
        server: ServerProcess::start(cmd),
        _dir: dir,
        log,
    }
}

impl Setup {
    fn client(&self) -> Client {
        Client::new(&self.server.address)
    }

    /// A client signed in with the password only.
    fn signed_in(&self, login: &str) -> Client {
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

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn password_sign_in_sessions_and_csrf() {
    let s = setup("");
    let mut c = s.client();
    let wrong = c.post(
        "/api/v1/auth/login",
        json!({"login": "b.user", "password": "falsch falsch"}),
    );
    let unknown = c.post(
        "/api/v1/auth/login",
        json!({"login": "niemand", "password": "falsch falsch"}),
    );
    assert_eq!((wrong.status, unknown.status), (401, 401));
    assert_eq!(
        wrong.body, unknown.body,
        "the answer never reveals whether a login exists"
    );
    assert_eq!(c.get("/api/v1/me").status, 401);

    let ok = c.post(
        "/api/v1/auth/login",
        json!({"login": "B.User", "password": PASSWORD}),
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
    let cookie = ok.header("set-cookie").unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert_eq!(c.get("/api/v1/me").json()["login"], "b.user");

    let mut no_csrf = c.clone();
    no_csrf.csrf = None;
    let refused = no_csrf.post("/api/v1/me/recovery-codes", json!({}));
    assert_eq!(
        (refused.status, refused.json()["error"].clone()),
        (403, json!("csrf"))
    );
    let mut wrong_csrf = c.clone();
    wrong_csrf.csrf = Some("forged".into());
    assert_eq!(
        wrong_csrf
            .post("/api/v1/me/recovery-codes", json!({}))
            .status,
        403
    );
    let codes = c.post("/api/v1/me/recovery-codes", json!({}));
    assert_eq!(codes.json()["recovery_codes"].as_array().unwrap().len(), 10);

    let mut other = s.signed_in("b.user");
    let list = c.get("/api/v1/me/sessions").json();
    let sessions = list["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    let theirs = sessions.iter().find(|x| x["current"] == false).unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        c.request("DELETE", &format!("/api/v1/me/sessions/{theirs}"), None)
            .status,
        200
    );
    assert_eq!(
        other.get("/api/v1/me").status,
        401,
        "an ended session is gone"
    );
    assert_eq!(
        c.request("DELETE", "/api/v1/me/sessions/999999", None)
            .status,
        404
    );

    assert_eq!(c.post("/api/v1/auth/logout", json!({})).status, 200);
    assert_eq!(c.get("/api/v1/me").status, 401);
}

#[test]
fn totp_enrolment_second_sign_in_replay_and_recovery_codes() {
    let s = setup("");
    let mut c = s.signed_in("b.user");
    let enrol = c.post("/api/v1/me/totp", json!({})).json();
    assert!(enrol["otpauth_uri"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/"));
    assert!(enrol["qr_svg"].as_str().unwrap().starts_with("<svg"));
    let secret = auth::totp::TotpSecret::from_base32(enrol["secret"].as_str().unwrap()).unwrap();
    let wrong = c.post("/api/v1/me/totp/confirm", json!({"code": "000000"}));
    assert_eq!(wrong.status, 401);
    let confirmed = c.post(
        "/api/v1/me/totp/confirm",
        json!({"code": auth::totp::code_at(&secret, now())}),
    );
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    let recovery: Vec<String> = confirmed.json()["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(recovery.len(), 10);
    assert_eq!(
        c.post("/api/v1/me/totp", json!({})).status,
        409,
        "a confirmed app is not silently replaced"
    );

    let mut second = s.client();
    let step = second
        .post(
            "/api/v1/auth/login",
            json!({"login": "b.user", "password": PASSWORD}),
        )
        .json();
    assert_eq!(
        step,
        json!({"status": "second_factor", "methods": ["totp", "recovery"]})
    );
    assert_eq!(
        second.get("/api/v1/me").status,
        401,
        "no session before the second factor"
    );
    assert_eq!(
        second
            .post(
                "/api/v1/auth/second-factor",
                json!({"method": "totp", "code": "123456"})
            )
            .status,
        401
    );
    // The next step's code: within the allowed drift, and newer than the one used to confirm.
    let next_code = auth::totp::code_at(&secret, now() + 30);
    let ok = second.post(
        "/api/v1/auth/second-factor",
        json!({"method": "totp", "code": next_code}),
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(
        second.get("/api/v1/me").json()["second_factor"]["totp"],
        true
    );

    let mut replay = s.client();
    replay.post(
        "/api/v1/auth/login",
        json!({"login": "b.user", "password": PASSWORD}),
    );
    let again = replay.post(
        "/api/v1/auth/second-factor",
        json!({"method": "totp", "code": next_code}),
    );
    assert_eq!(again.status, 401, "a code is accepted only once");
    let by_recovery = replay.post(
        "/api/v1/auth/second-factor",
        json!({"method": "recovery", "code": recovery[0].to_uppercase()}),
    );
    assert_eq!(by_recovery.status, 200, "{}", by_recovery.body);

    let mut reuse = s.client();
    reuse.post(
        "/api/v1/auth/login",
        json!({"login": "b.user", "password": PASSWORD}),
    );
    assert_eq!(
        reuse
            .post(
                "/api/v1/auth/second-factor",
                json!({"method": "recovery", "code": recovery[0]})
            )
            .status,
        401
    );
}

#[test]
fn failed_attempts_lock_the_account_until_an_admin_unlocks_it() {
    let s = setup("");
    let mut c = s.client();
    for _ in 0..3 {
        assert_eq!(
            c.post(
                "/api/v1/auth/login",
                json!({"login": "c.clerk", "password": "nicht richtig"})
            )
            .status,
            401
        );
    }
    let locked = c.post(
        "/api/v1/auth/login",
        json!({"login": "c.clerk", "password": PASSWORD}),
    );
    assert_eq!(
        locked.status, 429,
        "even the right password waits: {}",
        locked.body
    );
    let retry: u64 = locked.header("retry-after").unwrap().parse().unwrap();
    assert!((800..=900).contains(&retry), "{retry}");

    let mut admin = s.signed_in("a.admin");
    let list = admin.get("/api/v1/admin/locked").json();
    assert_eq!(list["locked"][0]["login"], "c.clerk");
    assert!(admin.get("/api/v1/admin/staff/c.clerk").json()["locked_until"].is_i64());
    assert_eq!(
        admin
            .post("/api/v1/admin/staff/c.clerk/unlock", json!({}))
            .status,
        200
    );
    assert!(admin.get("/api/v1/admin/locked").json()["locked"]
        .as_array()
        .unwrap()
        .is_empty());
    assert_eq!(
        c.post(
            "/api/v1/auth/login",
            json!({"login": "c.clerk", "password": PASSWORD})
        )
        .status,
        200
    );

    let audit = admin.get("/api/v1/admin/audit?action=login.locked").json();
    assert_eq!(audit["entries"][0]["target"], "c.clerk");
    let unlock = admin
        .get("/api/v1/admin/audit?action=admin.unlocked")
        .json();
    assert_eq!(unlock["entries"][0]["actor"], "a.admin");
}

#[test]
fn every_admin_route_refuses_anonymous_and_non_admin_callers() {
    let s = setup("");
    let mut anonymous = s.client();
    let mut user = s.signed_in("b.user");
    let mut admin = s.signed_in("a.admin");
    for (method, path) in web::admin_api::ADMIN_ROUTES {
        let path = path.replace("{login}", "d.new");
        let body = (*method != "GET").then(|| json!({}));
        let r = anonymous.request(method, &path, body.clone());
        assert_eq!(
            r.status, 401,
            "{method} {path} without a session: {}",
            r.body
        );
        let r = user.request(method, &path, body.clone());
        assert_eq!(r.status, 403, "{method} {path} as a user: {}", r.body);
        if *method == "GET" {
            let r = admin.request(method, &path, None);
            assert_eq!(r.status, 200, "{method} {path} as admin: {}", r.body);
        }
    }
    let doc = anonymous.get("/api/v1/openapi.json").json();
    let documented: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(p, _)| p.starts_with("/api/v1/admin/"))
        .flat_map(|(p, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.to_uppercase(), p.clone()))
        })
        .collect();
    for (method, path) in web::admin_api::ADMIN_ROUTES {
        assert!(
            documented.contains(&(method.to_string(), path.to_string())),
            "{method} {path} is not in the OpenAPI document"
        );
    }
}

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
        request.contains("Authorization: Bearer SMS-SECRET"),
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

#[test]
fn required_second_factor_leads_through_enrolment_and_letter_codes() {
    let s = setup("");
    let mut admin = s.signed_in("a.admin");
    let letter = admin
        .post("/api/v1/admin/staff/d.new/letter-code", json!({}))
        .json();
    let letter_code = letter["code"].as_str().unwrap().to_string();
    assert_eq!(
        admin
            .request(
                "PUT",
                "/api/v1/admin/second-factor",
                Some(json!({"everyone": true}))
            )
            .status,
        200
    );

    // Without any factor: enrolment right after the password.
    let mut c = s.client();
    let step = c
        .post(
            "/api/v1/auth/login",
            json!({"login": "c.clerk", "password": PASSWORD}),
        )
        .json();
    assert_eq!(step["status"], "enrolment_required");
    assert_eq!(c.get("/api/v1/me").status, 401);
    let enrol = c.post("/api/v1/me/totp", json!({})).json();
    let secret = auth::totp::TotpSecret::from_base32(enrol["secret"].as_str().unwrap()).unwrap();
    let done = c.post(
        "/api/v1/me/totp/confirm",
        json!({"code": auth::totp::code_at(&secret, now())}),
    );
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.json()["recovery_codes"].as_array().unwrap().len(), 10);
    assert_eq!(
        c.get("/api/v1/me").json()["login"],
        "c.clerk",
        "enrolment started the session"
    );

    // With a letter: the letter code first, then enrolment.
    let mut d = s.client();
    let step = d
        .post(
            "/api/v1/auth/login",
            json!({"login": "d.new", "password": PASSWORD}),
        )
        .json();
    assert_eq!(step["methods"], json!(["letter"]));
    let after = d
        .post(
            "/api/v1/auth/second-factor",
            json!({"method": "letter", "code": letter_code}),
        )
        .json();
    assert_eq!(after["status"], "enrolment_required");
    let enrol = d.post("/api/v1/me/totp", json!({})).json();
    let secret = auth::totp::TotpSecret::from_base32(enrol["secret"].as_str().unwrap()).unwrap();
    assert_eq!(
        d.post(
            "/api/v1/me/totp/confirm",
            json!({"code": auth::totp::code_at(&secret, now())})
        )
        .status,
        200
    );
    assert_eq!(d.get("/api/v1/me").status, 200);

    let audit = admin.get("/api/v1/admin/audit?person=d.new").json();
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for expected in [
        "admin.letter_code.issued",
        "factor.letter.used",
        "factor.totp.enrolled",
        "login.ok",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing in {actions:?}"
        );
    }
    assert_eq!(
        admin
            .post("/api/v1/admin/staff/d.new/reset-factors", json!({}))
            .status,
        200
    );
    assert_eq!(
        d.get("/api/v1/me").status,
        401,
        "a reset ends the person's sessions"
    );
}

#[test]
fn admins_edit_people_and_switch_features_with_clear_errors() {
    let s = setup("");
    let mut admin = s.signed_in("a.admin");
    let list = admin.get("/api/v1/admin/staff?q=b%C3%A4rbel").json();
    assert_eq!(
        (list["total"].clone(), list["staff"][0]["login"].clone()),
        (json!(1), json!("b.user"))
    );
    assert_eq!(
        admin.get("/api/v1/admin/staff?unit=Bauamt").json()["total"],
        2
    );
    assert_eq!(admin.get("/api/v1/admin/staff?unit=Nirgendwo").status, 404);

    let patch =
        |c: &mut Client, body: Value| c.request("PATCH", "/api/v1/admin/staff/c.clerk", Some(body));
    let r = patch(
        &mut admin,
        json!({"mobile": "+49 160 1234567", "features": ["softphone"]}),
    );
    assert_eq!(
        (r.status, r.json()["mobile"].clone()),
        (200, json!("+49 160 1234567")),
        "{}",
        r.body
    );
    assert_eq!(
        patch(&mut admin, json!({"extension": "2401"})).status,
        409,
        "taken by b.user"
    );
    assert_eq!(patch(&mut admin, json!({"extension": "24a"})).status, 400);
    assert_eq!(patch(&mut admin, json!({"roles": ["chef"]})).status, 400);
    assert_eq!(patch(&mut admin, json!({"unit": "Nirgendwo"})).status, 404);
    assert_eq!(
        patch(&mut admin, json!({"shoe_size": 42})).status,
        422,
        "unknown fields are refused"
    );
    let now = admin.get("/api/v1/admin/staff/c.clerk").json();
    assert_eq!(
        (now["extension"].clone(), now["roles"].clone()),
        (json!("2501"), json!(["user"])),
        "failed edits change nothing"
    );
    assert_eq!(
        patch(&mut admin, json!({"mobile": null})).json()["mobile"],
        Value::Null
    );

    let on = admin
        .post(
            "/api/v1/admin/features",
            json!({"feature": "hotline", "on": true, "unit": "Bauamt"}),
        )
        .json();
    assert_eq!(
        (on["selected"].clone(), on["changed"].clone()),
        (json!(2), json!(2))
    );
    let off = admin
        .post(
            "/api/v1/admin/features",
            json!({"feature": "hotline", "on": false, "logins": ["c.clerk"]}),
        )
        .json();
    assert_eq!(off["changed"], 1);
    assert_eq!(
        admin
            .post(
                "/api/v1/admin/features",
                json!({"feature": "fax", "on": true, "unit": "Bauamt"})
            )
            .status,
        400
    );
    assert_eq!(
        admin
            .post(
                "/api/v1/admin/features",
                json!({"feature": "hotline", "on": true})
            )
            .status,
        400
    );

    let csv = admin.get("/api/v1/admin/audit.csv");
    assert_eq!(csv.status, 200);
    assert!(
        csv.body
            .starts_with("\u{feff}time;actor;action;target;source;detail"),
        "{}",
        csv.body
    );
    assert!(csv.body.contains("admin.feature.on"), "{}", csv.body);
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
