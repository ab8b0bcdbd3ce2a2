//! The equipment managers' part (the administrators, for now): the pool with every
//! item's state, loan, reservations and the waiting lists; adding items; lending an item
//! to a person until a due day, taking it back (which keeps it for the first person
//! waiting for its kind), retiring it; an item's loan history. Bad input is a 422 at its
//! field and stores nothing; a step the item's state or a reservation refuses is a 409;
//! every change is audited.

use super::notify;
use super::views::{
    free_today, item_view, kinds, loan_view, reservation_view, ItemView, LoanView, Names,
    PersonRef, ReservationView,
};
use super::{body, day_field, kind_field, refused, today, unprocessable};
use crate::admin::audit_admin;
use crate::auth::session::Admin;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use planner::equipment::position;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A new item.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewItem {
    /// The inventory number (unique).
    pub inventory_number: String,
    /// `headset`, `camera`, `laptop`, `mobile_phone` or `other`.
    pub kind: String,
    /// Name or model.
    pub name: String,
    /// Notes (accessories, defects).
    #[serde(default)]
    pub notes: Option<String>,
}

/// A loan asked for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLoan {
    /// The borrower's login.
    pub login: String,
    /// The day it is due back (`YYYY-MM-DD`), today or later.
    pub due: String,
}

/// An item in the managers' list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ManagedItem {
    /// The item.
    #[serde(flatten)]
    pub item: ItemView,
    /// Its open loan.
    pub loan: Option<LoanView>,
    /// Its reservations from today on, with names.
    pub reservations: Vec<ReservationView>,
}

/// A person waiting, in order.
#[derive(Debug, Serialize, ToSchema)]
pub struct Waiting {
    /// Their place (1: next).
    pub position: usize,
    /// Who.
    pub person: PersonRef,
    /// Since when (Unix milliseconds).
    pub since_ms: i64,
}

/// A kind's waiting list.
#[derive(Debug, Serialize, ToSchema)]
pub struct KindWaiting {
    /// The kind.
    pub kind: &'static str,
    /// Who waits, in order.
    pub waiting: Vec<Waiting>,
}

/// The pool as the managers see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Overview {
    /// Every item, by kind and inventory number.
    pub items: Vec<ManagedItem>,
    /// The waiting lists, per kind.
    pub waiting: Vec<KindWaiting>,
}

fn field_text(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let value = value.trim();
    if value.is_empty() || value.chars().count() > max || value.chars().any(char::is_control) {
        return Err(unprocessable(
            field,
            "bad_text",
            &format!("Bitte 1 bis {max} Zeichen ohne Steuerzeichen angeben."),
        ));
    }
    Ok(value.to_string())
}

async fn item_or_404(state: &AppState, id: i64) -> Result<store::EquipmentItemRow, ApiError> {
    state
        .store
        .equipment_item(id)
        .await?
        .ok_or_else(|| ApiError::NotFound("Dieses Gerät gibt es nicht.".into()))
}

/// The pool: every item with its state, loan and reservations, and the waiting lists.
#[utoipa::path(get, path = "/api/v1/admin/equipment", tag = "equipment",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    responses((status = 200, body = Overview)))]
pub async fn overview(
    State(state): State<AppState>,
    Admin(admin): Admin,
) -> Result<Json<Overview>, ApiError> {
    let today = today(&state);
    let reservations = state.store.equipment_reservations(today).await?;
    let mut names = Names::default();
    let mut items = Vec::new();
    for row in state.store.equipment_items().await? {
        let loan = match &row.loan {
            Some(loan) => Some(loan_view(&state, &mut names, loan, today).await?),
            None => None,
        };
        let mut held = Vec::new();
        for r in reservations.iter().filter(|r| r.item_id == row.id) {
            held.push(reservation_view(&state, &mut names, r, admin.account.id, true).await?);
        }
        items.push(ManagedItem {
            item: item_view(&row, free_today(&row, &reservations, today)),
            loan,
            reservations: held,
        });
    }
    let list = state.store.equipment_waiting().await?;
    let mut waiting = Vec::new();
    for kind in kinds() {
        let mut people = Vec::new();
        for entry in list.iter().filter(|e| e.kind == kind) {
            people.push(Waiting {
                position: position(&list, entry.person, kind).unwrap_or(0),
                person: names.of(&state, entry.person.0).await?,
                since_ms: entry.since_ms,
            });
        }
        people.sort_by_key(|w| w.position);
        waiting.push(KindWaiting {
            kind: kind.key(),
            waiting: people,
        });
    }
    Ok(Json(Overview { items, waiting }))
}

/// Add an item to the pool.
#[utoipa::path(post, path = "/api/v1/admin/equipment/items", tag = "equipment",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    request_body = NewItem,
    responses((status = 201, body = ItemView),
        (status = 422, description = "An empty or used inventory number, an unknown kind, no name; nothing stored", body = ErrorBody)))]
