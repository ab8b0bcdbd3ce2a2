//! "Meine Geräte": what the caller holds (with the due day, overdue marked), their
//! reservations (those kept for them from a waiting list marked) and their places on the
//! waiting lists.

use super::today;
use super::views::{item_view, loan_view, reservation_view, LoanView, Names, ReservationView};
use super::waiting::Place;
use crate::auth::session::SignedIn;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use planner::equipment::position;
use planner::ids::PersonId;
use serde::Serialize;
use utoipa::ToSchema;

/// An item the caller holds or reserved, with the loan or reservation.
#[derive(Debug, Serialize, ToSchema)]
pub struct Held<T> {
    /// The item's details (`item` is its id).
    pub device: super::views::ItemView,
    /// The loan or reservation.
    #[serde(flatten)]
    pub what: T,
}

/// The caller's equipment.
#[derive(Debug, Serialize, ToSchema)]
pub struct Mine {
    /// What they hold.
    pub loans: Vec<Held<LoanView>>,
    /// Their reservations from today on.
    pub reservations: Vec<Held<ReservationView>>,
    /// Their places on waiting lists.
    pub waiting: Vec<Place>,
}

/// One's own equipment: loans, reservations, places on waiting lists.
#[utoipa::path(get, path = "/api/v1/equipment/mine", tag = "equipment",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = Mine)))]
pub async fn mine(State(state): State<AppState>, who: SignedIn) -> Result<Json<Mine>, ApiError> {
    let me = who.account.id;
    let today = today(&state);
    let items = state.store.equipment_items().await?;
    let mut names = Names::default();
    let mut loans = Vec::new();
    for item in &items {
        if let Some(loan) = item.loan.as_ref().filter(|l| l.staff_id == me) {
            loans.push(Held {
                device: item_view(item, false),
                what: loan_view(&state, &mut names, loan, today).await?,
            });
        }
    }
    let mut reservations = Vec::new();
    for r in state.store.equipment_reservations(today).await? {
        if r.staff_id != me {
            continue;
        }
        if let Some(item) = items.iter().find(|i| i.id == r.item_id) {
            reservations.push(Held {
                device: item_view(item, false),
                what: reservation_view(&state, &mut names, &r, me, true).await?,
            });
        }
    }
    let list = state.store.equipment_waiting().await?;
    let waiting = super::views::kinds()
        .filter_map(|kind| {
            position(&list, PersonId(me), kind).map(|p| Place {
                kind: kind.key(),
                position: p,
                of: list.iter().filter(|e| e.kind == kind).count(),
            })
        })
        .collect();
    Ok(Json(Mine {
        loans,
        reservations,
        waiting,
    }))
}
