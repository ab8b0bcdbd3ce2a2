use super::*;
use proptest::prelude::*;
use std::collections::HashSet;
use std::hash::Hash;

const MIN: i64 = 60_000;
const DESK: &str = "4711-desk";

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn guard() -> Guard {
    Guard::new(Settings::default())
}

/// Every table holds at most its cap, and has one queue node per entry.
fn assert_bounded(g: &Guard) {
    fn check<K: Hash + Eq + Clone + std::fmt::Debug, V: Expiring>(t: &Table<K, V>) {
        assert!(t.map.len() <= t.cap, "{} > {}", t.map.len(), t.cap);
        assert_eq!(t.queue.len(), t.map.len());
        let queued: HashSet<&K> = t.queue.iter().map(|(_, k)| k).collect();
        assert_eq!(queued.len(), t.queue.len(), "one node per key");
        assert!(t.map.keys().all(|k| queued.contains(k)));
    }
    check(&g.sources);
    check(&g.accounts);
    check(&g.buckets);
}

#[test]
fn scanner_user_agents_are_dropped_in_any_case() {
    let mut g = guard();
    for needle in SCANNERS {
        let mut ua = b"Mozilla ".to_vec();
        ua.extend(needle.to_ascii_uppercase());
        ua.extend_from_slice(b"/0.9");
        let decision = g.handle_request(0, ip("203.0.113.1"), Some(&ua));
        assert_eq!(decision, Decision::Drop(Reason::Scanner), "{needle:?}");
    }
    for ua in [
        "friendly-scanner",
        "SIPVicious PRO 1.0",
        "VaxSIPUserAgent/3.1",
        "pplsip",
    ] {
        assert!(is_scanner(ua.as_bytes()), "{ua}");
    }
    for ua in [
        "Yealink SIP-T46U 108.86.0.20",
        "snomD785/10.1.54.13",
        "Grandstream GXP2170 1.0.11.23",
        "sipsak 0.9.8",
        "sipp",
        "Cisco-CP8845/12.8",
        "Linphone/5.2.0 (belle-sip/5.2.0)",
        "baresip v3.10.1 (x86_64/linux)",
        "",
    ] {
        let decision = g.handle_request(0, ip("198.51.100.7"), Some(ua.as_bytes()));
        assert_eq!(decision, Decision::Allow, "{ua}");
    }
    // Only the start of a huge header is searched.
    let mut long = vec![b'x'; UA_PREFIX];
    long.extend_from_slice(b"friendly-scanner");
    assert!(!is_scanner(&long));
    let counters = g.counters(0);
    assert_eq!(counters.dropped_scanner, SCANNERS.len() as u64);
    // A scanner User-Agent never blocks its (possibly forged) source.
    assert_eq!(counters.blocked_sources, 0);
    assert_eq!(
        g.handle_request(0, ip("203.0.113.1"), None),
        Decision::Allow
    );
}

#[test]
fn a_source_is_blocked_after_20_wrong_answers_for_15_minutes() {
    let mut g = guard();
    let scanner = ip("203.0.113.9");
    for i in 0..19 {
        g.record_failure(i * 1000, scanner, None);
        assert_eq!(g.handle_request(i * 1000, scanner, None), Decision::Allow);
    }
    g.record_failure(19_000, scanner, None);
    let blocked = Decision::Drop(Reason::SourceBlocked);
    assert_eq!(g.handle_request(19_000, scanner, None), blocked);
    assert_eq!(
        g.handle_request(19_000 + 15 * MIN - 1, scanner, None),
        blocked
    );
    assert_eq!(g.counters(19_000).blocked_sources, 1);
    assert_eq!(g.counters(19_000).source_blocks, 1);
    assert_eq!(g.counters(19_000).dropped_source, 2);
    // Others are not affected; after the period the source may try again, from zero.
    assert_eq!(
        g.handle_request(20_000, ip("203.0.113.10"), None),
        Decision::Allow
    );
    let after = 19_000 + 15 * MIN;
    assert_eq!(g.handle_request(after, scanner, None), Decision::Allow);
    assert_eq!(g.counters(after).blocked_sources, 0);
    for i in 0..19 {
        g.record_failure(after + i, scanner, None);
    }
    assert_eq!(g.handle_request(after + 19, scanner, None), Decision::Allow);
}

