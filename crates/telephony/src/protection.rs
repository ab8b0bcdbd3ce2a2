//! Protection (issue 5): known scanners dropped, password guessing stopped by temporary
//! blocks of sources and accounts, and a per-source rate limit that sheds load with 503.
//!
//! A pure policy like the rest of the crate: the switch asks [`Guard::handle_request`]
//! before it handles a request, [`Guard::check_account`] before it checks a digest
//! answer, and tells [`Guard::record_failure`] / [`Guard::record_success`] how the check
//! went. The time comes in with every call. There are no timers: state expires lazily,
//! and each call prunes at most a few expired entries from the front of each table's
//! deadline queue (a bounded number of steps per call), so nothing has to poll.
//!
//! ```
//! use std::net::IpAddr;
//! use telephony::protection::{Decision, Guard, Reason, Settings};
//! let mut guard = Guard::new(Settings::default());
//! let desk: IpAddr = "198.51.100.7".parse().unwrap();
//! let stranger: IpAddr = "203.0.113.50".parse().unwrap();
//!
//! // Every request, before the transaction layer: Allow goes on, Drop is silent,
//! // Reject is answered 503 with Retry-After (never for an ACK).
//! let ua: &[u8] = b"Yealink SIP-T46U 108.86.0.20";
//! assert_eq!(guard.handle_request(0, desk, Some(ua)), Decision::Allow);
//! let scanner: &[u8] = b"friendly-scanner";
//! assert_eq!(guard.handle_request(0, stranger, Some(scanner)), Decision::Drop(Reason::Scanner));
//!
//! // Digest outcomes: the desk phone logged in; then a stranger guesses ten times.
//! guard.record_success(1_000, desk, "4711-desk");
//! for i in 0..10 {
//!     assert_eq!(guard.check_account(2_000 + i, stranger, "4711-desk"), Decision::Allow);
//!     guard.record_failure(2_000 + i, stranger, Some("4711-desk"));
//! }
//! // The account is blocked for strangers for 15 minutes, not for the desk phone.
//! let blocked = Decision::Drop(Reason::AccountBlocked);
//! assert_eq!(guard.check_account(3_000, stranger, "4711-desk"), blocked);
//! assert_eq!(guard.check_account(3_000, desk, "4711-desk"), Decision::Allow);
//! assert_eq!(guard.check_account(3_000 + 900_000, stranger, "4711-desk"), Decision::Allow);
//! assert_eq!(guard.counters(3_000).blocked_accounts, 1);
//! ```
//!
//! **Accounts and sources.** An account that collects the wrong answers of
//! [`Settings::account`] is blocked, but only for *strangers*: sources where it has not logged in within
//! [`Settings::trust_ms`]. Its two most recent known sources keep their own count, which
//! a success there resets. So a guesser anywhere cannot lock the phone on the desk out
//! (the DoS that plain account lockout invites), and guessing at the phone's own address
//! is still limited. The price: during an attack the account cannot log in from a *new*
//! place until the block ends (or an operator calls [`Guard::unblock_account`]).
//! Sources that logged anything in within `trust_ms` (an office NAT in front of hundreds
//! of phones) are blocked only after [`Settings::trusted_source_failures`], ten times the
//! normal number: a few phones with a stale password must not cut off a whole office.
//!
//! **Memory.** Three tables (failures per source, per account, rate buckets), each capped
//! ([`Settings::max_sources`], [`Settings::max_accounts`], [`Settings::max_rate_sources`]).
//! A full table makes room by dropping an expired entry or else the oldest one, passing
//! over a few that are blocked or trusted. [`Settings::memory_bound`] gives the worst case
//! in bytes: under 15 MiB with the defaults (about half unless the hash tables grew under
//! churn). IPv6 sources are kept per /64, the block one subscriber gets, so rotating
//! through it neither escapes the rules nor fills the tables.
//!
//! **Forged sources.** UDP source addresses can be forged. A forged scanner User-Agent
//! only drops that datagram, and never blocks its source. A wrong digest answer needs a
//! nonce the switch issued; bound to the source address (or over TCP/TLS) it cannot be
//! forged for someone else's address.

