//! What a dialled string means: the echo test, a person by extension or login, or an
//! outside number (which needs the trunk).

use calls::{Party, Target};
use live::calls::DeskError;
use store::{PanelPerson, Store};

/// The echo test's number.
pub const ECHO: &str = "*43";

/// A person as the other side of a call sees them.
pub fn party(p: &PanelPerson) -> Party {
    // The unit's own name: the last part of its path.
    let unit = p.unit.rsplit('/').next().unwrap_or(&p.unit);
    Party::person(p.id, &p.name, &p.extension, &p.login, unit)
}

fn not_found(dialled: &str) -> DeskError {
    DeskError {
        code: "not_found",
        message: format!("Unter „{dialled}“ ist niemand zu erreichen."),
    }
}

/// Resolves `dialled` (trimmed; spaces, dashes and slashes inside numbers are ignored).
pub async fn resolve(store: &Store, dialled: &str) -> Result<Target, DeskError> {
    let dialled = dialled.trim();
    if dialled == ECHO {
        return Ok(Target::Echo);
    }
    let compact: String = dialled
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '/' | '(' | ')'))
        .collect();
    let unavailable = |e: store::StoreError| {
        tracing::error!(error = %e, "looking up a call target failed");
        DeskError {
            code: "unavailable",
            message: "Das Verzeichnis ist gerade nicht erreichbar.".into(),
        }
    };
    if !compact.is_empty() && compact.chars().all(|c| c.is_ascii_digit()) {
        if let Some(p) = store
            .panel_person_by_extension(&compact)
            .await
            .map_err(unavailable)?
        {
            return Ok(Target::Browser(party(&p)));
        }
    }
    if compact.starts_with('+')
        || (compact.len() > 6 && compact.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(DeskError {
            code: "forbidden",
            message: "Externe Nummern gehen über die Amtsleitung; für diesen Server ist keine eingerichtet.".into(),
        });
    }
    match store
        .panel_person(&dialled.to_lowercase())
        .await
        .map_err(unavailable)?
    {
        Some(p) => Ok(Target::Browser(party(&p))),
        None => Err(not_found(dialled)),
    }
}
