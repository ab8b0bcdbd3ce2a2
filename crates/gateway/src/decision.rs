//! The decision for one request: the rule of the application against the person asking
//! and the circumstances of the request. Made per request, so a changed rule, a disabled
//! person or an ended session (which the shell turns into no visitor at all) count at once.

use crate::rule::Rule;
use directory::{FeatureSet, RoleSet, UnitPath};

/// The person asking, from their live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visitor {
    /// Their unit.
    pub unit: UnitPath,
    /// Their roles.
    pub roles: RoleSet,
    /// Their features.
    pub features: FeatureSet,
    /// Whether the session was signed in with a second factor.
    pub second_factor: bool,
}

/// The circumstances of the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Circumstances {
    /// The client address lies in an office network.
    pub from_office: bool,
    /// The local ISO weekday (Monday = 1).
    pub weekday: u8,
    /// The local minute of the day.
    pub minute_of_day: u16,
}

/// Why a request is refused by the rule, in the order they are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The person's unit is not among the application's.
    #[error("Diese Anwendung ist für Ihre Organisationseinheit nicht freigegeben.")]
    Unit,
    /// The person has none of the application's roles.
    #[error("Diese Anwendung ist für Ihre Rolle nicht freigegeben.")]
    Role,
    /// The person lacks a feature the application needs.
    #[error("Diese Anwendung ist für Sie nicht freigeschaltet.")]
    Feature,
    /// The session was signed in without a second factor.
    #[error("Diese Anwendung verlangt eine Anmeldung mit zweitem Faktor (App- oder SMS-Code).")]
    SecondFactor,
    /// The client is outside the office networks.
    #[error("Diese Anwendung ist nur aus dem Büronetz erreichbar.")]
    Network,
    /// Outside the application's hours.
    #[error("Diese Anwendung ist zu dieser Zeit nicht freigegeben.")]
    Hours,
}

impl Refusal {
    /// A stable code (the API's `reason`, the audit log's detail).
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Unit => "unit",
            Refusal::Role => "role",
            Refusal::Feature => "feature",
            Refusal::SecondFactor => "second_factor",
            Refusal::Network => "network",
            Refusal::Hours => "hours",
        }
    }

    /// The English sentence.
    pub fn english(self) -> &'static str {
        match self {
            Refusal::Unit => "This application is not available to your unit.",
            Refusal::Role => "This application is not available to your role.",
            Refusal::Feature => "This application has not been enabled for you.",
            Refusal::SecondFactor => {
                "This application needs a sign-in with a second factor (app or SMS code)."
            }
            Refusal::Network => "This application can only be reached from the office network.",
            Refusal::Hours => "This application is not available at this time.",
        }
    }

    /// Whether the person is one the application is meant for, only not now or not
    /// like this (the portal shows such an application, marked unavailable).
    pub fn is_circumstantial(self) -> bool {
        matches!(
            self,
            Refusal::SecondFactor | Refusal::Network | Refusal::Hours
        )
    }
}

/// Whether `visitor` may use an application with `rule` now: `Ok`, or the first reason
/// it may not.
pub fn decide(rule: &Rule, visitor: &Visitor, now: &Circumstances) -> Result<(), Refusal> {
    qualifies(rule, visitor)?;
    if rule.second_factor && !visitor.second_factor {
        return Err(Refusal::SecondFactor);
    }
    if rule.office_only && !now.from_office {
        return Err(Refusal::Network);
    }
    if let Some(hours) = &rule.hours {
        if !hours.contains(now.weekday, now.minute_of_day) {
            return Err(Refusal::Hours);
        }
    }
    Ok(())
}

