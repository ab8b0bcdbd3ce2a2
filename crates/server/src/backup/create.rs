//! `durchwahl backup FILE`: the database snapshot first, then the data folder's files,
//! into one archive prepared beside FILE and linked into place only when complete (a
//! failed backup leaves no half file; an existing FILE is never overwritten).
//!
//! Every file is hashed for the manifest, then hashed again as it goes into the archive:
//! a file the server replaced in between (files are mostly written once) makes the
//! archive disagree with its manifest, so the whole backup starts over, up to
//! [`ATTEMPTS`] times.

use super::checksum::Hashing;
use super::entry_path::{self, MANIFEST};
use super::manifest::{DatabasePart, FileRecord, Kind, Manifest, FORMAT, FORMAT_VERSION};
use super::staging::Staging;
use super::{data_files, gzip_wanted, migration_name, postgres, sqlite, Installation};
use crate::config::Config;
use anyhow::Context;
use std::fs::File;
use std::io::{BufReader, BufWriter, ErrorKind, Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// How often a backup starts over when files change under it.
const ATTEMPTS: u32 = 3;

/// A file changed between being listed and being archived.
#[derive(Debug, thiserror::Error)]
#[error("{0} changed while it was being backed up")]
struct Changed(String);

/// Writes a consistent backup of the database and the data folder to `file` while the
/// server runs, and prints a one-line summary.
pub async fn backup(config: &Config, file: &Path) -> anyhow::Result<()> {
    let installation = Installation::of(config)?;
    let file = std::path::absolute(file)?;
    if file.symlink_metadata().is_ok() {
        anyhow::bail!(
            "{} already exists: durchwahl backup never overwrites a file; give a new name \
             (e.g. with the date in it)",
            file.display()
        );
    }
    if file.starts_with(&installation.data_dir) {
        anyhow::bail!(
            "{} is inside the data folder {}: write the backup somewhere else (it would \
             be part of the next backup)",
            file.display(),
            installation.data_dir.display()
        );
    }
    if !installation.data_dir.is_dir() {
        anyhow::bail!(
            "the data folder {} does not exist: check --data-dir or data_dir in the configuration",
            installation.data_dir.display()
        );
    }
    let folder = file.parent().context("FILE has no folder")?;
    if !folder.is_dir() {
        anyhow::bail!("the folder {} does not exist", folder.display());
    }
    if installation.sqlite_file.is_none() {
        let mut dump = file.as_os_str().to_owned();
        dump.push(".pgdump");
        let instead = postgres::dump_command(&installation.database, Path::new(&dump));
        postgres::require(
            "pg_dump",
            &format!("{instead}\n(with the password, if any, in PGPASSWORD)"),
        )?;
    }
    let mut attempt = 1;
    loop {
        match attempt_once(&installation, &file).await {
            Ok(summary) => {
                println!("{summary}");
                return Ok(());
            }
            Err(e) if attempt < ATTEMPTS && e.downcast_ref::<Changed>().is_some() => {
                tracing::info!(error = %e, attempt, "starting the backup over");
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

async fn attempt_once(installation: &Installation, file: &Path) -> anyhow::Result<String> {
    let folder = file.parent().context("FILE has no folder")?;
    let name = file.file_name().unwrap_or_default().to_string_lossy();
    let staging = Staging::create(folder, &format!(".{name}.partial-{}", std::process::id()))?;
    let created_at = jiff::Timestamp::now()
        .round(jiff::Unit::Second)?
        .to_string();
    let kind = Kind::of(installation.database.backend());
    let database = staging.path().join(match kind {
        Kind::Sqlite => "durchwahl.db",
        Kind::Postgres => "durchwahl.pgdump",
    });
    // The database first: every file it refers to was written before it (the server
    // writes a file, then its row), so the files read afterwards include them.
    let migration = match &installation.sqlite_file {
        Some(live) => sqlite::snapshot(live, &database).await?,
        None => postgres::dump(&installation.database, &database).await?,
    };
    let installation = installation.clone();
    let file = file.to_path_buf();
    let archive = staging.path().join("archive");
    tokio::task::spawn_blocking(move || {
        let listing =
            data_files::list(&installation.data_dir, &installation.live_database_files())?;
        let (size, sha256) =
            data_files::hash_file(&database)?.context("the database copy is gone")?;
        let manifest = Manifest {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            durchwahl_version: env!("CARGO_PKG_VERSION").into(),
            created_at,
            database: DatabasePart {
                kind,
                migration_version: migration,
                migration: migration_name(migration).map(str::to_owned),
                size,
                sha256,
            },
            files: listing.files,
        };
        let written = write_archive(
            &archive,
            gzip_wanted(&file),
            &manifest,
            &database,
            &installation.data_dir,
        )?;
        publish(&archive, &file)?;
        drop(staging);
        let data: u64 = manifest.files.iter().map(|f| f.size).sum();
        let mut summary = format!(
            "backup written to {}: {} files ({data} bytes) from {} and the {} database at \
             migration {migration} ({size} bytes); archive {written} bytes",
            file.display(),
            manifest.files.len(),
            installation.data_dir.display(),
            match kind {
                Kind::Sqlite => "SQLite",
                Kind::Postgres => "PostgreSQL",
            },
        );
        if !listing.skipped.is_empty() {
            summary.push_str(&format!(
                "; {} links or special files left out: {}",
                listing.skipped.len(),
                listing.skipped.join(", ")
            ));
        }
        Ok(summary)
    })
    .await?
}

/// The archive's file, gzip-compressed or not.
enum Sink {
    Plain(BufWriter<File>),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Plain(w) => w.write(buf),
            Sink::Gzip(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Plain(w) => w.flush(),
            Sink::Gzip(w) => w.flush(),
        }
    }
}

impl Sink {
    /// Ends the compressed stream and flushes everything to disk.
    fn finish(self) -> std::io::Result<File> {
        let buffered = match self {
            Sink::Plain(w) => w,
            Sink::Gzip(w) => w.finish()?,
        };
        let file = buffered.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        Ok(file)
    }
}

/// Writes manifest, database and files to `archive` (readable by its owner only: it
/// holds every secret of the installation); returns its size.
fn write_archive(
    archive: &Path,
    gzip: bool,
    manifest: &Manifest,
    database: &Path,
    data_dir: &Path,
) -> anyhow::Result<u64> {
    let out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(archive)
        .with_context(|| format!("cannot create {}", archive.display()))?;
    let out = BufWriter::with_capacity(1 << 20, out);
    let sink = match gzip {
        true => Sink::Gzip(flate2::write::GzEncoder::new(
            out,
            flate2::Compression::default(),
        )),
        false => Sink::Plain(out),
    };
    let mut tar = tar::Builder::new(sink);
    let json = serde_json::to_vec_pretty(manifest)?;
    let mut header = tar::Header::new_gnu();
    header.set_size(json.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(unix_now());
    tar.append_data(&mut header, MANIFEST, json.as_slice())?;
    let db = &manifest.database;
    append_file(
        &mut tar,
        db.kind.entry().name(),
        database,
        db.size,
        &db.sha256,
    )?;
    for FileRecord { path, size, sha256 } in &manifest.files {
        let source: PathBuf = data_dir.join(path);
        append_file(
            &mut tar,
            &entry_path::data_entry(path),
            &source,
            *size,
            sha256,
        )?;
    }
    let file = tar.into_inner()?.finish()?;
    Ok(file.metadata()?.len())
}

/// Appends `source` as `name`, checking it still has the size and hash of the manifest.
fn append_file(
    tar: &mut tar::Builder<Sink>,
    name: &str,
    source: &Path,
    size: u64,
    sha256: &str,
) -> anyhow::Result<()> {
    let file = match File::open(source) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Err(Changed(name.into()).into()),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", source.display())),
    };
    let meta = file.metadata()?;
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(meta.mode() & 0o777);
    header.set_mtime(u64::try_from(meta.mtime()).unwrap_or(0));
    header.set_entry_type(tar::EntryType::Regular);
    let mut reader = Hashing::new(BufReader::new(file).take(size));
    tar.append_data(&mut header, name, &mut reader)
        .with_context(|| format!("cannot archive {}", source.display()))?;
    let (read, hash) = reader.finish();
    if read != size || hash != sha256 {
        return Err(Changed(name.into()).into());
    }
    Ok(())
}

/// Gives the finished archive its name, unless a file of that name appeared meanwhile.
fn publish(archive: &Path, file: &Path) -> anyhow::Result<()> {
    match std::fs::hard_link(archive, file) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            anyhow::bail!(
                "{} appeared while the backup ran: not overwritten",
                file.display()
            )
        }
        // A file system without hard links: rename, after looking once more.
        Err(_) if file.symlink_metadata().is_err() => std::fs::rename(archive, file)
            .with_context(|| format!("cannot write {}", file.display()))?,
        Err(e) => return Err(e).with_context(|| format!("cannot write {}", file.display())),
    }
    if let Some(folder) = file.parent() {
        File::open(folder)?.sync_all()?;
    }
    Ok(())
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
