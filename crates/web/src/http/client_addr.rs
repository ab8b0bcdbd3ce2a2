//! Who the client is, behind reverse proxies: [`client_addr`] is the pure decision,
//! [`ClientAddr`] the extractor every handler uses for throttling, the office-network
//! rule, the SIP WebSocket guard and audit entries.
//!
//! A peer that is not a trusted proxy (`[http] trusted_proxies`) is the client, whatever
//! its headers say. A trusted peer's `X-Forwarded-For` and `Forwarded` (RFC 7239 `for=`)
//! are walked from the right (each proxy appends the address it saw), trusted addresses
//! skipped, and the first untrusted one is the client. Everything to the left of it was
//! written by the client and is never read. A hop that is not an address (`unknown`, an
//! obfuscated `_hidden`, garbage) ends the walk at the last trusted hop: who stands
//! behind it cannot be known.
//!
//! Both headers at once: common proxies (nginx, Apache, Caddy, Traefik) maintain only
//! `X-Forwarded-For` and pass a client's own `Forwarded` through untouched, others only
//! `Forwarded`. Preferring either would let a client choose its address through the one
//! the proxy does not maintain, so when both are present they must name the same client;
//! if they do not, the client is the peer (the proxy). docs/reverse-proxy.md tells how to
//! remove the one the proxy does not maintain.
//!
//! ```
//! use axum::http::HeaderMap;
//! use web::http::client_addr::client_addr;
//! use web::http::trusted_proxies::{TrustedProxies, TrustedProxy};
//!
//! let proxy: TrustedProxy = "10.0.0.5".parse().unwrap();
//! let trusted = TrustedProxies::new([proxy.range()]);
//! let mut headers = HeaderMap::new();
//! // The client wrote 10.9.9.9 itself; the proxy appended the address it saw.
//! headers.insert("x-forwarded-for", "10.9.9.9, 203.0.113.7".parse().unwrap());
//! let via_proxy = client_addr("10.0.0.5".parse().unwrap(), &headers, &trusted);
//! assert_eq!(via_proxy, "203.0.113.7".parse::<std::net::IpAddr>().unwrap());
//! let direct = client_addr("198.51.100.1".parse().unwrap(), &headers, &trusted);
//! assert_eq!(direct, "198.51.100.1".parse::<std::net::IpAddr>().unwrap());
//! ```

use crate::http::trusted_proxies::TrustedProxies;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The client's address (IPv4-mapped IPv6 addresses as IPv4): the TCP peer, or behind a
/// trusted proxy the address the proxies forwarded. See the module documentation.
pub fn client_addr(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let peer = peer.to_canonical();
    if !trusted.contains(peer) {
        return peer;
    }
    let forwarded_for = headers
        .contains_key(header::FORWARDED)
        .then(|| walk(peer, &forwarded_hops(headers), trusted));
    let x_forwarded_for = headers
        .contains_key("x-forwarded-for")
        .then(|| walk(peer, &x_forwarded_hops(headers), trusted));
    match (forwarded_for, x_forwarded_for) {
        (Some(a), Some(b)) if a == b => a,
        (Some(_), Some(_)) => peer,
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => peer,
    }
}

/// From the right: trusted hops skipped, the first untrusted one is the client; a hop
/// that is no address ends the walk at the last trusted hop.
fn walk(peer: IpAddr, hops: &[Option<IpAddr>], trusted: &TrustedProxies) -> IpAddr {
    let mut last_trusted = peer;
    for hop in hops.iter().rev() {
        match hop {
            Some(ip) if trusted.contains(*ip) => last_trusted = *ip,
            Some(ip) => return *ip,
            None => return last_trusted,
        }
    }
    last_trusted
}

/// `X-Forwarded-For`, every line in order, split at commas: each an address or `None`.
fn x_forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let mut hops = Vec::new();
    for line in headers.get_all("x-forwarded-for") {
        match line.to_str() {
            Ok(text) => hops.extend(text.split(',').map(node)),
            Err(_) => hops.push(None),
        }
    }
    hops
}

/// `Forwarded`, every line in order: each element's `for=` as an address or `None`
/// (missing, twice, obfuscated, `unknown` or malformed).
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let mut hops = Vec::new();
    for line in headers.get_all(header::FORWARDED) {
        let Ok(text) = line.to_str() else {
            hops.push(None);
            continue;
        };
        let (elements, closed) = split_unquoted(text, ',');
        let last = elements.len() - 1;
        for (at, element) in elements.into_iter().enumerate() {
            if at == last && !closed {
                // A quote opened here swallows the rest of the line: malformed.
                hops.push(None);
                break;
            }
            let mut found = None;
            let mut fors = 0;
            for pair in split_unquoted(element, ';').0 {
                let Some((name, value)) = pair.split_once('=') else {
                    continue;
                };
                if name.trim().eq_ignore_ascii_case("for") {
                    fors += 1;
                    found = unquote(value.trim()).and_then(|v| node(&v));
                }
            }
            hops.push(if fors == 1 { found } else { None });
        }
    }
    hops
}

/// `text` split at `separator` outside double quotes (a backslash escapes inside them),
/// never empty; and whether every quote was closed.
fn split_unquoted(text: &str, separator: char) -> (Vec<&str>, bool) {
    let mut parts = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (at, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == separator && !quoted => {
                parts.push(&text[start..at]);
                start = at + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    (parts, !quoted)
}

/// A token as it is, a quoted-string without its quotes and escapes; `None` when a quote
/// is not closed.
fn unquote(value: &str) -> Option<String> {
    let Some(inner) = value.strip_prefix('"') else {
        return (!value.contains('"')).then(|| value.to_string());
    };
    let inner = inner.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?),
            '"' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

/// One hop: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`, `[2001:db8::1]` or
/// `[2001:db8::1]:4711` (RFC 7239 §6; a port may be obfuscated, `_abc`). Anything else
/// (`unknown`, `_hidden`, a name, garbage) is `None`.
fn node(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix('[') {
        let (addr, after) = rest.split_once(']')?;
        let ip: Ipv6Addr = addr.parse().ok()?;
        return (after.is_empty() || after.strip_prefix(':').is_some_and(port))
            .then_some(IpAddr::V6(ip).to_canonical());
    }
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    let (addr, after) = text.split_once(':')?;
    let ip: Ipv4Addr = addr.parse().ok()?;
    port(after).then_some(IpAddr::V4(ip))
}

/// A port: a number, or an obfuscated one (`_` and letters, digits, `.`, `_`, `-`).
fn port(text: &str) -> bool {
    match text.strip_prefix('_') {
        Some(name) => {
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        }
        None => text.parse::<u16>().is_ok() && text.bytes().all(|b| b.is_ascii_digit()),
    }
}

/// The client's address, as [`client_addr`] finds it from the connection's peer
/// (`ConnectInfo`) and the trusted proxies the server put on the request. Without them
/// (a router served by something else) no proxy is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = <ConnectInfo<SocketAddr> as FromRequestParts<S>>::Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ConnectInfo(peer) = ConnectInfo::<SocketAddr>::from_request_parts(parts, state).await?;
        let ip = match parts.extensions.get::<TrustedProxies>() {
            Some(trusted) => client_addr(peer.ip(), &parts.headers, trusted),
            None => peer.ip().to_canonical(),
        };
        Ok(ClientAddr(ip))
    }
}

impl std::fmt::Display for ClientAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests;
