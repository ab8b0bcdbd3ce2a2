//! `[voicemail]`: how long a message may be, how long messages are kept, and the address
//! of the web client that notification e-mails link to.

use serde::{Deserialize, Serialize};

/// `[voicemail]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VoicemailConfig {
    /// The longest message, seconds.
    pub max_seconds: u32,
    /// Messages are deleted this many days after they were left.
    pub retention_days: u32,
    /// The web client's address for links in e-mails (`https://durchwahl.lra.example`);
    /// default: the HTTP listen address.
    pub web_address: Option<String>,
}

impl Default for VoicemailConfig {
    fn default() -> Self {
        VoicemailConfig {
            max_seconds: 180,
            retention_days: 90,
            web_address: None,
        }
    }
}

impl VoicemailConfig {
    /// Checks the values.
    pub fn validate(&self) -> Result<(), String> {
        if !(10..=3_600).contains(&self.max_seconds) {
            return Err("[voicemail] max_seconds must be 10 to 3600".into());
        }
        if !(1..=3_650).contains(&self.retention_days) {
            return Err("[voicemail] retention_days must be 1 to 3650".into());
        }
        if let Some(a) = &self.web_address {
            if !(a.starts_with("https://") || a.starts_with("http://")) {
                return Err(format!(
                    "[voicemail] web_address {a:?} must start with https:// or http://"
                ));
            }
        }
        Ok(())
    }
}
