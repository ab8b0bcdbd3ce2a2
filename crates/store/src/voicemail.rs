//! Voicemail boxes and their messages (migrations 0015 and 0019): a person's box is made
//! when it is first needed; a hotline's when its overflow points there; a unit's by an
//! administrator (`voicemail_units.rs`). The recordings themselves are
//! files in the data folder, named by the rows; the caller of these functions writes a
//! file before its row and deletes it after its row.

use crate::{int, opt_int, opt_text, text, Store, StoreError};
use sqlx::Row;

/// A box and its settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mailbox {
    /// Its id.
    pub id: i64,
    /// The person whose box it is.
    pub staff_id: Option<i64>,
    /// The hotline whose box it is.
    pub hotline_id: Option<i64>,
    /// The unit whose box it is.
    pub unit_id: Option<i64>,
    /// A unit box's own number (an extension or an E.164 direct number).
    pub number: Option<String>,
    /// Where a unit box's new messages are mailed, if anywhere.
    pub email: Option<String>,
    /// Calls nobody answers go there.
    pub enabled: bool,
    /// A personal greeting was recorded.
    pub has_greeting: bool,
    /// An absence greeting was recorded.
    pub has_absence: bool,
    /// The absence greeting is switched on.
    pub absence_on: bool,
    /// The last day it plays (local, `YYYY-MM-DD`); `None`: until switched off.
    pub absence_until: Option<String>,
    /// `attach`, `link` or `off`.
    pub email_mode: String,
    /// `de` or `en`: the built-in greeting's and the e-mails' language.
    pub language: String,
}

/// A message in a box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voicemail {
    /// Its id.
    pub id: i64,
    /// The box.
    pub box_id: i64,
    /// The caller's number, if sent.
    pub caller_number: Option<String>,
    /// The caller's name, if known.
    pub caller_name: Option<String>,
    /// The caller, if a colleague.
    pub caller_staff_id: Option<i64>,
    /// When it was left (Unix ms).
    pub received_at: i64,
    /// Its length.
    pub duration_ms: i64,
    /// The recording, relative to the data folder.
    pub file: String,
    /// When it was first heard.
    pub heard_at: Option<i64>,
}

/// Which greeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GreetingKind {
    /// The personal greeting.
    Personal,
    /// The greeting while absent.
    Absence,
}

impl GreetingKind {
    fn columns(self) -> (&'static str, &'static str) {
        match self {
            GreetingKind::Personal => ("greeting_alaw", "greeting_opus"),
            GreetingKind::Absence => ("absence_alaw", "absence_opus"),
        }
    }
}

pub(crate) const BOX_COLUMNS: &str = "id, staff_id, hotline_id, enabled, \
    greeting_alaw IS NOT NULL, absence_alaw IS NOT NULL, absence_on, absence_until, \
    email_mode, language, unit_id, number, email";

const MESSAGE_COLUMNS: &str = "id, box_id, caller_number, caller_name, caller_staff_id, \
    received_at, duration_ms, file, heard_at";

fn flag(row: &sqlx::any::AnyRow, column: usize) -> Result<bool, StoreError> {
    // SQLite answers `IS NOT NULL` as an integer, PostgreSQL as a boolean.
    Ok(row
        .try_get::<bool, _>(column)
        .or_else(|_| row.try_get::<i64, _>(column).map(|n| n != 0))?)
}

pub(crate) fn mailbox(row: &sqlx::any::AnyRow) -> Result<Mailbox, StoreError> {
    Ok(Mailbox {
        id: int(row, 0)?,
        staff_id: opt_int(row, 1)?,
        hotline_id: opt_int(row, 2)?,
        enabled: int(row, 3)? != 0,
        has_greeting: flag(row, 4)?,
        has_absence: flag(row, 5)?,
        absence_on: int(row, 6)? != 0,
        absence_until: opt_text(row, 7)?,
        email_mode: text(row, 8)?,
        language: text(row, 9)?,
        unit_id: opt_int(row, 10)?,
        number: opt_text(row, 11)?,
        email: opt_text(row, 12)?.filter(|e| !e.trim().is_empty()),
    })
}

