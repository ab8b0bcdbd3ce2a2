//! Registrar bindings (RFC 3261 §10.3, RFC 5626 §6): which contacts an extension's devices
//! registered, until when. Pure: a REGISTER's parsed parts and the time go in; the new
//! binding list, or the reason to refuse, comes out; expiries are deadlines.

use crate::header_name::HeaderName;
use crate::message::Message;
use crate::name_addr::NameAddr;
use crate::params::unquote;
use bytes::Bytes;
use std::collections::{BTreeSet, HashMap};

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

/// One registered contact of an extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The Contact URI as the device sent it.
    pub contact: Bytes,
    /// RFC 5626 `+sip.instance` (without quotes), identifying the device across restarts.
    pub instance: Option<Bytes>,
    /// Call-ID of the REGISTER that made it.
    pub call_id: Bytes,
    /// Its CSeq number.
    pub cseq: u32,
    /// Unix milliseconds when it ends.
    pub expires_at: i64,
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
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Change {
    /// Contacts added or refreshed.
    pub added: Vec<Binding>,
    /// Contacts removed (unregistered or replaced by the same instance).
    pub removed: Vec<Binding>,
}

/// Every extension's bindings.
#[derive(Debug, Default)]
pub struct Registrar {
    limits: Limits,
    bindings: HashMap<String, Vec<Binding>>,
    deadlines: BTreeSet<(i64, String)>,
}

struct Requested {
    contact: Bytes,
    instance: Option<Bytes>,
    seconds: u32,
}

impl Registrar {
    /// Empty, with these limits.
    pub fn new(limits: Limits) -> Registrar {
        Registrar {
            limits,
            ..Registrar::default()
        }
    }

    /// The current bindings of an extension.
    pub fn bindings(&self, extension: &str) -> &[Binding] {
        self.bindings.get(extension).map_or(&[], Vec::as_slice)
    }

    /// Restores a stored binding (at start-up).
    pub fn restore(&mut self, extension: &str, binding: Binding) {
        self.deadlines
            .insert((binding.expires_at, extension.to_owned()));
        self.bindings
            .entry(extension.to_owned())
            .or_default()
            .push(binding);
    }

    /// Total bindings.
    pub fn len(&self) -> usize {
        self.bindings.values().map(Vec::len).sum()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.bindings.is_empty()
    }

    /// Applies an authenticated REGISTER for `extension` (RFC 3261 §10.3 steps 6–8).
    /// A REGISTER without Contact only asks for the current bindings.
    pub fn handle_register(
        &mut self,
        now_ms: i64,
        extension: &str,
        request: &Message,
    ) -> Result<Change, RegisterError> {
        // Bindings live for hours: they keep copies, not slices of the datagram.
        let call_id = request
            .header(&HeaderName::CallId)
            .map(|v| Bytes::copy_from_slice(v))
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
            let removed = self.bindings.remove(extension).unwrap_or_default();
            if removed
                .iter()
                .any(|b| b.call_id == call_id && b.cseq >= cseq)
            {
                self.bindings.insert(extension.to_owned(), removed);
                return Err(RegisterError::OutOfOrder);
            }
            return Ok(Change {
                added: Vec::new(),
                removed,
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
                .map(|v| Bytes::from(unquote(v)));
            requested.push(Requested {
                contact: Bytes::copy_from_slice(&addr.uri),
                instance,
                seconds: seconds.min(self.limits.max_expires),
            });
        }
        let current = self.bindings.get(extension).cloned().unwrap_or_default();
        let mut next = current.clone();
        let mut change = Change::default();
        for r in requested {
            // RFC 5626 §6: a contact with the same instance replaces the old one, whatever
            // its URI (a phone that changed its address); otherwise the URI identifies it.
            let same = |b: &Binding| match (&r.instance, &b.instance) {
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
            let (gone, kept): (Vec<Binding>, Vec<Binding>) =
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
                };
                change.added.push(b.clone());
                next.push(b);
            }
        }
        if next.len() > self.limits.max_contacts {
            return Err(RegisterError::TooMany);
        }
        for b in &next {
            self.deadlines.insert((b.expires_at, extension.to_owned()));
        }
        if next.is_empty() {
            self.bindings.remove(extension);
        } else {
            // Most devices hold one binding for hours: no room for four.
            next.shrink_to_fit();
            self.bindings.insert(extension.to_owned(), next);
        }
        Ok(change)
    }

