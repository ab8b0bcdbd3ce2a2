//! What call control's data keeps only for a while: call history lines, voicemail and
//! faxes past their retention, each deleted at start and then every hour.

use super::{voicemail, voicemail_files};
use live::Live;
use std::time::Duration;
use store::Store;

/// Deletes voicemail past its retention (and files no message names) at start and then
/// every hour.
pub(super) async fn clean_voicemail(
    live: Live,
    store: Store,
    settings: voicemail::VoicemailSettings,
) {
    loop {
        match voicemail_files::clean_up(
            &store,
            &settings.data_dir,
            live.now_ms(),
            settings.retention_days,
        )
        .await
        {
            Ok(boxes) => {
                // The owners' desk phones' lamps follow.
                for mailbox in boxes {
                    if let Ok(Some(owner)) = store
                        .mailbox(mailbox)
                        .await
                        .map(|b| b.and_then(|b| b.staff_id))
                    {
                        live.bus()
                            .publish(live::Change::Voicemail { person: owner });
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "old voicemail could not be deleted"),
        }
        tokio::time::sleep(CLEANUP_EVERY).await;
    }
}

/// Deletes faxes past their retention, and files no fax names (a crash between the
/// two), at start and then every hour.
pub(super) async fn clean_faxes(shell: crate::fax_service::FaxShell) {
    loop {
        if let Err(e) = shell.clean_up().await {
            tracing::warn!(error = %e, "old faxes could not be deleted");
        }
        tokio::time::sleep(CLEANUP_EVERY).await;
    }
}

/// How often old history lines are deleted.
const CLEANUP_EVERY: Duration = Duration::from_secs(3600);

/// Deletes history lines older than `days`, hourly.
pub(super) async fn clean_history(live: Live, store: Store, days: u32) {
    let mut tick = tokio::time::interval(CLEANUP_EVERY);
    loop {
        tick.tick().await;
        let before = live.now_ms() - i64::from(days) * 86_400_000;
        match store.delete_call_lines_before(before).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, days, "old call history deleted"),
            Err(e) => tracing::warn!(error = %e, "old call history could not be deleted"),
        }
    }
}
