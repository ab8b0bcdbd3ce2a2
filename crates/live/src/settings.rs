//! The live runtime's settings, built once from the configuration.

use presence::Privacy;
use std::path::PathBuf;

/// Presence and chat settings.
#[derive(Debug, Clone)]
pub struct LiveSettings {
    /// Who sees location and note.
    pub privacy: Privacy,
    /// Idle time after which the web client reports the person idle.
    pub idle_after_seconds: u32,
    /// How long a watch waits before it expires.
    pub watch_ttl_ms: i64,
    /// The largest attachment.
    pub attachment_max_bytes: u64,
    /// Where attachments are kept.
    pub attachment_dir: PathBuf,
    /// Bytes of attachments one person may keep in all.
    pub attachment_quota_bytes: u64,
    /// Rooms one person may create per hour (administrators' managed rooms aside).
    pub rooms_per_hour: u32,
    /// The data folder (voicemail recordings are kept below it, `voicemail/<box>/`).
    pub data_dir: PathBuf,
}