fn message(row: &sqlx::any::AnyRow) -> Result<Voicemail, StoreError> {
    Ok(Voicemail {
        id: int(row, 0)?,
        box_id: int(row, 1)?,
        caller_number: opt_text(row, 2)?,
        caller_name: opt_text(row, 3)?,
        caller_staff_id: opt_int(row, 4)?,
        received_at: int(row, 5)?,
        duration_ms: int(row, 6)?,
        file: text(row, 7)?,
        heard_at: opt_int(row, 8)?,
    })
}

impl Store {
    /// A person's box, made now if they have none yet.
    pub async fn person_mailbox(&self, staff_id: i64, now_ms: i64) -> Result<Mailbox, StoreError> {
        self.owned_mailbox("staff_id", staff_id, now_ms).await
    }

    /// A hotline's box, made now if it has none yet.
    pub async fn hotline_mailbox(
        &self,
        hotline_id: i64,
        now_ms: i64,
    ) -> Result<Mailbox, StoreError> {
        self.owned_mailbox("hotline_id", hotline_id, now_ms).await
    }

    async fn owned_mailbox(
        &self,
        column: &str,
        owner: i64,
        now_ms: i64,
    ) -> Result<Mailbox, StoreError> {
        sqlx::query(&format!(
            "INSERT INTO voicemail_boxes ({column}, created_at) VALUES ($1, $2) \
             ON CONFLICT ({column}) DO NOTHING"
        ))
        .bind(owner)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        let row = sqlx::query(&format!(
            "SELECT {BOX_COLUMNS} FROM voicemail_boxes WHERE {column} = $1"
        ))
        .bind(owner)
        .fetch_one(&self.pool)
        .await?;
        mailbox(&row)
    }

