//! The fax box the machines call, read straight from the server's data folder and its
//! SQLite database (WAL: reading beside the running server is fine), as the voicemail
//! load reads its boxes: before the run the box is made if it is not there (a unit's box,
//! as an administrator would make it; the server looks boxes up per call), after it each
//! fax's row and its PDF (pages counted with `fax::document::pdf_pages`).

use anyhow::Context;
use serde::Serialize;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};
use store::{Fax, FaxDirection, FaxOwner, FaxStatus, Store};
use tokio::time::{sleep, Instant};

/// The box under `number`, made for the unit `unit` (its path) if there is none; its id.
pub async fn ensure_box(
    store: &Store,
    number: &str,
    unit: &str,
    now_ms: i64,
) -> anyhow::Result<i64> {
    if let Some(b) = store.fax_box_by_number(number).await? {
        return Ok(b.id);
    }
    let unit_id = store.unit_id_by_path(unit).await?.with_context(|| {
        format!("no unit {unit:?} (durchwahl-load prepare makes the load organisation)")
    })?;
    let made = store
        .create_fax_box(number, FaxOwner::Unit(unit_id), None, now_ms)
        .await
        .with_context(|| format!("making the fax box {number}"))?;
    Ok(made.id)
}

/// The box's received faxes that began at or after `since_ms`, once `n` of them are
/// finished (received or failed) or `until` has passed.
pub async fn wait_for_faxes(
    store: &Store,
    box_id: i64,
    since_ms: i64,
    n: usize,
    until: Instant,
) -> Vec<Fax> {
    loop {
        let faxes: Vec<Fax> = store
            .faxes_of_box(box_id, 10_000)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|f| f.direction == FaxDirection::In && f.created_ms >= since_ms)
            .collect();
        let finished = faxes.iter().filter(|f| f.status.is_finished()).count();
        if finished >= n || Instant::now() >= until {
            return faxes;
        }
        sleep(Duration::from_millis(250)).await;
    }
}

/// One received fax as the server keeps it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Kept {
    /// Its row's id.
    pub fax_id: i64,
    /// The caller's number, as the row has it.
    pub remote: String,
    /// The far station's id, as the row has it.
    pub remote_ident: Option<String>,
    /// The row's status (`received`, `failed`, `receiving`).
    pub status: String,
    /// The row's pages.
    pub row_pages: i64,
    /// Why it failed, by the row.
    pub reason: Option<String>,
    /// Pages of its PDF, when the file is there.
    pub pdf_pages: Option<usize>,
    /// When the row was finished (µs since the epoch).
    pub finished_us: Option<i64>,
    /// When the PDF was written (its mtime, µs since the epoch).
    pub written_us: Option<i64>,
    /// Why its file could not be read.
    pub error: Option<String>,
}

impl Kept {
    /// Received with `pages` pages by its row, and its PDF there with as many.
    pub fn complete(&self, pages: u32) -> bool {
        self.status == FaxStatus::Received.as_str()
            && self.row_pages == i64::from(pages)
            && self.pdf_pages == Some(pages as usize)
    }
}

/// A fax's row and its PDF, looked at.
pub fn read(data_dir: &Path, f: &Fax) -> Kept {
    let mut kept = Kept {
        fax_id: f.id,
        remote: f.remote.clone(),
        remote_ident: f.remote_ident.clone(),
        status: f.status.as_str().to_string(),
        row_pages: f.pages,
        reason: f.reason.clone(),
        finished_us: f.finished_ms.map(|ms| ms * 1_000),
        ..Kept::default()
    };
    let Some(file) = &f.file else {
        kept.error = Some("no PDF named by its row".into());
        return kept;
    };
    let path = data_dir.join(file);
    kept.written_us = std::fs::metadata(&path)
        .and_then(|md| md.modified())
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_micros() as i64);
    match std::fs::read(&path) {
        Ok(bytes) if bytes.starts_with(b"%PDF-") => {
            kept.pdf_pages = Some(fax::document::pdf_pages(&bytes));
        }
        Ok(_) => kept.error = Some(format!("{file} is not a PDF")),
        Err(e) => kept.error = Some(format!("{file}: {e}")),
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fax_is_complete_when_its_row_and_its_pdf_have_every_page() {
        let good = Kept {
            status: "received".into(),
            row_pages: 2,
            pdf_pages: Some(2),
            ..Kept::default()
        };
        assert!(good.complete(2));
        assert!(!good.complete(3));
        let bad = |f: fn(&mut Kept)| {
            let mut k = good.clone();
            f(&mut k);
            !k.complete(2)
        };
        assert!(bad(|k| k.status = "failed".into()));
        assert!(bad(|k| k.row_pages = 1));
        assert!(bad(|k| k.pdf_pages = Some(1)));
        assert!(bad(|k| k.pdf_pages = None));
    }

    #[test]
    fn a_row_without_a_file_or_with_another_file_says_so() {
        let dir = std::env::temp_dir().join(format!("durchwahl-load-inbox-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("fax/1")).unwrap();
        std::fs::write(dir.join("fax/1/in-2.pdf"), b"GIF89a").unwrap();
        let row = |file: Option<&str>| Fax {
            id: 2,
            box_id: 1,
            direction: FaxDirection::In,
            remote: "+493050000007".into(),
            remote_ident: Some("+49 305 0000007".into()),
            pages: 2,
            status: FaxStatus::Received,
            reason: None,
            file: file.map(str::to_string),
            tiff: None,
            sender_id: None,
            attempts: 0,
            next_attempt_ms: None,
            created_ms: 1,
            finished_ms: Some(2),
        };
        let k = read(&dir, &row(None));
        assert_eq!(k.error.as_deref(), Some("no PDF named by its row"));
        let k = read(&dir, &row(Some("fax/1/in-2.pdf")));
        assert!(k.error.unwrap().contains("not a PDF"));
        assert_eq!(k.finished_us, Some(2_000));
        assert!(k.written_us.is_some());
        let k = read(&dir, &row(Some("fax/1/in-3.pdf")));
        assert!(k.error.is_some() && k.pdf_pages.is_none());
        let _ = std::fs::remove_dir_all(dir);
    }
}
