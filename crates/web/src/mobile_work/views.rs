//! Agreements as the API shows them: the terms, where the agreement stands, and its whole
//! history with who did what (the applicant, a decider by name and capacity, the
//! calendar).

use super::rules::weekday_names;
use crate::error::ApiError;
use crate::time_format::iso_utc_ms;
use crate::AppState;
use planner::approval::{Actor, Capacity, EndCause, RejectionCategory};
use planner::terms::DaysPattern;
use serde::Serialize;
use store::{AgreementRow, AgreementState, HistoryEntry};
use utoipa::ToSchema;

/// The days of an agreement: fixed weekdays or a number per week.
#[derive(Debug, Serialize, ToSchema)]
pub struct Days {
    /// The fixed weekdays (`mon` … `sun`), when the pattern fixes them.
    pub weekdays: Option<Vec<String>>,
    /// Days per week, when any working day may be mobile.
    pub days_per_week: Option<u8>,
    /// The pattern in German, e.g. `2 Tage pro Woche`.
    pub label: String,
}

/// One step of an agreement's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct Step {
    /// 1, 2, … in order.
    pub seq: i64,
    /// When (local time, `YYYY-MM-DDTHH:MM:SS`, Europe/Berlin).
    pub at: String,
    /// `applicant`, `decider` or `calendar`.
    pub actor: String,
    /// The decider's login (while they are in the directory).
    pub decider_login: Option<String>,
    /// The decider's name.
    pub decider_name: Option<String>,
    /// `head` or `deputy`, for a decider.
    pub capacity: Option<String>,
    /// What happened: `applied`, `resubmitted`, `changes_requested`, `approved`,
    /// `rejected`, `withdrawn`, `renewed`, `ended`, `revocation_given`, `revoked`,
    /// `expired`.
    pub action: String,
    /// What happened, in German.
    pub summary: String,
}

/// An agreement (from its application on) with its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementView {
    /// Its id.
    pub id: i64,
    /// The applicant's login.
    pub login: String,
    /// The applicant's name.
    pub name: String,
    /// The applicant's unit when they applied.
    pub unit: Option<String>,
    /// `applied`, `changes_requested`, `rejected`, `withdrawn`, `approved`, `revoking`
    /// or `ended`.
    pub state: String,
    /// The state in German.
    pub state_label: String,
    /// The mobile days.
    pub days: Days,
    /// The first day (`YYYY-MM-DD`).
    pub start: String,
    /// The last day, if any.
    pub end: Option<String>,
    /// The applicant's reason.
    pub reason: Option<String>,
    /// The decider's note (changes asked for, rejection) or the revocation's reason.
    pub note: Option<String>,
    /// Why it was rejected: `service_needs`, `tasks_unsuitable`,
    /// `requirements_not_met` or `other`.
    pub rejection_category: Option<String>,
    /// The first day without mobile work, while a revocation runs.
    pub revocation_effective: Option<String>,
    /// Why it is over: `expired`, `by_agreement` or `revoked`.
    pub end_cause: Option<String>,
    /// When it was applied for (UTC).
    pub created: String,
    /// Every step, oldest first.
    pub history: Vec<Step>,
}

/// The stored key of a state (as the API writes it).
pub fn state_key(state: AgreementState) -> &'static str {
    match state {
        AgreementState::Applied => "applied",
        AgreementState::ChangesRequested => "changes_requested",
        AgreementState::Rejected => "rejected",
        AgreementState::Withdrawn => "withdrawn",
        AgreementState::Approved => "approved",
        AgreementState::Revoking => "revoking",
        AgreementState::Ended => "ended",
    }
}

/// The API's key of a rejection category.
pub fn category_key(category: RejectionCategory) -> &'static str {
    match category {
        RejectionCategory::ServiceNeeds => "service_needs",
        RejectionCategory::TasksUnsuitable => "tasks_unsuitable",
        RejectionCategory::RequirementsNotMet => "requirements_not_met",
        RejectionCategory::Other => "other",
    }
}

fn cause_key(cause: EndCause) -> &'static str {
    match cause {
        EndCause::Expired => "expired",
        EndCause::ByAgreement => "by_agreement",
        EndCause::Revoked => "revoked",
    }
}

/// The days of `pattern`.
pub fn days(pattern: DaysPattern) -> Days {
    match pattern {
        DaysPattern::Weekdays(set) => Days {
            weekdays: Some(weekday_names(set)),
            days_per_week: None,
            label: pattern.to_string(),
        },
        DaysPattern::PerWeek(n) => Days {
            weekdays: None,
            days_per_week: Some(n),
            label: pattern.to_string(),
        },
    }
}

async fn step(state: &AppState, entry: HistoryEntry) -> Result<Step, ApiError> {
    let (actor, decider, capacity) = match entry.actor {
        Actor::Applicant => ("applicant", None, None),
        Actor::Calendar => ("calendar", None, None),
        Actor::Decider { person, capacity } => {
            let who = state.store.panel_person_by_id(person.0).await?;
            let capacity = match capacity {
                Capacity::Head(_) => "head",
                Capacity::Deputy(_) => "deputy",
            };
            ("decider", who, Some(capacity.to_string()))
        }
    };
    Ok(Step {
        seq: entry.seq,
        at: entry.at.strftime("%Y-%m-%dT%H:%M:%S").to_string(),
        actor: actor.into(),
        decider_login: decider.as_ref().map(|p| p.login.clone()),
        decider_name: decider.map(|p| p.name),
        capacity,
        action: entry.action,
        summary: entry.summary,
    })
}

/// The view of `row` with its history.
pub async fn agreement_view(
    state: &AppState,
    row: AgreementRow,
) -> Result<AgreementView, ApiError> {
    let person = state.store.panel_person_by_id(row.staff_id).await?;
    let unit = state.store.unit_path_by_id(row.unit_id).await?;
    let mut history = Vec::new();
    for entry in state.store.agreement_history(row.id).await? {
        history.push(step(state, entry).await?);
    }
    Ok(AgreementView {
        id: row.id,
        login: person.as_ref().map(|p| p.login.clone()).unwrap_or_default(),
        name: person.map(|p| p.name).unwrap_or_default(),
        unit,
        state: state_key(row.state).into(),
        state_label: row.state.to_string(),
        days: days(row.terms.pattern),
        start: row.terms.start.to_string(),
        end: row.terms.end.map(|d| d.to_string()),
        reason: row.reason,
        note: row.note,
        rejection_category: row.rejection_category.map(|c| category_key(c).into()),
        revocation_effective: row.revocation_effective.map(|d| d.to_string()),
        end_cause: row.end_cause.map(|c| cause_key(c).into()),
        created: iso_utc_ms(row.created_ms),
        history,
    })
}
