//! Outgoing e-mail kept until sent (migration 0016): a mail is written here first (its
//! write is the promise that it will go), the mailer takes the due ones, and each try ends
//! in [`Store::mail_sent`] or [`Store::mail_attempt_failed`]. The admin page reads
//! [`Store::mail_status`]. Times are Unix milliseconds.

use crate::{int, opt_int, opt_text, text, Store, StoreError};
use sqlx::any::AnyRow;
use sqlx::Row;

/// How long sent and given-up mails are kept.
pub const KEEP_MS: i64 = 30 * 24 * 3_600_000;
/// How many failures [`Store::mail_status`] lists.
pub const RECENT_FAILURES: i64 = 20;
const DAY_MS: i64 = 24 * 3_600_000;

/// A mail to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    /// The recipient: `name@example.org` or `Name <name@example.org>`.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// A file sent with it (a voicemail recording).
    pub attachment: Option<Attachment>,
}

/// A file sent with a mail.
#[derive(Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Its file name, as the recipient sees it.
    pub name: String,
    /// Its MIME type, e.g. `audio/ogg`.
    pub content_type: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Attachment {
    // The bytes are a recording, not something for logs or test output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attachment")
            .field("name", &self.name)
            .field("content_type", &self.content_type)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// Where a mail stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailState {
    /// To be sent (again) at its next attempt.
    Pending,
    /// The mail server took it.
    Sent,
    /// Given up: refused for good, or too long without success.
    Failed,
}

impl MailState {
    /// The word stored (and shown to the admin page).
    pub fn as_str(self) -> &'static str {
        match self {
            MailState::Pending => "pending",
            MailState::Sent => "sent",
            MailState::Failed => "failed",
        }
    }

    fn parse(word: &str) -> Result<MailState, StoreError> {
        match word {
            "pending" => Ok(MailState::Pending),
            "sent" => Ok(MailState::Sent),
            "failed" => Ok(MailState::Failed),
            other => Err(StoreError::Corrupt(format!("mail state {other:?}"))),
        }
    }
}

/// A mail waiting in the outbox, as the mailer takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMail {
    /// Its id.
    pub id: i64,
    /// What to send.
    pub mail: NewMail,
    /// When it was queued.
    pub created_ms: i64,
    /// Tries so far.
    pub attempts: i64,
}

/// A mail whose latest try failed (still pending, or given up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailFailure {
    /// Its id.
    pub id: i64,
    /// The recipient.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// Why (the mail server's answer, or why nothing was tried).
    pub error: String,
    /// Tries so far.
    pub attempts: i64,
    /// When it was queued.
    pub created_ms: i64,
    /// The latest try; `None`: none yet.
    pub last_attempt_ms: Option<i64>,
    /// `Pending` (tried again at `next_attempt_ms`) or `Failed` (given up).
    pub state: MailState,
    /// The next try, while pending.
    pub next_attempt_ms: i64,
}

/// The outbox at a glance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailStatus {
    /// Mails waiting to be sent.
    pub pending: i64,
    /// Mails given up (kept for 30 days).
    pub failed: i64,
    /// Mails the server took in the last 24 hours.
    pub sent_24h: i64,
    /// The latest failures, newest first (at most [`RECENT_FAILURES`]).
    pub recent_failures: Vec<MailFailure>,
}

impl Store {
    /// Writes a mail to the outbox, due now; its id. Acknowledged once committed.
    pub async fn queue_mail(&self, mail: &NewMail, now_ms: i64) -> Result<i64, StoreError> {
        let attachment = mail.attachment.as_ref();
        let row = sqlx::query(
            "INSERT INTO mail_outbox (recipient, subject, body, attachment_name, \
             attachment_type, attachment, state, attempts, created_ms, next_attempt_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7) RETURNING id",
        )
        .bind(&mail.to)
        .bind(&mail.subject)
        .bind(&mail.text)
        .bind(attachment.map(|a| a.name.clone()))
        .bind(attachment.map(|a| a.content_type.clone()))
        .bind(attachment.map(|a| a.bytes.clone()))
        .bind(now_ms)
        .fetch_one(&self.pool)
        .await?;
        int(&row, 0)
    }

