//! The fax's shell: fax to mail and mail to fax (issue 17). Call control answers a call
//! for a fax box and places a fax's call (`calls::FaxEvent`); here SpanDSP's modem
//! ([`modem`]) goes on the leg, a received fax becomes a PDF that is listed and mailed
//! ([`finish`]), a PDF to send is checked and converted before anything is stored
//! ([`submit`]), queued faxes go out a few at a time and are tried again when busy
//! ([`queue`]), and old faxes go as voicemail does ([`retention`]).
//!
//! Files live in the data folder under `fax/<box>/`: `in-<id>.pdf` for a received fax
//! (its TIFF only while it arrives), `out-<token>.pdf` and `.tif` for one to send (the
//! TIFF until it is sent or given up).

pub mod config;
pub(crate) mod finish;
pub(crate) mod modem;
pub(crate) mod queue;
pub(crate) mod retention;
pub(crate) mod submit;

use live::Live;
use std::path::PathBuf;
use store::Store;
use tokio::sync::mpsc;

/// What the fax needs to know.
#[derive(Debug, Clone)]
pub struct FaxSettings {
    /// The data folder (faxes go to `fax/<box>/` below it).
    pub data_dir: PathBuf,
    /// Faxes are deleted this many days after they arrived or were sent
    /// (`[voicemail] retention_days`).
    pub retention_days: u32,
    /// `[fax]`
    pub config: config::FaxConfig,
}

/// The fax's services, cheap to clone: finishing a fax runs in a task of its own.
#[derive(Clone)]
pub struct FaxShell {
    pub store: Store,
    pub live: Live,
    pub mailer: crate::mailer::Mailer,
    pub settings: FaxSettings,
    /// Wakes the queue (a fax was queued, or a line became free).
    pub wake: mpsc::Sender<()>,
}

impl FaxShell {
    /// Wakes the queue; a wake-up already pending is enough.
    pub fn wake_queue(&self) {
        let _ = self.wake.try_send(());
    }

    /// Tells those who see box `fax_box` that its list changed.
    pub async fn tell(&self, fax_box: i64) {
        if let Err(e) = web::fax::tell_changed(&self.store, &self.live, fax_box).await {
            tracing::warn!(error = %e, fax_box, "a fax box's viewers could not be told");
        }
    }
}

/// A file's path below the data folder, for names the fax itself made.
pub(crate) fn file_path(data_dir: &std::path::Path, relative: &str) -> Option<PathBuf> {
    (relative.starts_with("fax/") && !relative.contains("..")).then(|| data_dir.join(relative))
}

/// Deletes a fax's file; a missing file is no error.
pub(crate) fn remove_file(data_dir: &std::path::Path, relative: &str) {
    let Some(path) = file_path(data_dir, relative) else {
        return;
    };
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::warn!(error = %e, file = relative, "a fax file stays"),
    }
}

/// Writes `bytes` durably to `relative` below the data folder (a temporary file, synced,
/// renamed, the folder synced).
pub fn write_durably(
    data_dir: &std::path::Path,
    relative: &str,
    bytes: &[u8],
) -> std::io::Result<()> {
    use std::io::Write;
    let path = file_path(data_dir, relative)
        .ok_or_else(|| std::io::Error::other("not a fax file name"))?;
    let folder = path
        .parent()
        .ok_or_else(|| std::io::Error::other("no folder"))?;
    std::fs::create_dir_all(folder)?;
    let temporary = path.with_extension("part");
    let mut file = std::fs::File::create(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&temporary, &path)?;
    std::fs::File::open(folder)?.sync_all()?;
    Ok(())
}

/// The PDF kept beside a fax to send's TIFF.
pub(crate) fn pdf_of(tiff: &str) -> String {
    match tiff.strip_suffix(".tif") {
        Some(stem) => format!("{stem}.pdf"),
        None => format!("{tiff}.pdf"),
    }
}