use std::mem::size_of;
use std::net::IpAddr;
use std::sync::Arc;
use table::{Expiring, Table};

mod table;
#[cfg(test)]
mod tests;

/// User-Agent substrings of SIP attack tools, lower case, matched case-insensitively.
/// Compiled from the tools' defaults and the scanner lists operators share in Kamailio and
/// OpenSIPS example configurations and fail2ban/iptables `string` rules. Left out on
/// purpose: `sipsak` and `sipp` (admin and load-test tools; monitoring pings the server
/// with sipsak), `sipv`, `scanner` and `bot` (too broad for a substring), and products
/// that bots imitate (`cisco`, `Asterisk PBX`, `PortSIP`): dropping them would drop phones.
pub const SCANNERS: &[&[u8]] = &[
    b"friendly-scanner", // SIPVicious svmap/svwar/svcrack default
    b"friendly-request", // SIPVicious variants
    b"sipvicious",       // SIPVicious PRO and forks
    b"sipcli",           // sipcli, a Windows brute-forcer
    b"sip-scan",         // sip-scan
    b"sipscan",          // SIPScan
    b"sundayddr",        // mass scanner seen since 2011
    b"iwar",             // iWar war dialer
    b"vaxsipuseragent",  // VaxVoIP SDK: the UA of many brute-force bots, no phone of ours
    b"pplsip",           // SIPPTS (Pepelux) default
    b"sippts",           // SIPPTS
    b"siparmyknife",     // SIP fuzzer
    b"sivus",            // SiVuS vulnerability scanner
];

/// Only the start of a User-Agent is searched (tools put their name first), so a huge
/// header costs no more than a short one.
const UA_PREFIX: usize = 256;
/// Longer account names are not tracked per account (provisioned names are short; the
/// source is still counted). Bounds the memory of the account table.
pub const MAX_NAME: usize = 64;

/// Whether a User-Agent belongs to a known scanner ([`SCANNERS`]). No allocation: the
/// start is lower-cased once on the stack (every request passes here).
pub fn is_scanner(user_agent: &[u8]) -> bool {
    let mut lower = [0u8; UA_PREFIX];
    let n = user_agent.len().min(UA_PREFIX);
    for (l, c) in lower.iter_mut().zip(&user_agent[..n]) {
        *l = c.to_ascii_lowercase();
    }
    let ua = &lower[..n];
    SCANNERS
        .iter()
        .any(|needle| ua.windows(needle.len()).any(|w| w == *needle))
}

/// The address the rules are kept for: IPv4 as it is (also IPv4-mapped IPv6), IPv6 by
/// its /64 (RFC 6177: the smallest block a subscriber gets).
pub fn source_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
    }
}

/// A failure rule: `failures` wrong answers within `window_ms` block for `block_ms`.
/// The window opens at the first failure (a fixed window, so a burst across its end may
/// get up to twice the number through). `failures: 0` turns the rule off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Wrong answers that block.
    pub failures: u32,
    /// Within how long, milliseconds.
    pub window_ms: i64,
    /// For how long, milliseconds.
    pub block_ms: i64,
}

