//! Set-ups for tests of the case database: a hotline with one queue, its agents and
//! supervisors, and a way to move a case's closing time into the past. Hidden from the
//! documentation; the hotline administration proper lives in `hotlines`.

use crate::{int, Store, StoreError};

impl Store {
    /// A hotline named `name` at `extension` with one queue, `agents` in it and
    /// `supervisors` over it (staff ids); returns its id.
    #[doc(hidden)]
    pub async fn add_hotline_for_test(
        &self,
        name: &str,
        extension: &str,
        agents: &[i64],
        supervisors: &[i64],
    ) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let hotline = sqlx::query(
            "INSERT INTO hotlines (name, extension, created_at) VALUES ($1, $2, 0) RETURNING id",
        )
        .bind(name)
        .bind(extension)
        .fetch_one(&mut *tx)
        .await?;
        let hotline = int(&hotline, 0)?;
        let queue = sqlx::query(
            "INSERT INTO hotline_queues (hotline_id, name, strategy) \
             VALUES ($1, 'Warteschlange', 'ring_all') RETURNING id",
        )
        .bind(hotline)
        .fetch_one(&mut *tx)
        .await?;
        let queue = int(&queue, 0)?;
        for agent in agents {
            sqlx::query("INSERT INTO hotline_agents (queue_id, staff_id) VALUES ($1, $2)")
                .bind(queue)
                .bind(*agent)
                .execute(&mut *tx)
                .await?;
        }
        for supervisor in supervisors {
            sqlx::query("INSERT INTO hotline_supervisors (hotline_id, staff_id) VALUES ($1, $2)")
                .bind(hotline)
                .bind(*supervisor)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(hotline)
    }

    /// Sets the hotline's retention period.
    #[doc(hidden)]
    pub async fn set_case_retention_for_test(
        &self,
        hotline_id: i64,
        days: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE hotlines SET case_retention_days = $2 WHERE id = $1")
            .bind(hotline_id)
            .bind(days)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
