//! [`client_addr`]: spoofed entries, several lines, obfuscated hops, IPv6, ports and
//! garbage.

use super::*;
use crate::http::trusted_proxies::TrustedProxy;
use axum::http::HeaderValue;

/// Trusted: the proxy 10.0.0.5 and, as a second tier, all of 10.0.0.0/8 and 2001:db8::/32.
fn trusted() -> TrustedProxies {
    TrustedProxies::new(
        ["10.0.0.0/8", "2001:db8::/32", "192.0.2.5"]
            .iter()
            .map(|t| t.parse::<TrustedProxy>().unwrap().range()),
    )
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

/// The client for a request from `peer` with these header lines.
fn client(peer: &str, lines: &[(&str, &str)]) -> IpAddr {
    let mut headers = HeaderMap::new();
    for (name, value) in lines {
        let name: axum::http::HeaderName = name.parse().unwrap();
        headers.append(name, HeaderValue::from_str(value).unwrap());
    }
    client_addr(ip(peer), &headers, &trusted())
}

fn xff(peer: &str, value: &str) -> IpAddr {
    client(peer, &[("x-forwarded-for", value)])
}

fn fwd(peer: &str, value: &str) -> IpAddr {
    client(peer, &[("forwarded", value)])
}

#[test]
fn an_untrusted_peer_is_the_client_whatever_it_says() {
    for lines in [
        vec![("x-forwarded-for", "203.0.113.7")],
        vec![("forwarded", "for=203.0.113.7")],
        vec![
            ("x-forwarded-for", "10.0.0.9"),
            ("forwarded", "for=10.0.0.9"),
        ],
    ] {
        assert_eq!(client("198.51.100.1", &lines), ip("198.51.100.1"));
    }
    assert_eq!(
        client_addr(
            ip("10.0.0.5"),
            &[("x-forwarded-for", "203.0.113.7")]
                .iter()
                .map(|(n, v)| (n.parse().unwrap(), v.parse().unwrap()))
                .collect(),
            &TrustedProxies::default()
        ),
        ip("10.0.0.5"),
        "no proxies configured: no header is read"
    );
    assert_eq!(
        client("::ffff:198.51.100.1", &[]),
        ip("198.51.100.1"),
        "IPv4-mapped peers as IPv4"
    );
}

#[test]
fn a_trusted_peer_without_headers_is_the_client() {
    assert_eq!(client("10.0.0.5", &[]), ip("10.0.0.5"));
    assert_eq!(
        client("10.0.0.5", &[("x-real-ip", "203.0.113.7")]),
        ip("10.0.0.5")
    );
}

#[test]
fn x_forwarded_for_is_walked_from_the_right() {
    assert_eq!(xff("10.0.0.5", "203.0.113.7"), ip("203.0.113.7"));
    // The client wrote the left entries itself: never read.
    assert_eq!(xff("10.0.0.5", "1.1.1.1, 203.0.113.7"), ip("203.0.113.7"));
    assert_eq!(xff("10.0.0.5", "10.0.0.99, 203.0.113.7"), ip("203.0.113.7"));
    // A chain of trusted proxies is skipped.
    assert_eq!(
        xff("10.0.0.5", "1.1.1.1, 203.0.113.7, 10.0.0.6, 192.0.2.5"),
        ip("203.0.113.7")
    );
    // Only trusted hops: the leftmost (the last one a trusted proxy vouched for).
    assert_eq!(xff("10.0.0.5", "10.0.0.7, 10.0.0.6"), ip("10.0.0.7"));
    // No space, extra spaces, tabs.
    assert_eq!(xff("10.0.0.5", "1.1.1.1,203.0.113.7"), ip("203.0.113.7"));
    assert_eq!(xff("10.0.0.5", "  203.0.113.7\t "), ip("203.0.113.7"));
    // nginx after an empty client header: ", 203.0.113.7".
    assert_eq!(xff("10.0.0.5", ", 203.0.113.7"), ip("203.0.113.7"));
}

#[test]
fn several_x_forwarded_for_lines_are_one_list_in_order() {
    let lines = [
        ("x-forwarded-for", "1.1.1.1, 2.2.2.2"),
        ("x-forwarded-for", "203.0.113.7"),
    ];
    assert_eq!(client("10.0.0.5", &lines), ip("203.0.113.7"));
    let lines = [
        ("x-forwarded-for", "203.0.113.7"),
        ("x-forwarded-for", "10.0.0.6"),
    ];
    assert_eq!(client("10.0.0.5", &lines), ip("203.0.113.7"));
}

#[test]
fn ports_and_ipv6_in_x_forwarded_for() {
    assert_eq!(xff("10.0.0.5", "203.0.113.7:51234"), ip("203.0.113.7"));
    assert_eq!(xff("10.0.0.5", "2001:db9::7"), ip("2001:db9::7"));
    assert_eq!(xff("10.0.0.5", "[2001:db9::7]"), ip("2001:db9::7"));
    assert_eq!(xff("10.0.0.5", "[2001:db9::7]:51234"), ip("2001:db9::7"));
    assert_eq!(xff("10.0.0.5", "::ffff:203.0.113.7"), ip("203.0.113.7"));
    // A trusted IPv6 proxy, IPv4-mapped peers.
    assert_eq!(
        xff(
            "2001:db8::1",
            "1.1.1.1, 2001:db8::2, 203.0.113.7, 2001:db8::3"
        ),
        ip("203.0.113.7")
    );
    assert_eq!(xff("::ffff:10.0.0.5", "203.0.113.7"), ip("203.0.113.7"));
}

#[test]
fn garbage_ends_the_walk_at_the_last_trusted_hop() {
    for value in [
        "",
        " ",
        ",",
        "garbage",
        "1.1.1.1, garbage",
        "203.0.113.7,",
        "203.0.113.7, unknown",
        "203.0.113.7:99999",
        "203.0.113.7:",
        "203.0.113.7:80:80",
        "[203.0.113.7]",
        "[2001:db9::7",
        "2001:db9::7]:80",
        "fe80::1%eth0",
        "300.1.2.3",
        "203.0.113.7 198.51.100.1",
        "localhost",
        "😀",
    ] {
        assert_eq!(xff("10.0.0.5", value), ip("10.0.0.5"), "{value:?}");
    }
    // Garbage behind a trusted hop: that hop.
    assert_eq!(
        xff("10.0.0.5", "203.0.113.7, garbage, 10.0.0.6"),
        ip("10.0.0.6")
    );
    // Garbage left of the client is never looked at.
    assert_eq!(
        xff("10.0.0.5", "garbage, \"x\";;, 203.0.113.7"),
        ip("203.0.113.7")
    );
}

#[test]
fn header_bytes_that_are_not_text_are_garbage() {
    let mut headers = HeaderMap::new();
    headers.append(
        "x-forwarded-for",
        HeaderValue::from_bytes(b"203.0.113.7").unwrap(),
    );
    headers.append(
        "x-forwarded-for",
        HeaderValue::from_bytes(b"\xff\xfe").unwrap(),
    );
    assert_eq!(
        client_addr(ip("10.0.0.5"), &headers, &trusted()),
        ip("10.0.0.5")
    );
    let mut headers = HeaderMap::new();
    headers.append(
        "forwarded",
        HeaderValue::from_bytes(b"for=\xe2\x80\xae1.2.3.4").unwrap(),
    );
    assert_eq!(
        client_addr(ip("10.0.0.5"), &headers, &trusted()),
        ip("10.0.0.5")
    );
}

#[test]
fn forwarded_for_as_in_rfc_7239() {
    assert_eq!(
        fwd("10.0.0.5", "for=192.0.2.60;proto=http;by=203.0.113.43"),
        ip("192.0.2.60")
    );
    assert_eq!(
        fwd("10.0.0.5", "for=\"[2001:db9:cafe::17]:4711\""),
        ip("2001:db9:cafe::17")
    );
    assert_eq!(
        fwd("10.0.0.5", "for=\"[2001:db9:cafe::17]\""),
        ip("2001:db9:cafe::17")
    );
    assert_eq!(
        fwd("10.0.0.5", "for=\"203.0.113.7:4711\""),
        ip("203.0.113.7")
    );
    assert_eq!(
        fwd("10.0.0.5", "for=\"203.0.113.7:_p0rt\""),
        ip("203.0.113.7")
    );
    assert_eq!(fwd("10.0.0.5", "For=203.0.113.7"), ip("203.0.113.7"));
    assert_eq!(
        fwd("10.0.0.5", "proto=https; FOR=203.0.113.7 ;by=10.0.0.5"),
        ip("203.0.113.7")
    );
    // Spoofed on the left, trusted hops on the right.
    assert_eq!(
        fwd("10.0.0.5", "for=1.1.1.1, for=203.0.113.7"),
        ip("203.0.113.7")
    );
    assert_eq!(
        fwd(
            "10.0.0.5",
            "for=1.1.1.1, for=203.0.113.7;proto=https, for=10.0.0.6"
        ),
        ip("203.0.113.7")
    );
    // A quoted comma or semicolon does not split.
    assert_eq!(
        fwd(
            "10.0.0.5",
            "for=203.0.113.7;ext=\"a, for=1.1.1.1; b\", for=10.0.0.6"
        ),
        ip("203.0.113.7")
    );
    assert_eq!(
        fwd("10.0.0.5", "for=\"\\[2001:db9::1\\]\""),
        ip("2001:db9::1"),
        "escapes"
    );
    // Several lines are one list.
    let lines = [
        ("forwarded", "for=1.1.1.1"),
        ("forwarded", "for=203.0.113.7"),
    ];
    assert_eq!(client("10.0.0.5", &lines), ip("203.0.113.7"));
}

#[test]
fn obfuscated_unknown_and_malformed_forwarded_hops_end_the_walk() {
    for value in [
        "for=unknown",
        "for=_hidden",
        "for=\"_gazonk\"",
        "for=\"unknown:4711\"",
        "for=203.0.113.7, for=unknown",
        "for=203.0.113.7, for=_hidden",
        "proto=https",
        "for=203.0.113.7, by=10.0.0.5",
        "for=1.1.1.1;for=203.0.113.7",
        "for=\"[2001:db9::1]:4711",
        "for=[2001:db9::1]\"",
        "for=\"203.0.113.7\"x\"",
        "for=",
        "for",
        "=",
        ";;,,;",
        "for=\"[2001:db9::1]:http\"",
        // An unclosed quote swallows what follows, also a proxy's appended element.
        "for=1.1.1.1;x=\", for=203.0.113.7",
    ] {
        assert_eq!(fwd("10.0.0.5", value), ip("10.0.0.5"), "{value:?}");
    }
    assert_eq!(
        fwd("10.0.0.5", "for=203.0.113.7, for=unknown, for=10.0.0.6"),
        ip("10.0.0.6")
    );
}

#[test]
fn both_headers_must_name_the_same_client() {
    let agree = [
        ("forwarded", "for=1.1.1.1, for=203.0.113.7"),
        ("x-forwarded-for", "203.0.113.7"),
    ];
    assert_eq!(client("10.0.0.5", &agree), ip("203.0.113.7"));
    // nginx appended to X-Forwarded-For and passed the client's own Forwarded through.
    let spoofed = [
        ("forwarded", "for=10.20.30.40"),
        ("x-forwarded-for", "203.0.113.7"),
    ];
    assert_eq!(client("10.0.0.5", &spoofed), ip("10.0.0.5"));
    let spoofed = [
        ("forwarded", "for=203.0.113.7"),
        ("x-forwarded-for", "198.51.100.1"),
    ];
    assert_eq!(client("10.0.0.5", &spoofed), ip("10.0.0.5"));
}

#[test]
fn long_and_random_input_never_panics() {
    let long = format!("{}203.0.113.7", "1.1.1.1, ".repeat(5_000));
    assert_eq!(xff("10.0.0.5", &long), ip("203.0.113.7"));
    let long = format!("{}for=203.0.113.7", "for=1.1.1.1;a=\"b\", ".repeat(2_000));
    assert_eq!(fwd("10.0.0.5", &long), ip("203.0.113.7"));
    // Whatever a client writes left of what the proxy appended, it cannot choose its
    // address: X-Forwarded-For still names the real client; in Forwarded an unclosed
    // quote may swallow the proxy's element, which leaves the proxy, never the soup.
    let alphabet = b"0123456789abcdef:.[]\"\\,;=_ fFoOrR%";
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..20_000 {
        let mut soup = Vec::new();
        for _ in 0..(seed % 40) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            soup.push(alphabet[(seed % alphabet.len() as u64) as usize]);
        }
        let soup = String::from_utf8(soup).unwrap();
        assert_eq!(
            xff("10.0.0.5", &format!("{soup}, 203.0.113.7")),
            ip("203.0.113.7"),
            "{soup:?}"
        );
        let found = fwd("10.0.0.5", &format!("{soup}, for=203.0.113.7"));
        assert!(
            found == ip("203.0.113.7") || found == ip("10.0.0.5"),
            "{soup:?}: {found}"
        );
    }
}
