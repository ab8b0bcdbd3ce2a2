//! Telling people they were admitted from a waiting list: a live `rollout.changed` frame
//! to their open pages and, when the server has a mailer and the person an address, an
//! e-mail through the outbox. A failed notification never undoes the admission.

use crate::mobile_work::notify::mail_person;
use crate::AppState;
use live::frames::Frame;
use planner::ids::PersonId;

/// Tells `people` that they now have `feature`.
pub(crate) async fn admitted(state: &AppState, feature: &str, people: &[PersonId]) {
    let name = super::label(feature).unwrap_or(feature);
    for person in people {
        let frame: Frame = serde_json::json!({"type": "rollout.changed", "feature": feature})
            .to_string()
            .into();
        state.live.to_person(person.0, None, frame);
        if let Err(e) = mail(state, name, person.0).await {
            tracing::warn!(error = %e, "the admission mail was not queued");
        }
    }
}

async fn mail(state: &AppState, name: &str, person: i64) -> Result<bool, store::StoreError> {
    let organisation = state.organisation.clone();
    mail_person(
        state,
        person,
        format!("{name}: Sie sind zugelassen"),
        |who| {
            format!(
            "Guten Tag {who},\n\nfür „{name}“ ist ein Platz frei geworden: Sie stehen nicht mehr \
             auf der Warteliste und können das Angebot ab sofort nutzen.\n\n\
             A place for \"{name}\" has become free: you are off the waiting list and may \
             use it from now on.\n\n{organisation}\n"
        )
        },
    )
    .await
}
