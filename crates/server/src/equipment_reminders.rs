//! The equipment pool's daily work (issue 19), at start-up and then hourly on the
//! runtime's clock: every free item is kept for the first person waiting for its kind
//! (an offer that ran out frees the item for the next; a return or cancellation does the
//! same at once in its handler), and the borrower of an overdue loan gets a German
//! reminder mail through the outbox — at most one per loan and day (the store marks the
//! loan first, so two sweeps never both send), and not before [`REMIND_FROM`] o'clock.

use crate::mailer::Mailer;
use live::SharedClock;
use std::time::Duration;
use store::{AuditEntry, Store, StoreError};
use web::admin::mail::MailService;

/// How often the pool is looked at.
pub const EVERY: Duration = Duration::from_secs(3600);
/// The local hour from which reminders go out (nobody gets one at midnight).
pub const REMIND_FROM: i8 = 7;

/// What a sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Swept {
    /// Items kept for people waiting.
    pub offered: usize,
    /// Overdue loans reminded.
    pub reminded: usize,
}

/// Starts [`run`] on the runtime (its handle is not kept: the task ends when the store
/// is closed at shutdown).
pub fn spawn(store: &Store, mailer: &Mailer, clock: &SharedClock, config: &crate::config::Config) {
    tokio::spawn(run(
        store.clone(),
        mailer.clone(),
        clock.clone(),
        config.organisation.name.clone(),
    ));
}

/// Sweeps now and then every [`EVERY`], until the task is aborted or the store closed.
/// `organisation`: the configured name, else the stored setting, else "Durchwahl".
pub async fn run(store: Store, mailer: Mailer, clock: SharedClock, organisation: Option<String>) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let name = match &organisation {
            Some(name) => name.clone(),
            None => match store.setting("organisation").await {
                Ok(name) => name.unwrap_or_else(|| "Durchwahl".into()),
                Err(StoreError::Database(sqlx::Error::PoolClosed)) => return,
                Err(_) => "Durchwahl".into(),
            },
        };
        match sweep(&store, Some(&mailer), &name, clock.now_ms()).await {
            Ok(_) => {}
            Err(StoreError::Database(sqlx::Error::PoolClosed)) => return,
            Err(error) => {
                tracing::warn!(%error, "the equipment pool's sweep failed; next hour again")
            }
        }
    }
}

/// Offers free items to those waiting and reminds overdue borrowers, at `now_ms` (Unix
/// milliseconds) in the administration's calendar.
pub async fn sweep(
    store: &Store,
    mail: Option<&dyn MailService>,
    organisation: &str,
    now_ms: i64,
) -> Result<Swept, StoreError> {
    let now = planner::calendar::local_time(now_ms.div_euclid(1000));
    let today = now.date();
    let offers = store.offer_free_equipment(today, now_ms).await?;
    web::equipment::notify::offered(store, mail, organisation, &offers, now_ms.div_euclid(1000))
        .await?;
    let mut swept = Swept {
        offered: offers.len(),
        reminded: 0,
    };
    if now.hour() < REMIND_FROM {
        return Ok(swept);
    }
    for loan in store.overdue_equipment_loans(today).await? {
        if !planner::equipment::reminder_due(loan.due, loan.reminded, today) {
            continue;
        }
        // Marked first: of two sweeps at once only one sends.
        if !store.mark_equipment_reminded(loan.id, today).await? {
            continue;
        }
        let (Some(item), Some(person)) = (
            store.equipment_item(loan.item_id).await?,
            store.panel_person_by_id(loan.staff_id).await?,
        ) else {
            continue;
        };
        store
            .audit(&AuditEntry {
                at: now_ms.div_euclid(1000),
                actor: None,
                action: "equipment.reminded".into(),
                target: Some(person.login.clone()),
                source: None,
                detail: format!(
                    "loan {} of item {} ({}) due {}",
                    loan.id, item.id, item.inventory_number, loan.due
                ),
            })
            .await?;
        swept.reminded += 1;
        let Some(mail) = mail else {
            continue;
        };
        let Some(to) = web::equipment::notify::address(store, &person.login).await? else {
            continue;
        };
        let (subject, text) =
            web::equipment::notify::overdue_mail(&person.name, &item, loan.due, organisation);
        mail.queue(store::mail_outbox::NewMail {
            to,
            subject,
            text,
            attachment: None,
        })
        .await?;
    }
    if swept != Swept::default() {
        tracing::info!(
            offered = swept.offered,
            reminded = swept.reminded,
            "equipment pool swept"
        );
    }
    Ok(swept)
}