/// What the guard enforces. The defaults suit a county administration: ~3000 phones, many
/// of them behind a few office NAT addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Per source address: 20 wrong answers in 5 minutes block it for 15 minutes (a
    /// scanner tries thousands; a misconfigured phone a few per minute).
    pub source: Rule,
    /// The number of failures for a source that logged in within `trust_ms`: 200.
    pub trusted_source_failures: u32,
    /// Per account: 10 wrong answers in 5 minutes block it for strangers (and its known
    /// sources count their own 10) for 15 minutes: about 1000 guesses a day from strangers.
    pub account: Rule,
    /// How long a successful login makes its source known: 2 hours (phones refresh their
    /// registration at least hourly). 0 trusts nobody.
    pub trust_ms: i64,
    /// Requests per second per source: 200, a whole office behind one NAT address
    /// (3000 phones re-registering hourly are under 2/s; a restart of them all is the
    /// peak). 0 turns the limit off.
    pub rate_per_sec: u32,
    /// Requests a source may send at once: 400.
    pub burst: u32,
    /// Most sources whose failures are tracked: 16384.
    pub max_sources: usize,
    /// Most accounts whose failures are tracked: 8192 (the switch passes only known
    /// names, so this holds every provisioned device).
    pub max_accounts: usize,
    /// Most sources with a rate bucket: 16384. A bucket lives only until it has refilled
    /// (2 s at most with the defaults), so even a flood of forged addresses fills few.
    pub max_rate_sources: usize,
}

impl Default for Settings {
    fn default() -> Self {
        let quarter_hour = 15 * 60_000;
        Settings {
            source: Rule {
                failures: 20,
                window_ms: 5 * 60_000,
                block_ms: quarter_hour,
            },
            trusted_source_failures: 200,
            account: Rule {
                failures: 10,
                window_ms: 5 * 60_000,
                block_ms: quarter_hour,
            },
            trust_ms: 2 * 3_600_000,
            rate_per_sec: 200,
            burst: 400,
            max_sources: 16_384,
            max_accounts: 8_192,
            max_rate_sources: 16_384,
        }
    }
}

impl Settings {
    /// The most bytes the guard's tables can take: hash tables at most twice their first
    /// size (hashbrown may double once under churn), deadline queues at most twice their
    /// length, account names of [`MAX_NAME`] bytes. The guard itself adds a few hundred.
    pub fn memory_bound(&self) -> usize {
        table::bound::<IpAddr, Source>(self.max_sources, 0)
            + table::bound::<Arc<str>, Account>(
                self.max_accounts,
                2 * size_of::<usize>() + MAX_NAME,
            )
            + table::bound::<IpAddr, Bucket>(self.max_rate_sources, 0)
    }
}

/// What to do with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Handle it.
    Allow,
    /// Ignore it without an answer: an answer would tell a scanner or guesser something.
    Drop(Reason),
    /// The source sends too fast: answer 503 with `Retry-After` (RFC 3261 §21.5.4),
    /// except to an ACK.
    Reject {
        /// The Retry-After value, seconds: until the source's bucket is half full again.
        retry_after_secs: u32,
    },
}

/// Why a request was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Its User-Agent is a known scanner.
    Scanner,
    /// Its source is blocked after too many wrong digest answers.
    SourceBlocked,
    /// Its account is blocked for this source after too many wrong digest answers.
    AccountBlocked,
    /// Its source sends too fast, and has had its share of 503 answers this second.
    RateLimited,
}

/// Numbers for operators: how many are blocked now, and totals since the start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Sources blocked now.
    pub blocked_sources: usize,
    /// Accounts blocked now (for strangers or at a known source).
    pub blocked_accounts: usize,
    /// Sources tracked for failures or trust now.
    pub tracked_sources: usize,
    /// Accounts tracked now.
    pub tracked_accounts: usize,
    /// Sources with a rate bucket now.
    pub rate_buckets: usize,
    /// Requests dropped for a scanner User-Agent.
    pub dropped_scanner: u64,
    /// Requests dropped because their source was blocked.
    pub dropped_source: u64,
    /// Digest answers dropped because their account was blocked there.
    pub dropped_account: u64,
    /// Requests dropped for their rate, beyond the 503 answers.
    pub dropped_rate: u64,
    /// Requests answered 503 for their rate.
    pub rejected_rate: u64,
    /// Blocks of sources begun.
    pub source_blocks: u64,
    /// Blocks of accounts begun.
    pub account_blocks: u64,
    /// Live entries evicted from a full table.
    pub evicted: u64,
}

