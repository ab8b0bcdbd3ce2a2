//! The gate every request passes before a part of the switch sees it: the protection's
//! first look (scanners dropped, floods answered 503, see [`crate::protection`]) and the
//! digest check of every request from a device (RFC 3261 §22, RFC 7616), which answers
//! the challenges itself. What passes the check is the device's [`Account`]: a part that
//! gets one knows the request was authenticated.

use crate::accounts::Account;
use crate::context::Context;
use crate::flow::Flow;
use crate::protection::{Decision, Guard, Reason};
use crate::settings::Settings;
use crate::wire::Wire;
use bytes::Bytes;
use sip::digest::{Authenticator, Credentials, NonceCounts, NonceKey, Verdict};
use sip::transaction::Key;
use sip::{HeaderName, Message, Method};

/// A HA1 no password produces (answers for unknown users are checked against it, so they
/// take as long as for known ones and fail the same way).
const NOBODY: &str = "00000000000000000000000000000000";

/// Live nonces whose counts are tracked (RFC 7616 §3.4), at most.
const NONCES: usize = 100_000;

/// Which side authenticates: the registrar (401) or the proxy (407).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Challenger {
    Registrar,
    Proxy,
}

impl Challenger {
    fn answer_header(self) -> HeaderName {
        match self {
            Challenger::Registrar => HeaderName::Authorization,
            Challenger::Proxy => HeaderName::ProxyAuthorization,
        }
    }
}

/// Identifies a request for the nonce-count check: its top Via branch and sent-by.
fn request_id(key: &Key) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.branch.hash(&mut h);
    key.sent_by.hash(&mut h);
    h.finish()
}

/// Protection and digest checks.
#[derive(Debug)]
pub(crate) struct Gate {
    auth: Authenticator,
    counts: NonceCounts,
    guard: Guard,
    nonces_issued: u64,
    offer_sha256: bool,
    sha256_first: bool,
}

impl Gate {
    /// For the realm and protection of `settings`, nonces signed with `key`.
    pub(crate) fn new(settings: &Settings, key: NonceKey) -> Gate {
        let lifetime = settings.nonce_lifetime_secs;
        Gate {
            auth: Authenticator::new(settings.domain.clone(), key, lifetime),
            counts: NonceCounts::new(NONCES),
            guard: Guard::new(settings.protection.clone()),
            nonces_issued: 0,
            offer_sha256: settings.offer_sha256,
            sha256_first: settings.sha256_first,
        }
    }

    /// The protection's first look at a request: scanners and blocked sources are
    /// dropped, a source over its rate hears 503 with Retry-After. Local processes
    /// (loopback: the admin's tools, a load test, a co-located SBC) are not rate-limited,
    /// except over WebSocket. `false` when the request goes no further.
    pub(crate) fn admit(
        &mut self,
        now: i64,
        wire: &mut Wire,
        flow: Flow,
        request: &Message,
    ) -> bool {
        let user_agent = request.header(&HeaderName::UserAgent).map(|v| &v[..]);
        let decision = if flow.is_local_process() {
            match user_agent.is_some_and(crate::protection::is_scanner) {
                true => Decision::Drop(Reason::Scanner),
                false => Decision::Allow,
            }
        } else {
            self.guard.handle_request(now, flow.addr.ip(), user_agent)
        };
        match decision {
            Decision::Allow => true,
            Decision::Drop(_) => false,
            Decision::Reject { retry_after_secs } => {
                if request.method() != Some(&Method::Ack) {
                    let mut reply = request.response(503, "Service Unavailable", None);
                    let seconds = Bytes::from(retry_after_secs.to_string());
                    reply.push(HeaderName::RetryAfter, seconds);
                    wire.send(flow, &reply);
                }
                false
            }
        }
    }

