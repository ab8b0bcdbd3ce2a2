//! One entry of a case, as it arrives in JSON, checked against its field and brought into
//! the one form it is stored in: texts trimmed, numbers as JSON numbers (integers without
//! `.0`), days as `2026-03-05`, times as `2026-03-05T14:30`, telephone numbers as digits,
//! slots as their id. Days and times are taken as Germans and browsers write them
//! (`05.03.2026`, `5.3.2026 14:30`, `2026-03-05T14:30:00`).
//!
//! An empty entry (`null`, or a text of blanks) clears the field.

use crate::email::normalise_email;
use crate::field_error::Problem;
use crate::form::{Field, FieldKind};
use crate::phone::normalise_phone;
use jiff::civil::{Date, DateTime, Time};
use serde_json::Value;

/// At most this many characters in a text field.
pub const MAX_TEXT: usize = 500;
/// At most this many characters in a long text field.
pub const MAX_LONG_TEXT: usize = 10_000;
/// Days before this year or after [`LAST_YEAR`] are typing slips.
pub const FIRST_YEAR: i16 = 1800;
/// See [`FIRST_YEAR`].
pub const LAST_YEAR: i16 = 2200;

/// The stored value of an entry (`None`: the field is cleared), or what is wrong with it.
pub(crate) fn normalise(field: &Field, entry: &Value) -> Result<Option<Value>, Problem> {
    if entry.is_null() {
        return Ok(None);
    }
    match &field.kind {
        FieldKind::Text => text(entry, MAX_TEXT, false),
        FieldKind::LongText => text(entry, MAX_LONG_TEXT, true),
        FieldKind::Number { min, max } => number(entry, *min, *max),
        FieldKind::Date => {
            let Some(raw) = filled(entry, "ein Datum")? else {
                return Ok(None);
            };
            let day = parse_date(raw).ok_or_else(|| Problem::NotADate { raw: raw.into() })?;
            Ok(Some(Value::from(day.strftime("%Y-%m-%d").to_string())))
        }
        FieldKind::DateTime => {
            let Some(raw) = filled(entry, "ein Zeitpunkt")? else {
                return Ok(None);
            };
            let at =
                parse_date_time(raw).ok_or_else(|| Problem::NotADateTime { raw: raw.into() })?;
            Ok(Some(Value::from(at.strftime("%Y-%m-%dT%H:%M").to_string())))
        }
        FieldKind::Choice { options } => {
            let Some(raw) = filled(entry, "eine der Auswahlmöglichkeiten")? else {
                return Ok(None);
            };
            match options.iter().find(|o| o.as_str() == raw) {
                Some(option) => Ok(Some(Value::from(option.as_str()))),
                None => Err(Problem::NotAnOption { raw: raw.into() }),
            }
        }
        FieldKind::YesNo => match entry {
            Value::Bool(yes) => Ok(Some(Value::Bool(*yes))),
            _ => Err(Problem::WrongType {
                expected: "ja oder nein (true oder false)",
            }),
        },
        FieldKind::Phone => {
            let Some(raw) = filled(entry, "eine Telefonnummer")? else {
                return Ok(None);
            };
            let number =
                normalise_phone(raw).ok_or_else(|| Problem::NotAPhoneNumber { raw: raw.into() })?;
            Ok(Some(Value::from(number)))
        }
        FieldKind::Email => {
            let Some(raw) = filled(entry, "eine E-Mail-Adresse")? else {
                return Ok(None);
            };
            let address =
                normalise_email(raw).ok_or_else(|| Problem::NotAnEmail { raw: raw.into() })?;
            Ok(Some(Value::from(address)))
        }
        FieldKind::AppointmentSlot => slot(entry),
    }
}

/// The trimmed text of a string entry (`None` when blank); `expected` for other types.
fn filled<'a>(entry: &'a Value, expected: &'static str) -> Result<Option<&'a str>, Problem> {
    match entry {
        Value::String(s) => Ok(Some(s.trim()).filter(|s| !s.is_empty())),
        _ => Err(Problem::WrongType { expected }),
    }
}

fn text(entry: &Value, max: usize, lines: bool) -> Result<Option<Value>, Problem> {
    let Some(raw) = filled(entry, "ein Text")? else {
        return Ok(None);
    };
    let text = if lines {
        raw.replace("\r\n", "\n")
    } else {
        raw.to_string()
    };
    let allowed = |c: char| lines && (c == '\n' || c == '\t');
    if text.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(Problem::ControlCharacter);
    }
    if text.chars().count() > max {
        return Err(Problem::TooLong { max });
    }
    Ok(Some(Value::from(text)))
}

