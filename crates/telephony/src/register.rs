//! REGISTER (RFC 3261 §10.3) and the digest check every device request passes
//! (RFC 3261 §22): who may register which address, and when the phone hears back.

use crate::accounts::Account;
use crate::flow::Flow;
use crate::headers;
use crate::protection::Decision;
use crate::switch::{Notice, Switch};
use bytes::Bytes;
use sip::digest::{Credentials, Verdict};
use sip::name_addr::NameAddr;
use sip::registrar::RegisterError;
use sip::transaction::Key;
use sip::uri::Uri;
use sip::{HeaderName, Message, StartLine};

/// A HA1 no password produces (answers for unknown users are checked against it, so they
/// take as long as for known ones and fail the same way).
const NOBODY: &str = "00000000000000000000000000000000";

/// Identifies a request for the nonce-count check: its top Via branch and sent-by.
fn request_id(key: &Key) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.branch.hash(&mut h);
    key.sent_by.hash(&mut h);
    h.finish()
}

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

impl Switch {
    pub(crate) fn on_register(&mut self, now: i64, key: Key, request: Message, peer: Flow) {
        let StartLine::Request { uri, .. } = &request.start else {
            return;
        };
        if !Uri::parse(uri).is_ok_and(|u| self.local.serves(&u)) {
            self.reply_status(now, &key, &request, 404, "Not Found (unknown domain)");
            return;
        }
        let Some(account) = self.authenticate(now, &key, &request, Challenger::Registrar, peer)
        else {
            return;
        };
        // RFC 3261 §10.3 step 5: the authenticated device registers its own address (the
        // device name or its person's extension), never someone else's.
        let to_user = request
            .header(&HeaderName::To)
            .and_then(|v| NameAddr::parse(v).ok())
            .and_then(|n| Uri::parse(&n.uri).ok())
            .and_then(|u| headers::uri_user(&u));
        if !to_user
            .as_deref()
            .is_some_and(|u| u == account.sip_username || u == account.extension)
        {
            let reason = "Forbidden (a device registers only its own address)";
            self.reply_status(now, &key, &request, 403, reason);
            return;
        }
        let change =
            match self
                .registrar
                .handle_register(now, &account.sip_username, &request, peer)
            {
                Ok(change) => change,
                Err(error) => {
                    let mut reply =
                        request.response(error.status(), &error.to_string(), Some(&self.tag()));
                    if let RegisterError::TooBrief { min } = error {
                        reply.push(HeaderName::MinExpires, Bytes::from(min.to_string()));
                    }
                    self.reply_once(now, &key, &reply);
                    return;
                }
            };
        let mut reply = request.response(200, "OK", Some(&self.tag()));
        for contact in self.registrar.contact_values(now, &account.sip_username) {
            reply.push(HeaderName::Contact, contact);
        }
        if change.added.is_empty() && change.removed.is_empty() {
            self.reply_once(now, &key, &reply);
            return;
        }
        if !change.added.is_empty() && peer.transport.reliable() {
            let user = account.sip_username.clone();
            self.connections.entry(peer).or_default().insert(user);
        }
        let ticket = self.ticket();
        let pending = crate::switch::PendingSave {
            key,
            reply,
            user: account.sip_username.clone(),
            added: change.added.iter().map(|b| b.contact.clone()).collect(),
        };
        self.pending_saves.insert(ticket, pending);
        self.notices.push_back(Notice::Save {
            ticket,
            device_id: account.device_id,
            added: change.added,
            removed: change.removed,
        });
        self.update_online_of(account.person_id, &account.extension);
    }

    /// Checks the digest answer of a request from a device. On success returns the
    /// device's account; otherwise it has answered (challenge or 403) and returns `None`.
    pub(crate) fn authenticate(
        &mut self,
        now: i64,
        key: &Key,
        request: &Message,
        side: Challenger,
        peer: Flow,
    ) -> Option<Account> {
        let realm = self.auth.realm().to_owned();
        let credentials = request
            .header_lines(&side.answer_header())
            .filter_map(|line| Credentials::parse(line).ok())
            .find(|c| c.realm == realm);
        let Some(credentials) = credentials else {
            self.challenge(now, key, request, side, false);
            return None;
        };
        // Guessing protection (local processes are trusted): a blocked account or source
        // hears nothing.
        let source = (!peer.is_local_process()).then_some(peer.addr.ip());
        if let Some(ip) = source {
            if let Decision::Drop(_) = self.guard.check_account(now, ip, &credentials.username) {
                self.tx.abandon(key);
                return None;
            }
        }
        let account = self.accounts.get(&credentials.username).cloned();
        let ha1 = account
            .as_ref()
            .map(|a| a.ha1(credentials.algorithm))
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| NOBODY.to_owned());
        let method = request.method().cloned()?;
        let now_secs = u64::try_from(now / 1000).unwrap_or(0);
        // The registrar answers statelessly: the same REGISTER again (its answer was
        // lost) must pass as itself, not as a replay. Others keep their transactions.
        let request_id = (side == Challenger::Registrar).then(|| request_id(key));
        let counts = &mut self.counts;
        match self
            .auth
            .verify_request(now_secs, counts, &method, &credentials, &ha1, request_id)
        {
            Verdict::Ok(_) => {
                if let Some(ip) = source {
                    self.guard.record_success(now, ip, &credentials.username);
                }
            }
            Verdict::Stale | Verdict::Replay => {
                self.challenge(now, key, request, side, true);
                return None;
            }
            Verdict::WrongAnswer => {
                if let Some(ip) = source {
                    // Only names that exist count against an account (made-up ones
                    // would fill the table); every wrong answer counts for the source.
                    let name = account.as_ref().map(|a| a.sip_username.as_str());
                    self.guard.record_failure(now, ip, name);
                }
                self.challenge(now, key, request, side, false);
                return None;
            }
            // A nonce of another start or a malformed answer: not a guess (after a
            // restart every phone presents one).
            Verdict::Invalid(_) => {
                self.challenge(now, key, request, side, false);
                return None;
            }
        }
        let account = account?;
        if !account.enabled {
            let reason = "Forbidden (telephony is not enabled for this person)";
            self.reply_status(now, key, request, 403, reason);
            return None;
        }
        Some(account)
    }

    fn challenge(&mut self, now: i64, key: &Key, request: &Message, side: Challenger, stale: bool) {
        let (code, reason, header) = match side {
            Challenger::Registrar => (401, "Unauthorized", HeaderName::WwwAuthenticate),
            Challenger::Proxy => (
                407,
                "Proxy Authentication Required",
                HeaderName::ProxyAuthenticate,
            ),
        };
        // A counter: unique, and in issue order for the nonce-count table's eviction.
        let salt = self.next_nonce();
        let now_secs = u64::try_from(now / 1000).unwrap_or(0);
        let mut reply = request.response(code, reason, Some(&self.tag()));
        // [SHA-256, MD5]; many phones (and sipp) answer the first challenge and give up
        // on SHA-256, and some old ones fail on a second challenge altogether.
        let [sha256, md5] = self.auth.challenge_values(now_secs, salt, stale);
        let offered = match (self.settings.offer_sha256, self.settings.sha256_first) {
            (false, _) => vec![md5],
            (true, true) => vec![sha256, md5],
            (true, false) => vec![md5, sha256],
        };
        for challenge in offered {
            reply.push(header.clone(), challenge);
        }
        // Stateless for all but INVITE: a lost challenge costs the phone a retransmission.
        self.reply_once(now, key, &reply);
    }
}
