//! What an administrator may set for a hotline and its queues, checked in one place for
//! creating and changing them: each bad field is named with a stable problem code and a
//! German message. Pure: whether an extension or a login exists is the shell's question.

use crate::holidays::State;
use crate::opening_hours::OpeningHours;

/// A bad field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsProblem {
    /// The field, e.g. `queue.ring_secs` or `hours.2`.
    pub field: String,
    /// A stable code: `name_missing`, `extension_invalid`, `extension_reserved`, `did_invalid`, `unknown_state`,
    /// `hours_invalid`, `unknown_strategy`, `out_of_range`, `menu_invalid`,
    /// `overflow_invalid`.
    pub problem: &'static str,
    /// For the person.
    pub message: String,
}

fn problem(field: &str, problem: &'static str, message: impl Into<String>) -> SettingsProblem {
    SettingsProblem {
        field: field.into(),
        problem,
        message: message.into(),
    }
}

/// A hotline's own settings, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotlineBasics {
    /// 1–80 characters.
    pub name: String,
    /// 2–8 digits.
    pub extension: String,
    /// E.164.
    pub did: Option<String>,
    /// A state's code, upper case.
    pub holiday_state: Option<String>,
    /// Per weekday, as written (each one readable).
    pub hours: [String; 7],
    /// 1–3650 days.
    pub case_retention_days: i64,
}

/// Checks a hotline's settings (`hours` absent: always open; retention absent: 90 days).
pub fn check_basics(
    name: &str,
    extension: &str,
    did: Option<&str>,
    holiday_state: Option<&str>,
    hours: Option<&[String; 7]>,
    case_retention_days: Option<i64>,
) -> Result<HotlineBasics, SettingsProblem> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
        return Err(problem(
            "name",
            "name_missing",
            "Bitte geben Sie der Hotline einen Namen (höchstens 80 Zeichen).",
        ));
    }
    let extension = extension.trim();
    if !(2..=8).contains(&extension.len()) || !extension.chars().all(|c| c.is_ascii_digit()) {
        return Err(problem(
            "extension",
            "extension_invalid",
            "Die Durchwahl besteht aus 2 bis 8 Ziffern.",
        ));
    }
    // 0 leads outside; 110, 112, 115, 116…, 118… are emergency and service numbers.
    if extension.starts_with('0') || extension.starts_with("11") {
        return Err(problem(
            "extension",
            "extension_reserved",
            "Durchwahlen mit 0 oder 11 am Anfang sind für die Amtsleitung und Notrufe reserviert.",
        ));
    }
    let did = did.map(str::trim).filter(|d| !d.is_empty());
    if let Some(did) = did {
        let digits = did.strip_prefix('+').unwrap_or("");
        if !(6..=15).contains(&digits.len()) || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(problem(
                "did",
                "did_invalid",
                "Die Nummer von außen wird als +49… (E.164) angegeben.",
            ));
        }
    }
    let holiday_state = holiday_state.map(str::trim).filter(|s| !s.is_empty());
    if let Some(code) = holiday_state {
        if State::parse(code).is_none() {
            return Err(problem(
                "holiday_state",
                "unknown_state",
                format!("„{code}“ ist kein Bundesland (BW, BY, BE, …)."),
            ));
        }
    }
    let hours = hours.cloned().unwrap_or_default();
    for (i, day) in hours.iter().enumerate() {
        if let Err(e) = OpeningHours::parse_day(day) {
            return Err(problem(
                &format!("hours.{i}"),
                "hours_invalid",
                format!("Öffnungszeiten: {e}"),
            ));
        }
    }
    let case_retention_days = in_range("case_retention_days", case_retention_days, 1, 3_650)?;
    Ok(HotlineBasics {
        name: name.to_string(),
        extension: extension.to_string(),
        did: did.map(str::to_string),
        holiday_state: holiday_state.map(str::to_uppercase),
        hours,
        case_retention_days: case_retention_days.unwrap_or(90),
    })
}

/// A queue's settings as sent (absent: the default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueForm {
    /// 1–80 characters.
    pub name: String,
    /// `ring_all`, `longest_idle` (default), `round_robin`, `fewest_calls`, `skills`.
    pub strategy: Option<String>,
    /// Skills: seconds after which the next level may take the call (5–600, default 30).
    pub widen_after_secs: Option<i64>,
    /// 5–120, default 20.
    pub ring_secs: Option<i64>,
    /// 0–900, default 30.
    pub wrap_up_secs: Option<i64>,
    /// 10–86400.
    pub max_wait_secs: Option<i64>,
    /// 1–10000.
    pub max_length: Option<i64>,
    /// 10–3600, default 60.
    pub position_every_secs: Option<i64>,
    /// 10–3600 (with a periodic announcement).
    pub periodic_every_secs: Option<i64>,
    /// 0–3600.
    pub callback_after_secs: Option<i64>,
    /// `1`–`9`: the menu key that leads here.
    pub menu_digit: Option<String>,
    /// `closed` (default), `queue` (then `overflow_target` is a queue's id) or `person`
    /// (then it is the person's login).
    pub overflow_kind: Option<String>,
    /// The overflow's queue id or person's login.
    pub overflow_target: Option<String>,
    /// 1–600, default 20.
    pub sl_threshold_secs: Option<i64>,
    /// 0–60, default 5.
    pub short_abandon_secs: Option<i64>,
}