#[test]
fn failures_spread_over_more_than_the_window_do_not_block() {
    let mut g = guard();
    let phone = ip("198.51.100.20");
    // A phone with a stale password, retrying every 16 s: 19 per 5 minutes at most.
    for i in 0..200 {
        g.record_failure(i * 16_000, phone, None);
        assert_eq!(g.handle_request(i * 16_000, phone, None), Decision::Allow);
    }
    assert_eq!(g.counters(200 * 16_000).source_blocks, 0);
}

#[test]
fn a_source_where_phones_log_in_needs_ten_times_the_failures() {
    let mut g = guard();
    let office = ip("192.0.2.80");
    g.record_success(0, office, "4712-desk");
    for i in 0..199 {
        g.record_failure(1_000 + i, office, None);
    }
    assert_eq!(g.handle_request(2_000, office, None), Decision::Allow);
    g.record_failure(2_000, office, None);
    let blocked = Decision::Drop(Reason::SourceBlocked);
    assert_eq!(g.handle_request(2_001, office, None), blocked);
    // Trust runs out two hours after the last login.
    let mut g = guard();
    g.record_success(0, office, "4712-desk");
    let later = 2 * 60 * MIN;
    for i in 0..20 {
        g.record_failure(later + i, office, None);
    }
    assert_eq!(g.handle_request(later + 20, office, None), blocked);
}

#[test]
fn an_account_is_blocked_for_strangers_but_not_where_it_logs_in() {
    let mut g = guard();
    let desk = ip("198.51.100.7");
    g.record_success(0, desk, DESK);
    // Distributed guessing: ten sources, one guess each.
    for i in 0..10u8 {
        let bot = IpAddr::from([203, 0, 113, i]);
        assert_eq!(g.check_account(1_000, bot, DESK), Decision::Allow);
        g.record_failure(1_000, bot, Some(DESK));
    }
    let blocked = Decision::Drop(Reason::AccountBlocked);
    assert_eq!(g.check_account(1_001, ip("203.0.113.200"), DESK), blocked);
    assert_eq!(g.check_account(1_001, desk, DESK), Decision::Allow);
    assert_eq!(g.check_account(1_001, desk, "4712-desk"), Decision::Allow);
    let counters = g.counters(1_001);
    assert_eq!((counters.blocked_accounts, counters.account_blocks), (1, 1));
    assert_eq!((counters.dropped_account, counters.blocked_sources), (1, 0));
    // The desk phone keeps working and stays known.
    g.record_success(5 * MIN, desk, DESK);
    assert_eq!(g.check_account(14 * MIN, desk, DESK), Decision::Allow);
    assert_eq!(
        g.check_account(14 * MIN, ip("203.0.113.200"), DESK),
        blocked
    );
    assert_eq!(
        g.check_account(1_000 + 15 * MIN, ip("203.0.113.200"), DESK),
        Decision::Allow
    );
}

#[test]
fn the_known_source_has_its_own_count() {
    let mut g = guard();
    let (desk, laptop) = (ip("198.51.100.7"), ip("192.0.2.33"));
    g.record_success(0, laptop, DESK);
    g.record_success(0, desk, DESK);
    // Guessing at the phone's own address (an insider behind the office NAT).
    for i in 0..10 {
        g.record_failure(1_000 + i, desk, Some(DESK));
    }
    let blocked = Decision::Drop(Reason::AccountBlocked);
    assert_eq!(g.check_account(2_000, desk, DESK), blocked);
    // The two known sources share that count; strangers keep their own.
    assert_eq!(g.check_account(2_000, laptop, DESK), blocked);
    assert_eq!(
        g.check_account(2_000, ip("203.0.113.5"), DESK),
        Decision::Allow
    );
    // A login from a new place meanwhile does not put that place into the block.
    let home = ip("198.51.100.99");
    g.record_success(3_000, home, DESK);
    assert_eq!(g.check_account(3_001, home, DESK), Decision::Allow);
    g.unblock_account(DESK);
    assert_eq!(g.check_account(2_001, desk, DESK), Decision::Allow);
}