/// Failures in the current window and the block they led to.
#[derive(Debug, Clone, Copy)]
struct Strikes {
    count: u32,
    window_end: i64,
    blocked_until: i64,
}

impl Strikes {
    const NONE: Strikes = Strikes {
        count: 0,
        window_end: i64::MIN,
        blocked_until: i64::MIN,
    };

    fn blocked(&self, now: i64) -> bool {
        now < self.blocked_until
    }

    /// Counts a failure; true when it begins a block.
    fn strike(&mut self, now: i64, rule: Rule) -> bool {
        if rule.failures == 0 || self.blocked(now) {
            return false;
        }
        if now >= self.window_end {
            self.count = 0;
            self.window_end = now.saturating_add(rule.window_ms);
        }
        self.count += 1;
        if self.count < rule.failures {
            return false;
        }
        *self = Strikes::NONE;
        self.blocked_until = now.saturating_add(rule.block_ms);
        true
    }

    /// When this is as good as no failures at all.
    fn expires(&self) -> i64 {
        let window = if self.count > 0 {
            self.window_end
        } else {
            i64::MIN
        };
        window.max(self.blocked_until)
    }
}

#[derive(Debug, Clone, Copy)]
struct Source {
    strikes: Strikes,
    trusted_until: i64,
}

impl Source {
    const NEW: Source = Source {
        strikes: Strikes::NONE,
        trusted_until: i64::MIN,
    };
}

impl Expiring for Source {
    fn expires(&self) -> i64 {
        self.strikes.expires().max(self.trusted_until)
    }
    fn precious(&self, now: i64) -> bool {
        self.strikes.blocked(now) || now < self.trusted_until
    }
}

#[derive(Debug, Clone, Copy)]
struct Account {
    /// Failures from sources where the account has not logged in lately.
    strangers: Strikes,
    /// Failures from `known_from`.
    known: Strikes,
    /// The last two sources it logged in from, the latest first.
    known_from: [Option<IpAddr>; 2],
    known_until: i64,
}

impl Account {
    const NEW: Account = Account {
        strangers: Strikes::NONE,
        known: Strikes::NONE,
        known_from: [None, None],
        known_until: i64::MIN,
    };

    /// Whether it logged in from `source` lately.
    fn knows(&self, now: i64, source: IpAddr) -> bool {
        now < self.known_until && self.known_from.contains(&Some(source))
    }

    /// The count that failures from `source` go to.
    fn lane(&mut self, now: i64, source: IpAddr) -> &mut Strikes {
        if self.knows(now, source) {
            &mut self.known
        } else {
            &mut self.strangers
        }
    }
}

impl Expiring for Account {
    fn expires(&self) -> i64 {
        let strikes = self.strangers.expires().max(self.known.expires());
        strikes.max(self.known_until)
    }
    fn precious(&self, now: i64) -> bool {
        self.strangers.blocked(now) || self.known.blocked(now) || now < self.known_until
    }
}

/// A token bucket in thousandths of a request (integer arithmetic, no drift).
#[derive(Debug, Clone, Copy)]
struct Bucket {
    milli: u64,
    at: i64,
    full_at: i64,
    /// The second (`now / 1000`) of `rejects`.
    second: i64,
    rejects: u32,
}

impl Expiring for Bucket {
    fn expires(&self) -> i64 {
        self.full_at
    }
    fn precious(&self, _now: i64) -> bool {
        false
    }
}

/// The protection policy: scanner drops, failure blocks and rate limits, with its state.
#[derive(Debug)]
pub struct Guard {
    settings: Settings,
    sources: Table<IpAddr, Source>,
    accounts: Table<Arc<str>, Account>,
    buckets: Table<IpAddr, Bucket>,
    retry_after_secs: u32,
    counts: Counters,
}

