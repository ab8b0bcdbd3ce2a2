//! Message-waiting indication (RFC 3842): the `application/simple-message-summary` body a
//! desk phone gets in the NOTIFYs of its `message-summary` subscription, so the lamp lights
//! while there are new messages. [`summary`] writes the body for a voice box; [`parse`]
//! reads any body of the grammar of RFC 3842 §5.2, and [`Summary`]'s `Display` writes one,
//! so that parse and write are each other's inverse.
//!
//! ```
//! use voicemail::mwi;
//! let body = mwi::summary("sip:2001@rathaus.example", 2, 8);
//! assert_eq!(
//!     body,
//!     "Messages-Waiting: yes\r\nMessage-Account: sip:2001@rathaus.example\r\nVoice-Message: 2/8 (0/0)\r\n"
//! );
//! let read = mwi::parse(body.as_bytes()).unwrap();
//! assert!(read.waiting);
//! assert_eq!(read.voice().map(|c| (c.new, c.old)), Some((2, 8)));
//! ```

use crate::Error;
use std::fmt;

/// The event package a phone subscribes to (RFC 3842 §3.1).
pub const EVENT: &str = "message-summary";

/// The content type of the NOTIFY body (RFC 3842 §3.5).
pub const CONTENT_TYPE: &str = "application/simple-message-summary";

/// The longest body [`parse`] reads; real ones are a few hundred bytes.
pub const MAX_BODY: usize = 8 * 1024;

/// The kind of messages a summary line counts (`message-context-class`, RFC 3458).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// `Voice-Message`: voicemail.
    Voice,
    /// `Fax-Message`.
    Fax,
    /// `Pager-Message`.
    Pager,
    /// `Multimedia-Message`.
    Multimedia,
    /// `Text-Message`.
    Text,
    /// `None`.
    None,
}

impl Class {
    /// Every class, in the order of RFC 3842 §5.2.
    pub const ALL: [Class; 6] = [
        Class::Voice,
        Class::Fax,
        Class::Pager,
        Class::Multimedia,
        Class::Text,
        Class::None,
    ];

    /// The header name it is written as.
    pub fn name(self) -> &'static str {
        match self {
            Class::Voice => "Voice-Message",
            Class::Fax => "Fax-Message",
            Class::Pager => "Pager-Message",
            Class::Multimedia => "Multimedia-Message",
            Class::Text => "Text-Message",
            Class::None => "None",
        }
    }

    /// The class a header name (any case) stands for.
    fn from_name(name: &str) -> Option<Class> {
        Class::ALL
            .into_iter()
            .find(|class| class.name().eq_ignore_ascii_case(name))
    }
}

/// New and old messages of a class, and how many of each are urgent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// New (unheard) messages.
    pub new: u32,
    /// Old (heard, kept) messages.
    pub old: u32,
    /// Of the new ones, urgent.
    pub new_urgent: u32,
    /// Of the old ones, urgent.
    pub old_urgent: u32,
}

/// A message summary body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// `Messages-Waiting: yes`: the lamp is lit.
    pub waiting: bool,
    /// `Message-Account`: the box the summary is about (a SIP URI).
    pub account: Option<String>,
    /// One line per class, in the order written.
    pub lines: Vec<(Class, Counts)>,
}

impl Summary {
    /// The counts of the `Voice-Message` line, if there is one.
    pub fn voice(&self) -> Option<Counts> {
        self.lines
            .iter()
            .find(|(class, _)| *class == Class::Voice)
            .map(|(_, counts)| *counts)
    }
}

/// The body for the voice box `account` (a SIP URI, e.g. `sip:2001@rathaus.example`;
/// left out when empty) with `new` unheard and `old` heard messages: waiting while there
/// is a new one. CRLF line ends, as in any SIP body.
pub fn summary(account: &str, new: u32, old: u32) -> String {
    Summary {
        waiting: new > 0,
        account: (!account.is_empty()).then(|| account.to_owned()),
        lines: vec![(
            Class::Voice,
            Counts {
                new,
                old,
                ..Counts::default()
            },
        )],
    }
    .to_string()
}

