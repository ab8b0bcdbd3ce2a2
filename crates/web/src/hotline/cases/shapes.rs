//! The JSON of cases, slots and forms as the API answers with them.

use crate::time_format::iso_utc;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::{AuditEntry, BookedSlot, CaseRow, SlotRow, StaffRef};
use utoipa::ToSchema;

/// A person named in a case.
#[derive(Serialize, ToSchema)]
pub struct Person {
    login: String,
    /// Display name.
    name: String,
}

fn person(p: &StaffRef) -> Person {
    Person {
        login: p.login.clone(),
        name: p.name.clone(),
    }
}

/// An appointment slot.
#[derive(Serialize, ToSchema)]
pub struct Slot {
    /// What an appointment field holds.
    id: i64,
    /// `2026-03-05T08:00:00Z`.
    start: String,
    /// The end (exclusive).
    end: String,
    /// Places in all.
    capacity: i64,
    /// Places taken.
    booked: i64,
    /// Places free.
    free: i64,
}

/// A slot as the API shows it.
pub fn slot(s: &SlotRow) -> Slot {
    Slot {
        id: s.id,
        start: iso_utc(s.starts_at),
        end: iso_utc(s.ends_at),
        capacity: s.capacity,
        booked: s.booked,
        free: (s.capacity - s.booked).max(0),
    }
}

/// A slot a case holds through one of its appointment fields.
#[derive(Serialize, ToSchema)]
pub struct Booking {
    /// The appointment field's key.
    field: String,
    slot: Slot,
}

/// One line of a case's history (from the audit log; values are never in it).
#[derive(Serialize, ToSchema)]
pub struct HistoryEntry {
    /// `2026-03-05T08:00:00Z`.
    at: String,
    /// Who (a login).
    actor: Option<String>,
    /// `case.created` or `case.changed`.
    action: String,
    /// What changed: state, assignee, the keys of changed fields, slots.
    detail: String,
}

/// A case.
#[derive(Serialize, ToSchema)]
pub struct Case {
    /// The case number.
    id: i64,
    /// The hotline's id.
    hotline: i64,
    /// The caller's number, digits with an optional leading `+`.
    caller_number: Option<String>,
    /// `new`, `in_progress` or `done`.
    #[schema(example = "new")]
    state: &'static str,
    assignee: Option<Person>,
    /// The values by field key (texts, numbers, `true`/`false`, days `2026-03-05`, local
    /// times `2026-03-05T14:30`, slot ids for appointment fields).
    #[schema(value_type = Object)]
    values: Value,
    created_by: Option<Person>,
    /// `2026-03-05T08:00:00Z`.
    created_at: String,
    updated_at: String,
    /// When it was done.
    closed_at: Option<String>,
    /// Counts the changes; send it with a change to refuse it if someone else changed the
    /// case meanwhile.
    revision: i64,
    /// The slots its appointment fields hold (one case only).
    #[serde(skip_serializing_if = "Option::is_none")]
    bookings: Option<Vec<Booking>>,
    /// Its history, oldest first (one case only).
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<Vec<HistoryEntry>>,
}

/// A case as lists show it.
pub fn case(c: &CaseRow) -> Case {
    Case {
        id: c.id,
        hotline: c.hotline_id,
        caller_number: c.caller_number.clone(),
        state: c.state.as_str(),
        assignee: c.assignee.as_ref().map(person),
        values: serde_json::to_value(&c.values).unwrap_or(Value::Null),
        created_by: c.created_by.as_ref().map(person),
        created_at: iso_utc(c.created_at),
        updated_at: iso_utc(c.updated_at),
        closed_at: c.closed_at.map(iso_utc),
        revision: c.revision,
        bookings: None,
        history: None,
    }
}

/// A case with its bookings and history.
pub fn full_case(c: &CaseRow, bookings: &[BookedSlot], history: &[AuditEntry]) -> Case {
    Case {
        bookings: Some(
            bookings
                .iter()
                .map(|b| Booking {
                    field: b.field_key.clone(),
                    slot: slot(&b.slot),
                })
                .collect(),
        ),
        history: Some(
            history
                .iter()
                .map(|e| HistoryEntry {
                    at: iso_utc(e.at),
                    actor: e.actor.clone(),
                    action: e.action.clone(),
                    detail: e.detail.clone(),
                })
                .collect(),
        ),
        ..case(c)
    }
}

/// A field of the case form, as sent and shown.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormField {
    /// The stable key values are stored under: `a`–`z`, `0`–`9`, `_`, first a letter,
    /// at most 40 characters. Keep it when the label changes.
    #[schema(example = "born")]
    key: String,
    /// What the form shows (at most 100 characters).
    #[schema(example = "Geburtsdatum")]
    label: String,
    /// `text`, `long_text`, `number`, `date`, `date_time`, `choice`, `yes_no`, `phone`,
    /// `email` or `appointment_slot`.
    #[schema(value_type = String, example = "date")]
    kind: cases::KindName,
    /// Must be filled in.
    #[serde(default)]
    required: bool,
    /// A hint shown with the field (at most 500 characters).
    #[serde(default)]
    help: String,
    /// A choice's options (1 to 100, distinct); only for `choice`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    options: Vec<String>,
    /// A number's smallest allowed value; only for `number`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min: Option<f64>,
    /// A number's largest allowed value; only for `number`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<f64>,
}

impl FormField {
    /// The field as the `cases` core takes it.
    pub fn spec(&self) -> cases::FieldSpec {
        cases::FieldSpec {
            key: self.key.clone(),
            label: self.label.clone(),
            kind: self.kind,
            required: self.required,
            help: self.help.clone(),
            options: self.options.clone(),
            min: self.min,
            max: self.max,
        }
    }

    /// The field as the API shows it.
    pub fn shown(spec: &cases::FieldSpec) -> FormField {
        FormField {
            key: spec.key.clone(),
            label: spec.label.clone(),
            kind: spec.kind,
            required: spec.required,
            help: spec.help.clone(),
            options: spec.options.clone(),
            min: spec.min,
            max: spec.max,
        }
    }
}
