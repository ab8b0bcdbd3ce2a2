//! The task that sends: takes the due mails from the outbox, hands each to the mail server
//! (lettre's async SMTP transport), and writes down how it went — sent, or failed with the
//! next try (`retry`). It sleeps until the next mail is due or [`Mailer::queue`] wakes it,
//! and clears out old mails once an hour. It ends when the store is closed (shutdown).
//!
//! A mail is marked sent only after the server took it: a crash in between sends it again
//! after the restart (at least once, never lost).
//!
//! [`Mailer::queue`]: super::Mailer::queue

use super::config::{SmtpConfig, SmtpSecurity};
use super::message;
use super::retry::{self, Failure, Next};
use anyhow::Context;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use live::SharedClock;
use secrecy::ExposeSecret;
use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;
use store::mail_outbox::{QueuedMail, KEEP_MS};
use store::{Store, StoreError};
use tokio::sync::Notify;

/// Mails taken per round; more are taken at once in the next round.
const BATCH: i64 = 20;
/// The longest sleep: mails queued by another process are found this late at most.
const LONGEST_SLEEP_MS: i64 = 60_000;
/// How often old mails are cleared out.
const CLEANUP_EVERY_MS: i64 = 3_600_000;
/// The stored error is cut here (some servers answer at length).
const ERROR_CHARS: usize = 500;

/// The transport to the configured mail server.
pub type Transport = AsyncSmtpTransport<Tokio1Executor>;

/// The transport for `config` (which has a host): TLS as configured, with the extra CA,
/// authentication when a username is set. An unreadable CA file is an error here, at start.
pub fn transport(config: &SmtpConfig) -> anyhow::Result<Transport> {
    let host = config.host.clone().context("[smtp] host is not set")?;
    let tls = || -> anyhow::Result<TlsParameters> {
        let mut builder = TlsParameters::builder(host.clone());
        if let Some(file) = &config.ca_file {
            let pem = std::fs::read(file)
                .with_context(|| format!("[smtp] cannot read ca_file {}", file.display()))?;
            let ca = Certificate::from_pem(&pem).with_context(|| {
                format!("[smtp] ca_file {} holds no PEM certificate", file.display())
            })?;
            builder = builder.add_root_certificate(ca);
        }
        builder
            .build_rustls()
            .context("[smtp] TLS cannot be set up")
    };
    let tls = match config.security {
        // Required, never opportunistic: a server that stops offering STARTTLS (or a
        // man in the middle who strips it) gets no password and no mail.
        SmtpSecurity::Starttls => Tls::Required(tls()?),
        SmtpSecurity::Tls => Tls::Wrapper(tls()?),
        SmtpSecurity::None => Tls::None,
    };
    let mut builder = Transport::builder_dangerous(host)
        .port(config.port())
        .tls(tls)
        .timeout(Some(Duration::from_secs(config.timeout_seconds.into())));
    if let (Some(user), Some(password)) = (&config.username, &config.password) {
        builder = builder.credentials(Credentials::new(
            user.clone(),
            password.expose_secret().to_owned(),
        ));
    }
    Ok(builder.build())
}

/// The sending task's parts.
pub struct Sender {
    /// The outbox.
    pub store: Store,
    /// The runtime's clock.
    pub clock: SharedClock,
    /// The way to the mail server.
    pub transport: Transport,
    /// `[smtp] from`.
    pub from: Mailbox,
    /// `[smtp] first_retry_seconds`, in ms.
    pub first_retry_ms: i64,
    /// Rung by `Mailer::queue`.
    pub wake: Arc<Notify>,
    /// `host:port`, for the log.
    pub server: String,
}

/// Whether the store was closed (the server is stopping).
fn closed(error: &StoreError) -> bool {
    matches!(error, StoreError::Database(sqlx::Error::PoolClosed))
}

