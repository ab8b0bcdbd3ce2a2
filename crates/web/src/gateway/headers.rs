//! The headers of a forwarded request and of the upstream's answer.
//!
//! Towards the upstream: hop-by-hop headers (RFC 9110 §7.6.1: `Connection` and what it
//! names, `Keep-Alive`, `Proxy-Connection`, `TE`, `Trailer`, `Transfer-Encoding`,
//! `Upgrade` unless the request upgrades) and `Host` go; Durchwahl's own cookies are taken
//! out of `Cookie`; whatever the client sent as `Forwarded`, `X-Forwarded-*`, `X-Real-IP`
//! or `X-Durchwahl-Identity` is replaced by what Durchwahl knows. Back from the upstream:
//! hop-by-hop headers go, and a `Location` into the upstream points to `/apps/NAME/…`.

use crate::auth::session::{PENDING_COOKIE, SESSION_COOKIE};
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use gateway::upstream::Upstream;
use std::net::IpAddr;

const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "proxy-authorization",
];

/// Headers the client may not send to an upstream: what names the client, the host or
/// the person (Durchwahl says that), what some servers take as the real path
/// (`X-Original-URL`, `X-Rewrite-URL`), and Durchwahl's own CSRF token and cookies.
const REPLACED: [&str; 16] = [
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-proto",
    "x-forwarded-host",
    "x-forwarded-prefix",
    "x-forwarded-port",
    "x-forwarded-server",
    "x-forwarded-ssl",
    "x-forwarded-user",
    "x-real-ip",
    "x-original-url",
    "x-rewrite-url",
    "remote-user",
    "x-csrf-token",
    "cookie2",
    gateway::identity::HEADER,
];

/// Headers an upstream may not send to the browser: they would reach beyond the
/// application (a service worker for Durchwahl's whole origin, wiping its cookies).
const WITHHELD: [&str; 2] = ["service-worker-allowed", "clear-site-data"];

/// What Durchwahl tells the upstream about the request.
#[derive(Debug, Clone)]
pub struct Forwarding<'a> {
    /// The client's address (as `[http] trusted_proxies` says).
    pub client: IpAddr,
    /// `https` or `http`, as the client reached Durchwahl.
    pub proto: &'a str,
    /// The public host name for `X-Forwarded-Host`: Durchwahl's (`[gateway] portal_url`)
    /// or the application's own, never the client's `Host`; none: not sent.
    pub host: Option<String>,
    /// `/apps/NAME`.
    pub prefix: String,
    /// The identity token.
    pub identity: String,
    /// Whether the request upgrades to a WebSocket (its `Upgrade` and `Connection` stay).
    pub upgrade: bool,
}

/// The headers to send upstream.
pub fn towards_upstream(incoming: &HeaderMap, f: &Forwarding<'_>) -> HeaderMap {
    let named = connection_names(incoming);
    let mut out = HeaderMap::with_capacity(incoming.len() + 6);
    for (name, value) in incoming {
        let n = name.as_str();
        let hop = HOP_BY_HOP.contains(&n) || named.iter().any(|c| c == n);
        let keep_for_upgrade = f.upgrade && (n == "upgrade" || n == "connection");
        if (hop && !keep_for_upgrade) || n == "host" || n == "cookie" || REPLACED.contains(&n) {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    if let Some(cookie) = cookies_without_ours(incoming) {
        out.insert(header::COOKIE, cookie);
    }
    if f.upgrade {
        out.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    }
    let set = |out: &mut HeaderMap, name: &'static str, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            out.insert(HeaderName::from_static(name), v);
        }
    };
    set(&mut out, "x-forwarded-for", &f.client.to_string());
    set(&mut out, "x-forwarded-proto", f.proto);
    if let Some(host) = &f.host {
        set(&mut out, "x-forwarded-host", host);
    }
    if !f.prefix.is_empty() {
        set(&mut out, "x-forwarded-prefix", &f.prefix);
    }
    set(&mut out, gateway::identity::HEADER, &f.identity);
    out
}

