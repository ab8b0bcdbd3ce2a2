//! Every figure of the wallboard and the reports, computed from the queue event log by one
//! function, [`figures()`]. The wallboard asks for today and for the current 15-minute
//! interval, the reports for a chosen period; the CSV export writes the same [`Figures`].
//!
//! # The rules
//!
//! - **A call is one `(queue, call id)`.** A call that overflows from queue A into queue B
//!   counts as overflowed in A and, if B logs an `Entered` for it, as offered in B. For
//!   all queues together it is then offered twice, once per queue, which is what the sum
//!   of the per-queue figures gives.
//! - **A call belongs to the period in which it entered.** Only calls whose `Entered` lies
//!   in `[from_ms, to_ms)` are counted, so a call is offered in exactly one of two
//!   adjoining periods, and all its figures are counted there.
//! - **Figures are as of `to_ms`.** Events at or after `to_ms` are ignored: a call that
//!   entered in the period and is answered after `to_ms` is still waiting, as it was at
//!   `to_ms`. So a call that enters before midnight and is answered after it is waiting
//!   in the day before's figures and not offered in the next day's.
//! - **A call's outcome is its first** `Answered`, `Abandoned`, `Overflowed` or
//!   `CallbackRequested` after its `Entered`; later ones (a log written twice) are
//!   ignored, and so are events of a call that never entered. A `CallbackDone` counts
//!   only for a call whose outcome is `CallbackRequested`. `Offered` (ringing) and the
//!   agent events do not change any of these figures.
//! - **Waits are the `waited_ms` of the events** (from entering to answer or hang-up), as
//!   the event log records them; the wait of a call still waiting is `to_ms` minus its
//!   `Entered` time.
//! - **Answered within the threshold** means `waited_ms <= threshold_ms`; a **short
//!   abandon** is an abandon with `waited_ms < short_abandon_ms` (the caller dialled
//!   wrongly or hung up during the welcome). Short abandons are counted in `abandoned`
//!   and apart in `short_abandons`, and left out of the abandon rate and SL2.
//! - **Ratios are `f64` in `0.0..=1.0`**, `numerator as f64 / denominator as f64`
//!   exactly, and `None` when the denominator is 0 (no figure, rather than a made-up 0 %
//!   or 100 %). Means are whole milliseconds, rounded to the nearest (halves up).
//!
//! Events may come in any order: they are sorted by time, and at the same millisecond an
//! `Entered` goes before the call's outcome, and the outcome before its `CallbackDone`;
//! otherwise ties keep their order in the slice.

use std::collections::HashMap;

use crate::event::{CallId, EventKind, QueueEvent, QueueId};

/// The length of one chart slot: 15 minutes in milliseconds.
pub const SLOT_MS: i64 = 15 * 60 * 1000;

/// The limits the figures are measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// A call answered after at most this wait counts as answered within the service
    /// level (default 20 s).
    pub threshold_ms: i64,
    /// An abandon after less than this wait is a short abandon (default 5 s).
    pub short_abandon_ms: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            threshold_ms: 20_000,
            short_abandon_ms: 5_000,
        }
    }
}

