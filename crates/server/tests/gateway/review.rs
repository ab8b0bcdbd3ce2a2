//! What a security review of the gateway found, each shown from outside: the request as
//! a client or an upstream would make it, and what reached the other side (what lasts
//! over time is in `review_live`).

use crate::http::{get, parse, raw, raw_bytes, send, statuses, Echo};
use crate::{app, assert_refused, publish, sqlite, Gateway};
use serde_json::{json, Value};
use std::net::TcpStream;
use std::time::Duration;
use testkit::http::Client;
use testkit::upstream::{Upstream, EVIL_HEADERS};
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest, Message};

/// `Cookie: …\r\n` for the client's jar.
pub fn cookie_line(client: &Client) -> String {
    let jar: Vec<String> = client
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    format!("Cookie: {}\r\n", jar.join("; "))
}

/// Every request target that reached the upstream, health checks left out.
fn forwarded(upstream: &Upstream) -> Vec<String> {
    upstream
        .targets()
        .into_iter()
        .filter(|t| t != "/health")
        .collect()
}

#[test]
fn path_parameter_dots_overlong_and_look_alike_dots_are_400_and_never_forwarded() {
    let upstream = Upstream::start();
    let g = sqlite(("", ""));
    let mut admin = g.signed_in("a.admin");
    publish(&g, &mut admin, app("akte", &upstream.url(), |_| {}));
    let cookie = cookie_line(&admin);
    for target in [
        "/apps/akte/..;/secret",
        "/apps/akte/.;x/y",
        "/apps/akte/..%3b/x",
        "/apps/akte/..%3B/x",
        "/apps/akte/%c0%ae%c0%ae/x",
        "/apps/akte/%EF%BC%8E%EF%BC%8E/x",
    ] {
        for (who, line) in [("with a session", cookie.as_str()), ("without", "")] {
            let answer = raw(
                &g.address,
                &format!("GET {target} HTTP/1.1\r\nHost: x\r\n{line}Connection: close\r\n\r\n"),
            );
            assert_eq!(statuses(&answer), vec![400], "{target} {who}: {answer}");
        }
    }
    assert!(
        forwarded(&upstream).is_empty(),
        "{:?}",
        forwarded(&upstream)
    );
    // A semicolon that is not after a dot segment passes as it was sent.
    let fine = get(&admin, "/apps/akte/echo/a;b=1/c", &[]);
    assert_eq!(Echo::of(&fine).target, "/echo/a;b=1/c");
}

/// Headers that some upstreams read as the real path, the user, or Durchwahl's own.
const SMUGGLED: [(&str, &str); 7] = [
    ("X-Original-URL", "/admin"),
    ("X-Rewrite-URL", "/admin"),
    ("X-Forwarded-Port", "8443"),
    ("X-Forwarded-User", "a.admin"),
    ("Remote-User", "a.admin"),
    ("Cookie2", "dw_session=x"),
    ("X-Forwarded-Host", "evil.example"),
];

