//! Mobile work under a cap: an approved application takes a place while the cap leaves
//! one and nobody waits ahead, else it joins the waiting list (the planner's
//! `rollout::apply` decides). The head's approval stands either way; the place decides
//! when the person may start. Admission from the list (`admin::set_cap`) grants it. When
//! the agreement ends, the place (or the place on the list) goes to the next in line.

use super::{place_of, Place, MOBILE_WORK};
use crate::admin::audit_trail::by as audit;
use crate::auth::session::SignedIn;
use crate::error::ApiError;
use crate::AppState;
use jiff::civil::DateTime;
use planner::ids::PersonId;
use planner::rollout::{apply, Admission, Applicant};
use serde::Serialize;
use store::StoreError;
use utoipa::ToSchema;

/// Where an approval left the person in the rollout of mobile work.
#[derive(Debug, Serialize, ToSchema)]
pub struct RolloutPlace {
    /// `granted` (a place was free) or `waiting` (on the waiting list).
    pub state: String,
    /// The position on the waiting list (1: next in line), while waiting.
    pub position: Option<usize>,
    /// What it means, in German.
    pub message: String,
}

impl RolloutPlace {
    fn granted() -> RolloutPlace {
        RolloutPlace {
            state: "granted".into(),
            position: None,
            message: "Genehmigt; ein Platz für mobiles Arbeiten ist frei, es gilt sofort.".into(),
        }
    }

    fn waiting(position: usize) -> RolloutPlace {
        RolloutPlace {
            state: "waiting".into(),
            position: Some(position),
            message: format!(
                "Genehmigt, aber alle Plätze für mobiles Arbeiten sind vergeben: Der Antrag \
                 steht auf der Warteliste auf Platz {position}. Wird ein Platz frei, rückt er \
                 nach und die Person wird benachrichtigt."
            ),
        }
    }
}

/// After an approval of `person`'s application (made at `applied_at`): their place, or
/// `None` when mobile work has no rollout (granted as always). A rollout without a cap
/// admits everyone, counted as holders so that a cap set later counts them.
pub async fn place_approved(
    state: &AppState,
    person: i64,
    applied_at: DateTime,
) -> Result<Option<RolloutPlace>, ApiError> {
    let Some(feature) = state.store.rollout_feature(MOBILE_WORK).await? else {
        return Ok(None);
    };
    let person = PersonId(person);
    match place_of(state, &feature, person).await? {
        Place::Holder => return Ok(Some(RolloutPlace::granted())),
        Place::Waiting(position) => return Ok(Some(RolloutPlace::waiting(position))),
        Place::Outside => {}
    }
    let waiting: Vec<Applicant> = state
        .store
        .waiting_list(MOBILE_WORK)
        .await?
        .iter()
        .map(|w| w.applicant())
        .collect();
    let applicant = Applicant {
        person,
        applied_at,
        criteria: Vec::new(),
    };
    let admission = apply(
        feature.cap,
        feature.holders,
        &feature.priority,
        &waiting,
        &applicant,
    )?;
    if admission == Admission::Admitted {
        match state
            .store
            .admit_to_rollout(MOBILE_WORK, &[person], state.live.now_ms())
            .await
        {
            Ok(()) => return Ok(Some(RolloutPlace::granted())),
            // Someone took the last place meanwhile: the list, as for everyone after.
            Err(StoreError::CapReached { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    state
        .store
        .add_to_waiting_list(MOBILE_WORK, person.0, applied_at, &[])
        .await?;
    let feature = state
        .store
        .rollout_feature(MOBILE_WORK)
        .await?
        .ok_or(ApiError::Internal)?;
    Ok(Some(match place_of(state, &feature, person).await? {
        Place::Waiting(position) => RolloutPlace::waiting(position),
        _ => RolloutPlace::granted(),
    }))
}

/// After `person`'s mobile-work agreement ended (they ended it; the calendar ends the
/// others): they give up their place, or leave the waiting list, and the next in line
/// takes the place (`Store::release_rollout_place`, one transaction). Each admission is
/// audited as `rollout.admitted` by `who` and the admitted are told live and by e-mail.
pub async fn agreement_ended(
    state: &AppState,
    who: &SignedIn,
    person: i64,
) -> Result<Vec<PersonId>, ApiError> {
    let released = state
        .store
        .release_rollout_place(MOBILE_WORK, person, state.live.now_ms())
        .await?;
    // The admissions are written: whoever got a place is told first, and a failed audit
    // line is logged rather than answered (the caller's own step is committed already).
    tell_admitted(state, &released.admitted).await;
    for admitted in &released.admitted {
        let login = match state.store.panel_person_by_id(admitted.0).await {
            Ok(person) => person.map(|p| p.login),
            Err(error) => {
                tracing::warn!(%error, "the admitted person could not be read for the audit log");
                None
            }
        };
        let target = login.unwrap_or_else(|| format!("staff {}", admitted.0));
        if let Err(error) = audit(
            state,
            who,
            "rollout.admitted",
            Some(&target),
            format!("{MOBILE_WORK}: a place became free"),
        )
        .await
        {
            tracing::error!(?error, "an admission to mobile work could not be audited");
        }
    }
    Ok(released.admitted)
}

/// Tells `people` admitted to mobile work from the waiting list (live and by e-mail), for
/// admissions made outside a request (the calendar's sweep).
pub async fn tell_admitted(state: &AppState, people: &[PersonId]) {
    if !people.is_empty() {
        super::notify::admitted(state, MOBILE_WORK, people).await;
    }
}
