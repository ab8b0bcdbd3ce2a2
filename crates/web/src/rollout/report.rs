//! The rollout page's report (issue 19), for administrators: per feature its holders,
//! cap and waiting list per day (the server's daily snapshot; today as it is now), office occupancy per
//! building and day (from the desk bookings), usage per month (mobile days and office
//! days of mobile workers, softphone holders' calls) and the kilometres and CO₂ that
//! mobile days saved, from the commute distances people chose to state. As JSON or as
//! CSV (`report_csv.rs`).
//!
//! Usage and savings are about people: only aggregates, and a group under
//! `planner::rollout_report::MIN_GROUP` is shown as "< 5" without its total. Mobile days
//! are past days, from the team's week plan for a person who has one there (a day with a
//! mobile half and no office half), else the agreed mobile days on past working days
//! (the agreements in force, counted as the council report counts them). Both are plans:
//! Durchwahl records no actual mobile days.
//! Meetings have no usage: Durchwahl has no meetings yet.

use super::council::agreed_days;
use super::FEATURES;
use crate::auth::session::Admin;
use crate::error::{ApiError, ErrorBody};
use crate::mobile_work::{current_rules, local_now, unprocessable};
use crate::AppState;
use axum::extract::{Query, State};
use axum::Json;
use jiff::civil::Date;
use planner::calendar::WeekdaySet;
use planner::rollout_report::{
    aggregate, months, savings, Aggregate, Commute, Savings, CAR_GRAMS_CO2_PER_KM, MIN_GROUP,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use store::AgreementState;
use utoipa::{IntoParams, ToSchema};

/// The longest span, in days.
const LONGEST_DAYS: i64 = 366;

/// Where the CO₂ factor comes from, as the page and the CSV say it.
pub const CO2_SOURCE: &str = "Umweltbundesamt, durchschnittliche Emissionen im Personenverkehr, \
                              Pkw, Bezugsjahr 2022 (TREMOD)";

/// The span of the report.
#[derive(Debug, Deserialize, IntoParams)]
pub struct RolloutReportQuery {
    /// The first day, `YYYY-MM-DD`; eight weeks before the last when left out.
    pub from: Option<String>,
    /// The last day, `YYYY-MM-DD`; today when left out.
    pub to: Option<String>,
}

/// One feature's day.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeatureDayView {
    /// The day.
    pub day: String,
    /// How many held the feature.
    pub holders: u32,
    /// The cap then; none: no cap.
    pub cap: Option<u32>,
    /// How many waited.
    pub waiting: u32,
}

/// One feature over the span (days with a snapshot).
#[derive(Debug, Serialize, ToSchema)]
pub struct FeatureSeries {
    /// The feature's key.
    pub feature: String,
    /// Its German name.
    pub label: String,
    /// By day.
    pub days: Vec<FeatureDayView>,
}

/// One building's day.
#[derive(Debug, Serialize, ToSchema)]
pub struct OccupancyDay {
    /// The day.
    pub day: String,
    /// Desks booked (not cancelled).
    pub booked: u32,
    /// Desks checked in to.
    pub checked_in: u32,
}

/// One building over the span, every day.
#[derive(Debug, Serialize, ToSchema)]
pub struct BuildingSeries {
    /// The building's name.
    pub building: String,
    /// Its desks.
    pub desks: u32,
    /// By day.
    pub days: Vec<OccupancyDay>,
}

/// A usage figure: how many people and how often, or hidden.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageView {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// `mobile_work`, `softphone`.
    pub feature: String,
    /// `mobile_days`, `office_days`, `calls`.
    pub measure: String,
    /// How many people used it; none when hidden.
    pub people: Option<u32>,
    /// How often together; none when hidden.
    pub total: Option<u64>,
    /// Set when hidden: fewer people than this used it.
    pub fewer_than: Option<u32>,
    /// The people as text (`7`, `< 5`).
    pub text: String,
}

/// What a month's mobile days saved.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavingsView {
    /// The month, `YYYY-MM`.
    pub month: String,
    /// How many people with a stated distance worked mobile; none when hidden.
    pub people: Option<u32>,
    /// Kilometres not driven; none when hidden.
    pub km: Option<u64>,
    /// Kilograms of CO₂; none when hidden.
    pub co2_kg: Option<u64>,
    /// Set when hidden.
    pub fewer_than: Option<u32>,
    /// The people as text (`7`, `< 5`).
    pub text: String,
}