    /// A box by its id.
    pub async fn mailbox(&self, id: i64) -> Result<Option<Mailbox>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {BOX_COLUMNS} FROM voicemail_boxes WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(mailbox).transpose()
    }

    /// Changes a box's settings (the greetings stay) to those of `settings` (its id
    /// names the box). Whether it exists.
    pub async fn set_mailbox_settings(&self, settings: &Mailbox) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE voicemail_boxes SET enabled = $1, absence_on = $2, absence_until = $3, \
             email_mode = $4, language = $5 WHERE id = $6",
        )
        .bind(i64::from(settings.enabled))
        .bind(i64::from(settings.absence_on))
        .bind(&settings.absence_until)
        .bind(&settings.email_mode)
        .bind(&settings.language)
        .bind(settings.id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Sets (or with `None` removes) a greeting: its A-law and its Ogg Opus. Whether the
    /// box exists.
    pub async fn set_mailbox_greeting(
        &self,
        id: i64,
        kind: GreetingKind,
        audio: Option<(&[u8], &[u8])>,
    ) -> Result<bool, StoreError> {
        let (alaw, opus) = kind.columns();
        let done = sqlx::query(&format!(
            "UPDATE voicemail_boxes SET {alaw} = $1, {opus} = $2 WHERE id = $3"
        ))
        .bind(audio.map(|(a, _)| a.to_vec()))
        .bind(audio.map(|(_, o)| o.to_vec()))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// A greeting as callers hear it (A-law), if recorded.
    pub async fn mailbox_greeting_alaw(
        &self,
        id: i64,
        kind: GreetingKind,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        self.greeting_column(id, kind.columns().0).await
    }

    /// A greeting as the owner plays it back (Ogg Opus), if recorded.
    pub async fn mailbox_greeting_opus(
        &self,
        id: i64,
        kind: GreetingKind,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        self.greeting_column(id, kind.columns().1).await
    }

    async fn greeting_column(&self, id: i64, column: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {column} FROM voicemail_boxes WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row
            .map(|r| r.try_get::<Option<Vec<u8>>, _>(0))
            .transpose()?
            .flatten())
    }

    /// Records a message whose file is already written; its id.
    pub async fn add_voicemail(&self, m: &Voicemail) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO voicemail_messages (box_id, caller_number, caller_name, \
             caller_staff_id, received_at, duration_ms, file, heard_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(m.box_id)
        .bind(&m.caller_number)
        .bind(&m.caller_name)
        .bind(m.caller_staff_id)
        .bind(m.received_at)
        .bind(m.duration_ms)
        .bind(&m.file)
        .bind(m.heard_at)
        .fetch_one(&self.pool)
        .await?;
        int(&row, 0)
    }

    /// A box's messages, newest first.
    pub async fn voicemails(&self, box_id: i64) -> Result<Vec<Voicemail>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM voicemail_messages WHERE box_id = $1 \
             ORDER BY received_at DESC, id DESC"
        ))
        .bind(box_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(message).collect()
    }

    /// One message.
    pub async fn voicemail(&self, id: i64) -> Result<Option<Voicemail>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM voicemail_messages WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(message).transpose()
    }

    /// Marks a message heard (at `now_ms`; a second time keeps the first) or unheard.
    /// Whether it exists.
    pub async fn mark_voicemail(
        &self,
        id: i64,
        heard: bool,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let done = if heard {
            sqlx::query(
                "UPDATE voicemail_messages SET heard_at = COALESCE(heard_at, $1) WHERE id = $2",
            )
            .bind(now_ms)
            .bind(id)
            .execute(&self.pool)
            .await?
        } else {
            sqlx::query("UPDATE voicemail_messages SET heard_at = NULL WHERE id = $1")
                .bind(id)
                .execute(&self.pool)
                .await?
        };
        Ok(done.rows_affected() > 0)
    }

    /// Deletes a message's row; its file, for the caller to delete.
    pub async fn delete_voicemail(&self, id: i64) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("DELETE FROM voicemail_messages WHERE id = $1 RETURNING file")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(|r| text(r, 0)).transpose()
    }

    /// How many messages of a box nobody has heard.
    pub async fn unheard_voicemails(&self, box_id: i64) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM voicemail_messages WHERE box_id = $1 AND heard_at IS NULL",
        )
        .bind(box_id)
        .fetch_one(&self.pool)
        .await?;
        int(&row, 0)
    }

    /// A person's e-mail address from the directory, if it has one.
    pub async fn staff_email(&self, staff_id: i64) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT email FROM staff WHERE id = $1 AND disabled_at IS NULL")
            .bind(staff_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row
            .map(|r| opt_text(&r, 0))
            .transpose()?
            .flatten()
            .filter(|e| !e.trim().is_empty()))
    }

    /// Who may hear a box: its owner, a hotline's supervisors, or the members of a unit
    /// and of its sub-units (those in the directory); by staff id.
    pub async fn mailbox_listeners(&self, box_id: i64) -> Result<Vec<i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT staff_id FROM voicemail_boxes WHERE id = $1 AND staff_id IS NOT NULL \
             UNION SELECT s.staff_id FROM hotline_supervisors s \
             JOIN voicemail_boxes b ON b.hotline_id = s.hotline_id WHERE b.id = $1 \
             UNION SELECT s.id FROM voicemail_boxes b JOIN units a ON a.id = b.unit_id \
             JOIN units u ON (u.path = a.path OR substr(u.path, 1, length(a.path) + 1) = a.path || '/') \
             JOIN staff s ON s.unit_id = u.id WHERE b.id = $1 AND s.disabled_at IS NULL \
             ORDER BY 1",
        )
        .bind(box_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| int(r, 0)).collect()
    }

    /// The hotlines' boxes `person` may hear (as a supervisor): box id and hotline name.
    pub async fn supervised_mailboxes(
        &self,
        person: i64,
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT b.id, h.name FROM voicemail_boxes b JOIN hotlines h ON h.id = b.hotline_id \
             JOIN hotline_supervisors s ON s.hotline_id = h.id WHERE s.staff_id = $1 \
             ORDER BY h.name",
        )
        .bind(person)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((int(r, 0)?, text(r, 1)?))).collect()
    }

    /// How many messages of a box are new (unheard) and old (heard): a lamp's counts.
    pub async fn voicemail_counts(&self, box_id: i64) -> Result<(i64, i64), StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) - COUNT(heard_at), COUNT(heard_at) FROM voicemail_messages \
             WHERE box_id = $1",
        )
        .bind(box_id)
        .fetch_one(&self.pool)
        .await?;
        Ok((int(&row, 0)?, int(&row, 1)?))
    }

    /// Messages left before `before_ms` (for retention): id, file and box.
    pub async fn voicemails_before(
        &self,
        before_ms: i64,
    ) -> Result<Vec<(i64, String, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, file, box_id FROM voicemail_messages WHERE received_at < $1 ORDER BY id",
        )
        .bind(before_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((int(r, 0)?, text(r, 1)?, int(r, 2)?)))
            .collect()
    }

    /// Every message's file (to find files no row names after a crash).
    pub async fn voicemail_files(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT file FROM voicemail_messages")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| text(r, 0)).collect()
    }
}
