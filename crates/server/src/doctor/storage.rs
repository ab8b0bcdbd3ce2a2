//! The data folder (there and writable) and the database (reachable, and where its schema
//! stands against this binary's migrations), looked at without changing either: nothing
//! is created and nothing migrated.

use super::finding::Finding;
use std::path::Path;
use store::{schema_status, DatabaseUrl, SchemaStatus};

/// The data folder.
pub fn data_folder(dir: &Path) -> Finding {
    let check = format!("data folder {}", dir.display());
    if !dir.exists() {
        return Finding::amber(
            check,
            "does not exist yet",
            "the first start creates it; its parent must be writable for the durchwahl user \
             (the Debian package creates /var/lib/durchwahl)",
        );
    }
    if !dir.is_dir() {
        return Finding::red(check, "is not a folder", "set data_dir to a folder");
    }
    let probe = dir.join(format!(".doctor-{}", std::process::id()));
    match std::fs::write(&probe, b"") {
        Ok(()) => {
            std::fs::remove_file(&probe).ok();
            Finding::green(check, "writable")
        }
        Err(e) => Finding::red(
            check,
            format!("not writable: {e}"),
            "give the durchwahl user the folder: `chown -R durchwahl: FOLDER`",
        ),
    }
}

/// The key file of the encrypted second-factor secrets (`docs/secrets-key.md`).
pub fn secrets_key(dir: &Path) -> Finding {
    use std::os::unix::fs::PermissionsExt;
    let file = dir.join(crate::secrets_key::FILE_NAME);
    let check = format!("key file {}", file.display());
    match std::fs::metadata(&file) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Finding::amber(
            check,
            "not there",
            "the first start creates it; if people already enrolled authenticator apps,              restore it from the backup made with this database instead",
        ),
        Err(e) => Finding::red(
            check,
            format!("cannot be read: {e}"),
            "give it to the durchwahl user: `chown durchwahl: FILE; chmod 600 FILE`",
        ),
        Ok(meta) if meta.len() != 32 => Finding::red(
            check,
            format!("holds {} bytes, not 32", meta.len()),
            "restore the key file from the backup made with this database",
        ),
        Ok(meta) if meta.permissions().mode() & 0o077 != 0 => Finding::amber(
            check,
            format!("readable by others (mode {:o})", meta.permissions().mode() & 0o777),
            "`chmod 600` it: whoever reads it and the database has everyone's second factor",
        ),
        Ok(_) => Finding::green(check, "present, readable by its owner only"),
    }
}

/// The database.
pub async fn database(url: &DatabaseUrl) -> Finding {
    let check = format!("database {}", url.redacted());
    match schema_status(url).await {
        Ok(SchemaStatus::Current { latest }) => {
            Finding::green(check, format!("reachable, all {latest} migrations applied"))
        }
        Ok(SchemaStatus::Missing) => Finding::amber(
            check,
            "no database file yet",
            "the first start creates it (this is expected before the first start)",
        ),
        Ok(SchemaStatus::Empty) => Finding::amber(
            check,
            "reachable and empty",
            "the first start creates the tables (this is expected before the first start)",
        ),
        Ok(SchemaStatus::Behind { applied, latest }) => Finding::amber(
            check,
            format!("migration {applied} of {latest} applied"),
            "the next start applies the rest; make a backup first: `durchwahl backup FILE`",
        ),
        Ok(SchemaStatus::Ahead { applied, latest }) => Finding::red(
            check,
            format!("written by a newer Durchwahl (migration {applied}; this one knows {latest})"),
            "install the newer version again, or restore a backup made by this version",
        ),
        Err(e) => Finding::red(
            check,
            format!("cannot be read: {e}"),
            if url.sqlite_file().is_some() {
                "check that the durchwahl user may read and write the file and its folder"
            } else {
                "check that PostgreSQL runs, the host and port, the user's password, and \
                 pg_hba.conf for this machine's address"
            },
        ),
    }
}
