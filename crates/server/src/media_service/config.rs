//! `[media]`: where call media flows (the media service's ports and addresses) and what
//! browsers are told for strict networks (TURN).

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// When a SIP phone's media goes through the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relay {
    /// When the phone's SDP address differs from where its signalling comes from (behind
    /// a router), and always for calls with a browser.
    Auto,
    /// Every call's media goes through the server.
    Always,
}

/// `[media]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MediaConfig {
    /// UDP ports for media, `FIRST-LAST` (a phone leg takes two: RTP and RTCP).
    pub port_range: String,
    /// The address media sockets bind to.
    pub bind: IpAddr,
    /// The address announced in SDP and ICE candidates (the public address behind a
    /// router); default: the SIP service's advertised address.
    pub public_address: Option<IpAddr>,
    /// When phones' media is relayed.
    pub relay: Relay,
    /// Media threads (calls are spread over them; a call stays on one).
    pub threads: usize,
    /// TURN server URLs handed to browsers, e.g. `turn:turn.example.org:3478`.
    pub turn_urls: Vec<String>,
    /// The TURN user name.
    pub turn_username: Option<String>,
    /// The TURN password (coturn's static user, `lt-cred-mech`).
    #[serde(serialize_with = "redacted")]
    pub turn_password: Option<SecretString>,
    /// An rtpengine-compatible "ng" control port (offer/answer/delete over UDP, bencode)
    /// for a SIP proxy in front of Durchwahl, or the media benchmark; loopback only.
    pub ng_listen: Option<std::net::SocketAddr>,
}

impl PartialEq for MediaConfig {
    fn eq(&self, o: &Self) -> bool {
        use secrecy::ExposeSecret;
        self.port_range == o.port_range
            && self.bind == o.bind
            && self.public_address == o.public_address
            && self.relay == o.relay
            && self.threads == o.threads
            && self.turn_urls == o.turn_urls
            && self.turn_username == o.turn_username
            && self
                .turn_password
                .as_ref()
                .map(|s| s.expose_secret().to_string())
                == o.turn_password
                    .as_ref()
                    .map(|s| s.expose_secret().to_string())
            && self.ng_listen == o.ng_listen
    }
}

impl Default for MediaConfig {
    fn default() -> Self {
        MediaConfig {
            port_range: "40000-49999".into(),
            bind: IpAddr::from([0, 0, 0, 0]),
            public_address: None,
            relay: Relay::Auto,
            threads: 1,
            turn_urls: Vec::new(),
            turn_username: None,
            turn_password: None,
            ng_listen: None,
        }
    }
}

impl MediaConfig {
    /// The port range as numbers.
    pub fn ports(&self) -> Result<(u16, u16), String> {
        let bad = || {
            format!(
                "[media] port_range must be FIRST-LAST with 1024 <= FIRST < LAST, not {:?}",
                self.port_range
            )
        };
        let (a, b) = self.port_range.split_once('-').ok_or_else(bad)?;
        let (a, b): (u16, u16) = (
            a.trim().parse().map_err(|_| bad())?,
            b.trim().parse().map_err(|_| bad())?,
        );
        if a < 1024 || b <= a + 2 {
            return Err(bad());
        }
        Ok((a, b))
    }

    /// Why the section cannot be used, if it cannot.
    pub fn validate(&self) -> Result<(), String> {
        self.ports()?;
        if self.threads == 0 || self.threads > 64 {
            return Err("[media] threads must be 1 to 64".into());
        }
        if let Some(ng) = self.ng_listen {
            if !ng.ip().is_loopback() {
                return Err(
                    "[media] ng_listen must be a loopback address (it has no authentication)"
                        .into(),
                );
            }
        }
        for url in &self.turn_urls {
            if !(url.starts_with("turn:") || url.starts_with("turns:") || url.starts_with("stun:"))
            {
                return Err(format!(
                    "[media] turn_urls: {url:?} is not a turn:, turns: or stun: URL"
                ));
            }
        }
        if !self.turn_urls.is_empty()
            && self.turn_urls.iter().any(|u| !u.starts_with("stun:"))
            && (self.turn_username.is_none() || self.turn_password.is_none())
        {
            return Err("[media] turn_urls need turn_username and turn_password".into());
        }
        Ok(())
    }
}

/// `[calls]`: call control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CallsConfig {
    /// How long the call history is kept, days.
    pub history_days: u32,
    /// What people dial before an outside number.
    pub outside_prefix: String,
    /// The country code, without `+`.
    pub country_code: String,
    /// The office's area code, without the leading 0.
    pub area_code: String,
    /// How far people may call outside unless listed in `permissions`: `internal`,
    /// `local`, `national`, `international` (110 and 112 always).
    pub default_permission: String,
    /// Per login: its permission.
    pub permissions: std::collections::BTreeMap<String, String>,
}

impl Default for CallsConfig {
    fn default() -> Self {
        CallsConfig {
            history_days: 90,
            outside_prefix: "0".into(),
            country_code: "49".into(),
            area_code: String::new(),
            default_permission: "national".into(),
            permissions: std::collections::BTreeMap::new(),
        }
    }
}

impl CallsConfig {
    /// Why the section cannot be used, if it cannot.
    pub fn validate(&self) -> Result<(), String> {
        if self.history_days == 0 || self.history_days > 3650 {
            return Err("[calls] history_days must be 1 to 3650".into());
        }
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if !digits(&self.outside_prefix) || self.outside_prefix.len() > 2 {
            return Err("[calls] outside_prefix must be up to two digits (or empty)".into());
        }
        if self.country_code.is_empty()
            || !digits(&self.country_code)
            || !digits(&self.area_code)
            || self.area_code.starts_with('0')
        {
            return Err(
                "[calls] country_code and area_code are digits without + or leading 0".into(),
            );
        }
        for p in std::iter::once(&self.default_permission).chain(self.permissions.values()) {
            if calls::numbers::Permission::parse(p).is_none() {
                return Err(format!(
                    "[calls] permission {p:?}: use internal, local, national or international"
                ));
            }
        }
        Ok(())
    }
}

fn redacted<S: serde::Serializer>(secret: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    match secret {
        Some(_) => s.serialize_some("[REDACTED]"),
        None => s.serialize_none(),
    }
}

impl CallsConfig {
    /// The numbering plan.
    pub fn plan(&self) -> calls::numbers::Plan {
        calls::numbers::Plan {
            outside_prefix: self.outside_prefix.clone(),
            country: self.country_code.clone(),
            area: self.area_code.clone(),
        }
    }

    /// How far `login` may call outside.
    pub fn permission(&self, login: &str) -> calls::numbers::Permission {
        let name = self
            .permissions
            .get(login)
            .unwrap_or(&self.default_permission);
        calls::numbers::Permission::parse(name).unwrap_or(calls::numbers::Permission::Internal)
    }
}
