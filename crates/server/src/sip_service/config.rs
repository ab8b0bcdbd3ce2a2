//! `[sip]`: the SIP service's section (the switch's settings and the shell's sockets).

use serde::{Deserialize, Serialize};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

/// `[sip]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SipConfig {
    /// The SIP domain phones register to; also the digest realm of device passwords.
    pub domain: String,
    /// UDP and TCP address of the SIP service.
    pub listen: SocketAddr,
    /// The address phones reach the server at (Via, Record-Route); default: the listen
    /// address, or the machine's primary address when listening on all.
    pub advertise: Option<IpAddr>,
    /// How long a call rings before the caller hears "no answer", seconds.
    pub ring_timeout_seconds: u32,
    /// Offer the SHA-256 digest challenge before the MD5 one (RFC 8760 prefers it; many
    /// phones answer only the first challenge and fail on SHA-256).
    pub sha256_first: bool,
    /// Offer the SHA-256 challenge at all (some old softphones fail on two challenges).
    pub offer_sha256: bool,
    /// Requests per second one address may send (an office behind one NAT address
    /// shares it); 0 turns the limit off. Local processes are never limited.
    pub rate_limit_per_source: u32,
    /// SIP over TLS address, used when a certificate is configured (here or in `[http]`).
    pub tls_listen: SocketAddr,
    /// PEM certificate chain for SIP over TLS; default: the one of `[http]`.
    pub tls_certificate: Option<PathBuf>,
    /// Its private key.
    pub tls_key: Option<PathBuf>,
    /// SIP over WebSocket (RFC 7118) at `/sip` on the HTTP port.
    pub websocket: bool,
}

impl Default for SipConfig {
    fn default() -> Self {
        SipConfig {
            domain: "durchwahl.local".into(),
            listen: SocketAddr::from(([0, 0, 0, 0], 5060)),
            advertise: None,
            ring_timeout_seconds: 60,
            sha256_first: false,
            offer_sha256: true,
            rate_limit_per_source: 200,
            tls_listen: SocketAddr::from(([0, 0, 0, 0], 5061)),
            tls_certificate: None,
            tls_key: None,
            websocket: true,
        }
    }
}

impl SipConfig {
    /// Why the section cannot be used, if it cannot.
    pub fn validate(&self) -> Result<(), String> {
        if self.tls_certificate.is_some() != self.tls_key.is_some() {
            return Err("[sip] tls_certificate and tls_key must be set together".into());
        }
        let domain = &self.domain;
        let host_like = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-');
        if domain.is_empty() || domain.len() > 253 || !domain.chars().all(host_like) {
            return Err(format!(
                "[sip] domain {domain:?} is not a host name like pbx.landratsamt.example"
            ));
        }
        if !(5..=600).contains(&self.ring_timeout_seconds) {
            return Err("[sip] ring_timeout_seconds must be between 5 and 600".into());
        }
        Ok(())
    }

    /// Its own certificate and key, when both are set.
    pub fn tls_files(&self) -> Option<(PathBuf, PathBuf)> {
        Some((self.tls_certificate.clone()?, self.tls_key.clone()?))
    }

    /// What the SIP service needs besides sockets and store.
    pub fn options(&self) -> crate::sip_service::Options {
        crate::sip_service::Options {
            domain: self.domain.clone(),
            advertise: self.advertise,
            ring_timeout_ms: i64::from(self.ring_timeout_seconds) * 1000,
            sha256_first: self.sha256_first,
            offer_sha256: self.offer_sha256,
            rate_limit_per_source: self.rate_limit_per_source,
            b2bua: None,
            relay_always: false,
        }
    }
}
