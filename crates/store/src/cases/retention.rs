//! Data protection: closed cases are deleted once their hotline's retention period has
//! passed (`cases::retention`), with their bookings, whose places go back to their slots.
//! One transaction for all hotlines, and one audit line with the count.

use crate::audit::insert_audit;
use crate::{int, AuditEntry, Store, StoreError};

/// Due cases of hotline `$1` at cutoff `$2` (closed at or before it).
const DUE: &str =
    "SELECT id FROM cases WHERE hotline_id = $1 AND state = 'done' AND closed_at <= $2";

impl Store {
    /// Deletes every closed case whose retention period has passed at `now` (Unix
    /// seconds); returns how many. Open cases stay, however old.
    pub async fn delete_due_cases(&self, now: i64) -> Result<u64, StoreError> {
        let mut tx = self.write_tx().await?;
        let hotlines = sqlx::query("SELECT id, case_retention_days FROM hotlines ORDER BY id")
            .fetch_all(&mut *tx)
            .await?;
        let mut total = 0;
        let mut per_hotline = Vec::new();
        for row in &hotlines {
            let hotline = int(row, 0)?;
            let days = u32::try_from(int(row, 1)?).map_err(|_| {
                StoreError::Corrupt(format!("hotline {hotline}: a negative retention period"))
            })?;
            let cutoff = cases::cutoff(now, days);
            sqlx::query(&format!(
                "UPDATE case_slots SET booked = booked - (SELECT COUNT(*) FROM case_bookings b \
                 WHERE b.slot_id = case_slots.id AND b.case_id IN ({DUE})) \
                 WHERE id IN (SELECT slot_id FROM case_bookings WHERE case_id IN ({DUE}))"
            ))
            .bind(hotline)
            .bind(cutoff)
            .execute(&mut *tx)
            .await?;
            sqlx::query(&format!(
                "DELETE FROM case_bookings WHERE case_id IN ({DUE})"
            ))
            .bind(hotline)
            .bind(cutoff)
            .execute(&mut *tx)
            .await?;
            let deleted = sqlx::query(
                "DELETE FROM cases WHERE hotline_id = $1 AND state = 'done' AND closed_at <= $2",
            )
            .bind(hotline)
            .bind(cutoff)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if deleted > 0 {
                total += deleted;
                per_hotline.push(format!("hotline {hotline}: {deleted} after {days} days"));
            }
        }
        if total > 0 {
            let entry = AuditEntry {
                at: now,
                actor: None,
                action: "case.retention.deleted".into(),
                target: None,
                source: None,
                detail: format!(
                    "{total} closed cases deleted after their retention period ({})",
                    per_hotline.join("; ")
                ),
            };
            insert_audit(&mut *tx, &entry).await?;
        }
        tx.commit().await?;
        if total > 0 {
            tracing::info!(
                deleted = total,
                "closed cases deleted after their retention period"
            );
        }
        Ok(total)
    }
}
