//! The hotline over HTTP, a file or folder per part: agents' own state (`agent`), the
//! administrators' set-up (`admin`), supervisors' wallboard and reports (`board`), the case
//! database (`cases`).

pub mod admin;
pub mod admin_edit;
pub mod agent;
pub mod announcements;
pub mod board;
pub mod cases;
mod report_csv;

use crate::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The hotline's routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(agent::status, agent::act))
        .routes(routes!(admin::list, admin::create))
        .routes(routes!(admin_edit::detail, admin_edit::update))
        .routes(routes!(admin_edit::add_queue))
        .routes(routes!(admin_edit::update_queue, admin_edit::remove_queue))
        .routes(routes!(admin_edit::set_agents))
        .routes(routes!(admin_edit::set_supervisors))
        .routes(routes!(admin_edit::set_closures))
        .routes(routes!(admin_edit::set_listening))
        .routes(routes!(
            announcements::upload,
            announcements::listen,
            announcements::remove
        ))
        .routes(routes!(
            announcements::upload_periodic,
            announcements::remove_periodic
        ))
        .routes(routes!(board::list))
        .routes(routes!(board::board))
        .routes(routes!(board::report))
}
