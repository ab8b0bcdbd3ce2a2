//! The rotation of a unit for the coming weeks, by its head or a deputy (or an
//! administrator): the planner proposes a fair plan that keeps every hard rule — or says
//! which rule cannot be kept and why, instead of a plan that breaks it; the manager edits
//! cells and has the plan checked (each breach named); accepting a plan that keeps every
//! rule writes everyone's office and mobile days at once and is audited.

use super::input::{unit_facts, UnitFacts};
use super::{audit, body, day_field, local_now, require_manager, unprocessable, with_names};
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody, FieldIssue};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use jiff::civil::{Date, Weekday};
use planner::calendar::add_days;
use planner::ids::PersonId;
use planner::rotation::{self, Breach, Conflict, Demand, Limit, Outcome, Plan, Spot};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Which weeks to plan.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalBody {
    /// The first Monday (`YYYY-MM-DD`); default: next Monday.
    #[serde(default)]
    pub first_monday: Option<String>,
    /// How many weeks (1 to 8).
    pub weeks: u8,
}

/// A person's row of a plan.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PlanRow {
    /// Login.
    pub login: String,
    /// Name (ignored when sent).
    #[serde(default)]
    pub name: String,
    /// One per date: `office`, `mobile`, `away` or `off`.
    pub spots: Vec<String>,
}

/// How a person's wishes came out.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShareView {
    /// Login.
    pub login: String,
    /// Name.
    pub name: String,
    /// Wished mobile days the agreement allows.
    pub wanted: u16,
    /// Of those, granted.
    pub granted: u16,
    /// Mobile days not wished (forced by an office's seats).
    pub unwished: u16,
}

/// Why no plan exists.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConflictView {
    /// The planner's German explanation, with names.
    pub message: String,
    /// The rules involved: `minimum_in_office`, `shared_office`, `weekly_limit`,
    /// `monthly_limit`, `pinned`, `week_and_month`.
    pub rules: Vec<String>,
}

/// A proposal: a plan with the shares, or the conflict.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalView {
    /// The first Monday.
    pub first_monday: String,
    /// How many weeks.
    pub weeks: u8,
    /// Every date.
    pub dates: Vec<String>,
    /// The plan (none on a conflict).
    pub people: Vec<PlanRow>,
    /// How the wishes came out (none on a conflict).
    pub shares: Vec<ShareView>,
    /// Why no plan exists.
    pub conflict: Option<ConflictView>,
}

fn spot_name(spot: Spot) -> &'static str {
    match spot {
        Spot::Office => "office",
        Spot::Mobile => "mobile",
        Spot::Away => "away",
        Spot::Off => "off",
    }
}

fn next_monday(today: Date) -> Date {
    let ahead = 7 - i64::from(today.weekday().to_monday_zero_offset());
    add_days(today, ahead)
}

fn rules_of(conflict: &Conflict) -> Vec<String> {
    let mut rules: Vec<&str> = match conflict {
        Conflict::WeekAndMonth { .. } => vec!["week_and_month"],
        Conflict::Cut(cut) => cut
            .demands
            .iter()
            .map(|d| match d {
                Demand::SharedOffice { .. } => "shared_office",
                Demand::Pinned { .. } => "pinned",
            })
            .chain(cut.limits.iter().filter_map(|l| match l {
                Limit::Day { .. } => Some("minimum_in_office"),
                Limit::Week { .. } | Limit::WeekPart { .. } => Some("weekly_limit"),
                Limit::Month { .. } => Some("monthly_limit"),
                Limit::Cell { .. } => None,
            }))
            .collect(),
    };
    rules.sort_unstable();
    rules.dedup();
    rules.into_iter().map(String::from).collect()
}

fn rows(facts: &UnitFacts, plan: &Plan) -> Vec<PlanRow> {
    facts
        .members
        .iter()
        .map(|m| PlanRow {
            login: m.login.clone(),
            name: m.display_name.clone(),
            spots: plan
                .row(PersonId(m.id))
                .unwrap_or_default()
                .iter()
                .map(|s| spot_name(*s).to_string())
                .collect(),
        })
        .collect()
}

