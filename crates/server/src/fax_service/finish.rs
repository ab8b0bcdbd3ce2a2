//! A fax's call ended: a received fax becomes a PDF (one page per fax page) that is
//! listed and mailed to the box; a fax we sent is marked sent, tried again later (busy,
//! no answer, broken off) or given up with the reason. Those who see the box hear of it.

use super::modem::ModemResult;
use super::{pdf_of, remove_file, FaxShell};
use calls::EndReason;
use store::mail_outbox::{Attachment, NewMail};
use tokio::sync::oneshot;

/// What is known of a fax whose call ended.
pub(crate) struct Ended {
    /// The fax's row.
    pub fax_id: i64,
    /// Its box.
    pub box_id: i64,
    /// We sent it (else received).
    pub sending: bool,
    /// Its TIFF below the data folder.
    pub tiff: String,
    /// Tries so far (a fax to send).
    pub attempts: i64,
    /// Why the call ended.
    pub reason: EndReason,
    /// The modem's result, when a modem was on the line.
    pub result: Option<oneshot::Receiver<ModemResult>>,
}

/// Why a call without a finished fax ended, for the list.
pub(crate) fn reason_text(reason: EndReason) -> &'static str {
    match reason {
        EndReason::Busy => "Besetzt",
        EndReason::NoAnswer => "Keine Antwort",
        EndReason::NotFound => "Nummer nicht vergeben",
        EndReason::Rejected => "Abgelehnt",
        EndReason::Forbidden => "Nicht erlaubt",
        EndReason::Unavailable => "Nicht erreichbar",
        _ => "Verbindung beendet, bevor das Fax vollständig war",
    }
}

impl FaxShell {
    /// Finishes a fax whose call ended.
    pub(crate) async fn finish(&self, mut ended: Ended) {
        let result = match ended.result.take() {
            // The modem reports once the media thread dropped the leg (just now).
            Some(rx) => tokio::time::timeout(std::time::Duration::from_secs(10), rx)
                .await
                .ok()
                .and_then(Result::ok),
            None => None,
        };
        let box_id = ended.box_id;
        if ended.sending {
            self.finish_sent(&ended, result).await;
            self.wake_queue();
        } else {
            self.finish_received(&ended, result).await;
        }
        self.tell(box_id).await;
    }

    async fn finish_received(&self, ended: &Ended, result: Option<ModemResult>) {
        let now = self.live.now_ms();
        let data_dir = self.settings.data_dir.clone();
        let pages = result.as_ref().map_or(0, |r| r.pages);
        let outcome = result.as_ref().and_then(|r| r.outcome.clone());
        let success = outcome.as_ref().is_some_and(|o| o.success) && pages > 0;
        // The far side's station id is whatever its machine sends: printable only.
        let ident = outcome
            .as_ref()
            .map(|o| {
                o.remote_ident
                    .chars()
                    .filter(|c| !c.is_control())
                    .collect::<String>()
                    .trim()
                    .to_string()
            })
            .filter(|i| !i.is_empty());
        let pdf = format!("fax/{}/in-{}.pdf", ended.box_id, ended.fax_id);
        let kept = if pages > 0 {
            let tiff = data_dir.join(&ended.tiff);
            let (dir, name) = (data_dir.clone(), pdf.clone());
            let made = tokio::task::spawn_blocking(move || {
                let bytes = fax::document::tiff_to_pdf(&tiff)?;
                super::write_durably(&dir, &name, &bytes)?;
                Ok::<_, fax::FaxError>(bytes)
            })
            .await;
            match made {
                Ok(Ok(bytes)) => Some(bytes),
                Ok(Err(e)) => {
                    tracing::error!(error = %e, fax = ended.fax_id, "a received fax could not become a PDF");
                    None
                }
                Err(e) => {
                    tracing::error!(error = %e, fax = ended.fax_id, "converting a received fax failed");
                    None
                }
            }
        } else {
            None
        };
        let pages = i64::from(pages);
        let written = match (&kept, success) {
            (Some(_), true) => {
                self.store
                    .fax_received(ended.fax_id, pages, &pdf, ident.as_deref(), now)
                    .await
            }
            _ => {
                let why = match &outcome {
                    Some(o) if !o.success => format!("Empfang abgebrochen: {}", o.reason),
                    _ if kept.is_none() && pages > 0 => {
                        "Die Seiten konnten nicht gespeichert werden".to_string()
                    }
                    _ => reason_text(ended.reason).to_string(),
                };
                let file = kept.as_ref().map(|_| pdf.as_str());
                self.store
                    .fax_failed(ended.fax_id, pages, &why, file, now)
                    .await
            }
        };
        if let Err(e) = written {
            tracing::error!(error = %e, fax = ended.fax_id, "a received fax's row could not be finished");
        }
        // A TIFF that did not become a PDF stays for a day (the sweep), to be rescued.
        if kept.is_some() || pages == 0 {
            remove_file(&data_dir, &ended.tiff);
        }
        if let (Some(bytes), true) = (kept, success) {
            self.mail_received(ended, pages, ident.as_deref(), bytes)
                .await;
        }
        tracing::info!(fax = ended.fax_id, pages, success, "a fax arrived");
    }

