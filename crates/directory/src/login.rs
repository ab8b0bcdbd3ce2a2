//! Sign-in names. Compared case-insensitively, so they are stored in lower case.

use crate::InvalidValue;
use std::fmt;

/// A validated, lower-cased login such as `m.mueller`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Login(String);

impl Login {
    /// Validates and normalises (trim, lower-case) a login.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim().to_ascii_lowercase();
        let ok_len = (1..=64).contains(&s.len());
        let ok_first = s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        let ok_chars = s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
        if ok_len && ok_first && ok_chars {
            Ok(Login(s))
        } else {
            Err(InvalidValue::Login(raw.to_string()))
        }
    }

    /// The login as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_space() {
        assert_eq!(Login::parse(" M.Mueller ").unwrap().as_str(), "m.mueller");
    }

    #[test]
    fn rejects_bad_logins() {
        for bad in ["", ".dot", "mit space", "müller", &"a".repeat(65), "a@b"] {
            assert!(Login::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
