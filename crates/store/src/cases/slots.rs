//! Appointment slots and the bookings of cases into them.
//!
//! Capacity under concurrency: a booking is one conditional update of the slot's counter
//! (`booked = booked + 1 WHERE booked < capacity`) and the insert of the booking row, in
//! the transaction of the case's change. On PostgreSQL the update waits for the row lock
//! of a concurrent booking and then checks the condition against the committed counter;
//! on SQLite the write transactions run one after another. Either way a slot never takes
//! more bookings than its capacity, and the counter always equals the number of rows.

use super::CaseActor;
use crate::audit::insert_audit;
use crate::directory::placeholders;
use crate::{int, text, AuditEntry, Store, StoreError};
use cases::{FieldError, FormDefinition, NewSlot, Problem, SlotChange};
use sqlx::AnyConnection;
use std::collections::HashMap;

/// An appointment slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotRow {
    /// Its id (what an appointment field holds).
    pub id: i64,
    /// Its hotline.
    pub hotline_id: i64,
    /// Unix seconds.
    pub starts_at: i64,
    /// Unix seconds (exclusive).
    pub ends_at: i64,
    /// How many bookings it takes.
    pub capacity: i64,
    /// How many it has.
    pub booked: i64,
}

/// A booking of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookedSlot {
    /// The appointment field.
    pub field_key: String,
    /// The slot.
    pub slot: SlotRow,
}

const SLOT_COLUMNS: &str = "s.id, s.hotline_id, s.starts_at, s.ends_at, s.capacity, s.booked";

fn slot_row(row: &sqlx::any::AnyRow, first: usize) -> Result<SlotRow, StoreError> {
    Ok(SlotRow {
        id: int(row, first)?,
        hotline_id: int(row, first + 1)?,
        starts_at: int(row, first + 2)?,
        ends_at: int(row, first + 3)?,
        capacity: int(row, first + 4)?,
        booked: int(row, first + 5)?,
    })
}

