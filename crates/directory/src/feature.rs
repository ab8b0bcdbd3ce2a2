//! Feature switches: what an administrator has switched on for a person.

use crate::flags::{Flag, FlagSet};
use crate::InvalidValue;

/// A feature that is switched on per person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feature {
    /// May register SIP devices and use the browser softphone.
    Softphone,
    /// May hold and join meetings.
    Meetings,
    /// Takes part in mobile work (agreements, rotation, desk sharing).
    MobileWork,
    /// May work in hotline queues.
    Hotline,
}

impl Flag for Feature {
    const ALL: &'static [Self] = &[
        Feature::Softphone,
        Feature::Meetings,
        Feature::MobileWork,
        Feature::Hotline,
    ];

    fn name(self) -> &'static str {
        match self {
            Feature::Softphone => "softphone",
            Feature::Meetings => "meetings",
            Feature::MobileWork => "mobile_work",
            Feature::Hotline => "hotline",
        }
    }

    fn bit(self) -> u32 {
        match self {
            Feature::Softphone => 0,
            Feature::Meetings => 1,
            Feature::MobileWork => 2,
            Feature::Hotline => 3,
        }
    }

    fn unknown(name: &str) -> InvalidValue {
        InvalidValue::Feature(name.to_string())
    }
}

/// The features switched on for one person.
pub type FeatureSet = FlagSet<Feature>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lists_case_insensitively() {
        let set = FeatureSet::parse_list("Softphone; hotline|", &[';', '|']).unwrap();
        assert!(set.contains(Feature::Softphone) && set.contains(Feature::Hotline));
        assert!(!set.contains(Feature::Meetings));
        assert_eq!(set.join(";"), "softphone;hotline");
        assert_eq!(
            FeatureSet::parse_list("softphone;fax", &[';']),
            Err(InvalidValue::Feature("fax".into()))
        );
    }

    #[test]
    fn bits_round_trip_and_drop_unknown_bits() {
        let set: FeatureSet = [Feature::Meetings, Feature::Hotline].into_iter().collect();
        assert_eq!(FeatureSet::from_bits(set.bits()), set);
        assert_eq!(FeatureSet::from_bits(1 << 40), FeatureSet::default());
    }
}