/// The figures of the calls that entered the given queues in `[from_ms, to_ms)`, as of
/// `to_ms` (see the [module documentation](self) for the rules).
///
/// Always `answered + abandoned + overflowed + callbacks_requested + waiting == offered`.
#[derive(Debug, Clone, PartialEq)]
pub struct Figures {
    /// Calls that entered in the period.
    pub offered: u64,
    /// Of those, answered by an agent (before `to_ms`).
    pub answered: u64,
    /// Of the answered, those answered after a wait of at most `threshold_ms`.
    pub answered_in_threshold: u64,
    /// Of those offered, the caller hung up while waiting, short abandons included.
    pub abandoned: u64,
    /// Of the abandoned, those after a wait of less than `short_abandon_ms`.
    pub short_abandons: u64,
    /// Of those offered, left for the overflow target.
    pub overflowed: u64,
    /// Of those offered, the caller asked to be called back (not an abandon).
    pub callbacks_requested: u64,
    /// Of the callbacks requested, those done before `to_ms`.
    pub callbacks_done: u64,
    /// Of the callbacks requested, those not yet done at `to_ms`.
    pub callbacks_pending: u64,
    /// Calls handled by an agent: `answered + callbacks_done`.
    pub handled: u64,
    /// Of those offered, still waiting in the queue at `to_ms`.
    pub waiting: u64,
    /// The longest wait so far of the calls still waiting (`to_ms` minus entering);
    /// `None` when none is waiting.
    pub longest_wait_ms: Option<i64>,
    /// Service level: `answered_in_threshold / answered`; `None` when none was answered.
    pub service_level: Option<f64>,
    /// SL2, which counts the callers who gave up against the service level:
    /// `answered_in_threshold / (answered + abandoned - short_abandons)`; `None` when that
    /// is 0. Overflows and callback requests are in neither part.
    pub sl2: Option<f64>,
    /// Average speed of answer: the mean `waited_ms` of the answered calls; `None` when
    /// none was answered.
    pub asa_ms: Option<i64>,
    /// Abandon rate: `(abandoned - short_abandons) / (offered - short_abandons)`; `None`
    /// when that is 0. A callback request is not an abandon.
    pub abandon_rate: Option<f64>,
    /// The chart series: one slot per 15 minutes, from `from_ms` rounded down to a
    /// multiple of [`SLOT_MS`] (in UTC milliseconds) to the last slot starting before
    /// `to_ms`; empty when the period is.
    pub slots: Vec<Slot>,
}

/// The calls that entered in one 15-minute slot (and in the period), as of `to_ms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// Where the slot starts (Unix milliseconds, a multiple of [`SLOT_MS`]).
    pub start_ms: i64,
    /// Calls that entered in the slot.
    pub offered: u64,
    /// Of those, answered.
    pub answered: u64,
    /// Of those, abandoned (short abandons included).
    pub abandoned: u64,
    /// The mean `waited_ms` of those answered; `None` when none was.
    pub mean_wait_ms: Option<i64>,
}

/// Computes every figure of the calls that entered `queues` (`None`: all queues) in
/// `[from_ms, to_ms)`, from the queue event log as of `to_ms`. `events` may be in any
/// order and may hold other queues and other times; the [module documentation](self)
/// says exactly what is counted how.
///
/// The period is one of real dates: the slots take memory in proportion to its length (a
/// day is 96 slots, a year 35,136), so a shell bounds a period a user chose before asking.
///
/// ```
/// use queues::{figures, CallId, EventKind, QueueEvent, QueueId, Thresholds};
///
/// let q = QueueId(1);
/// let at = |at_ms, kind| QueueEvent { at_ms, queue: q, kind };
/// let events = [
///     at(0, EventKind::Entered { call: CallId(1), position: 1 }),
///     at(12_000, EventKind::Answered { call: CallId(1), agent: 7, waited_ms: 12_000 }),
///     at(1_000, EventKind::Entered { call: CallId(2), position: 2 }),
///     at(31_000, EventKind::Abandoned { call: CallId(2), waited_ms: 30_000, position: 1 }),
///     at(50_000, EventKind::Entered { call: CallId(3), position: 1 }),
/// ];
/// let f = figures(&events, Some(&[q][..]), 0, 60_000, Thresholds::default());
/// assert_eq!((f.offered, f.answered, f.abandoned, f.waiting), (3, 1, 1, 1));
/// assert_eq!(f.service_level, Some(1.0)); // 1 of 1 answered within 20 s
/// assert_eq!(f.sl2, Some(0.5)); // … but 1 of 2 callers who stayed over 5 s
/// assert_eq!(f.asa_ms, Some(12_000));
/// assert_eq!(f.longest_wait_ms, Some(10_000)); // call 3, as of 60 s
/// assert_eq!(f.slots.len(), 1);
/// ```
pub fn figures(
    events: &[QueueEvent],
    queues: Option<&[QueueId]>,
    from_ms: i64,
    to_ms: i64,
    thresholds: Thresholds,
) -> Figures {
    let calls = calls(events, queues, to_ms);
    let in_period: Vec<&Call> = calls
        .values()
        .filter(|c| (from_ms..to_ms).contains(&c.entered_ms))
        .collect();
    let mut figures = totals(&in_period, to_ms, thresholds);
    figures.slots = slots(&in_period, from_ms, to_ms);
    figures
}

