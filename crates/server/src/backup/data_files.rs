//! The data folder's files as a backup takes them: every regular file below the folder,
//! with its size and SHA-256, except the live SQLite database and its journals (the
//! backup holds a snapshot of it instead) and unfinished writes (`*.part`: the server
//! writes files under that name and renames them once complete). A file deleted while
//! the folder is read is left out; symbolic links and other special files are skipped
//! with a warning, since a restore takes plain files only.

use super::checksum;
use super::manifest::FileRecord;
use anyhow::Context;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// What the walk found.
#[derive(Debug, Default)]
pub struct Listing {
    /// The files, sorted by path.
    pub files: Vec<FileRecord>,
    /// Paths (below the folder) of links and special files that were left out.
    pub skipped: Vec<String>,
}

/// Lists and hashes the files below `data_dir`, leaving out the paths in `exclude`
/// (absolute: the live database and its journals).
pub fn list(data_dir: &Path, exclude: &[PathBuf]) -> anyhow::Result<Listing> {
    let mut listing = Listing::default();
    let mut folders = vec![data_dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = match std::fs::read_dir(&folder) {
            Ok(entries) => entries,
            Err(e) if e.kind() == ErrorKind::NotFound && folder != data_dir => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", folder.display())),
        };
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot read {}", folder.display()))?;
            let path = entry.path();
            if exclude.contains(&path) {
                continue;
            }
            let kind = match entry.file_type() {
                Ok(kind) => kind,
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
            };
            let relative = relative_name(data_dir, &path)?;
            if kind.is_dir() {
                folders.push(path);
            } else if !kind.is_file() {
                tracing::warn!(file = %relative, "not a plain file: left out of the backup");
                listing.skipped.push(relative);
            } else if !relative.ends_with(".part") {
                match hash_file(&path)? {
                    Some((size, sha256)) => listing.files.push(FileRecord {
                        path: relative,
                        size,
                        sha256,
                    }),
                    // Deleted meanwhile.
                    None => continue,
                }
            }
        }
    }
    listing.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(listing)
}

/// Size and SHA-256 of a file; `None` when it no longer exists.
pub fn hash_file(path: &Path) -> anyhow::Result<Option<(u64, String)>> {
    match std::fs::File::open(path) {
        Ok(file) => checksum::of_reader(std::io::BufReader::new(file))
            .map(Some)
            .with_context(|| format!("cannot read {}", path.display())),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// `path` below `data_dir`, parts joined by `/`.
fn relative_name(data_dir: &Path, path: &Path) -> anyhow::Result<String> {
    let relative = path
        .strip_prefix(data_dir)
        .with_context(|| format!("{} is outside the data folder", path.display()))?;
    let parts: Option<Vec<&str>> = relative.iter().map(|p| p.to_str()).collect();
    match parts {
        Some(parts) => Ok(parts.join("/")),
        None => anyhow::bail!(
            "the file name {} in the data folder is not UTF-8: rename it, then back up again",
            path.display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_below_the_folder_without_the_live_database_and_unfinished_writes() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("voicemail/3")).unwrap();
        std::fs::write(d.join("voicemail/3/1.opus"), b"abc").unwrap();
        std::fs::write(d.join("voicemail/3/2.part"), b"half").unwrap();
        std::fs::write(d.join("secrets.key"), b"k").unwrap();
        std::fs::write(d.join("durchwahl.db"), b"live").unwrap();
        std::fs::write(d.join("durchwahl.db-wal"), b"live").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", d.join("link")).unwrap();
        let listing = list(d, &[d.join("durchwahl.db"), d.join("durchwahl.db-wal")]).unwrap();
        let paths: Vec<&str> = listing.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["secrets.key", "voicemail/3/1.opus"]);
        assert_eq!(listing.files[1].size, 3);
        assert_eq!(
            listing.files[1].sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(listing.skipped, ["link"]);
    }
}
