//! Behind a reverse proxy, and hostile input at the HTTP edge, against the whole server:
//!
//! - With `[http] trusted_proxies = ["127.0.0.1"]` sign-ins are throttled and audited per
//!   forwarded client (`X-Forwarded-For`, `Forwarded`), and a client cannot pick its
//!   address by writing entries left of what the proxy appended. Without it the headers
//!   are ignored: changing them escapes no throttle.
//! - Raw TCP: conflicting `Content-Length`s (hyper: 400), `Content-Length` with
//!   `Transfer-Encoding` and chunked bodies (411, never a second, smuggled request),
//!   oversized heads (431), and the server keeps answering.
//! - The sign-in never follows a return address the browser brings: every redirect of
//!   the sign-in and single sign-on stays on our origin, as a relative path.

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;
use testkit::http::Client;
use testkit::oidc_provider::{Issue, OidcProvider, CLIENT_ID, CLIENT_SECRET};
use testkit::server::{on_every_database, start, Options, TestServer};
use web::auth::oidc::config::OidcConfig;

/// Sends `request` as it is on a fresh connection and reads until the server closes it
/// (or 10 s pass); a reset after the answer counts as a close.
fn raw(address: &str, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let _ = stream.write_all(request);
    let mut answer = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

/// The status codes of every response in `answer`, in order.
fn statuses(answer: &str) -> Vec<u16> {
    answer
        .match_indices("HTTP/1.1 ")
        .filter_map(|(at, _)| answer.get(at + 9..at + 12)?.parse().ok())
        .collect()
}

/// A failed password sign-in as `login` with these extra header lines: the status.
fn sign_in_with(address: &str, headers: &str, login: &str) -> u16 {
    let body = json!({"login": login, "password": "nicht richtig"}).to_string();
    let request = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n{headers}\r\n{body}",
        body.len()
    );
    let answer = raw(address, request.as_bytes());
    *statuses(&answer)
        .first()
        .unwrap_or_else(|| panic!("no answer: {answer:?}"))
}

/// Failed sign-ins with fresh logins (no account throttle) until the source throttle
/// answers 429; how many it took.
fn until_throttled(s: &TestServer, headers: &str, tag: &str) -> usize {
    for attempt in 1..=40 {
        let status = sign_in_with(&s.address, headers, &format!("niemand-{tag}-{attempt}"));
        match status {
            401 => continue,
            429 => return attempt,
            other => panic!("{}: attempt {attempt} answered {other}", s.label),
        }
    }
    panic!("{}: never throttled", s.label)
}

/// The sources of the audit entries of `action`, as `admin` reads them.
fn audit_sources(admin: &mut Client, action: &str) -> Vec<String> {
    let found = admin.get(&format!("/api/v1/admin/audit?action={action}&limit=500"));
    assert_eq!(found.status, 200, "{}", found.body);
    found.json()["entries"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e["source"].as_str().map(str::to_owned))
        .collect()
}

fn behind_proxy() -> Options {
    let mut options = Options {
        fake_clock: true,
        ..Options::default()
    };
    options.config.http.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    options
}