impl Guard {
    /// A guard with no history.
    pub fn new(settings: Settings) -> Guard {
        let rate = u64::from(settings.rate_per_sec.max(1));
        let half_burst = u64::from(settings.burst.max(1)).div_ceil(2);
        Guard {
            sources: Table::new(settings.max_sources),
            accounts: Table::new(settings.max_accounts),
            buckets: Table::new(settings.max_rate_sources),
            retry_after_secs: u32::try_from(half_burst.div_ceil(rate)).unwrap_or(u32::MAX),
            counts: Counters::default(),
            settings,
        }
    }

    /// The settings in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// A request arrived from `source` (call it for requests, not responses, before the
    /// transaction layer). Drops scanners and blocked sources, then takes a token from
    /// the source's bucket; when it is empty, up to `rate_per_sec` requests a second get
    /// [`Decision::Reject`] and the rest are dropped, so a flood never earns more answers
    /// than it gets requests through.
    pub fn handle_request(
        &mut self,
        now: i64,
        source: IpAddr,
        user_agent: Option<&[u8]>,
    ) -> Decision {
        if user_agent.is_some_and(is_scanner) {
            self.counts.dropped_scanner += 1;
            return Decision::Drop(Reason::Scanner);
        }
        let key = source_key(source);
        self.sources.prune(now);
        if self
            .sources
            .get(&key)
            .is_some_and(|s| s.strikes.blocked(now))
        {
            self.counts.dropped_source += 1;
            return Decision::Drop(Reason::SourceBlocked);
        }
        self.take_token(now, key)
    }

    fn take_token(&mut self, now: i64, key: IpAddr) -> Decision {
        let rate = self.settings.rate_per_sec;
        if rate == 0 {
            return Decision::Allow;
        }
        // Tokens in thousandths: a second refills `rate` tokens, so a millisecond `rate`.
        let per_ms = u64::from(rate);
        let full = u64::from(self.settings.burst.max(1)) * 1000;
        let fresh = Bucket {
            milli: full,
            at: now,
            full_at: now,
            second: i64::MIN,
            rejects: 0,
        };
        let evicted = &mut self.counts.evicted;
        let bucket = self.buckets.touch(now, &key, || key, fresh, evicted);
        let elapsed = u64::try_from(now.saturating_sub(bucket.at)).unwrap_or(0);
        bucket.milli = full.min(bucket.milli.saturating_add(elapsed.saturating_mul(per_ms)));
        bucket.at = bucket.at.max(now);
        let decision = if bucket.milli >= 1000 {
            bucket.milli -= 1000;
            Decision::Allow
        } else {
            let second = now.div_euclid(1000);
            if bucket.second != second {
                (bucket.second, bucket.rejects) = (second, 0);
            }
            if bucket.rejects < rate {
                bucket.rejects += 1;
                Decision::Reject {
                    retry_after_secs: self.retry_after_secs,
                }
            } else {
                Decision::Drop(Reason::RateLimited)
            }
        };
        let refill_ms = (full - bucket.milli).div_ceil(per_ms);
        bucket.full_at = bucket
            .at
            .saturating_add(i64::try_from(refill_ms).unwrap_or(i64::MAX));
        match decision {
            Decision::Reject { .. } => self.counts.rejected_rate += 1,
            Decision::Drop(_) => self.counts.dropped_rate += 1,
            Decision::Allow => {}
        }
        decision
    }

    /// A request from `source` carries a digest answer for `account`: call before checking
    /// it. [`Decision::Drop`] when the account is blocked for this source (do not check,
    /// do not answer); otherwise [`Decision::Allow`].
    pub fn check_account(&mut self, now: i64, source: IpAddr, account: &str) -> Decision {
        let key = source_key(source);
        let blocked = self.accounts.get(account).is_some_and(|a| {
            let lane = if a.knows(now, key) {
                &a.known
            } else {
                &a.strangers
            };
            lane.blocked(now)
        });
        if blocked {
            self.counts.dropped_account += 1;
            return Decision::Drop(Reason::AccountBlocked);
        }
        Decision::Allow
    }

