//! One's own week: seven days by morning and afternoon (office, mobile, away with its
//! kind, off), checked by `planner::week::check_week` against one's agreement in force and
//! the monthly limit (counting the month's other planned mobile days). A week that breaks
//! a rule is a 422 with each breach at its field and the planner's German reason, and
//! nothing is written. And the weekdays one would like to work mobile, which the rotation
//! planner balances.

use super::input::{mobile_days_outside, month_span, terms_of, week_of, workdays};
use super::{audit, body, day_field, local_now, location_name, parse_location, unprocessable};
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody, FieldIssue};
use crate::mobile_work::rules::{weekday_names, weekdays};
use crate::AppState;
use axum::extract::{Query, State};
use axum::Json;
use planner::calendar::{add_days, HalfDays};
use planner::week::{check_week, Location, Week, WeekBreach};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// One day of a week.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DayView {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `office`, `mobile`, `off`, `leave`, `business_trip`, `sick` or `away`.
    pub morning: String,
    /// As `morning`.
    pub afternoon: String,
}

/// A unit one belongs to or leads.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitRef {
    /// Its id.
    pub id: i64,
    /// Its path.
    pub path: String,
}

/// One's week.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyWeek {
    /// The Monday.
    pub monday: String,
    /// Monday to Sunday.
    pub days: Vec<DayView>,
    /// The agreement in force, as words (`feste Tage: Mo, Do`); none: no mobile work.
    pub agreement: Option<String>,
    /// The weekdays one would like to work mobile (`mon` … `sun`).
    pub wishes: Vec<String>,
    /// One's own unit.
    pub unit: UnitRef,
    /// The units one plans as head or deputy (every unit for an administrator is not
    /// listed here; they open a unit by id).
    pub leads: Vec<UnitRef>,
}

/// Which week.
#[derive(Debug, Deserialize, IntoParams)]
pub struct WeekQuery {
    /// Any day of the week (`YYYY-MM-DD`); default: this week.
    pub week: Option<String>,
}

pub(crate) fn day_views(week: &Week) -> Vec<DayView> {
    week.days
        .iter()
        .enumerate()
        .map(|(i, d)| DayView {
            date: week.date(i).to_string(),
            morning: location_name(d.morning).into(),
            afternoon: location_name(d.afternoon).into(),
        })
        .collect()
}

async fn my_week_of(
    state: &AppState,
    who: &SignedIn,
    monday: jiff::civil::Date,
) -> Result<MyWeek, ApiError> {
    let me = who.account.id;
    let week = week_of(state, me, monday, workdays(state).await?).await?;
    let unit_path = who.account.unit.to_string();
    let unit_id = state
        .store
        .unit_id_by_path(&unit_path)
        .await?
        .ok_or(ApiError::Internal)?;
    let mut leads = Vec::new();
    for led in state.store.units_led_by(me).await? {
        if let Some(path) = state.store.unit_path_by_id(led.unit_id).await? {
            leads.push(UnitRef {
                id: led.unit_id,
                path,
            });
        }
    }
    Ok(MyWeek {
        monday: week.monday().to_string(),
        days: day_views(&week),
        agreement: terms_of(state, me).await?.map(|t| t.pattern.to_string()),
        wishes: weekday_names(state.store.mobile_wishes(me).await?),
        unit: UnitRef {
            id: unit_id,
            path: unit_path,
        },
        leads,
    })
}

/// One's week by half-day (stored days over the default: office on working days).
#[utoipa::path(get, path = "/api/v1/team-week/me", tag = "team-week",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(WeekQuery),
    responses((status = 200, body = MyWeek),
        (status = 422, description = "Not a date", body = ErrorBody)))]
pub async fn my_week(
    State(state): State<AppState>,
    who: SignedIn,
    Query(query): Query<WeekQuery>,
) -> Result<Json<MyWeek>, ApiError> {
    let day = match &query.week {
        Some(d) => day_field("week", d)?,
        None => local_now(&state).date(),
    };
    Ok(Json(my_week_of(&state, &who, day).await?))
}

/// A week as one plans it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeekBody {
    /// The Monday (`YYYY-MM-DD`).
    pub monday: String,
    /// Seven days, Monday first (their `date` is ignored).
    pub days: Vec<DayBody>,
}

/// One day as one plans it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayBody {
    /// Ignored (the position in `days` says which day).
    #[serde(default)]
    pub date: Option<String>,
    /// `office`, `mobile`, `off`, `leave`, `business_trip`, `sick` or `away`.
    pub morning: String,
    /// As `morning`.
    pub afternoon: String,
}

/// The field and problem code of a breach of the week.
fn issue(week: &Week, breach: &WeekBreach) -> FieldIssue {
    let (field, problem) = match breach {
        WeekBreach::NoAgreement(date) => (day_index(week, *date), "no_agreement"),
        WeekBreach::NotAgreedDay(date) => (day_index(week, *date), "not_agreed_day"),
        WeekBreach::TooMuchInWeek { .. } => ("week".to_string(), "too_much_in_week"),
        WeekBreach::TooMuchInMonth { .. } => ("week".to_string(), "too_much_in_month"),
    };
    FieldIssue {
        field,
        problem,
        message: breach.to_string(),
    }
}

