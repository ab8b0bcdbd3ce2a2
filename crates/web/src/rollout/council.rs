//! The staff council's (Personalrat) report on mobile work: per unit, applications,
//! approvals, rejections by reason category, revocations and mobile days used over a
//! span of months, as `planner::council::council_report` counts them from the agreements'
//! histories: never a person, and a count small enough to point at someone is shown only
//! as "weniger als 3". As JSON or as CSV (`format=csv`).
//!
//! There is no staff-council role in the directory (admin, supervisor, agent, user): the
//! report is for administrators, who hand it on. Days used are the agreed mobile days on
//! past working days of the span (the agreements in force; Durchwahl records no actual
//! mobile days), summed per unit.

use crate::auth::session::CouncilReader;
use crate::error::{ApiError, ErrorBody};
use crate::mobile_work::{current_rules, local_now, unprocessable};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use jiff::civil::Date;
use planner::approval::{AuditAction, AuditRecord, RejectionCategory};
use planner::calendar::WeekdaySet;
use planner::council::{council_report, Count, DaysUsed};
use planner::ids::{AgreementId, PersonId, UnitId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use store::{AgreementRow, AgreementState};
use utoipa::{IntoParams, ToSchema};

/// Counts below this are hidden ("weniger als 3").
pub const MIN_GROUP: u32 = 3;

/// The span of the report.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ReportQuery {
    /// The first month, `YYYY-MM`; January of this year when left out.
    pub from: Option<String>,
    /// The last month, `YYYY-MM`; this month when left out.
    pub to: Option<String>,
    /// `csv` for a CSV file; JSON otherwise.
    pub format: Option<String>,
}

/// A count as shown: exact, or hidden below the smallest group.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountView {
    /// The number, when shown.
    pub value: Option<u32>,
    /// Set when the number is hidden: it lies between 1 and this minus one.
    pub fewer_than: Option<u32>,
    /// As text (`5`, `weniger als 3`).
    pub text: String,
}

impl From<Count> for CountView {
    fn from(c: Count) -> CountView {
        let (value, fewer_than) = match c {
            Count::Exact(n) => (Some(n), None),
            Count::FewerThan(n) => (None, Some(n)),
        };
        CountView {
            value,
            fewer_than,
            text: c.to_string(),
        }
    }
}

/// Rejections of one category.
#[derive(Debug, Serialize, ToSchema)]
pub struct RejectionCount {
    /// `service_needs`, `tasks_unsuitable`, `requirements_not_met` or `other`.
    pub category: String,
    /// The category in German.
    pub label: String,
    /// How many.
    pub count: CountView,
}

/// One unit's line.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitLine {
    /// The unit's path.
    pub unit: String,
    /// Applications made.
    pub applications: CountView,
    /// Approvals.
    pub approvals: CountView,
    /// Rejections per category.
    pub rejections: Vec<RejectionCount>,
    /// Revocations given.
    pub revocations: CountView,
    /// Mobile days used; none when fewer than the smallest group used them.
    pub days_used: Option<u32>,
}

/// The report.
#[derive(Debug, Serialize, ToSchema)]
pub struct CouncilReport {
    /// The first month.
    pub from: String,
    /// The last month.
    pub to: String,
    /// Counts below this are hidden.
    pub min_group: u32,
    /// One line per unit with anything to count, by unit.
    pub units: Vec<UnitLine>,
}

fn month(field: &str, text: &str) -> Result<Date, ApiError> {
    let bad = || {
        unprocessable(
            field,
            "not_a_month",
            &format!("„{text}“ ist kein Monat; bitte als JJJJ-MM angeben."),
        )
    };
    let (y, m) = text.trim().split_once('-').ok_or_else(bad)?;
    let (year, month) = (
        y.parse::<i16>().map_err(|_| bad())?,
        m.parse::<i8>().map_err(|_| bad())?,
    );
    if y.len() != 4 || m.len() != 2 {
        return Err(bad());
    }
    Date::new(year, month, 1).map_err(|_| bad())
}

fn as_action(row: &AgreementRow, key: &str) -> Option<AuditAction> {
    Some(match key {
        "applied" => AuditAction::Applied {
            pattern: row.terms.pattern,
            start: row.terms.start,
            end: row.terms.end,
        },
        "approved" => AuditAction::Approved { terms: row.terms },
        "rejected" => AuditAction::Rejected {
            category: row.rejection_category.unwrap_or(RejectionCategory::Other),
            note: String::new(),
        },
        "revocation_given" => AuditAction::RevocationGiven {
            effective: row.revocation_effective.unwrap_or(row.terms.start),
            reason: String::new(),
        },
        _ => return None,
    })
}

