//! The capacity page's core (docs/capacity.md), sans-IO: the server reads its figures
//! once a minute and hands them in with the time; nothing here reads a clock, a file or
//! a socket.
//!
//! - [`figure`]: which figures there are, their units and how they are named.
//! - [`level`]: a value against its limit, green, amber or red.
//! - [`history`]: one sample a minute per figure for the last 24 hours, bounded.
//! - [`alerting`]: red for `red_minutes` in a row gives one alert, five calm minutes
//!   clear it.
//! - [`mail`]: the German alert and all-clear mails' subject and text.
#![deny(missing_docs)]

pub mod alerting;
pub mod figure;
pub mod history;
pub mod level;
pub mod mail;

pub use alerting::{Alert, Alerting};
pub use figure::{Figure, Key, Unit};
pub use history::History;
pub use level::{level, Level};

/// One minute in milliseconds, the history's step.
pub const MINUTE_MS: i64 = 60_000;
