//! Faxes are kept as long as voicemail (`[voicemail] retention_days`), then deleted with
//! their files (logged); files no fax names (a crash or a broken-off upload between file
//! and row, a TIFF that did not become a PDF) go after a day.

use super::{pdf_of, remove_file, FaxShell};
use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// How old a file no fax names must be before it goes.
const ORPHAN_AGE: Duration = Duration::from_secs(86_400);

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
        self.sweep().await?;
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

    /// Deletes files below `fax/` that no fax names and that are older than a day.
    async fn sweep(&self) -> Result<(), store::StoreError> {
        let mut named: HashSet<String> = HashSet::new();
        for file in self.store.fax_files().await? {
            // A fax to send keeps its PDF beside its TIFF.
            if file.ends_with(".tif") {
                named.insert(pdf_of(&file));
            }
            named.insert(file);
        }
        let data_dir = self.settings.data_dir.clone();
        let removed = tokio::task::spawn_blocking(move || sweep_files(&data_dir, &named))
            .await
            .unwrap_or(0);
        if removed > 0 {
            tracing::info!(removed, "fax files no fax names were deleted");
        }
        Ok(())
    }
}

/// Removes old files below `data_dir/fax/<box>/` whose names are not in `named`.
fn sweep_files(data_dir: &Path, named: &HashSet<String>) -> usize {
    let mut removed = 0;
    let Ok(boxes) = std::fs::read_dir(data_dir.join("fax")) else {
        return 0;
    };
    for folder in boxes.flatten() {
        let Ok(files) = std::fs::read_dir(folder.path()) else {
            continue;
        };
        for file in files.flatten() {
            let relative = format!(
                "fax/{}/{}",
                folder.file_name().to_string_lossy(),
                file.file_name().to_string_lossy()
            );
            let old = file
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| SystemTime::now().duration_since(t).ok())
                .is_some_and(|age| age > ORPHAN_AGE);
            if old && !named.contains(&relative) {
                remove_file(data_dir, &relative);
                removed += 1;
            }
        }
    }
    removed
}
