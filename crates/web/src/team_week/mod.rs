//! The team's week and the office rotation (issue 19): each person plans their week by
//! half-day within their agreement and says which weekdays they would like to work mobile
//! (`own.rs`); the unit's members, its head and deputies and administrators see the team
//! calendar (`calendar.rs`); the head or a deputy sets the unit's rules — the minimum in
//! the office per weekday, the offices with their seats and who sits where (`rules.rs`) —
//! and has the planner propose a fair rotation for the coming weeks, checks an edited plan
//! and accepts it, which writes everyone's days (`rotation.rs`, the planner's input read
//! from the store in `input.rs`). Calendar feeds (iCal) by secret token and the CSV export
//! are in `feeds.rs` and `export.rs`, the iCal text in `ical.rs`.
//!
//! Every rule is the planner's (`planner::week::check_week`, `planner::rotation`): the
//! handlers read the facts, ask, and write what passed. Every change is audited.

pub mod calendar;
pub mod export;
pub mod feeds;
pub mod ical;
mod input;
pub mod own;
pub mod presence;
pub mod rotation;
pub mod rules;
mod staffing;

use crate::auth::session::SignedIn;
use crate::error::ApiError;
use crate::AppState;
use directory::Role;
use jiff::civil::{Date, DateTime};
use planner::week::{Absence, Location};
use std::collections::HashMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The team-week routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(own::my_week, own::put_week))
        .routes(routes!(own::put_wishes))
        .routes(routes!(calendar::team_calendar))
        .routes(routes!(rules::get_rules, rules::put_rules))
        .routes(routes!(rotation::propose))
        .routes(routes!(rotation::check))
        .routes(routes!(rotation::accept))
        .routes(routes!(export::csv))
        .routes(routes!(feeds::list, feeds::create))
        .routes(routes!(feeds::revoke))
        .routes(routes!(feeds::feed))
}

/// Now as local time, by the runtime's one clock (`planner::calendar::zone`).
pub(crate) fn local_now(state: &AppState) -> DateTime {
    planner::calendar::local_time(state.now())
}

/// A location's API name.
pub fn location_name(location: Location) -> &'static str {
    match location {
        Location::Office => "office",
        Location::Mobile => "mobile",
        Location::Off => "off",
        Location::Away(Absence::Leave) => "leave",
        Location::Away(Absence::BusinessTrip) => "business_trip",
        Location::Away(Absence::Sick) => "sick",
        Location::Away(Absence::Other) => "away",
    }
}

/// A location's German name (feeds, CSV).
pub fn location_german(location: Location) -> &'static str {
    match location {
        Location::Office => "Büro",
        Location::Mobile => "Mobil",
        Location::Off => "frei",
        Location::Away(Absence::Leave) => "Urlaub",
        Location::Away(Absence::BusinessTrip) => "Dienstreise",
        Location::Away(Absence::Sick) => "krank",
        Location::Away(Absence::Other) => "abwesend",
    }
}

/// A location by its API name, or 422 on `field`.
pub(crate) fn parse_location(field: &str, name: &str) -> Result<Location, ApiError> {
    [
        Location::Office,
        Location::Mobile,
        Location::Off,
        Location::Away(Absence::Leave),
        Location::Away(Absence::BusinessTrip),
        Location::Away(Absence::Sick),
        Location::Away(Absence::Other),
    ]
    .into_iter()
    .find(|l| location_name(*l) == name.trim())
    .ok_or_else(|| {
        unprocessable(
            field,
            "unknown_location",
            &format!(
                "„{name}“ ist kein Arbeitsort; erlaubt sind office, mobile, off, leave, \
                 business_trip, sick und away."
            ),
        )
    })
}

/// A `YYYY-MM-DD` field, or 422 naming it.
pub(crate) fn day_field(field: &str, value: &str) -> Result<Date, ApiError> {
    value.trim().parse::<Date>().map_err(|_| {
        unprocessable(
            field,
            "not_a_date",
            &format!("„{value}“ ist kein Datum; bitte als JJJJ-MM-TT angeben."),
        )
    })
}

/// What the signed-in person may do with a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Standing {
    /// Its head or a deputy, or an administrator: sees and plans.
    Manager,
    /// A member: sees the team calendar.
    Member,
}

/// The unit's path, or 404.
pub(crate) async fn unit_path(state: &AppState, unit_id: i64) -> Result<String, ApiError> {
    state
        .store
        .unit_path_by_id(unit_id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("Die Einheit {unit_id} gibt es nicht.")))
}

/// How the signed-in person stands to the unit: 404 for no such unit, 403 for a
/// stranger.
pub(crate) async fn standing(
    state: &AppState,
    who: &SignedIn,
    unit_id: i64,
) -> Result<Standing, ApiError> {
    unit_path(state, unit_id).await?;
    if is_manager(state, who, unit_id).await? {
        return Ok(Standing::Manager);
    }
    let member = state
        .store
        .unit_members(unit_id)
        .await?
        .iter()
        .any(|m| m.id == who.account.id);
    if member {
        Ok(Standing::Member)
    } else {
        Err(ApiError::Forbidden)
    }
}

/// Whether the signed-in person is the unit's head or deputy, or an administrator.
pub(crate) async fn is_manager(
    state: &AppState,
    who: &SignedIn,
    unit_id: i64,
) -> Result<bool, ApiError> {
    if who.account.roles.contains(Role::Admin) {
        return Ok(true);
    }
    Ok(state
        .store
        .units_led_by(who.account.id)
        .await?
        .iter()
        .any(|l| l.unit_id == unit_id))
}

/// 403 unless the signed-in person manages the unit (404 for no such unit).
pub(crate) async fn require_manager(
    state: &AppState,
    who: &SignedIn,
    unit_id: i64,
) -> Result<(), ApiError> {
    match standing(state, who, unit_id).await? {
        Standing::Manager => Ok(()),
        Standing::Member => Err(ApiError::Forbidden),
    }
}

/// The planner names people "Person 7" and offices "Büro 3"; people read names.
pub(crate) fn with_names(
    text: &str,
    people: &HashMap<i64, String>,
    offices: &HashMap<i64, String>,
) -> String {
    let mut out = text.to_string();
    // Longer ids first, so "Person 12" is not read as "Person 1" and a "2".
    let mut ids: Vec<(&i64, &String)> = people.iter().collect();
    ids.sort_by_key(|(id, _)| std::cmp::Reverse(**id));
    for (id, name) in ids {
        out = out.replace(&format!("Person {id}"), name);
    }
    let mut ids: Vec<(&i64, &String)> = offices.iter().collect();
    ids.sort_by_key(|(id, _)| std::cmp::Reverse(**id));
    for (id, name) in ids {
        out = out.replace(&format!("Büro {id}"), &format!("Büro {name}"));
    }
    out
}

pub(crate) use crate::admin::audit_trail::by as audit;
pub(crate) use crate::error::{body, unprocessable};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_replace_ids_longest_first() {
        let people = HashMap::from([(1, "Anna".to_string()), (12, "Bernd".to_string())]);
        let offices = HashMap::from([(3, "1.12".to_string())]);
        assert_eq!(
            with_names("Person 12 und Person 1 im Büro 3", &people, &offices),
            "Bernd und Anna im Büro 1.12"
        );
        assert_eq!(
            parse_location("x", "leave").unwrap(),
            Location::Away(Absence::Leave)
        );
        assert!(parse_location("x", "home").is_err());
    }
}
