//! A new message by e-mail: to the box's owner (a unit box's: to the address an
//! administrator gave it), in the box's language, with the recording attached or only a
//! link to the web client (as the owner chose; none when off or when there is no e-mail
//! address). Queued in the mail outbox, which sends
//! and retries (`mailer`); nothing is queued while no mail server is set up, so that no
//! backlog of stale notifications goes out the day one is.

use super::voicemail::VoicemailSettings;
use live::Live;
use store::mail_outbox::{Attachment, NewMail};
use store::Store;
use voicemail::mail_text::{mail_text, Delivery, Notice};

/// Who hears of a box's changes, and how: its listeners' clients (the count), its
/// owner's desk phones (the bus), its owner's mailbox. Cheap to clone: a message is kept
/// and told of in a task of its own, away from the call loop.
#[derive(Clone)]
pub(crate) struct Notifier {
    pub store: Store,
    pub live: Live,
    pub mailer: crate::mailer::Mailer,
    pub settings: VoicemailSettings,
}

impl Notifier {
    /// Sends those who may hear `mailbox` (its owner, a hotline's supervisors) the number
    /// of its messages nobody has heard; the owner's desk phones' lamps follow (the bus).
    pub async fn count(&self, mailbox: i64) {
        let (Ok(listeners), Ok(unheard)) = (
            self.store.mailbox_listeners(mailbox).await,
            self.store.unheard_voicemails(mailbox).await,
        ) else {
            return;
        };
        let frame = self.live.frames().voicemail_count(mailbox, unheard);
        for person in &listeners {
            self.live.to_person(*person, None, frame.clone());
        }
        if let Ok(Some(b)) = self.store.mailbox(mailbox).await {
            if let Some(owner) = b.staff_id {
                self.live
                    .bus()
                    .publish(live::Change::Voicemail { person: owner });
            }
        }
    }

    /// Where a box's new messages are mailed, and the box's name in the mail: a person's
    /// own address (from the directory), a unit box's address (set by an administrator);
    /// a hotline's box is heard in the web client only.
    async fn addressee(&self, b: &store::Mailbox) -> Option<(String, String)> {
        if let Some(owner) = b.staff_id {
            let to = self.store.staff_email(owner).await.ok()??;
            let person = self.store.panel_person_by_id(owner).await.ok()??;
            return Some((to, person.name));
        }
        let to = b.email.clone()?;
        let unit = self.store.unit_mailbox(b.id).await.ok()??;
        Some((to, unit.unit_name))
    }

    /// Tells the owner of `mailbox` (a person, or a unit's address) of message `message`
    /// by e-mail, if they want that.
    pub async fn mail(&self, mailbox: i64, message: i64) {
        if !self.mailer.configured() {
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
        let Some((to, box_name)) = self.addressee(&b).await else {
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
            self.settings.web_address.trim_end_matches('/')
        );
        let attach = b.email_mode == "attach";
        let text = mail_text(&Notice {
            language: if english {
                voicemail::Language::English
            } else {
                voicemail::Language::German
            },
            box_name: &box_name,
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
            let path = self.settings.data_dir.join(&m.file);
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
        if let Err(e) = self.mailer.queue(mail).await {
            tracing::error!(error = %e, message, "a voicemail notification could not be queued");
        }
    }
}
