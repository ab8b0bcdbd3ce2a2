//! A hotline report as CSV that Excel opens as it is: UTF-8 with a byte order mark,
//! semicolons, German headers, decimal commas, percentages as numbers.

use queues::Figures;

fn percent(r: Option<f64>) -> String {
    r.map(|r| format!("{:.1}", r * 100.0).replace('.', ","))
        .unwrap_or_default()
}

fn secs(ms: Option<i64>) -> String {
    ms.map(|ms| format!("{:.1}", ms as f64 / 1000.0).replace('.', ","))
        .unwrap_or_default()
}

/// A field: quoted when it holds a separator, a quote or a line break; a leading
/// `=`, `+`, `-` or `@` is defused (no formula injection through a queue's name).
fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn row(name: &str, f: &Figures) -> String {
    [
        field(name),
        f.offered.to_string(),
        f.answered.to_string(),
        f.answered_in_threshold.to_string(),
        f.abandoned.to_string(),
        f.short_abandons.to_string(),
        f.overflowed.to_string(),
        f.callbacks_requested.to_string(),
        f.callbacks_done.to_string(),
        f.handled.to_string(),
        percent(f.service_level),
        percent(f.sl2),
        secs(f.asa_ms),
        percent(f.abandon_rate),
    ]
    .join(";")
}

/// The report: a title line, the header, one line per queue, the total.
pub fn csv(
    hotline: &str,
    from: &str,
    to: &str,
    total: &Figures,
    queues: &[(String, Figures)],
) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&format!(
        "{};{};{}\r\n",
        field(hotline),
        field(from),
        field(to)
    ));
    out.push_str(
        "Warteschlange;Angeboten;Angenommen;Angenommen in der Schwelle;Aufgelegt;\
         Davon kurz;Überlauf;Rückruf gewünscht;Rückruf erledigt;Bearbeitet;\
         Servicelevel %;SL2 %;Mittlere Wartezeit s;Abbruchquote %\r\n",
    );
    for (name, f) in queues {
        out.push_str(&row(name, f));
        out.push_str("\r\n");
    }
    out.push_str(&row("Gesamt", total));
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use queues::{CallId, EventKind, QueueEvent, QueueId, Thresholds};

    #[test]
    fn the_csv_has_a_bom_semicolons_decimal_commas_and_defused_formulas() {
        let q = QueueId(1);
        let at = |at_ms, kind| QueueEvent {
            at_ms,
            queue: q,
            kind,
        };
        let events = [
            at(
                0,
                EventKind::Entered {
                    call: CallId(1),
                    position: 1,
                },
            ),
            at(
                12_500,
                EventKind::Answered {
                    call: CallId(1),
                    agent: 7,
                    waited_ms: 12_500,
                },
            ),
            at(
                1_000,
                EventKind::Entered {
                    call: CallId(2),
                    position: 2,
                },
            ),
            at(
                31_000,
                EventKind::Abandoned {
                    call: CallId(2),
                    waited_ms: 30_000,
                    position: 1,
                },
            ),
        ];
        let f = queues::figures(&events, None, 0, 60_000, Thresholds::default());
        let text = csv(
            "Bürgertelefon",
            "2026-12-01",
            "2026-12-06",
            &f,
            &[("=HYPERLINK(1)".into(), f.clone())],
        );
        assert!(text.starts_with('\u{feff}'));
        let lines: Vec<&str> = text.trim_end().split("\r\n").collect();
        assert_eq!(lines.len(), 4);
        assert!(
            lines[2].starts_with("'=HYPERLINK(1);2;1;1;1;0;0;0;0;1;100,0;50,0;12,5;50,0"),
            "{}",
            lines[2]
        );
        assert_eq!(lines[3], "Gesamt;2;1;1;1;0;0;0;0;1;100,0;50,0;12,5;50,0");
    }
}
