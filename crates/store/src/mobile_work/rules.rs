//! The service agreement's rules (one current row, JSON as the web layer writes it), its
//! acknowledgement texts in numbered versions, and who acknowledged which version when. A
//! new version of a text is acknowledged by nobody yet, so everyone is asked again.

use super::missing;
use crate::{int, text, Store, StoreError};
use sqlx::Row;

/// One version of an acknowledgement text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextRow {
    /// Its key, e.g. `datenschutz`.
    pub key: String,
    /// Its version, from 1.
    pub version: u32,
    /// The title.
    pub title: String,
    /// The text.
    pub body: String,
    /// When it was published (Unix milliseconds).
    pub published_ms: i64,
}

/// A person's acknowledgement of one version of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcknowledgementRow {
    /// The text's key.
    pub key: String,
    /// The version acknowledged.
    pub version: u32,
    /// When (Unix milliseconds).
    pub at_ms: i64,
}

const TEXT_COLUMNS: &str = "key, version, title, body, published_ms";

fn text_row(row: &sqlx::any::AnyRow) -> Result<TextRow, StoreError> {
    Ok(TextRow {
        key: text(row, 0)?,
        version: u32::try_from(int(row, 1)?)
            .map_err(|_| StoreError::Corrupt("text version".into()))?,
        title: text(row, 2)?,
        body: text(row, 3)?,
        published_ms: int(row, 4)?,
    })
}

impl Store {
    /// Replaces the service agreement's rules (JSON, as the caller serialises them).
    pub async fn set_mobile_work_rules(
        &self,
        rules: &serde_json::Value,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO mw_rules (id, rules, updated_ms) VALUES (1, $1, $2) \
             ON CONFLICT (id) DO UPDATE SET rules = excluded.rules, updated_ms = excluded.updated_ms",
        )
        .bind(rules.to_string())
        .bind(now_ms)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The service agreement's rules, if set.
    pub async fn mobile_work_rules(&self) -> Result<Option<serde_json::Value>, StoreError> {
        let row = sqlx::query("SELECT rules FROM mw_rules WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            serde_json::from_str(&text(&row, 0)?)
                .map_err(|e| StoreError::Corrupt(format!("mobile work rules: {e}")))
        })
        .transpose()
    }

    /// Publishes a new version of the text `key` (version 1 for a new key); returns it.
    /// Two publishers at once: one gets the next number, the other a
    /// [`StoreError::Conflict`].
    pub async fn publish_acknowledgement_text(
        &self,
        key: &str,
        title: &str,
        body: &str,
        now_ms: i64,
    ) -> Result<TextRow, StoreError> {
        if key.trim().is_empty() || title.trim().is_empty() || body.trim().is_empty() {
            return Err(StoreError::Invalid(
                "Schlüssel, Titel und Text dürfen nicht leer sein.".into(),
            ));
        }
        let mut tx = self.write_tx().await?;
        let row = sqlx::query("SELECT COALESCE(MAX(version), 0) FROM mw_texts WHERE key = $1")
            .bind(key)
            .fetch_one(&mut *tx)
            .await?;
        let version = int(&row, 0)? + 1;
        let inserted = sqlx::query(
            "INSERT INTO mw_texts (key, version, title, body, published_ms) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(key)
        .bind(version)
        .bind(title)
        .bind(body)
        .bind(now_ms)
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(e) if super::is_unique_violation(&e) => {
                return Err(StoreError::Conflict(format!(
                    "Vom Text {key:?} wurde gerade eine neue Fassung veröffentlicht."
                )))
            }
            other => other?,
        };
        tx.commit().await?;
        Ok(TextRow {
            key: key.into(),
            version: u32::try_from(version).unwrap_or(u32::MAX),
            title: title.into(),
            body: body.into(),
            published_ms: now_ms,
        })
    }

    /// The current (newest) version of every text, by key.
    pub async fn current_acknowledgement_texts(&self) -> Result<Vec<TextRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {TEXT_COLUMNS} FROM mw_texts t WHERE version = \
             (SELECT MAX(version) FROM mw_texts n WHERE n.key = t.key) ORDER BY key"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(text_row).collect()
    }

    /// One version of a text.
    pub async fn acknowledgement_text(
        &self,
        key: &str,
        version: u32,
    ) -> Result<Option<TextRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {TEXT_COLUMNS} FROM mw_texts WHERE key = $1 AND version = $2"
        ))
        .bind(key)
        .bind(i64::from(version))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(text_row).transpose()
    }

    /// Records that `staff_id` acknowledged this version of the text (again: no change).
    /// A text or version that does not exist is [`StoreError::Invalid`].
    pub async fn acknowledge_text(
        &self,
        staff_id: i64,
        key: &str,
        version: u32,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        if self.acknowledgement_text(key, version).await?.is_none() {
            return Err(StoreError::Invalid(format!(
                "Den Text {key:?} gibt es nicht in Fassung {version}."
            )));
        }
        sqlx::query(
            "INSERT INTO mw_acknowledgements (staff_id, text_key, version, at_ms) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (staff_id, text_key, version) DO NOTHING",
        )
        .bind(staff_id)
        .bind(key)
        .bind(i64::from(version))
        .bind(now_ms)
        .execute(&self.pool)
        .await
        .map_err(|e| missing(e, "Person", staff_id))?;
        Ok(())
    }

    /// Everything `staff_id` acknowledged, by key and version.
    pub async fn acknowledgements_of(
        &self,
        staff_id: i64,
    ) -> Result<Vec<AcknowledgementRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT text_key, version, at_ms FROM mw_acknowledgements WHERE staff_id = $1 \
             ORDER BY text_key, version",
        )
        .bind(staff_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(AcknowledgementRow {
                    key: text(row, 0)?,
                    version: u32::try_from(row.try_get::<i64, _>(1)?)
                        .map_err(|_| StoreError::Corrupt("text version".into()))?,
                    at_ms: int(row, 2)?,
                })
            })
            .collect()
    }

    /// The current texts `staff_id` has not acknowledged in their current version (what
    /// to ask them before they apply).
    pub async fn unacknowledged_texts(&self, staff_id: i64) -> Result<Vec<TextRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {TEXT_COLUMNS} FROM mw_texts t WHERE version = \
             (SELECT MAX(version) FROM mw_texts n WHERE n.key = t.key) \
             AND NOT EXISTS (SELECT 1 FROM mw_acknowledgements a WHERE a.staff_id = $1 \
             AND a.text_key = t.key AND a.version = t.version) ORDER BY key"
        ))
        .bind(staff_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(text_row).collect()
    }
}
