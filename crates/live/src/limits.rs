//! What one person may do how often, whichever road they take (WebSocket, REST, a
//! phone's MESSAGE): chat writes per second, group rooms per hour. Kept in memory: a
//! restart forgives, which is fine for limits meant to stop scripts, not people.

use presence::{FloodGuard, Verdict, WindowBudget};
use std::collections::HashMap;

/// Chat writes (messages, edits, deletions) one person may make per second, and in a
/// burst: faster than anyone types, slower than a script.
pub const CHAT_WRITES_PER_SECOND: u32 = 5;
/// The burst of chat writes.
pub const CHAT_WRITE_BURST: u32 = 30;
const HOUR_MS: i64 = 3_600_000;

/// Everyone's buckets.
pub(crate) struct Limits {
    rooms_per_hour: u32,
    chat_writes: HashMap<i64, FloodGuard>,
    new_rooms: HashMap<i64, WindowBudget>,
}

impl Limits {
    pub(crate) fn new(rooms_per_hour: u32) -> Limits {
        Limits {
            rooms_per_hour,
            chat_writes: HashMap::new(),
            new_rooms: HashMap::new(),
        }
    }

    /// Takes one chat write of `person` at `now_ms`; `false` when too fast.
    pub(crate) fn chat_write(&mut self, person: i64, now_ms: i64) -> bool {
        self.chat_writes
            .entry(person)
            .or_insert_with(|| FloodGuard::new(CHAT_WRITES_PER_SECOND, CHAT_WRITE_BURST, now_ms))
            .check(now_ms)
            == Verdict::Allow
    }

    /// Takes one new group room of `person`; the milliseconds to wait when this hour's
    /// are used up.
    pub(crate) fn new_room(&mut self, person: i64, now_ms: i64) -> Result<(), i64> {
        let max = self.rooms_per_hour;
        self.new_rooms
            .entry(person)
            .or_insert_with(|| WindowBudget::new(max, HOUR_MS))
            .take(now_ms)
    }
}
