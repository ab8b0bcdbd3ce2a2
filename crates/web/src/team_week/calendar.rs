//! The team calendar of a unit: every member's days by half-day for one or more weeks,
//! and per day how many are in the office against the unit's minimum. For the unit's
//! members, its head and deputies, and administrators.

use super::input::{overlay, workdays};
use super::own::{day_views, DayView};
use super::{day_field, local_now, standing, unit_path, Standing};
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::Json;
use jiff::civil::Date;
use planner::calendar::{add_days, WeekdaySet};
use planner::week::{Absence, Location, Week};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A member's days.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonDays {
    /// Login.
    pub login: String,
    /// Name.
    pub name: String,
    /// Each day of the period.
    pub days: Vec<DayView>,
}

/// The team calendar.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamCalendar {
    /// The unit's id.
    pub unit_id: i64,
    /// Its path.
    pub unit: String,
    /// The first Monday.
    pub monday: String,
    /// Every date of the period.
    pub dates: Vec<String>,
    /// The members, by name.
    pub people: Vec<PersonDays>,
    /// Per date: how many are in the office in the morning.
    pub in_office: Vec<u16>,
    /// Per date: the unit's minimum in the office.
    pub minimum: Vec<u16>,
    /// Whether the signed-in person plans this unit (head, deputy, administrator).
    pub manager: bool,
}

/// Which weeks.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PeriodQuery {
    /// Any day of the first week (`YYYY-MM-DD`); default: this week.
    pub from: Option<String>,
    /// How many weeks (1 to 8, default 1).
    pub weeks: Option<u8>,
}

/// The first Monday and the number of weeks of a query, or 422.
pub(crate) fn period(state: &AppState, query: &PeriodQuery) -> Result<(Date, u8), ApiError> {
    let day = match &query.from {
        Some(d) => day_field("from", d)?,
        None => local_now(state).date(),
    };
    let weeks = query.weeks.unwrap_or(1);
    if !(1..=8).contains(&weeks) {
        return Err(super::unprocessable(
            "weeks",
            "weeks_out_of_range",
            "Bitte 1 bis 8 Wochen wählen.",
        ));
    }
    Ok((Week::containing(day, WeekdaySet::EMPTY).monday(), weeks))
}

/// Every absence as a plain "away": why someone is away (sickness above all, health
/// data under Art. 9 GDPR) is for their own eyes only.
fn without_reasons(week: &mut Week) {
    for day in &mut week.days {
        for half in [&mut day.morning, &mut day.afternoon] {
            if let Location::Away(_) = half {
                *half = Location::Away(Absence::Other);
            }
        }
    }
}

/// The members' weeks of `unit_id` for the period, stored days over the default. Only
/// `viewer`'s own weeks keep why they are away; everyone else's absences are plain "away"
/// (none: nobody's, as in the unit feed and the managers' CSV).
pub(crate) async fn calendar_of(
    state: &AppState,
    unit_id: i64,
    monday: Date,
    weeks: u8,
    viewer: Option<i64>,
) -> Result<(Vec<Date>, Vec<(store::UnitMember, Vec<Week>)>), ApiError> {
    let workdays = workdays(state).await?;
    let last = add_days(monday, 7 * i64::from(weeks) - 1);
    let halves = state
        .store
        .planned_halves_in_unit(unit_id, monday, last)
        .await?;
    let mut people = Vec::new();
    for member in state.store.unit_members(unit_id).await? {
        let own: Vec<_> = halves
            .iter()
            .filter(|h| h.staff_id == member.id)
            .copied()
            .collect();
        let weeks = (0..i64::from(weeks))
            .map(|w| {
                let mut week = Week::containing(add_days(monday, 7 * w), workdays);
                overlay(&mut week, &own);
                if viewer != Some(member.id) {
                    without_reasons(&mut week);
                }
                week
            })
            .collect();
        people.push((member, weeks));
    }
    let dates = (0..7 * i64::from(weeks))
        .map(|i| add_days(monday, i))
        .collect();
    Ok((dates, people))
}

/// The unit's team calendar.
#[utoipa::path(get, path = "/api/v1/team-week/units/{id}/calendar", tag = "team-week",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path), PeriodQuery),
    responses((status = 200, body = TeamCalendar),
        (status = 403, description = "Neither a member nor a head, deputy or administrator", body = ErrorBody),
        (status = 404, description = "No such unit", body = ErrorBody),
        (status = 422, description = "Bad period", body = ErrorBody)))]
pub async fn team_calendar(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Query(query): Query<PeriodQuery>,
) -> Result<Json<TeamCalendar>, ApiError> {
    let standing = standing(&state, &who, id).await?;
    let (monday, weeks) = period(&state, &query)?;
    let (dates, people) = calendar_of(&state, id, monday, weeks, Some(who.account.id)).await?;
    let rules = state.store.unit_rotation_rules(id).await?;
    let in_office = (0..dates.len())
        .map(|d| {
            people
                .iter()
                .filter(|(_, weeks)| weeks[d / 7].days[d % 7].morning == Location::Office)
                .count() as u16
        })
        .collect();
    let minimum = dates
        .iter()
        .map(|d| rules.min_in_office[d.weekday().to_monday_zero_offset() as usize])
        .collect();
    Ok(Json(TeamCalendar {
        unit_id: id,
        unit: unit_path(&state, id).await?,
        monday: monday.to_string(),
        dates: dates.iter().map(ToString::to_string).collect(),
        people: people
            .into_iter()
            .map(|(member, weeks)| PersonDays {
                login: member.login,
                name: member.display_name,
                days: weeks.iter().flat_map(day_views).collect(),
            })
            .collect(),
        in_office,
        minimum,
        manager: standing == Standing::Manager,
    }))
}
