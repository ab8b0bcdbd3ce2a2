//! Internal telephone extensions ("Durchwahl"): the digits after the office number.

use crate::InvalidValue;
use std::fmt;

/// A validated extension of 2–15 digits (E.164 allows at most 15 digits in all).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Extension(String);

impl Extension {
    /// Validates an extension; surrounding spaces are ignored.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        if (2..=15).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Extension(s.to_string()))
        } else {
            Err(InvalidValue::Extension(raw.to_string()))
        }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Extension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_digits_only() {
        assert_eq!(Extension::parse(" 2345 ").unwrap().as_str(), "2345");
        for bad in ["", "1", "23a4", "+492345", "12 34", "1234567890123456"] {
            assert!(Extension::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
