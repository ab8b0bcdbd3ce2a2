//! What is wrong with one field of a case: every bad field gets its own error, naming the
//! field by its label, with a stable code a client can use to mark it.
//!
//! The texts repeat what was typed (shortened) so the person sees which entry is meant;
//! they are answers to that person, never log lines.

use crate::german;

/// Typed text repeated in a message is cut to this many characters.
const SHOWN: usize = 40;

/// One refused field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.message())]
pub struct FieldError {
    /// The field's key (for an unknown field: the key that arrived).
    pub key: String,
    /// The field's label (for an unknown field: the key).
    pub label: String,
    /// What is wrong.
    pub problem: Problem,
}

/// What is wrong with a field's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// A required field is empty.
    Missing,
    /// The form has no field with this key.
    UnknownField,
    /// A value of another JSON type (e.g. a number for a text field).
    WrongType {
        /// What the field takes, in German ("ein Text", "ja oder nein").
        expected: &'static str,
    },
    /// Longer than the field allows.
    TooLong {
        /// The limit in characters.
        max: usize,
    },
    /// Control characters (other than line breaks in long texts).
    ControlCharacter,
    /// Not a number.
    NotANumber {
        /// What arrived.
        raw: String,
    },
    /// Below the field's minimum.
    BelowMin {
        /// The minimum.
        min: f64,
    },
    /// Above the field's maximum.
    AboveMax {
        /// The maximum.
        max: f64,
    },
    /// Not a calendar day.
    NotADate {
        /// What arrived.
        raw: String,
    },
    /// Not a day with a time.
    NotADateTime {
        /// What arrived.
        raw: String,
    },
    /// Not one of a choice's options.
    NotAnOption {
        /// What arrived.
        raw: String,
    },
    /// Not a telephone number.
    NotAPhoneNumber {
        /// What arrived.
        raw: String,
    },
    /// Not an e-mail address.
    NotAnEmail {
        /// What arrived.
        raw: String,
    },
    /// Not the id of an appointment slot.
    NotASlot,
    /// No slot with this id at this hotline (found by the store).
    SlotUnknown {
        /// The id.
        slot: i64,
    },
    /// The slot has begun; it cannot be booked any more (found by the store).
    SlotStarted {
        /// The id.
        slot: i64,
    },
    /// Every place of the slot is taken (found by the store).
    SlotFull {
        /// The id.
        slot: i64,
        /// Its places.
        capacity: i64,
    },
}

impl Problem {
    /// A stable code for the problem.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Missing => "missing",
            Problem::UnknownField => "unknown_field",
            Problem::WrongType { .. } => "wrong_type",
            Problem::TooLong { .. } => "too_long",
            Problem::ControlCharacter => "control_character",
            Problem::NotANumber { .. } => "not_a_number",
            Problem::BelowMin { .. } => "below_min",
            Problem::AboveMax { .. } => "above_max",
            Problem::NotADate { .. } => "not_a_date",
            Problem::NotADateTime { .. } => "not_a_date_time",
            Problem::NotAnOption { .. } => "not_an_option",
            Problem::NotAPhoneNumber { .. } => "not_a_phone_number",
            Problem::NotAnEmail { .. } => "not_an_email",
            Problem::NotASlot => "not_a_slot",
            Problem::SlotUnknown { .. } => "slot_unknown",
            Problem::SlotStarted { .. } => "slot_started",
            Problem::SlotFull { .. } => "slot_full",
        }
    }

    /// Whether the value conflicts with what others stored meanwhile (a full slot), as
    /// opposed to being wrong in itself.
    pub fn is_conflict(&self) -> bool {
        matches!(self, Problem::SlotFull { .. })
    }
}

/// Typed text as a message repeats it: at most [`SHOWN`] characters.
fn shown(raw: &str) -> String {
    if raw.chars().count() <= SHOWN {
        raw.to_string()
    } else {
        let cut: String = raw.chars().take(SHOWN - 1).collect();
        format!("{cut}…")
    }
}

