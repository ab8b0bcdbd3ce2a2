//! `[http] trusted_proxies`: the reverse proxies whose `Forwarded` / `X-Forwarded-For`
//! headers are believed. Each entry is an address (`192.0.2.10`, `2001:db8::10`) or a
//! network (`10.0.0.0/8`, `2001:db8::/32`); anything else is refused at start with the
//! entry named.

use auth::network::Cidr;
use std::net::IpAddr;
use std::sync::Arc;

/// One configured entry: an address or a network, kept as written for the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedProxy {
    written: String,
    range: Cidr,
}

/// An entry that is neither an address nor a network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "[http] trusted_proxies: {0:?} is not an IP address or network like 192.0.2.10, \
     10.0.0.0/8 or 2001:db8::/32"
)]
pub struct TrustedProxyError(pub String);

impl std::str::FromStr for TrustedProxy {
    type Err = TrustedProxyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || TrustedProxyError(s.to_string());
        let text = s.trim();
        let range = if text.contains('/') {
            text.parse::<Cidr>().map_err(|_| err())?
        } else {
            let ip: IpAddr = text.parse().map_err(|_| err())?;
            let bits = if ip.is_ipv4() { 32 } else { 128 };
            format!("{ip}/{bits}").parse::<Cidr>().map_err(|_| err())?
        };
        Ok(TrustedProxy {
            written: text.to_string(),
            range,
        })
    }
}

impl std::fmt::Display for TrustedProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.written)
    }
}

/// Written as in the configuration file: `"10.0.0.0/8"` or `"192.0.2.10"`.
impl serde::Serialize for TrustedProxy {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.written)
    }
}

/// Read from `"192.0.2.10"` or `"10.0.0.0/8"`; anything else is refused, naming it.
impl<'de> serde::Deserialize<'de> for TrustedProxy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl TrustedProxy {
    /// The entry as a range (an address is a /32 or /128).
    pub fn range(&self) -> Cidr {
        self.range
    }
}

/// The set of trusted proxies, cheap to clone (every request carries it). Empty: no
/// proxy is trusted, every client is its TCP peer.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<[Cidr]>);

impl TrustedProxies {
    /// The proxies in these ranges.
    pub fn new(ranges: impl IntoIterator<Item = Cidr>) -> Self {
        TrustedProxies(ranges.into_iter().collect())
    }

    /// Whether `ip` is one of them (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|range| range.contains(ip))
    }

    /// Whether no proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The ranges.
    pub fn ranges(&self) -> &[Cidr] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_networks_are_read_and_anything_else_is_named() {
        let one: TrustedProxy = "192.0.2.10".parse().unwrap();
        let net: TrustedProxy = " 10.0.0.0/8 ".parse().unwrap();
        let v6: TrustedProxy = "2001:db8::10".parse().unwrap();
        let set = TrustedProxies::new([one.range(), net.range(), v6.range()]);
        for ip in [
            "192.0.2.10",
            "::ffff:192.0.2.10",
            "10.200.1.1",
            "2001:db8::10",
        ] {
            assert!(set.contains(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["192.0.2.11", "11.0.0.1", "2001:db8::11"] {
            assert!(!set.contains(ip.parse().unwrap()), "{ip}");
        }
        assert_eq!(net.to_string(), "10.0.0.0/8", "kept as written, trimmed");
        for bad in [
            "",
            "localhost",
            "10.0.0.0/33",
            "300.1.1.1",
            "10.0.0.1:80",
            "::/129",
        ] {
            let err = bad.parse::<TrustedProxy>().unwrap_err().to_string();
            assert!(
                err.contains(&format!("{bad:?}")) && err.contains("trusted_proxies"),
                "{err}"
            );
        }
        assert!(TrustedProxies::default().is_empty());
    }
}
