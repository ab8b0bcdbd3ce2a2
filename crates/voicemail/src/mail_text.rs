//! The notification e-mail for a new message, in the box owner's language: its subject and
//! plain-text body. The shell passes what it knows (the caller's name from the directory,
//! the time already formatted in local time, a link when the person chose a link instead
//! of the attachment) and sends the text with the recording attached, or not.
//!
//! ```
//! use voicemail::mail_text::{mail_text, Delivery, Notice};
//! use voicemail::Language;
//! let mail = mail_text(&Notice {
//!     language: Language::German,
//!     box_name: "Bürgerbüro",
//!     caller_name: Some("Erika Mustermann"),
//!     caller_number: Some("0301234567"),
//!     received: "07.12.2026, 09:41 Uhr",
//!     duration_ms: 65_000,
//!     delivery: Delivery::Attached,
//! });
//! assert_eq!(mail.subject, "Neue Sprachnachricht von Erika Mustermann (0301234567)");
//! assert!(mail.body.contains("Länge:  1:05\r\n"));
//! ```

use crate::Language;

/// How the recording reaches the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery<'a> {
    /// Attached to the e-mail.
    Attached,
    /// Only a link to the message in the web client.
    Link(&'a str),
}

/// What the e-mail is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Notice<'a> {
    /// The box owner's language.
    pub language: Language,
    /// The box's name: the person's, or a hotline's or unit's.
    pub box_name: &'a str,
    /// The caller's name, when the directory knows the number (or the call carried one).
    pub caller_name: Option<&'a str>,
    /// The caller's number, when the call carried one.
    pub caller_number: Option<&'a str>,
    /// When the message arrived, formatted in local time by the shell.
    pub received: &'a str,
    /// The recording's length.
    pub duration_ms: u32,
    /// Attachment or link.
    pub delivery: Delivery<'a>,
}

/// An e-mail's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailText {
    /// The subject, one line.
    pub subject: String,
    /// The plain-text body, CRLF line ends.
    pub body: String,
}

/// The subject and body for `notice`. Every value passed in is put on one line (a name
/// that came with a call could hold a line break), and empty values count as missing.
pub fn mail_text(notice: &Notice<'_>) -> MailText {
    let caller = caller(notice.caller_name, notice.caller_number);
    let box_name = one_line(notice.box_name);
    let received = one_line(notice.received);
    let length = length(notice.duration_ms);
    let (subject, lines) = match notice.language {
        Language::German => {
            let subject = match &caller {
                Some(caller) => format!("Neue Sprachnachricht von {caller}"),
                None => "Neue Sprachnachricht, Anrufer unbekannt".to_owned(),
            };
            let arrived = match &box_name {
                Some(name) => {
                    format!("in der Mailbox „{name}“ ist eine neue Sprachnachricht eingegangen.")
                }
                None => "in Ihrer Mailbox ist eine neue Sprachnachricht eingegangen.".to_owned(),
            };
            let mut lines = vec![
                "Guten Tag,".to_owned(),
                String::new(),
                arrived,
                String::new(),
                format!("Von:    {}", caller.as_deref().unwrap_or("unbekannt")),
                format!("Zeit:   {}", received.as_deref().unwrap_or("unbekannt")),
                format!("Länge:  {length}"),
                String::new(),
            ];
            match notice.delivery {
                Delivery::Attached => {
                    lines.push("Die Aufnahme ist dieser E-Mail angehängt.".to_owned());
                }
                Delivery::Link(link) => {
                    lines.push("Sie können die Nachricht hier anhören:".to_owned());
                    lines.push(one_line(link).unwrap_or_default());
                }
            }
            lines.extend([
                String::new(),
                "Diese E-Mail wurde automatisch versandt; bitte antworten Sie nicht darauf."
                    .to_owned(),
            ]);
            (subject, lines)
        }
        Language::English => {
            let subject = match &caller {
                Some(caller) => format!("New voice message from {caller}"),
                None => "New voice message, caller unknown".to_owned(),
            };
            let arrived = match &box_name {
                Some(name) => format!("a new voice message has arrived in the mailbox \"{name}\"."),
                None => "a new voice message has arrived in your mailbox.".to_owned(),
            };
            let mut lines = vec![
                "Hello,".to_owned(),
                String::new(),
                arrived,
                String::new(),
                format!("From:     {}", caller.as_deref().unwrap_or("unknown")),
                format!("Received: {}", received.as_deref().unwrap_or("unknown")),
                format!("Length:   {length}"),
                String::new(),
            ];
            match notice.delivery {
                Delivery::Attached => {
                    lines.push("The recording is attached to this e-mail.".to_owned());
                }
                Delivery::Link(link) => {
                    lines.push("You can listen to the message here:".to_owned());
                    lines.push(one_line(link).unwrap_or_default());
                }
            }
            lines.extend([
                String::new(),
                "This e-mail was sent automatically; please do not reply to it.".to_owned(),
            ]);
            (subject, lines)
        }
    };
    let mut body = lines.join("\r\n");
    body.push_str("\r\n");
    MailText { subject, body }
}

