//! Counters of failed sign-in attempts per account and per source address.

use crate::{int, text, Store, StoreError};
use sqlx::Row;

/// Per account (key: the login as typed, lower-cased, whether it exists or not) or per
/// source address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureScope {
    /// Keyed by login.
    Account,
    /// Keyed by address.
    Source,
}

impl FailureScope {
    fn as_str(self) -> &'static str {
        match self {
            FailureScope::Account => "account",
            FailureScope::Source => "source",
        }
    }
}

/// A stored failure counter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FailureRow {
    /// Failures since the last success or lock expiry.
    pub failures: i64,
    /// When the last one happened.
    pub last_failure: i64,
    /// Locked until then.
    pub locked_until: Option<i64>,
}

/// A locked account, for the admin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedAccount {
    /// The login as typed.
    pub login: String,
    /// Failures counted.
    pub failures: i64,
    /// Locked until then.
    pub locked_until: i64,
}

impl Store {
    /// The counter for a key (zero when none).
    pub async fn failure_row(
        &self,
        scope: FailureScope,
        key: &str,
    ) -> Result<FailureRow, StoreError> {
        let row = sqlx::query("SELECT failures, last_failure, locked_until FROM login_failures WHERE scope = $1 AND key = $2")
            .bind(scope.as_str())
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(FailureRow {
                failures: int(&r, 0)?,
                last_failure: int(&r, 1)?,
                locked_until: r.try_get(2)?,
            })
        })
        .transpose()
        .map(Option::unwrap_or_default)
    }

    /// Writes the counter for a key.
    pub async fn save_failure_row(
        &self,
        scope: FailureScope,
        key: &str,
        row: FailureRow,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO login_failures (scope, key, failures, last_failure, locked_until) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (scope, key) DO UPDATE SET failures = excluded.failures, \
             last_failure = excluded.last_failure, locked_until = excluded.locked_until",
        )
        .bind(scope.as_str())
        .bind(key)
        .bind(row.failures)
        .bind(row.last_failure)
        .bind(row.locked_until)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Replaces the counter for a key with `new`, but only while it still is `expected`
    /// (a missing row counts as the default): `false` when another attempt changed it
    /// since it was read, so the caller reads and decides again. This is what makes
    /// counting an attempt before its check atomic on both databases without locks.
    pub async fn swap_failure_row(
        &self,
        scope: FailureScope,
        key: &str,
        expected: FailureRow,
        new: FailureRow,
    ) -> Result<bool, StoreError> {
        // A row deleted meanwhile (a success cleared it) is inserted from the stale value:
        // that counts one failure too many, never one too few.
        let done = sqlx::query(
            "INSERT INTO login_failures (scope, key, failures, last_failure, locked_until) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (scope, key) DO UPDATE SET failures = excluded.failures, \
             last_failure = excluded.last_failure, locked_until = excluded.locked_until \
             WHERE login_failures.failures = $6 AND login_failures.last_failure = $7 \
             AND login_failures.locked_until IS NOT DISTINCT FROM $8",
        )
        .bind(scope.as_str())
        .bind(key)
        .bind(new.failures)
        .bind(new.last_failure)
        .bind(new.locked_until)
        .bind(expected.failures)
        .bind(expected.last_failure)
        .bind(expected.locked_until)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Forgets the counter for a key (after a success, or an admin's unlock).
    pub async fn clear_failures(&self, scope: FailureScope, key: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM login_failures WHERE scope = $1 AND key = $2")
            .bind(scope.as_str())
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Accounts locked now, of logins that exist.
    pub async fn locked_accounts(&self, now: i64) -> Result<Vec<LockedAccount>, StoreError> {
        let rows = sqlx::query(
            "SELECT f.key, f.failures, f.locked_until FROM login_failures f JOIN staff s ON s.login = f.key \
             WHERE f.scope = 'account' AND f.locked_until > $1 ORDER BY f.key",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(LockedAccount {
                    login: text(r, 0)?,
                    failures: int(r, 1)?,
                    locked_until: int(r, 2)?,
                })
            })
            .collect()
    }
}
