//! Why a form cannot be saved: the first problem found, in the order of the fields, as a
//! German sentence naming the field and a stable code.

use crate::german;

/// Why a form cannot be saved; the message names the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FormError {
    /// More fields than [`crate::form::MAX_FIELDS`].
    #[error("Das Formular hat {count} Felder; höchstens {max} sind möglich.")]
    TooManyFields {
        /// How many arrived.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A key that is empty, too long or has other characters.
    #[error(
        "Feld {position}: Der Schlüssel „{key}“ geht nicht. Erlaubt sind 1 bis 40 \
         Kleinbuchstaben (a–z), Ziffern und „_“, am Anfang ein Buchstabe."
    )]
    KeyInvalid {
        /// The field's place in the form, from 1.
        position: usize,
        /// The key.
        key: String,
    },
    /// Two fields with the same key.
    #[error(
        "Der Schlüssel „{key}“ kommt mehrmals vor (zuletzt bei „{label}“). Jedes Feld \
         braucht einen eigenen Schlüssel."
    )]
    KeyDuplicate {
        /// The key.
        key: String,
        /// The label of the second field with it.
        label: String,
    },
    /// A label that is empty after trimming.
    #[error("Das Feld „{key}“ hat keine Bezeichnung.")]
    LabelMissing {
        /// The field's key.
        key: String,
    },
    /// A label longer than [`crate::form::MAX_LABEL`].
    #[error("Die Bezeichnung des Felds „{key}“ ist zu lang (höchstens {max} Zeichen).")]
    LabelTooLong {
        /// The field's key.
        key: String,
        /// The limit.
        max: usize,
    },
    /// A help text longer than [`crate::form::MAX_HELP`].
    #[error("Der Hilfetext des Felds „{label}“ ist zu lang (höchstens {max} Zeichen).")]
    HelpTooLong {
        /// The field's label.
        label: String,
        /// The limit.
        max: usize,
    },
    /// A choice without options.
    #[error("Das Auswahlfeld „{label}“ hat keine Auswahlmöglichkeiten.")]
    OptionsMissing {
        /// The field's label.
        label: String,
    },
    /// Options on a field that is not a choice.
    #[error("Das Feld „{label}“ ist kein Auswahlfeld und kann keine Auswahlmöglichkeiten haben.")]
    OptionsNotAllowed {
        /// The field's label.
        label: String,
    },
    /// More options than [`crate::form::MAX_OPTIONS`].
    #[error(
        "Das Auswahlfeld „{label}“ hat {count} Auswahlmöglichkeiten; höchstens {max} sind möglich."
    )]
    TooManyOptions {
        /// The field's label.
        label: String,
        /// How many arrived.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// An option that is empty after trimming.
    #[error("Das Auswahlfeld „{label}“ hat eine leere Auswahlmöglichkeit.")]
    OptionEmpty {
        /// The field's label.
        label: String,
    },
    /// An option longer than [`crate::form::MAX_OPTION`].
    #[error(
        "Das Auswahlfeld „{label}“ hat eine zu lange Auswahlmöglichkeit (höchstens {max} Zeichen)."
    )]
    OptionTooLong {
        /// The field's label.
        label: String,
        /// The limit.
        max: usize,
    },
    /// The same option twice.
    #[error("Das Auswahlfeld „{label}“ hat „{option}“ mehrmals.")]
    OptionDuplicate {
        /// The field's label.
        label: String,
        /// The option.
        option: String,
    },
    /// Bounds on a field that is not a number.
    #[error(
        "Das Feld „{label}“ ist kein Zahlenfeld und kann keinen Mindest- oder Höchstwert haben."
    )]
    BoundsNotAllowed {
        /// The field's label.
        label: String,
    },
    /// A minimum above the maximum.
    #[error(
        "Das Zahlenfeld „{label}“: Der Mindestwert {} ist größer als der Höchstwert {}.",
        german::number(*.min),
        german::number(*.max)
    )]
    BoundsReversed {
        /// The field's label.
        label: String,
        /// The minimum.
        min: f64,
        /// The maximum.
        max: f64,
    },
    /// A bound that is not a finite number.
    #[error("Das Zahlenfeld „{label}“ hat einen ungültigen Mindest- oder Höchstwert.")]
    BoundNotFinite {
        /// The field's label.
        label: String,
    },
    /// Stored text that is not a form (only from the database).
    #[error("Das gespeicherte Formular ist nicht lesbar: {0}")]
    Unreadable(String),
}

impl FormError {
    /// A stable code for what is wrong, so a client can explain it in its own language.
    pub fn code(&self) -> &'static str {
        match self {
            FormError::TooManyFields { .. } => "too_many_fields",
            FormError::KeyInvalid { .. } => "key_invalid",
            FormError::KeyDuplicate { .. } => "key_duplicate",
            FormError::LabelMissing { .. } => "label_missing",
            FormError::LabelTooLong { .. } => "label_too_long",
            FormError::HelpTooLong { .. } => "help_too_long",
            FormError::OptionsMissing { .. } => "options_missing",
            FormError::OptionsNotAllowed { .. } => "options_not_allowed",
            FormError::TooManyOptions { .. } => "too_many_options",
            FormError::OptionEmpty { .. } => "option_empty",
            FormError::OptionTooLong { .. } => "option_too_long",
            FormError::OptionDuplicate { .. } => "option_duplicate",
            FormError::BoundsNotAllowed { .. } => "bounds_not_allowed",
            FormError::BoundsReversed { .. } => "bounds_reversed",
            FormError::BoundNotFinite { .. } => "bound_not_finite",
            FormError::Unreadable(_) => "unreadable",
        }
    }
}
