//! Units' voicemail boxes (migration 0019, issue 17): an administrator gives a unit a box
//! under a number nobody else has (an extension or an E.164 direct number), with a
//! language and an e-mail address for its new messages; callers of the number leave
//! messages there, and the unit's members (and those of its sub-units) hear them. A unit
//! has at most one box. Removing one hands back its messages' files for the caller to
//! delete.

use crate::voicemail::{mailbox, BOX_COLUMNS};
use crate::{int, text, Mailbox, Store, StoreError};
use sqlx::any::AnyRow;

/// A unit's box with the unit's name and path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitMailbox {
    /// The box (its `unit_id` and `number` are set).
    pub mailbox: Mailbox,
    /// The unit's own name (`Sachgebiet 23 IKT`).
    pub unit_name: String,
    /// The unit's path (`Abteilung 2/Sachgebiet 23 IKT`).
    pub unit_path: String,
}

/// The box's columns (as `BOX_COLUMNS`, of `b`) and the unit's name and path.
fn unit_columns() -> String {
    let boxed: Vec<String> = BOX_COLUMNS
        .split(", ")
        .map(|c| format!("b.{}", c.trim()))
        .collect();
    format!("{}, u.name, u.path", boxed.join(", "))
}

const UNIT_FROM: &str = "voicemail_boxes b JOIN units u ON u.id = b.unit_id";

fn unit_mailbox(row: &AnyRow) -> Result<UnitMailbox, StoreError> {
    Ok(UnitMailbox {
        mailbox: mailbox(row)?,
        unit_name: text(row, 13)?,
        unit_path: text(row, 14)?,
    })
}

impl Store {
    /// Makes a voicemail box for unit `unit` under `number` (checked by the caller:
    /// digits, or `+` and digits), in `language` (`de` or `en`), its new messages mailed
    /// to `email` (if given). A number a person, a hotline or another box (fax or
    /// voicemail) has already, a unit that does not exist or already has a box is a
    /// [`StoreError::Conflict`] with a German message; nothing is written.
    pub async fn create_unit_mailbox(
        &self,
        unit: i64,
        number: &str,
        email: Option<&str>,
        language: &str,
        now_ms: i64,
    ) -> Result<UnitMailbox, StoreError> {
        // The write lock first (SQLite: BEGIN IMMEDIATE): the checks and the insert see
        // one state, and a read turned write cannot fail as busy.
        let mut tx = self.write_tx().await?;
        if let Some(holder) = crate::numbers::number_holder(&mut tx, number).await? {
            return Err(StoreError::Conflict(holder));
        }
        let Some(row) = sqlx::query("SELECT name FROM units WHERE id = $1")
            .bind(unit)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Err(StoreError::Conflict(
                "Diese Organisationseinheit gibt es nicht.".into(),
            ));
        };
        let name = text(&row, 0)?;
        let taken = |name: &str| StoreError::Conflict(format!("{name} hat schon eine Mailbox."));
        if sqlx::query("SELECT 1 FROM voicemail_boxes WHERE unit_id = $1")
            .bind(unit)
            .fetch_optional(&mut *tx)
            .await?
            .is_some()
        {
            return Err(taken(&name));
        }
        let inserted = sqlx::query(
            "INSERT INTO voicemail_boxes (unit_id, number, email, language, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(unit)
        .bind(number)
        .bind(email)
        .bind(language)
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await;
        let id = match inserted {
            Ok(row) => int(&row, 0)?,
            // Two boxes made at once with one number or for one unit: the indexes settle it.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(StoreError::Conflict(format!(
                    "Die Nummer {number} oder die Mailbox von {name} gibt es schon."
                )))
            }
            Err(e) => return Err(e.into()),
        };
        tx.commit().await?;
        self.unit_mailbox(id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("voicemail box {id} vanished")))
    }

    /// A unit's box by its id (`None` for no box, or a person's or a hotline's).
    pub async fn unit_mailbox(&self, id: i64) -> Result<Option<UnitMailbox>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {} FROM {UNIT_FROM} WHERE b.id = $1",
            unit_columns()
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(unit_mailbox).transpose()
    }

    /// The unit's box reached under `number` (as stored: an extension or `+` and digits).
    pub async fn unit_mailbox_by_number(
        &self,
        number: &str,
    ) -> Result<Option<UnitMailbox>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {} FROM {UNIT_FROM} WHERE b.number = $1",
            unit_columns()
        ))
        .bind(number)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(unit_mailbox).transpose()
    }

    /// Every unit's box, by the unit's path.
    pub async fn unit_mailboxes(&self) -> Result<Vec<UnitMailbox>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM {UNIT_FROM} ORDER BY u.path",
            unit_columns()
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(unit_mailbox).collect()
    }

    /// The units' boxes `person` may hear: those of their unit and of the units above it,
    /// by the unit's path (the nearest unit last). Box id and the unit's name.
    pub async fn unit_mailboxes_of(&self, person: i64) -> Result<Vec<(i64, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT b.id, n.name FROM voicemail_boxes b JOIN units n ON n.id = b.unit_id \
             JOIN staff p ON p.id = $1 AND p.disabled_at IS NULL \
             JOIN units pu ON pu.id = p.unit_id \
             WHERE pu.path = n.path OR substr(pu.path, 1, length(n.path) + 1) = n.path || '/' \
             ORDER BY n.path",
        )
        .bind(person)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok((int(r, 0)?, text(r, 1)?))).collect()
    }

    /// Removes a unit's box with its messages' rows; their files, for the caller to
    /// delete. `None` when there is no such unit box (a person's or a hotline's box is
    /// never removed here).
    pub async fn delete_unit_mailbox(&self, id: i64) -> Result<Option<Vec<String>>, StoreError> {
        let mut tx = self.write_tx().await?;
        let files = sqlx::query(
            "SELECT m.file FROM voicemail_messages m JOIN voicemail_boxes b ON b.id = m.box_id \
             WHERE b.id = $1 AND b.unit_id IS NOT NULL ORDER BY m.id",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| text(r, 0))
        .collect::<Result<Vec<_>, _>>()?;
        let done = sqlx::query("DELETE FROM voicemail_boxes WHERE id = $1 AND unit_id IS NOT NULL")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok((done.rows_affected() > 0).then_some(files))
    }
}
