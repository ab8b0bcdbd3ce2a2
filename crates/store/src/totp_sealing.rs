//! Giving the store the data folder's key at start (issue 20): checks that the key opens
//! the secrets already sealed, and seals those older versions stored in plain text — once,
//! in one transaction. See `sealed_secret.rs` for the format and `docs/secrets-key.md`.

use crate::sealed_secret::{fresh_nonce, is_sealed, seal, unseal, SecretsKey};
use crate::{int, text, Store, StoreError};

/// What [`Store::unlock_secrets`] found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretsUnlocked {
    /// Sealed secrets the key opens.
    pub opened: usize,
    /// Plain secrets (written by older versions) sealed now.
    pub sealed_now: usize,
    /// People whose sealed secret does not open although others' do (a changed or moved
    /// value): they must enrol again.
    pub unreadable: Vec<i64>,
}

impl Store {
    /// Whether the database holds sealed second-factor secrets (then only their key opens
    /// them, and a new key must never be made).
    pub async fn has_sealed_secrets(&self) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) FROM totp_factors WHERE secret LIKE '%:%'")
            .fetch_one(&self.pool)
            .await?;
        Ok(int(&row, 0)? > 0)
    }

    /// Gives the store `key`, after checking it against the sealed secrets and sealing the
    /// plain ones. Refuses ([`StoreError::SecretsKeyWrong`]) and changes nothing when the
    /// database holds sealed secrets and the key opens none of them. Idempotent.
    pub async fn unlock_secrets(&mut self, key: SecretsKey) -> Result<SecretsUnlocked, StoreError> {
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query("SELECT staff_id, secret FROM totp_factors ORDER BY staff_id")
            .fetch_all(&mut *tx)
            .await?;
        let mut found = SecretsUnlocked::default();
        let mut plain = Vec::new();
        for row in &rows {
            let (staff_id, secret) = (int(row, 0)?, text(row, 1)?);
            if !is_sealed(&secret) {
                plain.push((staff_id, secret));
            } else if unseal(&key, staff_id, &secret).is_ok() {
                found.opened += 1;
            } else {
                found.unreadable.push(staff_id);
            }
        }
        if found.opened == 0 && !found.unreadable.is_empty() {
            return Err(StoreError::SecretsKeyWrong {
                sealed: found.unreadable.len(),
            });
        }
        for (staff_id, secret) in &plain {
            let nonce = fresh_nonce().map_err(StoreError::Randomness)?;
            // Only the value read: a row changed meanwhile is left to the next start.
            let done = sqlx::query(
                "UPDATE totp_factors SET secret = $2 WHERE staff_id = $1 AND secret = $3",
            )
            .bind(staff_id)
            .bind(seal(&key, *staff_id, secret, nonce))
            .bind(secret)
            .execute(&mut *tx)
            .await?;
            found.sealed_now += done.rows_affected() as usize;
        }
        tx.commit().await?;
        self.secrets = Some(key);
        Ok(found)
    }

    /// The key, or [`StoreError::SecretsLocked`].
    pub(crate) fn secrets_key(&self) -> Result<&SecretsKey, StoreError> {
        self.secrets.as_ref().ok_or(StoreError::SecretsLocked)
    }
}