/// A queue's settings, checked (with the defaults filled in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueValues {
    #[allow(missing_docs)]
    pub name: String,
    #[allow(missing_docs)]
    pub strategy: String,
    #[allow(missing_docs)]
    pub widen_after_secs: i64,
    #[allow(missing_docs)]
    pub ring_secs: i64,
    #[allow(missing_docs)]
    pub wrap_up_secs: i64,
    #[allow(missing_docs)]
    pub max_wait_secs: Option<i64>,
    #[allow(missing_docs)]
    pub max_length: Option<i64>,
    #[allow(missing_docs)]
    pub position_every_secs: Option<i64>,
    #[allow(missing_docs)]
    pub periodic_every_secs: Option<i64>,
    #[allow(missing_docs)]
    pub callback_after_secs: Option<i64>,
    #[allow(missing_docs)]
    pub menu_digit: Option<String>,
    #[allow(missing_docs)]
    pub overflow_kind: String,
    #[allow(missing_docs)]
    pub overflow_target: Option<String>,
    #[allow(missing_docs)]
    pub sl_threshold_secs: i64,
    #[allow(missing_docs)]
    pub short_abandon_secs: i64,
}

const STRATEGIES: [&str; 5] = [
    "ring_all",
    "longest_idle",
    "round_robin",
    "fewest_calls",
    "skills",
];

fn in_range(field: &str, v: Option<i64>, lo: i64, hi: i64) -> Result<Option<i64>, SettingsProblem> {
    match v {
        Some(v) if !(lo..=hi).contains(&v) => Err(problem(
            field,
            "out_of_range",
            format!("Erlaubt sind {lo} bis {hi}."),
        )),
        v => Ok(v),
    }
}