#[test]
fn a_login_resets_the_known_count_but_not_the_strangers_one() {
    let mut g = guard();
    let (desk, bot) = (ip("198.51.100.7"), ip("203.0.113.5"));
    g.record_success(0, desk, DESK);
    for i in 0..9 {
        g.record_failure(1_000 + i, desk, Some(DESK));
        g.record_failure(1_000 + i, bot, Some(DESK));
    }
    g.record_success(2_000, desk, DESK);
    g.record_failure(3_000, desk, Some(DESK));
    g.record_failure(3_000, bot, Some(DESK));
    assert_eq!(g.check_account(3_001, desk, DESK), Decision::Allow);
    let blocked = Decision::Drop(Reason::AccountBlocked);
    assert_eq!(g.check_account(3_001, bot, DESK), blocked);
}

#[test]
fn made_up_and_overlong_names_count_against_the_source_only() {
    let mut g = guard();
    let long = "x".repeat(MAX_NAME + 1);
    for i in 0..5 {
        g.record_failure(i, ip("203.0.113.5"), None);
        g.record_failure(i, ip("203.0.113.5"), Some(&long));
    }
    g.record_success(10, ip("198.51.100.7"), &long);
    let counters = g.counters(10);
    assert_eq!(
        (counters.tracked_accounts, counters.tracked_sources),
        (0, 2)
    );
    assert_eq!(
        g.check_account(10, ip("203.0.113.5"), &long),
        Decision::Allow
    );
}

#[test]
fn the_rate_limit_is_a_token_bucket_per_source() {
    let mut g = guard();
    let office = ip("192.0.2.80");
    for _ in 0..400 {
        assert_eq!(g.handle_request(0, office, None), Decision::Allow);
    }
    let reject = Decision::Reject {
        retry_after_secs: 1,
    };
    // 200 answers of 503 in this second, then silence.
    for _ in 0..200 {
        assert_eq!(g.handle_request(0, office, None), reject);
    }
    let shed = Decision::Drop(Reason::RateLimited);
    assert_eq!(g.handle_request(0, office, None), shed);
    // Another source has its own bucket; IPv4-mapped IPv6 is the same source.
    assert_eq!(g.handle_request(0, ip("192.0.2.81"), None), Decision::Allow);
    assert_eq!(g.handle_request(0, ip("::ffff:192.0.2.80"), None), shed);
    // In a second the bucket refills 200 tokens.
    for _ in 0..200 {
        assert_eq!(g.handle_request(1_000, office, None), Decision::Allow);
    }
    assert_eq!(g.handle_request(1_000, office, None), reject);
    // 5 ms buy one request.
    assert_eq!(g.handle_request(1_005, office, None), Decision::Allow);
    assert_eq!(g.handle_request(1_005, office, None), reject);
    let counters = g.counters(1_005);
    assert_eq!((counters.rejected_rate, counters.dropped_rate), (202, 2));
    // Two seconds of quiet fill it up, and the bucket is forgotten.
    assert_eq!(g.handle_request(3_005, office, None), Decision::Allow);
    for _ in 0..10 {
        g.handle_request(10_000, ip("192.0.2.99"), None);
    }
    assert_eq!(g.counters(10_000).rate_buckets, 1);
}

#[test]
fn ipv6_sources_are_kept_per_64() {
    let mut g = guard();
    for i in 0..20u16 {
        let addr = IpAddr::from([0x2001, 0xdb8, 1, 2, 0, 0, 7, i]);
        g.record_failure(i.into(), addr, None);
    }
    let other_host = ip("2001:db8:1:2:ffff::1");
    let blocked = Decision::Drop(Reason::SourceBlocked);
    assert_eq!(g.handle_request(100, other_host, None), blocked);
    assert_eq!(
        g.handle_request(100, ip("2001:db8:1:3::1"), None),
        Decision::Allow
    );
    g.unblock_source(other_host);
    assert_eq!(g.handle_request(101, other_host, None), Decision::Allow);
}

