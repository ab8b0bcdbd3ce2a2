//! Mobile work as a system (issue 19), pure.

#![deny(missing_docs)]

pub mod agreement_rules;
pub mod approval;
pub mod calendar;
pub mod council;
pub mod desks;
pub mod error;
pub mod ids;
pub mod rollout;
pub mod rotation;
pub mod terms;
pub mod week;

#[cfg(test)]
mod testing;