fn number(entry: &Value, min: Option<f64>, max: Option<f64>) -> Result<Option<Value>, Problem> {
    let value = match entry {
        // serde_json reads only finite numbers.
        Value::Number(n) => n.as_f64().unwrap_or(f64::NAN),
        Value::String(s) => {
            let raw = s.trim();
            if raw.is_empty() {
                return Ok(None);
            }
            // Digits with a decimal comma or point and a sign; not "inf", "1e3" or "1.000,5".
            let plain = raw
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '-' | '+'));
            let parsed = plain
                .then(|| raw.replace(',', ".").parse::<f64>().ok())
                .flatten()
                .filter(|v| v.is_finite());
            parsed.ok_or_else(|| Problem::NotANumber { raw: raw.into() })?
        }
        _ => {
            return Err(Problem::WrongType {
                expected: "eine Zahl",
            })
        }
    };
    if !value.is_finite() {
        return Err(Problem::NotANumber {
            raw: entry.to_string(),
        });
    }
    if let Some(min) = min.filter(|&m| value < m) {
        return Err(Problem::BelowMin { min });
    }
    if let Some(max) = max.filter(|&m| value > m) {
        return Err(Problem::AboveMax { max });
    }
    // Whole numbers as integers: `3`, not `3.0` (exact below 2^53).
    if value.fract() == 0.0 && value.abs() < 9_007_199_254_740_992.0 {
        Ok(Some(Value::from(value as i64)))
    } else {
        Ok(Some(Value::from(value)))
    }
}

fn slot(entry: &Value) -> Result<Option<Value>, Problem> {
    let id = match entry {
        Value::Number(n) => n.as_i64(),
        Value::String(s) if s.trim().is_empty() => return Ok(None),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    match id {
        Some(id) if id > 0 => Ok(Some(Value::from(id))),
        _ => Err(Problem::NotASlot),
    }
}

/// `2026-03-05`, `05.03.2026` or `5.3.2026`, between [`FIRST_YEAR`] and [`LAST_YEAR`].
pub(crate) fn parse_date(raw: &str) -> Option<Date> {
    let raw = raw.trim();
    let parts: Vec<&str> = if raw.contains('-') {
        raw.split('-').collect()
    } else {
        raw.split('.').rev().collect()
    };
    let [year, month, day] = parts.as_slice() else {
        return None;
    };
    let number = |s: &str, max_len: usize| -> Option<i16> {
        let ok = !s.is_empty() && s.len() <= max_len && s.chars().all(|c| c.is_ascii_digit());
        ok.then(|| s.parse().ok()).flatten()
    };
    if year.len() != 4 {
        return None;
    }
    let year = number(year, 4)?;
    let month = i8::try_from(number(month, 2)?).ok()?;
    let day = i8::try_from(number(day, 2)?).ok()?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&year) {
        return None;
    }
    Date::new(year, month, day).ok()
}