/// The rollout report.
#[derive(Debug, Serialize, ToSchema)]
pub struct RolloutReport {
    /// The first day.
    pub from: String,
    /// The last day.
    pub to: String,
    /// Groups smaller than this are hidden.
    pub min_group: u32,
    /// Grams of CO₂ per kilometre by car.
    pub co2_grams_per_km: u64,
    /// Where that factor comes from.
    pub co2_source: String,
    /// Per configured feature, its days.
    pub features: Vec<FeatureSeries>,
    /// Per building, its days.
    pub buildings: Vec<BuildingSeries>,
    /// Per month, feature and measure.
    pub usage: Vec<UsageView>,
    /// Per month.
    pub savings: Vec<SavingsView>,
}

fn day(field: &str, text: &str) -> Result<Date, ApiError> {
    text.trim().parse::<Date>().map_err(|_| {
        unprocessable(
            field,
            "not_a_day",
            &format!("„{text}“ ist kein Tag; bitte als JJJJ-MM-TT angeben."),
        )
    })
}

/// The span asked for, checked.
pub(crate) fn span(state: &AppState, q: &RolloutReportQuery) -> Result<(Date, Date), ApiError> {
    let today = local_now(state).date();
    let to = match &q.to {
        Some(t) => day("to", t)?,
        None => today,
    };
    let from = match &q.from {
        Some(f) => day("from", f)?,
        None => planner::calendar::add_days(to, -55),
    };
    if to < from {
        return Err(unprocessable(
            "to",
            "before_from",
            "Der letzte Tag liegt vor dem ersten.",
        ));
    }
    if (to - from).get_days() >= LONGEST_DAYS as i32 {
        return Err(unprocessable(
            "to",
            "too_long",
            "Der Bericht umfasst höchstens 366 Tage.",
        ));
    }
    Ok((from, to))
}

fn usage_view(month: Date, feature: &str, measure: &str, figure: Aggregate) -> UsageView {
    let (people, total, fewer_than) = match figure {
        Aggregate::Shown { people, total } => (Some(people), Some(total), None),
        Aggregate::Hidden { fewer_than } => (None, None, Some(fewer_than)),
    };
    UsageView {
        month: month.strftime("%Y-%m").to_string(),
        feature: feature.into(),
        measure: measure.into(),
        text: people.map_or(format!("< {}", fewer_than.unwrap_or(MIN_GROUP)), |p| {
            p.to_string()
        }),
        people,
        total,
        fewer_than,
    }
}

fn savings_view(month: Date, figure: Savings) -> SavingsView {
    let (people, km, co2_kg, fewer_than) = match figure {
        Savings::Shown { people, km, co2_kg } => (Some(people), Some(km), Some(co2_kg), None),
        Savings::Hidden { fewer_than } => (None, None, None, Some(fewer_than)),
    };
    SavingsView {
        month: month.strftime("%Y-%m").to_string(),
        text: people.map_or(format!("< {}", fewer_than.unwrap_or(MIN_GROUP)), |p| {
            p.to_string()
        }),
        people,
        km,
        co2_kg,
        fewer_than,
    }
}

/// Unix milliseconds of local midnight starting `day`.
fn midnight_ms(day: Date) -> i64 {
    planner::calendar::zone()
        .to_timestamp(day.at(0, 0, 0, 0))
        .map_or(0, |t| t.as_millisecond())
}

