//! What follows a correct password: a session, a second-factor step, or enrolment of a
//! first factor. Pure: the shell gathers the facts and acts on the answer.

use crate::password::verify_password;

/// Who must use a second factor. Switched on by an administrator for everyone, for units,
/// or for sign-ins from outside the office networks.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecondFactorRule {
    /// Everyone.
    pub everyone: bool,
    /// People in these units (paths) and the units below them.
    pub units: Vec<String>,
    /// Sign-ins from addresses outside the configured office networks.
    pub outside_office: bool,
}

impl SecondFactorRule {
    /// Whether a person in `unit` signing in from inside (`from_office`) or outside the
    /// office networks must use a second factor.
    pub fn requires(&self, unit: &str, from_office: bool) -> bool {
        self.everyone
            || (self.outside_office && !from_office)
            || self.units.iter().any(|u| {
                unit == u
                    || unit
                        .strip_prefix(u.as_str())
                        .is_some_and(|r| r.starts_with('/'))
            })
    }
}

/// A way to give the second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// A code from an authenticator app.
    Totp,
    /// A code sent by SMS to the mobile number in the directory.
    Sms,
    /// One of the printed recovery codes.
    Recovery,
    /// The one-time code of an enrolment letter from the administration; leads on to
    /// enrolling an app.
    Letter,
}

/// The facts about one person at sign-in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FactorFacts {
    /// Has a confirmed authenticator app.
    pub totp: bool,
    /// Has a mobile number in the directory.
    pub mobile: bool,
    /// Has unused recovery codes.
    pub recovery_codes: bool,
    /// Has an unused enrolment-letter code.
    pub letter_code: bool,
    /// The rule requires a second factor for this sign-in.
    pub required: bool,
}

/// The next step after a correct password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterPassword {
    /// No second factor needed: start the session.
    SignedIn,
    /// Ask for one of these factors.
    SecondFactor(Vec<Method>),
    /// A factor is required but the person has none: enrol one first.
    Enrol,
}

/// Decides the next step. An enrolled app is always asked for (whoever set one up wants
/// it used); SMS is offered only where the rule requires a second factor, so a mobile
/// number in the directory alone does not change anyone's sign-in.
pub fn after_password(facts: FactorFacts) -> AfterPassword {
    let mut methods = Vec::new();
    if facts.totp {
        methods.push(Method::Totp);
    }
    if facts.required && facts.mobile {
        methods.push(Method::Sms);
    }
    if methods.is_empty() {
        return match (facts.required, facts.letter_code) {
            (true, true) => AfterPassword::SecondFactor(vec![Method::Letter]),
            (true, false) => AfterPassword::Enrol,
            (false, _) => AfterPassword::SignedIn,
        };
    }
    if facts.recovery_codes {
        methods.push(Method::Recovery);
    }
    AfterPassword::SecondFactor(methods)
}

/// Proof that a person gave their correct password. Only [`check_password`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordVerified {
    staff_id: i64,
}

impl PasswordVerified {
    /// Whose password it was.
    pub fn staff_id(&self) -> i64 {
        self.staff_id
    }
}

/// A fixed hash to verify against when the login is unknown or has no password, so an
/// unknown login costs the same time as a wrong password (no enumeration by timing).
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$WvxCdrYUZHLJsfkK9FuKPTGdTQoknEZHDSBvYM7pDLE";

/// Checks a password (slow: argon2id; run it off the async threads). `account` is the
/// person's id and stored hash, `None` when the login is unknown.
pub fn check_password(
    account: Option<(i64, Option<&str>)>,
    password: &str,
) -> Option<PasswordVerified> {
    match account {
        Some((staff_id, Some(hash))) => matches!(verify_password(password, hash), Ok(true))
            .then_some(PasswordVerified { staff_id }),
        _ => {
            let _ = verify_password(password, DUMMY_HASH);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_cover_everyone_units_and_outside_sign_ins() {
        let rule = SecondFactorRule {
            units: vec!["Gesundheitsamt".into()],
            ..Default::default()
        };
        assert!(rule.requires("Gesundheitsamt/Hotline", true));
        assert!(rule.requires("Gesundheitsamt", true));
        assert!(!rule.requires("Gesundheitsamtlich", true));
        assert!(!rule.requires("Bauamt", false));
        let outside = SecondFactorRule {
            outside_office: true,
            ..Default::default()
        };
        assert!(outside.requires("Bauamt", false) && !outside.requires("Bauamt", true));
        assert!(SecondFactorRule {
            everyone: true,
            ..Default::default()
        }
        .requires("x", true));
    }

    #[test]
    fn next_step_after_the_password() {
        let f = FactorFacts::default();
        assert_eq!(after_password(f), AfterPassword::SignedIn);
        assert_eq!(
            after_password(FactorFacts { mobile: true, ..f }),
            AfterPassword::SignedIn
        );
        assert_eq!(
            after_password(FactorFacts {
                required: true,
                ..f
            }),
            AfterPassword::Enrol
        );
        assert_eq!(
            after_password(FactorFacts {
                required: true,
                mobile: true,
                recovery_codes: true,
                ..f
            }),
            AfterPassword::SecondFactor(vec![Method::Sms, Method::Recovery])
        );
        assert_eq!(
            after_password(FactorFacts {
                totp: true,
                recovery_codes: true,
                ..f
            }),
            AfterPassword::SecondFactor(vec![Method::Totp, Method::Recovery])
        );
        assert_eq!(
            after_password(FactorFacts {
                recovery_codes: true,
                required: true,
                ..f
            }),
            AfterPassword::Enrol,
            "recovery codes alone are a fallback, not a factor"
        );
        assert_eq!(
            after_password(FactorFacts {
                required: true,
                letter_code: true,
                ..f
            }),
            AfterPassword::SecondFactor(vec![Method::Letter])
        );
    }

    #[test]
    fn passwords_and_unknown_logins() {
        let hash = crate::password::hash_password("Grüne Wiese am Inn");
        assert_eq!(
            check_password(Some((7, Some(&hash))), "Grüne Wiese am Inn").map(|p| p.staff_id()),
            Some(7)
        );
        assert!(check_password(Some((7, Some(&hash))), "falsch").is_none());
        assert!(check_password(Some((7, None)), "anything").is_none());
        assert!(check_password(None, "anything").is_none());
        assert_eq!(
            verify_password("x", DUMMY_HASH),
            Ok(false),
            "the dummy hash costs a real verification"
        );
    }
}
