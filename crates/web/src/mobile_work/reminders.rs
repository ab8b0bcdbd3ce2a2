//! Reminders before an agreement runs out (issue 19: "Agreements can end, be renewed
//! (reminder before expiry)"). The rules' `reminder_days` (e.g. 42 and 14) say how many
//! days before an agreement's last day its holder is reminded; the planner gives the
//! days (`Agreement::deadlines`). The calendar's sweep calls [`send_due`] hourly: each
//! approved agreement with a reminder due today or earlier (and its last day still to
//! come) gets one mail to its holder through the outbox, with the renewal page
//! `#/mobile-work`. The store records each reminder (`mw_reminders`), so it is sent once
//! however often the sweep runs; reminders passed before the first sweep that saw them
//! are recorded without a mail of their own (one mail, the latest, says it all).

use super::current_rules;
use super::notify::mail_person;
use crate::error::ApiError;
use crate::AppState;
use planner::approval::DeadlineKind;
use store::AgreementState;

/// Sends the reminders due at the runtime's now; how many mails were queued.
pub async fn send_due(state: &AppState) -> Result<usize, ApiError> {
    let Some(rules) = current_rules(state).await? else {
        return Ok(0);
    };
    let today = super::local_now(state).date();
    let mut sent = 0;
    for row in state
        .store
        .agreements_in_state(AgreementState::Approved)
        .await?
    {
        let Some(end) = row.terms.end.filter(|end| *end >= today) else {
            continue;
        };
        let due: Vec<u16> = row
            .to_planner()
            .deadlines(&rules)
            .iter()
            .filter(|d| d.on <= today)
            .filter_map(|d| match d.kind {
                DeadlineKind::Reminder { days_left } => Some(days_left),
                _ => None,
            })
            .collect();
        // The nearest the end is the one to mail; the others are only recorded.
        let Some(nearest) = due.iter().min().copied() else {
            continue;
        };
        let mut mail = false;
        for days_left in due {
            let new = state
                .store
                .mark_reminder_sent(row.id, days_left, state.live.now_ms())
                .await?;
            mail |= new && days_left == nearest;
        }
        if !mail {
            continue;
        }
        let organisation = state.organisation.clone();
        let end_de = end.strftime("%d.%m.%Y").to_string();
        let queued = mail_person(
            state,
            row.staff_id,
            format!("Mobiles Arbeiten: Ihre Vereinbarung endet am {end_de}"),
            |name| {
                format!(
                    "Guten Tag {name},\n\nIhre Vereinbarung über mobiles Arbeiten (Nr. {}) \
                     endet am {end_de}. Soll sie weiterlaufen, beantragen Sie die Verlängerung \
                     bitte rechtzeitig unter „Mobiles Arbeiten“ (#/mobile-work).\n\n\
                     Your mobile work agreement ({}) ends on {end}. To continue, please ask \
                     for its renewal in time under \"Mobile work\" (#/mobile-work).\n\n\
                     {organisation}\n",
                    row.id, row.id
                )
            },
        )
        .await?;
        if queued {
            sent += 1;
        }
    }
    Ok(sent)
}