pub async fn add_item(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Json(raw): Json<serde_json::Value>,
) -> Result<(StatusCode, Json<ItemView>), ApiError> {
    let new: NewItem = body(raw)?;
    let number = field_text("inventory_number", &new.inventory_number, 40)?;
    let kind = kind_field("kind", &new.kind)?;
    let name = field_text("name", &new.name, 120)?;
    let notes = match new.notes.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(notes) => Some(field_text("notes", notes, 500)?),
    };
    let item = match state
        .store
        .add_equipment_item(&number, kind, &name, notes.as_deref(), state.live.now_ms())
        .await
    {
        Ok(item) => item,
        Err(store::StoreError::Conflict(message)) => {
            return Err(unprocessable("inventory_number", "duplicate", &message))
        }
        Err(other) => return Err(other.into()),
    };
    audit_admin(
        &state,
        &admin,
        "admin.equipment.item_added",
        Some(&number),
        format!("item {} ({})", item.id, kind.key()),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(item_view(&item, true))))
}

/// Lend an item to a person until a due day.
#[utoipa::path(post, path = "/api/v1/admin/equipment/items/{id}/loan", tag = "equipment",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("id" = i64, Path, description = "The item's id")),
    request_body = NewLoan,
    responses((status = 201, body = LoanView),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "Lent, retired, or reserved by someone else for some of those days; nothing changed", body = ErrorBody),
        (status = 422, description = "An unknown person, a due day that is no date or in the past; nothing changed", body = ErrorBody)))]
pub async fn lend(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<i64>,
    Json(raw): Json<serde_json::Value>,
) -> Result<(StatusCode, Json<LoanView>), ApiError> {
    let new: NewLoan = body(raw)?;
    let due = day_field("due", &new.due)?;
    let Some(person) = state.store.panel_person(new.login.trim()).await? else {
        return Err(unprocessable(
            "login",
            "unknown_person",
            &format!("„{}“ ist niemand im Verzeichnis.", new.login.trim()),
        ));
    };
    let item = item_or_404(&state, id).await?;
    let today = today(&state);
    let loan = state
        .store
        .lend_equipment(id, person.id, today, due, state.live.now_ms())
        .await?
        .map_err(|e| refused(e, "due"))?;
    audit_admin(
        &state,
        &admin,
        "admin.equipment.lent",
        Some(&person.login),
        format!("item {} ({}) until {due}", id, item.inventory_number),
    )
    .await?;
    notify::changed(&state, person.id);
    let view = loan_view(&state, &mut Names::default(), &loan, today).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Take a lent item back; it is then kept for the first person waiting for its kind.
#[utoipa::path(post, path = "/api/v1/admin/equipment/items/{id}/return", tag = "equipment",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("id" = i64, Path, description = "The item's id")),
    responses((status = 200, body = LoanView),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "The item is not lent", body = ErrorBody)))]
pub async fn take_back(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<i64>,
) -> Result<Json<LoanView>, ApiError> {
    let item = item_or_404(&state, id).await?;
    let today = today(&state);
    let loan = state
        .store
        .return_equipment(id, today, state.live.now_ms())
        .await?
        .map_err(|e| refused(e, "item"))?;
    let mut names = Names::default();
    let view = loan_view(&state, &mut names, &loan, today).await?;
    audit_admin(
        &state,
        &admin,
        "admin.equipment.returned",
        Some(&view.person.login),
        format!("item {} ({})", id, item.inventory_number),
    )
    .await?;
    notify::changed(&state, loan.staff_id);
    notify::offer_free(&state, today).await;
    Ok(Json(view))
}

/// Retire an item (not while lent); its reservations are cancelled.
#[utoipa::path(post, path = "/api/v1/admin/equipment/items/{id}/retire", tag = "equipment",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("id" = i64, Path, description = "The item's id")),
    responses((status = 200, body = ItemView),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 409, description = "The item is lent; take it back first", body = ErrorBody)))]
pub async fn retire(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<i64>,
) -> Result<Json<ItemView>, ApiError> {
    item_or_404(&state, id).await?;
    let cancelled = state
        .store
        .retire_equipment(id, state.live.now_ms())
        .await?
        .map_err(|e| refused(e, "item"))?;
    let item = item_or_404(&state, id).await?;
    audit_admin(
        &state,
        &admin,
        "admin.equipment.retired",
        Some(&item.inventory_number),
        format!("item {id}, {} reservations cancelled", cancelled.len()),
    )
    .await?;
    for r in &cancelled {
        notify::changed(&state, r.staff_id);
    }
    Ok(Json(item_view(&item, false)))
}

/// An item's loans, newest first.
#[utoipa::path(get, path = "/api/v1/admin/equipment/items/{id}/loans", tag = "equipment",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("id" = i64, Path, description = "The item's id")),
    responses((status = 200, body = Vec<LoanView>),
        (status = 404, description = "No such item", body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    _: Admin,
    Path(id): Path<i64>,
) -> Result<Json<Vec<LoanView>>, ApiError> {
    item_or_404(&state, id).await?;
    let today = today(&state);
    let mut names = Names::default();
    let mut out = Vec::new();
    for loan in state.store.equipment_loans_of_item(id).await? {
        out.push(loan_view(&state, &mut names, &loan, today).await?);
    }
    Ok(Json(out))
}
