//! Making SIP devices: the user name `EXTENSION-N`, a generated (or given) password that
//! is returned once, and only its HA1 digests stored. Used by `durchwahl phones` and the
//! REST API alike.

use directory::device::{next_sip_username, DeviceLabel};
use sip::digest::{ha1, Algorithm};
use std::collections::HashMap;
use store::{NewDevice, Store, StoreError};

/// A device made now, with its password (shown once, never stored). No `Debug`, so the
/// password cannot end up in a log line by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Provisioned {
    /// The person's login.
    pub login: String,
    /// Label.
    pub label: String,
    /// SIP user name.
    pub sip_username: String,
    /// The password in clear, for the person or the provisioning file.
    pub sip_password: String,
    /// The person's extension.
    pub extension: String,
    /// The SIP domain (and digest realm).
    pub domain: String,
}

/// One requested device.
pub struct DeviceRequest {
    /// The person's login.
    pub login: String,
    /// The label.
    pub label: DeviceLabel,
    /// A chosen password; `None` generates one.
    pub password: Option<String>,
}

/// Makes the devices (all or none) and returns them with their passwords. Unknown
/// logins, taken labels: an error, and nothing is written.
pub async fn provision(
    store: &Store,
    domain: &str,
    requests: &[DeviceRequest],
    now: i64,
) -> Result<Vec<Provisioned>, StoreError> {
    let mut taken: HashMap<String, Vec<String>> = HashMap::new();
    let mut made = Vec::with_capacity(requests.len());
    let mut rows = Vec::with_capacity(requests.len());
    for r in requests {
        // Only the people asked for: one directory row each, not the whole directory.
        let Some(person) = store.panel_person(&r.login).await? else {
            return Err(StoreError::UnknownLogins(vec![r.login.clone()]));
        };
        let extension = person.extension;
        let used = match taken.get_mut(&extension) {
            Some(used) => used,
            None => {
                let existing = store.sip_usernames_like(&format!("{extension}-")).await?;
                taken.entry(extension.clone()).or_insert(existing)
            }
        };
        let sip_username = next_sip_username(&extension, used);
        used.push(sip_username.clone());
        let password = r
            .password
            .clone()
            .unwrap_or_else(auth::generate_sip_password);
        rows.push(NewDevice {
            login: r.login.clone(),
            label: r.label.as_str().to_string(),
            sip_username: sip_username.clone(),
            realm: domain.to_string(),
            ha1_md5: ha1(Algorithm::Md5, &sip_username, domain, &password),
            ha1_sha256: ha1(Algorithm::Sha256, &sip_username, domain, &password),
        });
        made.push(Provisioned {
            login: r.login.clone(),
            label: r.label.as_str().to_string(),
            sip_username,
            sip_password: password,
            extension,
            domain: domain.to_string(),
        });
    }
    store.add_devices(&rows, now).await?;
    Ok(made)
}
