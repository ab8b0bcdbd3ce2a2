//! The equipment pool (issue 19): headsets, cameras, laptops, mobile phones and other
//! scarce devices with inventory numbers. The administrators (the equipment managers, for
//! now) add items, lend them to a person until a due day, take them back and retire them
//! (`admin.rs`); everyone sees what is free per kind and reserves an item for days
//! (`reservations.rs`), joins the waiting list of a kind when nothing is free
//! (`waiting.rs`), and sees what they hold, their reservations and their places on the
//! lists under "Meine Geräte" (`mine.rs`). An item that comes back is kept for the first
//! person waiting for its kind, who is told live and by e-mail (`notify.rs`).
//!
//! The rules are the planner's (`planner::equipment`); the store asks them inside one
//! transaction per item, so concurrent requests never lend or reserve an item twice.
//! Every change is in the audit log.

pub mod admin;
pub mod mine;
pub mod notify;
pub mod reservations;
pub mod views;
pub mod waiting;

use crate::error::ApiError;
use crate::AppState;
use jiff::civil::Date;
use planner::equipment::{EquipmentError, Kind};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The equipment routes: the administrators' and everyone's.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(admin::overview))
        .routes(routes!(admin::add_item))
        .routes(routes!(admin::lend))
        .routes(routes!(admin::take_back))
        .routes(routes!(admin::retire))
        .routes(routes!(admin::history))
        .routes(routes!(reservations::pool))
        .routes(routes!(reservations::reserve))
        .routes(routes!(reservations::cancel))
        .routes(routes!(waiting::join))
        .routes(routes!(waiting::leave))
        .routes(routes!(mine::mine))
}

/// Today in the administration's calendar, by the runtime's one clock.
pub(crate) fn today(state: &AppState) -> Date {
    planner::calendar::local_time(state.live.now_ms().div_euclid(1000)).date()
}

/// A kind by its key, or 422 at `field`.
pub(crate) fn kind_field(field: &str, value: &str) -> Result<Kind, ApiError> {
    Kind::parse(value.trim()).ok_or_else(|| {
        unprocessable(
            field,
            "unknown_kind",
            &format!(
                "„{value}“ ist keine Geräteart (headset, camera, laptop, mobile_phone oder other)."
            ),
        )
    })
}

/// A planner's refusal: bad days are a 422 at `field`, a state or claim in the way a 409
/// (the German text says which).
pub(crate) fn refused(error: EquipmentError, field: &str) -> ApiError {
    match error {
        EquipmentError::Past { .. }
        | EquipmentError::Backwards { .. }
        | EquipmentError::TooLong { .. }
        | EquipmentError::TooFarAhead { .. } => {
            unprocessable(field, error.code(), &error.to_string())
        }
        // A 409 with the planner's code, so the client can say it in its own language.
        other => ApiError::Fields {
            conflict: true,
            fields: vec![crate::error::FieldIssue {
                field: field.into(),
                problem: other.code(),
                message: other.to_string(),
            }],
        },
    }
}

pub(crate) use crate::admin::audit_trail::by as audit;
pub(crate) use crate::desks::day_field;
pub(crate) use crate::error::{body, unprocessable};
