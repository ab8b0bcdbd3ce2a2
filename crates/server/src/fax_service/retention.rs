//! Faxes are kept as long as voicemail (`[voicemail] retention_days`), then deleted with
//! their files (logged).

use super::{remove_file, FaxShell};

impl FaxShell {
    /// Deletes faxes past the retention; how many.
    pub async fn clean_up(&self) -> Result<usize, store::StoreError> {
        let cutoff = self.live.now_ms() - i64::from(self.settings.retention_days) * 86_400_000;
        let old = self.store.faxes_before(cutoff).await?;
        let mut boxes = std::collections::BTreeSet::new();
        let mut deleted = 0;
        for fax in old {
            if let Some(f) = self.store.delete_fax(fax.id).await? {
                for file in f.file.iter().chain(f.tiff.iter()) {
                    remove_file(&self.settings.data_dir, file);
                }
                boxes.insert(f.box_id);
                deleted += 1;
            }
        }
        if deleted > 0 {
            tracing::info!(
                deleted,
                days = self.settings.retention_days,
                "faxes past their retention were deleted"
            );
        }
        for b in boxes {
            self.tell(b).await;
        }
        Ok(deleted)
    }
}
