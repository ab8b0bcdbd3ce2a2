//! Outgoing e-mail that is never lost silently (issue 17: voicemail notifications): a mail
//! is written to the outbox in the database first ([`Mailer::queue`]), then a task sends
//! it through the `[smtp]` server, retries failures with growing pauses and gives up after
//! a day; every pending and failed mail shows on the admin page "E-Mail-Versand"
//! (`GET /api/v1/admin/mail`). Without `[smtp] host` mails wait as pending, marked
//! "SMTP ist nicht eingerichtet", and go once a server is configured and Durchwahl
//! restarted.
//!
//! Parts: [`config`] (`[smtp]`), [`retry`] (what follows a failure, pure), [`message`] (a
//! stored mail as MIME), [`sender`] (the task and the transport). The log names the mail's
//! id, recipient and error, never the password or the body.

pub mod config;
pub mod message;
pub mod retry;
pub mod sender;

use config::SmtpConfig;
use live::SharedClock;
use std::sync::Arc;
use store::mail_outbox::NewMail;
use store::{Store, StoreError};
use tokio::sync::Notify;

/// Why a mail waits when no mail server is configured.
pub const NOT_CONFIGURED: &str = "SMTP ist nicht eingerichtet";

/// The handle services queue mails through; cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    store: Store,
    clock: SharedClock,
    configured: bool,
    wake: Arc<Notify>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("configured", &self.configured)
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// Whether a mail server is configured (`[smtp] host`).
    pub fn configured(&self) -> bool {
        self.configured
    }

    /// Writes the mail to the outbox (durable) and wakes the sender; Err only if the store
    /// fails. Without a mail server the mail stays pending with the note
    /// [`NOT_CONFIGURED`], shown on the admin page, never dropped.
    pub async fn queue(&self, mail: NewMail) -> Result<i64, StoreError> {
        let id = self.store.queue_mail(&mail, self.clock.now_ms()).await?;
        if self.configured {
            tracing::info!(mail = id, to = %mail.to, "mail queued");
            self.wake.notify_one();
        } else {
            self.store.mail_held(id, NOT_CONFIGURED).await?;
            tracing::warn!(mail = id, to = %mail.to,
                "mail kept as pending: no mail server is configured ([smtp] host)");
        }
        Ok(id)
    }
}

impl web::admin::mail::MailService for Mailer {
    fn configured(&self) -> bool {
        Mailer::configured(self)
    }

    fn queue(&self, mail: NewMail) -> web::directory_sync::Pending<'_, Result<i64, StoreError>> {
        Box::pin(Mailer::queue(self, mail))
    }
}

/// Starts the sending task when `config` names a mail server, and returns the handle.
/// Errors (at start, not at the first mail): the CA file cannot be read, or `from` is no
/// address (both also checked when the configuration is loaded).
pub fn start(store: Store, config: &SmtpConfig, clock: SharedClock) -> anyhow::Result<Mailer> {
    let wake = Arc::new(Notify::new());
    let mailer = Mailer {
        store: store.clone(),
        clock: clock.clone(),
        configured: config.configured(),
        wake: wake.clone(),
    };
    if !config.configured() {
        tracing::info!("e-mail is off ([smtp] host is not set): mails wait as pending");
        return Ok(mailer);
    }
    let from = config
        .from
        .as_deref()
        .unwrap_or_default()
        .parse()
        .map_err(|e| anyhow::anyhow!("[smtp] from is not an e-mail address: {e}"))?;
    let sender = sender::Sender {
        store,
        clock,
        transport: sender::transport(config)?,
        from,
        first_retry_ms: i64::from(config.first_retry_seconds) * 1000,
        wake,
        server: format!(
            "{}:{}",
            config.host.as_deref().unwrap_or_default(),
            config.port()
        ),
    };
    tokio::spawn(sender.run());
    Ok(mailer)
}
