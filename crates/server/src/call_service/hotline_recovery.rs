//! What a hotline owes its callers across a restart or a crash. A caller who asked for a
//! callback heard "we will call you back": the promise is written to the store when it is
//! made and deleted when it is kept, and at start the promises still open take their
//! places in line again. Callers who were waiting on the line when the old run ended were
//! cut off with it: at start they get an `Abandoned` in the event log (waited until the
//! old run's last event), so the figures do not show them waiting until midnight.

use super::hotline::Hotlines;
use queues::{EventKind, QueueEvent, QueueId};
use store::{PromisedCallback, Store};
use tokio::sync::mpsc;

/// How far back the start looks for callers left waiting (a server down longer than
/// this leaves older ones as they are).
const LOOK_BACK_MS: i64 = 7 * 24 * 3_600_000;

/// A change to the promised callbacks, written in order.
pub(super) enum Promise {
    Made(PromisedCallback),
    Kept(i64),
}

impl Hotlines {
    /// Writes a promise when a caller asks for a callback; deletes it when the place
    /// ends (the callback done, or the caller answered or gone before).
    pub(super) fn keep_promises(&mut self, e: &QueueEvent) {
        match e.kind {
            EventKind::CallbackRequested { call, waited_ms } => {
                let Some((caller, via)) = self.callers.get(&self.ids.c(call)) else {
                    return;
                };
                let promise = PromisedCallback {
                    call_id: call.0,
                    queue_id: e.queue.0,
                    number: caller.number.clone(),
                    name: caller.name.clone(),
                    person_id: caller.person,
                    via_trunk: match via {
                        calls::Via::Trunk(t) => Some(*t as i64),
                        calls::Via::Switch => None,
                    },
                    entered_ms: e.at_ms - waited_ms,
                    requested_ms: e.at_ms,
                };
                self.promised.insert(call);
                let _ = self.promises.send(Promise::Made(promise));
            }
            EventKind::CallbackDone { call, .. }
            | EventKind::Answered { call, .. }
            | EventKind::Abandoned { call, .. }
            | EventKind::Overflowed { call, .. }
                if self.promised.remove(&call) =>
            {
                let _ = self.promises.send(Promise::Kept(call.0));
            }
            _ => {}
        }
    }

    /// At start: outcomes for the callers the old run left waiting, and the promised
    /// callbacks back in line.
    pub(super) async fn recover(&mut self, store: &Store, now: i64) {
        let promised = match store.promised_callbacks().await {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, "the promised callbacks could not be read");
                Vec::new()
            }
        };
        let oldest = promised.iter().map(|p| p.entered_ms).min().unwrap_or(now);
        let from = oldest.min(now - LOOK_BACK_MS);
        let events = match store.queue_events(from, now).await {
            Ok(events) => events,
            Err(e) => {
                tracing::error!(error = %e, "the queue event log could not be read at start");
                return;
            }
        };
        let mut open = queues::open_calls(&events, now);
        // A promise whose request did not reach the log before the old run ended (they
        // are written apart): the request is written now, and the promise kept.
        for c in open.iter_mut().filter(|c| !c.callback) {
            let Some(p) = promised.iter().find(|p| p.call_id == c.call.0) else {
                continue;
            };
            c.callback = true;
            let kind = EventKind::CallbackRequested {
                call: c.call,
                waited_ms: (p.requested_ms - p.entered_ms).max(0),
            };
            let at_ms = p.requested_ms;
            let _ = self.events.send(QueueEvent {
                at_ms,
                queue: c.queue,
                kind,
            });
        }
        let last_ms = events.iter().map(|e| e.at_ms).max().unwrap_or(now);
        let mut cut_off = 0;
        for c in open.iter().filter(|c| !c.callback) {
            cut_off += 1;
            let kind = EventKind::Abandoned {
                call: c.call,
                waited_ms: (last_ms - c.entered_ms).max(0),
                position: 0,
            };
            let _ = self.events.send(QueueEvent {
                at_ms: now,
                queue: c.queue,
                kind,
            });
        }
        let mut restored = 0;
        for p in promised {
            let call = queues::CallId(p.call_id);
            let still_open = open.iter().any(|c| c.callback && c.call == call);
            let queue = QueueId(p.queue_id);
            if !still_open || !self.board.restore_callback(now, call, queue, p.entered_ms) {
                let _ = self.promises.send(Promise::Kept(p.call_id));
                continue;
            }
            restored += 1;
            let caller = calls::Party {
                person: p.person_id,
                name: p.name,
                number: p.number,
                login: None,
                unit: None,
            };
            let via = match p.via_trunk {
                Some(t) => calls::Via::Trunk(t.max(0) as usize),
                None => calls::Via::Switch,
            };
            self.callers.insert(self.ids.c(call), (caller, via));
            self.promised.insert(call);
            if let Some(h) = self.board.hotline_of_place(call) {
                self.dirty.insert(h);
            }
        }
        if cut_off + restored > 0 {
            tracing::info!(
                cut_off,
                restored,
                "hotline callers after the restart: waiting ones ended, promised callbacks back in line"
            );
        }
    }
}

/// Writes the promises in the order they were made and kept; a failed write is tried
/// again (backing off up to 10 s) before the next, so none is lost or overtaken.
pub(super) async fn write_promises(store: Store, mut rx: mpsc::UnboundedReceiver<Promise>) {
    while let Some(p) = rx.recv().await {
        let mut wait = std::time::Duration::from_millis(200);
        loop {
            let done = match &p {
                Promise::Made(c) => store.promise_callback(c).await,
                Promise::Kept(call) => store.callback_kept(*call).await,
            };
            match done {
                Ok(()) => break,
                Err(e) => {
                    tracing::error!(error = %e, "a promised callback could not be written; retrying");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(std::time::Duration::from_secs(10));
                }
            }
        }
    }
}