    /// Notes why a pending mail is not being sent (e.g. no mail server is configured),
    /// without counting a try.
    pub async fn mail_held(&self, id: i64, reason: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE mail_outbox SET last_error = $2 WHERE id = $1 AND state = 'pending'")
            .bind(id)
            .bind(reason)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Pending mails due at `now_ms`, longest due first, at most `limit`.
    pub async fn due_mails(&self, now_ms: i64, limit: i64) -> Result<Vec<QueuedMail>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, recipient, subject, body, attachment_name, attachment_type, attachment, \
             created_ms, attempts FROM mail_outbox \
             WHERE state = 'pending' AND next_attempt_ms <= $1 \
             ORDER BY next_attempt_ms, id LIMIT $2",
        )
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(queued).collect()
    }

    /// When the next pending mail is due; `None`: nothing is pending.
    pub async fn next_mail_due(&self) -> Result<Option<i64>, StoreError> {
        let row =
            sqlx::query("SELECT MIN(next_attempt_ms) FROM mail_outbox WHERE state = 'pending'")
                .fetch_one(&self.pool)
                .await?;
        opt_int(&row, 0)
    }

    /// The mail server took the mail: sent, its attachment's bytes dropped (the recipient
    /// has them now; the name and type stay for the record).
    pub async fn mail_sent(&self, id: i64, now_ms: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE mail_outbox SET state = 'sent', sent_ms = $2, last_attempt_ms = $2, \
             attempts = attempts + 1, last_error = NULL, attachment = NULL \
             WHERE id = $1 AND state = 'pending'",
        )
        .bind(id)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A try failed with `error`: tried again at `next_attempt_ms`, or given up
    /// (`give_up`: the mail is failed and stays visible).
    pub async fn mail_attempt_failed(
        &self,
        id: i64,
        error: &str,
        next_attempt_ms: i64,
        now_ms: i64,
        give_up: bool,
    ) -> Result<(), StoreError> {
        let state = if give_up { "failed" } else { "pending" };
        sqlx::query(
            "UPDATE mail_outbox SET state = $2, last_error = $3, next_attempt_ms = $4, \
             last_attempt_ms = $5, attempts = attempts + 1 WHERE id = $1 AND state = 'pending'",
        )
        .bind(id)
        .bind(state)
        .bind(error)
        .bind(next_attempt_ms)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Counts and the latest failures for the admin page.
    pub async fn mail_status(&self, now_ms: i64) -> Result<MailStatus, StoreError> {
        // SUM over the integer 1 is a BIGINT on PostgreSQL (not a NUMERIC, as a sum of
        // BIGINTs would be), an INTEGER on SQLite: both read as i64.
        let counts = sqlx::query(
            "SELECT \
             COALESCE(SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN state = 'sent' AND sent_ms > $1 THEN 1 ELSE 0 END), 0) \
             FROM mail_outbox",
        )
        .bind(now_ms - DAY_MS)
        .fetch_one(&self.pool)
        .await?;
        let rows = sqlx::query(
            "SELECT id, recipient, subject, last_error, attempts, created_ms, last_attempt_ms, \
             state, next_attempt_ms FROM mail_outbox \
             WHERE state <> 'sent' AND last_error IS NOT NULL \
             ORDER BY COALESCE(last_attempt_ms, created_ms) DESC, id DESC LIMIT $1",
        )
        .bind(RECENT_FAILURES)
        .fetch_all(&self.pool)
        .await?;
        Ok(MailStatus {
            pending: int(&counts, 0)?,
            failed: int(&counts, 1)?,
            sent_24h: int(&counts, 2)?,
            recent_failures: rows.iter().map(failure).collect::<Result<_, _>>()?,
        })
    }

    /// Deletes sent and given-up mails whose last try was before `before_ms`; how many.
    pub async fn delete_old_mails(&self, before_ms: i64) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM mail_outbox WHERE state <> 'pending' \
             AND COALESCE(sent_ms, last_attempt_ms, created_ms) < $1",
        )
        .bind(before_ms)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}

fn queued(row: &AnyRow) -> Result<QueuedMail, StoreError> {
    let attachment = match (
        opt_text(row, 4)?,
        opt_text(row, 5)?,
        row.try_get::<Option<Vec<u8>>, _>(6)?,
    ) {
        (Some(name), Some(content_type), Some(bytes)) => Some(Attachment {
            name,
            content_type,
            bytes,
        }),
        _ => None,
    };
    Ok(QueuedMail {
        id: int(row, 0)?,
        mail: NewMail {
            to: text(row, 1)?,
            subject: text(row, 2)?,
            text: text(row, 3)?,
            attachment,
        },
        created_ms: int(row, 7)?,
        attempts: int(row, 8)?,
    })
}

fn failure(row: &AnyRow) -> Result<MailFailure, StoreError> {
    Ok(MailFailure {
        id: int(row, 0)?,
        to: text(row, 1)?,
        subject: text(row, 2)?,
        error: text(row, 3)?,
        attempts: int(row, 4)?,
        created_ms: int(row, 5)?,
        last_attempt_ms: opt_int(row, 6)?,
        state: MailState::parse(&text(row, 7)?)?,
        next_attempt_ms: int(row, 8)?,
    })
}
