//! `durchwahl restore FILE`: only into an empty data folder and an empty database, and
//! all or nothing. The archive is unpacked into a scratch folder inside the data folder
//! and every file checked first; then the database is put in place (the SQLite snapshot
//! becomes the database file; a PostgreSQL dump goes in with `pg_restore` in one
//! transaction), and last the files are moved into the data folder. Any refusal or
//! failure before that leaves the folder and the database as they were.

use super::staging::Staging;
use super::unpack::{unpack, Unpacked};
use super::{postgres, sqlite, Installation};
use crate::config::Config;
use anyhow::Context;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// What may be in an "empty" data folder: a file system's own folder, when the data
/// folder is a mount point.
const ALLOWED: &[&str] = &["lost+found"];

/// Restores a backup written by [`super::backup`] into an empty data folder and an empty
/// database, and prints a one-line summary.
pub async fn restore(config: &Config, file: &Path) -> anyhow::Result<()> {
    let installation = Installation::of(config)?;
    let file = std::path::absolute(file)?;
    if !file.is_file() {
        anyhow::bail!("{} does not exist or is not a file", file.display());
    }
    if installation.sqlite_file.is_none() {
        let instead = postgres::restore_command(&installation.database, Path::new("DUMP"));
        postgres::require(
            "pg_restore",
            &format!("{instead}\n(DUMP: the backup's database/durchwahl.pgdump)"),
        )?;
    }
    let data_dir = &installation.data_dir;
    refuse_unless_empty_folder(data_dir)?;
    refuse_unless_empty_database(&installation).await?;

    let created = !data_dir.exists();
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create the data folder {}", data_dir.display()))?;
    let result = restore_into(&installation, &file).await;
    if result.is_err() && created {
        let _ = std::fs::remove_dir(data_dir);
    }
    println!("{}", result?);
    Ok(())
}

async fn restore_into(installation: &Installation, file: &Path) -> anyhow::Result<String> {
    let data_dir = installation.data_dir.clone();
    let staging = Staging::create(&data_dir, &format!(".restore-{}", std::process::id()))?;
    let backend = installation.database.backend();
    let (archive, into) = (file.to_path_buf(), staging.path().to_path_buf());
    let unpacked = tokio::task::spawn_blocking(move || unpack(&archive, &into, backend)).await??;
    let Unpacked {
        manifest,
        database,
        data,
    } = unpacked;
    let migration = manifest.database.migration_version;
    // A file of the archive where the live database belongs (a data folder backed up
    // through a link, say) would land over the checked snapshot: refused.
    let live = installation.live_database_files();
    if let Some(clash) = manifest
        .files
        .iter()
        .find(|f| live.contains(&data_dir.join(&f.path)))
    {
        anyhow::bail!(
            "{} is refused: it holds the file {} where the database belongs",
            file.display(),
            clash.path
        );
    }
    // Once more, right before writing: nothing may have appeared meanwhile.
    refuse_unless_empty_folder_but(&data_dir, staging.path())?;
    refuse_unless_empty_database(installation).await?;
    match &installation.sqlite_file {
        Some(target) => {
            let found = sqlite::check(&database).await?;
            if found != Some(migration) {
                anyhow::bail!(
                    "{} is refused: its database is at migration {found:?}, its manifest says {migration}",
                    file.display()
                );
            }
            owned_like(&data_dir, &database);
            put_database_file(&database, target)?;
        }
        None => {
            postgres::restore(&installation.database, &database).await?;
            let found = postgres::latest_migration(&installation.database).await?;
            if found != Some(migration) {
                anyhow::bail!(
                    "the restored database is at migration {found:?}, the backup's manifest says {migration}"
                );
            }
        }
    }
    let moved = move_into(&data, &data_dir)?;
    drop(staging);
    let bytes: u64 = manifest.files.iter().map(|f| f.size).sum();
    Ok(format!(
        "restored {} into {}: {} files ({bytes} bytes) and the database {} at migration \
         {migration}, backed up {} by Durchwahl {}{}",
        file.display(),
        data_dir.display(),
        manifest.files.len(),
        installation.database.redacted(),
        manifest.created_at,
        manifest.durchwahl_version,
        match moved {
            true => "",
            false =>
                "; the files could not be given to the data folder's owner: check their ownership",
        }
    ))
}

