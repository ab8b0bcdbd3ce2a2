//! Telephone numbers as people type them and carriers send them, reduced to what a
//! comparison needs: the digits, with the leading `+` of an international number.
//! "+49 (0)30 901820", "030/90 18 20-0" and "tel:+4930901820" all become digits; the
//! "(0)" Germans write after the country code is dropped, since it is not dialled.

/// At least this many digits (an internal extension has two or more).
pub const MIN_DIGITS: usize = 2;
/// At most this many digits (E.164 allows 15; some extensions add a few).
pub const MAX_DIGITS: usize = 20;

/// The normalised number, or `None` when `raw` is not a telephone number (letters, too
/// few or too many digits, a `+` anywhere but at the start).
pub fn normalise_phone(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    let trimmed = trimmed.strip_prefix("tel:").unwrap_or(trimmed).trim();
    let (international, rest) = match trimmed.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, trimmed),
    };
    // "+49 (0)30 …": the trunk prefix in brackets is not part of the number.
    let rest = if international {
        rest.replacen("(0)", "", 1)
    } else {
        rest.to_string()
    };
    let mut out = String::with_capacity(rest.len() + 1);
    if international {
        out.push('+');
    }
    let mut digits = 0;
    for c in rest.chars() {
        match c {
            '0'..='9' => {
                out.push(c);
                digits += 1;
            }
            ' ' | '\u{a0}' | '-' | '/' | '(' | ')' | '.' => {}
            _ => return None,
        }
    }
    (MIN_DIGITS..=MAX_DIGITS).contains(&digits).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn written_numbers_become_digits() {
        for (raw, want) in [
            ("+49 (0)30 901820", "+4930901820"),
            ("+49 30 901820", "+4930901820"),
            ("030/90 18 20-0", "0309018200"),
            ("(030) 901820", "030901820"),
            ("tel:+4930901820", "+4930901820"),
            ("  0151.5550123 ", "01515550123"),
            ("2900", "2900"),
            ("0049 30 901820", "004930901820"),
        ] {
            assert_eq!(normalise_phone(raw).as_deref(), Some(want), "{raw}");
        }
    }

    #[test]
    fn other_text_is_no_number() {
        for raw in [
            "",
            "+",
            "1",
            "030 abc",
            "49+30",
            "++4930",
            "030 90182012345678901234",
            "Herr Müller",
            "030;1234",
        ] {
            assert_eq!(normalise_phone(raw), None, "{raw:?}");
        }
    }

    proptest! {
        #[test]
        fn normalising_twice_changes_nothing(raw in "[+]?[0-9 ()/.-]{0,30}") {
            if let Some(once) = normalise_phone(&raw) {
                prop_assert_eq!(normalise_phone(&once), Some(once.clone()));
                prop_assert!(once.trim_start_matches('+').chars().all(|c| c.is_ascii_digit()));
            }
        }
    }
}
