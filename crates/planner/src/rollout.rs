//! The phased rollout: per feature (mobile work, softphone, meetings, …) an optional cap on
//! how many people may have it, and a waiting list beyond it, ordered by the configured
//! priority criteria (severe disability, care duties, long commute — the goals the
//! service agreement names) and then by application time. The functions work on one
//! feature's cap, holders and list; the store keeps them per feature.
//!
//! Order, exactly: with [`Scheme::Weights`] the higher sum of the weights of the criteria
//! an applicant meets goes first; with [`Scheme::Tiers`] the criteria are ranked in the
//! order configured and applicants compare by the first criterion one meets and the other
//! does not. Ties go to the earlier application, then the lower person id, so the order is
//! total and the same everywhere. Criteria an applicant names that are no longer
//! configured do not count.

use crate::error::PlannerError;
use crate::ids::PersonId;
use jiff::civil::DateTime;
use std::cmp::Ordering;

/// One priority criterion.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Criterion {
    /// A stable key, e.g. `schwerbehinderung`.
    pub key: String,
    /// Its weight (used by [`Scheme::Weights`]).
    pub weight: u32,
}

/// How criteria combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Sum of weights, higher first.
    Weights,
    /// Criteria ranked in their configured order, each above all later ones together.
    Tiers,
}

/// The configured priority.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Priority {
    /// How criteria combine.
    pub scheme: Scheme,
    /// The criteria, highest rank first.
    pub criteria: Vec<Criterion>,
}

/// Someone waiting for a feature.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Applicant {
    /// Who.
    pub person: PersonId,
    /// When they applied.
    pub applied_at: DateTime,
    /// The keys of the criteria they meet.
    pub criteria: Vec<String>,
}

/// What happens to a new application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Admission {
    /// There is room: the feature is switched on.
    Admitted,
    /// On the waiting list at this position (1: next in line).
    Waiting {
        /// The position.
        position: usize,
    },
}

impl Priority {
    /// Refuses an applicant naming a criterion that is not configured.
    pub fn validate(&self, applicant: &Applicant) -> Result<(), PlannerError> {
        match applicant
            .criteria
            .iter()
            .find(|key| !self.criteria.iter().any(|c| &c.key == *key))
        {
            Some(key) => Err(PlannerError::UnknownCriterion(key.clone())),
            None => Ok(()),
        }
    }

    fn meets<'a>(&'a self, applicant: &'a Applicant) -> impl Iterator<Item = bool> + 'a {
        self.criteria
            .iter()
            .map(move |c| applicant.criteria.contains(&c.key))
    }

    /// Which of two applicants goes first (`Less`: `a`).
    pub fn compare(&self, a: &Applicant, b: &Applicant) -> Ordering {
        let by_priority = match self.scheme {
            Scheme::Weights => {
                let score = |x: &Applicant| -> u64 {
                    self.meets(x)
                        .zip(&self.criteria)
                        .filter(|(met, _)| *met)
                        .map(|(_, c)| u64::from(c.weight))
                        .sum()
                };
                score(b).cmp(&score(a))
            }
            // true > false, so b.cmp(a) puts the one meeting a higher criterion first.
            Scheme::Tiers => self.meets(b).cmp(self.meets(a)),
        };
        by_priority
            .then(a.applied_at.cmp(&b.applied_at))
            .then(a.person.cmp(&b.person))
    }

    /// The waiting list in order.
    pub fn order<'a>(&self, waiting: &'a [Applicant]) -> Vec<&'a Applicant> {
        let mut list: Vec<&Applicant> = waiting.iter().collect();
        list.sort_by(|a, b| self.compare(a, b));
        list
    }

    /// `person`'s position on the list (1: next in line).
    pub fn position(&self, waiting: &[Applicant], person: PersonId) -> Option<usize> {
        let me = waiting.iter().find(|a| a.person == person)?;
        Some(
            1 + waiting
                .iter()
                .filter(|a| self.compare(a, me) == Ordering::Less)
                .count(),
        )
    }
}

/// Places left under `cap` (`None`: no cap, unlimited) with `holders` people having the
/// feature. A cap lowered below the holders leaves no place; nobody loses the feature.
pub fn free_places(cap: Option<u32>, holders: u32) -> Option<u32> {
    cap.map(|cap| cap.saturating_sub(holders))
}

/// Who is admitted now: as many from the front of the list as there are places.
pub fn admissions(
    cap: Option<u32>,
    holders: u32,
    priority: &Priority,
    waiting: &[Applicant],
) -> Vec<PersonId> {
    let order = priority.order(waiting);
    let take = free_places(cap, holders).map_or(order.len(), |free| free as usize);
    order.into_iter().take(take).map(|a| a.person).collect()
}

/// A new application: admitted if there is a place and nobody waits ahead of it,
/// otherwise its position on the list (which then includes it).
pub fn apply(
    cap: Option<u32>,
    holders: u32,
    priority: &Priority,
    waiting: &[Applicant],
    applicant: &Applicant,
) -> Result<Admission, PlannerError> {
    priority.validate(applicant)?;
    let mut all = waiting.to_vec();
    all.retain(|a| a.person != applicant.person);
    all.push(applicant.clone());
    if admissions(cap, holders, priority, &all).contains(&applicant.person) {
        return Ok(Admission::Admitted);
    }
    let position = priority
        .position(&all, applicant.person)
        .expect("the applicant is on the list");
    Ok(Admission::Waiting { position })
}

/// The cap changed to `new` (raised, usually): who is admitted now, in order. Lowering
/// it admits nobody and takes the feature from nobody.
pub fn change_cap(
    new: Option<u32>,
    holders: u32,
    priority: &Priority,
    waiting: &[Applicant],
) -> Vec<PersonId> {
    admissions(new, holders, priority, waiting)
}

#[cfg(test)]
mod tests;
