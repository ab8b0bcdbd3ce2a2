//! The case form of a hotline, as an administrator designs it: fields in order, each with a
//! stable key (the values of cases are stored under it, so a label can change without
//! touching old cases), a label, a kind, a required flag and a help text.
//!
//! [`FormSpec`] is the form as it travels (the JSON of the API and of the database); it
//! becomes a [`FormDefinition`] only through [`FormDefinition::validate`], so the rest of
//! the code never sees a form with two fields of the same key or a choice without options.

pub use crate::form_error::FormError;
pub use crate::form_spec::{FieldSpec, FormSpec, KindName};
use std::collections::HashSet;

/// At most this many fields in a form.
pub const MAX_FIELDS: usize = 100;
/// At most this many characters in a key.
pub const MAX_KEY: usize = 40;
/// At most this many characters in a label.
pub const MAX_LABEL: usize = 100;
/// At most this many characters in a help text.
pub const MAX_HELP: usize = 500;
/// At most this many options in a choice.
pub const MAX_OPTIONS: usize = 100;
/// At most this many characters in an option.
pub const MAX_OPTION: usize = 100;

/// A field's kind with what belongs to it.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    /// One line of text.
    Text,
    /// Several lines of text.
    LongText,
    /// A number within optional bounds (both inclusive).
    Number {
        /// Smallest allowed.
        min: Option<f64>,
        /// Largest allowed.
        max: Option<f64>,
    },
    /// A calendar day.
    Date,
    /// A local day and time.
    DateTime,
    /// One of these options.
    Choice {
        /// The options, trimmed, distinct, not empty.
        options: Vec<String>,
    },
    /// Yes or no.
    YesNo,
    /// A telephone number.
    Phone,
    /// An e-mail address.
    Email,
    /// One of the hotline's appointment slots, by its id.
    AppointmentSlot,
}

impl FieldKind {
    /// The name the JSON uses.
    pub fn name(&self) -> KindName {
        match self {
            FieldKind::Text => KindName::Text,
            FieldKind::LongText => KindName::LongText,
            FieldKind::Number { .. } => KindName::Number,
            FieldKind::Date => KindName::Date,
            FieldKind::DateTime => KindName::DateTime,
            FieldKind::Choice { .. } => KindName::Choice,
            FieldKind::YesNo => KindName::YesNo,
            FieldKind::Phone => KindName::Phone,
            FieldKind::Email => KindName::Email,
            FieldKind::AppointmentSlot => KindName::AppointmentSlot,
        }
    }
}

/// One checked field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The stable key.
    pub key: String,
    /// The label, trimmed.
    pub label: String,
    /// The kind.
    pub kind: FieldKind,
    /// Must be filled in.
    pub required: bool,
    /// The help text, trimmed (may be empty).
    pub help: String,
}

/// A checked form: distinct keys, labels, options and bounds within limits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormDefinition {
    fields: Vec<Field>,
}