/// A call without its end in the log: still waiting, or a callback not yet done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenCall {
    /// Its queue.
    pub queue: QueueId,
    /// The call.
    pub call: CallId,
    /// When it entered.
    pub entered_ms: i64,
    /// A callback was asked for (the place waits for it); else the caller waits on the line.
    pub callback: bool,
}

/// The calls of `events` that are open as of `to_ms`, folded by the same rules as
/// [`figures()`], oldest first. After a restart these are the callers the old run left
/// waiting (they need an outcome) and the callbacks it promised (they are restored).
pub fn open_calls(events: &[QueueEvent], to_ms: i64) -> Vec<OpenCall> {
    let mut open: Vec<OpenCall> = calls(events, None, to_ms)
        .into_iter()
        .filter_map(|((queue, call), c)| {
            let callback = match c.outcome {
                Outcome::Waiting => false,
                Outcome::Callback(false) => true,
                _ => return None,
            };
            Some(OpenCall {
                queue,
                call,
                entered_ms: c.entered_ms,
                callback,
            })
        })
        .collect();
    open.sort_by_key(|c| (c.entered_ms, c.call));
    open
}

/// What became of a call by `to_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Still waiting.
    Waiting,
    /// Answered after `waited_ms`.
    Answered(i64),
    /// Abandoned after `waited_ms`.
    Abandoned(i64),
    /// Left for the overflow target.
    Overflowed,
    /// Asked for a callback; `true` once it was done.
    Callback(bool),
}

/// One call, folded from its events.
#[derive(Debug, Clone, Copy)]
struct Call {
    entered_ms: i64,
    outcome: Outcome,
}

/// Folds the events before `to_ms` of the chosen queues into one [`Call`] per
/// `(queue, call)` that entered (at any time before `to_ms`).
fn calls(
    events: &[QueueEvent],
    queues: Option<&[QueueId]>,
    to_ms: i64,
) -> HashMap<(QueueId, CallId), Call> {
    let mut sorted: Vec<(&QueueEvent, CallId)> = events
        .iter()
        .filter(|e| e.at_ms < to_ms && queues.is_none_or(|qs| qs.contains(&e.queue)))
        .filter_map(|e| Some((e, e.kind.call()?)))
        .collect();
    // Stable: equal keys keep their order in the log.
    sorted.sort_by_key(|(e, _)| (e.at_ms, rank(&e.kind)));
    let mut calls = HashMap::new();
    for (event, call) in sorted {
        apply(&mut calls, (event.queue, call), event);
    }
    calls
}

/// The order of a call's events at the same millisecond: entering, then the outcome,
/// then the callback.
fn rank(kind: &EventKind) -> u8 {
    match kind {
        EventKind::Entered { .. } => 0,
        EventKind::CallbackDone { .. } => 2,
        _ => 1,
    }
}

/// Applies one event (in time order) to its call.
fn apply(calls: &mut HashMap<(QueueId, CallId), Call>, key: (QueueId, CallId), e: &QueueEvent) {
    if let EventKind::Entered { .. } = e.kind {
        calls.entry(key).or_insert(Call {
            entered_ms: e.at_ms,
            outcome: Outcome::Waiting,
        });
        return;
    }
    // Events of a call that never entered are ignored.
    let Some(call) = calls.get_mut(&key) else {
        return;
    };
    call.outcome = match (call.outcome, &e.kind) {
        (Outcome::Waiting, EventKind::Answered { waited_ms, .. }) => Outcome::Answered(*waited_ms),
        (Outcome::Waiting, EventKind::Abandoned { waited_ms, .. }) => {
            Outcome::Abandoned(*waited_ms)
        }
        (Outcome::Waiting, EventKind::Overflowed { .. }) => Outcome::Overflowed,
        (Outcome::Waiting, EventKind::CallbackRequested { .. }) => Outcome::Callback(false),
        (Outcome::Callback(_), EventKind::CallbackDone { .. }) => Outcome::Callback(true),
        (unchanged, _) => unchanged,
    };
}

