//! The values of a case: one JSON value per field key, in the normalised form of
//! `normalise`, and [`revise`], the one road by which values change — on creation and on
//! every later change alike.
//!
//! A change names only the fields it touches (`null` clears one); the others keep what
//! they hold, even values of fields that have since left the form (old cases keep their
//! data when a form changes). Every touched field is checked, and every required field
//! must hold a value afterwards. Either all of a change is taken or none of it.

use crate::field_error::{FieldError, Problem};
use crate::form::{FieldKind, FormDefinition};
use crate::normalise::normalise;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A case's values by field key.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CaseValues(BTreeMap<String, Value>);

impl CaseValues {
    /// The value of a field.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// The slot id an appointment field holds.
    pub fn slot(&self, key: &str) -> Option<i64> {
        self.0.get(key).and_then(Value::as_i64)
    }

    /// Every value by key.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter()
    }

    /// Whether no field holds a value.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The JSON the database keeps.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).expect("values serialise")
    }

    /// The values from the database's JSON.
    pub fn from_json(text: &str) -> Result<CaseValues, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The words a search looks through: every text and number, lower-cased, one per
    /// line (the keys are not searched, so "name" does not find every case).
    pub fn search_text(&self) -> String {
        let mut out = String::new();
        for value in self.0.values() {
            let word = match value {
                Value::String(s) => s.to_lowercase(),
                Value::Number(n) => n.to_string(),
                _ => continue,
            };
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&word);
        }
        out
    }
}

/// A word of a search as [`CaseValues::search_text`] holds it: lower-cased, a day in the
/// stored form (`12.08.1973` finds `1973-08-12`), an international number without its
/// separators (`+49(0)30` finds `+4930…`).
pub fn search_word(word: &str) -> String {
    if let Some(day) = crate::normalise::parse_date(word) {
        return day.strftime("%Y-%m-%d").to_string();
    }
    if word.starts_with('+') {
        if let Some(number) = crate::phone::normalise_phone(word) {
            return number;
        }
    }
    word.to_lowercase()
}

/// A booking of an appointment field that changes with a revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotChange {
    /// The field's key.
    pub key: String,
    /// The slot booked before (to cancel).
    pub from: Option<i64>,
    /// The slot to book.
    pub to: Option<i64>,
}

/// The outcome of an accepted change.
#[derive(Debug, Clone, PartialEq)]
pub struct Revision {
    /// All values after the change.
    pub values: CaseValues,
    /// The keys whose values changed, in the order of the form (for the audit log: the
    /// keys, never the values).
    pub changed: Vec<String>,
    /// The bookings to cancel and make.
    pub slots: Vec<SlotChange>,
}

