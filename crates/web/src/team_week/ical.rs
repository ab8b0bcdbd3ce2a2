//! The iCalendar text of a feed (RFC 5545): one all-day event per person and planned day,
//! its summary the day's location ("Büro", "Mobil", "Vormittag Büro, Nachmittag Mobil").
//! Pure: events in, text out.

use jiff::civil::Date;

/// One all-day event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// A stable unique id (RFC 5545 §3.8.4.7).
    pub uid: String,
    /// The day.
    pub date: Date,
    /// What it says.
    pub summary: String,
}

/// RFC 5545 §3.3.11: backslash, semicolon, comma and newline are escaped in text.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | ';' | ',' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// RFC 5545 §3.1: lines longer than 75 octets are folded (CRLF and a space), never inside
/// a character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn compact(date: Date) -> String {
    date.strftime("%Y%m%d").to_string()
}

/// The calendar named `name` with `events`; `stamp` is the DTSTAMP (UTC, `YYYYMMDDTHHMMSSZ`).
pub fn calendar(name: &str, events: &[Event], stamp: &str) -> String {
    let mut out = String::new();
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Durchwahl//Team week//DE",
        "CALSCALE:GREGORIAN",
    ] {
        fold(line, &mut out);
    }
    fold(&format!("X-WR-CALNAME:{}", escape(name)), &mut out);
    for event in events {
        fold("BEGIN:VEVENT", &mut out);
        fold(&format!("UID:{}", escape(&event.uid)), &mut out);
        fold(&format!("DTSTAMP:{stamp}"), &mut out);
        fold(
            &format!("DTSTART;VALUE=DATE:{}", compact(event.date)),
            &mut out,
        );
        let next = event.date.tomorrow().unwrap_or(event.date);
        fold(&format!("DTEND;VALUE=DATE:{}", compact(next)), &mut out);
        fold(&format!("SUMMARY:{}", escape(&event.summary)), &mut out);
        fold("TRANSP:TRANSPARENT", &mut out);
        fold("END:VEVENT", &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn an_event_escaped_and_folded() {
        let text = calendar(
            "Woche, Anna",
            &[Event {
                uid: "7-2025-03-10@durchwahl".into(),
                date: date(2025, 3, 10),
                summary: format!(
                    "Anna Amt: Vormittag Büro, Nachmittag Mobil; {}",
                    "x".repeat(60)
                ),
            }],
            "20250301T000000Z",
        );
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(text.contains("X-WR-CALNAME:Woche\\, Anna\r\n"));
        assert!(text.contains("DTSTART;VALUE=DATE:20250310\r\nDTEND;VALUE=DATE:20250311\r\n"));
        assert!(text.contains("Vormittag Büro\\, Nachmittag Mobil\\;"));
        assert!(text.lines().all(|l| l.len() <= 75));
        assert!(text.contains("\r\n x"), "folded");
        assert!(text.ends_with("END:VCALENDAR\r\n"));
    }
}
