//! Mobile work as a system (issue 19), pure.

#![deny(missing_docs)]

pub mod agreement_rules;
pub mod approval;
pub mod calendar;
pub mod error;
pub mod ids;
pub mod terms;

#[cfg(test)]
mod testing;
