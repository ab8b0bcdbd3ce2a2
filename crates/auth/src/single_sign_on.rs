//! What follows a sign-in through an OpenID Connect provider, once its ID token was
//! verified: which of our people it names, and whether the provider's own second factor
//! stands in for ours. Pure: the shell verifies the token and gathers the facts.

use crate::sign_in::{after_password, AfterPassword, FactorFacts};

/// Our login from the value of the configured login claim (`preferred_username`, `upn`,
/// `email`, …): trimmed and lower-cased, as logins are stored. A UPN or e-mail address
/// (`m.muster@lra.example`) stays whole: whether it names a person is the directory's
/// question, not this function's. `None` for an empty value.
pub fn login_from_claim(value: &str) -> Option<String> {
    let login = value.trim().to_lowercase();
    (!login.is_empty()).then_some(login)
}

/// Whether the provider's authentication methods (`amr`, RFC 8176) include one of those
/// the configuration accepts as a second factor (`mfa`, `otp`, `hwk`, …). Compared
/// exactly: `amr` values are registered names, and `"pwd"` must never pass as `"mfa"`.
pub fn provider_second_factor(amr: &[&str], accepted: &[String]) -> bool {
    amr.iter().any(|m| accepted.iter().any(|a| a == m))
}

/// The next step after the provider vouched for the person: a session at once when the
/// provider's second factor counts (`provider_mfa`), else exactly what follows a correct
/// password (our second factor, or enrolment of one, as the rule and the person's factors
/// say).
pub fn after_provider(facts: FactorFacts, provider_mfa: bool) -> AfterPassword {
    if provider_mfa {
        AfterPassword::SignedIn
    } else {
        after_password(facts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign_in::Method;

    #[test]
    fn the_claim_becomes_a_login() {
        assert_eq!(login_from_claim(" M.Muster "), Some("m.muster".into()));
        assert_eq!(
            login_from_claim("M.Muster@LRA.example"),
            Some("m.muster@lra.example".into())
        );
        assert_eq!(login_from_claim("  "), None);
    }

    #[test]
    fn only_an_accepted_method_counts() {
        let accepted = vec!["mfa".to_string(), "otp".to_string()];
        assert!(provider_second_factor(&["pwd", "mfa"], &accepted));
        assert!(provider_second_factor(&["otp"], &accepted));
        assert!(!provider_second_factor(&["pwd"], &accepted));
        assert!(!provider_second_factor(&["MFA"], &accepted), "exact names");
        assert!(!provider_second_factor(&[], &accepted));
        assert!(!provider_second_factor(&["mfa"], &[]));
    }

    #[test]
    fn the_providers_factor_replaces_ours_only_when_accepted() {
        let required = FactorFacts {
            totp: true,
            required: true,
            ..FactorFacts::default()
        };
        assert_eq!(after_provider(required, true), AfterPassword::SignedIn);
        assert_eq!(
            after_provider(required, false),
            AfterPassword::SecondFactor(vec![Method::Totp])
        );
        let nothing_enrolled = FactorFacts {
            required: true,
            ..FactorFacts::default()
        };
        assert_eq!(
            after_provider(nothing_enrolled, false),
            AfterPassword::Enrol
        );
        assert_eq!(
            after_provider(FactorFacts::default(), false),
            AfterPassword::SignedIn
        );
    }
}
