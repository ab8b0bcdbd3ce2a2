//! The unit's plan as CSV for its head, deputies and administrators: a row per person
//! and day with the morning's and the afternoon's location.

use super::calendar::{calendar_of, period, PeriodQuery};
use super::{location_german, require_manager};
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;

/// RFC 4180: a field with a separator, quote or line break is quoted, quotes doubled.
/// A cell a spreadsheet would run as a formula is defused first, by the same rule as
/// every other CSV (`directory::csv_formula`).
fn field(text: &str) -> String {
    let text = directory::csv_formula::defuse(text);
    if text.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.into_owned()
    }
}

/// The unit's plan as CSV (semicolon-separated, UTF-8).
#[utoipa::path(get, path = "/api/v1/team-week/units/{id}/plan.csv", tag = "team-week",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path), PeriodQuery),
    responses((status = 200, description = "Datum;Login;Name;Vormittag;Nachmittag", content_type = "text/csv"),
        (status = 403, description = "Not the unit's head or deputy, nor an administrator", body = ErrorBody),
        (status = 404, description = "No such unit", body = ErrorBody)))]
pub async fn csv(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Query(query): Query<PeriodQuery>,
) -> Result<impl IntoResponse, ApiError> {
    require_manager(&state, &who, id).await?;
    let (monday, weeks) = period(&state, &query)?;
    let (dates, people) = calendar_of(&state, id, monday, weeks, None).await?;
    let mut out = String::from("Datum;Login;Name;Vormittag;Nachmittag\r\n");
    for (d, date) in dates.iter().enumerate() {
        for (member, weeks) in &people {
            let day = weeks[d / 7].days[d % 7];
            out.push_str(&format!(
                "{date};{};{};{};{}\r\n",
                field(&member.login),
                field(&member.display_name),
                location_german(day.morning),
                location_german(day.afternoon)
            ));
        }
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"wochenplan-{id}-{monday}.csv\""),
            ),
        ],
        out,
    ))
}