/// Checks a queue's settings; fields are named below `prefix` (e.g. `queue.`).
pub fn check_queue(form: &QueueForm, prefix: &str) -> Result<QueueValues, SettingsProblem> {
    let f = |name: &str| format!("{prefix}{name}");
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
        return Err(problem(
            &f("name"),
            "name_missing",
            "Bitte geben Sie der Warteschlange einen Namen (höchstens 80 Zeichen).",
        ));
    }
    let strategy = form
        .strategy
        .clone()
        .unwrap_or_else(|| "longest_idle".into());
    if !STRATEGIES.contains(&strategy.as_str()) {
        return Err(problem(
            &f("strategy"),
            "unknown_strategy",
            format!("Unbekannte Verteilung „{strategy}“."),
        ));
    }
    let menu_digit = form
        .menu_digit
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    if menu_digit
        .is_some_and(|d| d.len() != 1 || !('1'..='9').contains(&d.chars().next().unwrap_or('0')))
    {
        return Err(problem(
            &f("menu_digit"),
            "menu_invalid",
            "Die Menütaste ist eine Ziffer von 1 bis 9.",
        ));
    }
    let overflow_kind = form
        .overflow_kind
        .clone()
        .unwrap_or_else(|| "closed".into());
    let overflow_target = form
        .overflow_target
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let overflow_ok = match overflow_kind.as_str() {
        "closed" => overflow_target.is_none(),
        "queue" => overflow_target.is_some_and(|t| t.parse::<i64>().is_ok()),
        "person" => overflow_target.is_some_and(|t| t.len() <= 64),
        "voicemail" => overflow_target.is_none(),
        _ => false,
    };
    if !overflow_ok {
        // A known kind with a missing or bad target: the target is what to correct.
        let field = match overflow_kind.as_str() {
            "queue" | "person" => "overflow_target",
            _ => "overflow_kind",
        };
        return Err(problem(
            &f(field),
            "overflow_invalid",
            "Überlauf: eine Ansage (closed), eine andere Warteschlange (queue mit ihrer Nummer), \
             eine Person (person mit ihrer Anmeldung) oder die Mailbox der Hotline (voicemail).",
        ));
    }
    Ok(QueueValues {
        name: name.to_string(),
        strategy,
        widen_after_secs: in_range(&f("widen_after_secs"), form.widen_after_secs, 5, 600)?
            .unwrap_or(30),
        ring_secs: in_range(&f("ring_secs"), form.ring_secs, 5, 120)?.unwrap_or(20),
        wrap_up_secs: in_range(&f("wrap_up_secs"), form.wrap_up_secs, 0, 900)?.unwrap_or(30),
        max_wait_secs: in_range(&f("max_wait_secs"), form.max_wait_secs, 10, 86_400)?,
        max_length: in_range(&f("max_length"), form.max_length, 1, 10_000)?,
        position_every_secs: in_range(
            &f("position_every_secs"),
            form.position_every_secs,
            10,
            3_600,
        )?
        .or(Some(60)),
        periodic_every_secs: in_range(
            &f("periodic_every_secs"),
            form.periodic_every_secs,
            10,
            3_600,
        )?,
        callback_after_secs: in_range(
            &f("callback_after_secs"),
            form.callback_after_secs,
            0,
            3_600,
        )?,
        menu_digit: menu_digit.map(str::to_string),
        overflow_kind,
        overflow_target: overflow_target.map(str::to_string),
        sl_threshold_secs: in_range(&f("sl_threshold_secs"), form.sl_threshold_secs, 1, 600)?
            .unwrap_or(20),
        short_abandon_secs: in_range(&f("short_abandon_secs"), form.short_abandon_secs, 0, 60)?
            .unwrap_or(5),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_settings_are_taken_with_defaults_and_normalised() {
        let hours: [String; 7] = [
            "08:00-12:00".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
        ];
        let b = check_basics(
            " Bürgertelefon ",
            "2900",
            Some(" +4993219282900 "),
            Some("by"),
            Some(&hours),
            None,
        )
        .unwrap();
        assert_eq!(
            (
                b.name.as_str(),
                b.did.as_deref(),
                b.holiday_state.as_deref(),
                b.case_retention_days
            ),
            ("Bürgertelefon", Some("+4993219282900"), Some("BY"), 90)
        );
        let q = check_queue(
            &QueueForm {
                name: "Fragen".into(),
                ..QueueForm::default()
            },
            "queue.",
        )
        .unwrap();
        assert_eq!(
            (
                q.strategy.as_str(),
                q.ring_secs,
                q.wrap_up_secs,
                q.position_every_secs,
                q.overflow_kind.as_str()
            ),
            ("longest_idle", 20, 30, Some(60), "closed")
        );
    }

    #[test]
    fn each_bad_field_is_named() {
        let bad_hours: [String; 7] = [
            "".into(),
            "8-12".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
        ];
        let cases = [
            (
                check_basics("", "2900", None, None, None, None),
                "name",
                "name_missing",
            ),
            (
                check_basics("H", "29a0", None, None, None, None),
                "extension",
                "extension_invalid",
            ),
            (
                check_basics("H", "112", None, None, None, None),
                "extension",
                "extension_reserved",
            ),
            (
                check_basics("H", "0800", None, None, None, None),
                "extension",
                "extension_reserved",
            ),
            (
                check_basics("H", "2900", Some("0301234"), None, None, None),
                "did",
                "did_invalid",
            ),
            (
                check_basics("H", "2900", None, Some("XX"), None, None),
                "holiday_state",
                "unknown_state",
            ),
            (
                check_basics("H", "2900", None, None, Some(&bad_hours), None),
                "hours.1",
                "hours_invalid",
            ),
            (
                check_basics("H", "2900", None, None, None, Some(0)),
                "case_retention_days",
                "out_of_range",
            ),
        ];
        for (result, field, code) in cases {
            let p = result.unwrap_err();
            assert_eq!((p.field.as_str(), p.problem), (field, code));
        }
        let queue = |f: QueueForm| {
            check_queue(
                &QueueForm {
                    name: "Q".into(),
                    ..f
                },
                "queue.",
            )
            .unwrap_err()
        };
        let p = queue(QueueForm {
            ring_secs: Some(2),
            ..QueueForm::default()
        });
        assert_eq!(
            (p.field.as_str(), p.problem),
            ("queue.ring_secs", "out_of_range")
        );
        let p = queue(QueueForm {
            strategy: Some("random".into()),
            ..QueueForm::default()
        });
        assert_eq!(p.problem, "unknown_strategy");
        let p = queue(QueueForm {
            menu_digit: Some("0".into()),
            ..QueueForm::default()
        });
        assert_eq!(p.problem, "menu_invalid");
        let p = queue(QueueForm {
            overflow_kind: Some("queue".into()),
            ..QueueForm::default()
        });
        assert_eq!(
            p.problem, "overflow_invalid",
            "a queue overflow needs its target"
        );
        let p = queue(QueueForm {
            overflow_kind: Some("person".into()),
            overflow_target: Some("  ".into()),
            ..QueueForm::default()
        });
        assert_eq!(
            (p.field.as_str(), p.problem),
            ("queue.overflow_target", "overflow_invalid"),
            "a person overflow needs whom"
        );
        let p = queue(QueueForm {
            overflow_kind: Some("voicemail".into()),
            overflow_target: Some("2501".into()),
            ..QueueForm::default()
        });
        assert_eq!(
            p.problem, "overflow_invalid",
            "the hotline's own box: no target"
        );
        let p = queue(QueueForm {
            overflow_kind: Some("fax".into()),
            ..QueueForm::default()
        });
        assert_eq!(
            (p.field.as_str(), p.problem),
            ("queue.overflow_kind", "overflow_invalid")
        );
    }
}
