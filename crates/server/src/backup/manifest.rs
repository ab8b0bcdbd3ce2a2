//! The manifest, a backup's first entry: what wrote it, which database it holds at which
//! migration, and every file with its size and SHA-256. A restore reads it before
//! anything else and decides from it alone whether this binary may restore the backup
//! here (pure: [`Manifest::check_restorable`]).

use super::entry_path::DatabaseEntry;
use serde::{Deserialize, Serialize};
use store::Backend;

/// What the `format` field of every Durchwahl backup says.
pub const FORMAT: &str = "durchwahl-backup";
/// The layout this build writes and reads; a backup with a higher one is refused.
pub const FORMAT_VERSION: u32 = 1;

/// A backup's first entry, `manifest.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`] of the build that wrote it.
    pub format_version: u32,
    /// The Durchwahl version that wrote it.
    pub durchwahl_version: String,
    /// When the backup began (RFC 3339, UTC).
    pub created_at: String,
    /// The database.
    pub database: DatabasePart,
    /// The data folder's files, by path below the folder (parts joined by `/`).
    pub files: Vec<FileRecord>,
}

/// The database in a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabasePart {
    /// `sqlite` or `postgres`.
    pub kind: Kind,
    /// The newest migration applied to it: its number ...
    pub migration_version: i64,
    /// ... and its name, when the writing build knew it.
    pub migration: Option<String>,
    /// The database file's size and SHA-256.
    pub size: u64,
    /// Lowercase hex.
    pub sha256: String,
}

/// The database kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// An SQLite snapshot.
    Sqlite,
    /// A `pg_dump` custom-format dump.
    Postgres,
}

impl Kind {
    /// The kind of a backend.
    pub fn of(backend: Backend) -> Kind {
        match backend {
            Backend::Sqlite => Kind::Sqlite,
            Backend::Postgres => Kind::Postgres,
        }
    }

    /// Where its file lies in the archive.
    pub fn entry(self) -> DatabaseEntry {
        match self {
            Kind::Sqlite => DatabaseEntry::Sqlite,
            Kind::Postgres => DatabaseEntry::Postgres,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Sqlite => "SQLite",
            Kind::Postgres => "PostgreSQL",
        }
    }
}

/// One file of the data folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRecord {
    /// Below the data folder, parts joined by `/`.
    pub path: String,
    /// Bytes.
    pub size: u64,
    /// Lowercase hex.
    pub sha256: String,
}

/// Why a backup cannot be restored by this build into the configured database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Not a Durchwahl backup at all.
    #[error("this is not a Durchwahl backup (its manifest says format {0:?})")]
    NotABackup(String),
    /// Written in a layout newer than this build reads.
    #[error(
        "the backup was written by Durchwahl {written_by} in backup format {found}; this \
         build reads format {FORMAT_VERSION} at most: restore it with Durchwahl {written_by} or newer"
    )]
    NewerFormat {
        /// The manifest's format version.
        found: u32,
        /// The manifest's Durchwahl version.
        written_by: String,
    },
    /// SQLite backup, PostgreSQL configured, or the other way round.
    #[error(
        "the backup holds a {} database but a {} database is configured: restore it \
         into the same kind of database",
        .backup.name(),
        .configured.name()
    )]
    KindMismatch {
        /// In the backup.
        backup: Kind,
        /// Configured here.
        configured: Kind,
    },
    /// The database has a migration this build does not know (a newer release wrote it).
    #[error(
        "the backup's database is at migration {version} ({name}), which this build of \
         Durchwahl ({this_version}) does not know: it was written by Durchwahl {written_by}; \
         restore it with that version or a newer one"
    )]
    UnknownMigration {
        /// The manifest's migration number.
        version: i64,
        /// Its name, as the manifest gives it.
        name: String,
        /// The manifest's Durchwahl version.
        written_by: String,
        /// This build's version.
        this_version: &'static str,
    },
    /// The same file listed twice, or a file path that is not a plain relative path.
    #[error("the manifest lists the file {0:?} twice or under a bad name")]
    BadFileList(String),
}

