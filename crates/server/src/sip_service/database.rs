//! What the SIP service needs from the store: the device accounts (loaded at start and
//! every few seconds, so devices added by the CLI or the web take effect) and a writer
//! that saves registrations in batches and reports each commit back to the switch.

use directory::Feature;
use sip::registrar::Binding;
use std::collections::HashMap;
use store::Store;
use store::StoredBinding;
use telephony::{Account, Accounts, Flow, Notice};
use tokio::sync::mpsc;

/// Reads every device with its person into accounts.
pub async fn load_accounts(store: &Store) -> Result<Accounts, store::StoreError> {
    // Sized by the count first and filled row by row: neither all the rows nor a list
    // of accounts beside the table (a table growing by doubling leaves its old copies
    // behind). A device added in between only makes the table grow once.
    let [count, ..] = store.devices_fingerprint().await?;
    let mut accounts = Accounts::with_capacity(usize::try_from(count).unwrap_or(0));
    store
        .each_device(|d| {
            accounts.insert(Account {
                device_id: d.id,
                person_id: d.staff_id,
                sip_username: d.sip_username,
                extension: d.extension,
                ha1_md5: d.ha1_md5.into(),
                ha1_sha256: d.ha1_sha256.into(),
                enabled: d.features.contains(Feature::Softphone),
            })
        })
        .await?;
    Ok(accounts)
}

/// A binding as the store keeps it.
pub fn stored(device_id: i64, b: &Binding<Flow>) -> StoredBinding {
    StoredBinding {
        device_id,
        contact: String::from_utf8_lossy(&b.contact).into_owned(),
        instance: b
            .instance
            .as_ref()
            .map(|i| String::from_utf8_lossy(i).into_owned()),
        call_id: String::from_utf8_lossy(&b.call_id).into_owned(),
        cseq: i64::from(b.cseq),
        expires_ms: b.expires_at,
        source: b.flow.to_string(),
    }
}

/// The store's bindings back into the switch's form (with the flow they came over).
pub fn restored(b: StoredBinding) -> Option<(i64, Binding<Flow>)> {
    let binding = Binding {
        contact: b.contact.into_bytes().into(),
        instance: b.instance.map(|i| i.into_bytes().into()),
        call_id: b.call_id.into_bytes().into(),
        cseq: u32::try_from(b.cseq).ok()?,
        expires_at: b.expires_ms,
        flow: Flow::parse(&b.source)?,
    };
    Some((b.device_id, binding))
}

/// Most changes written in one transaction.
const BATCH: usize = 2_000;

/// Saves [`Notice::Save`] and [`Notice::Expired`] changes in batches (one transaction per
/// batch: thousands of registrations a second cost a few commits) and answers every
/// ticket with whether its batch committed.
pub async fn writer(
    store: Store,
    mut changes: mpsc::Receiver<Notice>,
    saved: mpsc::Sender<(u64, bool)>,
) {
    let mut batch = Vec::with_capacity(BATCH);
    while changes.recv_many(&mut batch, BATCH).await > 0 {
        // The last change per (device, contact) wins: a registration and its removal in
        // one batch end as the removal, and the other way round.
        let mut last: HashMap<(i64, String), Option<StoredBinding>> = HashMap::new();
        let mut tickets = Vec::new();
        let contact = |b: &Binding<Flow>| String::from_utf8_lossy(&b.contact).into_owned();
        for notice in batch.drain(..) {
            match notice {
                Notice::Save {
                    ticket,
                    device_id,
                    added,
                    removed,
                } => {
                    tickets.push(ticket);
                    for b in &removed {
                        last.insert((device_id, contact(b)), None);
                    }
                    for b in &added {
                        last.insert((device_id, contact(b)), Some(stored(device_id, b)));
                    }
                }
                Notice::Expired {
                    device_id,
                    bindings,
                } => {
                    for b in &bindings {
                        last.insert((device_id, contact(b)), None);
                    }
                }
                Notice::Devices { .. }
                | Notice::Call { .. }
                | Notice::Message { .. }
                | Notice::VoicemailCounts { .. } => {}
            }
        }
        let (mut upsert, mut remove) = (Vec::new(), Vec::new());
        for (key, change) in last {
            match change {
                Some(b) => upsert.push(b),
                None => remove.push(key),
            }
        }
        let ok = match store.save_bindings(&upsert, &remove).await {
            Ok(()) => true,
            Err(error) => {
                tracing::error!(%error, rows = upsert.len(), "could not save SIP registrations");
                false
            }
        };
        for ticket in tickets {
            if saved.send((ticket, ok)).await.is_err() {
                return;
            }
        }
    }
}
