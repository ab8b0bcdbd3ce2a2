//! The proxy's own cost, without sockets or a database: N devices are registered (as
//! after a restart), then M calls go through the sans-IO switch like `bench/sip.sh`'s
//! `bench_call.xml` against `uas_answer.xml`: INVITE → 407 → ACK → INVITE with
//! credentials → 100 → the callee's 180 and 200 → ACK → BYE → 200, every caller to the
//! same callee. Prints the time per call, of it the time inside the switch, and memory.
//!
//!     cargo run --release -p telephony --example call_storm -- 100000 20000
//!
//! For instruction counts or a profile, run the binary under `valgrind --tool=callgrind`
//! or `perf record` (smaller N and M are enough).

use bytes::Bytes;
use sip::digest::{Challenge, Credentials};
use sip::registrar::Binding;
use sip::Method;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use telephony::{Account, Accounts, Flow, Settings, Switch};

const DOMAIN: &str = "bench.local";
const CALLEE: &str = "127.0.0.1:5071";
const SDP: &str = "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\n\
                   c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0 8\r\n\
                   a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n";

/// The switch, and the time spent inside it.
struct Timed {
    switch: Switch,
    inside: Duration,
}

impl Timed {
    fn feed(&mut self, now: i64, from: SocketAddr, text: String) -> Vec<(SocketAddr, String)> {
        let start = Instant::now();
        self.switch
            .handle_datagram(now, Flow::udp(from), Bytes::from(text))
            .unwrap();
        let out: Vec<_> = std::iter::from_fn(|| self.switch.poll_transmit()).collect();
        while self.switch.poll_notice().is_some() {}
        self.inside += start.elapsed();
        out.into_iter()
            .map(|t| (t.peer.addr, String::from_utf8(t.data.to_vec()).unwrap()))
            .collect()
    }

    fn timeout(&mut self, now: i64) {
        let start = Instant::now();
        self.switch.handle_timeout(now);
        while self.switch.poll_transmit().is_some() {}
        self.inside += start.elapsed();
    }
}

fn header<'a>(message: &'a str, name: &str) -> Vec<&'a str> {
    message
        .lines()
        .filter_map(|l| l.strip_prefix(name))
        .collect()
}

fn invite(user: &str, port: u16, n: u32, auth: Option<&str>) -> String {
    let auth = auth.map_or(String::new(), |a| format!("Proxy-Authorization: {a}\r\n"));
    format!(
        "INVITE sip:1000@{DOMAIN} SIP/2.0\r\n\
         Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-{user}-{n};rport\r\n\
         From: <sip:{user}@{DOMAIN}>;tag={user}SIPpTag00\r\nTo: <sip:1000@{DOMAIN}>\r\n\
         Call-ID: call-{user}@127.0.0.1\r\nCSeq: {n} INVITE\r\n\
         Contact: <sip:{user}@127.0.0.1:{port}>\r\n{auth}Max-Forwards: 70\r\n\
         User-Agent: Durchwahl-sipp\r\nContent-Type: application/sdp\r\n\
         Content-Length: {}\r\n\r\n{SDP}",
        SDP.len()
    )
}

/// A request of the caller inside the dialog the 200 `ok` set up.
fn in_dialog(method: &str, user: &str, port: u16, n: u32, ok: &str) -> String {
    let target = header(ok, "Contact: ")[0].trim_matches(['<', '>']);
    let routes: String = header(ok, "Record-Route: ")
        .iter()
        .map(|r| format!("Route: {r}\r\n"))
        .collect();
    let to = header(ok, "To: ")[0];
    format!(
        "{method} {target} SIP/2.0\r\n\
         Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-{user}-{method}{n};rport\r\n\
         {routes}From: <sip:{user}@{DOMAIN}>;tag={user}SIPpTag00\r\nTo: {to}\r\n\
         Call-ID: call-{user}@127.0.0.1\r\nCSeq: {n} {method}\r\n\
         Contact: <sip:{user}@127.0.0.1:{port}>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
    )
}

/// The callee's answer to `request` (Via, From, To, Call-ID, CSeq and Record-Route copied).
fn answer(request: &str, status: &str, body: &str) -> String {
    let mut out = format!("SIP/2.0 {status}\r\n");
    for name in [
        "Via: ",
        "Record-Route: ",
        "From: ",
        "To: ",
        "Call-ID: ",
        "CSeq: ",
    ] {
        for value in header(request, name) {
            let tag = if name == "To: " && !status.starts_with("100") {
                ";tag=callee"
            } else {
                ""
            };
            out.push_str(&format!("{name}{value}{tag}\r\n"));
        }
    }
    out.push_str(&format!("Contact: <sip:1000-1@{CALLEE}>\r\n"));
    if body.is_empty() {
        out.push_str("Content-Length: 0\r\n\r\n");
    } else {
        out.push_str(&format!(
            "Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ));
    }
    out
}

fn only<'a>(out: &'a [(SocketAddr, String)], to: SocketAddr, start: &str) -> &'a str {
    let found: Vec<&str> = out
        .iter()
        .filter(|(peer, m)| *peer == to && m.starts_with(start))
        .map(|(_, m)| m.as_str())
        .collect();
    assert_eq!(found.len(), 1, "one {start} to {to} in {out:?}");
    found[0]
}

