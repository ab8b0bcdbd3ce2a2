//! Who decides on a person's agreement: the head of their unit; a deputy when the head is
//! absent; the next unit up when the applicant leads the unit themselves or nobody in it
//! can decide. A pure check whose only way to say "yes" is an [`Approver`] value, which
//! the transitions in [`super`] demand.

use crate::error::PlannerError;
use crate::ids::{PersonId, UnitId};
use std::fmt;

/// A unit's leadership.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leadership {
    /// The unit.
    pub unit: UnitId,
    /// Its head, if one is set.
    pub head: Option<PersonId>,
    /// Its deputies.
    pub deputies: Vec<PersonId>,
}

/// In what capacity someone decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capacity {
    /// As head of the unit.
    Head(UnitId),
    /// As deputy of the unit's absent head.
    Deputy(UnitId),
}

impl fmt::Display for Capacity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Capacity::Head(unit) => write!(f, "als Leitung von {unit}"),
            Capacity::Deputy(unit) => write!(f, "in Vertretung der Leitung von {unit}"),
        }
    }
}

/// Proof that `person` may decide on `applicant`'s agreement now. Only [`authorise`]
/// makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approver {
    person: PersonId,
    applicant: PersonId,
    capacity: Capacity,
}

impl Approver {
    /// Who decides.
    pub fn person(&self) -> PersonId {
        self.person
    }

    /// On whose agreement.
    pub fn applicant(&self) -> PersonId {
        self.applicant
    }

    /// In what capacity.
    pub fn capacity(&self) -> Capacity {
        self.capacity
    }
}

/// Who may decide on `applicant`'s agreement now. `chain` is the applicant's unit first,
/// then the units above it; `absent` who is away today. Per unit, from the applicant's
/// up: the head when present (and not the applicant), else the present deputies (other
/// than the applicant); a unit where nobody can decide passes the decision up. Empty:
/// nobody can (the shell tells the administration to set a head).
pub fn deciders(
    chain: &[Leadership],
    applicant: PersonId,
    absent: &[PersonId],
) -> Vec<(PersonId, Capacity)> {
    for level in chain {
        if level.head == Some(applicant) {
            continue;
        }
        if let Some(head) = level.head.filter(|h| !absent.contains(h)) {
            return vec![(head, Capacity::Head(level.unit))];
        }
        let deputies: Vec<_> = level
            .deputies
            .iter()
            .filter(|d| **d != applicant && !absent.contains(d))
            .map(|d| (*d, Capacity::Deputy(level.unit)))
            .collect();
        if !deputies.is_empty() {
            return deputies;
        }
    }
    Vec::new()
}

/// The proof that `decider` may decide on `applicant`'s agreement now, or
/// [`PlannerError::NotPermitted`].
pub fn authorise(
    chain: &[Leadership],
    decider: PersonId,
    applicant: PersonId,
    absent: &[PersonId],
) -> Result<Approver, PlannerError> {
    deciders(chain, applicant, absent)
        .into_iter()
        .find(|(person, _)| *person == decider)
        .map(|(person, capacity)| Approver {
            person,
            applicant,
            capacity,
        })
        .ok_or(PlannerError::NotPermitted { decider, applicant })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: PersonId = PersonId(1);
    const DEPUTY: PersonId = PersonId(2);
    const CLERK: PersonId = PersonId(3);
    const CHIEF: PersonId = PersonId(9);

    fn chain() -> Vec<Leadership> {
        vec![
            Leadership {
                unit: UnitId(23),
                head: Some(HEAD),
                deputies: vec![DEPUTY],
            },
            Leadership {
                unit: UnitId(2),
                head: Some(CHIEF),
                deputies: vec![],
            },
        ]
    }

    #[test]
    fn head_decides_when_present() {
        assert_eq!(
            deciders(&chain(), CLERK, &[]),
            vec![(HEAD, Capacity::Head(UnitId(23)))]
        );
        assert!(authorise(&chain(), HEAD, CLERK, &[]).is_ok());
        assert_eq!(
            authorise(&chain(), DEPUTY, CLERK, &[]),
            Err(PlannerError::NotPermitted {
                decider: DEPUTY,
                applicant: CLERK
            })
        );
    }

    #[test]
    fn deputy_decides_when_head_absent() {
        let approver = authorise(&chain(), DEPUTY, CLERK, &[HEAD]).unwrap();
        assert_eq!(approver.capacity(), Capacity::Deputy(UnitId(23)));
        assert_eq!(approver.applicant(), CLERK);
        assert!(authorise(&chain(), HEAD, CLERK, &[HEAD]).is_err());
    }

    #[test]
    fn heads_and_lone_deputies_go_up() {
        assert_eq!(
            deciders(&chain(), HEAD, &[]),
            vec![(CHIEF, Capacity::Head(UnitId(2)))]
        );
        // The deputy applies while the head is away: nobody else in the unit.
        assert_eq!(
            deciders(&chain(), DEPUTY, &[HEAD]),
            vec![(CHIEF, Capacity::Head(UnitId(2)))]
        );
        assert!(deciders(&chain(), CLERK, &[HEAD, DEPUTY, CHIEF]).is_empty());
        assert!(authorise(&chain(), CLERK, CLERK, &[]).is_err());
    }
}