/// The agreed mobile days of `row` from `from` to `to` (inclusive), at most the pattern's
/// days in any week.
pub(crate) fn agreed_days(row: &AgreementRow, from: Date, to: Date, workdays: WeekdaySet) -> u32 {
    let Some(terms) = row.to_planner().active_terms() else {
        return 0;
    };
    let per_week = u32::from(terms.pattern.days_per_week());
    let mut weeks: BTreeMap<(i16, i8), u32> = BTreeMap::new();
    let mut day = from;
    while day <= to {
        if terms.allows(day, workdays) {
            let week = day.iso_week_date();
            *weeks.entry((week.year(), week.week())).or_default() += 1;
        }
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    weeks.values().map(|n| (*n).min(per_week)).sum()
}

async fn build(state: &AppState, from: Date, to: Date) -> Result<Vec<UnitLine>, ApiError> {
    let today = local_now(state).date();
    let workdays = current_rules(state)
        .await?
        .map(|r| r.workdays)
        .unwrap_or_else(|| {
            use jiff::civil::Weekday::*;
            WeekdaySet::of(&[Monday, Tuesday, Wednesday, Thursday, Friday])
        });
    let mut records = Vec::new();
    let mut days: BTreeMap<i64, (BTreeSet<i64>, u32)> = BTreeMap::new();
    let last_past = to.min(today.yesterday().unwrap_or(today));
    for state_ in [
        AgreementState::Applied,
        AgreementState::ChangesRequested,
        AgreementState::Rejected,
        AgreementState::Withdrawn,
        AgreementState::Approved,
        AgreementState::Revoking,
        AgreementState::Ended,
    ] {
        for row in state.store.agreements_in_state(state_).await? {
            for entry in state.store.agreement_history(row.id).await? {
                if let Some(action) = as_action(&row, &entry.action) {
                    records.push(AuditRecord {
                        agreement: AgreementId(row.id),
                        person: PersonId(row.staff_id),
                        unit: UnitId(row.unit_id),
                        at: entry.at,
                        actor: entry.actor,
                        action,
                    });
                }
            }
            if from <= last_past {
                let n = agreed_days(&row, from, last_past, workdays);
                if n > 0 {
                    let unit = days.entry(row.unit_id).or_default();
                    unit.0.insert(row.staff_id);
                    unit.1 += n;
                }
            }
        }
    }
    let used: Vec<DaysUsed> = days
        .into_iter()
        .map(|(unit, (people, days))| DaysUsed {
            unit: UnitId(unit),
            people: people.len() as u32,
            days,
        })
        .collect();
    let mut paths = BTreeMap::new();
    for path in state.store.unit_paths().await? {
        let path = path.to_string();
        if let Some(id) = state.store.unit_id_by_path(&path).await? {
            paths.insert(id, path);
        }
    }
    let report = council_report(&records, &used, from, to, MIN_GROUP);
    Ok(report
        .into_iter()
        .map(|f| UnitLine {
            unit: paths
                .get(&f.unit.0)
                .cloned()
                .unwrap_or_else(|| "(aufgelöste Einheit)".into()),
            applications: f.applications.into(),
            approvals: f.approvals.into(),
            rejections: f
                .rejections
                .into_iter()
                .map(|(c, n)| RejectionCount {
                    category: crate::mobile_work::views::category_key(c).into(),
                    label: c.to_string(),
                    count: n.into(),
                })
                .collect(),
            revocations: f.revocations.into(),
            days_used: f.days_used,
        })
        .collect())
}

fn csv(report: &CouncilReport) -> String {
    let cell = |v: &str| {
        format!(
            "\"{}\"",
            directory::csv_formula::defuse(v).replace('"', "\"\"")
        )
    };
    let mut head = vec![
        "Einheit".to_string(),
        "Anträge".into(),
        "Genehmigungen".into(),
    ];
    if let Some(first) = report.units.first() {
        head.extend(
            first
                .rejections
                .iter()
                .map(|r| format!("Ablehnungen: {}", r.label)),
        );
    }
    head.extend(["Widerrufe".to_string(), "Mobile Tage".into()]);
    let mut out = String::from("\u{feff}");
    out.push_str(&head.iter().map(|h| cell(h)).collect::<Vec<_>>().join(";"));
    out.push_str("\r\n");
    for u in &report.units {
        let mut row = vec![
            u.unit.clone(),
            u.applications.text.clone(),
            u.approvals.text.clone(),
        ];
        row.extend(u.rejections.iter().map(|r| r.count.text.clone()));
        row.push(u.revocations.text.clone());
        row.push(
            u.days_used
                .map_or(format!("weniger als {MIN_GROUP} Personen"), |d| {
                    d.to_string()
                }),
        );
        out.push_str(&row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(";"));
        out.push_str("\r\n");
    }
    out
}

/// The staff council's report on mobile work per unit, aggregates only (small counts
/// hidden); `format=csv` for a CSV file (UTF-8 with BOM, `;`-separated). For the staff
/// council (role `council`) and administrators.
#[utoipa::path(get, path = "/api/v1/mobile-work/council-report", tag = "mobile-work",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("council"))),
    params(ReportQuery),
    responses((status = 200, body = CouncilReport, content((CouncilReport = "application/json"), (String = "text/csv"))),
        (status = 422, description = "Not a month, or the span runs backwards or over more than 5 years", body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    _: CouncilReader,
    Query(q): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    let today = local_now(&state).date();
    let from_text = q.from.unwrap_or_else(|| format!("{:04}-01", today.year()));
    let to_text =
        q.to.unwrap_or_else(|| format!("{:04}-{:02}", today.year(), today.month()));
    let from = month("from", &from_text)?;
    let to_month = month("to", &to_text)?;
    if to_month < from {
        return Err(unprocessable(
            "to",
            "before_from",
            "Der letzte Monat liegt vor dem ersten.",
        ));
    }
    if to_month.year() - from.year() > 5 {
        return Err(unprocessable(
            "to",
            "too_long",
            "Der Bericht umfasst höchstens fünf Jahre.",
        ));
    }
    let to = to_month.last_of_month();
    let report = CouncilReport {
        from: from_text.trim().into(),
        to: to_text.trim().into(),
        min_group: MIN_GROUP,
        units: build(&state, from, to).await?,
    };
    if q.format.as_deref() == Some("csv") {
        let name = format!(
            "attachment; filename=\"personalrat-mobiles-arbeiten-{}-{}.csv\"",
            report.from, report.to
        );
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, name),
            ],
            csv(&report),
        )
            .into_response());
    }
    Ok(Json(report).into_response())
}
