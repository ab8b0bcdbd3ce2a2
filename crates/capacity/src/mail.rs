//! The German mails of an [`Alert`]: subject and plain text. The shell passes the times
//! already written in the administration's local time, so this stays free of calendars.

use crate::alerting::{Alert, CLEAR_MINUTES};
use crate::figure::{Figure, Unit};
use crate::MINUTE_MS;

/// The subject and text of the mail for `alert`, sent at `now_ms`; `since_local` and
/// `red_since_local` are the alert's times as the reader's clock shows them
/// (`07.12.2025 10:13`). `organisation` names the server's owner.
pub fn alert_mail(
    alert: &Alert,
    now_ms: i64,
    since_local: &str,
    red_since_local: &str,
    organisation: &str,
) -> (String, String) {
    match alert {
        Alert::Red {
            key,
            value,
            limit,
            since,
        } => {
            let minutes = (now_ms.saturating_sub(*since) + MINUTE_MS / 2) / MINUTE_MS;
            let minutes = match minutes.max(1) {
                1 => "1 Minute".to_owned(),
                n => format!("{n} Minuten"),
            };
            let share = share(*value, Some(*limit));
            let subject = format!(
                "Kapazität: {} ist seit {minutes} im roten Bereich ({share} von {})",
                key.german(),
                amount(key, *limit, true)
            );
            let text = format!(
                "Guten Tag,\n\n\
                 auf dem Durchwahl-Server ({organisation}) ist „{}“ seit {minutes} im roten \
                 Bereich: {} von {} ({share}). Rot ist ein Wert ab 90 % der Grenze.\n\n\
                 Im roten Bereich seit: {since_local}\n\n\
                 Die Seite „Kapazität“ in der Verwaltung zeigt alle Werte mit dem Verlauf der \
                 letzten 24 Stunden. Eine Entwarnung folgt, sobald der Wert {CLEAR_MINUTES} \
                 Minuten lang unter dem roten Bereich liegt.\n\n\
                 Diese Nachricht wurde automatisch verschickt.\n",
                key.german(),
                amount(key, *value, false),
                amount(key, *limit, true),
            );
            (subject, text)
        }
        Alert::Cleared {
            key, value, limit, ..
        } => {
            let now = match limit {
                Some(limit) => format!(
                    "{} von {}",
                    share(*value, Some(*limit)),
                    amount(key, *limit, true)
                ),
                None => amount(key, *value, false),
            };
            let subject = format!(
                "Kapazität: {} ist wieder unter dem roten Bereich ({now})",
                key.german()
            );
            let text = format!(
                "Guten Tag,\n\n\
                 auf dem Durchwahl-Server ({organisation}) ist „{}“ seit {since_local} \
                 wieder unter dem roten Bereich: jetzt {}{}.\n\n\
                 Im roten Bereich war der Wert seit: {red_since_local}\n\n\
                 Diese Nachricht wurde automatisch verschickt.\n",
                key.german(),
                amount(key, *value, false),
                match limit {
                    Some(limit) => format!(" von {}", amount(key, *limit, true)),
                    None => String::new(),
                },
            );
            (subject, text)
        }
    }
}

/// `value` of `limit` as a whole percentage: „93 %“.
pub fn share(value: f64, limit: Option<f64>) -> String {
    match limit {
        Some(limit) if limit > 0.0 && value.is_finite() => {
            format!("{} %", (value / limit * 100.0).round() as i64)
        }
        _ => "– %".to_owned(),
    }
}

/// An amount of `figure`'s unit in German: „4 Kerne“, „15,6 GB“, „4.096“. `dative`: after
/// „von“ („von 4 Kernen“).
pub fn amount(figure: &Figure, value: f64, dative: bool) -> String {
    match figure.key.unit() {
        Unit::Cores => {
            let cores = if (value - 1.0).abs() < f64::EPSILON {
                "Kern"
            } else if dative {
                "Kernen"
            } else {
                "Kerne"
            };
            format!("{} {cores}", number(value, 2))
        }
        Unit::Bytes => {
            let (scaled, unit) = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")]
                .into_iter()
                .find(|(size, _)| value >= *size)
                .map_or((value, "Bytes"), |(size, unit)| (value / size, unit));
            format!("{} {unit}", number(scaled, 1))
        }
        Unit::Count => number(value, 0),
    }
}

/// `value` with at most `decimals` decimals, a decimal comma and thousands points.
pub fn number(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "–".to_owned();
    }
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    let fraction = fraction.trim_end_matches('0');
    let sign = if value < 0.0 && text.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        "-"
    } else {
        ""
    };
    match fraction {
        "" => format!("{sign}{grouped}"),
        f => format!("{sign}{grouped},{f}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figure::Key;

    #[test]
    fn numbers_are_german() {
        assert_eq!(number(4096.0, 0), "4.096");
        assert_eq!(number(100_000.0, 0), "100.000");
        assert_eq!(number(15.6, 1), "15,6");
        assert_eq!(number(2.0, 2), "2");
        assert_eq!(number(0.425, 2), "0,42");
        assert_eq!(number(-1234.5, 1), "-1.234,5");
        assert_eq!(number(f64::NAN, 1), "–");
    }

    #[test]
    fn the_red_mail_says_what_how_long_and_how_much() {
        let alert = Alert::Red {
            key: Figure::of(Key::Memory),
            value: 14.5e9,
            limit: 15.6e9,
            since: 0,
        };
        let (subject, text) = alert_mail(&alert, 5 * MINUTE_MS, "07.12.2025 10:13", "", "LRA");
        assert_eq!(
            subject,
            "Kapazität: Arbeitsspeicher ist seit 5 Minuten im roten Bereich (93 % von 15,6 GB)"
        );
        assert!(text.contains("14,5 GB von 15,6 GB (93 %)"), "{text}");
        assert!(text.contains("seit: 07.12.2025 10:13"), "{text}");
        let cpu = Alert::Red {
            key: Figure::of(Key::Cpu),
            value: 1.0,
            limit: 1.0,
            since: 0,
        };
        let (subject, _) = alert_mail(&cpu, MINUTE_MS, "", "", "LRA");
        assert_eq!(
            subject,
            "Kapazität: Prozessorlast (CPU) ist seit 1 Minute im roten Bereich (100 % von 1 Kern)"
        );
        let app = Alert::Red {
            key: Figure::gateway_users("e-akte"),
            value: 1.0,
            limit: 1.0,
            since: 0,
        };
        let (subject, _) = alert_mail(&app, 2 * MINUTE_MS, "", "", "LRA");
        assert_eq!(
            subject,
            "Kapazität: Nutzende der Anwendung „e-akte“ ist seit 2 Minuten im roten Bereich (100 % von 1)"
        );
    }

    #[test]
    fn the_clearing_mail_says_the_value_now() {
        let alert = Alert::Cleared {
            key: Figure::of(Key::Cpu),
            value: 1.0,
            limit: Some(4.0),
            red_since: 0,
            since: MINUTE_MS,
        };
        let (subject, text) = alert_mail(&alert, 6 * MINUTE_MS, "10:14", "10:00", "LRA");
        assert_eq!(
            subject,
            "Kapazität: Prozessorlast (CPU) ist wieder unter dem roten Bereich (25 % von 4 Kernen)"
        );
        assert!(text.contains("jetzt 1 Kern von 4 Kernen."), "{text}");
        assert!(text.contains("seit: 10:00"), "{text}");
    }
}
