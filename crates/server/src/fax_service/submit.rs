//! A fax to send, from the web client: the number is checked against the sender's
//! dialling permission, the PDF is converted to fax pages (Ghostscript), and only then
//! are the files and the fax's row written; any refusal leaves nothing behind.

use super::FaxShell;
use crate::media_service::CallsConfig;
use calls::numbers::Permission;
use std::sync::atomic::{AtomicU64, Ordering};
use web::fax::{FaxRefusal, FaxService};

/// Makes the names of files to send unique within this process (the time, across runs).
static NEXT: AtomicU64 = AtomicU64::new(0);

/// The fax as the web sees it.
#[derive(Clone)]
pub struct FaxDesk {
    pub(crate) shell: FaxShell,
    pub(crate) calls: CallsConfig,
    /// Whether any trunk is configured (outside numbers need one).
    pub(crate) has_trunk: bool,
    /// Ghostscript runs at once (each may take a core for up to a minute).
    pub(crate) converting: std::sync::Arc<tokio::sync::Semaphore>,
}

/// How many PDFs are converted at once; more wait their turn.
pub const CONVERSIONS_AT_ONCE: usize = 2;

impl std::fmt::Debug for FaxDesk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaxDesk").finish_non_exhaustive()
    }
}

/// Why fax does not work on this server, if it does not.
pub fn unavailable() -> Option<String> {
    let missing = fax::available()
        .and_then(|()| fax::document::tools_available())
        .err()?;
    Some(missing.to_string())
}

/// Whether `number` may be sent a fax by someone with `allowed`: an outside number as
/// the dialling plan says (and only with a trunk), an internal number of digits.
pub(crate) fn check_number(
    calls: &CallsConfig,
    has_trunk: bool,
    number: &str,
    allowed: Permission,
) -> Result<String, FaxRefusal> {
    let number: String = number
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '/' | '(' | ')'))
        .collect();
    if number.is_empty() {
        return Err(FaxRefusal::Forbidden(
            "Bitte eine Faxnummer eingeben.".into(),
        ));
    }
    if let Some(outside) = calls.plan().check(&number, allowed) {
        let outside = outside.map_err(|e| FaxRefusal::Forbidden(e.to_string()))?;
        if outside.emergency {
            return Err(FaxRefusal::Forbidden(
                "An Notrufnummern werden keine Faxe gesendet.".into(),
            ));
        }
        if !has_trunk {
            return Err(FaxRefusal::Unavailable(
                "Für Faxe nach außen ist keine Amtsleitung eingerichtet.".into(),
            ));
        }
        return Ok(number);
    }
    if !(2..=8).contains(&number.len()) || !number.chars().all(|c| c.is_ascii_digit()) {
        return Err(FaxRefusal::Forbidden(format!(
            "„{number}“ ist keine gültige Faxnummer."
        )));
    }
    Ok(number)
}

impl FaxService for FaxDesk {
    fn available(&self) -> Result<(), String> {
        unavailable().map_or(Ok(()), Err)
    }

    fn send(
        &self,
        sender: i64,
        login: String,
        fax_box: i64,
        number: String,
        pdf: Vec<u8>,
    ) -> web::directory_sync::Pending<'_, Result<i64, FaxRefusal>> {
        Box::pin(async move {
            if let Some(why) = unavailable() {
                return Err(FaxRefusal::Unavailable(why));
            }
            let allowed = self.calls.permission(&login);
            let number = check_number(&self.calls, self.has_trunk, &number, allowed)?;
            let shell = &self.shell;
            let data_dir = shell.settings.data_dir.clone();
            let token = format!(
                "{}-{}",
                shell.live.now_ms(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            );
            let tiff = format!("fax/{fax_box}/out-{token}.tif");
            let pdf_name = super::pdf_of(&tiff);
            let max_pages = shell.settings.config.max_pages;
            let _turn = self
                .converting
                .acquire()
                .await
                .map_err(|e| FaxRefusal::Unavailable(e.to_string()))?;
            let (dir, t, p) = (data_dir.clone(), tiff.clone(), pdf_name.clone());
            let converted = tokio::task::spawn_blocking(move || {
                let tiff_path = super::file_path(&dir, &t).expect("our own name");
                if let Some(folder) = tiff_path.parent() {
                    std::fs::create_dir_all(folder)?;
                }
                let pages = fax::document::pdf_to_tiff(&pdf, &tiff_path, max_pages)?;
                if let Err(e) = super::write_durably(&dir, &p, &pdf) {
                    super::remove_file(&dir, &t);
                    return Err(e.into());
                }
                Ok::<u32, fax::FaxError>(pages)
            })
            .await
            .map_err(|e| FaxRefusal::Unavailable(e.to_string()))?;
            let pages = converted.map_err(|e| match e {
                fax::FaxError::NotAPdf => FaxRefusal::NotAPdf(e.to_string()),
                fax::FaxError::TooManyPages { .. } => FaxRefusal::TooManyPages(e.to_string()),
                e => {
                    tracing::warn!(error = %e, "a PDF to fax could not be converted");
                    FaxRefusal::NotAPdf(e.to_string())
                }
            })?;
            let queued = shell
                .store
                .queue_fax(
                    fax_box,
                    sender,
                    &number,
                    &tiff,
                    i64::from(pages),
                    shell.live.now_ms(),
                )
                .await;
            match queued {
                Ok(id) => {
                    tracing::info!(fax = id, pages, "a fax was queued");
                    shell.wake_queue();
                    shell.tell(fax_box).await;
                    Ok(id)
                }
                Err(e) => {
                    super::remove_file(&data_dir, &tiff);
                    super::remove_file(&data_dir, &pdf_name);
                    Err(FaxRefusal::Store(e))
                }
            }
        })
    }
}
