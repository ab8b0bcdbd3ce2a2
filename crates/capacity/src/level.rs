//! A value against its limit: green below 70 %, amber from 70 %, red from 90 %. A figure
//! without a limit is always green; a value nobody could read is unknown.

/// How close a figure is to its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    /// Below [`AMBER`] of the limit, or no limit.
    Green,
    /// From [`AMBER`] of the limit.
    Amber,
    /// From [`RED`] of the limit.
    Red,
    /// The value (or the limit) could not be read.
    Unknown,
}

impl Level {
    /// As the API names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Green => "green",
            Level::Amber => "amber",
            Level::Red => "red",
            Level::Unknown => "unknown",
        }
    }
}

/// The share of the limit from which a figure is amber.
pub const AMBER: f64 = 0.7;
/// The share of the limit from which a figure is red.
pub const RED: f64 = 0.9;

/// `value` against `limit`. A limit that is not a positive number cannot be judged
/// against (unknown), as cannot a value that is not a number.
pub fn level(value: f64, limit: Option<f64>) -> Level {
    if !value.is_finite() {
        return Level::Unknown;
    }
    let Some(limit) = limit else {
        return Level::Green;
    };
    if !limit.is_finite() || limit <= 0.0 {
        return Level::Unknown;
    }
    let share = value / limit;
    if share >= RED {
        Level::Red
    } else if share >= AMBER {
        Level::Amber
    } else {
        Level::Green
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_inclusive() {
        assert_eq!(level(0.0, Some(10.0)), Level::Green);
        assert_eq!(level(6.99, Some(10.0)), Level::Green);
        assert_eq!(level(7.0, Some(10.0)), Level::Amber);
        assert_eq!(level(8.99, Some(10.0)), Level::Amber);
        assert_eq!(level(9.0, Some(10.0)), Level::Red);
        assert_eq!(level(1.0, Some(1.0)), Level::Red);
        assert_eq!(level(25.0, Some(10.0)), Level::Red);
    }

    #[test]
    fn no_limit_is_green_and_no_value_unknown() {
        assert_eq!(level(1e12, None), Level::Green);
        assert_eq!(level(f64::NAN, None), Level::Unknown);
        assert_eq!(level(f64::NAN, Some(4.0)), Level::Unknown);
        assert_eq!(level(1.0, Some(0.0)), Level::Unknown);
        assert_eq!(level(1.0, Some(f64::NAN)), Level::Unknown);
    }
}
