//! Message-waiting lamps (RFC 3842) in the shell: the switch asks for a person's voicemail
//! counts when a phone first watches their box ([`telephony::Notice::VoicemailCounts`]);
//! this task reads them from the store and, from then on, again whenever the bus says the
//! box changed ([`live::Change::Voicemail`]: a message left, heard or deleted), and hands
//! them to the SIP loop for [`telephony::Switch::handle_voicemail`].
//!
//! **In order.** One task reads one box at a time, in the order asked and changed, so an
//! answer never overtakes a newer one: the lamp ends as the box is. **Only what phones
//! watch**: changes of people never asked about cost no query, so a server without
//! message-waiting phones reads nothing here. A lagging bus subscriber reads every box
//! asked about again.

use std::collections::HashSet;
use store::Store;
use tokio::sync::mpsc;

/// Asks from the SIP loop waiting for the task, at most (a whole office's phones
/// subscribing after a restart).
pub(super) const ASKS_QUEUED: usize = 10_000;

/// Asks read in one go, each box once.
const BATCH: usize = 256;

/// A box's counts for the switch: person, new (unheard), old (heard).
pub(super) type Counts = (i64, u32, u32);

/// Reads the counts of the boxes the switch asks about (`asked`) and of those that
/// change, and sends them `out`, until either channel closes.
pub(super) async fn watch(
    store: Store,
    live: live::Live,
    mut changes: live::bus::Changes,
    mut asked: mpsc::Receiver<i64>,
    out: mpsc::Sender<Counts>,
) {
    let mut watched: HashSet<i64> = HashSet::new();
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        let mut people: Vec<i64> = tokio::select! {
            n = asked.recv_many(&mut batch, BATCH) => {
                if n == 0 {
                    return;
                }
                watched.extend(batch.iter().copied());
                std::mem::take(&mut batch)
            }
            change = changes.next() => match change {
                Some(live::Change::Voicemail { person }) if watched.contains(&person) => {
                    vec![person]
                }
                Some(live::Change::Lagged) => watched.iter().copied().collect(),
                Some(_) => continue,
                None => return,
            },
        };
        people.sort_unstable();
        people.dedup();
        for person in people {
            match counts(&store, person, live.now_ms()).await {
                Ok((new, old)) => {
                    if out.send((person, new, old)).await.is_err() {
                        return;
                    }
                }
                // The phone's first NOTIFY waits; the switch asks again at its refresh.
                Err(error) => tracing::warn!(
                    %error,
                    person,
                    "could not read a voicemail box for its message-waiting lamp"
                ),
            }
        }
    }
}

/// A person's box (made on first use, as a call to them would) and its new and old
/// message counts.
async fn counts(store: &Store, person: i64, now_ms: i64) -> Result<(u32, u32), store::StoreError> {
    let mailbox = store.person_mailbox(person, now_ms).await?;
    let (new, old) = store.voicemail_counts(mailbox.id).await?;
    let count = |n: i64| u32::try_from(n.max(0)).unwrap_or(u32::MAX);
    Ok((count(new), count(old)))
}
