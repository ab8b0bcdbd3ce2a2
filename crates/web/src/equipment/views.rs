//! How items, loans, reservations and places on the waiting lists look in answers, and
//! the names of the people behind them (from the directory).

use crate::error::ApiError;
use crate::AppState;
use planner::equipment::{is_overdue, Kind};
use serde::Serialize;
use std::collections::HashMap;
use store::{EquipmentItemRow, LoanRow, ReservationRow};
use utoipa::ToSchema;

/// A person named in an answer.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct PersonRef {
    /// Login.
    pub login: String,
    /// Name in the directory.
    pub name: String,
}

/// A loan.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoanView {
    /// Its id.
    pub id: i64,
    /// The item.
    pub item: i64,
    /// Who borrowed it.
    pub person: PersonRef,
    /// The day lent (`YYYY-MM-DD`).
    pub lent: String,
    /// The day due back.
    pub due: String,
    /// The day returned, once it is back.
    pub returned: Option<String>,
    /// Not back and the due day has passed.
    pub overdue: bool,
}

/// A reservation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReservationView {
    /// Its id.
    pub id: i64,
    /// The item.
    pub item: i64,
    /// The first day (`YYYY-MM-DD`).
    pub first: String,
    /// The last day.
    pub last: String,
    /// Kept for the person from the waiting list (else asked for).
    pub offered: bool,
    /// For whom (only in the administrators' and one's own view).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<PersonRef>,
    /// Whether it is the caller's.
    pub mine: bool,
}

/// An item.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemView {
    /// Its id.
    pub id: i64,
    /// Its inventory number.
    pub inventory_number: String,
    /// `headset`, `camera`, `laptop`, `mobile_phone` or `other`.
    pub kind: &'static str,
    /// Name or model.
    pub name: String,
    /// Notes.
    pub notes: Option<String>,
    /// `available`, `lent` or `retired`.
    pub state: &'static str,
    /// Free all of today (in the pool, neither lent nor reserved today).
    pub free_today: bool,
}

/// The directory's names for staff ids, looked up once each.
#[derive(Default)]
pub(crate) struct Names(HashMap<i64, PersonRef>);

impl Names {
    /// The person with the staff id `id`.
    pub(crate) async fn of(&mut self, state: &AppState, id: i64) -> Result<PersonRef, ApiError> {
        if let Some(known) = self.0.get(&id) {
            return Ok(known.clone());
        }
        // Including people who left: a device lent to a leaver must still say to whom.
        let person = match state.store.staff_name_by_id(id).await? {
            Some((login, name, false)) => PersonRef { login, name },
            Some((login, name, true)) => PersonRef {
                login,
                name: format!("{name} (ausgeschieden)"),
            },
            None => PersonRef {
                login: String::new(),
                name: "(nicht mehr im Verzeichnis)".into(),
            },
        };
        self.0.insert(id, person.clone());
        Ok(person)
    }
}

/// The state's key.
pub(crate) fn state_key(item: &EquipmentItemRow) -> &'static str {
    match (item.retired_ms, &item.loan) {
        (Some(_), _) => "retired",
        (None, Some(_)) => "lent",
        (None, None) => "available",
    }
}

/// An item as people see it; `free_today` as the caller worked it out.
pub(crate) fn item_view(item: &EquipmentItemRow, free_today: bool) -> ItemView {
    ItemView {
        id: item.id,
        inventory_number: item.inventory_number.clone(),
        kind: item.kind.key(),
        name: item.name.clone(),
        notes: item.notes.clone(),
        state: state_key(item),
        free_today,
    }
}

/// A loan with the borrower's name.
pub(crate) async fn loan_view(
    state: &AppState,
    names: &mut Names,
    loan: &LoanRow,
    today: jiff::civil::Date,
) -> Result<LoanView, ApiError> {
    Ok(LoanView {
        id: loan.id,
        item: loan.item_id,
        person: names.of(state, loan.staff_id).await?,
        lent: loan.lent.to_string(),
        due: loan.due.to_string(),
        returned: loan.returned.map(|d| d.to_string()),
        overdue: loan.returned.is_none() && is_overdue(loan.due, today),
    })
}

/// A reservation; `named`: with the person's name (administrators, one's own).
pub(crate) async fn reservation_view(
    state: &AppState,
    names: &mut Names,
    reservation: &ReservationRow,
    caller: i64,
    named: bool,
) -> Result<ReservationView, ApiError> {
    let mine = reservation.staff_id == caller;
    Ok(ReservationView {
        id: reservation.id,
        item: reservation.item_id,
        first: reservation.range.first.to_string(),
        last: reservation.range.last.to_string(),
        offered: reservation.offered,
        person: if named || mine {
            Some(names.of(state, reservation.staff_id).await?)
        } else {
            None
        },
        mine,
    })
}

/// Every kind's key, in the order pages list them.
pub(crate) fn kinds() -> impl Iterator<Item = Kind> {
    Kind::ALL.into_iter()
}

/// Whether `item` is free all of `today`, given the reservations that still hold.
pub(crate) fn free_today(
    item: &EquipmentItemRow,
    reservations: &[ReservationRow],
    today: jiff::civil::Date,
) -> bool {
    let claims: Vec<_> = reservations
        .iter()
        .filter(|r| r.item_id == item.id)
        .map(ReservationRow::to_claim)
        .chain(item.loan.iter().map(LoanRow::to_claim))
        .collect();
    let day = planner::equipment::DateRange {
        first: today,
        last: today,
    };
    planner::equipment::free_for(item.state(), &claims, day, today)
}
