//! A new message by e-mail: to the box's owner, in the box's language, with the recording
//! attached or only a link to the web client (as the owner chose; none when off or when
//! the directory has no e-mail address for them). Queued in the mail outbox, which sends
//! and retries (`mailer`); nothing is queued while no mail server is set up, so that no
//! backlog of stale notifications goes out the day one is.

use super::Service;
use store::mail_outbox::{Attachment, NewMail};
use voicemail::mail_text::{mail_text, Delivery, Notice};

impl Service {
    /// Tells the owner of `mailbox` of message `message` by e-mail, if they want that.
    pub(super) async fn notify_by_mail(&self, mailbox: i64, message: i64) {
        if !self.voicemails.mailer.configured() {
            return;
        }
        let (Ok(Some(b)), Ok(Some(m))) = (
            self.store.mailbox(mailbox).await,
            self.store.voicemail(message).await,
        ) else {
            return;
        };
        if b.email_mode == "off" {
            return;
        }
        let Some(owner) = b.staff_id else { return };
        let (Ok(Some(to)), Ok(Some(person))) = (
            self.store.staff_email(owner).await,
            self.store.panel_person_by_id(owner).await,
        ) else {
            tracing::debug!(mailbox, "no e-mail address for a voicemail notification");
            return;
        };
        let english = b.language == "en";
        let local = super::hotline::local_time(m.received_at);
        let received = if english {
            local.strftime("%Y-%m-%d %H:%M").to_string()
        } else {
            local.strftime("%d.%m.%Y, %H:%M Uhr").to_string()
        };
        let link = format!(
            "{}/#voicemail",
            self.voicemails.settings.web_address.trim_end_matches('/')
        );
        let attach = b.email_mode == "attach";
        let text = mail_text(&Notice {
            language: if english {
                voicemail::Language::English
            } else {
                voicemail::Language::German
            },
            box_name: &person.name,
            caller_name: m.caller_name.as_deref(),
            caller_number: m.caller_number.as_deref(),
            received: &received,
            duration_ms: u32::try_from(m.duration_ms).unwrap_or(u32::MAX),
            delivery: if attach {
                Delivery::Attached
            } else {
                Delivery::Link(&link)
            },
        });
        let attachment = if attach {
            let path = self.voicemails.settings.data_dir.join(&m.file);
            match tokio::fs::read(&path).await {
                Ok(bytes) => Some(Attachment {
                    name: format!("Sprachnachricht-{}.opus", local.strftime("%Y%m%d-%H%M")),
                    content_type: "audio/ogg".into(),
                    bytes,
                }),
                Err(e) => {
                    tracing::warn!(error = %e, message, "a voicemail to attach is missing");
                    None
                }
            }
        } else {
            None
        };
        let mail = NewMail {
            to,
            subject: text.subject,
            text: text.body,
            attachment,
        };
        if let Err(e) = self.voicemails.mailer.queue(mail).await {
            tracing::error!(error = %e, message, "a voicemail notification could not be queued");
        }
    }
}
