//! The names inside a backup archive, and the check every name read back must pass: a
//! backup holds `manifest.json`, one database file under `database/` and the data
//! folder's files under `data/`. A name that is absolute, has `..` or `.` or an empty
//! part, or lies anywhere else is refused, so nothing read from an archive can land
//! outside the folder it is unpacked into (pure: bytes in, a verdict out).

/// The manifest's name; it is always the archive's first entry.
pub const MANIFEST: &str = "manifest.json";

/// Where the database lies in the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseEntry {
    /// An SQLite snapshot (`VACUUM INTO`), a database file of its own.
    Sqlite,
    /// A `pg_dump --format=custom` file.
    Postgres,
}

impl DatabaseEntry {
    /// Its name in the archive.
    pub fn name(self) -> &'static str {
        match self {
            DatabaseEntry::Sqlite => "database/durchwahl.db",
            DatabaseEntry::Postgres => "database/durchwahl.pgdump",
        }
    }
}

/// What an entry's name says it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryPath {
    /// `manifest.json`
    Manifest,
    /// The database.
    Database(DatabaseEntry),
    /// A file of the data folder: its path below the folder, parts joined by `/`.
    Data(String),
}

/// Why a name is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathRefusal {
    /// Not UTF-8.
    #[error("an entry's name is not UTF-8")]
    NotUtf8,
    /// `/…`
    #[error("the entry {0:?} has an absolute path")]
    Absolute(String),
    /// `..`, `.` or an empty part.
    #[error("the entry {0:?} has a `..`, `.` or empty part in its path")]
    Escapes(String),
    /// Somewhere a backup never puts anything.
    #[error("the entry {0:?} is not where a backup puts files")]
    Unexpected(String),
}

/// The archive name of a data-folder file at `relative` (parts joined by `/`).
pub fn data_entry(relative: &str) -> String {
    format!("data/{relative}")
}

/// Checks an entry's raw name (as stored in the archive).
pub fn parse(raw: &[u8]) -> Result<EntryPath, PathRefusal> {
    let name = std::str::from_utf8(raw).map_err(|_| PathRefusal::NotUtf8)?;
    if name.starts_with('/') || name.starts_with('\\') {
        return Err(PathRefusal::Absolute(name.to_owned()));
    }
    let parts: Vec<&str> = name.split('/').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || *p == "." || *p == ".." || p.contains('\0'))
    {
        return Err(PathRefusal::Escapes(name.to_owned()));
    }
    match parts.as_slice() {
        [MANIFEST] => Ok(EntryPath::Manifest),
        ["data", rest @ ..] if !rest.is_empty() => Ok(EntryPath::Data(rest.join("/"))),
        _ if name == DatabaseEntry::Sqlite.name() => Ok(EntryPath::Database(DatabaseEntry::Sqlite)),
        _ if name == DatabaseEntry::Postgres.name() => {
            Ok(EntryPath::Database(DatabaseEntry::Postgres))
        }
        _ => Err(PathRefusal::Unexpected(name.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_kinds_of_entry() {
        assert_eq!(parse(b"manifest.json"), Ok(EntryPath::Manifest));
        assert_eq!(
            parse(b"database/durchwahl.db"),
            Ok(EntryPath::Database(DatabaseEntry::Sqlite))
        );
        assert_eq!(
            parse(b"database/durchwahl.pgdump"),
            Ok(EntryPath::Database(DatabaseEntry::Postgres))
        );
        assert_eq!(
            parse(b"data/voicemail/3/1.opus"),
            Ok(EntryPath::Data("voicemail/3/1.opus".into()))
        );
        assert_eq!(
            parse(data_entry("secrets.key").as_bytes()),
            Ok(EntryPath::Data("secrets.key".into()))
        );
    }

    #[test]
    fn nothing_outside_the_folder() {
        for bad in [
            &b"/etc/passwd"[..],
            b"\\evil",
            b"data/../../etc/cron.d/x",
            b"data/a/../../b",
            b"data/./x",
            b"data//x",
            b"data/",
            b"data",
            b"..",
            b"./manifest.json",
        ] {
            assert!(
                parse(bad).is_err(),
                "{:?} accepted",
                String::from_utf8_lossy(bad)
            );
        }
        assert!(matches!(parse(b"/data/x"), Err(PathRefusal::Absolute(_))));
        assert!(matches!(parse(b"data/../x"), Err(PathRefusal::Escapes(_))));
        assert!(matches!(parse(b"etc/x"), Err(PathRefusal::Unexpected(_))));
        assert!(matches!(
            parse(b"database/other.db"),
            Err(PathRefusal::Unexpected(_))
        ));
        assert_eq!(parse(b"data/\xff"), Err(PathRefusal::NotUtf8));
    }
}