    async fn finish_sent(&self, ended: &Ended, result: Option<ModemResult>) {
        let now = self.live.now_ms();
        let config = &self.settings.config;
        let pages = result.as_ref().map_or(0, |r| r.pages);
        let outcome = result.as_ref().and_then(|r| r.outcome.clone());
        let pdf = pdf_of(&ended.tiff);
        let written = match &outcome {
            Some(o) if o.success => {
                self.store
                    .fax_sent(ended.fax_id, i64::from(pages), &pdf, now)
                    .await
            }
            _ => {
                let why = match &outcome {
                    Some(o) => format!("Übertragung abgebrochen: {}", o.reason),
                    None if result.is_some() => {
                        "Die Verbindung endete vor dem Ende des Faxes".to_string()
                    }
                    None => reason_text(ended.reason).to_string(),
                };
                let retry = ended.attempts < i64::from(config.attempts)
                    && !matches!(
                        ended.reason,
                        EndReason::NotFound | EndReason::Forbidden | EndReason::Rejected
                    );
                if retry {
                    let next = now + config.pause_ms(ended.attempts);
                    self.store.fax_retry(ended.fax_id, &why, next).await
                } else {
                    self.store
                        .fax_failed(ended.fax_id, i64::from(pages), &why, Some(&pdf), now)
                        .await
                }
            }
        };
        if let Err(e) = written {
            tracing::error!(error = %e, fax = ended.fax_id, "a sent fax's row could not be finished");
        }
        // The TIFF is kept while the fax waits for another try.
        if let Ok(Some(f)) = self.store.fax(ended.fax_id).await {
            if f.status != store::FaxStatus::Queued {
                remove_file(&self.settings.data_dir, &ended.tiff);
            }
        }
        tracing::info!(fax = ended.fax_id, pages, "a fax's call to send it ended");
    }

    /// Mails a received fax to its box (the person's address, or the unit box's).
    async fn mail_received(&self, ended: &Ended, pages: i64, ident: Option<&str>, pdf: Vec<u8>) {
        if !self.mailer.configured() {
            return;
        }
        let (Ok(Some(b)), Ok(Some(f))) = (
            self.store.fax_box(ended.box_id).await,
            self.store.fax(ended.fax_id).await,
        ) else {
            return;
        };
        let Some(to) = b.email.clone() else {
            tracing::debug!(fax_box = b.id, "no e-mail address for a received fax");
            return;
        };
        let local = crate::call_service::local_time(f.created_ms);
        let from = match ident {
            Some(i) if i != f.remote => format!("{} ({i})", f.remote),
            _ => f.remote.clone(),
        };
        let from = if from.is_empty() {
            "unbekannt".to_string()
        } else {
            from
        };
        let seiten = if pages == 1 { "Seite" } else { "Seiten" };
        let pages_en = if pages == 1 { "page" } else { "pages" };
        let text = format!(
            "Guten Tag,\n\nan die Faxnummer {number} ({name}) ist ein Fax eingegangen:\n\n\
             Absender: {from}\nEingang: {received}\nUmfang: {pages} {seiten}\n\n\
             Das Fax ist als PDF angehängt und in Durchwahl unter „Fax“ zu finden.\n\n\
             --\nA fax arrived for {number}: from {from}, {pages} {pages_en}, attached as a PDF.\n",
            number = b.number,
            name = b.name,
            received = local.strftime("%d.%m.%Y, %H:%M Uhr"),
        );
        let mail = NewMail {
            to,
            subject: format!("Fax von {from}, {pages} {seiten}"),
            text,
            attachment: Some(Attachment {
                name: format!("Fax-{}.pdf", local.strftime("%Y%m%d-%H%M")),
                content_type: "application/pdf".into(),
                bytes: pdf,
            }),
        };
        if let Err(e) = self.mailer.queue(mail).await {
            tracing::error!(error = %e, fax = ended.fax_id, "a received fax could not be queued as an e-mail");
        }
    }
}
