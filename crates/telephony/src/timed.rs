//! How the parts of the switch report their timers: each part with timers of its own
//! (the transactions, the registrar, the proxy, the notifier) says when it has work next,
//! and the facade folds over all of them in one place (`Switch::poll_timeout`), which
//! names every part, so a new one cannot be forgotten. Timers are deadlines, never
//! sleeps: the shell sleeps until the earliest and calls `Switch::handle_timeout`.

/// A part of the switch with timers of its own. The facade folds over every part's
/// deadline in one place (`Switch::poll_timeout`) and fires a part whose deadline passed
/// with its own `handle_timeout`.
pub(crate) trait Timed {
    /// When the part has work next, Unix milliseconds.
    fn poll_timeout(&self) -> Option<i64>;
}
