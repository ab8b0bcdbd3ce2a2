//! The service agreement's (Dienstvereinbarung) rules as data, and the check of an
//! application against them: who is eligible, how many mobile days per week and month,
//! core hours, the texts everyone has to acknowledge (versioned: a new version asks
//! everyone again), the longest term and the notice period for a revocation.
//!
//! [`check_application`] returns every broken rule at once, each with its reason
//! ([`RuleBreach`], shown to the applicant in German through `Display`).

use crate::calendar::{add_days, days_between, GermanDate, WeekdaySet};
use crate::error::PlannerError;
use crate::ids::{PersonId, UnitId};
use crate::terms::DaysPattern;
use jiff::civil::{Date, Time, Weekday};
use std::fmt;

/// The most mobile days a person may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MobileLimits {
    /// Per calendar week (Monday to Sunday).
    pub days_per_week: u8,
    /// Per calendar month.
    pub days_per_month: u8,
}

/// A span of the day, e.g. the core hours (start inclusive, end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hours {
    /// From.
    pub start: Time,
    /// Until.
    pub end: Time,
}

impl Hours {
    /// Whether these hours include all of `other`.
    pub fn covers(&self, other: &Hours) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

impl fmt::Display for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}–{:02}:{:02} Uhr",
            self.start.hour(),
            self.start.minute(),
            self.end.hour(),
            self.end.minute()
        )
    }
}

/// A text every applicant acknowledges (data protection, information security), in its
/// current version.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AckText {
    /// A stable key, e.g. `datenschutz`.
    pub key: String,
    /// The current version; raising it asks everyone again.
    pub version: u32,
    /// The title shown to people.
    pub title: String,
}

/// A person's acknowledgement of one version of a text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Acknowledgement {
    /// The text's key.
    pub key: String,
    /// The version acknowledged.
    pub version: u32,
}

/// Who may apply.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Eligibility {
    /// Eligible units, each with its sub-units; empty: every unit.
    pub units: Vec<UnitId>,
    /// Units excluded, each with its sub-units (even inside an eligible unit).
    pub excluded_units: Vec<UnitId>,
    /// Eligible roles (e.g. `Sachbearbeitung`); empty: every role.
    pub roles: Vec<String>,
    /// Roles excluded (e.g. `Auszubildende`).
    pub excluded_roles: Vec<String>,
    /// People excluded by name.
    pub excluded_people: Vec<PersonId>,
}

/// The service agreement's rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementRules {
    /// Who may apply.
    pub eligibility: Eligibility,
    /// The most mobile days per week and month.
    pub limits: MobileLimits,
    /// The working days mobile work can fall on (usually Monday to Friday).
    pub workdays: WeekdaySet,
    /// The hours in which people working mobile must be reachable.
    pub core_hours: Option<Hours>,
    /// The texts to acknowledge, in their current versions.
    pub acknowledgements: Vec<AckText>,
    /// The notice period of a revocation, in days.
    pub notice_days: u16,
    /// The longest term of one agreement in days; `None`: open-ended agreements allowed.
    pub max_term_days: Option<u32>,
    /// Reminders before an agreement expires, in days before its last day (e.g. 42, 14).
    pub reminder_days: Vec<u16>,
}

impl AgreementRules {
    /// Checks the rules themselves: limits within a week and a month, core hours that
    /// end after they start, each text once.
    pub fn validate(&self) -> Result<(), PlannerError> {
        let bad = |why: &str| Err(PlannerError::InvalidRules(why.to_string()));
        if self.limits.days_per_week > self.workdays.len() {
            return bad(
                "Es sind mehr mobile Tage pro Woche erlaubt als die Woche Arbeitstage hat.",
            );
        }
        if self.limits.days_per_month > 23 {
            return bad("Ein Monat hat höchstens 23 Arbeitstage.");
        }
        if self.core_hours.is_some_and(|h| h.start >= h.end) {
            return bad("Die Kernzeit muss enden, nachdem sie beginnt.");
        }
        for (i, text) in self.acknowledgements.iter().enumerate() {
            if self.acknowledgements[..i].iter().any(|t| t.key == text.key) {
                return bad("Jeder zu bestätigende Text darf nur einmal vorkommen.");
            }
        }
        if self.max_term_days == Some(0) {
            return bad("Eine Vereinbarung muss mindestens einen Tag laufen dürfen.");
        }
        Ok(())
    }

    /// The texts `given` does not acknowledge in their current version: what a person
    /// must (again) confirm.
    pub fn outstanding<'a>(&'a self, given: &[Acknowledgement]) -> Vec<&'a AckText> {
        self.acknowledgements
            .iter()
            .filter(|t| {
                !given
                    .iter()
                    .any(|a| a.key == t.key && a.version == t.version)
            })
            .collect()
    }
}