#[test]
fn behind_a_trusted_proxy_sign_ins_are_throttled_and_audited_per_forwarded_client() {
    for s in on_every_database(behind_proxy) {
        let mut admin = s.signed_in("a.admin");
        // The proxy appended 203.0.113.7; the client wrote 1.1.1.1 itself.
        let first = "X-Forwarded-For: 1.1.1.1, 203.0.113.7\r\n";
        let took = until_throttled(&s, first, "a");
        assert!(
            took > 20,
            "{}: 20 free failures per address, took {took}",
            s.label
        );
        // Another forwarded client is not throttled by the first one's failures.
        let second = "X-Forwarded-For: 198.51.100.9\r\n";
        assert_eq!(
            sign_in_with(&s.address, second, "niemand-b"),
            401,
            "{}",
            s.label
        );
        // Nor is one named by RFC 7239 Forwarded, quoted IPv6 with a port.
        let third = "Forwarded: for=\"[2001:db8::7]:4711\";proto=https\r\n";
        assert_eq!(
            sign_in_with(&s.address, third, "niemand-c"),
            401,
            "{}",
            s.label
        );
        // Changing what it writes on the left does not free the first client.
        for spoofed in [
            "X-Forwarded-For: 198.51.100.9, 203.0.113.7\r\n",
            "X-Forwarded-For: 203.0.113.7\r\nX-Real-IP: 198.51.100.9\r\n",
            // Its own Forwarded, which a proxy maintaining X-Forwarded-For passes on:
            // the two disagree, so the client is the proxy, never 198.51.100.9.
            "Forwarded: for=198.51.100.9\r\nX-Forwarded-For: 203.0.113.7\r\n",
        ] {
            let status = sign_in_with(&s.address, spoofed, "niemand-a-again");
            let expected = if spoofed.starts_with("Forwarded") {
                401
            } else {
                429
            };
            assert_eq!(status, expected, "{}: {spoofed:?}", s.label);
        }

        let sources = audit_sources(&mut admin, "login.failed");
        let count = |ip: &str| sources.iter().filter(|x| *x == ip).count();
        assert_eq!(count("203.0.113.7"), took - 1, "{}: {sources:?}", s.label);
        assert_eq!(count("198.51.100.9"), 1, "{}: {sources:?}", s.label);
        assert_eq!(
            count("127.0.0.1"),
            1,
            "{}: headers that disagree: the proxy",
            s.label
        );
        assert_eq!(count("2001:db8::7"), 1, "{}: {sources:?}", s.label);
        assert_eq!(
            count("1.1.1.1"),
            0,
            "{}: the spoofed entry never counts",
            s.label
        );

        // A successful sign-in's session and its audit entry name the client too.
        let body = json!({"login": "b.user", "password": testkit::server::PASSWORD}).to_string();
        let request = format!(
            "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
             X-Forwarded-For: 192.0.2.44\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        assert_eq!(statuses(&raw(&s.address, request.as_bytes())), vec![200]);
        assert!(
            audit_sources(&mut admin, "login.ok")
                .iter()
                .any(|x| x == "192.0.2.44"),
            "{}",
            s.label
        );
    }
}

#[test]
fn without_trusted_proxies_forwarding_headers_are_ignored() {
    let options = || Options {
        fake_clock: true,
        ..Options::default()
    };
    for s in on_every_database(options) {
        // Signed in before its address is throttled.
        let mut admin = s.signed_in("a.admin");
        let took = until_throttled(&s, "X-Forwarded-For: 203.0.113.1\r\n", "x");
        assert!(took > 20, "{}: took {took}", s.label);
        for (n, spoofed) in [
            "X-Forwarded-For: 203.0.113.2\r\n",
            "Forwarded: for=203.0.113.3\r\n",
            "X-Forwarded-For: 203.0.113.4\r\nForwarded: for=203.0.113.4\r\n",
        ]
        .iter()
        .enumerate()
        {
            let status = sign_in_with(&s.address, spoofed, &format!("niemand-y-{n}"));
            assert_eq!(status, 429, "{}: {spoofed:?} escaped the throttle", s.label);
        }
        let sources = audit_sources(&mut admin, "login.failed");
        assert!(
            !sources.is_empty() && sources.iter().all(|x| x == "127.0.0.1"),
            "{}: {sources:?}",
            s.label
        );
    }
}

#[test]
fn conflicting_lengths_and_chunked_bodies_are_refused_without_smuggling() {
    let s = start(Options::default());
    let a = &s.address;
    // A second request hidden in the body as the Content-Length would read it.
    let smuggled = "GET /api/v1/auth/oidc HTTP/1.1\r\nHost: x\r\n\r\n";
    let cl_te = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\
         Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n{smuggled}",
        5 + smuggled.len()
    );
    let te_cl = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\
         Content-Length: {}\r\n\r\n0\r\n\r\n{smuggled}",
        5 + smuggled.len()
    );
    for (name, request) in [("CL then TE", cl_te), ("TE then CL", te_cl)] {
        let answer = raw(a, request.as_bytes());
        assert_eq!(
            statuses(&answer),
            vec![411],
            "{name}: one refusal only: {answer}"
        );
        assert!(
            answer.contains("Content-Length"),
            "{name}: says why: {answer}"
        );
        assert!(
            !answer.contains("\"enabled\""),
            "{name}: smuggled request answered"
        );
    }
    // A plain chunked body: refused the same way, the connection closed.
    let chunked = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\
         2\r\n{{}}\r\n0\r\n\r\n{smuggled}"
    );
    assert_eq!(statuses(&raw(a, chunked.as_bytes())), vec![411]);
    // Two different lengths: hyper's 400, nothing smuggled.
    let two = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\
         Content-Length: {}\r\n\r\n{{}}{smuggled}",
        2 + smuggled.len()
    );
    assert_eq!(statuses(&raw(a, two.as_bytes())), vec![400]);
    // Obfuscated encodings: 400 from hyper (not chunked, or not a header at all).
    for te in [
        "Transfer-Encoding: xchunked",
        "Transfer-Encoding: chunked, identity",
        "Transfer-Encoding : chunked",
    ] {
        let request = format!(
            "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n{te}\r\n\r\n{{}}{smuggled}"
        );
        assert_eq!(statuses(&raw(a, request.as_bytes())), vec![400], "{te}");
    }
    // HTTP/1.0 with Transfer-Encoding: 400.
    let old = "POST /api/v1/auth/login HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
    assert_eq!(statuses(&raw(a, old.as_bytes())), vec![400]);
    // Two equal lengths are one length (RFC 9112 §6.3): an ordinary request.
    let equal = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
                 Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}";
    assert_eq!(statuses(&raw(a, equal.as_bytes())), vec![422]);
    assert_eq!(s.client().get("/healthz").status, 200, "still serving");
}