    /// Removes every binding of `extension` (its device was deleted or disabled).
    pub fn remove(&mut self, extension: &str) -> Vec<Binding> {
        // Deadlines of removed bindings stay until they pass and then find nothing.
        self.bindings.remove(extension).unwrap_or_default()
    }

    /// Removes the bindings of `extension` that `gone` picks (their connection ended).
    pub fn remove_where(
        &mut self,
        extension: &str,
        gone: impl Fn(&Binding) -> bool,
    ) -> Vec<Binding> {
        let Some(list) = self.bindings.get_mut(extension) else {
            return Vec::new();
        };
        let (removed, kept): (Vec<Binding>, Vec<Binding>) =
            std::mem::take(list).into_iter().partition(|b| gone(b));
        if kept.is_empty() {
            self.bindings.remove(extension);
        } else {
            *list = kept;
        }
        removed
    }

    /// Removes bindings that expired by `now_ms`; returns them per extension.
    pub fn handle_timeout(&mut self, now_ms: i64) -> Vec<(String, Binding)> {
        let mut out = Vec::new();
        while let Some((at, ext)) = self.deadlines.first().cloned() {
            if at > now_ms {
                break;
            }
            self.deadlines.pop_first();
            if let Some(list) = self.bindings.get_mut(&ext) {
                let (gone, kept): (Vec<Binding>, Vec<Binding>) = std::mem::take(list)
                    .into_iter()
                    .partition(|b| b.expires_at <= now_ms);
                *list = kept;
                if list.is_empty() {
                    self.bindings.remove(&ext);
                }
                out.extend(gone.into_iter().map(|b| (ext.clone(), b)));
            }
        }
        out
    }

    /// When [`Registrar::handle_timeout`] has work next (may be early after refreshes).
    pub fn poll_timeout(&self) -> Option<i64> {
        self.deadlines.first().map(|(at, _)| *at)
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
            )
            .unwrap();
        assert_eq!(again, Change::default());
        assert_eq!(r.bindings("2401")[0].expires_at, 120_000);
        // A second device.
        r.handle_register(
            0,
            "2401",
            &register("b", 1, "Contact: <sip:2401@10.0.0.6>;expires=600\r\n"),
        )
        .unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(
            r.bindings("2401")
                .iter()
                .find(|b| b.call_id == "b")
                .unwrap()
                .expires_at,
            600_000
        );
        // Querying changes nothing; contact_values show the remaining seconds.
        r.handle_register(1_000, "2401", &register("a", 2, ""))
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
                &register("a", 3, "Contact: <sip:x@y>;expires=10\r\n")
            ),
            Err(RegisterError::TooBrief { min: 60 })
        );
        assert_eq!(
            r.handle_register(
                0,
                "2401",
                &register("a", 0, "Contact: <sip:2401@10.0.0.5:5060>\r\n")
            ),
            Err(RegisterError::OutOfOrder)
        );
        assert_eq!(
            r.handle_register(
                0,
                "2401",
                &register("a", 4, "Contact: <sip:x@y>;expires=soon\r\n")
            ),
            Err(RegisterError::Malformed)
        );
        // Expiry.
        let gone = r.handle_timeout(120_000);
        assert_eq!(gone.len(), 1);
        assert_eq!(r.len(), 1);
        // Unregister all.
        assert_eq!(
            r.handle_register(0, "2401", &register("c", 1, "Contact: *\r\n")),
            Err(RegisterError::BadWildcard)
        );
        let c = r
            .handle_register(0, "2401", &register("c", 1, "Contact: *\r\nExpires: 0\r\n"))
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
        )
        .unwrap();
        let c = r
            .handle_register(
                0,
                "2401",
                &register("b", 1, &format!("Contact: <sip:2401@10.9.9.9>;{inst}\r\n")),
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
            .handle_register(0, "1", &register("a", 1, "Contact: <sip:1@a>\r\n"))
            .unwrap();
        assert_eq!(
            small.handle_register(0, "1", &register("b", 1, "Contact: <sip:1@b>\r\n")),
            Err(RegisterError::TooMany)
        );
        assert_eq!(small.len(), 1, "a refused REGISTER changes nothing");
    }
}
