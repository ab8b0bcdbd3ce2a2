//! What the day's plan last put into a person's presence, so the server's task can tell
//! a location the person set by hand today (left alone) from its own.

use super::{day_text, missing, parse_day};
use crate::{int, opt_text, text, Store, StoreError};
use jiff::civil::Date;

/// A person's stored hand-set presence as the plan's task reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresenceNow {
    /// State name.
    pub state: String,
    /// Location name.
    pub location: Option<String>,
    /// Note.
    pub note: Option<String>,
    /// Until, Unix milliseconds.
    pub until_ms: Option<i64>,
    /// Last changed, Unix milliseconds.
    pub changed_ms: i64,
}

impl Store {
    /// The stored hand-set presence of `staff_id`, if any.
    pub async fn presence_now(&self, staff_id: i64) -> Result<Option<PresenceNow>, StoreError> {
        use sqlx::Row;
        let row = sqlx::query(
            "SELECT state, location, note, until_ms, changed_at FROM presence WHERE staff_id = $1",
        )
        .bind(staff_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(PresenceNow {
                state: text(&row, 0)?,
                location: opt_text(&row, 1)?,
                note: opt_text(&row, 2)?,
                until_ms: row.try_get::<Option<i64>, _>(3)?,
                changed_ms: int(&row, 4)?,
            })
        })
        .transpose()
    }

    /// The day and location the plan last set for `staff_id`.
    pub async fn presence_mark(&self, staff_id: i64) -> Result<Option<(Date, String)>, StoreError> {
        let row = sqlx::query("SELECT day, location FROM tw_presence_marks WHERE staff_id = $1")
            .bind(staff_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| Ok((parse_day(&text(&row, 0)?)?, text(&row, 1)?)))
            .transpose()
    }

    /// Records that the plan set `location` for `staff_id` on `day`.
    pub async fn set_presence_mark(
        &self,
        staff_id: i64,
        day: Date,
        location: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO tw_presence_marks (staff_id, day, location) VALUES ($1, $2, $3) \
             ON CONFLICT (staff_id) DO UPDATE SET day = excluded.day, location = excluded.location",
        )
        .bind(staff_id)
        .bind(day_text(day))
        .bind(location)
        .execute(&self.pool)
        .await
        .map_err(|e| missing(e, "Person", staff_id))?;
        Ok(())
    }
}
