//! Installation-wide settings kept in the database (e.g. the organisation's name).

use crate::{text, Store, StoreError};

impl Store {
    /// Reads a setting.
    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| text(&r, 0)).transpose()
    }

    /// Writes a setting.
    pub async fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        put_setting(&self.pool, key, value).await
    }
}

/// Writes a setting through `executor` (the pool, or a transaction it belongs to).
pub(crate) async fn put_setting<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    key: &str,
    value: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(executor)
    .await?;
    Ok(())
}
