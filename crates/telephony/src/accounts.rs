//! The devices that may use the switch: each device's SIP user name, its HA1 digests and
//! the person (extension) it rings for. The shell loads it from the store and replaces it
//! when devices or people change; lookups here never touch the database.

use hashbrown::HashTable;
use sip::digest::Algorithm;
use std::hash::{BuildHasher, RandomState};

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

/// The `device_id` of the account that stands for a person's browsers (store ids start at
/// 1): call control rings them and places their calls; it is never saved.
pub const BROWSERS: i64 = 0;

impl Account {
    /// The account of `person`'s browsers, reachable under `extension` through call control.
    pub fn browsers(person_id: i64, extension: &str) -> Account {
        Account {
            device_id: BROWSERS,
            person_id,
            sip_username: format!("browser.{person_id}"),
            extension: extension.to_owned(),
            ha1_md5: Ha1::NONE,
            ha1_sha256: Ha1::NONE,
            enabled: true,
        }
    }

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
///
/// The accounts sit once in a `Vec`; the two indexes hold only their positions (hashed by
/// the name inside the account), not second copies of the names: with 100,000 devices a
/// map per index with its own keys and values was 39 MB, this is 15 MB.
#[derive(Clone, Default)]
pub struct Accounts {
    list: Vec<Account>,
    by_user: HashTable<u32>,
    /// One entry per account, under its extension's hash.
    by_extension: HashTable<u32>,
    hasher: RandomState,
}

impl Accounts {
    /// From a full list (later duplicates of a user name replace earlier ones).
    pub fn new(list: impl IntoIterator<Item = Account>) -> Accounts {
        let list = list.into_iter();
        let mut accounts = Accounts::with_capacity(list.size_hint().0);
        for account in list {
            accounts.insert(account);
        }
        accounts.list.shrink_to_fit();
        accounts
    }

    /// Empty, with room for `capacity` accounts (to be filled by [`Accounts::insert`]).
    /// Sized once: growing by doubling leaves the old tables behind as garbage.
    pub fn with_capacity(capacity: usize) -> Accounts {
        Accounts {
            list: Vec::with_capacity(capacity),
            by_user: HashTable::with_capacity(capacity),
            by_extension: HashTable::with_capacity(capacity),
            hasher: RandomState::new(),
        }
    }

    fn hash(&self, name: &str) -> u64 {
        self.hasher.hash_one(name)
    }

    fn position(&self, sip_username: &str) -> Option<usize> {
        let list = &self.list;
        self.by_user
            .find(self.hash(sip_username), |&i| {
                list[i as usize].sip_username == sip_username
            })
            .map(|&i| i as usize)
    }

    /// Adds or replaces one account.
    pub fn insert(&mut self, account: Account) {
        self.remove(&account.sip_username);
        let at = u32::try_from(self.list.len()).expect("fewer than 2^32 accounts");
        let (user, extension) = (
            self.hash(&account.sip_username),
            self.hash(&account.extension),
        );
        self.list.push(account);
        let (list, hasher) = (&self.list, &self.hasher);
        self.by_user.insert_unique(user, at, |&i| {
            hasher.hash_one(list[i as usize].sip_username.as_str())
        });
        self.by_extension.insert_unique(extension, at, |&i| {
            hasher.hash_one(list[i as usize].extension.as_str())
        });
    }

    /// Removes an account; returns it.
    pub fn remove(&mut self, sip_username: &str) -> Option<Account> {
        let at = self.position(sip_username)?;
        let old = &self.list[at];
        let (user, extension) = (self.hash(&old.sip_username), self.hash(&old.extension));
        let last = self.list.len() - 1;
        let moved = (at != last).then(|| {
            let m = &self.list[last];
            (self.hash(&m.sip_username), self.hash(&m.extension))
        });
        let entry = |table: &mut HashTable<u32>, hash: u64, i: usize| {
            if let Ok(e) = table.find_entry(hash, |&x| x as usize == i) {
                e.remove();
            }
        };
        entry(&mut self.by_user, user, at);
        entry(&mut self.by_extension, extension, at);
        // The last account moves into the gap: its index entries follow it.
        if let Some((user, extension)) = moved {
            for (table, hash) in [
                (&mut self.by_user, user),
                (&mut self.by_extension, extension),
            ] {
                if let Some(i) = table.find_mut(hash, |&x| x as usize == last) {
                    *i = at as u32;
                }
            }
        }
        Some(self.list.swap_remove(at))
    }

    /// The account of a SIP user name.
    pub fn get(&self, sip_username: &str) -> Option<&Account> {
        self.position(sip_username).map(|i| &self.list[i])
    }

    /// Whether `old` (an account of an earlier list) is still here, enabled, as the same
    /// device: its bindings and subscriptions stay.
    pub fn keeps(&self, old: &Account) -> bool {
        self.get(&old.sip_username)
            .is_some_and(|a| a.enabled && a.device_id == old.device_id)
    }

    /// The accounts of an extension's devices, by SIP user name.
    pub fn devices_of(&self, extension: &str) -> Vec<&Account> {
        let mut found: Vec<&Account> = self
            .by_extension
            .iter_hash(self.hash(extension))
            .map(|&i| &self.list[i as usize])
            .filter(|a| a.extension == extension)
            .collect();
        found.sort_unstable_by(|a, b| a.sip_username.cmp(&b.sip_username));
        found
    }

    fn has_extension(&self, extension: &str) -> bool {
        self.by_extension
            .find(self.hash(extension), |&i| {
                self.list[i as usize].extension == extension
            })
            .is_some()
    }

    /// What `user` (a Request-URI user part) names. Extensions win over device names.
    pub fn target<'a>(&'a self, user: &'a str) -> Target<'a> {
        if self.has_extension(user) {
            Target::Extension(user)
        } else if let Some(account) = self.get(user) {
            Target::Device(account)
        } else {
            Target::Unknown
        }
    }

    /// Every account.
    pub fn iter(&self) -> impl Iterator<Item = &Account> {
        self.list.iter()
    }

    /// Number of accounts.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// The accounts (the indexes follow from them).
impl std::fmt::Debug for Accounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.list).finish()
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
        let users = |a: &Accounts, ext: &str| -> Vec<String> {
            a.devices_of(ext)
                .iter()
                .map(|d| d.sip_username.clone())
                .collect()
        };
        assert_eq!(users(&a, "2401"), ["2401-1", "2401-2"]);
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
        assert_eq!(users(&a, "2401"), ["2401-1"]);
        assert_eq!(users(&a, "2501"), ["2401-2"]);
        a.remove("2401-1");
        assert_eq!(a.target("2401"), Target::Unknown);
        assert_eq!(a.len(), 1);
    }

    #[test]
    fn removing_from_the_middle_keeps_the_others_found() {
        let mut a = Accounts::new((0..6).map(|i| account(&format!("d{i}"), &format!("{}", i % 2))));
        assert_eq!(
            a.remove("d1").map(|d| d.sip_username),
            Some("d1".to_owned())
        );
        assert_eq!(a.remove("d1"), None);
        assert_eq!(
            a.remove("d0").map(|d| d.sip_username),
            Some("d0".to_owned())
        );
        for i in 2..6 {
            let user = format!("d{i}");
            assert_eq!(
                a.get(&user).map(|d| d.extension.clone()),
                Some(format!("{}", i % 2))
            );
        }
        let users: Vec<&str> = a
            .devices_of("1")
            .iter()
            .map(|d| d.sip_username.as_str())
            .collect();
        assert_eq!(users, ["d3", "d5"]);
        assert_eq!(a.len(), 4);
        assert_eq!(a.iter().count(), 4);
    }
}
