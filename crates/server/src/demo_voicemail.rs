//! The demo's voicemail: a few messages in the demo clerk's box (`sachbearbeitung`), so
//! the page shows something at once: two new ones (a citizen, a colleague) and one heard.
//! Their speech is the built-in prompts' (the callers read out their numbers). Added once:
//! a box that holds messages is left alone.

use anyhow::Context;
use audio::prompts::{self, Language};
use calls::Party;
use std::path::Path;
use store::Store;

const CLERK: &str = "sachbearbeitung";
const COLLEAGUE: &str = "teamleitung";

/// Puts the demo messages into the clerk's box (once).
pub async fn seed(store: &Store, data_dir: &Path, now_ms: i64) -> anyhow::Result<()> {
    let Some(clerk) = store.panel_person(CLERK).await? else {
        return Ok(());
    };
    let mailbox = store.person_mailbox(clerk.id, now_ms).await?;
    if !store.voicemails(mailbox.id).await?.is_empty() {
        return Ok(());
    }
    let citizen = |number: &str| Party {
        person: None,
        name: None,
        number: number.into(),
        login: None,
        unit: None,
    };
    let colleague = store
        .panel_person(COLLEAGUE)
        .await?
        .map(|p| crate::call_service::targets::party(&p))
        .unwrap_or_else(|| citizen("2001"));
    const HOUR: i64 = 3_600_000;
    let messages = [
        (citizen("+4993214711230"), now_ms - 2 * HOUR, false),
        (colleague, now_ms - 20 * HOUR, false),
        (citizen("+491701234567"), now_ms - 72 * HOUR, true),
    ];
    for (n, (caller, at, heard)) in messages.into_iter().enumerate() {
        // The caller reads out their number, twice, as people do on answering machines.
        let digits = caller.number.trim_start_matches('+').to_string();
        let mut alaw = prompts::digits(Language::German, &digits);
        alaw.extend(std::iter::repeat_n(prompts::SILENCE, 4_000));
        alaw.extend(prompts::digits(Language::German, &digits));
        let samples: Vec<i16> = alaw
            .iter()
            .map(|&b| media::codec::alaw_to_linear(b))
            .collect();
        let left = crate::call_service::voicemail_files::Left {
            mailbox: mailbox.id,
            caller: &caller,
            received_ms: at,
            unique: format!("demo{n}"),
        };
        let id = crate::call_service::voicemail_files::keep(store, data_dir, &left, samples)
            .await
            .context("a demo voicemail")?;
        if let (Some(id), true) = (id, heard) {
            store.mark_voicemail(id, true, at + HOUR).await?;
        }
    }
    Ok(())
}
