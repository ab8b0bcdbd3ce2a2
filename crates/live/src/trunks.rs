//! How the office's SIP trunks are doing, as the call service sees them, for the admin
//! page: registered or not, since when, why not.

use std::sync::{Arc, Mutex};

/// One trunk's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrunkState {
    /// Its name.
    pub name: String,
    /// `register` or `ip`.
    pub mode: &'static str,
    /// A trunk of the demo.
    pub demo: bool,
    /// `registered`, `registering`, `failed` (with `detail`), or `ip` (no registration).
    pub state: &'static str,
    /// Why it failed (the carrier's status).
    pub detail: Option<String>,
    /// Since when (Unix ms).
    pub since_ms: i64,
}

/// Every trunk's state (cheap to clone).
#[derive(Debug, Clone, Default)]
pub struct TrunkBoard(Arc<Mutex<Vec<TrunkState>>>);

impl TrunkBoard {
    /// The states, in the configuration's order.
    pub fn list(&self) -> Vec<TrunkState> {
        self.0.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Sets trunk `i`'s state; returns whether it changed (to log a change once).
    pub fn set(&self, i: usize, state: TrunkState) -> bool {
        let Ok(mut list) = self.0.lock() else {
            return false;
        };
        if list.len() <= i {
            list.resize(i + 1, state.clone());
            return true;
        }
        let changed = list[i].state != state.state || list[i].detail != state.detail;
        if changed {
            list[i] = state;
        }
        changed
    }
}
