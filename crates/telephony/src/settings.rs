//! How the switch behaves: its domain and address, timers, limits, the digest
//! challenges it offers, protection and subscription bounds. Given once to
//! [`crate::Switch::new`]; each part takes what it needs from it there.

use sip::registrar::Limits;
use sip::transaction::Timers;
use std::net::SocketAddr;

/// How the switch behaves.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where call control (the server's back-to-back user agent) sends its SIP from: its
    /// requests are trusted (it has checked the person's session), and people with a
    /// browser open are rung there. `None`: no browser telephony.
    pub b2bua: Option<SocketAddr>,
    /// Relay every phone call's media (through call control), not only phones behind a
    /// router's.
    pub relay_always: bool,
    /// The SIP domain and digest realm.
    pub domain: String,
    /// The address put into Via and Record-Route (UDP and TCP on the same port).
    pub advertised: SocketAddr,
    /// Registration limits.
    pub limits: Limits,
    /// How long a nonce is good for, seconds.
    pub nonce_lifetime_secs: u64,
    /// How long a call rings before the caller gets 480 (a phone's call: the callee's
    /// voicemail box, when call control answers for it), milliseconds.
    pub ring_timeout_ms: i64,
    /// Transaction timers.
    pub timers: Timers,
    /// Offer the SHA-256 challenge before the MD5 one (RFC 8760 prefers it, but many
    /// phones answer only the first challenge and fail on SHA-256).
    pub sha256_first: bool,
    /// Offer a SHA-256 challenge at all (RFC 8760). Some old softphones (baresip 1.0 of
    /// Debian 12) fail on a second challenge; answers with SHA-256 are checked either way.
    pub offer_sha256: bool,
    /// The TLS port, when SIP over TLS is on (its Record-Route, RFC 5658).
    pub tls_port: Option<u16>,
    /// Scanner, guessing and flood protection.
    pub protection: crate::protection::Settings,
    /// Bounds of the SUBSCRIBE table (busy lamp keys, presence).
    pub subscriptions: crate::subscriptions::Limits,
}

impl Settings {
    /// Defaults for a domain and address.
    pub fn new(domain: &str, advertised: SocketAddr) -> Settings {
        Settings {
            domain: domain.to_owned(),
            advertised,
            limits: Limits::default(),
            nonce_lifetime_secs: 300,
            ring_timeout_ms: 60_000,
            timers: Timers::default(),
            sha256_first: false,
            offer_sha256: true,
            tls_port: None,
            protection: crate::protection::Settings::default(),
            subscriptions: crate::subscriptions::Limits::default(),
            b2bua: None,
            relay_always: false,
        }
    }
}
