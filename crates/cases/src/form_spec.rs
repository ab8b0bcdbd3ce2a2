//! The case form as it travels: the JSON of the API and of the database. Options only
//! for choices and bounds only for numbers, which `FormDefinition::validate` enforces.

use serde::{Deserialize, Serialize};

/// The kinds of fields, by the names the JSON uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KindName {
    /// One line of text.
    Text,
    /// Several lines of text (notes).
    LongText,
    /// A number, optionally between a minimum and a maximum.
    Number,
    /// A calendar day.
    Date,
    /// A day and a time of day (local wall-clock time).
    DateTime,
    /// One of a list of options.
    Choice,
    /// Yes or no.
    YesNo,
    /// A telephone number.
    Phone,
    /// An e-mail address.
    Email,
    /// A booking of one of the hotline's appointment slots.
    AppointmentSlot,
}

/// One field as it travels: options only for choices, bounds only for numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// The stable key values are stored under: `a`–`z`, `0`–`9`, `_`, first a letter.
    pub key: String,
    /// What the form shows.
    pub label: String,
    /// The kind.
    pub kind: KindName,
    /// Must be filled in.
    #[serde(default)]
    pub required: bool,
    /// A hint shown with the field.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub help: String,
    /// A choice's options, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// A number's smallest allowed value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// A number's largest allowed value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

/// A whole form as it travels and is stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormSpec {
    /// The fields in the order the form shows them.
    pub fields: Vec<FieldSpec>,
}
