//! The case database's test fixture: staff, two hotlines (the health office's with an
//! agent and a supervisor, the building office's with another agent), a swab centre's
//! form, and small builders for cases and slots.
// Each test file uses a part of these.
#![allow(dead_code)]

use cases::{FormDefinition, FormSpec, NewSlot, Refusal};
use serde_json::{json, Map, Value};
use store::{CaseActor, NewCase, Store, StoreError};

pub const FILE: &str = "login,name,unit,extension
a.agent,Anna Agent,Gesundheitsamt/Hotline,2401
b.super,Bernd Super,Gesundheitsamt/Hotline,2402
c.other,Clara Other,Bauamt,2501
d.none,Dora None,Bauamt,2502
";

/// 2027-01-15T08:00:00Z.
pub const NOW: i64 = 1_800_000_000;
pub const DAY: i64 = 86_400;

pub struct Hotlines {
    pub health: i64,
    pub building: i64,
    pub agent: i64,
    pub supervisor: i64,
    pub other: i64,
    pub nobody: i64,
}

pub async fn staff_id(store: &Store, login: &str) -> i64 {
    let login = directory::Login::parse(login).unwrap();
    store.account_by_login(&login).await.unwrap().unwrap().id
}

/// Two hotlines: the health office's (a.agent, supervised by b.super) and the building
/// office's (c.other).
pub async fn hotlines(store: &Store) -> Hotlines {
    let agent = staff_id(store, "a.agent").await;
    let supervisor = staff_id(store, "b.super").await;
    let other = staff_id(store, "c.other").await;
    let nobody = staff_id(store, "d.none").await;
    let health = store
        .add_hotline_for_test("Bürgertelefon", "2900", &[agent], &[supervisor])
        .await
        .unwrap();
    let building = store
        .add_hotline_for_test("Bauamt", "2910", &[other], &[])
        .await
        .unwrap();
    Hotlines {
        health,
        building,
        agent,
        supervisor,
        other,
        nobody,
    }
}

pub fn actor(staff_id: i64, login: &str) -> CaseActor<'_> {
    CaseActor {
        staff_id,
        login,
        source: "127.0.0.1",
    }
}

pub fn swab_form() -> FormDefinition {
    let spec: FormSpec = serde_json::from_value(json!({"fields": [
        {"key": "name", "label": "Name", "kind": "text", "required": true},
        {"key": "born", "label": "Geburtsdatum", "kind": "date"},
        {"key": "reason", "label": "Anlass", "kind": "choice", "options": ["Symptome", "Kontakt"]},
        {"key": "test", "label": "Testtermin", "kind": "appointment_slot"},
    ]}))
    .unwrap();
    FormDefinition::validate(&spec).unwrap()
}

pub fn values(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

pub fn new_case(v: Value) -> NewCase<'static> {
    NewCase {
        values: values(v),
        ..NewCase::default()
    }
}

pub fn slot(starts_at: i64, capacity: u32) -> NewSlot {
    NewSlot {
        starts_at,
        ends_at: starts_at + 900,
        capacity,
    }
}

pub fn field_problems(e: StoreError) -> Vec<(String, &'static str)> {
    match e {
        StoreError::CaseRefused(Refusal::Fields(errors)) => errors
            .into_iter()
            .map(|e| (e.key, e.problem.code()))
            .collect(),
        other => panic!("not a field refusal: {other:?}"),
    }
}

pub async fn set_up(store: &Store) -> Hotlines {
    let h = hotlines(store).await;
    let admin = actor(h.supervisor, "b.super");
    store
        .set_case_form(h.health, &swab_form(), Some(0), &admin, NOW)
        .await
        .unwrap();
    h
}