/// Propose a rotation for the coming weeks: a fair plan keeping every hard rule, or the
/// rule that cannot be kept and why.
#[utoipa::path(post, path = "/api/v1/team-week/units/{id}/proposal", tag = "team-week",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path)), request_body = ProposalBody,
    responses((status = 200, body = ProposalView),
        (status = 403, description = "Not the unit's head or deputy, nor an administrator", body = ErrorBody),
        (status = 404, description = "No such unit", body = ErrorBody),
        (status = 409, description = "The service agreement is not set up", body = ErrorBody),
        (status = 422, description = "Bad period", body = ErrorBody)))]
pub async fn propose(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Json(raw): Json<serde_json::Value>,
) -> Result<Json<ProposalView>, ApiError> {
    require_manager(&state, &who, id).await?;
    let form: ProposalBody = body(raw)?;
    let first_monday = match &form.first_monday {
        Some(d) => day_field("first_monday", d)?,
        None => next_monday(local_now(&state).date()),
    };
    check_period(local_now(&state).date(), first_monday, form.weeks)?;
    let facts = unit_facts(&state, id, first_monday, form.weeks).await?;
    let proposal = rotation::propose(&facts.input)?;
    let dates = (0..7 * i64::from(form.weeks))
        .map(|i| add_days(first_monday, i).to_string())
        .collect();
    let mut view = ProposalView {
        first_monday: first_monday.to_string(),
        weeks: form.weeks,
        dates,
        people: vec![],
        shares: vec![],
        conflict: None,
    };
    match proposal.outcome {
        Outcome::Plan(plan) => {
            view.people = rows(&facts, &plan);
            view.shares = rotation::shares(&facts.input, &plan)?
                .iter()
                .filter_map(|s| {
                    let m = facts.members.iter().find(|m| m.id == s.person.0)?;
                    Some(ShareView {
                        login: m.login.clone(),
                        name: m.display_name.clone(),
                        wanted: s.wanted,
                        granted: s.granted,
                        unwished: s.unwished,
                    })
                })
                .collect();
        }
        Outcome::Conflict(conflict) => {
            view.conflict = Some(ConflictView {
                message: with_names(&conflict.to_string(), &facts.names, &facts.offices),
                rules: rules_of(&conflict),
            });
        }
        Outcome::GaveUp => {
            view.conflict = Some(ConflictView {
                message: "Der Planer konnte in der vorgesehenen Zeit weder einen Plan noch \
                          einen Widerspruch finden; bitte weniger Wochen planen."
                    .into(),
                rules: vec![],
            });
        }
    }
    Ok(Json(view))
}

/// How many weeks ahead a plan may begin at the latest.
const WEEKS_AHEAD: i64 = 12;

/// A plan begins on a Monday from next week on (a week under way or past is not planned
/// again: it would overwrite what people did), at most [`WEEKS_AHEAD`] weeks ahead.
fn check_period(today: Date, first_monday: Date, weeks: u8) -> Result<(), ApiError> {
    if first_monday.weekday() != Weekday::Monday {
        return Err(unprocessable(
            "first_monday",
            "not_a_monday",
            "Ein Plan beginnt an einem Montag.",
        ));
    }
    let earliest = next_monday(today);
    if first_monday < earliest {
        return Err(unprocessable(
            "first_monday",
            "week_not_ahead",
            &format!("Geplant wird ab der nächsten Woche (ab Montag, {earliest})."),
        ));
    }
    if first_monday > add_days(earliest, 7 * (WEEKS_AHEAD - 1)) {
        return Err(unprocessable(
            "first_monday",
            "week_too_far_ahead",
            &format!("Ein Plan beginnt höchstens {WEEKS_AHEAD} Wochen im Voraus."),
        ));
    }
    if !(1..=8).contains(&weeks) {
        return Err(unprocessable(
            "weeks",
            "weeks_out_of_range",
            "Bitte 1 bis 8 Wochen planen.",
        ));
    }
    Ok(())
}