fn day_index(week: &Week, date: jiff::civil::Date) -> String {
    let i = (0..7).find(|i| week.date(*i) == date).unwrap_or(0);
    format!("days[{i}]")
}

/// Plan one's week. Mobile half-days must lie within one's agreement in force (its
/// period and weekdays), at most its days per week and, with the month's other mobile
/// days, the monthly limit. On days an accepted plan of the unit covers, a move from the
/// office to mobile work must leave the unit's minimum in the office (`staffing.rs`). Any
/// breach: 422 with every breach at its field, nothing written.
#[utoipa::path(put, path = "/api/v1/team-week/me", tag = "team-week",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    request_body = WeekBody,
    responses((status = 200, body = MyWeek),
        (status = 409, description = "Mobile work planned while the service agreement is not set up", body = ErrorBody),
        (status = 422, description = "A rule of the agreement broken (each at its field) or a bad form; nothing written", body = ErrorBody)))]
pub async fn put_week(
    State(state): State<AppState>,
    who: SignedIn,
    axum::Json(raw): axum::Json<serde_json::Value>,
) -> Result<Json<MyWeek>, ApiError> {
    let form: WeekBody = body(raw)?;
    let monday = day_field("monday", &form.monday)?;
    let mut week = Week::new(monday, workdays(&state).await?)
        .map_err(|e| unprocessable("monday", "not_a_monday", &e.to_string()))?;
    if form.days.len() != 7 {
        return Err(unprocessable(
            "days",
            "seven_days",
            "Eine Woche hat sieben Tage, Montag zuerst.",
        ));
    }
    for (i, day) in form.days.iter().enumerate() {
        week.days[i].morning = parse_location(&format!("days[{i}].morning"), &day.morning)?;
        week.days[i].afternoon = parse_location(&format!("days[{i}].afternoon"), &day.afternoon)?;
    }
    let me = who.account.id;
    if week.mobile() > HalfDays(0) {
        let rules = crate::mobile_work::required_rules(&state).await?;
        let last = add_days(monday, 6);
        let (first, end) = month_span(monday, last);
        let halves = state.store.planned_halves_of(me, first, end).await?;
        // The month's other mobile days, in half-days as the week counts them.
        let mut elsewhere = Vec::new();
        for (month, _) in mobile_days_outside(&halves, monday, last) {
            let count = halves
                .iter()
                .filter(|h| h.location == Location::Mobile && (h.day < monday || h.day > last))
                .filter(|h| planner::calendar::YearMonth::of(h.day) == month)
                .count();
            elsewhere.push((month, HalfDays(u16::try_from(count).unwrap_or(u16::MAX))));
        }
        let terms = terms_of(&state, me).await?;
        let breaches = check_week(&week, terms.as_ref(), &rules, &elsewhere);
        if !breaches.is_empty() {
            let fields: Vec<FieldIssue> = breaches.iter().map(|b| issue(&week, b)).collect();
            return Err(ApiError::Unprocessable {
                message: fields
                    .iter()
                    .map(|f| f.message.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                fields,
            });
        }
    }
    // After an accepted plan: the unit's minimum in the office still holds.
    super::staffing::check(&state, me, &who.account.unit.to_string(), &week).await?;
    state.store.set_week(me, &week).await?;
    // The week is committed: a failing audit or presence update is logged, not a 500.
    if let Err(e) = audit(
        &state,
        &who,
        "team_week.week_planned",
        Some(who.account.login.as_str()),
        format!("week {monday}: {} mobile half-days", week.mobile().0),
    )
    .await
    {
        tracing::warn!(staff = me, error = ?e, "team week: audit of a planned week failed");
    }
    if week.day_mut(local_now(&state).date()).is_some() {
        if let Err(e) = super::presence::follow_plan(&state, &[me]).await {
            tracing::warn!(staff = me, error = ?e, "team week: presence did not follow the week");
        }
    }
    Ok(Json(my_week_of(&state, &who, monday).await?))
}

/// The weekdays one would like to work mobile.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WishesBody {
    /// `mon` … `sun`.
    pub weekdays: Vec<String>,
}

/// Say which weekdays one would like to work mobile (the rotation planner balances the
/// unit's wishes fairly).
#[utoipa::path(put, path = "/api/v1/team-week/me/wishes", tag = "team-week",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    request_body = WishesBody,
    responses((status = 200, body = MyWeek),
        (status = 422, description = "Not a weekday", body = ErrorBody)))]
pub async fn put_wishes(
    State(state): State<AppState>,
    who: SignedIn,
    axum::Json(raw): axum::Json<serde_json::Value>,
) -> Result<Json<MyWeek>, ApiError> {
    let form: WishesBody = body(raw)?;
    let wishes = weekdays("weekdays", &form.weekdays)?;
    state
        .store
        .set_mobile_wishes(who.account.id, wishes)
        .await?;
    audit(
        &state,
        &who,
        "team_week.wishes_set",
        Some(who.account.login.as_str()),
        format!("wishes {wishes}"),
    )
    .await?;
    Ok(Json(
        my_week_of(&state, &who, local_now(&state).date()).await?,
    ))
}