/// `GET /apps/akte/echo/…` with `Host: evil.example`, the client's cookies, its CSRF
/// token and [`SMUGGLED`]; what the upstream saw.
fn smuggle(g: &Gateway, client: &Client) -> Echo {
    let mut head = format!(
        "GET /apps/akte/echo/h HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n{}",
        cookie_line(client)
    );
    head.push_str(&format!(
        "X-CSRF-Token: {}\r\n",
        client.csrf.as_deref().expect("a CSRF token")
    ));
    for (name, value) in SMUGGLED {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let answer = raw_bytes(&g.address, format!("{head}\r\n").as_bytes());
    Echo::of(&parse(&answer).expect("an answer"))
}

#[track_caller]
fn assert_clean(echo: &Echo, client: &Client) {
    for gone in [
        "x-original-url",
        "x-rewrite-url",
        "x-forwarded-port",
        "x-forwarded-user",
        "remote-user",
        "x-csrf-token",
        "cookie2",
    ] {
        assert!(echo.all(gone).is_empty(), "{gone}: {:?}", echo.headers);
    }
    let csrf = client.csrf.as_deref().unwrap();
    for (name, value) in &echo.headers {
        assert!(
            !value.contains(csrf) && !value.contains("dw_session"),
            "{name}: {value}"
        );
    }
}

#[test]
fn headers_naming_a_path_a_user_or_durchwahls_token_never_reach_the_upstream() {
    let upstream = Upstream::start();
    // Without [gateway] portal_url: no X-Forwarded-Host at all, whatever the client said.
    let g = sqlite(("", ""));
    let mut admin = g.signed_in("a.admin");
    publish(&g, &mut admin, app("akte", &upstream.url(), |_| {}));
    let echo = smuggle(&g, &admin);
    assert_clean(&echo, &admin);
    assert_eq!(echo.one("x-forwarded-host"), None, "{:?}", echo.headers);
    // A write: the CSRF token the client sends along stays with Durchwahl.
    let headers: Vec<(&str, &str)> = SMUGGLED.to_vec();
    let posted = Echo::of(&send(&admin, "POST", "/apps/akte/echo/p", &headers));
    assert_eq!(posted.method, "POST");
    assert_clean(&posted, &admin);

    // With it: the portal's host with its port, never the client's Host.
    let g = sqlite((
        "",
        "[gateway]\nportal_url = \"https://durchwahl.lra.example:8443\"\n",
    ));
    let mut admin = g.signed_in("a.admin");
    publish(&g, &mut admin, app("akte", &upstream.url(), |_| {}));
    let echo = smuggle(&g, &admin);
    assert_clean(&echo, &admin);
    assert_eq!(
        echo.one("x-forwarded-host"),
        Some("durchwahl.lra.example:8443")
    );
}

#[test]
fn cookies_and_headers_an_upstream_may_not_set_never_reach_the_client() {
    let upstream = Upstream::start();
    let g = sqlite(("", ""));
    let mut admin = g.signed_in("a.admin");
    publish(&g, &mut admin, app("akte", &upstream.url(), |_| {}));
    let r = admin.get("/apps/akte/evil-headers");
    assert_eq!(r.status, 200, "{}", r.body);
    let cookies: Vec<&str> = r
        .headers
        .iter()
        .filter(|(k, _)| k == "set-cookie")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(cookies, ["akte=1; Path=/"], "{:?}", r.headers);
    for (name, value) in EVIL_HEADERS {
        assert!(
            !r.headers.iter().any(|(k, v)| k == name && v == value),
            "{name}: {value} passed: {:?}",
            r.headers
        );
    }
    // The session the upstream tried to replace is still the admin's.
    assert_eq!(admin.get("/api/v1/me").status, 200);
    // Answers without Cache-Control are the person's only.
    for path in ["/apps/akte/evil-headers", "/apps/akte/echo/c"] {
        let r = get(&admin, path, &[]);
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        assert_eq!(
            r.header("cache-control"),
            Some("private"),
            "{path}: {:?}",
            r.headers
        );
        let vary: Vec<&str> = r
            .headers
            .iter()
            .filter(|(k, _)| k == "vary")
            .map(|(_, v)| v.as_str())
            .collect();
        assert!(
            vary.iter()
                .any(|v| v.to_ascii_lowercase().contains("cookie")),
            "{path}: Vary: Cookie: {:?}",
            r.headers
        );
    }
}

/// A WebSocket to `/apps/NAME/ws` with the client's cookies and `origin`: open, or the
/// refusal (status and body).
pub fn websocket(
    g: &Gateway,
    client: &Client,
    name: &str,
    origin: Option<&str>,
) -> Result<tungstenite::WebSocket<TcpStream>, testkit::http::Reply> {
    let mut request = format!("ws://{}/apps/{name}/ws", g.address)
        .into_client_request()
        .unwrap();
    let jar = cookie_line(client);
    let jar = jar.trim_start_matches("Cookie: ").trim_end();
    request.headers_mut().insert("Cookie", jar.parse().unwrap());
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("Origin", origin.parse().unwrap());
    }
    let stream = TcpStream::connect(&g.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    match tungstenite::client::client(request, stream) {
        Ok((socket, response)) => {
            assert_eq!(response.status().as_u16(), 101);
            Ok(socket)
        }
        Err(tungstenite::HandshakeError::Failure(tungstenite::Error::Http(r))) => {
            let body = r.body().clone().unwrap_or_default();
            Err(testkit::http::Reply {
                version: "HTTP/1.1".into(),
                status: r.status().as_u16(),
                headers: Vec::new(),
                body: String::from_utf8_lossy(&body).into_owned(),
                bytes: body,
            })
        }
        Err(e) => panic!("{e}"),
    }
}

#[track_caller]
pub fn echoes(socket: &mut tungstenite::WebSocket<TcpStream>, text: &str) {
    socket.send(Message::text(text)).unwrap();
    assert_eq!(socket.read().unwrap(), Message::text(text));
}

#[test]
fn trace_and_writes_or_websockets_from_another_origin_are_refused_and_never_forwarded() {
    let upstream = Upstream::start();
    let g = sqlite(("", ""));
    let mut admin = g.signed_in("a.admin");
    publish(&g, &mut admin, app("akte", &upstream.url(), |_| {}));
    let carl = g.signed_in("c.clerk");
    let evil = [("Origin", "http://evil.example")];
    let ours = format!("http://{}", g.address);

    let trace = send(&carl, "TRACE", "/apps/akte/echo/trace", &[]);
    assert_eq!(trace.status, 405, "{}", trace.body);
    assert_refused(
        &send(&carl, "POST", "/apps/akte/echo/evil", &evil),
        "origin",
        "POST",
    );
    assert_refused(
        &send(&carl, "DELETE", "/apps/akte/echo/evil", &evil),
        "origin",
        "DELETE",
    );
    match websocket(&g, &carl, "akte", Some("http://evil.example")) {
        Err(refused) => assert_refused(&refused, "origin", "WebSocket"),
        Ok(_) => panic!("a WebSocket from another origin was opened"),
    }
    assert!(
        forwarded(&upstream).is_empty(),
        "{:?}",
        forwarded(&upstream)
    );

    // From Durchwahl's own origin, and reading from anywhere: forwarded.
    let same = [("Origin", ours.as_str())];
    assert_eq!(
        Echo::of(&send(&carl, "POST", "/apps/akte/echo/ours", &same)).method,
        "POST"
    );
    Echo::of(&get(&carl, "/apps/akte/echo/read", &evil));
    let mut socket = websocket(&g, &carl, "akte", Some(&ours)).expect("the same origin");
    echoes(&mut socket, "gleiche Seite");
    assert_eq!(forwarded(&upstream), ["/echo/ours", "/echo/read", "/ws"]);
}

#[test]
fn link_local_and_unspecified_upstreams_are_422_at_upstream() {
    let g = sqlite(("", ""));
    let mut admin = g.signed_in("a.admin");
    for (n, upstream) in [
        "http://169.254.169.254/",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0:80/",
        "http://[fe80::1]/",
    ]
    .into_iter()
    .enumerate()
    {
        let r = admin.post(
            "/api/v1/admin/gateway/apps",
            app(&format!("meta{n}"), upstream, |_| {}),
        );
        assert_eq!(r.status, 422, "{upstream}: {}", r.body);
        let body = r.json();
        let named = body["field"].as_str().map(str::to_owned).into_iter().chain(
            body["fields"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f["field"].as_str().map(str::to_owned)),
        );
        assert!(
            named.into_iter().any(|f| f == "upstream"),
            "{upstream}: {body}"
        );
    }
    let apps = admin.get("/api/v1/admin/gateway/apps");
    assert_eq!(apps.json(), json!([]), "nothing published: {}", apps.body);
}

#[test]
fn a_hostile_path_for_an_unknown_name_is_audited_as_app_unknown() {
    let g = sqlite(("", ""));
    let mut admin = g.signed_in("a.admin");
    let answer = raw(
        &g.address,
        "GET /apps/junk123/%2e HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(statuses(&answer), vec![400], "{answer}");
    let r = admin.get("/api/v1/admin/audit?action=gateway.&limit=1000");
    assert_eq!(r.status, 200, "{}", r.body);
    let entries = r.json()["entries"].as_array().cloned().unwrap_or_default();
    let refused: Vec<&Value> = entries
        .iter()
        .filter(|e| e["action"] == "gateway.refused")
        .collect();
    assert_eq!(refused.len(), 1, "{entries:?}");
    assert_eq!(refused[0]["target"], "app:?", "{:?}", refused[0]);
    assert_eq!(
        refused[0]["detail"], "encoded_separator",
        "{:?}",
        refused[0]
    );
    let all = admin.get("/api/v1/admin/audit?limit=1000").body;
    assert!(
        !all.contains("junk123"),
        "the junk name in the audit log: {all}"
    );
}