/// The applicant as the rules see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// Who.
    pub id: PersonId,
    /// Their unit first, then the units above it up to the top.
    pub units: Vec<UnitId>,
    /// Their roles (job functions as the administration names them).
    pub roles: Vec<String>,
}

/// An application for mobile work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    /// The mobile days asked for.
    pub pattern: DaysPattern,
    /// The first day.
    pub start: Date,
    /// The last day; `None`: open-ended.
    pub end: Option<Date>,
    /// When the applicant will be reachable on mobile days; `None`: the core hours.
    pub reachable: Option<Hours>,
    /// The texts acknowledged with the application.
    pub acknowledged: Vec<Acknowledgement>,
    /// The applicant's reason, optional (shown to the manager only).
    pub reason: Option<String>,
}

/// One rule an application breaks, with what is needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleBreach {
    /// The person's unit (or any above it) is not among the eligible ones.
    UnitNotEligible,
    /// The person's unit, or one above it, is excluded.
    UnitExcluded(UnitId),
    /// None of the person's roles is eligible.
    RoleNotEligible,
    /// One of the person's roles is excluded.
    RoleExcluded(String),
    /// The person is excluded by name.
    PersonExcluded,
    /// No mobile day asked for.
    NoDays,
    /// More days a week than the rules allow.
    TooManyDaysPerWeek {
        /// Asked for.
        asked: u8,
        /// Allowed.
        max: u8,
    },
    /// Even the shortest month (four of each weekday) would hold more mobile days than
    /// the monthly limit.
    TooManyDaysPerMonth {
        /// The days the pattern gives in a month with four weeks.
        at_least: u8,
        /// Allowed per month.
        max: u8,
    },
    /// A fixed weekday that is not a working day.
    NotAWorkday(Weekday),
    /// The start lies in the past.
    StartInPast {
        /// The start asked for.
        start: Date,
        /// Today.
        today: Date,
    },
    /// The end lies before the start.
    EndBeforeStart,
    /// Longer than one agreement may run.
    TermTooLong {
        /// Days asked for.
        days: u32,
        /// The longest term.
        max: u32,
    },
    /// Open-ended, but agreements must end.
    OpenEndedNotAllowed {
        /// The longest term.
        max: u32,
    },
    /// The stated hours do not include the core hours.
    CoreHoursNotCovered {
        /// The core hours.
        core: Hours,
        /// The hours stated.
        reachable: Hours,
    },
    /// A required text was not acknowledged in its current version.
    AcknowledgementMissing {
        /// The text's key.
        key: String,
        /// Its title.
        title: String,
        /// Its current version.
        version: u32,
    },
}

impl fmt::Display for RuleBreach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use RuleBreach::*;
        match self {
            UnitNotEligible => {
                f.write_str("Ihre Organisationseinheit gehört nicht zu den Bereichen, für die die Dienstvereinbarung mobile Arbeit vorsieht.")
            }
            UnitExcluded(unit) => write!(
                f,
                "Die Dienstvereinbarung nimmt Ihre Organisationseinheit ({unit}) von mobiler Arbeit aus."
            ),
            RoleNotEligible => {
                f.write_str("Ihre Funktion gehört nicht zu denen, für die mobile Arbeit vorgesehen ist.")
            }
            RoleExcluded(role) => write!(
                f,
                "Die Dienstvereinbarung nimmt die Funktion „{role}“ von mobiler Arbeit aus."
            ),
            PersonExcluded => f.write_str("Für Sie ist mobile Arbeit derzeit ausgeschlossen."),
            NoDays => f.write_str("Bitte geben Sie mindestens einen mobilen Arbeitstag an."),
            TooManyDaysPerWeek { asked, max } => write!(
                f,
                "Sie haben {asked} Tage pro Woche beantragt; erlaubt sind höchstens {max}."
            ),
            TooManyDaysPerMonth { at_least, max } => write!(
                f,
                "Ihr Muster ergibt in jedem Monat mindestens {at_least} mobile Tage; erlaubt sind höchstens {max} im Monat."
            ),
            NotAWorkday(day) => write!(
                f,
                "{} ist kein Arbeitstag; bitte wählen Sie einen anderen Tag.",
                crate::calendar::weekday_short(*day)
            ),
            StartInPast { start, today } => write!(
                f,
                "Der Beginn ({}) liegt vor dem heutigen Tag ({}).",
                GermanDate(*start),
                GermanDate(*today)
            ),
            EndBeforeStart => f.write_str("Das Ende liegt vor dem Beginn."),
            TermTooLong { days, max } => write!(
                f,
                "Die Laufzeit von {days} Tagen ist zu lang; eine Vereinbarung läuft höchstens {max} Tage."
            ),
            OpenEndedNotAllowed { max } => write!(
                f,
                "Bitte geben Sie ein Ende an; eine Vereinbarung läuft höchstens {max} Tage."
            ),
            CoreHoursNotCovered { core, reachable } => write!(
                f,
                "Sie müssen in der Kernzeit ({core}) erreichbar sein; angegeben ist {reachable}."
            ),
            AcknowledgementMissing { title, version, .. } => write!(
                f,
                "Bitte bestätigen Sie „{title}“ (Fassung {version})."
            ),
        }
    }
}

