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

const REPLACED: [&str; 7] = [
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-proto",
    "x-forwarded-host",
    "x-forwarded-prefix",
    "x-real-ip",
    gateway::identity::HEADER,
];

/// What Durchwahl tells the upstream about the request.
#[derive(Debug, Clone)]
pub struct Forwarding<'a> {
    /// The client's address (as `[http] trusted_proxies` says).
    pub client: IpAddr,
    /// `https` or `http`, as the client reached Durchwahl.
    pub proto: &'a str,
    /// The `Host` the client asked for.
    pub host: Option<HeaderValue>,
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
    if let Some(host) = f.host.as_ref().filter(|h| is_host(h)) {
        out.insert(HeaderName::from_static("x-forwarded-host"), host.clone());
    }
    set(&mut out, "x-forwarded-prefix", &f.prefix);
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
        if name == header::SET_COOKIE && sets_our_cookie(value) {
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
    out
}

/// Whether an upstream's `Set-Cookie` would set (or clear) one of Durchwahl's own
/// cookies: dropped, so no application can fix or end a person's Durchwahl session.
fn sets_our_cookie(value: &HeaderValue) -> bool {
    let name = value
        .as_bytes()
        .split(|b| *b == b'=')
        .next()
        .unwrap_or_default();
    let name = String::from_utf8_lossy(name);
    let name = name.trim().to_ascii_lowercase();
    let ours = |cookie: &str| name == cookie || name.ends_with(&format!("-{cookie}"));
    // `__Host-dw_session` and `__Secure-dw_session` are other cookies to a browser, but
    // kept out all the same.
    ours(SESSION_COOKIE) || ours(PENDING_COOKIE)
}

/// Whether a `Host` is a plain host name or address with an optional port, and nothing
/// an upstream could be tricked with when it builds links from `X-Forwarded-Host`.
fn is_host(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 255
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(b))
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
            !pair.is_empty() && name != SESSION_COOKIE && name != PENDING_COOKIE
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
            host: Some(HeaderValue::from_static("durchwahl.lra.example")),
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
        let mut spoofed = forwarding(false);
        spoofed.host = Some(HeaderValue::from_static("evil.example/reset?x=<script>"));
        assert!(!towards_upstream(&h, &spoofed).contains_key("x-forwarded-host"));
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
            HeaderValue::from_static("akte=1; Path=/apps/akte"),
        );
        let out = towards_client(&h, &up, "/apps/akte", false);
        let cookies: Vec<_> = out.get_all(header::SET_COOKIE).iter().collect();
        assert_eq!(cookies, ["akte=1; Path=/apps/akte"]);
    }
}
