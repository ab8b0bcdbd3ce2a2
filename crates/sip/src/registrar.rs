//! Registrar bindings (RFC 3261 §10.3, RFC 5626 §6): which contacts an extension's devices
//! registered, until when, and over which flow. Pure: a REGISTER's parsed parts, the flow
//! it came over and the time go in; the new binding list, or the reason to refuse, comes
//! out; expiries are deadlines.
//!
//! Laid out for 100,000 registered devices: each address of record once in a `Vec`, found
//! through [`HashTable`]s of `u32` positions (by name, and by contact for requests that
//! come back to a registered contact); deadlines are (time, position) pairs. The flow
//! lives inside its binding, so no second table maps contacts to flows.

use crate::header_name::HeaderName;
use crate::message::Message;
use crate::name_addr::NameAddr;
use crate::params::unquote;
use bytes::Bytes;
use hashbrown::HashTable;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hash::{BuildHasher, RandomState};

/// Limits of the registrar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Shortest registration accepted, seconds (shorter: 423 with Min-Expires).
    pub min_expires: u32,
    /// Longest registration granted, seconds (longer is shortened).
    pub max_expires: u32,
    /// Default when the phone names none (RFC 3261 §10.3 step 7: 3600).
    pub default_expires: u32,
    /// Most contacts per extension (a REGISTER that would exceed it gets 403).
    pub max_contacts: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            min_expires: 60,
            max_expires: 3600,
            default_expires: 3600,
            max_contacts: 10,
        }
    }
}

/// One registered contact of an extension. `F` is where its REGISTER came from (the
/// shell's flow: transport and address): requests for the contact go back that way,
/// through NATs and over the phone's TCP connection.
///
/// The texts are boxed copies, not `Bytes` slices of the datagram: bindings live for
/// hours, and a `Bytes` is twice the size and allocates again when cloned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding<F = ()> {
    /// The Contact URI as the device sent it.
    pub contact: Box<[u8]>,
    /// RFC 5626 `+sip.instance` (without quotes), identifying the device across restarts.
    pub instance: Option<Box<[u8]>>,
    /// Call-ID of the REGISTER that made it.
    pub call_id: Box<[u8]>,
    /// Its CSeq number.
    pub cseq: u32,
    /// Unix milliseconds when it ends.
    pub expires_at: i64,
    /// Where its REGISTER came from.
    pub flow: F,
}

/// Why a REGISTER is refused (status code and reason per RFC 3261 §10.3).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegisterError {
    /// `Contact: *` with other contacts or a non-zero Expires (400).
    #[error("Contact * needs Expires: 0 and no other contact")]
    BadWildcard,
    /// A Contact or Expires value that does not parse (400).
    #[error("malformed Contact or Expires")]
    Malformed,
    /// Shorter than the minimum (423, with Min-Expires).
    #[error("interval too brief")]
    TooBrief {
        /// The minimum, for the Min-Expires header.
        min: u32,
    },
    /// An older REGISTER of the same Call-ID arrived late (RFC 3261 §10.3 step 7: 500).
    #[error("out-of-order REGISTER")]
    OutOfOrder,
    /// More contacts than allowed (403).
    #[error("too many registered devices")]
    TooMany,
}

impl RegisterError {
    /// Status code for the answer.
    pub fn status(&self) -> u16 {
        match self {
            RegisterError::BadWildcard | RegisterError::Malformed => 400,
            RegisterError::TooBrief { .. } => 423,
            RegisterError::OutOfOrder => 500,
            RegisterError::TooMany => 403,
        }
    }
}

/// What changed for one extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change<F = ()> {
    /// Contacts added or refreshed.
    pub added: Vec<Binding<F>>,
    /// Contacts removed (unregistered or replaced by the same instance).
    pub removed: Vec<Binding<F>>,
}

impl<F> Default for Change<F> {
    fn default() -> Self {
        Change {
            added: Vec::new(),
            removed: Vec::new(),
        }
    }
}

/// An address of record with bindings (an empty name: a free slot).
#[derive(Debug)]
struct Aor<F> {
    name: Box<str>,
    bindings: Vec<Binding<F>>,
}

