//! Hostile request targets and framing, from a raw TCP client: refused before any rule,
//! and nothing of them reaches the upstream.

use crate::http::{raw, statuses};
use crate::{app, publish, sqlite};
use testkit::upstream::Upstream;

/// `Cookie: …` for the client's jar.
fn cookie_line(client: &testkit::http::Client) -> String {
    let jar: Vec<String> = client
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    format!("Cookie: {}\r\n", jar.join("; "))
}

#[test]
fn hostile_targets_are_refused_with_400_and_never_forwarded() {
    let upstream = Upstream::start();
    let g = sqlite(("", ""));
    let mut admin = g.signed_in("a.admin");
    publish(&g, &mut admin, app("abc", &upstream.url(), |_| {}));
    let cookie = cookie_line(&admin);
    let targets = [
        "/apps/abc/%2e%2e/admin",
        "/apps/abc/%2E%2E/admin",
        "/apps/abc/%2e%2E/admin",
        "/apps/abc/echo/%2e%2e%2fadmin",
        "/apps/abc/echo/%2e/x",
        "/apps/abc/echo%2fx",
        "/apps/abc/echo%2Fx",
        "/apps/abc/echo%5cx",
        "/apps/abc/echo%5Cx",
        "/apps/abc/%252e%252e/admin",
        "/apps/abc/echo%252fx",
        "/apps/abc/../x",
        "/apps/abc/echo/../../x",
        "/apps/abc/./x",
        "/apps/abc/echo/.",
        "/apps/abc/echo/..",
        "/apps/abc/echo\\..\\x",
        "/apps/abc\\echo",
        "/apps/abc/echo%00x",
        "/apps/abc%2fecho",
    ];
    for target in targets {
        let with_session = raw(
            &g.address,
            &format!("GET {target} HTTP/1.1\r\nHost: x\r\n{cookie}Connection: close\r\n\r\n"),
        );
        assert_eq!(
            statuses(&with_session),
            vec![400],
            "{target}: {with_session}"
        );
        // Before any rule: without a session too, a 400 rather than a 401.
        let without = raw(
            &g.address,
            &format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        );
        assert_eq!(
            statuses(&without),
            vec![400],
            "{target} without a session: {without}"
        );
    }
    let reached: Vec<String> = upstream
        .targets()
        .into_iter()
        .filter(|t| t != "/health")
        .collect();
    assert!(reached.is_empty(), "forwarded: {reached:?}");

    // The same requests done right pass.
    let fine = raw(
        &g.address,
        &format!(
            "GET /apps/abc/echo/x%20y?a=1 HTTP/1.1\r\nHost: x\r\n{cookie}Connection: close\r\n\r\n"
        ),
    );
    assert_eq!(statuses(&fine), vec![200], "{fine}");
}

#[test]
fn a_name_that_only_starts_like_another_reaches_nothing() {
    let upstream = Upstream::start();
    let g = sqlite(("", ""));
    let mut admin = g.signed_in("a.admin");
    publish(&g, &mut admin, app("abc", &upstream.url(), |_| {}));
    let cookie = cookie_line(&admin);
    for target in [
        "/apps/ab/echo",
        "/apps/ab/",
        "/apps/abcd/echo",
        "/apps/abc-/echo",
    ] {
        let answer = raw(
            &g.address,
            &format!("GET {target} HTTP/1.1\r\nHost: x\r\n{cookie}Connection: close\r\n\r\n"),
        );
        assert_eq!(statuses(&answer), vec![404], "{target}: {answer}");
    }
    let reached: Vec<String> = upstream
        .targets()
        .into_iter()
        .filter(|t| t != "/health")
        .collect();
    assert!(reached.is_empty(), "forwarded: {reached:?}");
    // Without its slash the unknown name is as unknown.
    let bare = raw(
        &g.address,
        &format!("GET /apps/ab HTTP/1.1\r\nHost: x\r\n{cookie}Connection: close\r\n\r\n"),
    );
    assert_eq!(statuses(&bare), vec![404], "/apps/ab: {bare}");
    assert_eq!(
        upstream
            .targets()
            .iter()
            .filter(|t| *t != "/health")
            .count(),
        0
    );
}

#[test]
fn conflicting_framing_is_refused_and_nothing_is_smuggled_to_the_upstream() {
    let upstream = Upstream::start();
    let g = sqlite(("", ""));
    let mut admin = g.signed_in("a.admin");
    publish(&g, &mut admin, app("abc", &upstream.url(), |_| {}));
    let cookie = cookie_line(&admin);
    let smuggled = format!("GET /apps/abc/echo/smuggled HTTP/1.1\r\nHost: x\r\n{cookie}\r\n");
    let cl_te = format!(
        "POST /apps/abc/upload HTTP/1.1\r\nHost: x\r\n{cookie}Content-Length: {}\r\n\
         Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n{smuggled}",
        5 + smuggled.len()
    );
    let te_cl = format!(
        "POST /apps/abc/upload HTTP/1.1\r\nHost: x\r\n{cookie}Transfer-Encoding: chunked\r\n\
         Content-Length: {}\r\n\r\n0\r\n\r\n{smuggled}",
        5 + smuggled.len()
    );
    for (name, request) in [("CL then TE", cl_te), ("TE then CL", te_cl)] {
        assert_eq!(statuses(&raw(&g.address, &request)), vec![411], "{name}");
    }
    let chunked = format!(
        "POST /apps/abc/upload HTTP/1.1\r\nHost: x\r\n{cookie}Transfer-Encoding: chunked\r\n\r\n\
         2\r\nab\r\n0\r\n\r\n{smuggled}"
    );
    assert_eq!(statuses(&raw(&g.address, &chunked)), vec![411], "chunked");
    let two = format!(
        "POST /apps/abc/upload HTTP/1.1\r\nHost: x\r\n{cookie}Content-Length: 2\r\n\
         Content-Length: {}\r\n\r\nab{smuggled}",
        2 + smuggled.len()
    );
    assert_eq!(statuses(&raw(&g.address, &two)), vec![400], "two lengths");
    let reached: Vec<String> = upstream
        .targets()
        .into_iter()
        .filter(|t| t != "/health")
        .collect();
    assert!(reached.is_empty(), "forwarded: {reached:?}");
}
