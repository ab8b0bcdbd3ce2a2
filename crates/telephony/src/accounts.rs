//! The devices that may use the switch: each device's SIP user name, its HA1 digests and
//! the person (extension) it rings for. The shell loads it from the store and replaces it
//! when devices or people change; lookups here never touch the database.

use sip::digest::Algorithm;
use std::collections::HashMap;

/// One device account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The store's device id (bindings are saved under it).
    pub device_id: i64,
    /// The person's id (for presence).
    pub person_id: i64,
    /// SIP user name of the device (digest username, registration AOR user).
    pub sip_username: String,
    /// The person's extension: calls to it ring every device of the person.
    pub extension: String,
    /// MD5(username:realm:password).
    pub ha1_md5: Ha1,
    /// SHA-256(username:realm:password).
    pub ha1_sha256: Ha1,
    /// Whether the person may use telephony devices (the `softphone` feature).
    pub enabled: bool,
}

impl Account {
    /// The stored digest for `algorithm`, as the lower-case hex the digest check uses.
    pub fn ha1(&self, algorithm: Algorithm) -> String {
        match algorithm {
            Algorithm::Md5 => self.ha1_md5.to_hex(),
            Algorithm::Sha256 => self.ha1_sha256.to_hex(),
        }
    }
}

/// A stored digest (HA1) in binary, inside the account: 100,000 devices' two hex strings
/// were 16 MB of small allocations. Text that is not hex (no digest stored) gives
/// [`Ha1::NONE`], which no answer matches.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Ha1 {
    bytes: [u8; 32],
    len: u8,
}

impl Ha1 {
    /// No digest: every answer is wrong.
    pub const NONE: Ha1 = Ha1 {
        bytes: [0; 32],
        len: 0,
    };

    /// From lower- or upper-case hex of 16 or 32 bytes.
    pub fn from_hex(hex: &str) -> Ha1 {
        let hex = hex.to_ascii_lowercase();
        let mut out = Ha1::NONE;
        let parsed = match hex.len() {
            32 => sip::digest::unhex::<16>(&hex).map(|b| out.bytes[..16].copy_from_slice(&b)),
            64 => sip::digest::unhex::<32>(&hex).map(|b| out.bytes.copy_from_slice(&b)),
            _ => None,
        };
        match parsed {
            Some(()) => Ha1 {
                len: (hex.len() / 2) as u8,
                ..out
            },
            None => Ha1::NONE,
        }
    }

    /// Lower-case hex; empty for [`Ha1::NONE`].
    pub fn to_hex(&self) -> String {
        sip::digest::hex(&self.bytes[..usize::from(self.len)])
    }
}

impl From<&str> for Ha1 {
    fn from(hex: &str) -> Ha1 {
        Ha1::from_hex(hex)
    }
}

impl From<String> for Ha1 {
    fn from(hex: String) -> Ha1 {
        Ha1::from_hex(&hex)
    }
}

/// Digests are secrets: never in logs.
impl std::fmt::Debug for Ha1 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.len == 0 {
            "Ha1(none)"
        } else {
            "Ha1(<redacted>)"
        })
    }
}

/// What a Request-URI user names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// A person's extension: all their devices.
    Extension(&'a str),
    /// One device.
    Device(&'a Account),
    /// Nobody here.
    Unknown,
}

/// All accounts, by SIP user name and by extension.
#[derive(Debug, Default, Clone)]
pub struct Accounts {
    by_user: HashMap<String, Account>,
    by_extension: HashMap<String, Vec<String>>,
}

impl Accounts {
    /// From a full list (later duplicates of a user name replace earlier ones).
    pub fn new(list: impl IntoIterator<Item = Account>) -> Accounts {
        let list: Vec<Account> = list.into_iter().collect();
        // Sized once: growing by doubling leaves the old tables behind as garbage.
        let mut accounts = Accounts {
            by_user: HashMap::with_capacity(list.len()),
            by_extension: HashMap::with_capacity(list.len()),
        };
        for account in list {
            accounts.insert(account);
        }
        accounts
    }

    /// Adds or replaces one account.
    pub fn insert(&mut self, account: Account) {
        self.remove(&account.sip_username.clone());
        self.by_extension
            .entry(account.extension.clone())
            .or_default()
            .push(account.sip_username.clone());
        self.by_user.insert(account.sip_username.clone(), account);
    }

    /// Removes an account; returns it.
    pub fn remove(&mut self, sip_username: &str) -> Option<Account> {
        let old = self.by_user.remove(sip_username)?;
        if let Some(list) = self.by_extension.get_mut(&old.extension) {
            list.retain(|u| u != sip_username);
            if list.is_empty() {
                self.by_extension.remove(&old.extension);
            }
        }
        Some(old)
    }

    /// The account of a SIP user name.
    pub fn get(&self, sip_username: &str) -> Option<&Account> {
        self.by_user.get(sip_username)
    }

    /// The SIP user names of an extension's devices.
    pub fn devices_of(&self, extension: &str) -> &[String] {
        self.by_extension.get(extension).map_or(&[], Vec::as_slice)
    }

    /// What `user` (a Request-URI user part) names. Extensions win over device names.
    pub fn target<'a>(&'a self, user: &'a str) -> Target<'a> {
        if self.by_extension.contains_key(user) {
            Target::Extension(user)
        } else if let Some(account) = self.by_user.get(user) {
            Target::Device(account)
        } else {
            Target::Unknown
        }
    }

    /// Every account.
    pub fn iter(&self) -> impl Iterator<Item = &Account> {
        self.by_user.values()
    }

    /// Number of accounts.
    pub fn len(&self) -> usize {
        self.by_user.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_user.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn account(user: &str, extension: &str) -> Account {
        Account {
            device_id: 1,
            person_id: 7,
            sip_username: user.into(),
            extension: extension.into(),
            ha1_md5: Ha1::from_hex(&"ab".repeat(16)),
            ha1_sha256: Ha1::NONE,
            enabled: true,
        }
    }

    #[test]
    fn extensions_and_devices_are_found() {
        let mut a = Accounts::new([account("2401-1", "2401"), account("2401-2", "2401")]);
        assert_eq!(a.devices_of("2401"), ["2401-1", "2401-2"]);
        assert_eq!(a.target("2401"), Target::Extension("2401"));
        assert!(matches!(a.target("2401-2"), Target::Device(d) if d.sip_username == "2401-2"));
        assert_eq!(a.target("9999"), Target::Unknown);
        assert_eq!(
            a.get("2401-1").unwrap().ha1(Algorithm::Md5),
            "ab".repeat(16)
        );
        assert_eq!(a.get("2401-1").unwrap().ha1(Algorithm::Sha256), "");
        // Moving a device to another person's extension replaces it.
        a.insert(account("2401-2", "2501"));
        assert_eq!(a.devices_of("2401"), ["2401-1"]);
        assert_eq!(a.devices_of("2501"), ["2401-2"]);
        a.remove("2401-1");
        assert_eq!(a.target("2401"), Target::Unknown);
        assert_eq!(a.len(), 1);
    }
}
