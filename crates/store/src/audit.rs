//! The append-only audit log: who did what, when, from where. The database refuses
//! updates and deletes of it (triggers in the migration).

use crate::{int, opt_text, text, Store, StoreError};

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Unix seconds.
    pub at: i64,
    /// Who acted (a login), if known.
    pub actor: Option<String>,
    /// What happened, dotted: `login.ok`, `login.failed`, `factor.totp.enrolled`, `admin.feature.on` …
    pub action: String,
    /// Whom or what it concerned.
    pub target: Option<String>,
    /// Source address.
    pub source: Option<String>,
    /// Details (never secrets).
    pub detail: String,
}

/// A filter for reading the log; all conditions must hold.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Entries by this actor or about this target.
    pub person: Option<String>,
    /// Actions starting with this.
    pub action_prefix: Option<String>,
    /// At or after.
    pub since: Option<i64>,
    /// Before.
    pub until: Option<i64>,
    /// At most this many, newest first.
    pub limit: i64,
}

impl Store {
    /// Appends an entry.
    pub async fn audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        insert_audit(&self.pool, entry).await
    }

    /// Entries matching the filter, newest first.
    pub async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, actor, action, target, source, detail FROM audit_log \
             WHERE ($1 = '' OR actor = $1 OR target = $1) \
             AND ($2 = '' OR substr(action, 1, length($2)) = $2) \
             AND at >= $3 AND at < $4 ORDER BY at DESC, id DESC LIMIT $5",
        )
        .bind(filter.person.clone().unwrap_or_default())
        .bind(filter.action_prefix.clone().unwrap_or_default())
        .bind(filter.since.unwrap_or(0))
        .bind(filter.until.unwrap_or(i64::MAX))
        .bind(if filter.limit > 0 { filter.limit } else { 1000 })
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    at: int(r, 0)?,
                    actor: opt_text(r, 1)?,
                    action: text(r, 2)?,
                    target: opt_text(r, 3)?,
                    source: opt_text(r, 4)?,
                    detail: text(r, 5)?,
                })
            })
            .collect()
    }

    /// Tries to change and delete audit entries, which the database must refuse.
    #[doc(hidden)]
    pub async fn tamper_with_audit_log_for_test(&self) -> Result<(), StoreError> {
        let update = sqlx::query("UPDATE audit_log SET action = 'x'")
            .execute(&self.pool)
            .await;
        let delete = sqlx::query("DELETE FROM audit_log")
            .execute(&self.pool)
            .await;
        update?;
        delete?;
        Ok(())
    }
}

/// Appends an entry through `executor` (the pool, or a transaction it belongs to).
pub(crate) async fn insert_audit<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
    entry: &AuditEntry,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, target, source, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(entry.at)
    .bind(&entry.actor)
    .bind(&entry.action)
    .bind(&entry.target)
    .bind(&entry.source)
    .bind(&entry.detail)
    .execute(executor)
    .await?;
    Ok(())
}