/// Every extension's bindings.
#[derive(Debug)]
pub struct Registrar<F = ()> {
    limits: Limits,
    /// Addresses of record with at least one binding, and free slots.
    aors: Vec<Aor<F>>,
    free: Vec<u32>,
    /// Positions in `aors` by the hash of the name.
    by_name: HashTable<u32>,
    /// (32 bits of the contact's hash, position in `aors`): one entry per binding. The
    /// hash is kept because an extension's several contacts hash differently.
    by_contact: HashTable<(u32, u32)>,
    /// When a binding of an address of record ends (an entry stays after a refresh or a
    /// removal until its time comes, and then finds nothing to do).
    deadlines: BinaryHeap<Reverse<(i64, u32)>>,
    hasher: RandomState,
}

impl<F> Default for Registrar<F> {
    fn default() -> Self {
        Registrar::new(Limits::default())
    }
}

struct Requested {
    contact: Box<[u8]>,
    instance: Option<Box<[u8]>>,
    seconds: u32,
}

impl<F> Registrar<F> {
    /// Empty, with these limits.
    pub fn new(limits: Limits) -> Registrar<F> {
        Registrar {
            limits,
            aors: Vec::new(),
            free: Vec::new(),
            by_name: HashTable::new(),
            by_contact: HashTable::new(),
            deadlines: BinaryHeap::new(),
            hasher: RandomState::new(),
        }
    }
}

impl<F: Clone> Registrar<F> {
    fn position(&self, extension: &str) -> Option<u32> {
        let aors = &self.aors;
        self.by_name
            .find(self.hasher.hash_one(extension), |&i| {
                &*aors[i as usize].name == extension
            })
            .copied()
    }

    /// The current bindings of an extension.
    pub fn bindings(&self, extension: &str) -> &[Binding<F>] {
        self.position(extension)
            .map_or(&[], |i| &self.aors[i as usize].bindings)
    }

    /// The binding whose contact URI is `contact` (a request sent back to a registered
    /// contact), if any.
    pub fn find_contact(&self, contact: &[u8]) -> Option<&Binding<F>> {
        let aors = &self.aors;
        let found = |i: u32| {
            aors[i as usize]
                .bindings
                .iter()
                .find(|b| *b.contact == *contact)
        };
        let hash = self.contact_hash(contact);
        self.by_contact
            .find(spread(hash), |&(h, i)| h == hash && found(i).is_some())
            .and_then(|&(_, i)| found(i))
    }

    /// Restores a stored binding (at start-up).
    pub fn restore(&mut self, extension: &str, binding: Binding<F>) {
        let at = self.aor(extension);
        self.deadlines.push(Reverse((binding.expires_at, at)));
        self.index_contact(at, &binding.contact);
        self.aors[at as usize].bindings.push(binding);
    }

