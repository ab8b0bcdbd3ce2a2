//! Second factors: TOTP secrets, recovery codes and enrolment-letter codes.
//!
//! TOTP secrets are sealed with the data folder's key on write and opened on read
//! (`sealed_secret.rs`, issue 20): callers see the plain base32 secret, the database holds
//! only `v1:…`. Without the key ([`Store::unlock_secrets`]) both fail.

use crate::sealed_secret::{fresh_nonce, seal, unseal};
use crate::{int, text, Store, StoreError};
use sqlx::Row;

/// A person's TOTP factor.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpRow {
    /// Base32 secret (opened; sealed in the database).
    pub secret: String,
    /// Confirmed with a first code.
    pub confirmed: bool,
    /// The last time step a code was accepted for (replay protection).
    pub last_step: Option<i64>,
}

/// Which factors a person has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FactorSummary {
    /// A confirmed TOTP app.
    pub totp: bool,
    /// Unused recovery codes left.
    pub recovery_codes_left: i64,
}

impl std::fmt::Debug for TotpRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpRow")
            .field("secret", &"(redacted)")
            .field("confirmed", &self.confirmed)
            .field("last_step", &self.last_step)
            .finish()
    }
}

impl Store {
    /// The person's TOTP factor, confirmed or not; [`StoreError::SecretUnreadable`] when
    /// its stored secret does not open with the key.
    pub async fn totp_factor(&self, staff_id: i64) -> Result<Option<TotpRow>, StoreError> {
        let key = self.secrets_key()?;
        let row = sqlx::query(
            "SELECT secret, confirmed, last_step FROM totp_factors WHERE staff_id = $1",
        )
        .bind(staff_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            let stored = text(&r, 0)?;
            Ok(TotpRow {
                secret: unseal(key, staff_id, &stored)
                    .map_err(|reason| StoreError::SecretUnreadable { staff_id, reason })?,
                confirmed: int(&r, 1)? != 0,
                last_step: r.try_get(2)?,
            })
        })
        .transpose()
    }

    /// Starts a (new) TOTP enrolment; an unconfirmed secret replaces an older one, a
    /// confirmed one is only replaced after a reset. The secret is stored sealed.
    pub async fn begin_totp(
        &self,
        staff_id: i64,
        secret: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let nonce = fresh_nonce().map_err(StoreError::Randomness)?;
        let sealed = seal(self.secrets_key()?, staff_id, secret, nonce);
        let done = sqlx::query(
            "INSERT INTO totp_factors (staff_id, secret, confirmed, last_step, created_at) VALUES ($1, $2, 0, NULL, $3) \
             ON CONFLICT (staff_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at \
             WHERE totp_factors.confirmed = 0",
        )
        .bind(staff_id)
        .bind(sealed)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records that a code of `step` was accepted, and confirms the factor. Atomic: `false`
    /// when that step (or a later one) was already used — a replay.
    pub async fn use_totp_step(&self, staff_id: i64, step: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE totp_factors SET last_step = $2, confirmed = 1 \
             WHERE staff_id = $1 AND (last_step IS NULL OR last_step < $2)",
        )
        .bind(staff_id)
        .bind(step)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Replaces the person's recovery codes with these hashes.
    pub async fn set_recovery_codes(
        &self,
        staff_id: i64,
        hashes: &[String],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM recovery_codes WHERE staff_id = $1")
            .bind(staff_id)
            .execute(&mut *tx)
            .await?;
        for hash in hashes {
            sqlx::query(
                "INSERT INTO recovery_codes (staff_id, code_hash, used_at) VALUES ($1, $2, NULL)",
            )
            .bind(staff_id)
            .bind(hash)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Uses up a recovery code; `false` if unknown or already used.
    pub async fn use_recovery_code(
        &self,
        staff_id: i64,
        hash: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE recovery_codes SET used_at = $3 WHERE staff_id = $1 AND code_hash = $2 AND used_at IS NULL",
        )
        .bind(staff_id)
        .bind(hash)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Which factors the person has.
    pub async fn factor_summary(&self, staff_id: i64) -> Result<FactorSummary, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM totp_factors WHERE staff_id = $1 AND confirmed = 1), \
                    (SELECT COUNT(*) FROM recovery_codes WHERE staff_id = $1 AND used_at IS NULL)",
        )
        .bind(staff_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(FactorSummary {
            totp: int(&row, 0)? > 0,
            recovery_codes_left: int(&row, 1)?,
        })
    }

    /// Removes every factor of a person (an admin reset); ends their sessions too.
    pub async fn reset_factors(&self, staff_id: i64) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for table in [
            "totp_factors",
            "recovery_codes",
            "letter_codes",
            "sessions",
            "pending_logins",
        ] {
            sqlx::query(&format!("DELETE FROM {table} WHERE staff_id = $1"))
                .bind(staff_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Issues an enrolment-letter code (replacing an earlier one).
    pub async fn set_letter_code(
        &self,
        staff_id: i64,
        hash: &str,
        expires_at: i64,
        created_by: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO letter_codes (staff_id, code_hash, expires_at, created_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (staff_id) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at, \
             created_by = excluded.created_by",
        )
        .bind(staff_id)
        .bind(hash)
        .bind(expires_at)
        .bind(created_by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Whether the person has an unused, unexpired letter code.
    pub async fn has_letter_code(&self, staff_id: i64, now: i64) -> Result<bool, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM letter_codes WHERE staff_id = $1 AND expires_at > $2",
        )
        .bind(staff_id)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(int(&row, 0)? > 0)
    }

    /// Uses up a letter code; `false` if wrong, used or expired.
    pub async fn use_letter_code(
        &self,
        staff_id: i64,
        hash: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "DELETE FROM letter_codes WHERE staff_id = $1 AND code_hash = $2 AND expires_at > $3",
        )
        .bind(staff_id)
        .bind(hash)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
