//! Callbacks a hotline promised to callers (migration 0012): written when the caller asks,
//! deleted when the callback is done (or the place ends otherwise), read at start so that
//! a restart or a crash does not break the promise.

use crate::{int, opt_int, opt_text, text, Store, StoreError};

/// One promised callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromisedCallback {
    /// The place's id in the queue event log.
    pub call_id: i64,
    /// Its queue.
    pub queue_id: i64,
    /// The number to call back.
    pub number: String,
    /// The caller's name, if known.
    pub name: Option<String>,
    /// The caller, if a colleague.
    pub person_id: Option<i64>,
    /// The trunk the call came in on (to call back the same way); `None`: the switch.
    pub via_trunk: Option<i64>,
    /// When the caller entered the queue (Unix ms): the place in line.
    pub entered_ms: i64,
    /// When they asked for the callback.
    pub requested_ms: i64,
}

impl Store {
    /// Keeps a promise (a second write of the same place changes nothing).
    pub async fn promise_callback(&self, c: &PromisedCallback) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO hotline_callbacks (call_id, queue_id, number, name, person_id, \
             via_trunk, entered_ms, requested_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (call_id) DO NOTHING",
        )
        .bind(c.call_id)
        .bind(c.queue_id)
        .bind(&c.number)
        .bind(&c.name)
        .bind(c.person_id)
        .bind(c.via_trunk)
        .bind(c.entered_ms)
        .bind(c.requested_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The promise of place `call_id` is kept (or void).
    pub async fn callback_kept(&self, call_id: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM hotline_callbacks WHERE call_id = $1")
            .bind(call_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Every promise not yet kept, oldest place first.
    pub async fn promised_callbacks(&self) -> Result<Vec<PromisedCallback>, StoreError> {
        let rows = sqlx::query(
            "SELECT call_id, queue_id, number, name, person_id, via_trunk, entered_ms, \
             requested_ms FROM hotline_callbacks ORDER BY entered_ms, call_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PromisedCallback {
                    call_id: int(r, 0)?,
                    queue_id: int(r, 1)?,
                    number: text(r, 2)?,
                    name: opt_text(r, 3)?,
                    person_id: opt_int(r, 4)?,
                    via_trunk: opt_int(r, 5)?,
                    entered_ms: int(r, 6)?,
                    requested_ms: int(r, 7)?,
                })
            })
            .collect()
    }
}
