//! Reading a backup for a restore: the manifest first (and the verdict whether this build
//! may restore it here), then every entry unpacked into a scratch folder and checked
//! against the manifest's size and SHA-256. Anything unexpected refuses the whole
//! archive: a name outside `data/` or with `..`, an absolute name, a link or any other
//! entry that is not a plain file, a file the manifest does not list, one it lists that
//! is missing, a damaged or cut-off archive.

use super::checksum::Hashing;
use super::entry_path::{self, EntryPath};
use super::known_migrations;
use super::manifest::{FileRecord, Manifest};
use anyhow::Context;
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use store::Backend;

/// The largest manifest read (a million files' worth).
const MANIFEST_LIMIT: u64 = 256 << 20;

/// A backup unpacked into a scratch folder, every file checked.
#[derive(Debug)]
pub struct Unpacked {
    /// Its manifest.
    pub manifest: Manifest,
    /// The database file (SQLite snapshot or PostgreSQL dump).
    pub database: PathBuf,
    /// The data folder's files, below this folder.
    pub data: PathBuf,
}

/// Why an archive cannot be read.
fn damaged(archive: &Path) -> impl Fn(std::io::Error) -> anyhow::Error + '_ {
    move |e| {
        anyhow::anyhow!(
            "the backup {} is damaged or incomplete: {e}",
            archive.display()
        )
    }
}

/// Unpacks `archive` into `into` (an empty folder) for a `configured` database.
pub fn unpack(archive: &Path, into: &Path, configured: Backend) -> anyhow::Result<Unpacked> {
    let file = File::open(archive).with_context(|| format!("cannot open {}", archive.display()))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let gzip = reader
        .fill_buf()
        .map_err(damaged(archive))?
        .starts_with(&[0x1f, 0x8b]);
    let source: Box<dyn Read> = match gzip {
        true => Box::new(flate2::read::GzDecoder::new(reader)),
        false => Box::new(reader),
    };
    let mut tar = tar::Archive::new(source);
    let mut entries = tar.entries().map_err(damaged(archive))?;
    let not_a_backup = || {
        anyhow::anyhow!(
            "{} is not a Durchwahl backup (it does not begin with {})",
            archive.display(),
            entry_path::MANIFEST
        )
    };
    let mut first = entries
        .next()
        .ok_or_else(not_a_backup)?
        .map_err(|_| not_a_backup())?;
    if entry_path::parse(&first.path_bytes()) != Ok(EntryPath::Manifest)
        || first.header().entry_type() != tar::EntryType::Regular
        || first.size() > MANIFEST_LIMIT
    {
        return Err(not_a_backup());
    }
    let mut json = Vec::new();
    first.read_to_end(&mut json).map_err(damaged(archive))?;
    let manifest: Manifest = serde_json::from_slice(&json)
        .with_context(|| format!("the manifest of {} cannot be read", archive.display()))?;
    manifest.check_restorable(configured, &known_migrations())?;

    let database_entry = manifest.database.kind.entry();
    let database = into.join("database");
    let data = into.join("data");
    std::fs::create_dir(&data)?;
    let listed: HashMap<&str, &FileRecord> = manifest
        .files
        .iter()
        .map(|f| (f.path.as_str(), f))
        .collect();
    let mut seen: HashSet<String> = HashSet::new();
    let mut database_seen = false;
    for entry in entries {
        let mut entry = entry.map_err(damaged(archive))?;
        let raw = entry.path_bytes().into_owned();
        let shown = String::from_utf8_lossy(&raw).into_owned();
        let path =
            entry_path::parse(&raw).with_context(|| format!("{} is refused", archive.display()))?;
        let kind = entry.header().entry_type();
        if kind != tar::EntryType::Regular {
            anyhow::bail!(
                "{} is refused: its entry {shown:?} is not a plain file ({kind:?})",
                archive.display()
            );
        }
        let size = entry.size();
        let mode = entry.header().mode().unwrap_or(0o600);
        match path {
            EntryPath::Manifest => anyhow::bail!("{} has a second manifest", archive.display()),
            EntryPath::Database(which) if which == database_entry && !database_seen => {
                let expected = (manifest.database.size, manifest.database.sha256.as_str());
                write_checked(&mut entry, size, &database, expected, 0o600)
                    .with_context(|| format!("{}: {shown}", archive.display()))?;
                database_seen = true;
            }
            EntryPath::Database(_) => {
                anyhow::bail!(
                    "{} has an unexpected database entry {shown:?}",
                    archive.display()
                )
            }
            EntryPath::Data(relative) => {
                let record = listed.get(relative.as_str()).with_context(|| {
                    format!(
                        "{} holds {shown:?}, which its manifest does not list",
                        archive.display()
                    )
                })?;
                if !seen.insert(relative.clone()) {
                    anyhow::bail!("{} holds {shown:?} twice", archive.display());
                }
                let target = data.join(&relative);
                if let Some(folder) = target.parent() {
                    std::fs::create_dir_all(folder)?;
                }
                let expected = (record.size, record.sha256.as_str());
                write_checked(&mut entry, size, &target, expected, mode)
                    .with_context(|| format!("{}: {shown}", archive.display()))?;
            }
        }
    }
    if !database_seen {
        anyhow::bail!(
            "{} is incomplete: the database is missing",
            archive.display()
        );
    }
    if let Some(missing) = manifest.files.iter().find(|f| !seen.contains(&f.path)) {
        anyhow::bail!(
            "{} is incomplete: {} is missing",
            archive.display(),
            missing.path
        );
    }
    // The rest of the stream too: gzip checks its CRC at the very end.
    std::io::copy(&mut tar.into_inner(), &mut std::io::sink()).map_err(damaged(archive))?;
    Ok(Unpacked {
        manifest,
        database,
        data,
    })
}

/// Writes one entry to `target` (new), checking it against the manifest's size and
/// SHA-256, synced to disk.
fn write_checked(
    entry: &mut impl Read,
    size: u64,
    target: &Path,
    (expected_size, expected_sha256): (u64, &str),
    mode: u32,
) -> anyhow::Result<()> {
    if size != expected_size {
        anyhow::bail!("the archive holds {size} bytes, the manifest {expected_size}");
    }
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(target)
        .with_context(|| format!("cannot create {}", target.display()))?;
    let mut out = Hashing::new(BufWriter::new(file));
    std::io::copy(entry, &mut out).context("damaged or incomplete")?;
    let (buffered, written, sha256) = out.into_parts();
    if written != expected_size {
        anyhow::bail!("incomplete: cut off after {written} of {expected_size} bytes");
    }
    if sha256 != expected_sha256 {
        anyhow::bail!("damaged: its SHA-256 differs from the manifest's");
    }
    let mut file = buffered.into_inner().map_err(|e| e.into_error())?;
    file.flush()?;
    let mode = match mode & 0o777 {
        0 => 0o600,
        m => m | 0o600,
    };
    file.set_permissions(std::fs::Permissions::from_mode(mode))?;
    file.sync_all()?;
    Ok(())
}
