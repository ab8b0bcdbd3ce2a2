//! `[directory.ldap]`: the directory server to follow, how to read it, and how its entries
//! become people (`[directory.ldap.mapping]`, `[[directory.ldap.groups]]`).

use directory::sync::{GroupRule, Mapping, SyncMapping};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// `[directory]`
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DirectoryConfig {
    /// `[directory.ldap]`: follow an Active Directory or LDAP server (off when absent).
    pub ldap: Option<LdapConfig>,
}

/// `[directory.ldap]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LdapConfig {
    /// `ldaps://dc1.lra.local` or `ldap://dc1.lra.local` (then with StartTLS).
    pub url: String,
    /// Use StartTLS on an `ldap://` URL. Plain text is refused: passwords cross this line.
    pub start_tls: bool,
    /// A CA certificate (PEM) to check the server's certificate against; default: the
    /// system's CAs.
    pub ca_file: Option<PathBuf>,
    /// Who the sync binds as (read access to the people is enough).
    pub bind_dn: String,
    /// Its password.
    #[serde(serialize_with = "redacted")]
    pub bind_password: secrecy::SecretString,
    /// Where the people are.
    pub base_dn: String,
    /// Which entries are people of ours, e.g. members of a group:
    /// `(&(objectCategory=person)(objectClass=user)(memberOf=CN=GG-Durchwahl,OU=…))`.
    pub user_filter: String,
    /// Entries per page of a paged search.
    pub page_size: u32,
    /// Seconds to wait for the server (connect, each request).
    pub timeout_seconds: u32,
    /// Minutes between syncs (0: only at start and on demand).
    pub interval_minutes: u32,
    /// Hours between full syncs; the syncs between read only changed entries.
    pub full_sync_hours: u32,
    /// The attribute that grows with each change: `uSNChanged` on Active Directory,
    /// `modifyTimestamp` elsewhere.
    pub change_attribute: String,
    /// A sync that would disable more than this share of everyone (in per cent) stops
    /// and waits for confirmation (a wrong filter must not disable the house).
    pub max_disable_percent: f64,
    /// People from the directory sign in with its password (a bind as them).
    pub password_sign_in: bool,
    /// `[directory.ldap.mapping]`
    pub mapping: SyncMapping,
    /// `[[directory.ldap.groups]]`
    pub groups: Vec<GroupRule>,
}

fn redacted<S: serde::Serializer>(_: &secrecy::SecretString, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str("[redacted]")
}

impl PartialEq for LdapConfig {
    fn eq(&self, other: &Self) -> bool {
        use secrecy::ExposeSecret;
        self.url == other.url
            && self.start_tls == other.start_tls
            && self.ca_file == other.ca_file
            && self.bind_dn == other.bind_dn
            && self.bind_password.expose_secret() == other.bind_password.expose_secret()
            && self.base_dn == other.base_dn
            && self.user_filter == other.user_filter
            && self.page_size == other.page_size
            && self.timeout_seconds == other.timeout_seconds
            && self.interval_minutes == other.interval_minutes
            && self.full_sync_hours == other.full_sync_hours
            && self.change_attribute == other.change_attribute
            && self.max_disable_percent == other.max_disable_percent
            && self.password_sign_in == other.password_sign_in
            && self.mapping == other.mapping
            && self.groups == other.groups
    }
}

impl Default for LdapConfig {
    fn default() -> Self {
        LdapConfig {
            url: String::new(),
            start_tls: true,
            ca_file: None,
            bind_dn: String::new(),
            bind_password: secrecy::SecretString::from(""),
            base_dn: String::new(),
            user_filter: "(&(objectCategory=person)(objectClass=user))".into(),
            page_size: 500,
            timeout_seconds: 10,
            interval_minutes: 15,
            full_sync_hours: 24,
            change_attribute: "uSNChanged".into(),
            max_disable_percent: 10.0,
            password_sign_in: true,
            mapping: SyncMapping::default(),
            groups: Vec::new(),
        }
    }
}

impl DirectoryConfig {
    /// Why the section cannot be used, if it cannot.
    pub fn validate(&self) -> Result<(), String> {
        match &self.ldap {
            Some(ldap) => ldap.validate(),
            None => Ok(()),
        }
    }
}

impl LdapConfig {
    /// Why the section cannot be used, if it cannot.
    pub fn validate(&self) -> Result<(), String> {
        let plain = self.url.starts_with("ldap://");
        if !plain && !self.url.starts_with("ldaps://") {
            return Err(format!(
                "[directory.ldap] url {:?} must start with ldaps:// or ldap://",
                self.url
            ));
        }
        if plain && !self.start_tls {
            return Err(
                "[directory.ldap] an ldap:// url needs start_tls = true: passwords \
                        must not cross the network in plain text"
                    .into(),
            );
        }
        if self.base_dn.trim().is_empty() || self.bind_dn.trim().is_empty() {
            return Err("[directory.ldap] base_dn and bind_dn must be set".into());
        }
        if secrecy::ExposeSecret::expose_secret(&self.bind_password).is_empty() {
            return Err(
                "[directory.ldap] bind_password must be set (an empty one is an \
                        unauthenticated bind, which reads nothing)"
                    .into(),
            );
        }
        if !self.user_filter.trim().starts_with('(') {
            return Err(format!(
                "[directory.ldap] user_filter {:?} must be an LDAP filter in brackets",
                self.user_filter
            ));
        }
        if self.page_size == 0 || self.timeout_seconds == 0 || self.full_sync_hours == 0 {
            return Err(
                "[directory.ldap] page_size, timeout_seconds and full_sync_hours must be at least 1"
                    .into(),
            );
        }
        if !(0.0..=100.0).contains(&self.max_disable_percent) {
            return Err("[directory.ldap] max_disable_percent must be 0–100".into());
        }
        self.compiled_mapping().map(|_| ())
    }

    /// The mapping with its group rules checked.
    pub fn compiled_mapping(&self) -> Result<Mapping, String> {
        Mapping::new(self.mapping.clone(), &self.groups)
    }
}
