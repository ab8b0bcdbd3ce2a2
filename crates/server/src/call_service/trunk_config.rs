//! `[[trunks]]`: the office's SIP trunks (the outside line), and `[calls]`' numbering.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};

/// How a trunk knows us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrunkMode {
    /// We register with user name and password; the carrier sends calls to the
    /// registered address.
    Register,
    /// The carrier sends calls from known addresses (`accept_from`) to `listen`, and
    /// takes ours from there.
    Ip,
}

/// One trunk.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrunkConfig {
    /// Shown on the admin page and in logs.
    pub name: String,
    /// The carrier's SIP server, `host:port` (an IP address: no DNS lookups yet).
    pub proxy: SocketAddr,
    /// Our address for this trunk (UDP).
    pub listen: SocketAddr,
    /// `register` or `ip`.
    pub mode: TrunkMode,
    /// The SIP domain of the carrier (Request-URI and From host); default: the proxy.
    #[serde(default)]
    pub domain: Option<String>,
    /// For `register`: the user name.
    #[serde(default)]
    pub username: Option<String>,
    /// For `register`: the password.
    #[serde(default, serialize_with = "redacted")]
    pub password: Option<SecretString>,
    /// For `ip`: the addresses calls may come from (besides `proxy`'s).
    #[serde(default)]
    pub accept_from: Vec<IpAddr>,
    /// The office's number block in E.164: `+499321928` and an extension is its direct
    /// number.
    #[serde(default)]
    pub number_block: Option<String>,
    /// Single direct numbers (E.164) and the extensions they ring.
    #[serde(default)]
    pub dids: BTreeMap<String, String>,
    /// The main number (E.164) ...
    #[serde(default)]
    pub main_number: Option<String>,
    /// ... and the extension it rings (later: a hotline).
    #[serde(default)]
    pub main_extension: Option<String>,
    /// A trunk of the demo: shown, marked as such.
    #[serde(default)]
    pub demo: bool,
}

fn redacted<S: serde::Serializer>(secret: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    match secret {
        Some(_) => s.serialize_some("[REDACTED]"),
        None => s.serialize_none(),
    }
}

impl PartialEq for TrunkConfig {
    fn eq(&self, o: &Self) -> bool {
        use secrecy::ExposeSecret;
        let secret = |s: &Option<SecretString>| s.as_ref().map(|p| p.expose_secret().to_string());
        (
            &self.name,
            self.proxy,
            self.listen,
            self.mode,
            &self.domain,
            &self.username,
            &self.accept_from,
        ) == (
            &o.name,
            o.proxy,
            o.listen,
            o.mode,
            &o.domain,
            &o.username,
            &o.accept_from,
        ) && (
            &self.number_block,
            &self.dids,
            &self.main_number,
            &self.main_extension,
            self.demo,
        ) == (
            &o.number_block,
            &o.dids,
            &o.main_number,
            &o.main_extension,
            o.demo,
        ) && secret(&self.password) == secret(&o.password)
    }
}

fn e164(field: &str, n: &str) -> Result<(), String> {
    let ok = n.starts_with('+') && n.len() > 3 && n[1..].chars().all(|c| c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "[[trunks]] {field}: {n:?} is not an E.164 number (+49…)"
        ))
    }
}

impl TrunkConfig {
    /// Why the trunk cannot be used, if it cannot.
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("[[trunks]] name must not be empty".into());
        }
        if self.mode == TrunkMode::Register && (self.username.is_none() || self.password.is_none())
        {
            return Err(format!(
                "[[trunks]] {}: mode = \"register\" needs username and password",
                self.name
            ));
        }
        if let Some(b) = &self.number_block {
            e164("number_block", b)?;
        }
        for (n, ext) in &self.dids {
            e164("dids", n)?;
            if ext.is_empty() || !ext.chars().all(|c| c.is_ascii_digit()) {
                return Err(format!("[[trunks]] dids: {ext:?} is not an extension"));
            }
        }
        if let Some(n) = &self.main_number {
            e164("main_number", n)?;
        }
        if self.main_number.is_some() != self.main_extension.is_some() {
            return Err("[[trunks]] main_number and main_extension go together".into());
        }
        Ok(())
    }

    /// The numbers of the office at this trunk.
    pub fn block(&self) -> calls::numbers::NumberBlock {
        calls::numbers::NumberBlock {
            prefix: self.number_block.clone(),
            dids: self
                .dids
                .iter()
                .map(|(n, e)| (n.clone(), e.clone()))
                .collect(),
            main: self.main_number.clone().zip(self.main_extension.clone()),
        }
    }
}