/// A day as [`parse_date`] takes it and a time `14:30` or `14:30:15`, separated by `T`, a
/// blank or `, ` (an "Uhr" after the time is fine).
pub(crate) fn parse_date_time(raw: &str) -> Option<DateTime> {
    let raw = raw.trim();
    let raw = raw.strip_suffix("Uhr").unwrap_or(raw).trim_end();
    let (day, time) = raw
        .split_once('T')
        .or_else(|| raw.split_once(", "))
        .or_else(|| raw.split_once(' '))?;
    let day = parse_date(day)?;
    let parts: Vec<&str> = time.trim().split(':').collect();
    let number = |s: &str| -> Option<i8> {
        let ok = (1..=2).contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit());
        ok.then(|| s.parse().ok()).flatten()
    };
    let (hour, minute, second) = match parts.as_slice() {
        [h, m] => (number(h)?, number(m)?, 0),
        [h, m, s] => (number(h)?, number(m)?, number(s)?),
        _ => return None,
    };
    let time = Time::new(hour, minute, second, 0).ok()?;
    Some(day.to_datetime(time))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use serde_json::json;

    fn field(kind: FieldKind) -> Field {
        Field {
            key: "f".into(),
            label: "F".into(),
            kind,
            required: false,
            help: String::new(),
        }
    }

    fn ok(kind: FieldKind, entry: Value) -> Option<Value> {
        normalise(&field(kind), &entry).unwrap_or_else(|e| panic!("{entry}: {e:?}"))
    }

    fn problem(kind: FieldKind, entry: Value) -> &'static str {
        normalise(&field(kind), &entry)
            .map(|v| panic!("{entry} was taken as {v:?}"))
            .unwrap_err()
            .code()
    }

    #[test]
    fn texts_are_trimmed_limited_and_blank_clears() {
        assert_eq!(
            ok(FieldKind::Text, json!("  Müller ")),
            Some(json!("Müller"))
        );
        assert_eq!(ok(FieldKind::Text, json!("   ")), None);
        assert_eq!(ok(FieldKind::Text, Value::Null), None);
        assert_eq!(problem(FieldKind::Text, json!(5)), "wrong_type");
        assert_eq!(problem(FieldKind::Text, json!("a\nb")), "control_character");
        assert_eq!(problem(FieldKind::Text, json!("x".repeat(501))), "too_long");
        assert!(ok(FieldKind::Text, json!("ß".repeat(500))).is_some());
        assert_eq!(
            ok(FieldKind::LongText, json!("Zeile 1\r\nZeile 2\tEnde")),
            Some(json!("Zeile 1\nZeile 2\tEnde"))
        );
        assert_eq!(
            problem(FieldKind::LongText, json!("a\u{7}b")),
            "control_character"
        );
        assert_eq!(
            problem(FieldKind::LongText, json!("x".repeat(10_001))),
            "too_long"
        );
    }

    #[test]
    fn numbers_take_a_decimal_comma_and_respect_bounds() {
        let n = || FieldKind::Number {
            min: Some(0.0),
            max: Some(130.0),
        };
        assert_eq!(ok(n(), json!(42)), Some(json!(42)));
        assert_eq!(ok(n(), json!(42.0)), Some(json!(42)));
        assert_eq!(ok(n(), json!("36,6")), Some(json!(36.6)));
        assert_eq!(ok(n(), json!(" 7 ")), Some(json!(7)));
        assert_eq!(ok(n(), json!("")), None);
        for bad in ["sieben", "inf", "NaN", "1e3", "1.000,5", "--1"] {
            assert_eq!(problem(n(), json!(bad)), "not_a_number", "{bad}");
        }
        assert_eq!(problem(n(), json!(-1)), "below_min");
        assert_eq!(problem(n(), json!("130,5")), "above_max");
        assert_eq!(problem(n(), json!(true)), "wrong_type");
        assert_eq!(ok(n(), json!(0)), Some(json!(0)));
        assert_eq!(ok(n(), json!(130)), Some(json!(130)));
    }

    #[test]
    fn days_and_times_as_germans_and_browsers_write_them() {
        for raw in ["2026-03-05", "05.03.2026", "5.3.2026", " 2026-3-5 "] {
            assert_eq!(
                ok(FieldKind::Date, json!(raw)),
                Some(json!("2026-03-05")),
                "{raw}"
            );
        }
        for raw in [
            "2026-02-29",
            "31.04.2026",
            "05.03.26",
            "1799-12-31",
            "heute",
            "2026-03-05T10:00",
            "2026/03/05",
        ] {
            assert_eq!(problem(FieldKind::Date, json!(raw)), "not_a_date", "{raw}");
        }
        assert_eq!(parse_date("29.02.2028"), Some(date(2028, 2, 29)));
        for raw in [
            "2026-03-05T14:30",
            "2026-03-05T14:30:59",
            "2026-03-05 14:30",
            "05.03.2026 14:30",
            "5.3.2026, 14:30 Uhr",
        ] {
            assert_eq!(
                ok(FieldKind::DateTime, json!(raw)),
                Some(json!("2026-03-05T14:30")),
                "{raw}"
            );
        }
        for raw in [
            "2026-03-05",
            "2026-03-05T24:00",
            "05.03.2026 14.30",
            "2026-03-05T14:60",
            "14:30",
        ] {
            assert_eq!(
                problem(FieldKind::DateTime, json!(raw)),
                "not_a_date_time",
                "{raw}"
            );
        }
    }

    #[test]
    fn choices_yes_no_contacts_and_slots() {
        let choice = || FieldKind::Choice {
            options: vec!["Symptome".into(), "Kontaktperson".into()],
        };
        assert_eq!(ok(choice(), json!(" Symptome ")), Some(json!("Symptome")));
        assert_eq!(problem(choice(), json!("symptome")), "not_an_option");
        assert_eq!(ok(FieldKind::YesNo, json!(false)), Some(json!(false)));
        assert_eq!(problem(FieldKind::YesNo, json!("ja")), "wrong_type");
        assert_eq!(
            ok(FieldKind::Phone, json!("+49 (0)30 901820")),
            Some(json!("+4930901820"))
        );
        assert_eq!(
            problem(FieldKind::Phone, json!("Hausnummer 5")),
            "not_a_phone_number"
        );
        assert_eq!(
            ok(FieldKind::Email, json!(" a@Example.ORG")),
            Some(json!("a@example.org"))
        );
        assert_eq!(
            problem(FieldKind::Email, json!("a(at)example.org")),
            "not_an_email"
        );
        assert_eq!(ok(FieldKind::AppointmentSlot, json!(17)), Some(json!(17)));
        assert_eq!(ok(FieldKind::AppointmentSlot, json!("17")), Some(json!(17)));
        assert_eq!(ok(FieldKind::AppointmentSlot, json!("")), None);
        for bad in [json!(0), json!(-3), json!(1.5), json!("x"), json!(true)] {
            assert_eq!(
                problem(FieldKind::AppointmentSlot, bad.clone()),
                "not_a_slot",
                "{bad}"
            );
        }
    }
}
