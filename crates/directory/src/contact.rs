//! Contact fields: display names, e-mail addresses and phone numbers.

use crate::{InvalidValue, NameKind};

/// Validates a display name (1–200 characters, no control characters, nothing hidden
/// that changes how it is shown); trims it.
pub fn parse_name(raw: &str) -> Result<String, InvalidValue> {
    let s = raw.trim();
    if !(1..=200).contains(&s.chars().count()) || s.chars().any(char::is_control) {
        return Err(InvalidValue::Name(raw.to_string()));
    }
    InvalidValue::if_hidden(NameKind::Person, raw)?;
    Ok(s.to_string())
}

/// Validates an optional e-mail address; an empty field means none.
pub fn parse_email(raw: &str) -> Result<Option<String>, InvalidValue> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let valid = match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && s.len() <= 254
                && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if valid {
        Ok(Some(s.to_string()))
    } else {
        Err(InvalidValue::Email(raw.to_string()))
    }
}

/// Validates an optional phone number as people write it (`+49 8621 58-0`, `(0861) 123/45`);
/// an empty field means none. At least three digits, at most 15 (E.164).
pub fn parse_phone(raw: &str) -> Result<Option<String>, InvalidValue> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let digits = s.chars().filter(char::is_ascii_digit).count();
    let chars_ok = s.chars().enumerate().all(|(i, c)| {
        c.is_ascii_digit() || matches!(c, ' ' | '/' | '-' | '(' | ')') || (c == '+' && i == 0)
    });
    if chars_ok && (3..=15).contains(&digits) {
        Ok(Some(s.to_string()))
    } else {
        Err(InvalidValue::Phone(raw.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(parse_email("").unwrap(), None);
        assert!(parse_email("a.b@lra-musterstadt.de").unwrap().is_some());
        for bad in ["ab", "a@b", "a @b.de", "@b.de", "a@.de", "a@b@c.de"] {
            assert!(parse_email(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn phones() {
        assert!(parse_phone("+49 8621 58-0").unwrap().is_some());
        assert!(parse_phone("(0861) 123/45").unwrap().is_some());
        for bad in ["12", "0861 abc", "49+861", "+1234567890123456"] {
            assert!(parse_phone(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn names() {
        assert_eq!(parse_name(" Jürgen Weiß ").unwrap(), "Jürgen Weiß");
        assert!(parse_name(" ").is_err());
        assert!(parse_name("a\u{7}b").is_err());
        for spoof in [
            "\u{202E}relda annA",
            "Anna\u{200B} Adler",
            "Ad\u{AD}ler",
            "\u{FEFF}Anna",
        ] {
            assert!(
                matches!(
                    parse_name(spoof),
                    Err(InvalidValue::HiddenCharacter {
                        what: NameKind::Person,
                        ..
                    })
                ),
                "{spoof:?}"
            );
        }
    }
}