fn rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmRSS"))
        .map(|l| l.split_whitespace().nth(1).unwrap_or("?").to_owned())
        .unwrap_or_default()
}

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<u32>().ok());
    let devices = args.next().flatten().unwrap_or(20_000).max(2);
    let calls = args.next().flatten().unwrap_or(20_000).min(devices - 1);
    let password = |i: u32| format!("pw{i}-secret");
    let user = |i: u32| format!("{}-1", 1000 + i);
    let accounts = Accounts::new((0..devices).map(|i| {
        let ha1 = sip::digest::ha1(sip::digest::Algorithm::Md5, &user(i), DOMAIN, &password(i));
        Account {
            device_id: i64::from(i),
            person_id: i64::from(i),
            sip_username: user(i),
            extension: format!("{}", 1000 + i),
            ha1_md5: ha1.as_str().into(),
            ha1_sha256: telephony::accounts::Ha1::NONE,
            enabled: true,
        }
    }));
    let settings = Settings::new(DOMAIN, "127.0.0.1:5060".parse().unwrap());
    let key = sip::digest::NonceKey::new(vec![7; 32]);
    let mut switch = Switch::new(settings, accounts, key, 42);
    let start_ms = 1_000_000i64;
    for i in 0..devices {
        let port = 20_000 + (i % 40_000);
        let binding = Binding {
            contact: format!("sip:{}@127.0.0.1:{port}", user(i))
                .into_bytes()
                .into(),
            instance: None,
            call_id: Box::from(&b"reg"[..]),
            cseq: 1,
            expires_at: start_ms + 3_600_000,
            flow: Flow::udp(format!("127.0.0.1:{port}").parse().unwrap()),
        };
        switch.restore(&user(i), binding);
    }
    // The callee answers at 127.0.0.1:5071 (its registration replaced by this one).
    let callee: SocketAddr = CALLEE.parse().unwrap();
    switch.restore(
        &user(0),
        Binding {
            contact: format!("sip:{}@{CALLEE}", user(0)).into_bytes().into(),
            instance: None,
            call_id: Box::from(&b"reg0"[..]),
            cseq: 2,
            expires_at: start_ms + 3_600_000,
            flow: Flow::udp(callee),
        },
    );
    println!("RSS with {devices} registered devices: {} kB", rss());
    let mut s = Timed {
        switch,
        inside: Duration::ZERO,
    };
    let mut now = start_ms;
    let start = Instant::now();
    for i in 1..=calls {
        let (caller, port) = (user(i), 20_000 + (i % 40_000) as u16);
        let from: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let out = s.feed(now, from, invite(&caller, port, 1, None));
        let challenged = only(&out, from, "SIP/2.0 407 ");
        let line = header(challenged, "Proxy-Authenticate: ")
            .into_iter()
            .find(|l| l.contains("MD5"))
            .expect("MD5 challenge");
        let challenge = Challenge::parse(&Bytes::from(line.to_owned())).unwrap();
        // RFC 3261 §17.1.1.3: the ACK of a failure shares the INVITE's branch.
        let ack = format!(
            "ACK sip:1000@{DOMAIN} SIP/2.0\r\nVia: {}\r\nFrom: {}\r\nTo: {}\r\n\
             Call-ID: call-{caller}@127.0.0.1\r\nCSeq: 1 ACK\r\nMax-Forwards: 70\r\n\
             Content-Length: 0\r\n\r\n",
            header(challenged, "Via: ")[0],
            header(challenged, "From: ")[0],
            header(challenged, "To: ")[0],
        );
        s.feed(now, from, ack);
        let ha1 = sip::digest::ha1(sip::digest::Algorithm::Md5, &caller, DOMAIN, &password(i));
        let uri = "sip:127.0.0.1:5060";
        let credentials =
            Credentials::answer(&challenge, &caller, uri, "c0ffee", 1, &Method::Invite, &ha1);
        let out = s.feed(
            now,
            from,
            invite(&caller, port, 2, Some(&credentials.to_string())),
        );
        only(&out, from, "SIP/2.0 100 ");
        let forwarded = only(&out, callee, "INVITE ").to_owned();
        let out = s.feed(now, callee, answer(&forwarded, "180 Ringing", ""));
        only(&out, from, "SIP/2.0 180 ");
        let out = s.feed(now, callee, answer(&forwarded, "200 OK", SDP));
        let ok = only(&out, from, "SIP/2.0 200 ").to_owned();
        let out = s.feed(now, from, in_dialog("ACK", &caller, port, 2, &ok));
        only(&out, callee, "ACK ");
        let out = s.feed(now, from, in_dialog("BYE", &caller, port, 3, &ok));
        let bye = only(&out, callee, "BYE ").to_owned();
        let out = s.feed(now, callee, answer(&bye, "200 OK", ""));
        only(&out, from, "SIP/2.0 200 ");
        if i % 16 == 0 {
            now += 5; // ~3,200 calls per simulated second
            s.timeout(now);
        }
    }
    let elapsed = start.elapsed();
    println!("RSS right after: {} kB", rss());
    s.timeout(now + 40_000);
    println!("RSS 40 s later: {} kB", rss());
    println!(
        "{calls} calls in {:.3} s: {:.2} µs each, {:.2} µs of it in the switch",
        elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1e6 / f64::from(calls),
        s.inside.as_secs_f64() * 1e6 / f64::from(calls),
    );
}