/// A plan as the manager edited it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    /// The first Monday (`YYYY-MM-DD`).
    pub first_monday: String,
    /// How many weeks (1 to 8).
    pub weeks: u8,
    /// Rows by login; people left out stay as the blank plan has them (in the office).
    pub people: Vec<PlanRow>,
}

/// A broken rule of an edited plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct BreachView {
    /// The planner's German explanation, with names.
    pub message: String,
    /// `absence`, `no_agreement`, `not_agreed_day`, `weekly_limit`, `monthly_limit`,
    /// `shared_office` or `minimum_in_office`.
    pub rule: String,
    /// Whose row, when it is one person's.
    pub login: Option<String>,
    /// The day, when it is one day's.
    pub date: Option<String>,
}

/// The breaches of an edited plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckView {
    /// Every broken rule; empty: the plan keeps them all.
    pub breaches: Vec<BreachView>,
}

async fn edited(
    state: &AppState,
    id: i64,
    raw: serde_json::Value,
) -> Result<(UnitFacts, Plan, Vec<BreachView>), ApiError> {
    let form: PlanBody = body(raw)?;
    let first_monday = day_field("first_monday", &form.first_monday)?;
    check_period(local_now(state).date(), first_monday, form.weeks)?;
    let facts = unit_facts(state, id, first_monday, form.weeks).await?;
    let mut plan = Plan::blank(&facts.input)?;
    let days = 7 * usize::from(form.weeks);
    for (i, row) in form.people.iter().enumerate() {
        let field = format!("people[{i}]");
        let member = facts
            .members
            .iter()
            .find(|m| m.login == row.login)
            .ok_or_else(|| {
                unprocessable(
                    &field,
                    "not_a_member",
                    &format!("„{}“ gehört nicht zu dieser Einheit.", row.login),
                )
            })?;
        if row.spots.len() != days {
            return Err(unprocessable(
                &format!("{field}.spots"),
                "days",
                &format!("Bitte für jeden der {days} Tage einen Eintrag angeben."),
            ));
        }
        for (d, name) in row.spots.iter().enumerate() {
            let spot = [Spot::Office, Spot::Mobile, Spot::Away, Spot::Off]
                .into_iter()
                .find(|s| spot_name(*s) == name)
                .ok_or_else(|| {
                    unprocessable(
                        &format!("{field}.spots[{d}]"),
                        "unknown_spot",
                        &format!("„{name}“ ist keiner von office, mobile, away, off."),
                    )
                })?;
            plan.set(PersonId(member.id), add_days(first_monday, d as i64), spot)?;
        }
    }
    let login_of = |p: PersonId| {
        facts
            .members
            .iter()
            .find(|m| m.id == p.0)
            .map(|m| m.login.clone())
    };
    let breaches = rotation::check_plan(&facts.input, &plan)?
        .iter()
        .map(|b| {
            let (rule, person, date) = match b {
                Breach::AbsenceIgnored { person, date } => ("absence", Some(*person), Some(*date)),
                Breach::NoAgreement { person, date } => {
                    ("no_agreement", Some(*person), Some(*date))
                }
                Breach::NotAgreedDay { person, date } => {
                    ("not_agreed_day", Some(*person), Some(*date))
                }
                Breach::TooManyInWeek { person, monday, .. } => {
                    ("weekly_limit", Some(*person), Some(*monday))
                }
                Breach::TooManyInMonth { person, .. } => ("monthly_limit", Some(*person), None),
                Breach::OfficeOverfull { date, .. } => ("shared_office", None, Some(*date)),
                Breach::UnderStaffed { date, .. } => ("minimum_in_office", None, Some(*date)),
            };
            BreachView {
                message: with_names(&b.to_string(), &facts.names, &facts.offices),
                rule: rule.into(),
                login: person.and_then(login_of),
                date: date.map(|d| d.to_string()),
            }
        })
        .collect();
    Ok((facts, plan, breaches))
}

/// Check an edited plan against every hard rule.
#[utoipa::path(post, path = "/api/v1/team-week/units/{id}/check", tag = "team-week",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path)), request_body = PlanBody,
    responses((status = 200, body = CheckView),
        (status = 403, description = "Not the unit's head or deputy, nor an administrator", body = ErrorBody),
        (status = 422, description = "A bad plan (unknown person, spot or length)", body = ErrorBody)))]