    /// Total bindings.
    pub fn len(&self) -> usize {
        self.aors.iter().map(|a| a.bindings.len()).sum()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    /// Applies an authenticated REGISTER for `extension` that came over `flow` (RFC 3261
    /// §10.3 steps 6–8). A REGISTER without Contact only asks for the current bindings.
    pub fn handle_register(
        &mut self,
        now_ms: i64,
        extension: &str,
        request: &Message,
        flow: F,
    ) -> Result<Change<F>, RegisterError> {
        let call_id: Box<[u8]> = request
            .header(&HeaderName::CallId)
            .map(|v| Box::from(&v[..]))
            .unwrap_or_default();
        let cseq = request
            .header(&HeaderName::CSeq)
            .and_then(crate::cseq::CSeq::parse)
            .ok_or(RegisterError::Malformed)?
            .seq;
        let default = match request.header(&HeaderName::Expires) {
            Some(v) => parse_seconds(v).ok_or(RegisterError::Malformed)?,
            None => self.limits.default_expires,
        };
        let contacts = request.header_values(&HeaderName::Contact);
        if contacts.iter().any(|c| &c[..] == b"*") {
            if contacts.len() != 1 || default != 0 {
                return Err(RegisterError::BadWildcard);
            }
            if self
                .bindings(extension)
                .iter()
                .any(|b| b.call_id == call_id && b.cseq >= cseq)
            {
                return Err(RegisterError::OutOfOrder);
            }
            return Ok(Change {
                added: Vec::new(),
                removed: self.remove(extension),
            });
        }
        let mut requested = Vec::new();
        for c in &contacts {
            let addr = NameAddr::parse(c).map_err(|_| RegisterError::Malformed)?;
            crate::uri::Uri::parse(&addr.uri).map_err(|_| RegisterError::Malformed)?;
            let seconds = match addr.param("expires") {
                Some(Some(v)) => parse_seconds(v).ok_or(RegisterError::Malformed)?,
                Some(None) => return Err(RegisterError::Malformed),
                None => default,
            };
            if seconds != 0 && seconds < self.limits.min_expires {
                return Err(RegisterError::TooBrief {
                    min: self.limits.min_expires,
                });
            }
            let instance = addr
                .param("+sip.instance")
                .flatten()
                .map(|v| Box::from(unquote(v)));
            requested.push(Requested {
                contact: Box::from(&addr.uri[..]),
                instance,
                seconds: seconds.min(self.limits.max_expires),
            });
        }
        let mut next = self.bindings(extension).to_vec();
        let mut change = Change::default();
        for r in requested {
            // RFC 5626 §6: a contact with the same instance replaces the old one, whatever
            // its URI (a phone that changed its address); otherwise the URI identifies it.
            let same = |b: &Binding<F>| match (&r.instance, &b.instance) {
                (Some(a), Some(b2)) => a == b2,
                _ => b.contact == r.contact,
            };
            if let Some(old) = next.iter().find(|b| same(b)) {
                if old.call_id == call_id && old.cseq == cseq && old.contact == r.contact {
                    // The very request that made it, again: a retransmission whose
                    // answer was lost (a stateless registrar sees it). Nothing changes.
                    continue;
                }
                if old.call_id == call_id && old.cseq >= cseq {
                    return Err(RegisterError::OutOfOrder);
                }
            }
            let (gone, kept): (Vec<Binding<F>>, Vec<Binding<F>>) =
                next.into_iter().partition(|b| same(b));
            next = kept;
            change.removed.extend(
                gone.into_iter()
                    .filter(|g| g.contact != r.contact || r.seconds == 0),
            );
            if r.seconds > 0 {
                let b = Binding {
                    contact: r.contact,
                    instance: r.instance,
                    call_id: call_id.clone(),
                    cseq,
                    expires_at: now_ms + i64::from(r.seconds) * 1000,
                    flow: flow.clone(),
                };
                change.added.push(b.clone());
                next.push(b);
            }
        }
        if next.len() > self.limits.max_contacts {
            return Err(RegisterError::TooMany);
        }
        if change.added.is_empty() && change.removed.is_empty() {
            return Ok(change);
        }
        // The extension keeps its slot while it has bindings, so the deadlines of the
        // bindings kept stay valid; only the added ones need theirs.
        let at = self.aor(extension);
        for b in std::mem::take(&mut self.aors[at as usize].bindings) {
            self.unindex_contact(at, &b.contact);
        }
        for b in &next {
            self.index_contact(at, &b.contact);
        }
        for b in &change.added {
            self.deadlines.push(Reverse((b.expires_at, at)));
        }
        if next.is_empty() {
            self.free_aor(at);
        } else {
            // Most devices hold one binding for hours: no room for four.
            next.shrink_to_fit();
            self.aors[at as usize].bindings = next;
        }
        Ok(change)
    }

    /// Removes every binding of `extension` (its device was deleted or disabled).
    pub fn remove(&mut self, extension: &str) -> Vec<Binding<F>> {
        let Some(at) = self.position(extension) else {
            return Vec::new();
        };
        let bindings = std::mem::take(&mut self.aors[at as usize].bindings);
        for b in &bindings {
            self.unindex_contact(at, &b.contact);
        }
        self.free_aor(at);
        bindings
    }

    /// Removes the bindings of `extension` that `gone` picks (their connection ended).
    pub fn remove_where(
        &mut self,
        extension: &str,
        gone: impl Fn(&Binding<F>) -> bool,
    ) -> Vec<Binding<F>> {
        let Some(at) = self.position(extension) else {
            return Vec::new();
        };
        let (removed, kept): (Vec<Binding<F>>, Vec<Binding<F>>) =
            std::mem::take(&mut self.aors[at as usize].bindings)
                .into_iter()
                .partition(|b| gone(b));
        for b in &removed {
            self.unindex_contact(at, &b.contact);
        }
        if kept.is_empty() {
            self.free_aor(at);
        } else {
            self.aors[at as usize].bindings = kept;
        }
        removed
    }

    /// Removes bindings that expired by `now_ms`; returns them per extension.
    pub fn handle_timeout(&mut self, now_ms: i64) -> Vec<(String, Binding<F>)> {
        let mut out = Vec::new();
        while let Some(&Reverse((at, i))) = self.deadlines.peek() {
            if at > now_ms {
                break;
            }
            self.deadlines.pop();
            let aor = &mut self.aors[i as usize];
            if !aor.bindings.iter().any(|b| b.expires_at <= now_ms) {
                continue; // refreshed, removed, or the slot went to another extension
            }
            let (gone, kept): (Vec<Binding<F>>, Vec<Binding<F>>) =
                std::mem::take(&mut aor.bindings)
                    .into_iter()
                    .partition(|b| b.expires_at <= now_ms);
            aor.bindings = kept;
            let name = aor.name.to_string();
            for b in &gone {
                self.unindex_contact(i, &b.contact);
            }
            if self.aors[i as usize].bindings.is_empty() {
                self.free_aor(i);
            }
            out.extend(gone.into_iter().map(|b| (name.clone(), b)));
        }
        out
    }

    /// When [`Registrar::handle_timeout`] has work next (may be early after refreshes).
    pub fn poll_timeout(&self) -> Option<i64> {
        self.deadlines.peek().map(|Reverse((at, _))| *at)
    }

    /// The `Contact` header values of a 200 answer: each binding with its remaining
    /// seconds (RFC 3261 §10.3 step 8).
    pub fn contact_values(&self, now_ms: i64, extension: &str) -> Vec<Bytes> {
        self.bindings(extension)
            .iter()
            .map(|b| {
                let left = ((b.expires_at - now_ms).max(0) + 999) / 1000;
                let mut v = format!("<{}>;expires={left}", String::from_utf8_lossy(&b.contact));
                if let Some(i) = &b.instance {
                    v.push_str(&format!(
                        ";+sip.instance=\"{}\"",
                        String::from_utf8_lossy(i)
                    ));
                }
                Bytes::from(v)
            })
            .collect()
    }

    /// The position of `extension`'s address of record, taking a slot if it has none.
    fn aor(&mut self, extension: &str) -> u32 {
        if let Some(at) = self.position(extension) {
            return at;
        }
        let aor = Aor {
            name: Box::from(extension),
            bindings: Vec::new(),
        };
        let at = match self.free.pop() {
            Some(at) => {
                self.aors[at as usize] = aor;
                at
            }
            None => {
                self.aors.push(aor);
                u32::try_from(self.aors.len() - 1).expect("fewer than 2^32 extensions")
            }
        };
        let (aors, hasher) = (&self.aors, &self.hasher);
        self.by_name
            .insert_unique(hasher.hash_one(extension), at, |&i| {
                hasher.hash_one(&*aors[i as usize].name)
            });
        at
    }

    /// Gives the slot of an address of record without bindings back.
    fn free_aor(&mut self, at: u32) {
        let name = std::mem::take(&mut self.aors[at as usize].name);
        if let Ok(entry) = self
            .by_name
            .find_entry(self.hasher.hash_one(&*name), |&i| i == at)
        {
            entry.remove();
        }
        self.free.push(at);
    }

    fn contact_hash(&self, contact: &[u8]) -> u32 {
        self.hasher.hash_one(contact) as u32
    }

    fn index_contact(&mut self, at: u32, contact: &[u8]) {
        let hash = self.contact_hash(contact);
        self.by_contact
            .insert_unique(spread(hash), (hash, at), |&(h, _)| spread(h));
    }

    fn unindex_contact(&mut self, at: u32, contact: &[u8]) {
        let hash = self.contact_hash(contact);
        if let Ok(entry) = self
            .by_contact
            .find_entry(spread(hash), |&(h, i)| h == hash && i == at)
        {
            entry.remove();
        }
    }
}

/// A kept 32-bit hash as the 64 bits the table wants: the table takes its buckets from
/// the low bits and a tag from the top ones, so all of them have to vary.
fn spread(hash: u32) -> u64 {
    u64::from(hash).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

fn parse_seconds(v: &[u8]) -> Option<u32> {
    let v = std::str::from_utf8(v).ok()?.trim();
    if v.is_empty() || v.len() > 10 || !v.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(v.parse::<u64>().ok()?.min(u64::from(u32::MAX)) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse_datagram;

    fn register(call_id: &str, cseq: u32, extra: &str) -> Message {
        let text = format!(
            "REGISTER sip:pbx.example SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK{cseq}\r\n\
             From: <sip:2401@pbx.example>;tag=r\r\nTo: <sip:2401@pbx.example>\r\nCall-ID: {call_id}\r\n\
             CSeq: {cseq} REGISTER\r\n{extra}Content-Length: 0\r\n\r\n"
        );
        parse_datagram(Bytes::from(text)).unwrap()
    }

    #[test]
    fn register_refresh_unregister_and_expire() {
        let mut r = Registrar::new(Limits::default());
        let c = r
            .handle_register(
                0,
                "2401",
                &register(
                    "a",
                    1,
                    "Contact: <sip:2401@10.0.0.5:5060>\r\nExpires: 120\r\n",
                ),
                (),
            )
            .unwrap();
        assert_eq!(c.added.len(), 1);
        assert_eq!(r.bindings("2401")[0].expires_at, 120_000);
        // The same request again (its 200 was lost): accepted, nothing changes.
        let again = r
            .handle_register(
                5_000,
                "2401",
                &register(
                    "a",
                    1,
                    "Contact: <sip:2401@10.0.0.5:5060>\r\nExpires: 120\r\n",
                ),
                (),
            )
            .unwrap();
        assert_eq!(again, Change::default());
        assert_eq!(r.bindings("2401")[0].expires_at, 120_000);
        // A second device.
        r.handle_register(
            0,
            "2401",
            &register("b", 1, "Contact: <sip:2401@10.0.0.6>;expires=600\r\n"),
            (),
        )
        .unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(
            r.bindings("2401")
                .iter()
                .find(|b| &*b.call_id == b"b")
                .unwrap()
                .expires_at,
            600_000
        );
        // Querying changes nothing; contact_values show the remaining seconds.
        r.handle_register(1_000, "2401", &register("a", 2, ""), ())
            .unwrap();
        assert_eq!(
            r.contact_values(1_000, "2401"),
            vec![
                Bytes::from_static(b"<sip:2401@10.0.0.5:5060>;expires=119"),
                Bytes::from_static(b"<sip:2401@10.0.0.6>;expires=599"),
            ]
        );
        // Too brief; out of order; malformed.
        assert_eq!(
            r.handle_register(
                0,
                "2401",
                &register("a", 3, "Contact: <sip:x@y>;expires=10\r\n"),
                ()
            ),
            Err(RegisterError::TooBrief { min: 60 })
        );
        assert_eq!(
            r.handle_register(
                0,
                "2401",
                &register("a", 0, "Contact: <sip:2401@10.0.0.5:5060>\r\n"),
                ()
            ),
            Err(RegisterError::OutOfOrder)
        );
        assert_eq!(
            r.handle_register(
                0,
                "2401",
                &register("a", 4, "Contact: <sip:x@y>;expires=soon\r\n"),
                ()
            ),
            Err(RegisterError::Malformed)
        );
        // Expiry.
        let gone = r.handle_timeout(120_000);
        assert_eq!(gone.len(), 1);
        assert_eq!(r.len(), 1);
        // Unregister all.
        assert_eq!(
            r.handle_register(0, "2401", &register("c", 1, "Contact: *\r\n"), ()),
            Err(RegisterError::BadWildcard)
        );
        let c = r
            .handle_register(
                0,
                "2401",
                &register("c", 1, "Contact: *\r\nExpires: 0\r\n"),
                (),
            )
            .unwrap();
        assert_eq!(c.removed.len(), 1);
        assert!(r.is_empty());
    }

    #[test]
    fn same_instance_replaces_the_old_contact() {
        let mut r = Registrar::new(Limits::default());
        let inst = "+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\"";
        r.handle_register(
            0,
            "2401",
            &register("a", 1, &format!("Contact: <sip:2401@10.0.0.5>;{inst}\r\n")),
            (),
        )
        .unwrap();
        let c = r
            .handle_register(
                0,
                "2401",
                &register("b", 1, &format!("Contact: <sip:2401@10.9.9.9>;{inst}\r\n")),
                (),
            )
            .unwrap();
        assert_eq!(c.removed.len(), 1);
        assert_eq!(r.len(), 1);
        assert_eq!(&r.bindings("2401")[0].contact[..], b"sip:2401@10.9.9.9");
        assert_eq!(
            r.bindings("2401")[0].instance.as_deref(),
            Some(&b"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"[..])
        );
        let limits = Limits {
            max_contacts: 1,
            ..Limits::default()
        };
        let mut small = Registrar::new(limits);
        small
            .handle_register(0, "1", &register("a", 1, "Contact: <sip:1@a>\r\n"), ())
            .unwrap();
        assert_eq!(
            small.handle_register(0, "1", &register("b", 1, "Contact: <sip:1@b>\r\n"), ()),
            Err(RegisterError::TooMany)
        );
        assert_eq!(small.len(), 1, "a refused REGISTER changes nothing");
    }

    #[test]
    fn contacts_are_found_with_their_flows_through_growth_expiry_and_reuse() {
        let mut r: Registrar<u32> = Registrar::new(Limits::default());
        // 300 extensions with two contacts each: the tables grow several times.
        for e in 0..300u32 {
            let ext = e.to_string();
            let contacts = format!("Contact: <sip:{e}@a>\r\nContact: <sip:{e}@b>;expires=120\r\n");
            let expires = if e % 2 == 0 { "Expires: 60\r\n" } else { "" };
            let request = register(&ext, 1, &format!("{contacts}{expires}"));
            assert_eq!(
                r.handle_register(0, &ext, &request, e).unwrap().added.len(),
                2
            );
        }
        assert_eq!(r.len(), 600);
        for e in 0..300u32 {
            for host in ["a", "b"] {
                let contact = format!("sip:{e}@{host}");
                let b = r.find_contact(contact.as_bytes()).expect("registered");
                assert_eq!((&*b.contact, b.flow), (contact.as_bytes(), e));
            }
        }
        assert!(r.find_contact(b"sip:0@c").is_none());
        // At 60 s the even extensions' first contacts end, at 120 s all second ones; the
        // odd extensions' first contacts (3600 s) stay.
        assert_eq!(r.handle_timeout(60_000).len(), 150);
        assert_eq!(r.handle_timeout(120_000).len(), 300);
        assert_eq!(r.len(), 150);
        assert!(r.find_contact(b"sip:0@a").is_none());
        assert!(r.find_contact(b"sip:1@b").is_none());
        assert_eq!(r.find_contact(b"sip:1@a").map(|b| b.flow), Some(1));
        assert!(r.bindings("0").is_empty());
        // Freed slots go to new extensions; the old deadlines find nothing of theirs.
        for e in 1000..1100u32 {
            let ext = e.to_string();
            let request = register(&ext, 1, &format!("Contact: <sip:{e}@a>\r\n"));
            r.handle_register(120_000, &ext, &request, e).unwrap();
        }
        assert!(r.handle_timeout(200_000).is_empty());
        assert_eq!(r.len(), 250);
        assert_eq!(r.find_contact(b"sip:1050@a").map(|b| b.flow), Some(1050));
        // A refresh from another address moves the flow; unregistering removes it.
        let request = register("1", 2, "Contact: <sip:1@a>\r\n");
        r.handle_register(200_000, "1", &request, 77).unwrap();
        assert_eq!(r.find_contact(b"sip:1@a").map(|b| b.flow), Some(77));
        let request = register("1", 3, "Contact: <sip:1@a>;expires=0\r\n");
        assert_eq!(
            r.handle_register(200_000, "1", &request, 77)
                .unwrap()
                .removed
                .len(),
            1
        );
        assert!(r.find_contact(b"sip:1@a").is_none());
        assert_eq!(r.remove("1050").len(), 1);
        assert!(r.find_contact(b"sip:1050@a").is_none());
        assert_eq!(r.len(), 248);
    }
}