#[test]
fn a_flood_of_forged_sources_stays_within_the_caps() {
    let settings = Settings {
        max_sources: 64,
        max_accounts: 32,
        max_rate_sources: 128,
        ..Settings::default()
    };
    let mut g = Guard::new(settings);
    let attacker = ip("203.0.113.9");
    for i in 0..20 {
        g.record_failure(i, attacker, Some(DESK));
    }
    for i in 0..100_000u32 {
        let forged = IpAddr::from(i.to_be_bytes());
        g.handle_request(1_000, forged, None);
        g.record_failure(1_000, forged, Some(&format!("user{i}")));
    }
    assert_bounded(&g);
    let counters = g.counters(1_000);
    assert_eq!(counters.tracked_sources, 64);
    assert_eq!(counters.tracked_accounts, 32);
    assert_eq!(counters.rate_buckets, 128);
    assert!(counters.evicted > 190_000, "{counters:?}");
    // The blocks survive the flood: they are passed over when a table makes room.
    let blocked = Decision::Drop(Reason::SourceBlocked);
    assert_eq!(g.handle_request(1_000, attacker, None), blocked);
    let account_blocked = Decision::Drop(Reason::AccountBlocked);
    assert_eq!(
        g.check_account(1_000, ip("192.0.2.1"), DESK),
        account_blocked
    );
}

#[test]
fn expired_entries_leave_a_few_per_call() {
    let mut g = guard();
    for i in 0..1_000u32 {
        let source = IpAddr::from((0xc000_0200 + i).to_be_bytes());
        g.handle_request(0, source, None);
        g.record_failure(0, source, None);
    }
    assert_eq!(g.counters(0).tracked_sources, 1_000);
    let later = 6 * MIN;
    for _ in 0..500 {
        g.handle_request(later, ip("198.51.100.7"), None);
    }
    let counters = g.counters(later);
    assert_eq!((counters.tracked_sources, counters.rate_buckets), (0, 1));
    assert_bounded(&g);
}

#[test]
fn the_memory_bound_of_the_defaults() {
    let bound = Settings::default().memory_bound();
    assert!((8 << 20..15 << 20).contains(&bound), "{bound}");
    let tiny = Settings {
        max_sources: 0,
        max_accounts: 0,
        max_rate_sources: 0,
        ..Settings::default()
    };
    assert!(tiny.memory_bound() < 4096);
}

#[derive(Debug, Clone)]
enum Op {
    Request(u8, bool),
    Failure(u8, Option<u8>),
    Success(u8, u8),
    Check(u8, u8),
    Wait(u32),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (any::<u8>(), any::<bool>()).prop_map(|(s, ua)| Op::Request(s, ua)),
        3 => (any::<u8>(), any::<Option<u8>>()).prop_map(|(s, a)| Op::Failure(s, a)),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(s, a)| Op::Success(s, a)),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(s, a)| Op::Check(s, a)),
        1 => (0..2_000_000u32).prop_map(Op::Wait),
    ]
}

proptest! {
    #[test]
    fn tables_never_exceed_their_caps(
        caps in (1..20usize, 1..20usize, 1..20usize),
        failures in 1..6u32,
        ops in proptest::collection::vec(op(), 1..400),
    ) {
        let settings = Settings {
            source: Rule { failures, window_ms: 5 * MIN, block_ms: 15 * MIN },
            account: Rule { failures, window_ms: 5 * MIN, block_ms: 15 * MIN },
            trusted_source_failures: failures * 2,
            rate_per_sec: 5,
            burst: 10,
            max_sources: caps.0,
            max_accounts: caps.1,
            max_rate_sources: caps.2,
            ..Settings::default()
        };
        let mut g = Guard::new(settings);
        let mut now = 0i64;
        let source = |s: u8| IpAddr::from([10, 0, 0, s]);
        let name = |a: u8| format!("dev{a}");
        for op in ops {
            match op {
                Op::Request(s, ua) => {
                    let ua: &[u8] = if ua { b"sipcli/v1.8" } else { b"Yealink" };
                    let _ = g.handle_request(now, source(s), Some(ua));
                }
                Op::Failure(s, a) => g.record_failure(now, source(s), a.map(name).as_deref()),
                Op::Success(s, a) => g.record_success(now, source(s), &name(a)),
                Op::Check(s, a) => {
                    let _ = g.check_account(now, source(s), &name(a));
                }
                Op::Wait(ms) => now += i64::from(ms),
            }
            assert_bounded(&g);
        }
    }
}