impl fmt::Display for Summary {
    /// The body: status line, account, summary lines (always with the urgent counts).
    /// Control characters in the account are left out, so it stays one line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = if self.waiting { "yes" } else { "no" };
        write!(f, "Messages-Waiting: {status}\r\n")?;
        if let Some(account) = &self.account {
            let account: String = account.chars().filter(|c| !c.is_control()).collect();
            write!(f, "Message-Account: {account}\r\n")?;
        }
        for (class, c) in &self.lines {
            write!(
                f,
                "{}: {}/{} ({}/{})\r\n",
                class.name(),
                c.new,
                c.old,
                c.new_urgent,
                c.old_urgent
            )?;
        }
        Ok(())
    }
}

/// Reads a message summary body (RFC 3842 §5.2). Lines may end in CRLF or, leniently, LF;
/// header names are read in any case. What follows the first empty line (the optional
/// headers of single messages) is skipped.
pub fn parse(body: &[u8]) -> Result<Summary, Error> {
    let invalid = |why: &'static str, line: &str| Error::InvalidSummary {
        why,
        line: line.chars().take(80).collect(),
    };
    if body.len() > MAX_BODY {
        return Err(invalid("longer than 8 KiB", ""));
    }
    let text = std::str::from_utf8(body).map_err(|_| invalid("not UTF-8", ""))?;
    let mut lines = text
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .take_while(|line| !line.is_empty());

    let first = lines
        .next()
        .ok_or_else(|| invalid("no Messages-Waiting line", ""))?;
    let (name, value) = header(first).ok_or_else(|| invalid("not a header line", first))?;
    if !name.eq_ignore_ascii_case("Messages-Waiting") {
        return Err(invalid("the first line is not Messages-Waiting", first));
    }
    let waiting = match value.to_ascii_lowercase().as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(invalid("Messages-Waiting is neither yes nor no", first)),
    };

    let mut summary = Summary {
        waiting,
        ..Summary::default()
    };
    for line in lines {
        let (name, value) = header(line).ok_or_else(|| invalid("not a header line", line))?;
        if name.eq_ignore_ascii_case("Message-Account") {
            if summary.account.is_some() || !summary.lines.is_empty() {
                return Err(invalid("Message-Account out of place", line));
            }
            if value.is_empty() {
                return Err(invalid("an empty Message-Account", line));
            }
            summary.account = Some(value.to_owned());
        } else if let Some(class) = Class::from_name(name) {
            let counts = counts(value).ok_or_else(|| invalid("counts are not n/n (n/n)", line))?;
            summary.lines.push((class, counts));
        } else {
            return Err(invalid("an unknown header before the empty line", line));
        }
    }
    Ok(summary)
}

/// `name: value` (HCOLON: blanks before and after the colon), both trimmed.
fn header(line: &str) -> Option<(&str, &str)> {
    let (name, value) = line.split_once(':')?;
    let name = name.trim_end_matches([' ', '\t']);
    let token = |c: char| c.is_ascii_alphanumeric() || c == '-';
    (!name.is_empty() && name.chars().all(token)).then(|| (name, value.trim_matches([' ', '\t'])))
}

/// `new/old` with an optional ` (new_urgent/old_urgent)`, blanks allowed around `/` and
/// the parentheses (SLASH, LPAREN, RPAREN are SWS-padded).
fn counts(value: &str) -> Option<Counts> {
    let compact: String = value.chars().filter(|c| !matches!(c, ' ' | '\t')).collect();
    let (plain, urgent) = match compact.split_once('(') {
        Some((plain, rest)) => (plain, Some(rest.strip_suffix(')')?)),
        None => (compact.as_str(), None),
    };
    let pair = |text: &str| -> Option<(u32, u32)> {
        let (a, b) = text.split_once('/')?;
        Some((count(a)?, count(b)?))
    };
    let (new, old) = pair(plain)?;
    let (new_urgent, old_urgent) = match urgent {
        Some(text) => pair(text)?,
        None => (0, 0),
    };
    Some(Counts {
        new,
        old,
        new_urgent,
        old_urgent,
    })
}

