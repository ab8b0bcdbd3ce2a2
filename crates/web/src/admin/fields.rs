//! Fields that several administration forms share: an optional e-mail address and a
//! unit named by its id or its path. Each is checked the same way wherever it is asked
//! for, and refused naming its field (400).

use crate::error::ApiError;
use crate::AppState;
use serde::Deserialize;
use utoipa::ToSchema;

/// A unit by its id or its path.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum UnitRef {
    /// Its id.
    Id(i64),
    /// Its path, e.g. `Abteilung 2/Sachgebiet 23 IKT`.
    Path(String),
}

/// A bad field (400), naming the field and the problem.
pub(crate) fn invalid(field: &str, problem: &'static str, message: String) -> ApiError {
    ApiError::Invalid {
        field: field.into(),
        problem,
        message,
    }
}

/// An optional e-mail address: absent or blank is none; anything else must be an
/// address (field `email`, problem `not_an_email`), normalised.
pub(crate) fn optional_email(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    match raw.map(str::trim).filter(|e| !e.is_empty()) {
        None => Ok(None),
        Some(raw) => cases::email::normalise_email(raw).map(Some).ok_or_else(|| {
            invalid(
                "email",
                "not_an_email",
                "Bitte eine gültige E-Mail-Adresse angeben.".into(),
            )
        }),
    }
}

/// The unit's id and path; a unit that does not exist is refused (field `unit`, problem
/// `unknown_unit`). A path is trimmed first.
pub(crate) async fn resolve_unit(
    state: &AppState,
    unit: &UnitRef,
) -> Result<(i64, String), ApiError> {
    let unknown = |what: String| {
        invalid(
            "unit",
            "unknown_unit",
            format!("Die Organisationseinheit „{what}“ gibt es nicht."),
        )
    };
    match unit {
        UnitRef::Id(id) => {
            let path = state.store.unit_path_by_id(*id).await?;
            Ok((*id, path.ok_or_else(|| unknown(id.to_string()))?))
        }
        UnitRef::Path(path) => {
            let path = path.trim().to_string();
            let id = state.store.unit_id_by_path(&path).await?;
            Ok((id.ok_or_else(|| unknown(path.clone()))?, path))
        }
    }
}