/// Per month of the span: usage and savings.
async fn monthly(
    state: &AppState,
    from: Date,
    to: Date,
) -> Result<(Vec<UsageView>, Vec<SavingsView>), ApiError> {
    let today = local_now(state).date();
    let workdays = current_rules(state)
        .await?
        .map(|r| r.workdays)
        .unwrap_or_else(|| {
            use jiff::civil::Weekday::*;
            WeekdaySet::of(&[Monday, Tuesday, Wednesday, Thursday, Friday])
        });
    let mut agreements = Vec::new();
    for s in [
        AgreementState::Approved,
        AgreementState::Revoking,
        AgreementState::Ended,
    ] {
        agreements.extend(state.store.agreements_in_state(s).await?);
    }
    let commutes = state.store.commutes().await?;
    let (mut usage, mut saved) = (Vec::new(), Vec::new());
    for month in months(from, to) {
        // Whole calendar months that are over, whatever the span asked for: the figures of
        // part of a month (or of the running month from one day to the next) differ by
        // single people's days, and subtracting two reports would undo the hiding of
        // small groups.
        let (first, last) = (month, month.last_of_month());
        if last >= today {
            continue;
        }
        // Mobile days: agreed days on past days only.
        let mut mobile: BTreeMap<i64, u32> = BTreeMap::new();
        {
            // The team's week plan where a person has one, else the agreed days.
            let planned = state.store.planned_mobile_days(first, last).await?;
            for row in &agreements {
                if !planned.contains_key(&row.staff_id) {
                    let n = agreed_days(row, first, last, workdays);
                    *mobile.entry(row.staff_id).or_default() += n;
                }
            }
            mobile.extend(planned);
        }
        let office = state.store.office_days(first, last).await?;
        let mobile_days: Vec<u32> = mobile.values().copied().collect();
        let office_days: Vec<u32> = mobile
            .keys()
            .map(|p| office.get(p).copied().unwrap_or(0))
            .collect();
        usage.push(usage_view(
            month,
            "mobile_work",
            "mobile_days",
            aggregate(&mobile_days, MIN_GROUP),
        ));
        usage.push(usage_view(
            month,
            "mobile_work",
            "office_days",
            aggregate(&office_days, MIN_GROUP),
        ));
        let until = last.tomorrow().unwrap_or(last);
        let calls = state
            .store
            .call_counts(midnight_ms(first), midnight_ms(until))
            .await?;
        // Everyone who called that month: the same people whenever the report is read
        // (today's softphone holders would change a past month's group when someone is
        // admitted, and the difference would be that person's calls).
        let per_holder: Vec<u32> = calls.values().copied().collect();
        usage.push(usage_view(
            month,
            "softphone",
            "calls",
            aggregate(&per_holder, MIN_GROUP),
        ));
        let people: Vec<Commute> = mobile
            .iter()
            .filter_map(|(p, days)| {
                commutes.get(p).map(|metres| Commute {
                    metres: *metres,
                    mobile_days: *days,
                })
            })
            .collect();
        saved.push(savings_view(month, savings(&people, MIN_GROUP)));
    }
    Ok((usage, saved))
}

/// The whole report for the span.
pub(crate) async fn build(
    state: &AppState,
    from: Date,
    to: Date,
) -> Result<RolloutReport, ApiError> {
    // Past days from the daily snapshots; today as it is now.
    let today = local_now(state).date();
    let mut history = state.store.rollout_history(from, to).await?;
    if from <= today && today <= to {
        history.retain(|d| d.day != today);
        history.extend(state.store.rollout_now(today).await?);
    }
    let features = FEATURES
        .iter()
        .filter_map(|(key, label)| {
            let days: Vec<FeatureDayView> = history
                .iter()
                .filter(|d| d.feature == *key)
                .map(|d| FeatureDayView {
                    day: d.day.to_string(),
                    holders: d.holders,
                    cap: d.cap,
                    waiting: d.waiting,
                })
                .collect();
            (!days.is_empty()).then(|| FeatureSeries {
                feature: (*key).into(),
                label: (*label).into(),
                days,
            })
        })
        .collect();
    let mut buildings: Vec<BuildingSeries> = Vec::new();
    for o in state.store.desk_occupancy(from, to).await? {
        if buildings.last().map(|b| &b.building) != Some(&o.building) {
            buildings.push(BuildingSeries {
                building: o.building.clone(),
                desks: o.desks,
                days: Vec::new(),
            });
        }
        if let Some(b) = buildings.last_mut() {
            b.days.push(OccupancyDay {
                day: o.day.to_string(),
                booked: o.booked,
                checked_in: o.checked_in,
            });
        }
    }
    let (usage, savings) = monthly(state, from, to).await?;
    Ok(RolloutReport {
        from: from.to_string(),
        to: to.to_string(),
        min_group: MIN_GROUP,
        co2_grams_per_km: CAR_GRAMS_CO2_PER_KM,
        co2_source: CO2_SOURCE.into(),
        features,
        buildings,
        usage,
        savings,
    })
}

/// The rollout over time: holders per feature against the cap, office occupancy per
/// building and day, usage per month and the CO₂ saved, aggregates only.
#[utoipa::path(get, path = "/api/v1/admin/rollout/report", tag = "rollout",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(RolloutReportQuery),
    responses((status = 200, body = RolloutReport),
        (status = 422, description = "Not a day, or the span runs backwards or over more than 366 days", body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    _: Admin,
    Query(q): Query<RolloutReportQuery>,
) -> Result<Json<RolloutReport>, ApiError> {
    let (from, to) = span(&state, &q)?;
    Ok(Json(build(&state, from, to).await?))
}