/// `current` changed by `submitted` under `form`, or every field's error in the order of
/// the form (unknown keys last).
pub fn revise(
    form: &FormDefinition,
    current: &CaseValues,
    submitted: &Map<String, Value>,
) -> Result<Revision, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut values = current.clone();
    let mut changed = Vec::new();
    let mut slots = Vec::new();
    for field in form.fields() {
        if let Some(entry) = submitted.get(&field.key) {
            match normalise(field, entry) {
                Err(problem) => {
                    errors.push(FieldError::new(&field.key, &field.label, problem));
                    continue;
                }
                Ok(new) if new.as_ref() != current.get(&field.key) => {
                    changed.push(field.key.clone());
                    if field.kind == FieldKind::AppointmentSlot {
                        slots.push(SlotChange {
                            key: field.key.clone(),
                            from: current.slot(&field.key),
                            to: new.as_ref().and_then(Value::as_i64),
                        });
                    }
                    match new {
                        Some(value) => values.0.insert(field.key.clone(), value),
                        None => values.0.remove(&field.key),
                    };
                }
                Ok(_) => {}
            }
        }
        if field.required && values.get(&field.key).is_none() {
            errors.push(FieldError::new(&field.key, &field.label, Problem::Missing));
        }
    }
    for key in submitted.keys().filter(|k| form.field(k).is_none()) {
        errors.push(FieldError::new(key, key, Problem::UnknownField));
    }
    if errors.is_empty() {
        Ok(Revision {
            values,
            changed,
            slots,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::FormSpec;
    use proptest::prelude::*;
    use serde_json::json;

    fn form() -> FormDefinition {
        let spec: FormSpec = serde_json::from_value(json!({"fields": [
            {"key": "name", "label": "Name", "kind": "text", "required": true},
            {"key": "age", "label": "Alter", "kind": "number", "min": 0, "max": 130},
            {"key": "born", "label": "Geburtsdatum", "kind": "date"},
            {"key": "consent", "label": "Einwilligung", "kind": "yes_no", "required": true},
            {"key": "phone", "label": "Rückruf", "kind": "phone"},
            {"key": "slot", "label": "Testtermin", "kind": "appointment_slot"},
        ]}))
        .unwrap();
        FormDefinition::validate(&spec).unwrap()
    }

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn a_new_case_is_normalised_and_books_its_slot() {
        let r = revise(
            &form(),
            &CaseValues::default(),
            &map(
                json!({"name": " Erika Muster ", "age": "52", "born": "12.08.1973",
                "consent": true, "phone": "0151 / 555 0123", "slot": 9}),
            ),
        )
        .unwrap();
        assert_eq!(
            serde_json::to_value(&r.values).unwrap(),
            json!({"name": "Erika Muster", "age": 52, "born": "1973-08-12",
                "consent": true, "phone": "01515550123", "slot": 9})
        );
        assert_eq!(
            r.changed,
            ["name", "age", "born", "consent", "phone", "slot"]
        );
        assert_eq!(
            r.slots,
            [SlotChange {
                key: "slot".into(),
                from: None,
                to: Some(9)
            }]
        );
        assert_eq!(
            r.values.search_text(),
            "52\n1973-08-12\nerika muster\n01515550123\n9"
        );
        assert_eq!(
            CaseValues::from_json(&r.values.to_json()).unwrap(),
            r.values
        );
    }

    #[test]
    fn every_bad_field_gets_its_own_error_in_the_order_of_the_form() {
        let errors = revise(
            &form(),
            &CaseValues::default(),
            &map(json!({"colour": "rot", "age": 200, "born": "31.02.1990", "phone": "abc"})),
        )
        .unwrap_err();
        let got: Vec<(&str, &str)> = errors
            .iter()
            .map(|e| (e.key.as_str(), e.problem.code()))
            .collect();
        assert_eq!(
            got,
            [
                ("name", "missing"),
                ("age", "above_max"),
                ("born", "not_a_date"),
                ("consent", "missing"),
                ("phone", "not_a_phone_number"),
                ("colour", "unknown_field"),
            ]
        );
        assert_eq!(errors[0].to_string(), "„Name“ ist ein Pflichtfeld.");
        assert_eq!(
            errors[5].to_string(),
            "Das Formular hat kein Feld „colour“."
        );
    }

    #[test]
    fn a_change_touches_only_its_fields_and_keeps_values_of_removed_fields() {
        let mut current = revise(
            &form(),
            &CaseValues::default(),
            &map(json!({"name": "A", "consent": false, "slot": 3, "age": 7})),
        )
        .unwrap()
        .values;
        // A field the form no longer has keeps its value.
        current.0.insert("old_field".into(), json!("alt"));
        let r = revise(
            &form(),
            &current,
            &map(json!({"name": "A", "slot": 4, "age": null})),
        )
        .unwrap();
        assert_eq!(r.changed, ["age", "slot"]);
        assert_eq!(
            r.slots,
            [SlotChange {
                key: "slot".into(),
                from: Some(3),
                to: Some(4)
            }]
        );
        assert_eq!(r.values.get("old_field"), Some(&json!("alt")));
        assert_eq!(r.values.get("age"), None);
        // Clearing the slot cancels the booking; clearing a required field is refused.
        let r = revise(&form(), &r.values, &map(json!({"slot": null}))).unwrap();
        assert_eq!(r.slots[0].to, None);
        let errors = revise(&form(), &r.values, &map(json!({"name": " "}))).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].problem, Problem::Missing);
    }

    #[test]
    fn nothing_submitted_changes_nothing_but_required_fields_still_count() {
        let full = revise(
            &form(),
            &CaseValues::default(),
            &map(json!({"name": "A", "consent": true})),
        )
        .unwrap()
        .values;
        let r = revise(&form(), &full, &Map::new()).unwrap();
        assert_eq!((r.values, r.changed.len()), (full, 0));
        let errors = revise(&form(), &CaseValues::default(), &Map::new()).unwrap_err();
        assert_eq!(errors.len(), 2);
    }

    #[test]
    fn search_words_are_written_as_the_values_are_stored() {
        assert_eq!(search_word("Müller"), "müller");
        assert_eq!(search_word("12.08.1973"), "1973-08-12");
        assert_eq!(search_word("+49(0)30"), "+4930");
        assert_eq!(search_word("0151"), "0151");
        assert_eq!(search_word("+zwei"), "+zwei");
    }

    proptest! {
        /// Whatever arrives, the outcome is either all errors or values that the form takes
        /// again unchanged (normalising is idempotent), and only slots move bookings.
        #[test]
        fn accepted_values_are_a_fixed_point(
            name in "[ a-zA-Zäöü]{0,12}",
            age in prop_oneof![Just(json!(null)), (-5i64..140).prop_map(|n| json!(n)), "[0-9,]{0,4}".prop_map(|s| json!(s))],
            phone in "[+]?[0-9 /()-]{0,16}",
            slot in prop_oneof![Just(json!(null)), (0i64..5).prop_map(|n| json!(n))],
        ) {
            let submitted = map(json!({"name": name, "age": age, "phone": phone,
                "slot": slot, "consent": true}));
            if let Ok(r) = revise(&form(), &CaseValues::default(), &submitted) {
                let resubmitted: Map<String, Value> =
                    r.values.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                let again = revise(&form(), &CaseValues::default(), &resubmitted).unwrap();
                prop_assert_eq!(&again.values, &r.values);
                let unchanged = revise(&form(), &r.values, &resubmitted).unwrap();
                prop_assert!(unchanged.changed.is_empty());
                prop_assert!(unchanged.slots.is_empty());
                prop_assert_eq!(r.slots.len(), usize::from(r.values.slot("slot").is_some()));
            }
        }
    }
}