/// The headers to send back to the client.
pub fn towards_client(
    incoming: &HeaderMap,
    upstream: &Upstream,
    prefix: &str,
    upgrade: bool,
) -> HeaderMap {
    let named = connection_names(incoming);
    let mut out = HeaderMap::with_capacity(incoming.len());
    for (name, value) in incoming {
        let n = name.as_str();
        let hop = HOP_BY_HOP.contains(&n) || named.iter().any(|c| c == n);
        let keep_for_upgrade = upgrade && (n == "upgrade" || n == "connection");
        if hop && !keep_for_upgrade {
            continue;
        }
        if (name == header::SET_COOKIE && sets_our_cookie(value)) || WITHHELD.contains(&n) {
            continue;
        }
        if name == header::LOCATION {
            if let Some(rest) = value
                .to_str()
                .ok()
                .and_then(|l| upstream.relative_location(l))
            {
                if let Ok(v) = HeaderValue::from_str(&format!("{prefix}/{rest}")) {
                    out.append(name.clone(), v);
                    continue;
                }
            }
        }
        out.append(name.clone(), value.clone());
    }
    // Answers depend on the person: never from a shared cache in front.
    if !out.contains_key(header::CACHE_CONTROL) {
        out.insert(header::CACHE_CONTROL, HeaderValue::from_static("private"));
    }
    out.append(header::VARY, HeaderValue::from_static("Cookie"));
    out
}

/// Whether an upstream's `Set-Cookie` would set (or clear) one of Durchwahl's own
/// cookies: dropped, so no application can fix or end a person's Durchwahl session.
fn sets_our_cookie(value: &HeaderValue) -> bool {
    // A cookie without a name (`=dw_session=x`) is sent back by browsers as
    // `dw_session=x`: judged by what follows the empty name.
    let text = String::from_utf8_lossy(value.as_bytes());
    let text = text.trim_start();
    let text = text.strip_prefix('=').unwrap_or(text);
    let name = text.split(['=', ';']).next().unwrap_or_default();
    let name = name.trim().to_ascii_lowercase();
    let ours = |cookie: &str| name == cookie || name.ends_with(&format!("-{cookie}"));
    // `__Host-dw_session` and `__Secure-dw_session` are other cookies to a browser, but
    // kept out all the same.
    ours(SESSION_COOKIE) || ours(PENDING_COOKIE) || ours(super::host::HOST_COOKIE)
}

