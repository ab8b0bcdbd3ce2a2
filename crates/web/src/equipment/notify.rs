//! Telling people about their equipment: a live `equipment.changed` frame to their open
//! pages when something of theirs changed, and e-mails through the outbox when a
//! returned item is kept for them (the first on its kind's waiting list) and when a loan
//! is overdue. The server's daily sweep (`equipment_reminders` in the server) uses the
//! same offers and texts. A failed notification never undoes the step.

use crate::admin::mail::MailService;
use crate::AppState;
use jiff::civil::Date;
use live::frames::Frame;
use planner::calendar::GermanDate;
use planner::equipment::Offer;
use store::mail_outbox::NewMail;
use store::{AuditEntry, Store, StoreError};

/// Tells `person`'s open pages that their equipment changed.
pub(crate) fn changed(state: &AppState, person: i64) {
    let frame: Frame = serde_json::json!({"type": "equipment.changed"})
        .to_string()
        .into();
    state.live.to_person(person, None, frame);
}

/// Keeps every free item for the first person waiting for its kind, tells them live and
/// by e-mail, and audits each offer. Failures are logged: the return stands.
pub(crate) async fn offer_free(state: &AppState, today: Date) {
    let made = match state
        .store
        .offer_free_equipment(today, state.live.now_ms())
        .await
    {
        Ok(made) => made,
        Err(error) => {
            tracing::warn!(%error, "free equipment could not be offered to those waiting");
            return;
        }
    };
    for offer in &made {
        changed(state, offer.person.0);
    }
    let mail = state.mail.as_deref();
    if let Err(error) = offered(&state.store, mail, &state.organisation, &made, state.now()).await {
        tracing::warn!(%error, "the equipment offers were not all audited or mailed");
    }
}

/// Audits `offers` and mails each person (when there is a mailer and they have an
/// address). `now` in Unix seconds.
pub async fn offered(
    store: &Store,
    mail: Option<&dyn MailService>,
    organisation: &str,
    offers: &[Offer],
    now: i64,
) -> Result<(), StoreError> {
    for offer in offers {
        let Some(item) = store.equipment_item(offer.item.0).await? else {
            continue;
        };
        let person = store.panel_person_by_id(offer.person.0).await?;
        store
            .audit(&AuditEntry {
                at: now,
                actor: None,
                action: "equipment.offered".into(),
                target: person.as_ref().map(|p| p.login.clone()),
                source: None,
                detail: format!(
                    "item {} ({}) kept until {}",
                    item.id, item.inventory_number, offer.range.last
                ),
            })
            .await?;
        let (Some(mail), Some(person)) = (mail, person) else {
            continue;
        };
        let Some(to) = address(store, &person.login).await? else {
            continue;
        };
        let what = format!(
            "{} „{}“ ({})",
            item.kind.german(),
            item.name,
            item.inventory_number
        );
        mail.queue(NewMail {
            to,
            subject: format!("Gerät für Sie zurückgelegt: {what}"),
            text: format!(
                "Guten Tag {},\n\nSie standen auf der Warteliste: {what} ist wieder da und \
                 bis {} für Sie zurückgelegt. Bitte holen Sie es bei der Geräteverwaltung ab; \
                 danach geht es an die nächste Person auf der Liste.\n\n\
                 You were on the waiting list: {what} is back and kept for you until {}. \
                 Please collect it from the equipment desk.\n\n{organisation}\n",
                person.name,
                GermanDate(offer.range.last),
                offer.range.last,
            ),
            attachment: None,
        })
        .await?;
    }
    Ok(())
}

/// The person's e-mail address, if they have one.
pub async fn address(store: &Store, login: &str) -> Result<Option<String>, StoreError> {
    let Ok(login) = directory::Login::parse(login) else {
        return Ok(None);
    };
    Ok(store.person(&login).await?.and_then(|p| p.email))
}

/// The reminder for an overdue loan: subject and text (German, with an English line).
pub fn overdue_mail(
    name: &str,
    item: &store::EquipmentItemRow,
    due: Date,
    organisation: &str,
) -> (String, String) {
    let what = format!(
        "{} „{}“ ({})",
        item.kind.german(),
        item.name,
        item.inventory_number
    );
    (
        format!("Erinnerung: Rückgabe überfällig – {what}"),
        format!(
            "Guten Tag {name},\n\n{what} war am {} zurückzugeben. Bitte bringen Sie es \
             zur Geräteverwaltung zurück oder sprechen Sie eine Verlängerung ab; andere \
             warten vielleicht darauf.\n\n\
             Reminder: {what} was due back on {due}. Please return it to the equipment \
             desk.\n\n{organisation}\n",
            GermanDate(due)
        ),
    )
}