fn key_is_valid(key: &str) -> bool {
    let mut chars = key.chars();
    key.len() <= MAX_KEY
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn check_field(position: usize, spec: &FieldSpec) -> Result<Field, FormError> {
    if !key_is_valid(&spec.key) {
        return Err(FormError::KeyInvalid {
            position,
            key: spec.key.clone(),
        });
    }
    let key = spec.key.clone();
    let label = spec.label.trim().to_string();
    if label.is_empty() {
        return Err(FormError::LabelMissing { key });
    }
    if label.chars().count() > MAX_LABEL {
        return Err(FormError::LabelTooLong {
            key,
            max: MAX_LABEL,
        });
    }
    let help = spec.help.trim().to_string();
    if help.chars().count() > MAX_HELP {
        return Err(FormError::HelpTooLong {
            label,
            max: MAX_HELP,
        });
    }
    if spec.kind != KindName::Choice && !spec.options.is_empty() {
        return Err(FormError::OptionsNotAllowed { label });
    }
    if spec.kind != KindName::Number && (spec.min.is_some() || spec.max.is_some()) {
        return Err(FormError::BoundsNotAllowed { label });
    }
    let kind = match spec.kind {
        KindName::Text => FieldKind::Text,
        KindName::LongText => FieldKind::LongText,
        KindName::Number => number(&label, spec.min, spec.max)?,
        KindName::Date => FieldKind::Date,
        KindName::DateTime => FieldKind::DateTime,
        KindName::Choice => FieldKind::Choice {
            options: options(&label, &spec.options)?,
        },
        KindName::YesNo => FieldKind::YesNo,
        KindName::Phone => FieldKind::Phone,
        KindName::Email => FieldKind::Email,
        KindName::AppointmentSlot => FieldKind::AppointmentSlot,
    };
    Ok(Field {
        key,
        label,
        kind,
        required: spec.required,
        help,
    })
}

fn number(label: &str, min: Option<f64>, max: Option<f64>) -> Result<FieldKind, FormError> {
    if min.iter().chain(max.iter()).any(|b| !b.is_finite()) {
        return Err(FormError::BoundNotFinite {
            label: label.to_string(),
        });
    }
    if let (Some(min), Some(max)) = (min, max) {
        if min > max {
            return Err(FormError::BoundsReversed {
                label: label.to_string(),
                min,
                max,
            });
        }
    }
    Ok(FieldKind::Number { min, max })
}

fn options(label: &str, given: &[String]) -> Result<Vec<String>, FormError> {
    let label = || label.to_string();
    if given.is_empty() {
        return Err(FormError::OptionsMissing { label: label() });
    }
    if given.len() > MAX_OPTIONS {
        return Err(FormError::TooManyOptions {
            label: label(),
            count: given.len(),
            max: MAX_OPTIONS,
        });
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(given.len());
    for option in given {
        let option = option.trim();
        if option.is_empty() {
            return Err(FormError::OptionEmpty { label: label() });
        }
        if option.chars().count() > MAX_OPTION {
            return Err(FormError::OptionTooLong {
                label: label(),
                max: MAX_OPTION,
            });
        }
        if !seen.insert(option) {
            return Err(FormError::OptionDuplicate {
                label: label(),
                option: option.to_string(),
            });
        }
        out.push(option.to_string());
    }
    Ok(out)
}

impl FormDefinition {
    /// Checks a form: the first problem found, in the order of the fields.
    pub fn validate(spec: &FormSpec) -> Result<FormDefinition, FormError> {
        if spec.fields.len() > MAX_FIELDS {
            return Err(FormError::TooManyFields {
                count: spec.fields.len(),
                max: MAX_FIELDS,
            });
        }
        let mut keys = HashSet::new();
        let mut fields = Vec::with_capacity(spec.fields.len());
        for (i, field) in spec.fields.iter().enumerate() {
            let field = check_field(i + 1, field)?;
            if !keys.insert(field.key.clone()) {
                return Err(FormError::KeyDuplicate {
                    key: field.key,
                    label: field.label,
                });
            }
            fields.push(field);
        }
        Ok(FormDefinition { fields })
    }

    /// The fields in order.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// The field with this key.
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// The form as it travels.
    pub fn to_spec(&self) -> FormSpec {
        let fields = self
            .fields
            .iter()
            .map(|f| {
                let (options, min, max) = match &f.kind {
                    FieldKind::Choice { options } => (options.clone(), None, None),
                    FieldKind::Number { min, max } => (Vec::new(), *min, *max),
                    _ => (Vec::new(), None, None),
                };
                FieldSpec {
                    key: f.key.clone(),
                    label: f.label.clone(),
                    kind: f.kind.name(),
                    required: f.required,
                    help: f.help.clone(),
                    options,
                    min,
                    max,
                }
            })
            .collect();
        FormSpec { fields }
    }

    /// The JSON the database keeps.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.to_spec()).expect("a form serialises")
    }

    /// The form from the database's JSON, checked again.
    pub fn from_json(text: &str) -> Result<FormDefinition, FormError> {
        let spec: FormSpec =
            serde_json::from_str(text).map_err(|e| FormError::Unreadable(e.to_string()))?;
        FormDefinition::validate(&spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(fields: serde_json::Value) -> FormSpec {
        serde_json::from_value(json!({ "fields": fields })).unwrap()
    }

    fn refusal(fields: serde_json::Value) -> FormError {
        FormDefinition::validate(&spec(fields)).unwrap_err()
    }

    fn swab_centre() -> serde_json::Value {
        json!([
            {"key": "name", "label": " Name ", "kind": "text", "required": true},
            {"key": "notes", "label": "Notizen", "kind": "long_text"},
            {"key": "age", "label": "Alter", "kind": "number", "min": 0, "max": 130},
            {"key": "born", "label": "Geburtsdatum", "kind": "date", "help": " TT.MM.JJJJ "},
            {"key": "symptoms_since", "label": "Symptome seit", "kind": "date_time"},
            {"key": "reason", "label": "Anlass", "kind": "choice",
             "options": [" Kontaktperson", "Symptome", "Reiserückkehr"]},
            {"key": "consent", "label": "Einwilligung", "kind": "yes_no", "required": true},
            {"key": "callback", "label": "Rückrufnummer", "kind": "phone"},
            {"key": "mail", "label": "E-Mail", "kind": "email"},
            {"key": "test_slot", "label": "Testtermin", "kind": "appointment_slot"},
        ])
    }

    #[test]
    fn every_kind_is_accepted_trimmed_and_round_trips_through_json() {
        let form = FormDefinition::validate(&spec(swab_centre())).unwrap();
        assert_eq!(form.fields().len(), 10);
        let name = form.field("name").unwrap();
        assert_eq!((name.label.as_str(), name.required), ("Name", true));
        assert_eq!(form.field("born").unwrap().help, "TT.MM.JJJJ");
        assert_eq!(
            form.field("reason").unwrap().kind,
            FieldKind::Choice {
                options: vec![
                    "Kontaktperson".into(),
                    "Symptome".into(),
                    "Reiserückkehr".into()
                ]
            }
        );
        assert_eq!(
            form.field("age").unwrap().kind,
            FieldKind::Number {
                min: Some(0.0),
                max: Some(130.0)
            }
        );
        let again = FormDefinition::from_json(&form.to_json()).unwrap();
        assert_eq!(again, form);
        // Empty help, options and bounds are left out of the JSON.
        let stored: serde_json::Value = serde_json::from_str(&form.to_json()).unwrap();
        assert_eq!(
            stored["fields"][0],
            json!({"key": "name", "label": "Name", "kind": "text", "required": true})
        );
    }

    #[test]
    fn an_empty_form_is_a_form() {
        assert_eq!(
            FormDefinition::validate(&FormSpec::default()).unwrap(),
            FormDefinition::default()
        );
    }

    #[test]
    fn keys_must_be_distinct_and_well_formed() {
        for bad in [
            "",
            "Name",
            "1st",
            "vor name",
            "name-2",
            "größe",
            &"a".repeat(41),
        ] {
            let e = refusal(json!([
                {"key": "ok", "label": "OK", "kind": "text"},
                {"key": bad, "label": "X", "kind": "text"},
            ]));
            assert_eq!(
                e,
                FormError::KeyInvalid {
                    position: 2,
                    key: bad.to_string()
                },
                "{bad:?}"
            );
            assert!(e.to_string().starts_with("Feld 2: Der Schlüssel"), "{e}");
        }
        assert!(key_is_valid(&"a".repeat(40)));
        let e = refusal(json!([
            {"key": "name", "label": "Name", "kind": "text"},
            {"key": "name", "label": "Nachname", "kind": "text"},
        ]));
        assert_eq!(e.code(), "key_duplicate");
        assert_eq!(
            e.to_string(),
            "Der Schlüssel „name“ kommt mehrmals vor (zuletzt bei „Nachname“). Jedes Feld \
             braucht einen eigenen Schlüssel."
        );
    }

    #[test]
    fn labels_help_and_field_count_are_limited() {
        let e = refusal(json!([{"key": "a", "label": "  ", "kind": "text"}]));
        assert_eq!(e.to_string(), "Das Feld „a“ hat keine Bezeichnung.");
        let e = refusal(json!([{"key": "a", "label": "x".repeat(101), "kind": "text"}]));
        assert_eq!(e.code(), "label_too_long");
        let e =
            refusal(json!([{"key": "a", "label": "A", "kind": "text", "help": "h".repeat(501)}]));
        assert_eq!(
            e.to_string(),
            "Der Hilfetext des Felds „A“ ist zu lang (höchstens 500 Zeichen)."
        );
        let many: Vec<_> = (0..101)
            .map(|i| json!({"key": format!("f{i}"), "label": "F", "kind": "text"}))
            .collect();
        assert_eq!(
            refusal(json!(many)),
            FormError::TooManyFields {
                count: 101,
                max: 100
            }
        );
    }

    #[test]
    fn choices_need_sensible_options_and_only_choices_have_them() {
        let e = refusal(json!([{"key": "r", "label": "Anlass", "kind": "choice"}]));
        assert_eq!(
            e.to_string(),
            "Das Auswahlfeld „Anlass“ hat keine Auswahlmöglichkeiten."
        );
        let e = refusal(
            json!([{"key": "r", "label": "Anlass", "kind": "choice", "options": ["a", " "]}]),
        );
        assert_eq!(e.code(), "option_empty");
        let e = refusal(
            json!([{"key": "r", "label": "Anlass", "kind": "choice", "options": ["Ja", " Ja "]}]),
        );
        assert_eq!(e.to_string(), "Das Auswahlfeld „Anlass“ hat „Ja“ mehrmals.");
        let e = refusal(
            json!([{"key": "r", "label": "A", "kind": "choice", "options": ["x".repeat(101)]}]),
        );
        assert_eq!(e.code(), "option_too_long");
        let options: Vec<String> = (0..101).map(|i| i.to_string()).collect();
        let e = refusal(json!([{"key": "r", "label": "A", "kind": "choice", "options": options}]));
        assert_eq!(e.code(), "too_many_options");
        let e = refusal(json!([{"key": "t", "label": "Name", "kind": "text", "options": ["a"]}]));
        assert_eq!(
            e.to_string(),
            "Das Feld „Name“ ist kein Auswahlfeld und kann keine Auswahlmöglichkeiten haben."
        );
    }

    #[test]
    fn number_bounds_are_ordered_and_only_numbers_have_them() {
        let e = refusal(
            json!([{"key": "n", "label": "Alter", "kind": "number", "min": 2.5, "max": 1}]),
        );
        assert_eq!(
            e.to_string(),
            "Das Zahlenfeld „Alter“: Der Mindestwert 2,5 ist größer als der Höchstwert 1."
        );
        let e = refusal(json!([{"key": "d", "label": "Tag", "kind": "date", "min": 1}]));
        assert_eq!(e.code(), "bounds_not_allowed");
        let lone = FormDefinition::validate(&spec(
            json!([{"key": "n", "label": "N", "kind": "number", "max": -1}]),
        ))
        .unwrap();
        assert_eq!(
            lone.fields()[0].kind,
            FieldKind::Number {
                min: None,
                max: Some(-1.0)
            }
        );
        let infinite = FormSpec {
            fields: vec![FieldSpec {
                key: "n".into(),
                label: "N".into(),
                kind: KindName::Number,
                required: false,
                help: String::new(),
                options: vec![],
                min: Some(f64::NEG_INFINITY),
                max: None,
            }],
        };
        assert_eq!(
            FormDefinition::validate(&infinite).unwrap_err().code(),
            "bound_not_finite"
        );
    }

    #[test]
    fn unknown_kinds_and_attributes_are_not_json_of_a_form() {
        let kind = serde_json::from_value::<FormSpec>(
            json!({"fields": [{"key": "a", "label": "A", "kind": "signature"}]}),
        );
        assert!(kind.is_err());
        let attribute = serde_json::from_value::<FormSpec>(
            json!({"fields": [{"key": "a", "label": "A", "kind": "text", "colour": "red"}]}),
        );
        assert!(attribute.is_err());
        assert_eq!(
            FormDefinition::from_json("{").unwrap_err().code(),
            "unreadable"
        );
    }
}