    /// Checks the digest answer of a request from a device. On success returns the
    /// device's account; otherwise it has answered (challenge or 403) and returns `None`.
    pub(crate) fn check<'a>(
        &mut self,
        cx: &mut Context<'a>,
        key: &Key,
        request: &Message,
        side: Challenger,
        peer: Flow,
    ) -> Option<&'a Account> {
        let now = cx.now;
        let credentials = request
            .header_lines(&side.answer_header())
            .filter_map(|line| Credentials::parse(line).ok())
            .find(|c| c.realm == self.auth.realm());
        let Some(credentials) = credentials else {
            self.challenge(cx, key, request, side, false);
            return None;
        };
        // Guessing protection (local processes are trusted): a blocked account or source
        // hears nothing.
        let source = (!peer.is_local_process()).then_some(peer.addr.ip());
        if let Some(ip) = source {
            if let Decision::Drop(_) = self.guard.check_account(now, ip, &credentials.username) {
                cx.wire.abandon(key);
                return None;
            }
        }
        let account = cx.accounts.get(&credentials.username);
        let ha1 = account
            .map(|a| a.ha1(credentials.algorithm))
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| NOBODY.to_owned());
        let method = request.method()?;
        let now_secs = u64::try_from(now / 1000).unwrap_or(0);
        // The registrar answers statelessly: the same REGISTER again (its answer was
        // lost) must pass as itself, not as a replay. Others keep their transactions.
        let request_id = (side == Challenger::Registrar).then(|| request_id(key));
        let counts = &mut self.counts;
        match self
            .auth
            .verify_request(now_secs, counts, method, &credentials, &ha1, request_id)
        {
            Verdict::Ok(_) => {
                if let Some(ip) = source {
                    self.guard.record_success(now, ip, &credentials.username);
                }
            }
            Verdict::Stale | Verdict::Replay => {
                self.challenge(cx, key, request, side, true);
                return None;
            }
            Verdict::WrongAnswer => {
                if let Some(ip) = source {
                    // Only names that exist count against an account (made-up ones
                    // would fill the table); every wrong answer counts for the source.
                    let name = account.map(|a| a.sip_username.as_str());
                    self.guard.record_failure(now, ip, name);
                }
                self.challenge(cx, key, request, side, false);
                return None;
            }
            // A nonce of another start or a malformed answer: not a guess (after a
            // restart every phone presents one).
            Verdict::Invalid(_) => {
                self.challenge(cx, key, request, side, false);
                return None;
            }
        }
        let account = account?;
        if !account.enabled {
            let reason = "Forbidden (telephony is not enabled for this person)";
            cx.wire.reply_status(now, key, request, 403, reason);
            return None;
        }
        Some(account)
    }

    fn challenge(
        &mut self,
        cx: &mut Context<'_>,
        key: &Key,
        request: &Message,
        side: Challenger,
        stale: bool,
    ) {
        let (code, reason, header) = match side {
            Challenger::Registrar => (401, "Unauthorized", HeaderName::WwwAuthenticate),
            Challenger::Proxy => (
                407,
                "Proxy Authentication Required",
                HeaderName::ProxyAuthenticate,
            ),
        };
        // A counter: unique, and in issue order for the nonce-count table's eviction.
        self.nonces_issued += 1;
        let salt = self.nonces_issued;
        let now_secs = u64::try_from(cx.now / 1000).unwrap_or(0);
        let mut reply = request.response(code, reason, Some(&cx.wire.tag()));
        // [SHA-256, MD5]; many phones (and sipp) answer the first challenge and give up
        // on SHA-256, and some old ones fail on a second challenge altogether.
        let [sha256, md5] = self.auth.challenge_values(now_secs, salt, stale);
        let offered = match (self.offer_sha256, self.sha256_first) {
            (false, _) => vec![md5],
            (true, true) => vec![sha256, md5],
            (true, false) => vec![md5, sha256],
        };
        for challenge in offered {
            reply.push(header.clone(), challenge);
        }
        // Stateless for all but INVITE: a lost challenge costs the phone a retransmission.
        cx.wire.reply_once(cx.now, key, &reply);
    }
}
