//! Fax boxes and their faxes (migration 0018, issue 17): a box is a number (an extension
//! or an E.164 direct number) of one person or one unit; its faxes are received
//! (`receiving` → `received` or `failed`) or sent (`queued` → `sending` → `sent`, back to
//! `queued` for a retry, or `failed`). The PDFs and an outgoing fax's TIFF are files in
//! the data folder named by the rows: the caller writes a file before its row names it
//! and deletes it after the row is gone ([`Store::delete_fax`] hands the row back).

use crate::{int, opt_int, opt_text, text, Store, StoreError};
use sqlx::any::AnyRow;

/// Whose box it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaxOwner {
    /// A person's (staff id): the person alone uses it.
    Person(i64),
    /// A unit's (unit id): its members and those of its sub-units use it.
    Unit(i64),
}

/// A fax box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaxBox {
    /// Its id.
    pub id: i64,
    /// Its number: an extension or an E.164 direct number.
    pub number: String,
    /// The person whose box it is.
    pub staff_id: Option<i64>,
    /// The unit whose box it is.
    pub unit_id: Option<i64>,
    /// The person's or the unit's name.
    pub name: String,
    /// Where received faxes are mailed: the person's own address (while they are in the
    /// directory), or the unit box's address; `None`: nowhere.
    pub email: Option<String>,
}

/// Received or sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaxDirection {
    /// Received.
    In,
    /// Sent.
    Out,
}

impl FaxDirection {
    /// `in` or `out`, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            FaxDirection::In => "in",
            FaxDirection::Out => "out",
        }
    }

    /// The direction stored as `text`.
    pub fn parse(text: &str) -> Option<FaxDirection> {
        match text {
            "in" => Some(FaxDirection::In),
            "out" => Some(FaxDirection::Out),
            _ => None,
        }
    }
}

/// Where a fax is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaxStatus {
    /// Coming in now.
    Receiving,
    /// Received, with its PDF.
    Received,
    /// Given up (the reason says why).
    Failed,
    /// Waiting to be sent (`next_attempt_ms`).
    Queued,
    /// Going out now.
    Sending,
    /// Sent.
    Sent,
}

impl FaxStatus {
    /// As stored: `receiving`, `received`, `failed`, `queued`, `sending`, `sent`.
    pub fn as_str(self) -> &'static str {
        match self {
            FaxStatus::Receiving => "receiving",
            FaxStatus::Received => "received",
            FaxStatus::Failed => "failed",
            FaxStatus::Queued => "queued",
            FaxStatus::Sending => "sending",
            FaxStatus::Sent => "sent",
        }
    }

    /// The status stored as `text`.
    pub fn parse(text: &str) -> Option<FaxStatus> {
        [
            FaxStatus::Receiving,
            FaxStatus::Received,
            FaxStatus::Failed,
            FaxStatus::Queued,
            FaxStatus::Sending,
            FaxStatus::Sent,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// Whether the fax is over (received, failed or sent).
    pub fn is_finished(self) -> bool {
        matches!(
            self,
            FaxStatus::Received | FaxStatus::Failed | FaxStatus::Sent
        )
    }
}

/// A fax, received or sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fax {
    /// Its id.
    pub id: i64,
    /// The box it came to or went from.
    pub box_id: i64,
    /// Received or sent.
    pub direction: FaxDirection,
    /// The far number.
    pub remote: String,
    /// The far station's id (CSI/TSI), once known.
    pub remote_ident: Option<String>,
    /// Pages received or sent (an outgoing fax's pages to send while queued).
    pub pages: i64,
    /// Where it is.
    pub status: FaxStatus,
    /// Why it failed (or why the last try of a queued fax did).
    pub reason: Option<String>,
    /// The PDF, relative to the data folder.
    pub file: Option<String>,
    /// An outgoing fax's TIFF, relative to the data folder.
    pub tiff: Option<String>,
    /// Who sent it.
    pub sender_id: Option<i64>,
    /// Tries to send it so far.
    pub attempts: i64,
    /// When a queued fax is tried (next).
    pub next_attempt_ms: Option<i64>,
    /// When it began (Unix ms).
    pub created_ms: i64,
    /// When it was received, sent or given up.
    pub finished_ms: Option<i64>,
}

