//! Presence states, work locations and the part of presence a person sets by hand.

use crate::PresenceError;
use serde::{Deserialize, Serialize};

/// What colleagues see of a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Reachable.
    Available,
    /// Working, but please only if it matters.
    Busy,
    /// In a call (set by telephony, never by hand).
    OnThePhone,
    /// In a meeting (set by meetings, never by hand).
    InAMeeting,
    /// Not at the desk: set by hand or after idle time.
    Away,
    /// Do not disturb.
    DoNotDisturb,
    /// No open client, no phone, or "appear offline".
    #[default]
    Offline,
}

impl State {
    /// All states, in the order a panel lists them.
    pub const ALL: [State; 7] = [
        State::Available,
        State::Busy,
        State::OnThePhone,
        State::InAMeeting,
        State::Away,
        State::DoNotDisturb,
        State::Offline,
    ];

    /// The protocol name (`on_the_phone`).
    pub fn as_str(self) -> &'static str {
        match self {
            State::Available => "available",
            State::Busy => "busy",
            State::OnThePhone => "on_the_phone",
            State::InAMeeting => "in_a_meeting",
            State::Away => "away",
            State::DoNotDisturb => "do_not_disturb",
            State::Offline => "offline",
        }
    }

    /// Reads a protocol name.
    pub fn parse(text: &str) -> Result<State, PresenceError> {
        State::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| PresenceError::UnknownState(text.to_owned()))
    }

    /// Whether a person may choose this state by hand. Calls and meetings set the others.
    pub fn is_manual(self) -> bool {
        !matches!(self, State::OnThePhone | State::InAMeeting)
    }
}

/// Where a person works today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// In the office building.
    Office,
    /// Working from home.
    HomeOffice,
    /// Out of the office on duty.
    OnTheRoad,
}

impl Location {
    /// The protocol name.
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Office => "office",
            Location::HomeOffice => "home_office",
            Location::OnTheRoad => "on_the_road",
        }
    }

    /// Reads a protocol name.
    pub fn parse(text: &str) -> Result<Location, PresenceError> {
        [Location::Office, Location::HomeOffice, Location::OnTheRoad]
            .into_iter()
            .find(|l| l.as_str() == text)
            .ok_or_else(|| PresenceError::UnknownLocation(text.to_owned()))
    }
}

/// The longest status note, in characters.
pub const NOTE_MAX_CHARS: usize = 200;

/// What a person sets by hand: a state, where they work, a note and how long it holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Manual {
    /// The chosen state; `None` means available.
    pub state: Option<State>,
    /// Work location, if given.
    pub location: Option<Location>,
    /// A short note, if given (trimmed, never empty).
    pub note: Option<String>,
    /// Unix milliseconds after which the state returns to available.
    pub until_ms: Option<i64>,
}

impl Manual {
    /// Checks a request to set presence at `now_ms`: only manual states, a note of at most
    /// [`NOTE_MAX_CHARS`] without control characters, and an `until` in the future. The
    /// note is free text shown next to a name, so like a chat message it keeps its marks
    /// but has every bidi override closed (`directory::display_text::balance_bidi`).
    pub fn new(
        state: State,
        location: Option<Location>,
        note: Option<&str>,
        until_ms: Option<i64>,
        now_ms: i64,
    ) -> Result<Manual, PresenceError> {
        if !state.is_manual() {
            return Err(PresenceError::NotManual(state));
        }
        // The limit counts the closers too, so a stored note never exceeds it.
        let note = match note.map(str::trim) {
            None | Some("") => None,
            Some(n) => Some(directory::display_text::balance_bidi(n)),
        };
        match &note {
            Some(n) if n.chars().count() > NOTE_MAX_CHARS => {
                return Err(PresenceError::NoteTooLong {
                    max: NOTE_MAX_CHARS,
                })
            }
            Some(n) if n.chars().any(char::is_control) => {
                return Err(PresenceError::NoteControlCharacters)
            }
            _ => {}
        }
        if let Some(until) = until_ms {
            if until <= now_ms {
                return Err(PresenceError::UntilInPast);
            }
        }
        Ok(Manual {
            state: Some(state).filter(|s| *s != State::Available),
            location,
            note,
            until_ms,
        })
    }

    /// The chosen state (available when none).
    pub fn state(&self) -> State {
        self.state.unwrap_or(State::Available)
    }

    /// What remains when `until` has passed: available, same location, no note.
    pub fn expired(&self) -> Manual {
        Manual {
            state: None,
            location: self.location,
            note: None,
            until_ms: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in State::ALL {
            assert_eq!(State::parse(s.as_str()).unwrap(), s);
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        assert_eq!(
            Location::parse("home_office").unwrap(),
            Location::HomeOffice
        );
        assert!(matches!(
            State::parse("lunch"),
            Err(PresenceError::UnknownState(s)) if s == "lunch"
        ));
        assert!(Location::parse("Home").is_err());
    }

    #[test]
    fn manual_rules() {
        let ok = Manual::new(State::Busy, None, Some("  Akten  "), Some(2_000), 1_000).unwrap();
        assert_eq!(ok.note.as_deref(), Some("Akten"));
        assert_eq!(ok.state(), State::Busy);
        assert_eq!(
            Manual::new(State::OnThePhone, None, None, None, 0),
            Err(PresenceError::NotManual(State::OnThePhone))
        );
        assert_eq!(
            Manual::new(State::Busy, None, None, Some(1_000), 1_000),
            Err(PresenceError::UntilInPast)
        );
        let long = "ä".repeat(NOTE_MAX_CHARS + 1);
        assert!(matches!(
            Manual::new(State::Busy, None, Some(&long), None, 0),
            Err(PresenceError::NoteTooLong { .. })
        ));
        assert!(Manual::new(State::Busy, None, Some(&long[2..]), None, 0).is_ok());
        assert_eq!(
            Manual::new(State::Busy, None, Some("a\u{7}b"), None, 0),
            Err(PresenceError::NoteControlCharacters)
        );
        assert_eq!(
            Manual::new(State::Available, None, Some(" "), None, 0)
                .unwrap()
                .note,
            None
        );
        assert_eq!(
            Manual::new(State::Busy, None, Some("\u{202E}netkA"), None, 0)
                .unwrap()
                .note
                .as_deref(),
            Some("\u{202E}netkA\u{202C}"),
            "an override in a note ends with it"
        );
        let expired = ok.expired();
        assert_eq!(expired.state(), State::Available);
        assert_eq!(expired.note, None);
    }
}
