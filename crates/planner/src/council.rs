//! The staff council's (Personalrat) report: per unit, how many applications, approvals
//! and rejections (by reason category) and how many mobile days were used, counted from
//! the agreements' audit records. Never per person: the report has no person in it, and a
//! count small enough to point at someone (below `min_group`) is shown only as "fewer
//! than".

use crate::approval::{AuditAction, AuditRecord, RejectionCategory};
use crate::ids::UnitId;
use jiff::civil::Date;
use std::collections::BTreeMap;
use std::fmt;

/// A count as the report shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Count {
    /// The exact number (zero, or at least the smallest group size).
    Exact(u32),
    /// Between one and the smallest group size, not shown exactly.
    FewerThan(u32),
}

impl Count {
    fn of(n: u32, min_group: u32) -> Count {
        if n > 0 && n < min_group {
            Count::FewerThan(min_group)
        } else {
            Count::Exact(n)
        }
    }
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Count::Exact(n) => write!(f, "{n}"),
            Count::FewerThan(n) => write!(f, "weniger als {n}"),
        }
    }
}

/// Mobile days used in a unit over the period, summed over its people by the shell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaysUsed {
    /// The unit.
    pub unit: UnitId,
    /// How many people the sum is over.
    pub people: u32,
    /// The mobile days they used.
    pub days: u32,
}

/// One unit's line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitFigures {
    /// The unit.
    pub unit: UnitId,
    /// Applications made (first submissions).
    pub applications: Count,
    /// Approvals.
    pub approvals: Count,
    /// Rejections per category, every category listed.
    pub rejections: Vec<(RejectionCategory, Count)>,
    /// Revocations given.
    pub revocations: Count,
    /// Mobile days used; hidden when fewer people than `min_group` used them.
    pub days_used: Option<u32>,
}

/// The report over the records made from `from` to `to` (inclusive), one line per unit
/// that has any record or used days, ordered by unit.
pub fn council_report(
    records: &[AuditRecord],
    days_used: &[DaysUsed],
    from: Date,
    to: Date,
    min_group: u32,
) -> Vec<UnitFigures> {
    #[derive(Default)]
    struct Tally {
        applications: u32,
        approvals: u32,
        rejections: BTreeMap<RejectionCategory, u32>,
        revocations: u32,
        people: u32,
        days: u32,
    }
    let mut units: BTreeMap<UnitId, Tally> = BTreeMap::new();
    for record in records {
        let day = record.at.date();
        if day < from || day > to {
            continue;
        }
        let tally = units.entry(record.unit).or_default();
        match &record.action {
            AuditAction::Applied { .. } => tally.applications += 1,
            AuditAction::Approved { .. } => tally.approvals += 1,
            AuditAction::Rejected { category, .. } => {
                *tally.rejections.entry(*category).or_default() += 1
            }
            AuditAction::RevocationGiven { .. } => tally.revocations += 1,
            _ => {}
        }
    }
    for used in days_used {
        let tally = units.entry(used.unit).or_default();
        tally.people += used.people;
        tally.days += used.days;
    }
    units
        .into_iter()
        .map(|(unit, t)| UnitFigures {
            unit,
            applications: Count::of(t.applications, min_group),
            approvals: Count::of(t.approvals, min_group),
            rejections: RejectionCategory::ALL
                .iter()
                .map(|c| {
                    (
                        *c,
                        Count::of(t.rejections.get(c).copied().unwrap_or(0), min_group),
                    )
                })
                .collect(),
            revocations: Count::of(t.revocations, min_group),
            days_used: (t.people >= min_group).then_some(t.days),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::approval::Actor;
    use crate::ids::{AgreementId, PersonId};
    use crate::terms::{DaysPattern, Terms};
    use jiff::civil::date;

    fn record(unit: i64, person: i64, action: AuditAction) -> AuditRecord {
        AuditRecord {
            agreement: AgreementId(person),
            person: PersonId(person),
            unit: UnitId(unit),
            at: date(2025, 3, 5).at(9, 0, 0, 0),
            actor: Actor::Applicant,
            action,
        }
    }

    #[test]
    fn counts_per_unit_without_people() {
        let applied = AuditAction::Applied {
            pattern: DaysPattern::PerWeek(2),
            start: date(2025, 4, 1),
            end: None,
        };
        let approved = AuditAction::Approved {
            terms: Terms {
                pattern: DaysPattern::PerWeek(2),
                start: date(2025, 4, 1),
                end: None,
            },
        };
        let rejected = AuditAction::Rejected {
            category: RejectionCategory::ServiceNeeds,
            note: "Bürgerbüro".into(),
        };
        let mut records = Vec::new();
        for person in 0..5 {
            records.push(record(1, person, applied.clone()));
            records.push(record(1, person, approved.clone()));
        }
        records.push(record(2, 9, applied));
        records.push(record(2, 9, rejected));
        let mut late = record(2, 10, approved);
        late.at = date(2025, 5, 1).at(9, 0, 0, 0);
        records.push(late);
        let used = [
            DaysUsed {
                unit: UnitId(1),
                people: 5,
                days: 37,
            },
            DaysUsed {
                unit: UnitId(2),
                people: 1,
                days: 8,
            },
        ];
        let report = council_report(&records, &used, date(2025, 3, 1), date(2025, 3, 31), 3);
        assert_eq!(report.len(), 2);
        assert_eq!(report[0].applications, Count::Exact(5));
        assert_eq!(report[0].approvals, Count::Exact(5));
        assert_eq!(report[0].days_used, Some(37));
        assert_eq!(report[1].applications, Count::FewerThan(3));
        assert_eq!(report[1].approvals, Count::Exact(0));
        assert_eq!(
            report[1].rejections[0],
            (RejectionCategory::ServiceNeeds, Count::FewerThan(3))
        );
        assert_eq!(report[1].days_used, None);
        assert_eq!(report[1].applications.to_string(), "weniger als 3");
    }
}
