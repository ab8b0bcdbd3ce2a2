//! The case list as a table for spreadsheets: fixed columns first (number, state, caller,
//! assignee, times), then one column per field of the form in its order, every value as a
//! German reader expects it (`05.03.2026`, `36,6`, `Ja`). The web layer writes the table
//! as an Excel-friendly CSV file; values of fields that have left the form are not
//! exported.

use crate::form::{FieldKind, FormDefinition};
use crate::german;
use crate::normalise::{parse_date, parse_date_time};
use crate::state::CaseState;
use crate::values::CaseValues;
use jiff::tz::TimeZone;
use serde_json::Value;
use std::collections::HashMap;

/// One case as the export needs it.
#[derive(Debug, Clone)]
pub struct ExportCase<'a> {
    /// The case number.
    pub id: i64,
    /// Its state.
    pub state: CaseState,
    /// The caller's number, if known.
    pub caller_number: Option<&'a str>,
    /// The name of the person it is assigned to.
    pub assignee: Option<&'a str>,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
    /// Unix seconds, for done cases.
    pub closed_at: Option<i64>,
    /// The values.
    pub values: &'a CaseValues,
}

/// The columns before the form's fields.
pub const FIXED_COLUMNS: [&str; 7] = [
    "Fall-Nr.",
    "Status",
    "Anrufernummer",
    "Zuständig",
    "Angelegt",
    "Geändert",
    "Erledigt am",
];

/// The header row: the fixed columns, then the labels of the form's fields.
pub fn header(form: &FormDefinition) -> Vec<String> {
    FIXED_COLUMNS
        .iter()
        .map(|c| c.to_string())
        .chain(form.fields().iter().map(|f| f.label.clone()))
        .collect()
}

/// One case's row; `slots` holds the start and end of the slots its appointment fields
/// refer to, `zone` is where the times are read.
pub fn row(
    form: &FormDefinition,
    case: &ExportCase<'_>,
    slots: &HashMap<i64, (i64, i64)>,
    zone: &TimeZone,
) -> Vec<String> {
    let mut cells = vec![
        case.id.to_string(),
        case.state.german().to_string(),
        case.caller_number.unwrap_or_default().to_string(),
        case.assignee.unwrap_or_default().to_string(),
        german::moment(case.created_at, zone),
        german::moment(case.updated_at, zone),
        case.closed_at
            .map(|at| german::moment(at, zone))
            .unwrap_or_default(),
    ];
    for field in form.fields() {
        let cell = match case.values.get(&field.key) {
            None => String::new(),
            Some(value) => cell(&field.kind, value, slots, zone),
        };
        cells.push(cell);
    }
    cells
}

fn cell(
    kind: &FieldKind,
    value: &Value,
    slots: &HashMap<i64, (i64, i64)>,
    zone: &TimeZone,
) -> String {
    let text = value.as_str();
    let formatted = match kind {
        FieldKind::Number { .. } => value.as_f64().map(german::number),
        FieldKind::Date => text.and_then(parse_date).map(german::date),
        FieldKind::DateTime => text.and_then(parse_date_time).map(german::date_time),
        FieldKind::YesNo => value
            .as_bool()
            .map(|yes| if yes { "Ja" } else { "Nein" }.to_string()),
        FieldKind::AppointmentSlot => value.as_i64().map(|id| match slots.get(&id) {
            Some(&(start, end)) => slot_span(start, end, zone),
            None => format!("Termin {id}"),
        }),
        _ => None,
    };
    // A value of another type (the field's kind changed since) is shown as it is.
    formatted.unwrap_or_else(|| match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

/// `05.03.2026 09:00–09:15` (the end's day too when it differs).
pub fn slot_span(start: i64, end: i64, zone: &TimeZone) -> String {
    let (Some(from), Some(to)) = (german::local(start, zone), german::local(end, zone)) else {
        return String::new();
    };
    if from.date() == to.date() {
        format!("{}–{}", german::date_time(from), to.strftime("%H:%M"))
    } else {
        format!("{}–{}", german::date_time(from), german::date_time(to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::FormSpec;
    use crate::values::revise;
    use serde_json::json;

    #[test]
    fn a_row_reads_as_a_german_spreadsheet_expects() {
        let spec: FormSpec = serde_json::from_value(json!({"fields": [
            {"key": "name", "label": "Name", "kind": "text"},
            {"key": "temp", "label": "Temperatur", "kind": "number"},
            {"key": "born", "label": "Geburtsdatum", "kind": "date"},
            {"key": "since", "label": "Symptome seit", "kind": "date_time"},
            {"key": "consent", "label": "Einwilligung", "kind": "yes_no"},
            {"key": "slot", "label": "Testtermin", "kind": "appointment_slot"},
            {"key": "other", "label": "Zweittermin", "kind": "appointment_slot"},
            {"key": "mail", "label": "E-Mail", "kind": "email"},
        ]}))
        .unwrap();
        let form = FormDefinition::validate(&spec).unwrap();
        let values = revise(
            &form,
            &CaseValues::default(),
            json!({"name": "Erika Muster", "temp": "38,2", "born": "1973-08-12",
                "since": "2026-03-04T18:00", "consent": true, "slot": 4, "other": 99})
            .as_object()
            .unwrap(),
        )
        .unwrap()
        .values;
        let utc = TimeZone::UTC;
        let slots = HashMap::from([(4, (1_772_697_600, 1_772_697_600 + 900))]);
        let case = ExportCase {
            id: 17,
            state: CaseState::Done,
            caller_number: Some("+4930901820"),
            assignee: Some("Bärbel Böhm"),
            created_at: 1_772_697_600,
            updated_at: 1_772_697_600 + 60,
            closed_at: Some(1_772_697_600 + 120),
            values: &values,
        };
        let header = header(&form);
        let row = row(&form, &case, &slots, &utc);
        assert_eq!(header.len(), row.len());
        assert_eq!(header[7], "Name");
        assert_eq!(
            row,
            [
                "17",
                "erledigt",
                "+4930901820",
                "Bärbel Böhm",
                "05.03.2026 08:00",
                "05.03.2026 08:01",
                "05.03.2026 08:02",
                "Erika Muster",
                "38,2",
                "12.08.1973",
                "04.03.2026 18:00",
                "Ja",
                "05.03.2026 08:00–08:15",
                "Termin 99",
                "",
            ]
        );
    }

    #[test]
    fn a_slot_over_midnight_names_both_days() {
        assert_eq!(
            slot_span(1_772_667_000, 1_772_667_000 + 3600, &TimeZone::UTC),
            "04.03.2026 23:30–05.03.2026 00:30"
        );
    }
}