const BOX_COLUMNS: &str = "b.id, b.number, b.staff_id, b.unit_id, \
    COALESCE(s.display_name, u.name), \
    CASE WHEN b.staff_id IS NULL THEN b.email WHEN s.disabled_at IS NULL THEN s.email END";

const BOX_FROM: &str = "fax_boxes b LEFT JOIN staff s ON s.id = b.staff_id \
    LEFT JOIN units u ON u.id = b.unit_id";

const FAX_COLUMNS: &str = "id, box_id, direction, remote, remote_ident, pages, status, \
    reason, file, tiff, sender_id, attempts, next_attempt_ms, created_ms, finished_ms";

/// The statuses a fax is over in, for SQL.
const FINISHED: &str = "('received', 'failed', 'sent')";

fn fax_box(row: &AnyRow) -> Result<FaxBox, StoreError> {
    Ok(FaxBox {
        id: int(row, 0)?,
        number: text(row, 1)?,
        staff_id: opt_int(row, 2)?,
        unit_id: opt_int(row, 3)?,
        name: text(row, 4)?,
        email: opt_text(row, 5)?.filter(|e| !e.trim().is_empty()),
    })
}

fn fax(row: &AnyRow) -> Result<Fax, StoreError> {
    let direction = text(row, 2)?;
    let status = text(row, 6)?;
    Ok(Fax {
        id: int(row, 0)?,
        box_id: int(row, 1)?,
        direction: FaxDirection::parse(&direction)
            .ok_or_else(|| StoreError::Corrupt(format!("fax direction {direction:?}")))?,
        remote: text(row, 3)?,
        remote_ident: opt_text(row, 4)?,
        pages: int(row, 5)?,
        status: FaxStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("fax status {status:?}")))?,
        reason: opt_text(row, 7)?,
        file: opt_text(row, 8)?,
        tiff: opt_text(row, 9)?,
        sender_id: opt_int(row, 10)?,
        attempts: int(row, 11)?,
        next_attempt_ms: opt_int(row, 12)?,
        created_ms: int(row, 13)?,
        finished_ms: opt_int(row, 14)?,
    })
}

/// A change of a fax that found it in none of the statuses it may leave: refused.
fn not_in(id: i64, what: &str) -> StoreError {
    StoreError::Conflict(format!("Fax {id} {what}."))
}

