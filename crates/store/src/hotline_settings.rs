//! Changing a hotline after it was set up: its own settings, its queues, who answers them
//! and who supervises, and its one-off closures. Each change is one transaction.

use crate::hotlines::{bind_queue, QUEUE_SETTINGS};
use crate::{Hotline, HotlineClosure, HotlineQueue, Store, StoreError};

impl Store {
    /// Changes a hotline's own settings (name, numbers, holidays, hours, retention);
    /// announcements and the listening switch stay. Whether the hotline exists.
    pub async fn update_hotline(&self, h: &Hotline) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE hotlines SET name = $1, extension = $2, did = $3, holiday_state = $4, \
             hours_mon = $5, hours_tue = $6, hours_wed = $7, hours_thu = $8, hours_fri = $9, \
             hours_sat = $10, hours_sun = $11, case_retention_days = $12 WHERE id = $13",
        )
        .bind(&h.name)
        .bind(&h.extension)
        .bind(&h.did)
        .bind(&h.holiday_state)
        .bind(&h.hours[0])
        .bind(&h.hours[1])
        .bind(&h.hours[2])
        .bind(&h.hours[3])
        .bind(&h.hours[4])
        .bind(&h.hours[5])
        .bind(&h.hours[6])
        .bind(h.case_retention_days)
        .bind(h.id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Where an agent takes the hotline's calls: `auto`, `browser`, `phone` or `mobile`
    /// (anything else is refused by the database).
    pub async fn set_answer_on(&self, staff_id: i64, answer_on: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO hotline_answer_on (staff_id, answer_on) VALUES ($1, $2) \
             ON CONFLICT (staff_id) DO UPDATE SET answer_on = excluded.answer_on",
        )
        .bind(staff_id)
        .bind(answer_on)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Switches supervisors' listening in and whispering on or off for a hotline (off
    /// until the staff council has agreed), with its audit entry in the same transaction:
    /// no switch without the entry. Whether the hotline exists (nothing written if not).
    pub async fn set_hotline_listening(
        &self,
        hotline: i64,
        on: bool,
        audit: &crate::AuditEntry,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("UPDATE hotlines SET supervisor_listen = $1 WHERE id = $2")
            .bind(i64::from(on))
            .bind(hotline)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        crate::audit::insert_audit(&mut *tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Changes a queue's settings (its hotline stays; the periodic announcement too).
    /// Whether the queue exists in that hotline.
    pub async fn update_hotline_queue(&self, q: &HotlineQueue) -> Result<bool, StoreError> {
        let n = QUEUE_SETTINGS.len();
        let set: Vec<String> = QUEUE_SETTINGS
            .iter()
            .chain(["short_abandon_secs"].iter())
            .enumerate()
            .map(|(i, column)| format!("{column} = ${}", i + 1))
            .collect();
        let sql = format!(
            "UPDATE hotline_queues SET {} WHERE id = ${} AND hotline_id = ${}",
            set.join(", "),
            n + 2,
            n + 3
        );
        let done = bind_queue(sqlx::query(&sql), q)
            .bind(q.id)
            .bind(q.hotline_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Sets (or clears) a queue's periodic announcement. Whether the queue exists in that
    /// hotline.
    pub async fn set_queue_announcement(
        &self,
        hotline: i64,
        queue: i64,
        announcement: Option<i64>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE hotline_queues SET periodic_announcement_id = $1 WHERE id = $2 AND hotline_id = $3",
        )
        .bind(announcement)
        .bind(queue)
        .bind(hotline)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes a queue of a hotline, unless it is the hotline's last one (a hotline always
    /// has a queue) or another queue overflows into it. Whether it was deleted.
    pub async fn delete_hotline_queue(&self, hotline: i64, queue: i64) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let others: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM hotline_queues WHERE hotline_id = $1 AND id <> $2",
        )
        .bind(hotline)
        .bind(queue)
        .fetch_one(&mut *tx)
        .await?;
        let target: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM hotline_queues WHERE overflow_kind = 'queue' AND overflow_target = $1",
        )
        .bind(queue.to_string())
        .fetch_one(&mut *tx)
        .await?;
        if others == 0 || target > 0 {
            return Ok(false);
        }
        let done = sqlx::query("DELETE FROM hotline_queues WHERE id = $1 AND hotline_id = $2")
            .bind(queue)
            .bind(hotline)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Makes exactly these people (person, level) the agents of `queue`; those who stay
    /// keep their login.
    pub async fn replace_queue_agents(
        &self,
        queue: i64,
        agents: &[(i64, i64)],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let current: Vec<i64> =
            sqlx::query_scalar("SELECT staff_id FROM hotline_agents WHERE queue_id = $1")
                .bind(queue)
                .fetch_all(&mut *tx)
                .await?;
        for gone in current
            .iter()
            .filter(|p| !agents.iter().any(|(a, _)| a == *p))
        {
            sqlx::query("DELETE FROM hotline_agents WHERE queue_id = $1 AND staff_id = $2")
                .bind(queue)
                .bind(gone)
                .execute(&mut *tx)
                .await?;
        }
        for (person, level) in agents {
            sqlx::query(
                "INSERT INTO hotline_agents (queue_id, staff_id, level) VALUES ($1, $2, $3) \
                 ON CONFLICT (queue_id, staff_id) DO UPDATE SET level = excluded.level",
            )
            .bind(queue)
            .bind(person)
            .bind(level)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Makes exactly these people the supervisors of `hotline`.
    pub async fn replace_hotline_supervisors(
        &self,
        hotline: i64,
        people: &[i64],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM hotline_supervisors WHERE hotline_id = $1")
            .bind(hotline)
            .execute(&mut *tx)
            .await?;
        for person in people {
            sqlx::query("INSERT INTO hotline_supervisors (hotline_id, staff_id) VALUES ($1, $2)")
                .bind(hotline)
                .bind(person)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Makes exactly these the one-off closures of `hotline` (days as `YYYY-MM-DD`).
    pub async fn replace_hotline_closures(
        &self,
        hotline: i64,
        closures: &[HotlineClosure],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM hotline_closures WHERE hotline_id = $1")
            .bind(hotline)
            .execute(&mut *tx)
            .await?;
        for c in closures {
            sqlx::query(
                "INSERT INTO hotline_closures (hotline_id, first_day, last_day, reason) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(hotline)
            .bind(&c.first_day)
            .bind(&c.last_day)
            .bind(&c.reason)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
