//! Mobile work (issue 19), agreements and approvals: the administrators set the service
//! agreement's rules, publish the texts everyone acknowledges and name each unit's head
//! and deputies (`admin.rs`, every unit with its leaders in `units.rs`); a person sees
//! their agreements with their whole history and applies (`own.rs`), applies again when
//! changes were asked for or withdraws (`changes.rs`); the head of their unit, or a
//! deputy while the head is absent, decides (`decisions.rs`) and renews an agreement in
//! force (`renewal.rs`, those in force listed in `in_force.rs`); an agreement in force
//! ends or is revoked with the notice period (`ending.rs`). Deciders are told of
//! applications (`notify.rs`); holders are reminded before their agreement runs out
//! (`reminders.rs`, called by the calendar's sweep).
//!
//! Every decision is the planner's (`planner::agreement_rules`, `planner::approval`):
//! the handlers read the facts from the store (the rules, the texts, the leadership chain,
//! who is absent today), hand them to the planner with the local time, and write what it
//! returns in one transaction (`Store::record_agreement_transition`, guarded by the state
//! and revision read, so of two decisions at once one is written, the other is a 409).
//! Every step is in the audit log. Refusals map to status codes in `error.rs`.

pub mod admin;
pub mod breaches;
pub mod changes;
pub mod decisions;
pub mod ending;
pub mod in_force;
pub(crate) mod notify;
pub mod own;
pub mod reminders;
pub mod renewal;
pub mod rules;
mod step;
pub mod units;
pub mod views;

use crate::auth::session::SignedIn;
use crate::error::ApiError;
use crate::AppState;
use directory::flags::Flag;
use jiff::civil::DateTime;
use planner::agreement_rules::{AgreementRules, Person};
use planner::ids::{PersonId, UnitId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The mobile-work routes: the administrators', the own and the deciders'.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(admin::get_rules, admin::put_rules))
        .routes(routes!(admin::publish_text))
        .routes(routes!(admin::get_leaders, admin::set_leaders))
        .routes(routes!(units::units))
        .routes(routes!(own::overview))
        .routes(routes!(own::acknowledge))
        .routes(routes!(own::apply))
        .routes(routes!(changes::resubmit))
        .routes(routes!(changes::withdraw))
        .routes(routes!(decisions::pending))
        .routes(routes!(decisions::decide))
        .routes(routes!(in_force::in_force))
        .routes(routes!(ending::end))
        .routes(routes!(ending::revoke))
        .routes(routes!(renewal::renew))
}

/// Now as local time (to the second), by the runtime's one clock: agreements run from
/// local day to local day (`planner::calendar::zone`, as the calendar's sweep).
pub(crate) fn local_now(state: &AppState) -> DateTime {
    planner::calendar::local_time(state.now())
}

/// The service agreement's rules with the current acknowledgement texts, if the
/// administration has set them.
pub(crate) async fn current_rules(state: &AppState) -> Result<Option<AgreementRules>, ApiError> {
    let Some(stored) = state.store.mobile_work_rules().await? else {
        return Ok(None);
    };
    let texts = state.store.current_acknowledgement_texts().await?;
    let body = rules::Rules::from_stored(stored)?;
    Ok(Some(body.to_planner(&texts)?))
}

/// The federal state whose public holidays the team's plans leave out, if the rules name
/// one.
pub(crate) async fn holiday_state(
    state: &AppState,
) -> Result<Option<queues::holidays::State>, ApiError> {
    let Some(stored) = state.store.mobile_work_rules().await? else {
        return Ok(None);
    };
    let body = rules::Rules::from_stored(stored)?;
    Ok(body
        .holidays
        .as_deref()
        .and_then(queues::holidays::State::parse))
}

/// The rules, or 409 while the administration has not set them.
pub(crate) async fn required_rules(state: &AppState) -> Result<AgreementRules, ApiError> {
    current_rules(state).await?.ok_or_else(|| {
        ApiError::Conflict(
            "Die Dienstvereinbarung zur mobilen Arbeit ist noch nicht eingerichtet; \
             bitte wenden Sie sich an die Verwaltung."
                .into(),
        )
    })
}

/// The signed-in person as the rules see them: their unit and those above it, their
/// roles.
pub(crate) async fn applicant(state: &AppState, who: &SignedIn) -> Result<Person, ApiError> {
    let chain = state.store.leadership_chain(who.account.id).await?;
    Ok(Person {
        id: PersonId(who.account.id),
        units: chain.iter().map(|l| l.unit).collect::<Vec<UnitId>>(),
        roles: who
            .account
            .roles
            .iter()
            .map(|r| r.name().to_string())
            .collect(),
    })
}

pub(crate) use crate::admin::audit_trail::by as audit;
pub(crate) use crate::error::{body, unprocessable};
