//! Fax numbers as people type them: a fax box's own number (an extension or an E.164
//! direct number) and a number to send a fax to. Spaces, `/`, `-`, `.` and brackets are
//! dropped ("+49 89 123-456" is "+4989123456"); what is left must be digits, with one
//! leading `+` for an international number.

/// A fax box's number: an extension (2–15 digits, as [`crate::Extension`]) or an E.164
/// number (`+`, a first digit 1–9, at most 15 digits in all), without separators; `None`
/// for anything else.
pub fn fax_box_number(raw: &str) -> Option<String> {
    let number = compact(raw)?;
    match number.strip_prefix('+') {
        Some(digits) => {
            let e164 = (2..=15).contains(&digits.len()) && !digits.starts_with('0');
            e164.then_some(number)
        }
        // An extension: not an emergency number, nor a national number (leading 0, the
        // outside line): calls to those leave the house before any box is looked up.
        None => ((2..=15).contains(&number.len())
            && !number.starts_with('0')
            && !matches!(number.as_str(), "110" | "112"))
        .then_some(number),
    }
}

/// A number to send a fax to: digits as dialled from here (an extension, a national
/// number with its leading 0, an outside line's prefix), or `+` and an international
/// number; 2–20 digits, without separators. `None` for anything else. Whether the sender
/// may dial it is the dial plan's question, not this one's.
pub fn dialled_fax_number(raw: &str) -> Option<String> {
    let number = compact(raw)?;
    let digits = number.strip_prefix('+').unwrap_or(&number);
    ((2..=20).contains(&digits.len()) && !(number.starts_with('+') && digits.starts_with('0')))
        .then_some(number)
}

/// The number without separators, if the rest is digits with at most one leading `+`.
fn compact(raw: &str) -> Option<String> {
    let number: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '/' | '-' | '.' | '(' | ')'))
        .collect();
    let digits = number.strip_prefix('+').unwrap_or(&number);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_numbers_are_extensions_or_e164() {
        assert_eq!(fax_box_number(" 2599 ").as_deref(), Some("2599"));
        assert_eq!(
            fax_box_number("+49 (89) 123-4599").as_deref(),
            Some("+49891234599")
        );
        for bad in [
            "",
            "1",
            "+",
            "+1",
            // Calls to these leave the house before a box is looked up.
            "112",
            "110",
            "089123456",
            "+049891",
            "25a9",
            "++4989",
            "49+89",
            "1234567890123456",
            "+1234567890123456",
            "2599;",
            "２５９９",
        ] {
            assert_eq!(fax_box_number(bad), None, "{bad:?} accepted");
        }
    }

    #[test]
    fn dialled_numbers_are_digits_with_an_optional_plus() {
        assert_eq!(
            dialled_fax_number("089 / 123 456").as_deref(),
            Some("089123456")
        );
        assert_eq!(
            dialled_fax_number("0049 89 123456").as_deref(),
            Some("004989123456")
        );
        assert_eq!(
            dialled_fax_number("+43 1 234567").as_deref(),
            Some("+431234567")
        );
        for bad in [
            "",
            "7",
            "+0891",
            "0800-FAX",
            "12345678901234567890123",
            "*98",
            "#1",
        ] {
            assert_eq!(dialled_fax_number(bad), None, "{bad:?} accepted");
        }
    }
}
