//! The callees' boxes, read straight from the server's data folder and its SQLite
//! database (WAL: reading beside the running server is fine): before the run, each
//! callee's extension and box language (the greeting they will play); after it, each
//! box's messages, their files decoded (`audio::opus::from_ogg_opus`) and looked at.

use super::recording::{analyse, Audio};
use crate::org;
use anyhow::Context;
use serde::Serialize;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};
use store::Store;
use tokio::time::{sleep, Instant};

/// Whom a caller calls.
#[derive(Debug, Clone)]
pub struct Callee {
    /// The person's extension (their direct number ends with it).
    pub extension: String,
    /// Their box.
    pub mailbox: i64,
    /// Its language (`de`, `en`): the built-in greeting's.
    pub language: String,
}

/// People `0..n` of the load organisation and their boxes (made now if they have none,
/// as the server would on their first call).
pub async fn callees(store: &Store, n: usize, now_ms: i64) -> anyhow::Result<Vec<Callee>> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let login = org::login(i);
        let person = store.panel_person(&login).await?.with_context(|| {
            format!("{login} is not in the directory (prepare --staff {n} or more)")
        })?;
        let mailbox = store.person_mailbox(person.id, now_ms).await?;
        if !mailbox.enabled {
            anyhow::bail!("{login}'s box is switched off");
        }
        out.push(Callee {
            extension: person.extension,
            mailbox: mailbox.id,
            language: mailbox.language,
        });
    }
    Ok(out)
}

/// Waits until every box holds a message or `until` has passed; how many do.
pub async fn wait_for_messages(store: &Store, callees: &[Callee], until: Instant) -> usize {
    let mut missing: Vec<i64> = callees.iter().map(|c| c.mailbox).collect();
    loop {
        let mut still = Vec::new();
        for b in missing {
            if !store.voicemails(b).await.is_ok_and(|m| !m.is_empty()) {
                still.push(b);
            }
        }
        missing = still;
        if missing.is_empty() || Instant::now() >= until {
            return callees.len() - missing.len();
        }
        sleep(Duration::from_millis(250)).await;
    }
}

/// What one box holds after the run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stored {
    /// Messages in the box.
    pub messages: usize,
    /// The (first) message's caller number.
    pub caller_number: Option<String>,
    /// Its length by its row (ms).
    pub row_ms: Option<i64>,
    /// Its file's size (bytes).
    pub file_bytes: Option<usize>,
    /// When the file was written (its mtime, µs since the epoch).
    pub written_us: Option<i64>,
    /// The decoded recording.
    pub audio: Option<Audio>,
    /// Why it could not be read or decoded.
    pub error: Option<String>,
}

/// Reads `callee`'s box: its messages, the first one's file decoded and looked at for a
/// tone of `hz`.
pub async fn read(
    store: &Store,
    data_dir: &Path,
    callee: &Callee,
    hz: u32,
    max_seconds: u32,
) -> Stored {
    let messages = match store.voicemails(callee.mailbox).await {
        Ok(m) => m,
        Err(e) => {
            return Stored {
                error: Some(format!("reading box {}: {e}", callee.mailbox)),
                ..Stored::default()
            }
        }
    };
    let mut stored = Stored {
        messages: messages.len(),
        ..Stored::default()
    };
    let Some(m) = messages.first() else {
        stored.error = Some("no message".into());
        return stored;
    };
    stored.caller_number = m.caller_number.clone();
    stored.row_ms = Some(m.duration_ms);
    let path = data_dir.join(&m.file);
    stored.written_us = std::fs::metadata(&path)
        .and_then(|md| md.modified())
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_micros() as i64);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            stored.error = Some(format!("{}: {e}", m.file));
            return stored;
        }
    };
    stored.file_bytes = Some(bytes.len());
    // Decoding is a few ms of CPU per message: off the runtime's thread.
    let decoded =
        tokio::task::spawn_blocking(move || audio::opus::from_ogg_opus(&bytes, max_seconds + 10))
            .await;
    match decoded {
        Ok(Ok(pcm)) => stored.audio = Some(analyse(&pcm.samples, pcm.rate, hz as f32)),
        Ok(Err(e)) => stored.error = Some(format!("{} does not decode: {e}", m.file)),
        Err(e) => stored.error = Some(format!("decoding {}: {e}", m.file)),
    }
    stored
}
