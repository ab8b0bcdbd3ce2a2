//! The files behind chat attachments, in `DATA_DIR/attachments/`: removed when their
//! message is deleted, and by an hourly clean-up when an upload was never sent within a
//! day or a crash left a half-written `.part` file.

use std::path::Path;
use store::{Store, StoreError};

/// How long an upload may wait to be sent before it is removed.
pub const UNSENT_KEPT_MS: i64 = 24 * 3600 * 1000;

/// Removes the files of these attachments (gone from the store already).
pub async fn remove(dir: &Path, ids: &[String]) {
    for id in ids {
        if let Err(e) = tokio::fs::remove_file(dir.join(id)).await {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(error = %e, "could not remove an attachment file");
            }
        }
    }
}

/// Removes uploads not sent within [`UNSENT_KEPT_MS`] of `now_ms`, attachments of
/// deleted messages, and `.part` files as old; returns how many files went.
pub async fn clean_up(store: &Store, dir: &Path, now_ms: i64) -> Result<usize, StoreError> {
    let cutoff = now_ms - UNSENT_KEPT_MS;
    let ids = store.remove_stale_attachments(cutoff).await?;
    remove(dir, &ids).await;
    let mut removed = ids.len();
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return Ok(removed);
    };
    let cutoff = std::time::UNIX_EPOCH + std::time::Duration::from_millis(cutoff.max(0) as u64);
    while let Ok(Some(entry)) = entries.next_entry().await {
        let stale = entry.file_name().to_string_lossy().ends_with(".part")
            && entry
                .metadata()
                .await
                .and_then(|m| m.modified())
                .is_ok_and(|t| t < cutoff);
        if stale && tokio::fs::remove_file(entry.path()).await.is_ok() {
            removed += 1;
        }
    }
    Ok(removed)
}
