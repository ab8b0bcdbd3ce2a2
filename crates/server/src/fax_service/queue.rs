//! Faxes to send go out a few at a time (`[fax] max_sending`): the queue claims due
//! faxes in the store (once each, also with several servers on one database) and hands
//! them to call control; a fax's line is held until its call ended.

use super::FaxShell;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};

/// How often the queue looks for faxes due again without being woken.
const LOOK_EVERY: Duration = Duration::from_secs(15);

/// A fax for call control to send.
pub(crate) struct Order {
    /// The fax.
    pub fax: store::Fax,
    /// Its box (the number the far end sees).
    pub fax_box: store::FaxBox,
    /// Who sent it (their dialling permission), if known.
    pub login: Option<String>,
    /// A line of the `max_sending`, held until the call ended.
    pub permit: OwnedSemaphorePermit,
}

/// Hands due faxes to call control (`orders`) while lines are free.
pub(crate) async fn run(
    shell: FaxShell,
    mut wake: mpsc::Receiver<()>,
    orders: mpsc::Sender<Order>,
) {
    // Faxes a stop broke off, before any is claimed: one being received failed, one
    // being sent goes again.
    match shell.store.interrupted_faxes(shell.live.now_ms()).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(
            faxes = n,
            "faxes under way when the server stopped were marked"
        ),
        Err(e) => {
            tracing::warn!(error = %e, "faxes under way at the last stop could not be marked")
        }
    }
    let lines = Arc::new(Semaphore::new(shell.settings.config.max_sending as usize));
    loop {
        let now = shell.live.now_ms();
        let free = lines.available_permits();
        if free > 0 {
            match shell.store.due_faxes(now, free as i64).await {
                Ok(due) => {
                    for fax in due {
                        let Ok(permit) = lines.clone().try_acquire_owned() else {
                            break;
                        };
                        if !matches!(shell.store.fax_sending(fax.id, now).await, Ok(true)) {
                            continue;
                        }
                        let Ok(Some(fax_box)) = shell.store.fax_box(fax.box_id).await else {
                            // Claimed but not sendable now: back to the queue, in a minute.
                            let why = "Das Faxfach war nicht lesbar";
                            let _ = shell.store.fax_retry(fax.id, why, now + 60_000).await;
                            continue;
                        };
                        let login = match fax.sender_id {
                            Some(id) => shell
                                .store
                                .panel_person_by_id(id)
                                .await
                                .ok()
                                .flatten()
                                .map(|p| p.login),
                            None => None,
                        };
                        let mut fax = fax;
                        fax.attempts += 1;
                        let order = Order {
                            fax,
                            fax_box,
                            login,
                            permit,
                        };
                        if orders.send(order).await.is_err() {
                            return;
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "faxes due could not be read"),
            }
        }
        tokio::select! {
            woken = wake.recv() => if woken.is_none() { return },
            () = tokio::time::sleep(LOOK_EVERY) => {}
        }
    }
}