/// The counts, ratios and means of the calls of the period (all but the slots).
fn totals(calls: &[&Call], to_ms: i64, t: Thresholds) -> Figures {
    let mut f = Figures::empty();
    let mut answered_wait: i128 = 0;
    for call in calls {
        f.offered += 1;
        match call.outcome {
            Outcome::Waiting => {
                f.waiting += 1;
                let wait = to_ms - call.entered_ms;
                f.longest_wait_ms = Some(f.longest_wait_ms.map_or(wait, |w| w.max(wait)));
            }
            Outcome::Answered(waited) => {
                f.answered += 1;
                f.answered_in_threshold += u64::from(waited <= t.threshold_ms);
                answered_wait += i128::from(waited);
            }
            Outcome::Abandoned(waited) => {
                f.abandoned += 1;
                f.short_abandons += u64::from(waited < t.short_abandon_ms);
            }
            Outcome::Overflowed => f.overflowed += 1,
            Outcome::Callback(done) => {
                f.callbacks_requested += 1;
                f.callbacks_done += u64::from(done);
            }
        }
    }
    f.callbacks_pending = f.callbacks_requested - f.callbacks_done;
    f.handled = f.answered + f.callbacks_done;
    let long_abandons = f.abandoned - f.short_abandons;
    f.service_level = ratio(f.answered_in_threshold, f.answered);
    f.sl2 = ratio(f.answered_in_threshold, f.answered + long_abandons);
    f.abandon_rate = ratio(long_abandons, f.offered - f.short_abandons);
    f.asa_ms = mean(answered_wait, f.answered);
    f
}

/// The 15-minute slots of `[from_ms, to_ms)` with the calls that entered in each.
fn slots(calls: &[&Call], from_ms: i64, to_ms: i64) -> Vec<Slot> {
    if from_ms >= to_ms {
        return Vec::new();
    }
    let first = slot_start(from_ms);
    let count = (to_ms - 1 - first) / SLOT_MS + 1;
    let mut slots: Vec<Slot> = (0..count)
        .map(|i| Slot::empty(first + i * SLOT_MS))
        .collect();
    let mut waits = vec![0_i128; slots.len()];
    for call in calls {
        // In range: `from_ms <= entered_ms < to_ms`.
        let i = ((slot_start(call.entered_ms) - first) / SLOT_MS) as usize;
        let slot = &mut slots[i];
        slot.offered += 1;
        match call.outcome {
            Outcome::Answered(waited) => {
                slot.answered += 1;
                waits[i] += i128::from(waited);
            }
            Outcome::Abandoned(_) => slot.abandoned += 1,
            _ => {}
        }
    }
    for (slot, wait) in slots.iter_mut().zip(waits) {
        slot.mean_wait_ms = mean(wait, slot.answered);
    }
    slots
}

/// The start of the slot `at_ms` lies in (also before 1970).
fn slot_start(at_ms: i64) -> i64 {
    at_ms.div_euclid(SLOT_MS) * SLOT_MS
}

/// `part / whole`, or `None` when `whole` is 0.
fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// `sum / n` rounded to the nearest whole (halves up), or `None` when `n` is 0.
fn mean(sum: i128, n: u64) -> Option<i64> {
    let n = i128::from(n);
    // Waits fit an i64 each, so their mean does too.
    (n > 0).then(|| (2 * sum + n).div_euclid(2 * n) as i64)
}

impl Figures {
    /// All counts 0, no ratios, no slots.
    fn empty() -> Self {
        Figures {
            offered: 0,
            answered: 0,
            answered_in_threshold: 0,
            abandoned: 0,
            short_abandons: 0,
            overflowed: 0,
            callbacks_requested: 0,
            callbacks_done: 0,
            callbacks_pending: 0,
            handled: 0,
            waiting: 0,
            longest_wait_ms: None,
            service_level: None,
            sl2: None,
            asa_ms: None,
            abandon_rate: None,
            slots: Vec::new(),
        }
    }
}

impl Slot {
    /// A slot without calls.
    fn empty(start_ms: i64) -> Self {
        Slot {
            start_ms,
            offered: 0,
            answered: 0,
            abandoned: 0,
            mean_wait_ms: None,
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod proptests;