fn refuse_unless_empty_folder(data_dir: &Path) -> anyhow::Result<()> {
    refuse_unless_empty_folder_but(data_dir, Path::new(""))
}

/// Refuses unless `data_dir` is missing or holds nothing (but `ours`).
fn refuse_unless_empty_folder_but(data_dir: &Path, ours: &Path) -> anyhow::Result<()> {
    let entries = match std::fs::read_dir(data_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(e)
                .with_context(|| format!("cannot read the data folder {}", data_dir.display()))
        }
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path() != ours && !ALLOWED.contains(&name.as_str()) {
            found.push(name);
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    found.sort();
    found.truncate(5);
    anyhow::bail!(
        "the data folder {} is not empty (it holds {}…): durchwahl restore only fills an \
         empty folder; move the old one aside first (nothing was changed)",
        data_dir.display(),
        found.join(", ")
    )
}

async fn refuse_unless_empty_database(installation: &Installation) -> anyhow::Result<()> {
    let shown = installation.database.redacted();
    match &installation.sqlite_file {
        Some(file) => {
            let journals = sqlite::live_files(file).into_iter().skip(1);
            let journal = journals
                .filter(|j| j.exists())
                .map(|j| j.display().to_string())
                .next();
            if let Some(journal) = journal {
                anyhow::bail!("the database {shown} is not empty ({journal} exists): durchwahl restore only fills an empty database (nothing was changed)");
            }
            if !sqlite::is_empty(file).await? {
                anyhow::bail!(
                    "the database {shown} is not empty: durchwahl restore only fills an empty \
                     database; move the file aside first (nothing was changed)"
                );
            }
        }
        None => {
            let relations = postgres::relations(&installation.database).await?;
            if relations > 0 {
                anyhow::bail!(
                    "the database {shown} is not empty (it holds {relations} tables, sequences \
                     or other objects): durchwahl restore only fills an empty database; \
                     create a new one (CREATE DATABASE …) and point [database] url at it \
                     (nothing was changed)"
                );
            }
        }
    }
    Ok(())
}

/// Puts the SQLite snapshot where the configuration expects the database.
fn put_database_file(snapshot: &Path, target: &Path) -> anyhow::Result<()> {
    if let Some(folder) = target.parent() {
        std::fs::create_dir_all(folder)?;
    }
    match std::fs::rename(snapshot, target) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::CrossesDevices => {
            let mut partial = target.as_os_str().to_owned();
            partial.push(".restoring");
            let partial = PathBuf::from(partial);
            std::fs::copy(snapshot, &partial)?;
            std::fs::File::open(&partial)?.sync_all()?;
            std::fs::rename(&partial, target)?;
            Ok(())
        }
        Err(e) => Err(e).with_context(|| format!("cannot write {}", target.display())),
    }?;
    if let Some(folder) = target.parent() {
        std::fs::File::open(folder)?.sync_all()?;
    }
    Ok(())
}

/// Moves the unpacked files into the data folder, given to the folder's owner (a restore
/// run as root for a server that runs as its own user); `false` when that was not allowed.
fn move_into(data: &Path, data_dir: &Path) -> anyhow::Result<bool> {
    let owned = owned_like(data_dir, data);
    for entry in std::fs::read_dir(data)? {
        let entry = entry?;
        let to = data_dir.join(entry.file_name());
        std::fs::rename(entry.path(), &to)
            .with_context(|| format!("cannot move a restored file to {}", to.display()))?;
    }
    std::fs::File::open(data_dir)?.sync_all()?;
    Ok(owned)
}

/// Gives `path` and everything below it to the owner of `like`; `false` if not allowed.
fn owned_like(like: &Path, path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(like) else {
        return false;
    };
    let (uid, gid) = (meta.uid(), meta.gid());
    let mut all = true;
    let mut stack = vec![path.to_path_buf()];
    while let Some(next) = stack.pop() {
        let Ok(info) = std::fs::symlink_metadata(&next) else {
            all = false;
            continue;
        };
        if info.uid() != uid || info.gid() != gid {
            all &= std::os::unix::fs::lchown(&next, Some(uid), Some(gid)).is_ok();
        }
        if info.is_dir() {
            match std::fs::read_dir(&next) {
                Ok(entries) => stack.extend(entries.flatten().map(|e| e.path())),
                Err(_) => all = false,
            }
        }
    }
    all
}
