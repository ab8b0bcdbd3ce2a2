//! The hotline over HTTP, a file or folder per part: agents' own state (`agent`), the
//! administrators' set-up (`admin`), supervisors' wallboard and reports (`board`), the case
//! database (`cases`).

pub mod admin;
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
        .routes(routes!(
            announcements::upload,
            announcements::listen,
            announcements::remove
        ))
        .routes(routes!(board::list))
        .routes(routes!(board::board))
        .routes(routes!(board::report))
}