impl Sender {
    /// Sends until the store is closed.
    pub async fn run(self) {
        tracing::info!(server = %self.server, "mailer sending through the configured mail server");
        let mut cleaned_at = i64::MIN;
        loop {
            let now = self.clock.now_ms();
            if now.saturating_sub(cleaned_at) >= CLEANUP_EVERY_MS {
                cleaned_at = now;
                match self.store.delete_old_mails(now - KEEP_MS).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(
                        removed = n,
                        "removed sent and given-up mails older than 30 days"
                    ),
                    Err(e) if closed(&e) => return,
                    Err(error) => tracing::warn!(%error, "could not remove old mails"),
                }
            }
            match self.round(now).await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) if closed(&e) => return,
                Err(error) => tracing::warn!(%error, "the mail outbox cannot be read"),
            }
            let sleep_ms = match self.store.next_mail_due().await {
                Ok(Some(at)) => (at - self.clock.now_ms()).clamp(0, LONGEST_SLEEP_MS),
                Ok(None) => LONGEST_SLEEP_MS,
                Err(e) if closed(&e) => return,
                Err(_) => LONGEST_SLEEP_MS,
            };
            if sleep_ms > 0 {
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(Duration::from_millis(sleep_ms as u64)) => {}
                }
            }
        }
    }

    /// Sends the mails due at `now`; whether a full batch was taken (more may be due).
    async fn round(&self, now: i64) -> Result<bool, StoreError> {
        let due = self.store.due_mails(now, BATCH).await?;
        let full = due.len() as i64 == BATCH;
        for mail in due {
            self.send(mail).await?;
        }
        Ok(full)
    }

    /// One try of one mail, and its outcome written down.
    async fn send(&self, queued: QueuedMail) -> Result<(), StoreError> {
        let id = queued.id;
        let to = &queued.mail.to;
        let outcome = match message::build(&queued.mail, &self.from) {
            Err(unwritable) => Err((Failure::Permanent, unwritable.to_string())),
            Ok(message) => self
                .transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| describe(&e, &self.server)),
        };
        let now = self.clock.now_ms();
        let (failure, error) = match outcome {
            Ok(()) => {
                tracing::info!(mail = id, %to, "mail sent");
                return self.store.mail_sent(id, now).await;
            }
            Err(failed) => failed,
        };
        let attempts = queued.attempts + 1;
        match retry::after_failure(
            failure,
            attempts,
            queued.created_ms,
            now,
            self.first_retry_ms,
        ) {
            Next::RetryAt(at) => {
                tracing::warn!(mail = id, %to, %error, attempts, retry_in_s = (at - now) / 1000,
                    "mail not sent; it is tried again");
                self.store
                    .mail_attempt_failed(id, &error, at, now, false)
                    .await
            }
            Next::GiveUp => {
                tracing::error!(mail = id, %to, %error, attempts, "mail given up; it stays listed as failed");
                self.store
                    .mail_attempt_failed(id, &error, now, now, true)
                    .await
            }
        }
    }
}

/// How a send failed, in words for the admin page (German; the server's own answer kept).
fn describe(error: &lettre::transport::smtp::Error, server: &str) -> (Failure, String) {
    let detail = error
        .source()
        .map(|s| s.to_string())
        .unwrap_or_else(|| error.to_string());
    let (failure, text) = match error.status() {
        None if tls_problem(error).is_some() => (
            Failure::Transient,
            format!(
                "TLS mit {server} gescheitert: {}",
                tls_problem(error).unwrap_or_default()
            ),
        ),
        Some(code) => {
            let code = u16::from(code);
            let failure = retry::classify_code(code);
            let what = match failure {
                Failure::Permanent => "lehnt ab",
                Failure::Transient => "weist vorerst ab",
            };
            (failure, format!("Der Mailserver {what}: {code} {detail}"))
        }
        None if error.is_timeout() => (
            Failure::Transient,
            format!("Der Mailserver {server} antwortet nicht (Zeitüberschreitung)"),
        ),
        None if error.is_tls() => (
            Failure::Transient,
            format!("TLS mit {server} gescheitert: {detail}"),
        ),
        None if error.is_client() => (
            Failure::Transient,
            format!("Der Mailserver {server} passt nicht zu den Einstellungen: {detail}"),
        ),
        None => (
            Failure::Transient,
            format!("Keine Verbindung zum Mailserver {server}: {detail}"),
        ),
    };
    (failure, text.chars().take(ERROR_CHARS).collect())
}

/// A TLS failure somewhere in the error's chain (lettre reports a refused certificate as
/// a connection error): rustls' words for it.
fn tls_problem(error: &lettre::transport::smtp::Error) -> Option<String> {
    let mut source = error.source();
    while let Some(e) = source {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls.to_string());
        }
        let inner = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>());
        if let Some(tls) = inner {
            return Some(tls.to_string());
        }
        source = e.source();
    }
    None
}
