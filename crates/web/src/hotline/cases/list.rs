//! A hotline's case list: search words, state, period and assignee filters, newest first,
//! as JSON pages or, with `format=csv`, as a spreadsheet (UTF-8 with BOM, `;`-separated,
//! German headers and values, formula-like cells defused) of every matching case.

use super::access::CaseWorker;
use super::local_time::{parse_bound, zone};
use super::shapes::{case, Case};
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::http::client_addr::ClientAddr;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use cases::export::{header as csv_header, row as csv_row, ExportCase};
use cases::CaseState;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use store::{CaseFilter, CaseRow};
use utoipa::{IntoParams, ToSchema};

/// A page holds at most this many cases.
const MAX_PAGE: i64 = 500;
/// A page holds this many without `limit`.
const DEFAULT_PAGE: i64 = 50;
/// An export holds at most this many cases.
const MAX_EXPORT: i64 = 20_000;

/// Which cases.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CaseQuery {
    /// Search words; every word must occur in the caller's number or a value (any case;
    /// `12.08.1973` finds a day, `+49 30…` a number).
    q: Option<String>,
    /// `new`, `in_progress` or `done`.
    state: Option<String>,
    /// Created on or after this day (`2026-03-05`, German local time) or instant.
    from: Option<String>,
    /// Created on or before this day (inclusive) or before this instant.
    until: Option<String>,
    /// Assigned to this login.
    assignee: Option<String>,
    /// Page size, 1 to 500 (default 50); not for CSV.
    limit: Option<i64>,
    /// Cases to skip; not for CSV.
    offset: Option<i64>,
    /// `json` (default) or `csv`.
    format: Option<String>,
}

/// A page of cases.
#[derive(Serialize, ToSchema)]
pub struct CaseList {
    /// Newest first, without bookings and history.
    cases: Vec<Case>,
    /// How many match in all.
    total: i64,
    limit: i64,
    offset: i64,
}

fn invalid(field: &str, problem: &'static str, message: String) -> ApiError {
    ApiError::Invalid {
        field: field.into(),
        problem,
        message,
    }
}

async fn filter(state: &AppState, q: &CaseQuery) -> Result<CaseFilter, ApiError> {
    let case_state = match q.state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(name) => Some(CaseState::parse(name).ok_or_else(|| {
            invalid(
                "state",
                "unknown_state",
                format!("„{name}“ ist kein Status; möglich sind new, in_progress und done."),
            )
        })?),
    };
    let bound = |text: &Option<String>, end: bool, field: &str| {
        text.as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(|t| parse_bound(t, end, field))
            .transpose()
    };
    let assignee = match q.assignee.as_deref().filter(|a| !a.is_empty()) {
        None => None,
        Some(login) => {
            let unknown = || {
                invalid(
                    "assignee",
                    "unknown_login",
                    format!("Niemand hat den Benutzernamen „{login}“."),
                )
            };
            let parsed = directory::Login::parse(login).map_err(|_| unknown())?;
            let account = state.store.account_by_login(&parsed).await?;
            Some(account.ok_or_else(unknown)?.id)
        }
    };
    Ok(CaseFilter {
        text: q.q.clone(),
        state: case_state,
        created_from: bound(&q.from, false, "from")?,
        created_until: bound(&q.until, true, "until")?,
        assignee,
        limit: q.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE),
        offset: q.offset.unwrap_or(0).max(0),
    })
}

/// The hotline's cases, newest first: JSON, or with `format=csv` a spreadsheet file.
#[utoipa::path(get, path = "/api/v1/hotlines/{hotline}/cases", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("hotline" = i64, Path, description = "The hotline's id"), CaseQuery),
    responses((status = 200, description = "A page of cases, or with `format=csv` every \
            matching case as CSV (UTF-8 with BOM, `;`, German headers: Fall-Nr., Status, \
            Anrufernummer, Zuständig, Angelegt, Geändert, Erledigt am, then the form's labels)",
            content((CaseList = "application/json"), (String = "text/csv"))),
        (status = 400, description = "A bad state, day or assignee (`field`, `problem`)", body = ErrorBody),
        (status = 403, description = "Neither agent nor supervisor of this hotline nor administrator", body = ErrorBody),
        (status = 404, description = "No such hotline (administrators)", body = ErrorBody)))]
pub async fn list_cases(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    who: SignedIn,
    Path(hotline): Path<i64>,
    Query(q): Query<CaseQuery>,
) -> Result<Response, ApiError> {
    let worker = CaseWorker::check(&state, who, hotline, client.to_string()).await?;
    let mut filter = filter(&state, &q).await?;
    match q.format.as_deref().unwrap_or("json") {
        "json" => {
            let page = state.store.cases(worker.hotline, &filter).await?;
            Ok(Json(CaseList {
                cases: page.cases.iter().map(case).collect(),
                total: page.total,
                limit: filter.limit,
                offset: filter.offset,
            })
            .into_response())
        }
        "csv" => {
            filter.limit = MAX_EXPORT;
            filter.offset = 0;
            let page = state.store.cases(worker.hotline, &filter).await?;
            let text = export(&state, worker.hotline, &page.cases).await?;
            let name = format!("attachment; filename=\"faelle-hotline-{hotline}.csv\"");
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (header::CONTENT_DISPOSITION, name),
                ],
                text,
            )
                .into_response())
        }
        other => Err(invalid(
            "format",
            "unknown_format",
            format!("„{other}“ gibt es nicht; möglich sind json und csv."),
        )),
    }
}

/// The cases as an Excel-friendly CSV text.
async fn export(state: &AppState, hotline: i64, rows: &[CaseRow]) -> Result<String, ApiError> {
    let form = state.store.case_form(hotline).await?.definition;
    let slot_keys: Vec<&str> = form
        .fields()
        .iter()
        .filter(|f| f.kind == cases::FieldKind::AppointmentSlot)
        .map(|f| f.key.as_str())
        .collect();
    let mut ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| slot_keys.iter().filter_map(|k| r.values.slot(k)))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let slots: HashMap<i64, (i64, i64)> = state
        .store
        .slots_by_id(&ids)
        .await?
        .into_iter()
        .map(|(id, s)| (id, (s.starts_at, s.ends_at)))
        .collect();
    let zone = zone();
    let mut out = String::from("\u{feff}");
    push_line(&mut out, &csv_header(&form));
    for r in rows {
        let case = ExportCase {
            id: r.id,
            state: r.state,
            caller_number: r.caller_number.as_deref(),
            assignee: r.assignee.as_ref().map(|a| a.name.as_str()),
            created_at: r.created_at,
            updated_at: r.updated_at,
            closed_at: r.closed_at,
            values: &r.values,
        };
        push_line(&mut out, &csv_row(&form, &case, &slots, &zone));
    }
    Ok(out)
}

/// One CSV line: every cell quoted and defused (CSV injection), `;` between, CRLF.
fn push_line(out: &mut String, cells: &[String]) {
    let quoted: Vec<String> = cells
        .iter()
        .map(|c| {
            let safe = directory::csv_formula::defuse(c);
            format!("\"{}\"", safe.replace('"', "\"\""))
        })
        .collect();
    out.push_str(&quoted.join(";"));
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    #[test]
    fn lines_are_quoted_defused_and_end_in_crlf() {
        let mut out = String::new();
        let cells = [
            "Müller; \"Erika\"".to_string(),
            "=1+1".to_string(),
            String::new(),
        ];
        super::push_line(&mut out, &cells);
        assert_eq!(out, "\"Müller; \"\"Erika\"\"\";\"'=1+1\";\"\"\r\n");
    }
}