/// `msgcount = 1*DIGIT`, within u32.
fn count(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read(body: &str) -> Summary {
        parse(body.as_bytes()).unwrap_or_else(|e| panic!("{body:?}: {e}"))
    }

    fn why(body: &str) -> &'static str {
        match parse(body.as_bytes()) {
            Err(Error::InvalidSummary { why, .. }) => why,
            other => panic!("{body:?}: expected an error, got {other:?}"),
        }
    }

    #[test]
    fn the_rfcs_example_bodies() {
        // RFC 3842 §3.5: the summary of Alice's box.
        let alice = read(
            "Messages-Waiting: yes\r\n\
             Message-Account: sip:alice@vmail.example.com\r\n\
             Voice-Message: 2/8 (0/2)\r\n",
        );
        assert!(alice.waiting);
        assert_eq!(
            alice.account.as_deref(),
            Some("sip:alice@vmail.example.com")
        );
        assert_eq!(
            alice.voice(),
            Some(Counts {
                new: 2,
                old: 8,
                new_urgent: 0,
                old_urgent: 2
            })
        );
        // The same with the headers of a new message after the empty line (§3.5, §5.2's
        // opt-msg-headers): read up to the empty line.
        let with_headers = read(
            "Messages-Waiting: yes\r\n\
             Message-Account: sip:alice@vmail.example.com\r\n\
             Voice-Message: 4/8 (1/2)\r\n\
             \r\n\
             To: <alice@atlanta.example.com>\r\n\
             From: <bob@biloxi.example.com>\r\n\
             Subject: carpool tomorrow?\r\n\
             Priority: normal\r\n\
             Message-ID: 13FB45AE1@vmail.example.com\r\n",
        );
        assert_eq!(
            with_headers.voice(),
            Some(Counts {
                new: 4,
                old: 8,
                new_urgent: 1,
                old_urgent: 2
            })
        );
        // The boolean-only body a simple system sends.
        assert_eq!(read("Messages-Waiting: no\r\n"), Summary::default());
    }

    #[test]
    fn our_body_is_exactly_what_the_rfc_shows() {
        assert_eq!(
            summary("sip:alice@vmail.example.com", 2, 8),
            "Messages-Waiting: yes\r\nMessage-Account: sip:alice@vmail.example.com\r\nVoice-Message: 2/8 (0/0)\r\n"
        );
        // Only old messages: the lamp goes out, the counts stay.
        assert_eq!(
            summary("sip:2001@rathaus.example", 0, 3),
            "Messages-Waiting: no\r\nMessage-Account: sip:2001@rathaus.example\r\nVoice-Message: 0/3 (0/0)\r\n"
        );
        // An empty box, and no account.
        assert_eq!(
            summary("", 0, 0),
            "Messages-Waiting: no\r\nVoice-Message: 0/0 (0/0)\r\n"
        );
        // An account with a line break cannot add a header.
        assert_eq!(
            summary("sip:a@b\r\nMessages-Waiting: no", 1, 0),
            "Messages-Waiting: yes\r\nMessage-Account: sip:a@bMessages-Waiting: no\r\nVoice-Message: 1/0 (0/0)\r\n"
        );
    }

    #[test]
    fn lenient_where_phones_differ() {
        let summary = read(
            "messages-waiting :YES\n\
             message-account:\tsip:2001@rathaus.example\n\
             voice-message: 1 / 2\n\
             Fax-Message: 0/1 ( 0 / 1 )\n",
        );
        assert!(summary.waiting);
        assert_eq!(
            summary.lines,
            vec![
                (
                    Class::Voice,
                    Counts {
                        new: 1,
                        old: 2,
                        ..Counts::default()
                    }
                ),
                (
                    Class::Fax,
                    Counts {
                        new: 0,
                        old: 1,
                        new_urgent: 0,
                        old_urgent: 1
                    }
                ),
            ]
        );
        // No line end at all after the status.
        assert!(read("Messages-Waiting: yes").waiting);
    }

    #[test]
    fn what_breaks_the_grammar_is_refused_with_the_reason() {
        assert_eq!(why(""), "no Messages-Waiting line");
        assert_eq!(
            why("\r\nMessages-Waiting: yes\r\n"),
            "no Messages-Waiting line"
        );
        assert_eq!(
            why("Voice-Message: 1/0\r\nMessages-Waiting: yes\r\n"),
            "the first line is not Messages-Waiting"
        );
        assert_eq!(
            why("Messages-Waiting: maybe\r\n"),
            "Messages-Waiting is neither yes nor no"
        );
        assert_eq!(why("Messages-Waiting yes\r\n"), "not a header line");
        for bad in [
            "1",
            "1/",
            "/1",
            "-1/0",
            "1/0 (1)",
            "1/0 (1/0",
            "a/b",
            "4294967296/0",
        ] {
            assert_eq!(
                why(&format!(
                    "Messages-Waiting: yes\r\nVoice-Message: {bad}\r\n"
                )),
                "counts are not n/n (n/n)",
                "{bad:?}"
            );
        }
        assert_eq!(
            why("Messages-Waiting: yes\r\nSubject: hello\r\n"),
            "an unknown header before the empty line"
        );
        assert_eq!(
            why(
                "Messages-Waiting: yes\r\nMessage-Account: sip:a@b\r\nMessage-Account: sip:c@d\r\n"
            ),
            "Message-Account out of place"
        );
        assert_eq!(
            why("Messages-Waiting: yes\r\nMessage-Account:\r\n"),
            "an empty Message-Account"
        );
        assert_eq!(why(&"x".repeat(MAX_BODY + 1)), "longer than 8 KiB");
        assert_eq!(
            parse(b"Messages-Waiting: yes\r\n\xff\r\n"),
            Err(Error::InvalidSummary {
                why: "not UTF-8",
                line: String::new()
            })
        );
    }

    fn any_counts() -> impl Strategy<Value = Counts> {
        (any::<u32>(), any::<u32>(), any::<u32>(), any::<u32>()).prop_map(
            |(new, old, new_urgent, old_urgent)| Counts {
                new,
                old,
                new_urgent,
                old_urgent,
            },
        )
    }

    fn any_summary() -> impl Strategy<Value = Summary> {
        (
            any::<bool>(),
            proptest::option::of("sips?:[a-z0-9*#]{1,8}@[a-z0-9.-]{1,16}"),
            proptest::collection::vec(
                (proptest::sample::select(Class::ALL.to_vec()), any_counts()),
                0..6,
            ),
        )
            .prop_map(|(waiting, account, lines)| Summary {
                waiting,
                account,
                lines,
            })
    }

    proptest! {
        #[test]
        fn writing_then_reading_gives_the_same_summary(summary in any_summary()) {
            prop_assert_eq!(parse(summary.to_string().as_bytes()), Ok(summary));
        }

        #[test]
        fn the_voice_box_body_reads_back(new in any::<u32>(), old in any::<u32>()) {
            let read = parse(super::summary("sip:2001@rathaus.example", new, old).as_bytes())
                .expect("our own body");
            prop_assert_eq!(read.waiting, new > 0);
            prop_assert_eq!(read.voice(), Some(Counts { new, old, ..Counts::default() }));
        }

        #[test]
        fn any_bytes_are_read_or_refused_without_a_panic(body in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = parse(&body);
        }

        #[test]
        fn header_like_text_is_read_or_refused_without_a_panic(
            body in "(Messages-Waiting|Voice-Message|Message-Account|x)? ?: ?[ -~]{0,20}(\r?\n[A-Za-z-]{0,16}:[ -~(/)0-9]{0,20}){0,4}"
        ) {
            let _ = parse(body.as_bytes());
        }
    }
}