/// A length as `m:ss`, to the nearest second: 65 000 ms is `1:05`.
pub fn length(duration_ms: u32) -> String {
    let seconds = (u64::from(duration_ms) + 500) / 1_000;
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

/// "Name (number)", or the one there is, or `None`.
fn caller(name: Option<&str>, number: Option<&str>) -> Option<String> {
    match (name.and_then(one_line), number.and_then(one_line)) {
        (Some(name), Some(number)) => Some(format!("{name} ({number})")),
        (Some(one), None) | (None, Some(one)) => Some(one),
        (None, None) => None,
    }
}

/// The text with every control character (line breaks, tabs) as a space, runs of spaces
/// as one, trimmed; `None` when nothing is left.
fn one_line(text: &str) -> Option<String> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_control() || c.is_whitespace())
        .filter(|word| !word.is_empty())
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(language: Language) -> Notice<'static> {
        Notice {
            language,
            box_name: "Bürgerbüro",
            caller_name: Some("Erika Mustermann"),
            caller_number: Some("0301234567"),
            received: "07.12.2026, 09:41 Uhr",
            duration_ms: 65_000,
            delivery: Delivery::Attached,
        }
    }

    #[test]
    fn the_german_mail_in_full() {
        let mail = mail_text(&notice(Language::German));
        assert_eq!(
            mail.subject,
            "Neue Sprachnachricht von Erika Mustermann (0301234567)"
        );
        assert_eq!(
            mail.body,
            "Guten Tag,\r\n\
             \r\n\
             in der Mailbox „Bürgerbüro“ ist eine neue Sprachnachricht eingegangen.\r\n\
             \r\n\
             Von:    Erika Mustermann (0301234567)\r\n\
             Zeit:   07.12.2026, 09:41 Uhr\r\n\
             Länge:  1:05\r\n\
             \r\n\
             Die Aufnahme ist dieser E-Mail angehängt.\r\n\
             \r\n\
             Diese E-Mail wurde automatisch versandt; bitte antworten Sie nicht darauf.\r\n"
        );
    }

    #[test]
    fn the_english_mail_with_a_link() {
        let mail = mail_text(&Notice {
            delivery: Delivery::Link("https://durchwahl.rathaus.example/#voicemail/42"),
            received: "7 Dec 2026, 09:41",
            ..notice(Language::English)
        });
        assert_eq!(
            mail.subject,
            "New voice message from Erika Mustermann (0301234567)"
        );
        assert_eq!(
            mail.body,
            "Hello,\r\n\
             \r\n\
             a new voice message has arrived in the mailbox \"Bürgerbüro\".\r\n\
             \r\n\
             From:     Erika Mustermann (0301234567)\r\n\
             Received: 7 Dec 2026, 09:41\r\n\
             Length:   1:05\r\n\
             \r\n\
             You can listen to the message here:\r\n\
             https://durchwahl.rathaus.example/#voicemail/42\r\n\
             \r\n\
             This e-mail was sent automatically; please do not reply to it.\r\n"
        );
        assert!(!mail.body.contains("attached"));
    }

    #[test]
    fn a_german_link_replaces_the_attachment_sentence() {
        let mail = mail_text(&Notice {
            delivery: Delivery::Link("https://x.example/vm/1"),
            ..notice(Language::German)
        });
        assert!(mail
            .body
            .contains("Sie können die Nachricht hier anhören:\r\nhttps://x.example/vm/1\r\n"));
        assert!(!mail.body.contains("angehängt"));
    }

    #[test]
    fn the_caller_is_name_and_number_or_either_or_unknown() {
        let cases = [
            (Some("Erika Mustermann"), None, "Erika Mustermann"),
            (None, Some("+49 30 1234"), "+49 30 1234"),
            (Some(""), Some("2001"), "2001"),
        ];
        for (name, number, said) in cases {
            for language in [Language::German, Language::English] {
                let mail = mail_text(&Notice {
                    caller_name: name,
                    caller_number: number,
                    ..notice(language)
                });
                assert!(
                    mail.subject.ends_with(&format!(" {said}")),
                    "{}",
                    mail.subject
                );
            }
        }
        let unknown = |language| {
            mail_text(&Notice {
                caller_name: None,
                caller_number: Some(" "),
                ..notice(language)
            })
        };
        let de = unknown(Language::German);
        assert_eq!(de.subject, "Neue Sprachnachricht, Anrufer unbekannt");
        assert!(de.body.contains("Von:    unbekannt\r\n"));
        let en = unknown(Language::English);
        assert_eq!(en.subject, "New voice message, caller unknown");
        assert!(en.body.contains("From:     unknown\r\n"));
    }

    #[test]
    fn a_name_from_the_call_cannot_break_a_line() {
        let mail = mail_text(&Notice {
            caller_name: Some("Mallory\r\nBcc: everyone@example.org"),
            box_name: "Bürger\nbüro",
            ..notice(Language::German)
        });
        assert_eq!(
            mail.subject,
            "Neue Sprachnachricht von Mallory Bcc: everyone@example.org (0301234567)"
        );
        assert!(!mail.subject.contains(['\r', '\n']));
        assert!(mail.body.contains("„Bürger büro“"));
        // Every line ends in CRLF, no bare LF or CR.
        assert_eq!(
            mail.body.matches('\n').count(),
            mail.body.matches("\r\n").count()
        );
        assert_eq!(
            mail.body.matches('\r').count(),
            mail.body.matches("\r\n").count()
        );
    }

    #[test]
    fn a_box_without_a_name_is_your_box() {
        let de = mail_text(&Notice {
            box_name: "",
            ..notice(Language::German)
        });
        assert!(de
            .body
            .contains("in Ihrer Mailbox ist eine neue Sprachnachricht eingegangen."));
        let en = mail_text(&Notice {
            box_name: "  ",
            ..notice(Language::English)
        });
        assert!(en.body.contains("arrived in your mailbox."));
    }

    #[test]
    fn lengths_are_minutes_and_seconds_to_the_nearest_second() {
        for (ms, said) in [
            (0, "0:00"),
            (499, "0:00"),
            (500, "0:01"),
            (9_400, "0:09"),
            (59_500, "1:00"),
            (65_000, "1:05"),
            (180_000, "3:00"),
            (3_725_000, "62:05"),
            (u32::MAX, "71582:47"),
        ] {
            assert_eq!(length(ms), said, "{ms} ms");
        }
    }
}
