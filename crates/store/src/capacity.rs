//! The capacity page's samples (docs/capacity.md): one row per figure and sample time,
//! kept for 24 hours so the charts survive a restart. The server writes a round of
//! samples at once, reads the last day back at start and prunes what is older.

use crate::{int, text, Store, StoreError};
use sqlx::Row;

/// One figure's value at one time.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacitySample {
    /// Unix milliseconds.
    pub at_ms: i64,
    /// The figure's id: `cpu`, `gateway_users:e-akte`, …
    pub figure: String,
    /// Its value; always a finite number.
    pub value: f64,
}

impl Store {
    /// Stores a round of samples in one transaction; a sample of the same figure and time
    /// replaces the one stored. A value that is not a finite number is refused
    /// ([`StoreError::Invalid`]) and nothing is written.
    pub async fn insert_capacity_samples(
        &self,
        samples: &[CapacitySample],
    ) -> Result<(), StoreError> {
        if let Some(bad) = samples.iter().find(|s| !s.value.is_finite()) {
            return Err(StoreError::Invalid(format!(
                "Der Messwert von „{}“ ist keine Zahl; es wurde nichts gespeichert.",
                bad.figure
            )));
        }
        let mut tx = self.pool.begin().await?;
        for sample in samples {
            sqlx::query(
                "INSERT INTO capacity_samples (at_ms, figure, value) VALUES ($1, $2, $3) \
                 ON CONFLICT (figure, at_ms) DO UPDATE SET value = excluded.value",
            )
            .bind(sample.at_ms)
            .bind(&sample.figure)
            .bind(sample.value)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every sample at or after `since_ms`, by figure and then oldest first.
    pub async fn capacity_samples_since(
        &self,
        since_ms: i64,
    ) -> Result<Vec<CapacitySample>, StoreError> {
        let rows = sqlx::query(
            "SELECT at_ms, figure, value FROM capacity_samples WHERE at_ms >= $1 \
             ORDER BY figure, at_ms",
        )
        .bind(since_ms)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(CapacitySample {
                    at_ms: int(row, 0)?,
                    figure: text(row, 1)?,
                    value: row.try_get::<f64, _>(2)?,
                })
            })
            .collect()
    }

    /// Removes the samples before `before_ms`; how many.
    pub async fn prune_capacity_samples(&self, before_ms: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM capacity_samples WHERE at_ms < $1")
            .bind(before_ms)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}
