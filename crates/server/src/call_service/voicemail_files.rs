//! Keeping a voicemail: the recording is trimmed (`::voicemail::trim`; nothing is kept of a
//! caller who said nothing), encoded as Ogg Opus off the call thread, written to
//! `voicemail/<box>/` in the data folder (to a temporary name, flushed to disk, renamed),
//! and only then named by a row: a message that was acknowledged survives a crash, and a
//! crash between file and row leaves a file no row names, which the clean-up removes a day
//! later; a row that cannot be written yet is retried until it lands (unless its box is
//! gone).
//! Messages past `[voicemail] retention_days` are deleted, row first, then file (logged).

use super::voicemail::Session;
use calls::CallId;
use std::io::Write;
use std::path::Path;
use store::{Store, Voicemail};

/// What a caller left at a box, before it is kept.
pub(crate) struct Left<'a> {
    /// The box.
    pub mailbox: i64,
    /// Who called.
    pub caller: &'a calls::Party,
    /// When the box answered (Unix ms).
    pub received_ms: i64,
    /// Makes the file's name unique (the call's id).
    pub unique: String,
}

/// Keeps what a caller said at a box (see [`keep`]) after a call.
pub(super) async fn save(
    store: &Store,
    data_dir: &Path,
    session: &Session,
    call: CallId,
    samples: Vec<i16>,
) -> anyhow::Result<Option<i64>> {
    let left = Left {
        mailbox: session.mailbox,
        caller: &session.caller,
        received_ms: session.answered_ms,
        unique: call.to_string(),
    };
    keep(store, data_dir, &left, samples).await
}

/// Keeps a message of 8 kHz `samples`; its id, or `None` when nothing audible was said.
pub(crate) async fn keep(
    store: &Store,
    data_dir: &Path,
    left: &Left<'_>,
    mut samples: Vec<i16>,
) -> anyhow::Result<Option<i64>> {
    let Some(keep) = ::voicemail::trim::keep(&samples) else {
        return Ok(None);
    };
    samples.truncate(keep);
    let duration_ms = (samples.len() as i64 * 1000) / 8000;
    let relative = format!(
        "voicemail/{}/{}-{}.opus",
        left.mailbox, left.received_ms, left.unique
    );
    let path = data_dir.join(&relative);
    tokio::task::spawn_blocking(move || write_opus(&path, &samples)).await??;
    let caller = left.caller;
    let message = Voicemail {
        id: 0,
        box_id: left.mailbox,
        caller_number: Some(caller.number.clone()).filter(|n| !n.is_empty()),
        caller_name: caller.name.clone(),
        caller_staff_id: caller.person,
        received_at: left.received_ms,
        duration_ms,
        file: relative.clone(),
        heard_at: None,
    };
    // The file is the caller's only copy: its row is written until it lands (a busy or
    // briefly unreachable database), never given up for the file to be deleted.
    let mut pause = std::time::Duration::from_millis(100);
    loop {
        match store.add_voicemail(&message).await {
            Ok(id) => return Ok(Some(id)),
            // The box was removed meanwhile (a unit's, by an administrator; a person who
            // left): the message has nowhere to go, and must not hold up those after it.
            Err(_) if matches!(store.mailbox(left.mailbox).await, Ok(None)) => {
                tracing::warn!(
                    mailbox = left.mailbox,
                    "a voicemail's box is gone: the message is dropped"
                );
                remove_file(data_dir, &relative);
                return Ok(None);
            }
            Err(e) => {
                tracing::warn!(error = %e, file = %relative, "a voicemail's row waits for the database");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(std::time::Duration::from_secs(5));
            }
        }
    }
}

/// Encodes 8 kHz samples as Ogg Opus and writes them durably to `path`.
fn write_opus(path: &Path, samples: &[i16]) -> anyhow::Result<()> {
    let pcm = audio::Pcm {
        rate: 8_000,
        samples: samples
            .iter()
            .map(|&s| f32::from(s) / f32::from(i16::MAX))
            .collect(),
    };
    let opus = audio::opus::to_ogg_opus(&pcm)?;
    let folder = path.parent().ok_or_else(|| anyhow::anyhow!("no folder"))?;
    std::fs::create_dir_all(folder)?;
    let temporary = path.with_extension("part");
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(&opus)?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)?;
    std::fs::File::open(folder)?.sync_all()?;
    Ok(())
}

/// Deletes a message's file (its row is gone); a missing file is no error.
pub(crate) fn remove_file(data_dir: &Path, relative: &str) {
    if !relative.starts_with("voicemail/") || relative.contains("..") {
        return;
    }
    match std::fs::remove_file(data_dir.join(relative)) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::warn!(error = %e, file = relative, "a voicemail file stays"),
    }
}

/// Deletes messages past the retention, and files no row names (a crash between the
/// two); the boxes that lost messages.
pub(super) async fn clean_up(
    store: &Store,
    data_dir: &Path,
    now_ms: i64,
    retention_days: u32,
) -> anyhow::Result<Vec<i64>> {
    let cutoff = ::voicemail::retention::cutoff(now_ms, retention_days);
    let due = store.voicemails_before(cutoff).await?;
    let mut boxes = Vec::new();
    for (id, file, mailbox) in &due {
        if store.delete_voicemail(*id).await?.is_some() {
            remove_file(data_dir, file);
            tracing::info!(message = id, "a voicemail past its retention was deleted");
            if !boxes.contains(mailbox) {
                boxes.push(*mailbox);
            }
        }
    }
    let named: std::collections::HashSet<String> =
        store.voicemail_files().await?.into_iter().collect();
    let root = data_dir.join("voicemail");
    let Ok(folders) = std::fs::read_dir(&root) else {
        return Ok(boxes);
    };
    for folder in folders.flatten() {
        let Ok(files) = std::fs::read_dir(folder.path()) else {
            continue;
        };
        for file in files.flatten() {
            let path = file.path();
            let Ok(relative) = path.strip_prefix(data_dir) else {
                continue;
            };
            let relative = relative.to_string_lossy().replace('\\', "/");
            // A file younger than a day may still be waiting for its row: left alone.
            let fresh = file
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age.as_secs() < 86_400);
            if !named.contains(&relative) && !fresh {
                tracing::info!(file = %relative, "a voicemail file no message names was removed");
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    Ok(boxes)
}