/// Cancels and makes the bookings of a revision of case `case_id` through `conn` (inside
/// the change's transaction). Returns one error per appointment field whose slot cannot
/// be booked; the caller then rolls everything back.
pub(crate) async fn book(
    conn: &mut AnyConnection,
    hotline_id: i64,
    case_id: i64,
    form: &FormDefinition,
    changes: &[SlotChange],
    now: i64,
) -> Result<Vec<FieldError>, StoreError> {
    let mut errors = Vec::new();
    for change in changes {
        let label = form
            .field(&change.key)
            .map_or(change.key.as_str(), |f| f.label.as_str());
        cancel(conn, case_id, &change.key).await?;
        let Some(slot) = change.to else {
            continue;
        };
        let error = |problem| FieldError::new(&change.key, label, problem);
        let found = sqlx::query(
            "SELECT starts_at, capacity FROM case_slots WHERE id = $1 AND hotline_id = $2",
        )
        .bind(slot)
        .bind(hotline_id)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(found) = found else {
            errors.push(error(Problem::SlotUnknown { slot }));
            continue;
        };
        if int(&found, 0)? <= now {
            errors.push(error(Problem::SlotStarted { slot }));
            continue;
        }
        let taken = sqlx::query(
            "UPDATE case_slots SET booked = booked + 1 WHERE id = $1 AND booked < capacity",
        )
        .bind(slot)
        .execute(&mut *conn)
        .await?;
        if taken.rows_affected() == 0 {
            errors.push(error(Problem::SlotFull {
                slot,
                capacity: int(&found, 1)?,
            }));
            continue;
        }
        sqlx::query(
            "INSERT INTO case_bookings (case_id, field_key, slot_id, booked_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(case_id)
        .bind(&change.key)
        .bind(slot)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(errors)
}

/// Cancels the booking the case holds for a field, if any, giving its place back.
async fn cancel(conn: &mut AnyConnection, case_id: i64, key: &str) -> Result<(), StoreError> {
    let held =
        sqlx::query("SELECT slot_id FROM case_bookings WHERE case_id = $1 AND field_key = $2")
            .bind(case_id)
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(held) = held else {
        return Ok(());
    };
    sqlx::query("DELETE FROM case_bookings WHERE case_id = $1 AND field_key = $2")
        .bind(case_id)
        .bind(key)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE case_slots SET booked = booked - 1 WHERE id = $1")
        .bind(int(&held, 0)?)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Store {
    /// Adds slots to the hotline (checked with `cases::slot::check` first), all or none;
    /// a span the hotline already has is a [`StoreError::Conflict`].
    pub async fn add_case_slots(
        &self,
        hotline_id: i64,
        slots: &[NewSlot],
        by: &CaseActor<'_>,
        now: i64,
    ) -> Result<Vec<SlotRow>, StoreError> {
        let mut tx = self.write_tx().await?;
        let hotline = sqlx::query("SELECT COUNT(*) FROM hotlines WHERE id = $1")
            .bind(hotline_id)
            .fetch_one(&mut *tx)
            .await?;
        if int(&hotline, 0)? == 0 {
            return Err(StoreError::UnknownHotline(hotline_id));
        }
        let mut added = Vec::with_capacity(slots.len());
        for slot in slots {
            let existing = sqlx::query(
                "SELECT COUNT(*) FROM case_slots WHERE hotline_id = $1 AND starts_at = $2 \
                 AND ends_at = $3",
            )
            .bind(hotline_id)
            .bind(slot.starts_at)
            .bind(slot.ends_at)
            .fetch_one(&mut *tx)
            .await?;
            if int(&existing, 0)? > 0 {
                return Err(StoreError::Conflict(
                    "Einen dieser Termine (gleicher Beginn und gleiches Ende) gibt es bei dieser \
                     Hotline schon; es wurde nichts angelegt."
                        .into(),
                ));
            }
            let row = sqlx::query(
                "INSERT INTO case_slots (hotline_id, starts_at, ends_at, capacity, booked) \
                 VALUES ($1, $2, $3, $4, 0) RETURNING id",
            )
            .bind(hotline_id)
            .bind(slot.starts_at)
            .bind(slot.ends_at)
            .bind(i64::from(slot.capacity))
            .fetch_one(&mut *tx)
            .await?;
            added.push(SlotRow {
                id: int(&row, 0)?,
                hotline_id,
                starts_at: slot.starts_at,
                ends_at: slot.ends_at,
                capacity: i64::from(slot.capacity),
                booked: 0,
            });
        }
        let entry = AuditEntry {
            at: now,
            actor: Some(by.login.to_string()),
            action: "case.slots.added".into(),
            target: Some(format!("hotline:{hotline_id}")),
            source: Some(by.source.to_string()),
            detail: format!("{} slots", added.len()),
        };
        insert_audit(&mut *tx, &entry).await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Removes a slot nobody booked; whether it existed in the hotline. A slot with
    /// bookings is a [`StoreError::Conflict`] (cancel the cases' bookings first), and
    /// nothing changes.
    pub async fn remove_case_slot(
        &self,
        hotline_id: i64,
        slot_id: i64,
        by: &CaseActor<'_>,
        now: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(
            "SELECT booked, starts_at FROM case_slots WHERE id = $1 AND hotline_id = $2",
        )
        .bind(slot_id)
        .bind(hotline_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(false);
        };
        let booked = int(&row, 0)?;
        if booked > 0 {
            return Err(StoreError::Conflict(format!(
                "Dieser Termin ist {booked}-mal gebucht; er lässt sich erst entfernen, wenn \
                 keine Buchung mehr darauf liegt."
            )));
        }
        // The conditional delete keeps a booking that came in meanwhile.
        let done = sqlx::query("DELETE FROM case_slots WHERE id = $1 AND booked = 0")
            .bind(slot_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict(
                "Dieser Termin wurde eben gebucht; er bleibt.".into(),
            ));
        }
        let entry = AuditEntry {
            at: now,
            actor: Some(by.login.to_string()),
            action: "case.slot.removed".into(),
            target: Some(format!("hotline:{hotline_id}")),
            source: Some(by.source.to_string()),
            detail: format!("slot {slot_id}, starts {}", int(&row, 1)?),
        };
        insert_audit(&mut *tx, &entry).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The hotline's slots that begin in `[from, until)`, in time order.
    pub async fn case_slots(
        &self,
        hotline_id: i64,
        from: i64,
        until: i64,
    ) -> Result<Vec<SlotRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {SLOT_COLUMNS} FROM case_slots s WHERE s.hotline_id = $1 \
             AND s.starts_at >= $2 AND s.starts_at < $3 ORDER BY s.starts_at, s.ends_at"
        ))
        .bind(hotline_id)
        .bind(from)
        .bind(until)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| slot_row(r, 0)).collect()
    }

    /// The slots with these ids (of any hotline), by id.
    pub async fn slots_by_id(&self, ids: &[i64]) -> Result<HashMap<i64, SlotRow>, StoreError> {
        let mut out = HashMap::new();
        // SQLite binds at most 32,766 parameters; far fewer per query here.
        for chunk in ids.chunks(500) {
            let sql = format!(
                "SELECT {SLOT_COLUMNS} FROM case_slots s WHERE s.id IN ({})",
                placeholders(1, chunk.len())
            );
            let rows = chunk
                .iter()
                .fold(sqlx::query(&sql), |q, id| q.bind(*id))
                .fetch_all(&self.pool)
                .await?;
            for row in &rows {
                let slot = slot_row(row, 0)?;
                out.insert(slot.id, slot);
            }
        }
        Ok(out)
    }

    /// The bookings a case holds, by field key.
    pub async fn case_bookings(&self, case_id: i64) -> Result<Vec<BookedSlot>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT b.field_key, {SLOT_COLUMNS} FROM case_bookings b \
             JOIN case_slots s ON s.id = b.slot_id WHERE b.case_id = $1 ORDER BY b.field_key"
        ))
        .bind(case_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(BookedSlot {
                    field_key: text(r, 0)?,
                    slot: slot_row(r, 1)?,
                })
            })
            .collect()
    }

    /// How many booking rows a slot has (to check its counter against).
    #[doc(hidden)]
    pub async fn count_bookings_for_test(&self, slot_id: i64) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) FROM case_bookings WHERE slot_id = $1")
            .bind(slot_id)
            .fetch_one(&self.pool)
            .await?;
        int(&row, 0)
    }
}