#[test]
fn oversized_heads_hear_431_and_the_server_keeps_serving() {
    let s = start(Options::default());
    let a = &s.address;
    let big = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "a".repeat(100 * 1024)
    );
    assert_eq!(statuses(&raw(a, big.as_bytes())), vec![431]);
    let many: String = (0..500).map(|i| format!("X-{i}: v\r\n")).collect();
    let many = format!("GET /healthz HTTP/1.1\r\nHost: x\r\n{many}Connection: close\r\n\r\n");
    assert_eq!(statuses(&raw(a, many.as_bytes())), vec![431]);
    let cookie = format!(
        "GET /api/v1/me HTTP/1.1\r\nHost: x\r\nCookie: dw_session={}\r\nConnection: close\r\n\r\n",
        "c".repeat(40 * 1024)
    );
    assert_eq!(statuses(&raw(a, cookie.as_bytes())), vec![431]);
    // A head a little under the limit is served as usual.
    let fine = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Fine: {}\r\nConnection: close\r\n\r\n",
        "a".repeat(16 * 1024)
    );
    assert_eq!(statuses(&raw(a, fine.as_bytes())), vec![200]);
    // Spoofed forwarding headers from an untrusted address change nothing either.
    let spoofed = "GET /healthz HTTP/1.1\r\nHost: evil.example\r\nX-Forwarded-Host: evil.example\r\n\
                   X-Forwarded-Proto: https\r\nX-Forwarded-For: 10.0.0.1\r\nConnection: close\r\n\r\n";
    let answer = raw(a, spoofed.as_bytes());
    assert_eq!(statuses(&answer), vec![200]);
    assert!(!answer.contains("evil.example"), "{answer}");
    for _ in 0..3 {
        assert_eq!(s.client().get("/healthz").status, 200);
    }
}

