//! The data folder's key for secrets at rest, `secrets.key` (issue 20,
//! `docs/secrets-key.md`): 32 random bytes, made with mode 0600 at the first start, read at
//! every start and handed to the store, which seals second-factor (TOTP) secrets with it.
//!
//! A new key is never made while the database holds sealed secrets: then the key from the
//! backup must be restored, or every person enrols their authenticator again. The key is
//! never logged.

use anyhow::{bail, Context};
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use store::{SecretsKey, Store, StoreError, SECRETS_KEY_LEN};

/// The key file's name in the data folder.
pub const FILE_NAME: &str = "secrets.key";

/// Reads the data folder's key (making it when missing and nothing is sealed yet), checks
/// it against the database and seals plain secrets older versions stored; then `store`
/// reads and writes second factors. Fails, changing nothing, with a message saying what to
/// restore when the key is missing, damaged or another one.
pub async fn unlock(store: &mut Store, data_dir: &Path) -> anyhow::Result<()> {
    let path = data_dir.join(FILE_NAME);
    let key = match read(&path)? {
        Some(key) => key,
        None => {
            if store.has_sealed_secrets().await? {
                bail!(
                    "the key file {} is missing, but the database holds encrypted \
                     second-factor (TOTP) secrets: restore {FILE_NAME} from the backup that \
                     belongs to this database into {} (owner: the service user, mode 0600) and \
                     start again. No new key was made and nothing was changed. Without the key, \
                     every second factor must be reset and enrolled again (docs/secrets-key.md).",
                    path.display(),
                    data_dir.display()
                );
            }
            let key = create(data_dir, &path)?;
            tracing::info!(file = %path.display(), "created the key for secrets at rest");
            key
        }
    };
    match store.unlock_secrets(key).await {
        Ok(done) => {
            tracing::info!(
                opened = done.opened,
                sealed_now = done.sealed_now,
                "second-factor secrets: {} encrypted, {} stored in plain text by an older \
                 version encrypted now",
                done.opened,
                done.sealed_now
            );
            if !done.unreadable.is_empty() {
                tracing::warn!(
                    staff_ids = ?done.unreadable,
                    "these people's second-factor secrets do not open with the key (changed \
                     in the database?): reset their second factor so they enrol again"
                );
            }
            Ok(())
        }
        Err(StoreError::SecretsKeyWrong { sealed }) => bail!(
            "the key file {} does not match the database: it opens none of its {sealed} \
             encrypted second-factor (TOTP) secrets. Restore the {FILE_NAME} backed up together \
             with this database (owner: the service user, mode 0600) and start again. Nothing \
             was changed. Without that key, every second factor must be reset and enrolled \
             again (docs/secrets-key.md).",
            path.display()
        ),
        Err(e) => Err(e).context("cannot check the second-factor secrets against the key"),
    }
}

/// The key in `path`; `None` when there is no such file.
fn read(path: &Path) -> anyhow::Result<Option<SecretsKey>> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read the key file {}", path.display()))
        }
    };
    let Some(key) = SecretsKey::from_slice(&bytes) else {
        bail!(
            "the key file {} holds {} bytes, a key has {SECRETS_KEY_LEN}: restore it from the \
             backup that belongs to this database. It was left as it is.",
            path.display(),
            bytes.len()
        );
    };
    let mode = std::fs::metadata(path)?.permissions().mode();
    if mode & 0o077 != 0 {
        tracing::warn!(
            file = %path.display(),
            "the key file can be read by others (mode {:o}): chmod 600 it",
            mode & 0o777
        );
    }
    Ok(Some(key))
}

/// Makes a new key file, mode 0600. Written under a temporary name and linked into place,
/// so a crash never leaves a short key and a key made meanwhile by another process is
/// never replaced (then that one is used).
fn create(data_dir: &Path, path: &Path) -> anyhow::Result<SecretsKey> {
    let key = SecretsKey::generate().context("no randomness from the operating system")?;
    if !write_new_key_file(data_dir, path, key.as_bytes())? {
        return read(path)?.context("the key file vanished while it was made");
    }
    Ok(key)
}

/// Writes a new key file with mode 0600: under a temporary name, then linked into place,
/// so a crash never leaves a short key and a key made meanwhile by another process is
/// never replaced. `false` when `path` existed already (it was left as it is).
pub(crate) fn write_new_key_file(
    data_dir: &Path,
    path: &Path,
    bytes: &[u8],
) -> anyhow::Result<bool> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create the data folder {}", data_dir.display()))?;
    let temporary = PathBuf::from(format!("{}.{}.new", path.display(), std::process::id()));
    let written = (|| {
        let _ = std::fs::remove_file(&temporary);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::hard_link(&temporary, path)
    })();
    let _ = std::fs::remove_file(&temporary);
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot write the key file {}", path.display()))
        }
    }
    // The new name must survive a crash too.
    std::fs::File::open(data_dir)
        .and_then(|dir| dir.sync_all())
        .with_context(|| format!("cannot sync the data folder {}", data_dir.display()))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_key_file_has_32_bytes_mode_0600_and_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let path = data.join(FILE_NAME);
        let key = create(&data, &path).unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!((meta.len(), meta.permissions().mode() & 0o777), (32, 0o600));
        assert_eq!(read(&path).unwrap(), Some(key.clone()));
        // A second maker finds the first one's key and uses it.
        assert_eq!(create(&data, &path).unwrap(), key);
        let names: Vec<_> = std::fs::read_dir(&data).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left");
        std::fs::write(&path, b"short").unwrap();
        let error = read(&path).unwrap_err().to_string();
        assert!(error.contains("holds 5 bytes"), "{error}");
        assert_eq!(read(&data.join("none")).unwrap(), None);
    }
}