    /// A digest answer from `source` was wrong (`sip::digest::Verdict::WrongAnswer`, not a
    /// stale or forged nonce: after a restart every phone presents one). Pass the account
    /// only when it exists: names made up by a scanner count against the source alone.
    pub fn record_failure(&mut self, now: i64, source: IpAddr, account: Option<&str>) {
        let key = source_key(source);
        let evicted = &mut self.counts.evicted;
        let entry = self.sources.touch(now, &key, || key, Source::NEW, evicted);
        let mut rule = self.settings.source;
        if now < entry.trusted_until {
            rule.failures = self.settings.trusted_source_failures;
        }
        if entry.strikes.strike(now, rule) {
            self.counts.source_blocks += 1;
        }
        let Some(name) = account.filter(|n| n.len() <= MAX_NAME) else {
            return;
        };
        let evicted = &mut self.counts.evicted;
        let entry = self
            .accounts
            .touch(now, name, || Arc::from(name), Account::NEW, evicted);
        if entry.lane(now, key).strike(now, self.settings.account) {
            self.counts.account_blocks += 1;
        }
    }

    /// A digest answer from `source` for `account` was right: the source becomes trusted
    /// and a known source of the account, whose own count starts again. Failures of
    /// strangers stay counted.
    pub fn record_success(&mut self, now: i64, source: IpAddr, account: &str) {
        if self.settings.trust_ms <= 0 {
            return;
        }
        let key = source_key(source);
        let until = now.saturating_add(self.settings.trust_ms);
        let evicted = &mut self.counts.evicted;
        let entry = self.sources.touch(now, &key, || key, Source::NEW, evicted);
        entry.trusted_until = entry.trusted_until.max(until);
        if account.len() > MAX_NAME {
            return;
        }
        let evicted = &mut self.counts.evicted;
        let entry = self
            .accounts
            .touch(now, account, || Arc::from(account), Account::NEW, evicted);
        if entry.known.blocked(now) && !entry.knows(now, key) {
            // Guessing at its known sources blocked them; the new place stays a stranger
            // rather than joining them in the block.
            return;
        }
        if entry.known_from[0] != Some(key) {
            entry.known_from = [Some(key), entry.known_from[0]];
        }
        entry.known_until = entry.known_until.max(until);
        if !entry.known.blocked(now) {
            entry.known = Strikes::NONE;
        }
    }

    /// Lifts a source's block and forgets its failures (an operator's decision).
    pub fn unblock_source(&mut self, source: IpAddr) {
        if let Some(entry) = self.sources.map.get_mut(&source_key(source)) {
            entry.strikes = Strikes::NONE;
        }
    }

    /// Lifts an account's blocks and forgets its failures (an operator's decision).
    pub fn unblock_account(&mut self, account: &str) {
        if let Some(entry) = self.accounts.map.get_mut(account) {
            (entry.strangers, entry.known) = (Strikes::NONE, Strikes::NONE);
        }
    }

    /// The counters. Counting what is blocked now walks the tables: for an operator's
    /// page or a metrics scrape, not for every request.
    pub fn counters(&self, now: i64) -> Counters {
        let sources = self.sources.map.values();
        let accounts = self.accounts.map.values();
        Counters {
            blocked_sources: sources.filter(|s| s.strikes.blocked(now)).count(),
            blocked_accounts: accounts
                .filter(|a| a.strangers.blocked(now) || a.known.blocked(now))
                .count(),
            tracked_sources: self.sources.map.len(),
            tracked_accounts: self.accounts.map.len(),
            rate_buckets: self.buckets.map.len(),
            ..self.counts
        }
    }
}
