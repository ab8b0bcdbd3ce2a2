//! The service agreement's rules as the API and the store carry them (JSON), and their
//! translation into the planner's [`AgreementRules`], which checks that they are
//! consistent. The texts to acknowledge are not part of the JSON: every text published
//! (in its newest version) must be acknowledged.

use super::unprocessable;
use crate::error::ApiError;
use directory::flags::Flag;
use directory::Role;
use jiff::civil::{Time, Weekday};
use planner::agreement_rules::{AckText, AgreementRules, Eligibility, Hours, MobileLimits};
use planner::calendar::WeekdaySet;
use planner::ids::{PersonId, UnitId};
use serde::{Deserialize, Serialize};
use store::TextRow;
use utoipa::ToSchema;

/// Who may apply (all lists may be empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct EligibilityRules {
    /// Ids of the eligible units, each with its sub-units; empty: every unit.
    pub units: Vec<i64>,
    /// Ids of units excluded with their sub-units.
    pub excluded_units: Vec<i64>,
    /// Eligible roles (`user`, `agent`, `supervisor`, `admin`); empty: every role.
    pub roles: Vec<String>,
    /// Roles excluded.
    pub excluded_roles: Vec<String>,
    /// Staff ids of people excluded.
    pub excluded_people: Vec<i64>,
}

/// A span of the day, e.g. `{"from": "09:00", "until": "15:00"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayHours {
    /// From (`HH:MM`).
    pub from: String,
    /// Until (`HH:MM`, exclusive).
    pub until: String,
}

/// The service agreement's (Dienstvereinbarung) rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Who may apply.
    #[serde(default)]
    pub eligibility: EligibilityRules,
    /// The most mobile days per calendar week.
    pub days_per_week: i64,
    /// The most mobile days per calendar month.
    pub days_per_month: i64,
    /// The working days mobile work can fall on: `mon` … `sun` (default Monday to
    /// Friday).
    #[serde(default = "monday_to_friday")]
    pub workdays: Vec<String>,
    /// The hours in which people working mobile must be reachable.
    #[serde(default)]
    pub core_hours: Option<DayHours>,
    /// The notice period of a revocation, in days.
    pub notice_days: i64,
    /// The longest term of one agreement in days; absent: open-ended agreements allowed.
    #[serde(default)]
    pub max_term_days: Option<i64>,
    /// Reminders before an agreement runs out, in days before its last day.
    #[serde(default)]
    pub reminder_days: Vec<i64>,
    /// The federal state whose public holidays are not working days in the team's plans
    /// (`BY`, `NW`, …); absent: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holidays: Option<String>,
}

fn monday_to_friday() -> Vec<String> {
    ["mon", "tue", "wed", "thu", "fri"]
        .map(String::from)
        .to_vec()
}

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Monday),
    ("tue", Weekday::Tuesday),
    ("wed", Weekday::Wednesday),
    ("thu", Weekday::Thursday),
    ("fri", Weekday::Friday),
    ("sat", Weekday::Saturday),
    ("sun", Weekday::Sunday),
];

/// The weekdays named (`mon` … `sun`); an unknown name is a 422 on `field`.
pub(crate) fn weekdays(field: &str, names: &[String]) -> Result<WeekdaySet, ApiError> {
    let mut set = WeekdaySet::default();
    for name in names {
        let day = WEEKDAYS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
            .map(|(_, d)| *d)
            .ok_or_else(|| {
                unprocessable(
                    field,
                    "unknown_weekday",
                    &format!(
                        "„{name}“ ist kein Wochentag; erlaubt sind mon, tue, wed, thu, fri, \
                         sat und sun."
                    ),
                )
            })?;
        set = set.with(day);
    }
    Ok(set)
}

/// The names of the weekdays in `set`, Monday first.
pub(crate) fn weekday_names(set: WeekdaySet) -> Vec<String> {
    WEEKDAYS
        .iter()
        .filter(|(_, d)| set.contains(*d))
        .map(|(n, _)| n.to_string())
        .collect()
}

/// A time of day `HH:MM`; anything else is a 422 on `field`.
pub(crate) fn time_of_day(field: &str, text: &str) -> Result<Time, ApiError> {
    text.trim().parse::<Time>().map_err(|_| {
        unprocessable(
            field,
            "not_a_time",
            &format!("„{text}“ ist keine Uhrzeit; bitte als HH:MM angeben, z. B. 09:00."),
        )
    })
}

/// Hours with their end after their start.
pub(crate) fn hours(field: &str, h: &DayHours) -> Result<Hours, ApiError> {
    let hours = Hours {
        start: time_of_day(&format!("{field}.from"), &h.from)?,
        end: time_of_day(&format!("{field}.until"), &h.until)?,
    };
    if hours.start >= hours.end {
        return Err(unprocessable(
            field,
            "end_before_start",
            "Die Zeitspanne muss enden, nachdem sie beginnt.",
        ));
    }
    Ok(hours)
}

/// A whole number in `min..=max`, else a 422 on `field` saying `what` and the range.
fn within<T: TryFrom<i64>>(
    field: &str,
    what: &str,
    value: i64,
    min: i64,
    max: i64,
) -> Result<T, ApiError> {
    if value < min || value > max {
        return Err(unprocessable(
            field,
            "out_of_range",
            &format!("{what} muss zwischen {min} und {max} liegen; angegeben ist {value}."),
        ));
    }
    T::try_from(value).map_err(|_| unprocessable(field, "out_of_range", what))
}

