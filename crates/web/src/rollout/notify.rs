//! Telling people they were admitted from a waiting list: a live `rollout.changed` frame
//! to their open pages and, when the server has a mailer and the person an address, an
//! e-mail through the outbox. A failed notification never undoes the admission.

use crate::AppState;
use live::frames::Frame;
use planner::ids::PersonId;
use store::mail_outbox::NewMail;

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

async fn mail(state: &AppState, name: &str, person: i64) -> Result<(), store::StoreError> {
    let Some(mailer) = state.mail.clone() else {
        return Ok(());
    };
    let Some(panel) = state.store.panel_person_by_id(person).await? else {
        return Ok(());
    };
    let Ok(login) = directory::Login::parse(&panel.login) else {
        return Ok(());
    };
    let Some(to) = state.store.person(&login).await?.and_then(|p| p.email) else {
        return Ok(());
    };
    mailer
        .queue(NewMail {
            to,
            subject: format!("{name}: Sie sind zugelassen"),
            text: format!(
                "Guten Tag {},\n\nfür „{name}“ ist ein Platz frei geworden: Sie stehen nicht mehr \
                 auf der Warteliste und können das Angebot ab sofort nutzen.\n\n\
                 A place for \"{name}\" has become free: you are off the waiting list and may \
                 use it from now on.\n\n{}\n",
                panel.name, state.organisation
            ),
            attachment: None,
        })
        .await?;
    Ok(())
}