/// Checks `application` by `person` against `rules` on `today`; returns every broken
/// rule (empty: the application may go to the manager).
///
/// The monthly limit is checked against the fewest days a month can hold (four of each
/// weekday); months with a fifth such weekday are kept within the limit when the weeks
/// are planned (`week`, `rotation`).
pub fn check_application(
    rules: &AgreementRules,
    person: &Person,
    application: &Application,
    today: Date,
) -> Vec<RuleBreach> {
    let mut breaches = eligibility_breaches(&rules.eligibility, person);
    breaches.extend(pattern_breaches(rules, application.pattern));
    breaches.extend(period_breaches(rules, application, today));
    if let (Some(core), Some(reachable)) = (rules.core_hours, application.reachable) {
        if !reachable.covers(&core) {
            breaches.push(RuleBreach::CoreHoursNotCovered { core, reachable });
        }
    }
    for text in rules.outstanding(&application.acknowledged) {
        breaches.push(RuleBreach::AcknowledgementMissing {
            key: text.key.clone(),
            title: text.title.clone(),
            version: text.version,
        });
    }
    breaches
}

/// The eligibility rules `person` breaks.
pub fn eligibility_breaches(eligibility: &Eligibility, person: &Person) -> Vec<RuleBreach> {
    let mut breaches = Vec::new();
    let in_units = |units: &[UnitId]| person.units.iter().find(|u| units.contains(u)).copied();
    if !eligibility.units.is_empty() && in_units(&eligibility.units).is_none() {
        breaches.push(RuleBreach::UnitNotEligible);
    }
    if let Some(unit) = in_units(&eligibility.excluded_units) {
        breaches.push(RuleBreach::UnitExcluded(unit));
    }
    if !eligibility.roles.is_empty() && !person.roles.iter().any(|r| eligibility.roles.contains(r))
    {
        breaches.push(RuleBreach::RoleNotEligible);
    }
    if let Some(role) = person
        .roles
        .iter()
        .find(|r| eligibility.excluded_roles.contains(r))
    {
        breaches.push(RuleBreach::RoleExcluded(role.clone()));
    }
    if eligibility.excluded_people.contains(&person.id) {
        breaches.push(RuleBreach::PersonExcluded);
    }
    breaches
}

fn pattern_breaches(rules: &AgreementRules, pattern: DaysPattern) -> Vec<RuleBreach> {
    let mut breaches = Vec::new();
    let asked = pattern.days_per_week();
    if asked == 0 {
        breaches.push(RuleBreach::NoDays);
    }
    if let DaysPattern::Weekdays(set) = pattern {
        for day in set.iter().filter(|d| !rules.workdays.contains(*d)) {
            breaches.push(RuleBreach::NotAWorkday(day));
        }
    }
    if asked > rules.limits.days_per_week {
        breaches.push(RuleBreach::TooManyDaysPerWeek {
            asked,
            max: rules.limits.days_per_week,
        });
    }
    // Every month has at least four of each weekday (February in a common year exactly
    // four), so a pattern of n days a week gives at least 4·n days in every month.
    let at_least = asked.saturating_mul(4);
    if at_least > rules.limits.days_per_month {
        breaches.push(RuleBreach::TooManyDaysPerMonth {
            at_least,
            max: rules.limits.days_per_month,
        });
    }
    breaches
}

fn period_breaches(
    rules: &AgreementRules,
    application: &Application,
    today: Date,
) -> Vec<RuleBreach> {
    let mut breaches = Vec::new();
    if application.start < today {
        breaches.push(RuleBreach::StartInPast {
            start: application.start,
            today,
        });
    }
    match (application.end, rules.max_term_days) {
        (Some(end), _) if end < application.start => breaches.push(RuleBreach::EndBeforeStart),
        (Some(end), Some(max)) => {
            let days = days_between(application.start, end) + 1;
            if days > i64::from(max) {
                breaches.push(RuleBreach::TermTooLong {
                    days: days as u32,
                    max,
                });
            }
        }
        (None, Some(max)) => breaches.push(RuleBreach::OpenEndedNotAllowed { max }),
        (_, None) => {}
    }
    breaches
}

/// The last day of a term of `max_term_days` starting on `start`.
pub fn latest_end(rules: &AgreementRules, start: Date) -> Option<Date> {
    rules
        .max_term_days
        .map(|days| add_days(start, i64::from(days) - 1))
}

#[cfg(test)]
mod tests;