impl Rules {
    /// The rules as stored (written by [`Rules::to_stored`]).
    pub fn from_stored(stored: serde_json::Value) -> Result<Rules, ApiError> {
        serde_json::from_value(stored).map_err(|e| {
            tracing::error!(error = %e, "the stored mobile-work rules do not parse");
            ApiError::Internal
        })
    }

    /// The rules to store.
    pub fn to_stored(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    /// The planner's rules, with `texts` (the current versions) to acknowledge: every
    /// field checked, then the rules as a whole (`AgreementRules::validate`). Anything
    /// wrong is a 422 naming it in German.
    pub fn to_planner(&self, texts: &[TextRow]) -> Result<AgreementRules, ApiError> {
        let limits = MobileLimits {
            days_per_week: within(
                "days_per_week",
                "Die Zahl der mobilen Tage pro Woche",
                self.days_per_week,
                0,
                7,
            )?,
            days_per_month: within(
                "days_per_month",
                "Die Zahl der mobilen Tage pro Monat",
                self.days_per_month,
                0,
                31,
            )?,
        };
        let workdays = weekdays("workdays", &self.workdays)?;
        if workdays.is_empty() {
            return Err(unprocessable(
                "workdays",
                "missing",
                "Bitte mindestens einen Arbeitstag angeben.",
            ));
        }
        let core_hours = self
            .core_hours
            .as_ref()
            .map(|h| hours("core_hours", h))
            .transpose()?;
        let notice_days = within(
            "notice_days",
            "Die Widerrufsfrist in Tagen",
            self.notice_days,
            0,
            365,
        )?;
        let max_term_days = self
            .max_term_days
            .map(|d| within("max_term_days", "Die längste Laufzeit in Tagen", d, 1, 3660))
            .transpose()?;
        let reminder_days = self
            .reminder_days
            .iter()
            .map(|d| {
                within(
                    "reminder_days",
                    "Eine Erinnerung (Tage vor dem Ende)",
                    *d,
                    1,
                    365,
                )
            })
            .collect::<Result<Vec<u16>, _>>()?;
        if let Some(code) = &self.holidays {
            if queues::holidays::State::parse(code).is_none() {
                return Err(unprocessable(
                    "holidays",
                    "unknown_state",
                    &format!("„{code}“ ist kein Bundesland (BW, BY, BE, … TH)."),
                ));
            }
        }
        let e = &self.eligibility;
        for (field, roles) in [
            ("eligibility.roles", &e.roles),
            ("eligibility.excluded_roles", &e.excluded_roles),
        ] {
            if let Some(role) = roles
                .iter()
                .find(|r| !Role::ALL.iter().any(|known| known.name() == r.as_str()))
            {
                return Err(unprocessable(
                    field,
                    "unknown_role",
                    &format!(
                        "Die Rolle „{role}“ gibt es nicht; es gibt user, agent, supervisor, \
                         council und admin."
                    ),
                ));
            }
        }
        let rules = AgreementRules {
            eligibility: Eligibility {
                units: e.units.iter().map(|u| UnitId(*u)).collect(),
                excluded_units: e.excluded_units.iter().map(|u| UnitId(*u)).collect(),
                roles: e.roles.clone(),
                excluded_roles: e.excluded_roles.clone(),
                excluded_people: e.excluded_people.iter().map(|p| PersonId(*p)).collect(),
            },
            limits,
            workdays,
            core_hours,
            acknowledgements: texts
                .iter()
                .map(|t| AckText {
                    key: t.key.clone(),
                    version: t.version,
                    title: t.title.clone(),
                })
                .collect(),
            notice_days,
            max_term_days,
            reminder_days,
        };
        rules.validate().map_err(ApiError::from)?;
        Ok(rules)
    }
}

/// What a person reads of the rules (no one else's name: the eligibility lists stay with
/// the administration).
#[derive(Debug, Serialize, ToSchema)]
pub struct RulesSummary {
    /// The most mobile days per week.
    pub days_per_week: u8,
    /// The most mobile days per month.
    pub days_per_month: u8,
    /// The days mobile work can fall on (`mon` … `sun`).
    pub workdays: Vec<String>,
    /// The hours to be reachable in, if any.
    pub core_hours: Option<DayHours>,
    /// The notice period of a revocation, in days.
    pub notice_days: u16,
    /// The longest term in days; none: open-ended agreements are possible.
    pub max_term_days: Option<u32>,
}

impl RulesSummary {
    /// The summary of `rules`.
    pub fn of(rules: &AgreementRules) -> RulesSummary {
        let hm = |t: Time| format!("{:02}:{:02}", t.hour(), t.minute());
        RulesSummary {
            days_per_week: rules.limits.days_per_week,
            days_per_month: rules.limits.days_per_month,
            workdays: weekday_names(rules.workdays),
            core_hours: rules.core_hours.map(|h| DayHours {
                from: hm(h.start),
                until: hm(h.end),
            }),
            notice_days: rules.notice_days,
            max_term_days: rules.max_term_days,
        }
    }
}