pub async fn check(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Json(raw): Json<serde_json::Value>,
) -> Result<Json<CheckView>, ApiError> {
    require_manager(&state, &who, id).await?;
    let (_, _, breaches) = edited(&state, id, raw).await?;
    Ok(Json(CheckView { breaches }))
}

/// The accepted plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    /// Its id.
    pub id: i64,
}

/// Accept a plan: it must keep every hard rule (else 422 with each breach, nothing
/// written); then everyone's office and mobile days of the period are written at once.
#[utoipa::path(post, path = "/api/v1/team-week/units/{id}/plan", tag = "team-week",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path)), request_body = PlanBody,
    responses((status = 201, body = Accepted),
        (status = 403, description = "Not the unit's head or deputy, nor an administrator", body = ErrorBody),
        (status = 422, description = "The plan breaks a rule (each named) or is bad; nothing written", body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Json(raw): Json<serde_json::Value>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    require_manager(&state, &who, id).await?;
    let (facts, plan, breaches) = edited(&state, id, raw).await?;
    if !breaches.is_empty() {
        let fields: Vec<FieldIssue> = breaches
            .iter()
            .map(|b| FieldIssue {
                field: b
                    .login
                    .as_ref()
                    .map_or_else(|| "plan".to_string(), |l| format!("people.{l}")),
                problem: "rule_broken",
                message: b.message.clone(),
            })
            .collect();
        return Err(ApiError::Unprocessable {
            message: fields
                .iter()
                .map(|f| f.message.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            fields,
        });
    }
    let plan_id = state
        .store
        .accept_rotation_plan(id, &plan, who.account.id, state.live.now_ms())
        .await?;
    let first = plan
        .dates()
        .next()
        .map(|d| d.to_string())
        .unwrap_or_default();
    // The plan is committed: what follows may fail without undoing it, so it is logged,
    // never answered as a 500 (which would invite accepting the plan again).
    if let Err(e) = audit(
        &state,
        &who,
        "team_week.plan_accepted",
        None,
        format!(
            "unit {id}: plan {plan_id} from {first}, {} weeks, {} people",
            facts.input.weeks,
            facts.members.len()
        ),
    )
    .await
    {
        tracing::warn!(unit = id, plan = plan_id, error = ?e, "team week: audit of an accepted plan failed");
    }
    let ids: Vec<i64> = facts.members.iter().map(|m| m.id).collect();
    if let Err(e) = super::presence::follow_plan(&state, &ids).await {
        tracing::warn!(unit = id, error = ?e, "team week: presence did not follow the accepted plan");
    }
    Ok((StatusCode::CREATED, Json(Accepted { id: plan_id })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn problem(result: Result<(), ApiError>) -> Option<(String, String)> {
        match result {
            Ok(()) => None,
            Err(ApiError::Unprocessable { fields, .. }) => fields
                .first()
                .map(|f| (f.field.clone(), f.problem.to_string())),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_plan_begins_next_week_at_the_earliest_and_twelve_weeks_ahead_at_the_latest() {
        // Wednesday, 2025-03-12: next Monday is 2025-03-17.
        let today = date(2025, 3, 12);
        let refused = |monday| problem(check_period(today, monday, 1)).map(|p| p.1);
        assert_eq!(
            refused(date(2025, 3, 10)).as_deref(),
            Some("week_not_ahead")
        );
        assert_eq!(refused(date(2025, 3, 3)).as_deref(), Some("week_not_ahead"));
        assert_eq!(refused(date(2025, 3, 17)), None);
        assert_eq!(refused(add_days(date(2025, 3, 17), 7 * 11)), None);
        assert_eq!(
            refused(add_days(date(2025, 3, 17), 7 * 12)).as_deref(),
            Some("week_too_far_ahead")
        );
        assert_eq!(
            problem(check_period(date(2025, 3, 17), date(2025, 3, 17), 1))
                .map(|p| p.0)
                .as_deref(),
            Some("first_monday"),
            "on a Monday itself, that week is under way"
        );
    }
}