/// Whether the application is meant for `visitor` at all (unit, role, features), which
/// decides whether the portal shows it.
pub fn qualifies(rule: &Rule, visitor: &Visitor) -> Result<(), Refusal> {
    if !rule.units.is_empty() && !rule.units.iter().any(|u| visitor.unit.is_within(u)) {
        return Err(Refusal::Unit);
    }
    if !rule.roles.is_empty() && !rule.roles.iter().any(|r| visitor.roles.contains(r)) {
        return Err(Refusal::Role);
    }
    if rule.features.iter().any(|f| !visitor.features.contains(f)) {
        return Err(Refusal::Feature);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::Hours;
    use directory::{Feature, Role};

    fn clerk() -> Visitor {
        Visitor {
            unit: UnitPath::parse("Bauamt/Bauaufsicht").unwrap(),
            roles: RoleSet::from_iter([Role::User]),
            features: FeatureSet::from_iter([Feature::Softphone]),
            second_factor: false,
        }
    }

    const MONDAY_NINE: Circumstances = Circumstances {
        from_office: false,
        weekday: 1,
        minute_of_day: 540,
    };

    #[test]
    fn an_empty_rule_admits_everyone() {
        assert_eq!(decide(&Rule::default(), &clerk(), &MONDAY_NINE), Ok(()));
    }

    #[test]
    fn units_include_their_sub_units_only() {
        let rule = |u: &str| Rule {
            units: vec![UnitPath::parse(u).unwrap()],
            ..Rule::default()
        };
        assert_eq!(decide(&rule("Bauamt"), &clerk(), &MONDAY_NINE), Ok(()));
        assert_eq!(
            decide(&rule("Bauamt/Bauaufsicht"), &clerk(), &MONDAY_NINE),
            Ok(())
        );
        assert_eq!(
            decide(&rule("Bau"), &clerk(), &MONDAY_NINE),
            Err(Refusal::Unit)
        );
        assert_eq!(
            decide(&rule("Bauamt/Bauaufsicht/Team 1"), &clerk(), &MONDAY_NINE),
            Err(Refusal::Unit)
        );
    }

    #[test]
    fn roles_any_features_all() {
        let rule = Rule {
            roles: RoleSet::from_iter([Role::Agent, Role::User]),
            features: FeatureSet::from_iter([Feature::Softphone, Feature::Hotline]),
            ..Rule::default()
        };
        assert_eq!(decide(&rule, &clerk(), &MONDAY_NINE), Err(Refusal::Feature));
        let mut v = clerk();
        v.features = v.features.with(Feature::Hotline);
        assert_eq!(decide(&rule, &v, &MONDAY_NINE), Ok(()));
        v.roles = RoleSet::from_iter([Role::Council]);
        assert_eq!(decide(&rule, &v, &MONDAY_NINE), Err(Refusal::Role));
    }

    #[test]
    fn factor_network_and_hours() {
        let rule = Rule {
            second_factor: true,
            office_only: true,
            hours: Some(Hours {
                days: vec![1, 2, 3, 4, 5],
                from: 420,
                to: 1140,
            }),
            ..Rule::default()
        };
        let mut v = clerk();
        assert_eq!(decide(&rule, &v, &MONDAY_NINE), Err(Refusal::SecondFactor));
        v.second_factor = true;
        assert_eq!(decide(&rule, &v, &MONDAY_NINE), Err(Refusal::Network));
        let office = Circumstances {
            from_office: true,
            ..MONDAY_NINE
        };
        assert_eq!(decide(&rule, &v, &office), Ok(()));
        for (weekday, minute) in [(6, 540), (1, 419), (1, 1140)] {
            let at = Circumstances {
                weekday,
                minute_of_day: minute,
                ..office
            };
            assert_eq!(
                decide(&rule, &v, &at),
                Err(Refusal::Hours),
                "{weekday} {minute}"
            );
        }
        assert!(Refusal::Hours.is_circumstantial() && !Refusal::Unit.is_circumstantial());
    }

    #[test]
    fn clocks() {
        assert_eq!(Hours::parse_clock("07:30"), Some(450));
        assert_eq!(Hours::parse_clock("24:00"), Some(1440));
        for bad in ["7:30", "24:01", "12:60", "ab:cd", ""] {
            assert_eq!(Hours::parse_clock(bad), None, "{bad}");
        }
        assert_eq!(Hours::clock(450), "07:30");
    }
}