/// The tokens `Connection` names (they are hop-by-hop too), lower case.
fn connection_names(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

/// The request's cookies without Durchwahl's session and pending-sign-in cookies.
fn cookies_without_ours(headers: &HeaderMap) -> Option<HeaderValue> {
    let kept: Vec<&str> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
        .filter(|pair| {
            let name = pair.split_once('=').map_or(*pair, |(n, _)| n).trim();
            !pair.is_empty()
                && name != SESSION_COOKIE
                && name != PENDING_COOKIE
                && name != super::host::HOST_COOKIE
        })
        .collect();
    if kept.is_empty() {
        return None;
    }
    HeaderValue::from_str(&kept.join("; ")).ok()
}

/// Whether the request asks to upgrade to a WebSocket.
pub fn wants_websocket(headers: &HeaderMap) -> bool {
    let upgrade = headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    upgrade && connection_names(headers).iter().any(|t| t == "upgrade")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarding(upgrade: bool) -> Forwarding<'static> {
        Forwarding {
            client: "192.0.2.7".parse().unwrap(),
            proto: "https",
            host: Some("durchwahl.lra.example".into()),
            prefix: "/apps/akte".into(),
            identity: "t.o.k".into(),
            upgrade,
        }
    }

    #[test]
    fn ours_go_theirs_stay_and_forwarding_is_ours() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("dw_session=secret; akte=1"),
        );
        h.append(
            header::COOKIE,
            HeaderValue::from_static("dw_pending=x;theme=dark"),
        );
        h.insert("x-forwarded-for", HeaderValue::from_static("10.0.0.1"));
        h.insert("x-durchwahl-identity", HeaderValue::from_static("forged"));
        h.insert("forwarded", HeaderValue::from_static("for=10.0.0.1"));
        h.insert(
            header::CONNECTION,
            HeaderValue::from_static("keep-alive, x-secret"),
        );
        h.insert("x-secret", HeaderValue::from_static("1"));
        h.insert(header::HOST, HeaderValue::from_static("evil"));
        h.insert(header::CONTENT_LENGTH, HeaderValue::from_static("5"));
        h.insert(header::UPGRADE, HeaderValue::from_static("h2c"));
        let out = towards_upstream(&h, &forwarding(false));
        assert_eq!(out[header::COOKIE], "akte=1; theme=dark");
        assert_eq!(out["x-forwarded-for"], "192.0.2.7");
        assert_eq!(out["x-durchwahl-identity"], "t.o.k");
        assert_eq!(out["x-forwarded-host"], "durchwahl.lra.example");
        assert_eq!(out["x-forwarded-prefix"], "/apps/akte");
        assert_eq!(out[header::CONTENT_LENGTH], "5");
        let mut unknown = forwarding(false);
        unknown.host = None;
        assert!(!towards_upstream(&h, &unknown).contains_key("x-forwarded-host"));
        let mut sneaky = HeaderMap::new();
        for name in [
            "x-original-url",
            "x-rewrite-url",
            "remote-user",
            "x-csrf-token",
            "cookie2",
        ] {
            sneaky.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static("/admin"),
            );
        }
        assert_eq!(towards_upstream(&sneaky, &forwarding(false)).len(), 5);
        for gone in ["forwarded", "x-secret", "connection", "host", "upgrade"] {
            assert!(!out.contains_key(gone), "{gone}");
        }
        let mut only_ours = HeaderMap::new();
        only_ours.insert(
            header::COOKIE,
            HeaderValue::from_static("dw_session=secret"),
        );
        assert!(!towards_upstream(&only_ours, &forwarding(false)).contains_key(header::COOKIE));
    }

    #[test]
    fn websocket_upgrades_keep_their_headers() {
        let mut h = HeaderMap::new();
        h.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
        h.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        assert!(wants_websocket(&h));
        let out = towards_upstream(&h, &forwarding(true));
        assert_eq!(out[header::UPGRADE], "websocket");
        assert_eq!(out[header::CONNECTION], "upgrade");
        h.remove(header::CONNECTION);
        assert!(!wants_websocket(&h));
    }

    #[test]
    fn locations_into_the_upstream_are_rewritten() {
        let up = Upstream::parse("http://10.1.2.3:8080/akte/").unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            header::LOCATION,
            HeaderValue::from_static("http://10.1.2.3:8080/akte/x?y=1"),
        );
        h.insert(
            header::TRANSFER_ENCODING,
            HeaderValue::from_static("chunked"),
        );
        let out = towards_client(&h, &up, "/apps/akte", false);
        assert_eq!(out[header::LOCATION], "/apps/akte/x?y=1");
        assert!(!out.contains_key(header::TRANSFER_ENCODING));
        h.insert(
            header::LOCATION,
            HeaderValue::from_static("https://elsewhere.example/"),
        );
        let out = towards_client(&h, &up, "/apps/akte", false);
        assert_eq!(out[header::LOCATION], "https://elsewhere.example/");
        h.append(
            header::SET_COOKIE,
            HeaderValue::from_static("dw_session=fixed; Path=/"),
        );
        h.append(
            header::SET_COOKIE,
            HeaderValue::from_static(" DW_PENDING=x"),
        );
        h.append(
            header::SET_COOKIE,
            HeaderValue::from_static("=dw_session=evil; Path=/api"),
        );
        h.insert("service-worker-allowed", HeaderValue::from_static("/"));
        h.insert("clear-site-data", HeaderValue::from_static("\"cookies\""));
        h.append(
            header::SET_COOKIE,
            HeaderValue::from_static("akte=1; Path=/apps/akte"),
        );
        let out = towards_client(&h, &up, "/apps/akte", false);
        let cookies: Vec<_> = out.get_all(header::SET_COOKIE).iter().collect();
        assert_eq!(cookies, ["akte=1; Path=/apps/akte"]);
        assert!(
            !out.contains_key("service-worker-allowed") && !out.contains_key("clear-site-data")
        );
        assert_eq!(out[header::CACHE_CONTROL], "private");
        assert_eq!(out[header::VARY], "Cookie");
    }
}
