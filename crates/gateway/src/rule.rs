//! Who may use an application: units (with their sub-units), roles, features, and
//! optionally only with a second factor, only from the office networks, or only in given
//! hours.

use directory::{FeatureSet, RoleSet, UnitPath};

/// The hours an application may be used in, local time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hours {
    /// ISO weekdays (Monday = 1 … Sunday = 7), sorted, without repeats.
    pub days: Vec<u8>,
    /// From this minute of the day (inclusive).
    pub from: u16,
    /// Until this minute of the day (exclusive), after `from`.
    pub to: u16,
}

impl Hours {
    /// Whether the local `weekday` and `minute_of_day` lie within.
    pub fn contains(&self, weekday: u8, minute_of_day: u16) -> bool {
        self.days.contains(&weekday) && self.from <= minute_of_day && minute_of_day < self.to
    }

    /// `HH:MM` of a minute of the day.
    pub fn clock(minute: u16) -> String {
        format!("{:02}:{:02}", minute / 60, minute % 60)
    }

    /// The minute of the day of `HH:MM` (00:00 to 24:00).
    pub fn parse_clock(raw: &str) -> Option<u16> {
        let (h, m) = raw.trim().split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
        (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
    }
}

/// The rule of one application. Empty unit and role lists admit everyone; every listed
/// feature is needed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rule {
    /// A person in one of these units or below qualifies; empty: any unit.
    pub units: Vec<UnitPath>,
    /// A person with one of these roles qualifies; empty: any role.
    pub roles: RoleSet,
    /// A person needs all of these features.
    pub features: FeatureSet,
    /// Only sessions signed in with a second factor.
    pub second_factor: bool,
    /// Only from the office networks.
    pub office_only: bool,
    /// Only within these hours.
    pub hours: Option<Hours>,
}
