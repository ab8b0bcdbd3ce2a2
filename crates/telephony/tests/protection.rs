//! The switch's protection against real-world abuse: scanners get no answer, a source
//! that guesses a password is shut out (its right answers too), a source sending too fast
//! hears 503 with Retry-After, and local processes are not rate-limited (a reverse proxy's
//! WebSockets from loopback are).

use bytes::Bytes;
use sip::digest::Credentials;
use sip::Method;
use telephony::{Account, Accounts, Flow, Settings, Switch, Transport};

mod common;

use common::DOMAIN;

fn ha1(password: &str) -> String {
    sip::digest::ha1(sip::digest::Algorithm::Md5, "2401-1", DOMAIN, password)
}

fn switch() -> Switch {
    let accounts = Accounts::new([Account {
        device_id: 1,
        person_id: 1,
        sip_username: "2401-1".into(),
        extension: "2401".into(),
        ha1_md5: ha1("right password").into(),
        ha1_sha256: telephony::accounts::Ha1::NONE,
        enabled: true,
    }]);
    let settings = Settings::new(DOMAIN, "192.0.2.1:5060".parse().unwrap());
    Switch::new(
        settings,
        accounts,
        sip::digest::NonceKey::new(vec![9; 32]),
        3,
    )
}

fn flow(a: &str) -> Flow {
    Flow::udp(a.parse().unwrap())
}

fn options(n: u32, user_agent: &str) -> Bytes {
    Bytes::from(format!(
        "OPTIONS sip:{DOMAIN} SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bKo{n}\r\n\
         From: <sip:x@{DOMAIN}>;tag=t\r\nTo: <sip:{DOMAIN}>\r\nCall-ID: o{n}\r\nCSeq: 1 OPTIONS\r\n\
         Max-Forwards: 70\r\nUser-Agent: {user_agent}\r\nContent-Length: 0\r\n\r\n"
    ))
}

const ATTACKER: &str = "198.51.100.7:5060";

fn register(n: u32, auth: Option<&str>) -> Bytes {
    common::register(ATTACKER, "2401-1", n, auth)
}

fn answers(s: &mut Switch) -> Vec<String> {
    std::iter::from_fn(|| s.poll_transmit())
        .map(|t| String::from_utf8(t.data.to_vec()).unwrap())
        .collect()
}

/// Registers with `password` from the attacker's address; returns the first answer line.
fn try_password(s: &mut Switch, now: i64, n: u32, password: &str) -> Option<String> {
    try_password_from(s, flow("198.51.100.7:5060"), now, n, password)
}

/// [`try_password`] from `from`.
fn try_password_from(
    s: &mut Switch,
    from: Flow,
    now: i64,
    n: u32,
    password: &str,
) -> Option<String> {
    s.handle_datagram(now, from, register(n, None)).unwrap();
    let challenge = common::md5_challenge(&answers(s))?;
    let answer = Credentials::answer(
        &challenge,
        "2401-1",
        "sip:pbx.example",
        "c",
        1,
        &Method::Register,
        &ha1(password),
    );
    s.handle_datagram(now, from, register(n + 1, Some(&answer.to_string())))
        .unwrap();
    let mut out = answers(s);
    while let Some(notice) = s.poll_notice() {
        if let telephony::Notice::Save { ticket, .. } = notice {
            s.handle_saved(now, ticket, true);
            out.extend(answers(s));
        }
    }
    out.first()
        .map(|m| m.lines().next().unwrap_or_default().to_owned())
}

#[test]
fn scanners_get_no_answer() {
    let mut s = switch();
    s.handle_datagram(1, flow("198.51.100.7:5060"), options(1, "friendly-scanner"))
        .unwrap();
    assert!(s.poll_transmit().is_none());
    s.handle_datagram(1, flow("198.51.100.7:5060"), options(2, "Yealink SIP-T46U"))
        .unwrap();
    assert!(s.poll_transmit().unwrap().data.starts_with(b"SIP/2.0 200"));
}

