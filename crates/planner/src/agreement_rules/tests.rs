use super::*;
use crate::testing::{application, clerk, rules, today, JOBCENTER};
use jiff::civil::{date, time};

#[test]
fn a_fitting_application_breaks_nothing() {
    assert_eq!(
        check_application(&rules(), &clerk(), &application(), today()),
        vec![]
    );
    assert!(rules().validate().is_ok());
}

#[test]
fn eligibility_by_unit_subunit_role_and_name() {
    let rules = rules();
    let mut person = clerk();
    person.units = vec![UnitId(41), JOBCENTER, crate::testing::AMT];
    assert_eq!(
        eligibility_breaches(&rules.eligibility, &person),
        vec![RuleBreach::UnitExcluded(JOBCENTER)]
    );
    person.units = vec![UnitId(99)];
    person.roles = vec!["Auszubildende".into()];
    let mut eligibility = rules.eligibility.clone();
    eligibility.roles = vec!["Sachbearbeitung".into()];
    eligibility.excluded_people = vec![person.id];
    assert_eq!(
        eligibility_breaches(&eligibility, &person),
        vec![
            RuleBreach::UnitNotEligible,
            RuleBreach::RoleNotEligible,
            RuleBreach::RoleExcluded("Auszubildende".into()),
            RuleBreach::PersonExcluded,
        ]
    );
}

#[test]
fn every_broken_rule_is_returned_at_once() {
    let mut application = application();
    application.pattern = DaysPattern::Weekdays(WeekdaySet::of(&[
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Saturday,
    ]));
    application.start = date(2025, 2, 1);
    application.end = Some(date(2025, 1, 1));
    application.reachable = Some(Hours {
        start: time(10, 0, 0, 0),
        end: time(15, 0, 0, 0),
    });
    application.acknowledged[0].version = 1;
    let breaches = check_application(&rules(), &clerk(), &application, today());
    assert_eq!(
        breaches,
        vec![
            RuleBreach::NotAWorkday(Weekday::Saturday),
            RuleBreach::TooManyDaysPerWeek { asked: 3, max: 2 },
            RuleBreach::TooManyDaysPerMonth {
                at_least: 12,
                max: 8
            },
            RuleBreach::StartInPast {
                start: date(2025, 2, 1),
                today: today()
            },
            RuleBreach::EndBeforeStart,
            RuleBreach::CoreHoursNotCovered {
                core: rules().core_hours.unwrap(),
                reachable: application.reachable.unwrap()
            },
            RuleBreach::AcknowledgementMissing {
                key: "datenschutz".into(),
                title: "Datenschutz am häuslichen Arbeitsplatz".into(),
                version: 2
            },
        ]
    );
    for breach in &breaches {
        assert!(!breach.to_string().is_empty());
    }
    assert_eq!(
        breaches[1].to_string(),
        "Sie haben 3 Tage pro Woche beantragt; erlaubt sind höchstens 2."
    );
}

#[test]
fn terms_are_limited() {
    let mut application = application();
    application.end = Some(date(2027, 4, 1));
    assert_eq!(
        check_application(&rules(), &clerk(), &application, today()),
        vec![RuleBreach::TermTooLong {
            days: 731,
            max: 730
        }]
    );
    application.end = None;
    assert_eq!(
        check_application(&rules(), &clerk(), &application, today()),
        vec![RuleBreach::OpenEndedNotAllowed { max: 730 }]
    );
    let mut open = rules();
    open.max_term_days = None;
    assert_eq!(
        check_application(&open, &clerk(), &application, today()),
        vec![]
    );
    assert_eq!(
        latest_end(&rules(), date(2025, 1, 1)),
        Some(date(2026, 12, 31))
    );
}

#[test]
fn zero_days_and_flexible_patterns() {
    let mut application = application();
    application.pattern = DaysPattern::PerWeek(0);
    assert_eq!(
        check_application(&rules(), &clerk(), &application, today()),
        vec![RuleBreach::NoDays]
    );
    application.pattern = DaysPattern::PerWeek(2);
    assert_eq!(
        check_application(&rules(), &clerk(), &application, today()),
        vec![]
    );
}

#[test]
fn a_new_version_asks_again() {
    let mut rules = rules();
    let given = crate::testing::acks();
    assert!(rules.outstanding(&given).is_empty());
    rules.acknowledgements[1].version = 2;
    let outstanding = rules.outstanding(&given);
    assert_eq!(outstanding.len(), 1);
    assert_eq!(outstanding[0].key, "infosec");
}

#[test]
fn rules_that_contradict_themselves_are_refused() {
    let mut bad = rules();
    bad.limits.days_per_week = 6;
    assert!(matches!(bad.validate(), Err(PlannerError::InvalidRules(_))));
    let mut bad = rules();
    bad.acknowledgements.push(bad.acknowledgements[0].clone());
    assert!(bad.validate().is_err());
    let mut bad = rules();
    bad.core_hours = Some(Hours {
        start: time(12, 0, 0, 0),
        end: time(9, 0, 0, 0),
    });
    assert!(bad.validate().is_err());
}
