//! `[http]`: where the web client and the API listen, HTTPS, how long and how many
//! connections a client may hold, and which reverse proxies may name the client.

use crate::http::trusted_proxies::{TrustedProxies, TrustedProxy};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;

/// `[http]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// PEM certificate chain: serve HTTPS (and mark cookies Secure) when set with `tls_key`.
    pub tls_certificate: Option<PathBuf>,
    /// PEM private key.
    pub tls_key: Option<PathBuf>,
    /// Seconds a connection may take to send a complete request header (also the
    /// longest an idle keep-alive connection stays open).
    pub header_timeout_seconds: u32,
    /// Open connections per client address at most (IPv6: per /64); 0: no cap. Office
    /// networks (`[auth] office_networks`) and trusted proxies are exempt.
    pub connections_per_address: u32,
    /// Reverse proxies (addresses or networks) whose `Forwarded` / `X-Forwarded-For`
    /// name the client; empty: every client is its TCP peer, headers are ignored.
    pub trusted_proxies: Vec<TrustedProxy>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            tls_certificate: None,
            tls_key: None,
            header_timeout_seconds: 30,
            connections_per_address: 500,
            trusted_proxies: Vec::new(),
        }
    }
}

impl HttpConfig {
    /// Why the section cannot be used, if it cannot.
    pub fn validate(&self) -> Result<(), String> {
        if self.tls_certificate.is_some() != self.tls_key.is_some() {
            return Err("[http] tls_certificate and tls_key must be set together".into());
        }
        if !(1..=600).contains(&self.header_timeout_seconds) {
            return Err("[http] header_timeout_seconds must be between 1 and 600".into());
        }
        Ok(())
    }

    /// The certificate and key files, when HTTPS is on.
    pub fn tls_files(&self) -> Option<(PathBuf, PathBuf)> {
        Some((self.tls_certificate.clone()?, self.tls_key.clone()?))
    }

    /// The trusted proxies as a set.
    pub fn trusted_proxies(&self) -> TrustedProxies {
        TrustedProxies::new(self.trusted_proxies.iter().map(TrustedProxy::range))
    }

    /// How the accept loop bounds connections; addresses in `exempt` and the trusted
    /// proxies (every client behind one comes from its address) are not capped.
    pub fn settings(&self, mut exempt: Vec<auth::network::Cidr>) -> crate::HttpSettings {
        exempt.extend(self.trusted_proxies.iter().map(TrustedProxy::range));
        crate::HttpSettings {
            header_timeout: std::time::Duration::from_secs(u64::from(self.header_timeout_seconds)),
            connections_per_address: usize::try_from(self.connections_per_address)
                .unwrap_or(usize::MAX),
            exempt,
            trusted_proxies: self.trusted_proxies(),
        }
    }
}
