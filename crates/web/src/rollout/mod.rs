//! The phased rollout (issue 19): per feature an optional cap on how many people may have
//! it and a waiting list beyond it. Administrators configure a feature's cap and priority
//! criteria and raise or lower the cap (`admin.rs`); a person sees, per capped feature,
//! whether they have it or where they wait (`own.rs`); the administration records which
//! priority criteria a waiting person meets (`waiting.rs`); an approved mobile-work
//! application takes a place or joins the list (`approval.rs`); admitted people are told
//! live and by e-mail (`notify.rs`). The staff council's aggregate report of mobile work
//! lives here too (`council.rs`), as the other half of "mobile work as a system".
//!
//! Who goes first and who is admitted is the planner's (`planner::rollout`); the store
//! keeps the cap, the holders and the list and admits all or nothing under the cap.

pub mod admin;
pub mod approval;
pub mod commute;
pub mod council;
mod notify;
pub mod own;
pub mod report;
pub mod report_csv;
pub mod waiting;

use crate::error::ApiError;
use crate::AppState;
use planner::ids::PersonId;
use store::RolloutFeature;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The features a rollout can cap, with their German names.
pub const FEATURES: [(&str, &str); 5] = [
    ("mobile_work", "Mobiles Arbeiten"),
    ("softphone", "Softphone"),
    ("meetings", "Videokonferenzen"),
    ("hotline", "Hotline"),
    ("access_gateway", "Zugangsportal"),
];

/// The feature mobile-work approvals count against.
pub const MOBILE_WORK: &str = "mobile_work";

/// The rollout's routes: the administrators', the person's and the council report.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(admin::list))
        .routes(routes!(admin::get_feature, admin::configure))
        .routes(routes!(admin::set_cap))
        .routes(routes!(waiting::set_criteria))
        .routes(routes!(own::mine))
        .routes(routes!(council::report))
        .routes(routes!(report::report))
        .routes(routes!(report_csv::report_csv))
        .routes(routes!(commute::mine, commute::set))
}

/// A feature's German name, or `None` for an unknown key.
pub fn label(feature: &str) -> Option<&'static str> {
    FEATURES
        .iter()
        .find(|(key, _)| *key == feature)
        .map(|(_, name)| *name)
}

/// A known feature's key from the path, or 404.
pub(crate) fn known(feature: &str) -> Result<&'static str, ApiError> {
    FEATURES
        .iter()
        .find(|(key, _)| *key == feature)
        .map(|(key, _)| *key)
        .ok_or_else(|| ApiError::NotFound(format!("Das Merkmal „{feature}“ gibt es nicht.")))
}

/// A person's place in a feature's rollout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// They have the feature.
    Holder,
    /// On the waiting list at this position (1: next in line).
    Waiting(usize),
    /// Neither.
    Outside,
}

/// Where `person` stands in `feature`'s rollout, the list in the planner's order.
pub(crate) async fn place_of(
    state: &AppState,
    feature: &RolloutFeature,
    person: PersonId,
) -> Result<Place, ApiError> {
    if state
        .store
        .rollout_holders(&feature.feature)
        .await?
        .contains(&person)
    {
        return Ok(Place::Holder);
    }
    let waiting: Vec<_> = state
        .store
        .waiting_list(&feature.feature)
        .await?
        .iter()
        .map(|w| w.applicant())
        .collect();
    Ok(match feature.priority.position(&waiting, person) {
        Some(position) => Place::Waiting(position),
        None => Place::Outside,
    })
}