#[test]
fn guessing_blocks_the_account_for_strangers_even_with_the_right_password() {
    let mut s = switch();
    assert_eq!(
        try_password(&mut s, 1_000, 1, "right password").as_deref(),
        Some("SIP/2.0 200 OK")
    );
    let mut s = switch();
    // Ten wrong answers from an address the account never logged in from…
    for n in 0..10 {
        let answer = try_password(&mut s, 1_000 + i64::from(n), 10 + 2 * n, "guess");
        assert_eq!(answer.as_deref(), Some("SIP/2.0 401 Unauthorized"), "{n}");
    }
    // …block the account for strangers: nothing comes back, whatever is sent.
    assert_eq!(try_password(&mut s, 2_000, 100, "right password"), None);
    // Fifteen minutes later it may try again.
    let later = 2_000 + 15 * 60_000 + 1;
    assert_eq!(
        try_password(&mut s, later, 200, "right password").as_deref(),
        Some("SIP/2.0 200 OK")
    );
    // Browsers behind a reverse proxy (WebSocket from loopback) are strangers too.
    let mut s = switch();
    let proxy = Flow::new(Transport::Ws, "127.0.0.1:40000".parse().unwrap());
    for n in 0..10 {
        try_password_from(&mut s, proxy, 1_000, 10 + 2 * n, "guess");
    }
    assert_eq!(
        try_password_from(&mut s, proxy, 2_000, 100, "right password"),
        None
    );
}

#[test]
fn a_burst_of_wrong_digests_is_counted_one_by_one_and_stops_at_the_block() {
    // Issue 13: many REGISTERs with wrong digests at once from one address (all
    // challenges fetched first, then every answer sent before anything is read back),
    // the right password last. The switch counts each answer as it comes: ten are
    // answered 401, the rest and the right password get nothing.
    let mut s = switch();
    let from = flow(ATTACKER);
    let mut challenges = Vec::new();
    for n in 0..60 {
        s.handle_datagram(1_000, from, register(1_000 + n, None))
            .unwrap();
        challenges.push(common::md5_challenge(&answers(&mut s)).unwrap());
    }
    for (n, challenge) in challenges.iter().enumerate() {
        let password = if n == 59 { "right password" } else { "guess" };
        let answer = Credentials::answer(
            challenge,
            "2401-1",
            "sip:pbx.example",
            "c",
            1,
            &Method::Register,
            &ha1(password),
        );
        let request = register(2_000 + n as u32, Some(&answer.to_string()));
        s.handle_datagram(1_001, from, request).unwrap();
    }
    let out = answers(&mut s);
    let unauthorized = out.iter().filter(|m| m.starts_with("SIP/2.0 401")).count();
    assert_eq!(unauthorized, 10, "{out:?}");
    assert!(!out.iter().any(|m| m.starts_with("SIP/2.0 200")), "{out:?}");
    assert!(
        std::iter::from_fn(|| s.poll_notice())
            .all(|n| !matches!(n, telephony::Notice::Save { .. })),
        "no registration was saved"
    );
}

#[test]
fn a_source_over_its_rate_hears_503_with_retry_after_but_loopback_does_not() {
    let mut s = switch();
    let mut busy = 0;
    for n in 0..1_000 {
        s.handle_datagram(5, flow("198.51.100.7:5060"), options(n, "phone"))
            .unwrap();
        for m in answers(&mut s) {
            if m.starts_with("SIP/2.0 503") {
                assert!(m.contains("\r\nRetry-After: "), "{m}");
                busy += 1;
            }
        }
    }
    assert!(busy > 0 && busy < 1_000, "{busy} of 1000 refused");
    let mut s = switch();
    for n in 0..1_000 {
        s.handle_datagram(5, flow("127.0.0.1:5070"), options(n, "sipp"))
            .unwrap();
        let m = answers(&mut s);
        assert!(
            m.len() == 1 && m[0].starts_with("SIP/2.0 200"),
            "{n}: {m:?}"
        );
    }
    // A WebSocket from loopback is a reverse proxy passing on browsers: guarded.
    let mut s = switch();
    let proxy = Flow::new(Transport::Ws, "127.0.0.1:40000".parse().unwrap());
    let refused = (0..1_000)
        .filter(|n| {
            s.handle_datagram(5, proxy, options(*n, "browser")).unwrap();
            answers(&mut s).iter().any(|m| m.starts_with("SIP/2.0 503"))
        })
        .count();
    assert!(refused > 0, "the proxy's browsers were not rate-limited");
}
