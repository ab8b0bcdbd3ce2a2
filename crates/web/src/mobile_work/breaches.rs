//! Each rule of the service agreement an application breaks, as a field of the
//! application with a stable problem code (for clients that explain it in their own
//! language) and the planner's German reason.

use crate::error::FieldIssue;
use planner::agreement_rules::RuleBreach;

/// The field and problem of `breach`, with its German reason.
pub fn issue(breach: &RuleBreach) -> FieldIssue {
    use RuleBreach as B;
    let (field, problem) = match breach {
        B::UnitNotEligible => ("person", "unit_not_eligible"),
        B::UnitExcluded(_) => ("person", "unit_excluded"),
        B::RoleNotEligible => ("person", "role_not_eligible"),
        B::RoleExcluded(_) => ("person", "role_excluded"),
        B::PersonExcluded => ("person", "person_excluded"),
        B::NoDays => ("days", "no_days"),
        B::TooManyDaysPerWeek { .. } => ("days", "too_many_days_per_week"),
        B::TooManyDaysPerMonth { .. } => ("days", "too_many_days_per_month"),
        B::NotAWorkday(_) => ("weekdays", "not_a_workday"),
        B::StartInPast { .. } => ("start", "start_in_past"),
        B::EndBeforeStart => ("end", "end_before_start"),
        B::TermTooLong { .. } => ("end", "term_too_long"),
        B::OpenEndedNotAllowed { .. } => ("end", "end_required"),
        B::CoreHoursNotCovered { .. } => ("reachable", "core_hours_not_covered"),
        B::AcknowledgementMissing { .. } => ("acknowledgements", "acknowledgement_missing"),
    };
    FieldIssue {
        field: field.into(),
        problem,
        message: breach.to_string(),
    }
}
