//! Fax in the web client (issue 17): the boxes one uses (one's own, one's unit's and the
//! units' above it) with their faxes, each fax's PDF, deleting a fax, sending a PDF
//! (`send.rs`, through the server's [`FaxService`]), and the administrators' list of
//! boxes (`admin.rs`). Every change of a box reaches those who use it as `fax.changed`.
//!
//! The faxes' files (PDFs, an outgoing fax's TIFF) are the server's, under `fax/` in the
//! data folder; the web reads a PDF and deletes the files of a deleted fax.

pub mod admin;
pub mod list;
pub mod send;

use crate::auth::session::SignedIn;
use crate::directory_sync::Pending;
use crate::error::ApiError;
use crate::AppState;
use std::sync::Arc;
use store::{Fax, FaxBox, Store, StoreError};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The German answer while the server has no fax service.
pub const NOT_SET_UP: &str = "Fax ist auf diesem Server nicht eingerichtet.";

/// The server's fax machinery as the web sees it (the server implements it, like
/// [`crate::admin::mail::MailService`]).
pub trait FaxService: Send + Sync + std::fmt::Debug {
    /// Whether fax works on this server; `Err(why)` in German when SpanDSP or the
    /// converters are missing.
    fn available(&self) -> Result<(), String>;

    /// Converts `pdf` and queues it to `number` from box `fax_box` for `sender` (the web
    /// has checked that the sender may use the box). The server checks the number against
    /// the sender's dialling permission, and converts before it writes the row: a refusal
    /// leaves nothing stored. The new fax's id.
    fn send(
        &self,
        sender: i64,
        login: String,
        fax_box: i64,
        number: String,
        pdf: Vec<u8>,
    ) -> Pending<'_, Result<i64, FaxRefusal>>;
}

/// Why a fax was not queued; each text German, for the sender.
#[derive(Debug)]
pub enum FaxRefusal {
    /// The file is not a PDF we can read (or it is damaged): 400.
    NotAPdf(String),
    /// More pages than a fax may have: 400.
    TooManyPages(String),
    /// The sender may not dial this number: 403.
    Forbidden(String),
    /// Fax does not work now (converters missing, the line down): 503.
    Unavailable(String),
    /// The store failed: 500.
    Store(StoreError),
}

impl From<FaxRefusal> for ApiError {
    fn from(refusal: FaxRefusal) -> ApiError {
        match refusal {
            FaxRefusal::NotAPdf(message) => ApiError::Invalid {
                field: "file".into(),
                problem: "not_a_pdf",
                message,
            },
            FaxRefusal::TooManyPages(message) => ApiError::Invalid {
                field: "file".into(),
                problem: "too_many_pages",
                message,
            },
            FaxRefusal::Forbidden(message) => ApiError::Refused(message),
            FaxRefusal::Unavailable(message) => ApiError::Unavailable(message),
            FaxRefusal::Store(e) => ApiError::from(e),
        }
    }
}

/// The fax routes: the own boxes' and the administrators'.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list::list, send::send))
        .routes(routes!(list::pdf))
        .routes(routes!(list::delete))
        .routes(routes!(admin::boxes, admin::create))
        .routes(routes!(admin::remove))
}

/// The fax service, if the server has one that works now; else 503 with why.
fn service(state: &AppState) -> Result<Arc<dyn FaxService>, ApiError> {
    let service = state
        .fax
        .clone()
        .ok_or_else(|| ApiError::Unavailable(NOT_SET_UP.into()))?;
    service.available().map_err(ApiError::Unavailable)?;
    Ok(service)
}

/// A box the signed-in person uses (another is not found, as if it did not exist).
async fn usable_box(state: &AppState, who: &SignedIn, id: i64) -> Result<FaxBox, ApiError> {
    state
        .store
        .fax_boxes_of(who.account.id)
        .await?
        .into_iter()
        .find(|b| b.id == id)
        .ok_or_else(|| ApiError::NotFound("Diesen Faxeingang gibt es nicht.".into()))
}

/// A fax of a box the signed-in person uses (another's is not found).
async fn viewed_fax(state: &AppState, who: &SignedIn, id: i64) -> Result<Fax, ApiError> {
    let not_found = || ApiError::NotFound("Dieses Fax gibt es nicht (mehr).".into());
    let fax = state.store.fax(id).await?.ok_or_else(not_found)?;
    if !state
        .store
        .fax_box_viewers(fax.box_id)
        .await?
        .contains(&who.account.id)
    {
        return Err(not_found());
    }
    Ok(fax)
}

/// Sends `fax.changed` for `fax_box` to everyone who uses it (for the server too: a fax
/// came, went out, failed).
pub async fn tell_changed(
    store: &Store,
    live: &live::Live,
    fax_box: i64,
) -> Result<(), StoreError> {
    let viewers = store.fax_box_viewers(fax_box).await?;
    tell(live, fax_box, &viewers);
    Ok(())
}

/// Sends `fax.changed` for `fax_box` to `people`.
fn tell(live: &live::Live, fax_box: i64, people: &[i64]) {
    let frame = live.frames().fax_changed(fax_box);
    for person in people {
        live.to_person(*person, None, frame.clone());
    }
}

/// Whether `file` names a file of ours: relative, below `fax/`, no way out of it.
fn is_fax_file(file: &str) -> bool {
    file.starts_with("fax/")
        && !file.contains('\\')
        && std::path::Path::new(file)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// Deletes a fax's files whose row is gone (a missing file is no error): its PDF, its
/// TIFF, and the PDF a fax to send keeps beside its TIFF until it is sent.
async fn remove_files(data_dir: &std::path::Path, fax: &Fax) {
    let beside = fax
        .tiff
        .as_deref()
        .and_then(|t| t.strip_suffix(".tif"))
        .map(|stem| format!("{stem}.pdf"));
    for file in [&fax.file, &fax.tiff, &beside].into_iter().flatten() {
        if !is_fax_file(file) {
            tracing::warn!(fax = fax.id, "a fax's file is outside fax/ and stays");
            continue;
        }
        match tokio::fs::remove_file(data_dir.join(file)).await {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!(error = %e, file, "a fax's file stays on disk"),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_files_below_fax_are_ours() {
        for good in ["fax/1.pdf", "fax/2026/03/7.tiff"] {
            assert!(super::is_fax_file(good), "{good}");
        }
        for bad in [
            "",
            "fax",
            "voicemail/1.opus",
            "/fax/1.pdf",
            "fax/../durchwahl.db",
            "fax\\..\\x",
            "fax//x/../../y",
        ] {
            assert!(!super::is_fax_file(bad), "{bad}");
        }
    }
}