impl FieldError {
    /// An error of the field `key` labelled `label`.
    pub fn new(key: &str, label: &str, problem: Problem) -> FieldError {
        FieldError {
            key: key.to_string(),
            label: label.to_string(),
            problem,
        }
    }

    /// The German message.
    pub fn message(&self) -> String {
        let label = &self.label;
        match &self.problem {
            Problem::Missing => format!("„{label}“ ist ein Pflichtfeld."),
            Problem::UnknownField => format!("Das Formular hat kein Feld „{}“.", shown(label)),
            Problem::WrongType { expected } => format!("„{label}“: erwartet wird {expected}."),
            Problem::TooLong { max } => {
                format!("„{label}“ ist zu lang (höchstens {max} Zeichen).")
            }
            Problem::ControlCharacter => {
                format!("„{label}“ enthält Steuerzeichen; bitte den Text neu eingeben.")
            }
            Problem::NotANumber { raw } => format!("„{label}“: „{}“ ist keine Zahl.", shown(raw)),
            Problem::BelowMin { min } => {
                format!("„{label}“ muss mindestens {} sein.", german::number(*min))
            }
            Problem::AboveMax { max } => {
                format!("„{label}“ darf höchstens {} sein.", german::number(*max))
            }
            Problem::NotADate { raw } => format!(
                "„{label}“: „{}“ ist kein gültiges Datum (TT.MM.JJJJ).",
                shown(raw)
            ),
            Problem::NotADateTime { raw } => format!(
                "„{label}“: „{}“ ist kein gültiger Zeitpunkt (TT.MM.JJJJ HH:MM).",
                shown(raw)
            ),
            Problem::NotAnOption { raw } => format!(
                "„{label}“: „{}“ ist keine der Auswahlmöglichkeiten.",
                shown(raw)
            ),
            Problem::NotAPhoneNumber { raw } => format!(
                "„{label}“: „{}“ ist keine Telefonnummer. Erlaubt sind Ziffern, Leerzeichen, \
                 „/“, „-“, Klammern und ein „+“ am Anfang.",
                shown(raw)
            ),
            Problem::NotAnEmail { raw } => format!(
                "„{label}“: „{}“ ist keine gültige E-Mail-Adresse.",
                shown(raw)
            ),
            Problem::NotASlot => format!("„{label}“: erwartet wird die Nummer eines Termins."),
            Problem::SlotUnknown { slot } => {
                format!("„{label}“: Den Termin {slot} gibt es bei dieser Hotline nicht.")
            }
            Problem::SlotStarted { .. } => format!(
                "„{label}“: Der Termin hat schon begonnen und kann nicht mehr gebucht werden."
            ),
            Problem::SlotFull { capacity, .. } => format!(
                "„{label}“: Der Termin ist ausgebucht (alle {capacity} Plätze sind vergeben). \
                 Bitte einen anderen Termin wählen."
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_field_and_shorten_what_was_typed() {
        let e = FieldError::new("age", "Alter", Problem::BelowMin { min: 0.5 });
        assert_eq!(e.to_string(), "„Alter“ muss mindestens 0,5 sein.");
        let long = "x".repeat(100);
        let e = FieldError::new("mail", "E-Mail", Problem::NotAnEmail { raw: long });
        assert_eq!(
            e.to_string(),
            format!(
                "„E-Mail“: „{}…“ ist keine gültige E-Mail-Adresse.",
                "x".repeat(39)
            )
        );
        let full = FieldError::new(
            "slot",
            "Testtermin",
            Problem::SlotFull {
                slot: 4,
                capacity: 10,
            },
        );
        assert!(full.problem.is_conflict());
        assert_eq!(full.problem.code(), "slot_full");
        assert_eq!(
            full.to_string(),
            "„Testtermin“: Der Termin ist ausgebucht (alle 10 Plätze sind vergeben). Bitte \
             einen anderen Termin wählen."
        );
    }
}
