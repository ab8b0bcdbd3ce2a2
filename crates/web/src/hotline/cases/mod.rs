//! The case database behind a hotline (issue 16) over HTTP: the case form (read by the
//! hotline's agents and supervisors, changed by administrators), appointment slots (added
//! and removed while unbooked by supervisors and administrators), the hotline's people
//! for choosing an assignee, the case list with search, filters and CSV export,
//! one case with its history, creating and changing cases, and a caller's earlier cases.
//!
//! Every handler checks access first ([`access::CaseWorker`]): only the hotline's agents
//! and supervisors, and administrators; others get 403, requests without a session 401.
//! The rules live in the `cases` core and the store; handlers read, call and map.

pub mod access;
pub mod case;
pub mod form;
pub mod list;
pub mod local_time;
pub mod members;
pub mod shapes;
pub mod slots;

use crate::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The case database's routes under `/api/v1/hotlines/{hotline}/`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(form::get_form, form::put_form))
        .routes(routes!(slots::list_slots, slots::add_slots))
        .routes(routes!(slots::remove_slot))
        .routes(routes!(members::members))
        .routes(routes!(list::list_cases, case::create_case))
        .routes(routes!(case::get_case, case::patch_case))
        .routes(routes!(case::earlier_cases))
}
