//! A scratch folder that is removed again unless it is kept: where a backup prepares its
//! archive beside the target file, and where a restore unpacks before anything is moved
//! into place. A failed run leaves nothing behind.

use anyhow::Context;
use std::path::{Path, PathBuf};

/// A folder removed (with everything in it) when dropped.
#[derive(Debug)]
pub struct Staging {
    path: PathBuf,
}

impl Staging {
    /// Creates `parent/name` (which must not exist yet), readable by its owner only.
    pub fn create(parent: &Path, name: &str) -> anyhow::Result<Staging> {
        let path = parent.join(name);
        let mut builder = std::fs::DirBuilder::new();
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(&path)
            .with_context(|| format!("cannot create the scratch folder {}", path.display()))?;
        Ok(Staging { path })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.path) {
            if e.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(folder = %self.path.display(), error = %e, "cannot remove the scratch folder");
            }
        }
    }
}
