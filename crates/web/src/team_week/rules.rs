//! A unit's rotation rules, set by its head or a deputy (or an administrator): the
//! minimum in the office per weekday (citizen-facing units stay staffed) and the offices
//! with their seats and who sits in which (a shared office has one seat: at most one
//! person a day). Replaced whole; bad input is a 422 at its field and changes nothing.

use super::{audit, body, require_manager, unprocessable};
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use store::NewOffice;
use utoipa::ToSchema;

/// An office with its seats and people.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfficeView {
    /// Its name, e.g. the room number.
    pub name: String,
    /// How many may work in it on one day (1: a shared office).
    pub seats: u16,
    /// Who sits in it (logins of the unit's members).
    #[serde(default)]
    pub members: Vec<String>,
}

/// A unit's rotation rules.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitRules {
    /// The minimum in the office, Monday first (seven numbers).
    pub min_in_office: Vec<u16>,
    /// The offices.
    #[serde(default)]
    pub offices: Vec<OfficeView>,
}

/// The unit's rules.
#[utoipa::path(get, path = "/api/v1/team-week/units/{id}/rules", tag = "team-week",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path)),
    responses((status = 200, body = UnitRules),
        (status = 403, description = "Not the unit's head or deputy, nor an administrator", body = ErrorBody),
        (status = 404, description = "No such unit", body = ErrorBody)))]
pub async fn get_rules(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<UnitRules>, ApiError> {
    require_manager(&state, &who, id).await?;
    Ok(Json(rules_of(&state, id).await?))
}

async fn rules_of(state: &AppState, id: i64) -> Result<UnitRules, ApiError> {
    let rules = state.store.unit_rotation_rules(id).await?;
    let logins: HashMap<i64, String> = state
        .store
        .unit_members(id)
        .await?
        .into_iter()
        .map(|m| (m.id, m.login))
        .collect();
    Ok(UnitRules {
        min_in_office: rules.min_in_office.to_vec(),
        offices: rules
            .offices
            .into_iter()
            .map(|o| OfficeView {
                name: o.name,
                seats: o.seats,
                members: o
                    .members
                    .iter()
                    .filter_map(|m| logins.get(m).cloned())
                    .collect(),
            })
            .collect(),
    })
}

/// Set the unit's rules (replacing them).
#[utoipa::path(put, path = "/api/v1/team-week/units/{id}/rules", tag = "team-week",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path)), request_body = UnitRules,
    responses((status = 200, body = UnitRules),
        (status = 403, description = "Not the unit's head or deputy, nor an administrator", body = ErrorBody),
        (status = 404, description = "No such unit", body = ErrorBody),
        (status = 422, description = "Bad rules (at their field); nothing changed", body = ErrorBody)))]
pub async fn put_rules(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Json(raw): Json<serde_json::Value>,
) -> Result<Json<UnitRules>, ApiError> {
    require_manager(&state, &who, id).await?;
    let form: UnitRules = body(raw)?;
    let min: [u16; 7] = form.min_in_office.clone().try_into().map_err(|_| {
        unprocessable(
            "min_in_office",
            "seven_days",
            "Bitte für jeden Wochentag (Montag bis Sonntag) eine Mindestbesetzung angeben.",
        )
    })?;
    let members = state.store.unit_members(id).await?;
    if let Some(i) = min.iter().position(|m| usize::from(*m) > members.len()) {
        return Err(unprocessable(
            &format!("min_in_office[{i}]"),
            "more_than_members",
            &format!(
                "Die Einheit hat nur {} Mitglieder; mehr können nicht im Büro sein.",
                members.len()
            ),
        ));
    }
    let mut offices = Vec::new();
    for (i, office) in form.offices.iter().enumerate() {
        let name = office.name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(unprocessable(
                &format!("offices[{i}].name"),
                "name",
                "Ein Büro braucht einen Namen (höchstens 80 Zeichen).",
            ));
        }
        if !(1..=100).contains(&office.seats) {
            return Err(unprocessable(
                &format!("offices[{i}].seats"),
                "seats",
                "Ein Büro hat 1 bis 100 Plätze.",
            ));
        }
        let mut ids = Vec::new();
        for login in &office.members {
            let member = members
                .iter()
                .find(|m| m.login == login.trim())
                .ok_or_else(|| {
                    unprocessable(
                        &format!("offices[{i}].members"),
                        "not_a_member",
                        &format!("„{login}“ gehört nicht zu dieser Einheit."),
                    )
                })?;
            ids.push(member.id);
        }
        offices.push(NewOffice {
            name: name.to_string(),
            seats: office.seats,
            members: ids,
        });
    }
    state
        .store
        .set_unit_rotation_rules(id, min, &offices, state.live.now_ms())
        .await?;
    audit(
        &state,
        &who,
        "team_week.rules_set",
        None,
        format!("unit {id}: minimum {:?}, {} offices", min, offices.len()),
    )
    .await?;
    Ok(Json(rules_of(&state, id).await?))
}
