//! The access gateway (issue 20), pure: administrators publish internal web applications
//! ([`app`]), each with a rule of who may use it ([`rule`]); every request is checked
//! against the person and the circumstances of that request ([`decision`]), after its
//! target was checked for hostile encodings ([`target`]). Concurrent users per application
//! are counted against its cap ([`occupancy`]), accesses and refusals are chosen for the
//! audit log without flooding it ([`access_log`]), and the upstream receives who is asking
//! as a signed token ([`identity`]); applications on a host name of their own get the
//! person handed over by a one-time code ([`handoff`]).
//!
//! # The sans-IO contract
//!
//! Nothing here reads a clock, a socket or a database, and nothing signs: "now" (Unix
//! milliseconds, and the local weekday and time the shell computed in Europe/Berlin), the
//! person's facts and the client's network come in as arguments; decisions, refusals with
//! their reason and the bytes to sign go out as values.
//!
//! ```
//! use gateway::app::{AppDraft, KindDraft};
//! use gateway::decision::{decide, Circumstances, Refusal, Visitor};
//! use gateway::target::Target;
//! use directory::{Role, RoleSet, FeatureSet, UnitPath};
//!
//! let app = AppDraft {
//!     name: "akte".into(),
//!     title: "E-Akte".into(),
//!     kind: KindDraft::Proxy { upstream: "http://10.1.2.3:8080/akte/".into(), ca_pem: None },
//!     units: vec!["Bauamt".into()],
//!     ..AppDraft::default()
//! }
//! .validate()
//! .unwrap();
//! let target = Target::parse("/apps/akte/vorgang/17", Some("tab=2")).unwrap();
//! assert_eq!(target.name, "akte");
//! assert_eq!(app.upstream_path(&target).unwrap(), "/akte/vorgang/17?tab=2");
//!
//! let clerk = Visitor {
//!     unit: UnitPath::parse("Bauamt/Bauaufsicht").unwrap(),
//!     roles: RoleSet::from_iter([Role::User]),
//!     features: FeatureSet::default(),
//!     second_factor: true,
//! };
//! let now = Circumstances { from_office: false, weekday: 1, minute_of_day: 9 * 60 };
//! assert_eq!(decide(&app.rule, &clerk, &now), Ok(()));
//! let other = Visitor { unit: UnitPath::parse("Sozialamt").unwrap(), ..clerk };
//! assert_eq!(decide(&app.rule, &other, &now), Err(Refusal::Unit));
//! ```
#![deny(missing_docs)]

pub mod access_log;
pub mod app;
pub mod decision;
pub mod error;
pub mod handoff;
pub mod identity;
pub mod occupancy;
pub mod rule;
pub mod target;
pub mod upstream;

pub use error::FieldError;
