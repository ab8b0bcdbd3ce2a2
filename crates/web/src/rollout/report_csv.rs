//! The rollout report as CSV (UTF-8 with BOM, `;`-separated, for spreadsheets), in long
//! form: one figure per line as `Bereich;Gegenstand;Zeitraum;Kennzahl;Wert`, so every
//! part of the report (features, occupancy, usage, CO₂) fits one table. Every cell is
//! defused against formula injection (`directory::csv_formula`), as the council's CSV.

use super::report::{build, span, RolloutReport, RolloutReportQuery};
use crate::auth::session::Admin;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The header line's cells.
pub const COLUMNS: [&str; 5] = ["Bereich", "Gegenstand", "Zeitraum", "Kennzahl", "Wert"];

fn measure_label(feature: &str, measure: &str) -> (&'static str, &'static str) {
    match (feature, measure) {
        ("mobile_work", "mobile_days") => ("Personen mit mobilen Tagen", "mobile Tage"),
        ("mobile_work", "office_days") => ("Personen mit Bürotagen", "Bürotage"),
        _ => ("Personen mit Anrufen", "Anrufe"),
    }
}

/// The report's lines.
pub fn csv(report: &RolloutReport) -> String {
    let cell = |v: &str| {
        format!(
            "\"{}\"",
            directory::csv_formula::defuse(v).replace('"', "\"\"")
        )
    };
    let mut out = String::from("\u{feff}");
    let mut line = |cells: [&str; 5]| {
        out.push_str(&cells.map(cell).join(";"));
        out.push_str("\r\n");
    };
    line(COLUMNS);
    for f in &report.features {
        for d in &f.days {
            line([
                "Merkmal",
                &f.label,
                &d.day,
                "Nutzende",
                &d.holders.to_string(),
            ]);
            let cap = d.cap.map_or("keine".to_string(), |c| c.to_string());
            line(["Merkmal", &f.label, &d.day, "Obergrenze", &cap]);
            line([
                "Merkmal",
                &f.label,
                &d.day,
                "Warteliste",
                &d.waiting.to_string(),
            ]);
        }
    }
    for b in &report.buildings {
        for d in &b.days {
            let desks = b.desks.to_string();
            line(["Belegung", &b.building, &d.day, "Arbeitsplätze", &desks]);
            line([
                "Belegung",
                &b.building,
                &d.day,
                "gebucht",
                &d.booked.to_string(),
            ]);
            let checked = d.checked_in.to_string();
            line(["Belegung", &b.building, &d.day, "eingecheckt", &checked]);
        }
    }
    for u in &report.usage {
        let feature = super::label(&u.feature).unwrap_or("");
        let (people, total) = measure_label(&u.feature, &u.measure);
        line(["Nutzung", feature, &u.month, people, &u.text]);
        let value = u.total.map_or("verborgen".to_string(), |t| t.to_string());
        line(["Nutzung", feature, &u.month, total, &value]);
    }
    line([
        "Nutzung",
        "Videokonferenzen",
        "",
        "Hinweis",
        "Durchwahl hat noch keine Videokonferenzen.",
    ]);
    for s in &report.savings {
        let work = "Arbeitsweg";
        line(["CO₂", work, &s.month, "Personen mit Angabe", &s.text]);
        let km = s.km.map_or("verborgen".to_string(), |k| k.to_string());
        line(["CO₂", work, &s.month, "eingesparte km", &km]);
        let kg = s.co2_kg.map_or("verborgen".to_string(), |k| k.to_string());
        line(["CO₂", work, &s.month, "eingespartes CO₂ (kg)", &kg]);
    }
    let factor = format!("{} g/km, {}", report.co2_grams_per_km, report.co2_source);
    line(["CO₂", "Arbeitsweg", "", "Faktor", &factor]);
    out
}

/// The rollout report as a CSV file.
#[utoipa::path(get, path = "/api/v1/admin/rollout/report.csv", tag = "rollout",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(RolloutReportQuery),
    responses((status = 200, body = String, content_type = "text/csv"),
        (status = 422, description = "Not a day, or the span runs backwards or over more than 366 days", body = ErrorBody)))]
pub async fn report_csv(
    State(state): State<AppState>,
    _: Admin,
    Query(q): Query<RolloutReportQuery>,
) -> Result<Response, ApiError> {
    let (from, to) = span(&state, &q)?;
    let report = build(&state, from, to).await?;
    let name = format!(
        "attachment; filename=\"rollout-{}-{}.csv\"",
        report.from, report.to
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, name),
        ],
        csv(&report),
    )
        .into_response())
}
