//! The live runtime's sections of the configuration: `[presence]` and `[chat]`. Each
//! checks itself; together with the data folder they make the [`LiveSettings`].

use crate::LiveSettings;
use presence::{Audience, Privacy};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// `[presence]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PresenceConfig {
    /// Seconds without input after which the web client counts as idle.
    pub idle_after_seconds: u32,
    /// Hours after which an unfired "tell me when available" watch expires.
    pub watch_hours: u32,
    /// Who sees the work location.
    pub location_visible_to: Audience,
    /// Who sees the status note.
    pub note_visible_to: Audience,
}

impl Default for PresenceConfig {
    fn default() -> Self {
        PresenceConfig {
            idle_after_seconds: 300,
            watch_hours: 8,
            location_visible_to: Audience::Unit,
            note_visible_to: Audience::Unit,
        }
    }
}

/// `[chat]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChatConfig {
    /// The largest attachment in MiB.
    pub attachment_max_mib: u32,
    /// The attachments one person may keep in all, MiB.
    pub attachment_quota_mib: u32,
    /// Group rooms one person may create per hour.
    pub rooms_per_hour: u32,
}

impl Default for ChatConfig {
    fn default() -> Self {
        ChatConfig {
            attachment_max_mib: 25,
            attachment_quota_mib: 500,
            rooms_per_hour: 20,
        }
    }
}

impl PresenceConfig {
    /// Why the section cannot be used, if it cannot.
    pub fn validate(&self) -> Result<(), String> {
        if self.watch_hours == 0 || self.idle_after_seconds < 30 {
            return Err(
                "[presence] watch_hours must be at least 1 and idle_after_seconds at least 30"
                    .into(),
            );
        }
        Ok(())
    }
}

impl ChatConfig {
    /// Why the section cannot be used, if it cannot.
    pub fn validate(&self) -> Result<(), String> {
        if self.attachment_max_mib == 0 {
            return Err("[chat] attachment_max_mib must be at least 1".into());
        }
        if self.attachment_quota_mib < self.attachment_max_mib {
            return Err("[chat] attachment_quota_mib must be at least attachment_max_mib".into());
        }
        Ok(())
    }
}

/// The runtime's settings from both sections; attachments go to `data_dir/attachments`.
pub fn settings(presence: &PresenceConfig, chat: &ChatConfig, data_dir: &Path) -> LiveSettings {
    const MIB: u64 = 1024 * 1024;
    LiveSettings {
        privacy: Privacy {
            location: presence.location_visible_to,
            note: presence.note_visible_to,
        },
        idle_after_seconds: presence.idle_after_seconds,
        watch_ttl_ms: i64::from(presence.watch_hours) * 3_600_000,
        attachment_max_bytes: u64::from(chat.attachment_max_mib) * MIB,
        attachment_dir: data_dir.join("attachments"),
        attachment_quota_bytes: u64::from(chat.attachment_quota_mib) * MIB,
        rooms_per_hour: chat.rooms_per_hour,
        data_dir: data_dir.to_path_buf(),
    }
}
