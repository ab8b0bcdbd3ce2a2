//! What everyone sees of the pool (per kind: how many items, how many free today, how
//! many wait, one's own place; each item with the days it is taken, without names) and
//! reserving an item for days, or cancelling one's reservation.

use super::views::{
    free_today, item_view, kinds, reservation_view, ItemView, Names, ReservationView,
};
use super::{audit, body, day_field, notify, refused, today, unprocessable};
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use planner::equipment::{position, DateRange, ItemState};
use planner::ids::PersonId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A kind at a glance.
#[derive(Debug, Serialize, ToSchema)]
pub struct KindSummary {
    /// `headset`, `camera`, `laptop`, `mobile_phone` or `other`.
    pub kind: &'static str,
    /// Items of the kind in the pool.
    pub total: usize,
    /// Of them free all of today.
    pub free_today: usize,
    /// People waiting for the kind.
    pub waiting: usize,
    /// The caller's place on its waiting list (1: next), if they wait.
    pub my_position: Option<usize>,
}

/// An item in everyone's list.
#[derive(Debug, Serialize, ToSchema)]
pub struct PoolItem {
    /// The item.
    #[serde(flatten)]
    pub item: ItemView,
    /// Lent until this day (`YYYY-MM-DD`), if lent (to whom is not said).
    pub lent_until: Option<String>,
    /// Its reservations from today on (names only on one's own).
    pub reservations: Vec<ReservationView>,
}

/// The pool as everyone sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Pool {
    /// Every kind, in order.
    pub kinds: Vec<KindSummary>,
    /// The items in the pool (not retired), by kind and inventory number.
    pub items: Vec<PoolItem>,
}

/// A reservation asked for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReservation {
    /// The item's id.
    pub item: i64,
    /// The first day (`YYYY-MM-DD`), today or later.
    pub first: String,
    /// The last day (at most 30 days in all).
    pub last: String,
}

/// The pool: per kind what is free, and every item with the days it is taken.
#[utoipa::path(get, path = "/api/v1/equipment", tag = "equipment",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = Pool)))]
pub async fn pool(State(state): State<AppState>, who: SignedIn) -> Result<Json<Pool>, ApiError> {
    let today = today(&state);
    let reservations = state.store.equipment_reservations(today).await?;
    let list = state.store.equipment_waiting().await?;
    let mut names = Names::default();
    let mut items = Vec::new();
    for row in state.store.equipment_items().await? {
        if row.state() == ItemState::Retired {
            continue;
        }
        let mut held = Vec::new();
        for r in reservations.iter().filter(|r| r.item_id == row.id) {
            held.push(reservation_view(&state, &mut names, r, who.account.id, false).await?);
        }
        items.push(PoolItem {
            item: item_view(&row, free_today(&row, &reservations, today)),
            lent_until: row.loan.as_ref().map(|l| l.due.to_string()),
            reservations: held,
        });
    }
    let kinds = kinds()
        .map(|kind| {
            let of_kind = items.iter().filter(|i| i.item.kind == kind.key());
            KindSummary {
                kind: kind.key(),
                total: of_kind.clone().count(),
                free_today: of_kind.filter(|i| i.item.free_today).count(),
                waiting: list.iter().filter(|e| e.kind == kind).count(),
                my_position: position(&list, PersonId(who.account.id), kind),
            }
        })
        .collect();
    Ok(Json(Pool { kinds, items }))
}

/// Reserve an item for days.
#[utoipa::path(post, path = "/api/v1/equipment/reservations", tag = "equipment",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    request_body = NewReservation,
    responses((status = 201, body = ReservationView),
        (status = 409, description = "The item is lent, retired or reserved for some of those days; nothing reserved", body = ErrorBody),
        (status = 422, description = "An unknown item, days that are no dates, in the past, backwards or more than 30; nothing reserved", body = ErrorBody)))]
pub async fn reserve(
    State(state): State<AppState>,
    who: SignedIn,
    Json(raw): Json<serde_json::Value>,
) -> Result<(StatusCode, Json<ReservationView>), ApiError> {
    let new: NewReservation = body(raw)?;
    let first = day_field("first", &new.first)?;
    let last = day_field("last", &new.last)?;
    let range = DateRange::new(first, last).map_err(|e| refused(e, "last"))?;
    let Some(item) = state.store.equipment_item(new.item).await? else {
        return Err(unprocessable(
            "item",
            "unknown_item",
            &format!("Ein Gerät mit der Nummer {} gibt es nicht.", new.item),
        ));
    };
    let today = today(&state);
    let row = state
        .store
        .reserve_equipment(item.id, who.account.id, range, today, state.live.now_ms())
        .await?
        .map_err(|e| refused(e, "first"))?;
    audit(
        &state,
        &who,
        "equipment.reserved",
        Some(&item.inventory_number),
        format!(
            "reservation {} of item {} from {first} to {last}",
            row.id, item.id
        ),
    )
    .await?;
    let view = reservation_view(&state, &mut Names::default(), &row, who.account.id, true).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Cancel one's own reservation; the item may then go to someone waiting.
#[utoipa::path(delete, path = "/api/v1/equipment/reservations/{id}", tag = "equipment",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path, description = "The reservation's id")),
    responses((status = 200, description = "`{}`"),
        (status = 404, description = "No reservation of the caller's that still holds", body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let cancelled = state
        .store
        .cancel_equipment_reservation(id, who.account.id, state.live.now_ms())
        .await?;
    if !cancelled {
        return Err(ApiError::NotFound(
            "Sie haben keine gültige Reservierung mit dieser Nummer.".into(),
        ));
    }
    audit(
        &state,
        &who,
        "equipment.cancelled",
        None,
        format!("reservation {id}"),
    )
    .await?;
    notify::offer_free(&state, today(&state)).await;
    Ok(Json(serde_json::json!({})))
}
