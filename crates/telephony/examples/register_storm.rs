//! The registrar's own cost, without sockets or a database: N devices register with
//! digest (REGISTER → 401 → REGISTER with credentials → store commit → 200) through the
//! sans-IO switch, in rounds like a load generator with many open registrations.
//! Prints the time per registration and the switch's live transactions.
//!
//!     cargo run --release -p telephony --example register_storm -- 100000
//!
//! For instruction counts or a profile, run the binary under `valgrind --tool=callgrind`
//! or `perf record` (a smaller N is enough).

use bytes::Bytes;
use sip::digest::{Challenge, Credentials};
use sip::{HeaderName, Method};
use std::time::{Duration, Instant};
use telephony::{Account, Accounts, Flow, Notice, Settings, Switch};

const DOMAIN: &str = "bench.local";

fn register(user: &str, port: u32, n: u32, auth: Option<&str>) -> Bytes {
    let auth = auth.map_or(String::new(), |a| format!("Authorization: {a}\r\n"));
    Bytes::from(format!(
        "REGISTER sip:{DOMAIN} SIP/2.0\r\n\
         Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-{user}-{n};rport\r\n\
         From: <sip:{user}@{DOMAIN}>;tag={user}SIPpTag00{n}\r\n\
         To: <sip:{user}@{DOMAIN}>\r\n\
         Call-ID: {n}-{user}@127.0.0.1\r\n\
         CSeq: {n} REGISTER\r\n\
         Contact: <sip:{user}@127.0.0.1:{port}>\r\n\
         Max-Forwards: 70\r\n\
         Expires: 3600\r\n\
         User-Agent: register_storm\r\n\
         {auth}Content-Length: 0\r\n\r\n"
    ))
}

fn main() {
    let rss = || {
        std::fs::read_to_string("/proc/self/status")
            .unwrap_or_default()
            .lines()
            .find(|l| l.starts_with("VmRSS"))
            .map(|l| l.split_whitespace().nth(1).unwrap_or("?").to_owned())
            .unwrap_or_default()
    };
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    println!("RSS at start: {} kB", rss());
    let users: Vec<(String, String)> = (0..n)
        .map(|i| {
            let user = format!("{}-1", 10_000 + i);
            let ha1 = sip::digest::ha1(
                sip::digest::Algorithm::Md5,
                &user,
                DOMAIN,
                &format!("pw{i}-secret"),
            );
            (user, ha1)
        })
        .collect();
    println!("RSS with the test users: {} kB", rss());
    let accounts = Accounts::new(users.iter().enumerate().map(|(i, (user, ha1))| Account {
        device_id: i as i64,
        person_id: i as i64,
        sip_username: user.clone(),
        extension: format!("{}", 10_000 + i),
        ha1_md5: ha1.as_str().into(),
        ha1_sha256: ha1.as_str().into(),
        enabled: true,
    }));
    println!("RSS with {} accounts: {} kB", accounts.len(), rss());
    let settings = Settings::new(DOMAIN, "127.0.0.1:5060".parse().unwrap());
    let key = sip::digest::NonceKey::new(vec![7; 32]);
    let mut switch = Switch::new(settings, accounts, key, 42);
    let start = Instant::now();
    // Time inside the switch's entry points only (the phones' side is the benchmark's).
    let mut inside = Duration::ZERO;
    let mut now = 1_000_000i64;
    let mut sent = 0u64;
    for (i, (user, ha1)) in users.iter().enumerate() {
        let port = 20_000 + (i as u32 % 40_000);
        let flow = Flow::udp(format!("127.0.0.1:{port}").parse().unwrap());
        let first = register(user, port, 1, None);
        let at = Instant::now();
        switch.handle_datagram(now, flow, first).unwrap();
        let reply = switch.poll_transmit().expect("401");
        inside += at.elapsed();
        let text = std::str::from_utf8(&reply.data).unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with("WWW-Authenticate: ") && l.contains("MD5"))
            .expect("MD5 challenge");
        let challenge =
            Challenge::parse(&Bytes::from(line["WWW-Authenticate: ".len()..].to_owned())).unwrap();
        let uri = "sip:127.0.0.1:5060";
        let answer =
            Credentials::answer(&challenge, user, uri, "c0ffee", 1, &Method::Register, ha1);
        let second = register(user, port, 2, Some(&answer.to_string()));
        let at = Instant::now();
        switch.handle_datagram(now, flow, second).unwrap();
        while let Some(notice) = switch.poll_notice() {
            if let Notice::Save { ticket, .. } = notice {
                switch.handle_saved(now, ticket, true);
            }
        }
        let ok = switch.poll_transmit().expect("200");
        inside += at.elapsed();
        assert!(ok.data.starts_with(b"SIP/2.0 200"), "{:?}", ok.data);
        sent += 2;
        if i % 64 == 0 {
            now += 5; // ~12,800 registrations per simulated second
            let at = Instant::now();
            switch.handle_timeout(now);
            inside += at.elapsed();
        }
    }
    let elapsed = start.elapsed();
    let _ = HeaderName::Via;
    println!("RSS right after: {} kB", rss());
    // Past Timer J: every transaction has ended, only the bindings remain.
    switch.handle_timeout(now + 40_000);
    while switch.poll_transmit().is_some() {}
    println!("RSS 40 s later: {} kB", rss());
    println!(
        "{n} registrations in {:.3} s: {:.2} µs each ({} requests); {} bindings",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / f64::from(n),
        sent,
        switch.registrations()
    );
    println!(
        "of it in the switch: {:.2} µs per registration",
        inside.as_secs_f64() * 1e6 / f64::from(n)
    );
}