/// A redirect target the browser may follow: a path on our origin, not a scheme-relative
/// `//host`, not `/\host` (which browsers read as `//host`), not encoded into one.
fn same_origin(location: &str) -> bool {
    let decoded = location
        .replace("%2F", "/")
        .replace("%2f", "/")
        .replace("%5C", "\\")
        .replace("%5c", "\\");
    [location, decoded.as_str()].iter().all(|l| {
        l.starts_with('/') && !l.starts_with("//") && !l.starts_with("/\\") && !l.contains("evil")
    })
}

const EVIL: &str = "next=https://evil.example/&return_to=//evil.example&redirect=/%5Cevil.example\
                    &redirect_uri=https%3A%2F%2Fevil.example%2Fcb&url=%2F%2Fevil.example";

#[test]
fn no_return_address_leads_off_our_origin() {
    let provider = OidcProvider::start();
    provider.issue(|i| *i = Issue::for_login("B.User"));
    let mut options = Options::default();
    let mut oidc = OidcConfig::new(
        &provider.issuer,
        CLIENT_ID,
        CLIENT_SECRET,
        "http://localhost/api/v1/auth/oidc/callback",
    );
    oidc.local_accounts = true;
    options.config.auth.oidc = Some(oidc);
    let s = start(options);
    let mut browser = s.client();

    // Off to the configured provider only, with the configured redirect URI.
    let started = browser.get(&format!("/api/v1/auth/oidc/start?{EVIL}"));
    assert_eq!(started.status, 303, "{}", started.body);
    let to = started.header("location").unwrap().to_string();
    assert!(to.starts_with(&provider.issuer), "{to}");
    assert!(!to.contains("evil"), "{to}");
    assert!(
        to.contains("redirect_uri=http%3A%2F%2Flocalhost%2Fapi%2Fv1%2Fauth%2Foidc%2Fcallback"),
        "{to}"
    );

    // Back from the provider with return addresses added: to our start page.
    let authorize = &to[to.find("://").unwrap() + 3..];
    let authorize = &authorize[authorize.find('/').unwrap()..];
    let at_provider = Client::new(&provider.address).get(authorize);
    assert_eq!(at_provider.status, 302, "{}", at_provider.body);
    let back = at_provider.header("location").unwrap();
    let back = &back[back.find("/api/").unwrap()..];
    let signed_in = browser.get(&format!("{back}&{EVIL}"));
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    let location = signed_in.header("location").unwrap();
    assert!(same_origin(location), "{location}");
    assert_eq!(browser.get("/api/v1/me").status, 200, "signed in");

    // Refused callbacks and the sign-out at the provider: nowhere else either.
    let refused = s
        .client()
        .get(&format!("/api/v1/auth/oidc/callback?state=x&code=y&{EVIL}"));
    assert_eq!(refused.status, 303);
    assert!(same_origin(refused.header("location").unwrap()));
    let out = s
        .client()
        .get(&format!("/api/v1/auth/oidc/logout?post_logout_{EVIL}"));
    assert_eq!(out.status, 303);
    let out = out.header("location").unwrap();
    assert!(
        out.starts_with(&provider.issuer) && !out.contains("evil"),
        "{out}"
    );

    // Paths that make naive servers redirect to another host: no Location at all.
    for path in [
        "//evil.example/",
        "//evil.example/%2e%2e",
        "/\\evil.example/",
        "/%2F%2Fevil.example/",
        "/%5Cevil.example/",
        "///evil.example/",
        "/api/v1/auth/login?next=//evil.example",
        "/?next=https://evil.example/",
    ] {
        let answer = raw(
            &s.address,
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        let status = statuses(&answer);
        let location = answer.lines().find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("location:")
                .map(|v| v.trim().to_string())
        });
        assert!(
            location.as_deref().is_none_or(same_origin),
            "{path}: {status:?} {location:?}"
        );
    }
    let body: Value = s.client().get("/api/v1/auth/oidc").json();
    assert_eq!(body["enabled"], true);
}