impl Manifest {
    /// Whether this build, knowing `migrations` (number and name), may restore the backup
    /// into a `configured` database.
    pub fn check_restorable(
        &self,
        configured: Backend,
        migrations: &[(i64, &str)],
    ) -> Result<(), Refusal> {
        if self.format != FORMAT {
            return Err(Refusal::NotABackup(self.format.clone()));
        }
        if self.format_version > FORMAT_VERSION {
            return Err(Refusal::NewerFormat {
                found: self.format_version,
                written_by: self.durchwahl_version.clone(),
            });
        }
        if self.database.kind != Kind::of(configured) {
            return Err(Refusal::KindMismatch {
                backup: self.database.kind,
                configured: Kind::of(configured),
            });
        }
        let version = self.database.migration_version;
        let known = migrations.iter().find(|(v, _)| *v == version);
        let same_name = match (&self.database.migration, known) {
            (Some(name), Some((_, known))) => name == known,
            (None, Some(_)) => true,
            (_, None) => false,
        };
        if !same_name {
            return Err(Refusal::UnknownMigration {
                version,
                name: self
                    .database
                    .migration
                    .clone()
                    .unwrap_or_else(|| "?".into()),
                written_by: self.durchwahl_version.clone(),
                this_version: env!("CARGO_PKG_VERSION"),
            });
        }
        let mut seen = std::collections::HashSet::new();
        for file in &self.files {
            let plain = matches!(
                super::entry_path::parse(super::entry_path::data_entry(&file.path).as_bytes()),
                Ok(super::entry_path::EntryPath::Data(_))
            );
            if !plain || !seen.insert(file.path.as_str()) {
                return Err(Refusal::BadFileList(file.path.clone()));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Vec<(i64, &'static str)> {
        store::MIGRATIONS
            .iter()
            .map(|m| (m.version(), m.name))
            .collect()
    }

    fn manifest() -> Manifest {
        let latest = store::MIGRATIONS.last().unwrap();
        Manifest {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            durchwahl_version: "0.1.0".into(),
            created_at: "2026-12-07T10:00:00Z".into(),
            database: DatabasePart {
                kind: Kind::Sqlite,
                migration_version: latest.version(),
                migration: Some(latest.name.into()),
                size: 4096,
                sha256: "00".repeat(32),
            },
            files: vec![FileRecord {
                path: "secrets.key".into(),
                size: 32,
                sha256: "11".repeat(32),
            }],
        }
    }

    #[test]
    fn a_backup_of_this_build_restores() {
        assert_eq!(
            manifest().check_restorable(Backend::Sqlite, &known()),
            Ok(())
        );
        let mut older = manifest();
        older.database.migration_version = 3;
        older.database.migration = Some("0003_presence_chat".into());
        assert_eq!(older.check_restorable(Backend::Sqlite, &known()), Ok(()));
    }

    #[test]
    fn refusals_say_why() {
        let m = manifest();
        assert!(matches!(
            m.check_restorable(Backend::Postgres, &known()),
            Err(Refusal::KindMismatch {
                backup: Kind::Sqlite,
                configured: Kind::Postgres
            })
        ));
        let mut newer = manifest();
        newer.durchwahl_version = "9.0.0".into();
        newer.database.migration_version = store::MIGRATIONS.len() as i64 + 1;
        newer.database.migration = Some("0999_future".into());
        let refusal = newer
            .check_restorable(Backend::Sqlite, &known())
            .unwrap_err();
        assert!(
            matches!(refusal, Refusal::UnknownMigration { .. }),
            "{refusal:?}"
        );
        assert!(refusal.to_string().contains("Durchwahl 9.0.0"), "{refusal}");
        let mut renamed = manifest();
        renamed.database.migration = Some("0027_something_else".into());
        assert!(renamed.check_restorable(Backend::Sqlite, &known()).is_err());
        let mut format = manifest();
        format.format_version = FORMAT_VERSION + 1;
        assert!(matches!(
            format.check_restorable(Backend::Sqlite, &known()),
            Err(Refusal::NewerFormat { .. })
        ));
        let mut twice = manifest();
        twice.files.push(twice.files[0].clone());
        assert!(matches!(
            twice.check_restorable(Backend::Sqlite, &known()),
            Err(Refusal::BadFileList(_))
        ));
        let mut escaping = manifest();
        escaping.files[0].path = "../x".into();
        assert!(escaping
            .check_restorable(Backend::Sqlite, &known())
            .is_err());
        let mut other = manifest();
        other.format = "tar".into();
        assert!(matches!(
            other.check_restorable(Backend::Sqlite, &known()),
            Err(Refusal::NotABackup(_))
        ));
    }
}
