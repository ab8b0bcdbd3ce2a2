//! The call history: one line per person and call, written when the call ends, read
//! newest first, and deleted after the configured number of days.

use crate::{int, opt_text, text, Store, StoreError};
use sqlx::Row;

/// One line of a person's call history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallLine {
    /// The line's id (0 before it is stored).
    pub id: i64,
    /// Whose history.
    pub staff_id: i64,
    /// `in` or `out`.
    pub direction: String,
    /// The other side's number (extension or E.164).
    pub peer_number: String,
    /// The other side's name, as shown then.
    pub peer_name: Option<String>,
    /// The other side's login, while that person exists.
    pub peer_login: Option<String>,
    /// The other side's person, while they exist.
    pub peer_staff_id: Option<i64>,
    /// When the call began (Unix ms).
    pub started_at: i64,
    /// When it was answered, if it was.
    pub answered_at: Option<i64>,
    /// When it ended.
    pub ended_at: i64,
}

impl Store {
    /// Writes a line.
    pub async fn add_call_line(&self, line: &CallLine) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO call_history (staff_id, direction, peer_number, peer_name, peer_staff_id, \
             started_at, answered_at, ended_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(line.staff_id)
        .bind(&line.direction)
        .bind(&line.peer_number)
        .bind(&line.peer_name)
        .bind(line.peer_staff_id)
        .bind(line.started_at)
        .bind(line.answered_at)
        .bind(line.ended_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A person's newest `limit` lines, newest first.
    pub async fn call_lines(&self, staff_id: i64, limit: i64) -> Result<Vec<CallLine>, StoreError> {
        let rows = sqlx::query(
            "SELECT h.id, h.staff_id, h.direction, h.peer_number, h.peer_name, p.login, h.peer_staff_id, \
             h.started_at, h.answered_at, h.ended_at FROM call_history h \
             LEFT JOIN staff p ON p.id = h.peer_staff_id \
             WHERE h.staff_id = $1 ORDER BY h.started_at DESC, h.id DESC LIMIT $2",
        )
        .bind(staff_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CallLine {
                    id: int(r, 0)?,
                    staff_id: int(r, 1)?,
                    direction: text(r, 2)?,
                    peer_number: text(r, 3)?,
                    peer_name: opt_text(r, 4)?,
                    peer_login: opt_text(r, 5)?,
                    peer_staff_id: r.try_get::<Option<i64>, _>(6)?,
                    started_at: int(r, 7)?,
                    answered_at: r.try_get::<Option<i64>, _>(8)?,
                    ended_at: int(r, 9)?,
                })
            })
            .collect()
    }

    /// Deletes lines of calls that began before `before` (Unix ms); returns how many.
    pub async fn delete_call_lines_before(&self, before: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM call_history WHERE started_at < $1")
            .bind(before)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
