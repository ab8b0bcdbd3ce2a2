//! The audit log for administrators: filtered, as JSON and as CSV for spreadsheets.

use crate::auth::session::Admin;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use store::AuditFilter;
use utoipa::{IntoParams, ToSchema};

/// Audit query: `person`, `action` (prefix), `since`, `until` (Unix seconds), `limit`.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    person: Option<String>,
    action: Option<String>,
    since: Option<i64>,
    until: Option<i64>,
    limit: Option<i64>,
}

impl AuditQuery {
    fn filter(self) -> AuditFilter {
        AuditFilter {
            person: self.person.filter(|p| !p.is_empty()),
            action_prefix: self.action.filter(|a| !a.is_empty()),
            since: self.since,
            until: self.until,
            limit: self.limit.unwrap_or(200).clamp(1, 100_000),
        }
    }
}

/// One audit entry.
#[derive(Serialize, ToSchema)]
pub struct AuditEntry {
    /// Unix seconds.
    at: i64,
    /// Who did it (none: the system, or someone not signed in).
    actor: Option<String>,
    /// What, e.g. `login.failed`, `admin.staff.changed`.
    action: String,
    /// On whom or what.
    target: Option<String>,
    /// The address it came from.
    source: Option<String>,
    detail: String,
}

/// Audit entries, newest first.
#[derive(Serialize, ToSchema)]
pub struct AuditEntries {
    entries: Vec<AuditEntry>,
}

/// The audit log, filtered.
#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(AuditQuery),
    responses((status = 200, body = AuditEntries)))]
pub async fn audit(
    State(state): State<AppState>,
    _: Admin,
    Query(q): Query<AuditQuery>,
) -> Result<Json<AuditEntries>, ApiError> {
    let entries = state
        .store
        .audit_entries(&q.filter())
        .await?
        .into_iter()
        .map(|e| AuditEntry {
            at: e.at,
            actor: e.actor,
            action: e.action,
            target: e.target,
            source: e.source,
            detail: e.detail,
        })
        .collect();
    Ok(Json(AuditEntries { entries }))
}

/// The same entries as CSV (UTF-8 with BOM, `;`-separated, for Excel; formula-like cells
/// defused).
#[utoipa::path(get, path = "/api/v1/admin/audit.csv", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(AuditQuery),
    responses((status = 200, description = "The entries as CSV", content_type = "text/csv")))]
pub async fn audit_csv(
    State(state): State<AppState>,
    _: Admin,
    Query(q): Query<AuditQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let entries = state.store.audit_entries(&q.filter()).await?;
    let mut out = String::from("\u{feff}time;actor;action;target;source;detail\r\n");
    for e in &entries {
        let cells = [
            crate::time_format::iso_utc(e.at),
            e.actor.clone().unwrap_or_default(),
            e.action.clone(),
            e.target.clone().unwrap_or_default(),
            e.source.clone().unwrap_or_default(),
            e.detail.clone(),
        ];
        let quoted: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&quoted.join(";"));
        out.push_str("\r\n");
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit.csv\"",
            ),
        ],
        out,
    ))
}

/// Quotes a CSV cell, defused as every export defuses it so spreadsheets do not run it as
/// a formula (CSV injection).
fn csv_cell(value: &str) -> String {
    let safe = directory::csv_formula::defuse(value);
    format!("\"{}\"", safe.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_cells_are_quoted_and_defused() {
        assert_eq!(super::csv_cell("a\"b"), "\"a\"\"b\"");
        assert_eq!(super::csv_cell("=HYPERLINK(1)"), "\"'=HYPERLINK(1)\"");
        assert_eq!(super::csv_cell("\t=1+1"), "\"'\t=1+1\"");
        assert_eq!(super::csv_cell("\r=1+1"), "\"'\r=1+1\"");
    }
}
