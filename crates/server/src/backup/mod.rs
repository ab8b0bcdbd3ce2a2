//! `durchwahl backup FILE` and `durchwahl restore FILE` (issue 20): one archive with the
//! database and every file of the data folder, taken while the server runs, and put back
//! into an empty data folder and an empty database. Design notes: `docs/backup.md`.
//!
//! The archive is a tar (gzip-compressed when FILE ends in `.gz` or `.tgz`):
//!
//! - `manifest.json` first ([`manifest`]): format, Durchwahl version, database kind and
//!   migration, creation time, every file with size and SHA-256;
//! - `database/durchwahl.db` (an SQLite snapshot by `VACUUM INTO`, [`sqlite`]) or
//!   `database/durchwahl.pgdump` (`pg_dump --format=custom`, [`postgres`]);
//! - `data/…`: the data folder's files ([`data_files`]).
//!
//! The pure parts (the manifest's checks, archive names) are separate from the shells
//! that read folders, run `pg_dump` and write files ([`create`], [`restore`], [`unpack`]).

mod checksum;
mod create;
mod data_files;
mod entry_path;
mod manifest;
mod postgres;
mod restore;
mod sqlite;
mod staging;
mod unpack;

use crate::config::Config;
use crate::runtime::DATA_DIR;
use std::path::{Path, PathBuf};
use store::{Backend, DatabaseUrl};

pub use create::backup;
pub use restore::restore;

/// Where an installation keeps its data, from the configuration.
#[derive(Debug, Clone)]
struct Installation {
    /// The data folder, absolute.
    data_dir: PathBuf,
    /// The database.
    database: DatabaseUrl,
    /// The SQLite file, when the database is SQLite.
    sqlite_file: Option<PathBuf>,
}

impl Installation {
    fn of(config: &Config) -> anyhow::Result<Installation> {
        let data_dir = std::path::absolute(config.data_dir_or(DATA_DIR))?;
        let database = config.database_url(DATA_DIR)?;
        let sqlite_file = match database.backend() {
            Backend::Sqlite => Some(sqlite::file_of(&database)?),
            Backend::Postgres => None,
        };
        Ok(Installation {
            data_dir,
            database,
            sqlite_file,
        })
    }

    /// The live database's files inside the data folder, which the backup replaces by
    /// its snapshot.
    fn live_database_files(&self) -> Vec<PathBuf> {
        self.sqlite_file
            .as_deref()
            .map(sqlite::live_files)
            .unwrap_or_default()
    }
}

/// The migrations this build knows, by number and name.
fn known_migrations() -> Vec<(i64, &'static str)> {
    store::MIGRATIONS
        .iter()
        .map(|m| (m.version(), m.name))
        .collect()
}

/// A migration's name, when this build knows it.
fn migration_name(version: i64) -> Option<&'static str> {
    store::MIGRATIONS
        .iter()
        .find(|m| m.version() == version)
        .map(|m| m.name)
}

/// Whether FILE asks for gzip.
fn gzip_wanted(file: &Path) -> bool {
    let name = file.to_string_lossy();
    name.ends_with(".gz") || name.ends_with(".tgz")
}
