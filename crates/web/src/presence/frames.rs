//! The presence part of the real-time protocol: `presence.set`, `presence.activity`,
//! `presence.subscribe`, `watch.add`, `watch.remove` from clients; `presence`,
//! `presence.snapshot` and `watch.fired` to them.

use crate::realtime::frames::{missing, string, with_ref, Envelope, FrameError};
use crate::time_format::{iso_utc, parse_iso};
use presence::{Entry, Location, Manual, State, View};
use serde_json::{json, Value};

/// A presence request of a client.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Set own presence.
    Set(PresenceBody),
    /// Idle or back.
    Activity {
        /// Idle.
        idle: bool,
    },
    /// Follow more people.
    Subscribe {
        /// Logins.
        logins: Vec<String>,
    },
    /// Add a watch.
    WatchAdd {
        /// On whom.
        login: String,
    },
    /// Remove a watch.
    WatchRemove {
        /// On whom.
        login: String,
    },
}

/// Reads a `presence.…` or `watch.…` frame.
pub fn request(e: &Envelope) -> Result<Request, FrameError> {
    let o = &e.body;
    Ok(match e.kind.as_str() {
        "presence.set" => Request::Set(serde_json::from_value(Value::Object(o.clone())).map_err(
            |_| FrameError::BadRequest("„state“ fehlt oder ein Feld hat den falschen Typ.".into()),
        )?),
        "presence.activity" => Request::Activity {
            idle: o
                .get("idle")
                .and_then(Value::as_bool)
                .ok_or_else(|| missing("idle"))?,
        },
        "presence.subscribe" => {
            let logins = o
                .get("logins")
                .and_then(Value::as_array)
                .ok_or_else(|| missing("logins"))?
                .iter()
                .map(|l| {
                    l.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| missing("logins"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Request::Subscribe { logins }
        }
        "watch.add" => Request::WatchAdd {
            login: string(o, "login")?,
        },
        "watch.remove" => Request::WatchRemove {
            login: string(o, "login")?,
        },
        other => return Err(FrameError::unknown(other)),
    })
}

/// The body of `presence.set` and `PUT /api/v1/me/presence`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
pub struct PresenceBody {
    /// `available`, `busy`, `away`, `do_not_disturb` or `offline` (calls and meetings set
    /// the others).
    #[schema(example = "busy")]
    pub state: String,
    /// `office`, `home_office` or `on_the_road`.
    #[serde(default)]
    pub location: Option<String>,
    /// A short note, at most 200 characters.
    #[serde(default)]
    pub note: Option<String>,
    /// Until when (ISO 8601); then the state is available again.
    #[serde(default)]
    pub until: Option<String>,
}

impl PresenceBody {
    /// Checks it into a [`Manual`] at `now_ms`; the error is a German sentence.
    pub fn to_manual(&self, now_ms: i64) -> Result<Manual, String> {
        let state = State::parse(&self.state)
            .map_err(|_| format!("Unbekannter Status „{}“.", self.state))?;
        let location = match self.location.as_deref() {
            None | Some("") => None,
            Some(l) => {
                Some(Location::parse(l).map_err(|_| format!("Unbekannter Arbeitsort „{l}“."))?)
            }
        };
        let until = match self.until.as_deref() {
            None | Some("") => None,
            Some(u) => Some(
                parse_iso(u).ok_or_else(|| format!("„{u}“ ist keine Zeitangabe (ISO 8601)."))?
                    * 1000,
            ),
        };
        Manual::new(state, location, self.note.as_deref(), until, now_ms).map_err(|e| match e {
            presence::PresenceError::NotManual(_) => {
                "„Im Gespräch“ und „In Besprechung“ setzen Anrufe und Besprechungen, nicht Sie."
                    .to_owned()
            }
            presence::PresenceError::NoteTooLong { max } => {
                format!("Die Notiz ist länger als {max} Zeichen.")
            }
            presence::PresenceError::NoteControlCharacters => {
                "Die Notiz enthält Steuerzeichen.".to_owned()
            }
            presence::PresenceError::UntilInPast => "„Bis“ muss in der Zukunft liegen.".to_owned(),
            other => other.to_string(),
        })
    }
}

/// A person's presence as the viewer may see it (REST and WebSocket alike).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PresenceEntry {
    login: String,
    /// `available`, `busy`, `on_the_phone`, `in_a_meeting`, `away`, `do_not_disturb` or
    /// `offline`.
    #[schema(example = "available")]
    state: &'static str,
    /// `office`, `home_office` or `on_the_road`; only for whom the settings allow.
    location: Option<&'static str>,
    /// The person's note; only for whom the settings allow.
    note: Option<String>,
    /// Until when the hand-set state holds (ISO 8601, UTC).
    until: Option<String>,
    /// When the state last changed (ISO 8601, UTC).
    changed_at: String,
    /// A hotline agent's duty: `ready`, `paused` or `wrap_up`; absent when not logged
    /// in to a hotline (or offline).
    #[serde(skip_serializing_if = "Option::is_none")]
    hotline: Option<&'static str>,
}

/// A presence entry as `view` allows.
pub fn entry_json(login: &str, e: &Entry, view: View) -> Value {
    // The hub gives others an empty view of offline people; `until` goes with the note.
    let until = e
        .manual
        .until_ms
        .filter(|_| view.note || e.state != State::Offline);
    let entry = PresenceEntry {
        login: login.to_owned(),
        state: e.state.as_str(),
        location: e
            .manual
            .location
            .filter(|_| view.location)
            .map(Location::as_str),
        note: e.manual.note.clone().filter(|_| view.note),
        until: until.map(|ms| iso_utc(ms / 1000)),
        changed_at: iso_utc(e.changed_ms / 1000),
        hotline: e
            .duty
            .filter(|_| e.state != State::Offline)
            .map(presence::Duty::as_str),
    };
    serde_json::to_value(entry).unwrap_or_default()
}

/// `presence`.
pub fn presence(login: &str, e: &Entry, view: View) -> String {
    json!({"type": "presence", "entry": entry_json(login, e, view)}).to_string()
}

/// `presence.snapshot`.
pub fn snapshot(entries: Vec<Value>, reference: Option<&Value>) -> String {
    with_ref(
        json!({"type": "presence.snapshot", "entries": entries}),
        reference,
    )
}

/// `watch.fired`.
pub fn watch_fired(login: &str, name: &str) -> String {
    json!({"type": "watch.fired", "login": login, "name": name, "state": "available"}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::realtime::frames::parse;

    fn read(text: &str) -> Result<Request, FrameError> {
        request(&parse(text).1.unwrap())
    }

    #[test]
    fn reads_every_presence_request() {
        assert_eq!(
            read(r#"{"type":"presence.activity","idle":true}"#),
            Ok(Request::Activity { idle: true })
        );
        assert_eq!(
            read(r#"{"type":"watch.add","login":"a.b"}"#),
            Ok(Request::WatchAdd {
                login: "a.b".into()
            })
        );
        let Ok(Request::Set(body)) =
            read(r#"{"type":"presence.set","ref":7,"state":"busy","note":"Akten"}"#)
        else {
            panic!()
        };
        assert_eq!(body.to_manual(0).unwrap().note.as_deref(), Some("Akten"));
        assert!(matches!(
            read(r#"{"type":"presence.fly"}"#),
            Err(FrameError::UnknownType(_))
        ));
    }

    #[test]
    fn bad_bodies_say_why_in_german() {
        let body = |state: &str, location: Option<&str>, until: Option<&str>| PresenceBody {
            state: state.into(),
            location: location.map(Into::into),
            note: None,
            until: until.map(Into::into),
        };
        assert!(body("on_the_phone", None, None)
            .to_manual(0)
            .unwrap_err()
            .contains("Anrufe"));
        assert!(body("busy", Some("garden"), None)
            .to_manual(0)
            .unwrap_err()
            .contains("garden"));
        assert!(body("busy", None, Some("morgen"))
            .to_manual(0)
            .unwrap_err()
            .contains("morgen"));
    }

    #[test]
    fn privacy_hides_location_and_note() {
        let e = Entry {
            person: presence::PersonId(1),
            state: State::Busy,
            manual: Manual::new(
                State::Busy,
                Some(Location::HomeOffice),
                Some("Akten"),
                None,
                0,
            )
            .unwrap(),
            changed_ms: 1_795_000_000_000,
            duty: None,
        };
        let hidden = entry_json("a", &e, View::default());
        assert_eq!(hidden["location"], Value::Null);
        assert_eq!(hidden["note"], Value::Null);
        assert_eq!(hidden["state"], "busy");
        let all = entry_json("a", &e, View::ALL);
        assert_eq!(all["location"], "home_office");
        assert_eq!(all["changed_at"], "2026-11-18T11:06:40Z");
        assert!(all.get("hotline").is_none(), "no hotline duty, no field");
    }

    #[test]
    fn a_hotline_duty_shows_unless_offline() {
        let mut e = Entry {
            person: presence::PersonId(1),
            state: State::Busy,
            manual: Manual::default(),
            changed_ms: 0,
            duty: Some(presence::Duty::WrapUp),
        };
        assert_eq!(entry_json("a", &e, View::default())["hotline"], "wrap_up");
        e.state = State::Offline;
        assert!(entry_json("a", &e, View::default())
            .get("hotline")
            .is_none());
    }
}
