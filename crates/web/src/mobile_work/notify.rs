//! Telling deciders about applications: when someone applies or applies again after
//! changes were asked for, whoever may decide now (the head of their unit, or its deputies
//! while the head is absent: `planner::approval::deciders`) gets an e-mail through the
//! outbox and a live `mobile_work.application` frame on their open pages. A failed
//! notification never undoes the application; it is logged.

use super::local_now;
use crate::AppState;
use live::frames::Frame;
use planner::approval::deciders;
use planner::ids::PersonId;
use store::mail_outbox::NewMail;
use store::StoreError;

/// Queues a mail to `staff_id`, when the server has a mailer and they have an address;
/// whether one was queued.
pub(crate) async fn mail_person(
    state: &AppState,
    staff_id: i64,
    subject: String,
    text: impl FnOnce(&str) -> String,
) -> Result<bool, StoreError> {
    let Some(mailer) = state.mail.clone() else {
        return Ok(false);
    };
    let Some(panel) = state.store.panel_person_by_id(staff_id).await? else {
        return Ok(false);
    };
    let Ok(login) = directory::Login::parse(&panel.login) else {
        return Ok(false);
    };
    let Some(to) = state.store.person(&login).await?.and_then(|p| p.email) else {
        return Ok(false);
    };
    mailer
        .queue(NewMail {
            to,
            subject,
            text: text(&panel.name),
            attachment: None,
        })
        .await?;
    Ok(true)
}

/// Tells the deciders on `applicant`'s application `agreement` that it waits for them.
pub(crate) async fn application_waits(state: &AppState, applicant: i64, agreement: i64) {
    if let Err(error) = tell_deciders(state, applicant, agreement).await {
        tracing::warn!(%error, agreement, "the deciders were not told of the application");
    }
}

async fn tell_deciders(state: &AppState, applicant: i64, agreement: i64) -> Result<(), StoreError> {
    let chain = state.store.leadership_chain(applicant).await?;
    let absent = state.store.absent_on(local_now(state).date()).await?;
    let name = state
        .store
        .panel_person_by_id(applicant)
        .await?
        .map_or_else(|| format!("Nr. {applicant}"), |p| p.name);
    for (decider, _) in deciders(&chain, PersonId(applicant), &absent) {
        let frame: Frame = serde_json::json!({
            "type": "mobile_work.application", "agreement": agreement
        })
        .to_string()
        .into();
        state.live.to_person(decider.0, None, frame);
        let organisation = state.organisation.clone();
        mail_person(
            state,
            decider.0,
            format!("Mobiles Arbeiten: Antrag von {name}"),
            |decider_name| {
                format!(
                    "Guten Tag {decider_name},\n\n{name} hat mobiles Arbeiten beantragt \
                     (Antrag Nr. {agreement}); Sie entscheiden darüber unter „Mobiles \
                     Arbeiten“ (#/mobile-work).\n\n\
                     {name} has applied for mobile work (application {agreement}); you decide \
                     on it under \"Mobile work\" (#/mobile-work).\n\n{organisation}\n"
                )
            },
        )
        .await?;
    }
    Ok(())
}