impl Store {
    /// Makes a fax box for `owner` under `number` (checked by the caller: digits, or `+`
    /// and digits). A number a person, a hotline or another box (a fax box, a unit's
    /// voicemail box) has already, an owner not (or no longer) in the directory, or an
    /// address for a person's box (they get their own) is a [`StoreError::Conflict`] with
    /// a German message; nothing is written.
    pub async fn create_fax_box(
        &self,
        number: &str,
        owner: FaxOwner,
        email: Option<&str>,
        now_ms: i64,
    ) -> Result<FaxBox, StoreError> {
        let (column, owner_id, check) = match owner {
            FaxOwner::Person(id) => (
                "staff_id",
                id,
                "SELECT 1 FROM staff WHERE id = $1 AND disabled_at IS NULL",
            ),
            FaxOwner::Unit(id) => ("unit_id", id, "SELECT 1 FROM units WHERE id = $1"),
        };
        if matches!(owner, FaxOwner::Person(_)) && email.is_some() {
            return Err(StoreError::Conflict(
                "Der Faxeingang einer Person geht an ihre eigene E-Mail-Adresse.".into(),
            ));
        }
        // The write lock first (SQLite: BEGIN IMMEDIATE): the check and the insert see one
        // state, and a read turned write cannot fail as busy.
        let mut tx = self.write_tx().await?;
        if let Some(holder) = crate::numbers::number_holder(&mut tx, number).await? {
            return Err(StoreError::Conflict(holder));
        }
        if sqlx::query(check)
            .bind(owner_id)
            .fetch_optional(&mut *tx)
            .await?
            .is_none()
        {
            return Err(StoreError::Conflict(match owner {
                FaxOwner::Person(_) => "Diese Person gibt es im Verzeichnis nicht.".into(),
                FaxOwner::Unit(_) => "Diese Organisationseinheit gibt es nicht.".into(),
            }));
        }
        let inserted = sqlx::query(&format!(
            "INSERT INTO fax_boxes (number, {column}, email, created_ms) \
             VALUES ($1, $2, $3, $4) RETURNING id"
        ))
        .bind(number)
        .bind(owner_id)
        .bind(email)
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await;
        let id = match inserted {
            Ok(row) => int(&row, 0)?,
            // Two boxes made at once with one number: the index settles it.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(StoreError::Conflict(format!(
                    "Die Nummer {number} hat schon ein anderer Faxeingang."
                )))
            }
            Err(e) => return Err(e.into()),
        };
        tx.commit().await?;
        self.fax_box(id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("fax box {id} vanished")))
    }

    /// Deletes a box and (cascading) its faxes' rows; the caller deletes their files
    /// first (read them with [`Store::faxes_of_box`]). Whether it existed.
    pub async fn delete_fax_box(&self, id: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM fax_boxes WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Every box: people's first, then units', each by name.
    pub async fn fax_boxes(&self) -> Result<Vec<FaxBox>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {BOX_COLUMNS} FROM {BOX_FROM} \
             ORDER BY CASE WHEN b.staff_id IS NULL THEN 1 ELSE 0 END, 5, b.number"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(fax_box).collect()
    }

    /// One box.
    pub async fn fax_box(&self, id: i64) -> Result<Option<FaxBox>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {BOX_COLUMNS} FROM {BOX_FROM} WHERE b.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(fax_box).transpose()
    }

    /// The box reached under `number` (for an incoming fax).
    pub async fn fax_box_by_number(&self, number: &str) -> Result<Option<FaxBox>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {BOX_COLUMNS} FROM {BOX_FROM} WHERE b.number = $1"
        ))
        .bind(number)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(fax_box).transpose()
    }

    /// The boxes `person` uses: their own, and those of their unit and of the units
    /// above it; their own first, then by name.
    pub async fn fax_boxes_of(&self, person: i64) -> Result<Vec<FaxBox>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {BOX_COLUMNS} FROM {BOX_FROM} WHERE b.staff_id = $1 OR b.unit_id IN \
             (SELECT a.id FROM staff p JOIN units pu ON pu.id = p.unit_id JOIN units a \
              ON (pu.path = a.path OR substr(pu.path, 1, length(a.path) + 1) = a.path || '/') \
              WHERE p.id = $1 AND p.disabled_at IS NULL) \
             ORDER BY CASE WHEN b.staff_id IS NULL THEN 1 ELSE 0 END, 5, b.number"
        ))
        .bind(person)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(fax_box).collect()
    }

    /// Who uses a box: the person, or the members of the unit and of its sub-units (those
    /// in the directory); by staff id.
    pub async fn fax_box_viewers(&self, box_id: i64) -> Result<Vec<i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT staff_id FROM fax_boxes WHERE id = $1 AND staff_id IS NOT NULL \
             UNION SELECT s.id FROM fax_boxes b JOIN units a ON a.id = b.unit_id \
             JOIN units u ON (u.path = a.path OR substr(u.path, 1, length(a.path) + 1) = a.path || '/') \
             JOIN staff s ON s.unit_id = u.id WHERE b.id = $1 AND s.disabled_at IS NULL \
             ORDER BY 1",
        )
        .bind(box_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| int(r, 0)).collect()
    }

    /// A fax from `remote` begins to come in to `box_id`; its id.
    pub async fn fax_receiving(
        &self,
        box_id: i64,
        remote: &str,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO faxes (box_id, direction, remote, status, created_ms) \
             VALUES ($1, 'in', $2, 'receiving', $3) RETURNING id",
        )
        .bind(box_id)
        .bind(remote)
        .bind(now_ms)
        .fetch_one(&self.pool)
        .await?;
        int(&row, 0)
    }

    /// A fax that was coming in is received: its pages, its PDF (written already) and the
    /// far station's id. A fax not being received (deleted meanwhile) is a
    /// [`StoreError::Conflict`]; the caller then deletes the file.
    pub async fn fax_received(
        &self,
        id: i64,
        pages: i64,
        file: &str,
        remote_ident: Option<&str>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE faxes SET status = 'received', pages = $2, file = $3, remote_ident = $4, \
             reason = NULL, finished_ms = $5 WHERE id = $1 AND status = 'receiving'",
        )
        .bind(id)
        .bind(pages)
        .bind(file)
        .bind(remote_ident)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(not_in(id, "wird nicht empfangen"));
        }
        Ok(())
    }

    /// A fax being received, or one to send, is given up: the pages that came or went,
    /// why, and the PDF of what came (if anything did). A fax already over is a
    /// [`StoreError::Conflict`].
    pub async fn fax_failed(
        &self,
        id: i64,
        pages: i64,
        reason: &str,
        file: Option<&str>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE faxes SET status = 'failed', pages = $2, reason = $3, \
             file = COALESCE($4, file), next_attempt_ms = NULL, finished_ms = $5 \
             WHERE id = $1 AND status IN ('receiving', 'queued', 'sending')",
        )
        .bind(id)
        .bind(pages)
        .bind(reason)
        .bind(file)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(not_in(id, "ist schon abgeschlossen"));
        }
        Ok(())
    }

    /// Queues a fax from `box_id` to `remote` sent by `sender`, its TIFF (written
    /// already) of `pages` pages; tried at once. Its id.
    pub async fn queue_fax(
        &self,
        box_id: i64,
        sender: i64,
        remote: &str,
        tiff: &str,
        pages: i64,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO faxes (box_id, direction, remote, pages, status, tiff, sender_id, \
             next_attempt_ms, created_ms) VALUES ($1, 'out', $2, $3, 'queued', $4, $5, $6, $6) \
             RETURNING id",
        )
        .bind(box_id)
        .bind(remote)
        .bind(pages)
        .bind(tiff)
        .bind(sender)
        .bind(now_ms)
        .fetch_one(&self.pool)
        .await?;
        int(&row, 0)
    }

    /// Queued faxes whose time has come, the oldest first, at most `limit`.
    pub async fn due_faxes(&self, now_ms: i64, limit: i64) -> Result<Vec<Fax>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {FAX_COLUMNS} FROM faxes WHERE status = 'queued' AND next_attempt_ms <= $1 \
             ORDER BY created_ms, id LIMIT $2"
        ))
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(fax).collect()
    }

    /// Claims a queued fax that is due (`next_attempt_ms <= now_ms`) for a try:
    /// `sending`, one attempt more. `false` when it was not queued and due (claimed by
    /// another, deleted, over, not yet time): one claim wins, also at the same time.
    pub async fn fax_sending(&self, id: i64, now_ms: i64) -> Result<bool, StoreError> {
        // The status in the WHERE makes the claim atomic: a second UPDATE waits for the
        // first's row lock (PostgreSQL) or the write lock (SQLite), then finds no row.
        let done = sqlx::query(
            "UPDATE faxes SET status = 'sending', attempts = attempts + 1, \
             next_attempt_ms = NULL WHERE id = $1 AND status = 'queued' \
             AND next_attempt_ms <= $2",
        )
        .bind(id)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A fax being sent went through: the pages sent and the PDF of it. A fax not being
    /// sent is a [`StoreError::Conflict`].
    pub async fn fax_sent(
        &self,
        id: i64,
        pages: i64,
        file: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE faxes SET status = 'sent', pages = $2, file = $3, reason = NULL, \
             finished_ms = $4 WHERE id = $1 AND status = 'sending'",
        )
        .bind(id)
        .bind(pages)
        .bind(file)
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(not_in(id, "wird nicht gesendet"));
        }
        Ok(())
    }

    /// A try to send failed (busy, no answer): queued again for `next_attempt_ms`, with
    /// why. A fax not being sent is a [`StoreError::Conflict`].
    pub async fn fax_retry(
        &self,
        id: i64,
        reason: &str,
        next_attempt_ms: i64,
    ) -> Result<(), StoreError> {
        let done = sqlx::query(
            "UPDATE faxes SET status = 'queued', reason = $2, next_attempt_ms = $3 \
             WHERE id = $1 AND status = 'sending'",
        )
        .bind(id)
        .bind(reason)
        .bind(next_attempt_ms)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(not_in(id, "wird nicht gesendet"));
        }
        Ok(())
    }

    /// One fax.
    pub async fn fax(&self, id: i64) -> Result<Option<Fax>, StoreError> {
        let row = sqlx::query(&format!("SELECT {FAX_COLUMNS} FROM faxes WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(fax).transpose()
    }

    /// A box's faxes, the newest first, at most `limit`.
    pub async fn faxes_of_box(&self, box_id: i64, limit: i64) -> Result<Vec<Fax>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {FAX_COLUMNS} FROM faxes WHERE box_id = $1 \
             ORDER BY created_ms DESC, id DESC LIMIT $2"
        ))
        .bind(box_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(fax).collect()
    }

    /// Deletes a fax's row and hands it back, so the caller deletes its files; `None`
    /// when there was none, or when it is on the line (being received or sent) — checked
    /// in the same statement, so a fax claimed meanwhile is never taken from its call.
    pub async fn delete_fax(&self, id: i64) -> Result<Option<Fax>, StoreError> {
        let row = sqlx::query(&format!(
            "DELETE FROM faxes WHERE id = $1 AND status NOT IN ('receiving', 'sending') \
             RETURNING {FAX_COLUMNS}"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(fax).transpose()
    }

    /// Faxes that are over (received, failed, sent) and began before `cutoff_ms`, the
    /// oldest first: for retention.
    pub async fn faxes_before(&self, cutoff_ms: i64) -> Result<Vec<Fax>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {FAX_COLUMNS} FROM faxes WHERE status IN {FINISHED} AND created_ms < $1 \
             ORDER BY created_ms, id"
        ))
        .bind(cutoff_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(fax).collect()
    }

    /// At start-up: faxes a stop cut off. One being received failed ("Empfang
    /// unterbrochen"); one being sent is queued again, due now. How many were changed.
    pub async fn interrupted_faxes(&self, now_ms: i64) -> Result<u64, StoreError> {
        let mut tx = self.write_tx().await?;
        let received = sqlx::query(
            "UPDATE faxes SET status = 'failed', reason = 'Empfang unterbrochen', \
             finished_ms = $1 WHERE status = 'receiving'",
        )
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        let sent = sqlx::query(
            "UPDATE faxes SET status = 'queued', next_attempt_ms = $1 WHERE status = 'sending'",
        )
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(received.rows_affected() + sent.rows_affected())
    }

    /// Every file the faxes' rows name (PDFs and TIFFs), to find files no row names after
    /// a crash.
    pub async fn fax_files(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT file FROM faxes WHERE file IS NOT NULL \
             UNION ALL SELECT tiff FROM faxes WHERE tiff IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| text(r, 0)).collect()
    }

    /// A unit's id by its path (`Abteilung 2/Sachgebiet 23 IKT`).
    pub async fn unit_id_by_path(&self, path: &str) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT id FROM units WHERE path = $1")
            .bind(path)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(|r| int(r, 0)).transpose()
    }

    /// A unit's path by its id.
    pub async fn unit_path_by_id(&self, id: i64) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT path FROM units WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(|r| text(r, 0)).transpose()
    }
}
