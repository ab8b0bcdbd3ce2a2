//! Fixtures shared by the unit tests.

use crate::agreement_rules::{
    AckText, Acknowledgement, AgreementRules, Application, Eligibility, Hours, MobileLimits, Person,
};
use crate::calendar::WeekdaySet;
use crate::ids::{PersonId, UnitId};
use crate::terms::DaysPattern;
use jiff::civil::{date, time, Date, DateTime, Weekday};

pub const AMT: UnitId = UnitId(1);
pub const IKT: UnitId = UnitId(23);
pub const JOBCENTER: UnitId = UnitId(40);

/// Rules like the Landratsamt's draft: Sachgebiet 23 and everything under the Amt but the
/// Jobcenter, two days a week, eight a month, core hours 9–12, two texts.
pub fn rules() -> AgreementRules {
    AgreementRules {
        eligibility: Eligibility {
            units: vec![AMT],
            excluded_units: vec![JOBCENTER],
            roles: vec![],
            excluded_roles: vec!["Auszubildende".to_string()],
            excluded_people: vec![],
        },
        limits: MobileLimits {
            days_per_week: 2,
            days_per_month: 8,
        },
        workdays: WeekdaySet::MONDAY_TO_FRIDAY,
        core_hours: Some(Hours {
            start: time(9, 0, 0, 0),
            end: time(12, 0, 0, 0),
        }),
        acknowledgements: vec![
            AckText {
                key: "datenschutz".into(),
                version: 2,
                title: "Datenschutz am häuslichen Arbeitsplatz".into(),
            },
            AckText {
                key: "infosec".into(),
                version: 1,
                title: "Informationssicherheit".into(),
            },
        ],
        notice_days: 28,
        max_term_days: Some(730),
        reminder_days: vec![42, 14],
    }
}

pub fn clerk() -> Person {
    Person {
        id: PersonId(3),
        units: vec![IKT, AMT],
        roles: vec!["Sachbearbeitung".into()],
    }
}

pub fn acks() -> Vec<Acknowledgement> {
    vec![
        Acknowledgement {
            key: "datenschutz".into(),
            version: 2,
        },
        Acknowledgement {
            key: "infosec".into(),
            version: 1,
        },
    ]
}

pub fn today() -> Date {
    date(2025, 3, 3)
}

pub fn now() -> DateTime {
    today().at(10, 0, 0, 0)
}

pub fn application() -> Application {
    Application {
        pattern: DaysPattern::Weekdays(WeekdaySet::of(&[Weekday::Monday, Weekday::Friday])),
        start: date(2025, 4, 1),
        end: Some(date(2026, 3, 31)),
        reachable: None,
        acknowledged: acks(),
        reason: Some("Pflege eines Angehörigen".into()),
    }
}
