//! Which greeting a caller hears: the absence greeting while it is switched on and its
//! last day has not passed, else the personal greeting if the person recorded one, else
//! the built-in default in the box owner's language ("Sie sind verbunden mit der Mailbox
//! von … Bitte hinterlassen Sie eine Nachricht nach dem Signalton.").
//!
//! "Today" is the organisation's local day, worked out by the shell from the clock and the
//! time zone: an absence until Friday plays all of Friday, local time, and no longer on
//! Saturday.

use crate::{Date, Language};

/// The greetings a box has, as its owner set them in the web client.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Greetings {
    /// A personal greeting is recorded (or uploaded).
    pub personal: bool,
    /// An absence greeting is recorded and switched on.
    pub absence: Option<Absence>,
    /// The owner's language, for the built-in greeting.
    pub language: Language,
}

/// A switched-on absence greeting (during leave, say).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Absence {
    /// The last day it plays (inclusive, local); `None`: until it is switched off.
    pub last_day: Option<Date>,
}

impl Absence {
    /// Whether the absence greeting still plays on `today`.
    pub fn plays_on(&self, today: Date) -> bool {
        self.last_day.is_none_or(|last| today <= last)
    }
}

/// The greeting a caller hears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Greeting {
    /// The owner's recorded absence greeting.
    Absence,
    /// The owner's recorded personal greeting.
    Personal,
    /// The built-in greeting (`audio::prompts::voicemail_greeting`) in `language`.
    Default {
        /// The owner's language.
        language: Language,
    },
}

/// The greeting a caller hears on `today` (the organisation's local date).
pub fn choose(greetings: &Greetings, today: Date) -> Greeting {
    if greetings.absence.is_some_and(|a| a.plays_on(today)) {
        Greeting::Absence
    } else if greetings.personal {
        Greeting::Personal
    } else {
        Greeting::Default {
            language: greetings.language,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        text.parse().expect("a date")
    }

    const TODAY: &str = "2026-12-07";

    fn greetings(personal: bool, absence: Option<Option<&str>>) -> Greetings {
        Greetings {
            personal,
            absence: absence.map(|last| Absence {
                last_day: last.map(date),
            }),
            language: Language::German,
        }
    }

    #[test]
    fn an_absence_plays_until_its_last_day_inclusive() {
        let today = date(TODAY);
        for personal in [false, true] {
            // Until today: still today.
            let until_today = greetings(personal, Some(Some(TODAY)));
            assert_eq!(choose(&until_today, today), Greeting::Absence);
            let until_tomorrow = greetings(personal, Some(Some("2026-12-08")));
            assert_eq!(choose(&until_tomorrow, today), Greeting::Absence);
            // Until yesterday: over, the next greeting in line plays.
            let until_yesterday = greetings(personal, Some(Some("2026-12-06")));
            let after = if personal {
                Greeting::Personal
            } else {
                Greeting::Default {
                    language: Language::German,
                }
            };
            assert_eq!(choose(&until_yesterday, today), after);
        }
    }

    #[test]
    fn an_absence_without_an_end_plays_until_switched_off() {
        let open = greetings(true, Some(None));
        assert_eq!(choose(&open, date(TODAY)), Greeting::Absence);
        assert_eq!(choose(&open, date("9999-12-31")), Greeting::Absence);
        let switched_off = greetings(true, None);
        assert_eq!(choose(&switched_off, date(TODAY)), Greeting::Personal);
    }

    #[test]
    fn without_recordings_the_default_speaks_the_owners_language() {
        assert_eq!(
            choose(&Greetings::default(), date(TODAY)),
            Greeting::Default {
                language: Language::German
            }
        );
        let english = Greetings {
            language: Language::English,
            ..Greetings::default()
        };
        assert_eq!(
            choose(&english, date(TODAY)),
            Greeting::Default {
                language: Language::English
            }
        );
    }

    #[test]
    fn plays_on_crosses_months_and_years() {
        let absence = Absence {
            last_day: Some(date("2026-12-31")),
        };
        assert!(absence.plays_on(date("2026-12-31")));
        assert!(absence.plays_on(date("2026-01-31")));
        assert!(!absence.plays_on(date("2027-01-01")));
    }
}
