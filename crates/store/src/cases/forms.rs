//! The case form of each hotline: its definition (the `cases` crate's JSON) and a version
//! that counts its changes. A hotline without a saved form has the empty form, version 0.

use super::CaseActor;
use crate::audit::insert_audit;
use crate::{int, opt_text, AuditEntry, Store, StoreError};
use cases::FormDefinition;
use sqlx::AnyConnection;

/// A hotline's case form.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseForm {
    /// The hotline.
    pub hotline_id: i64,
    /// The fields.
    pub definition: FormDefinition,
    /// Counts the saves, from 1 (0: never saved).
    pub version: i64,
    /// When it was last saved (Unix seconds).
    pub updated_at: Option<i64>,
}

/// The hotline's form and its version through `conn`; an unknown hotline is an error.
pub(crate) async fn form_in(
    conn: &mut AnyConnection,
    hotline_id: i64,
) -> Result<(FormDefinition, i64), StoreError> {
    let form = read(conn, hotline_id).await?;
    Ok((form.definition, form.version))
}

async fn read(conn: &mut AnyConnection, hotline_id: i64) -> Result<CaseForm, StoreError> {
    let row = sqlx::query(
        "SELECT f.definition, f.version, f.updated_at FROM hotlines h \
         LEFT JOIN case_forms f ON f.hotline_id = h.id WHERE h.id = $1",
    )
    .bind(hotline_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(StoreError::UnknownHotline(hotline_id))?;
    let Some(json) = opt_text(&row, 0)? else {
        return Ok(CaseForm {
            hotline_id,
            definition: FormDefinition::default(),
            version: 0,
            updated_at: None,
        });
    };
    let definition = FormDefinition::from_json(&json)
        .map_err(|e| StoreError::Corrupt(format!("the case form of hotline {hotline_id}: {e}")))?;
    use sqlx::Row;
    Ok(CaseForm {
        hotline_id,
        definition,
        version: int(&row, 1)?,
        updated_at: row.try_get::<Option<i64>, _>(2)?,
    })
}

impl Store {
    /// The hotline's case form.
    pub async fn case_form(&self, hotline_id: i64) -> Result<CaseForm, StoreError> {
        let mut conn = self.pool.acquire().await?;
        read(&mut conn, hotline_id).await
    }

    /// Saves the hotline's form as the next version. With `expected_version`, a form saved
    /// by someone else meanwhile is refused ([`StoreError::Conflict`]). Cases keep their
    /// values; fields that left the form keep theirs in old cases.
    pub async fn set_case_form(
        &self,
        hotline_id: i64,
        definition: &FormDefinition,
        expected_version: Option<i64>,
        by: &CaseActor<'_>,
        now: i64,
    ) -> Result<CaseForm, StoreError> {
        let mut tx = self.write_tx().await?;
        let current = read(&mut tx, hotline_id).await?;
        if let Some(expected) = expected_version.filter(|&v| v != current.version) {
            return Err(StoreError::Conflict(format!(
                "Das Formular wurde inzwischen geändert (Version {} statt {expected}). Bitte neu \
                 laden und die Änderung wiederholen.",
                current.version
            )));
        }
        let version = current.version + 1;
        sqlx::query(
            "INSERT INTO case_forms (hotline_id, definition, version, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hotline_id) DO UPDATE SET \
             definition = excluded.definition, version = excluded.version, \
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
        )
        .bind(hotline_id)
        .bind(definition.to_json())
        .bind(version)
        .bind(now)
        .bind(by.staff_id)
        .execute(&mut *tx)
        .await?;
        let keys: Vec<&str> = definition.fields().iter().map(|f| f.key.as_str()).collect();
        let entry = AuditEntry {
            at: now,
            actor: Some(by.login.to_string()),
            action: "case.form.changed".into(),
            target: Some(format!("hotline:{hotline_id}")),
            source: Some(by.source.to_string()),
            detail: format!("version {version}; fields: {}", keys.join(", ")),
        };
        insert_audit(&mut *tx, &entry).await?;
        tx.commit().await?;
        Ok(CaseForm {
            hotline_id,
            definition: definition.clone(),
            version,
            updated_at: Some(now),
        })
    }
}
