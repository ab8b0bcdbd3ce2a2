//! Open-loop send schedules: the k-th send of a phase is due at `start + k / rate`,
//! whatever the server answers, so a slow server meets the same offered load as a fast
//! one (no coordinated omission). Also: how the clients and the rates are split over the
//! worker processes.

/// Sends due at a fixed rate during `[start, end)`, times in µs since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    start: i64,
    end: i64,
    per_second: f64,
}

impl Schedule {
    /// `per_second` sends from `start` for `seconds`.
    pub fn new(start: i64, seconds: f64, per_second: f64) -> Self {
        Schedule {
            start,
            end: start + (seconds.max(0.0) * 1e6) as i64,
            per_second: per_second.max(0.0),
        }
    }

    /// When send `k` is due; `None` once that is at or after the end.
    pub fn due_at(&self, k: u64) -> Option<i64> {
        if self.per_second <= 0.0 {
            return None;
        }
        let at = self.start + (k as f64 * 1e6 / self.per_second).round() as i64;
        (at < self.end).then_some(at)
    }
}

/// The phases on the wall clock (µs), computed the same way by the parent and every
/// worker from the start time the parent hands out: presence, a grace period for the last
/// deliveries, chat, another grace period. A phase with rate 0 takes no time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeline {
    /// Start and end of the presence phase.
    pub presence: (i64, i64),
    /// Start and end of the chat phase.
    pub chat: (i64, i64),
    /// When the last grace period is over.
    pub end: i64,
}

impl Timeline {
    /// Phases of `seconds` each from `start`, `grace` seconds after each.
    pub fn new(start: i64, seconds: f64, grace: f64, presence: bool, chat: bool) -> Self {
        let (length, pause) = ((seconds * 1e6) as i64, (grace * 1e6) as i64);
        let presence_end = start + if presence { length } else { 0 };
        let chat_start = presence_end + if presence { pause } else { 0 };
        let chat_end = chat_start + if chat { length } else { 0 };
        Timeline {
            presence: (start, presence_end),
            chat: (chat_start, chat_end),
            end: chat_end + if chat { pause } else { 0 },
        }
    }
}

/// Splits `clients` into consecutive slices of at most `max_per_worker`, as evenly as
/// possible: `(first, count)` per worker.
pub fn split(clients: usize, max_per_worker: usize, min_workers: usize) -> Vec<(usize, usize)> {
    if clients == 0 {
        return Vec::new();
    }
    let workers = clients
        .div_ceil(max_per_worker.max(1))
        .max(min_workers)
        .min(clients);
    let (base, extra) = (clients / workers, clients % workers);
    let mut first = 0;
    (0..workers)
        .map(|w| {
            let count = base + usize::from(w < extra);
            let slice = (first, count);
            first += count;
            slice
        })
        .collect()
}

/// A worker's part of a total rate: proportional to its clients.
pub fn share(total_per_second: f64, count: usize, clients: usize) -> f64 {
    if clients == 0 {
        0.0
    } else {
        total_per_second * count as f64 / clients as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sends_are_spaced_by_the_clock() {
        let s = Schedule::new(1_000_000, 2.0, 4.0);
        let times: Vec<i64> = (0..).map_while(|k| s.due_at(k)).collect();
        assert_eq!(
            times,
            [
                1_000_000, 1_250_000, 1_500_000, 1_750_000, 2_000_000, 2_250_000, 2_500_000,
                2_750_000
            ]
        );
        let fractional = Schedule::new(0, 3.0, 333.4);
        assert_eq!((0..).map_while(|k| fractional.due_at(k)).count(), 1001);
        assert_eq!(Schedule::new(0, 10.0, 0.0).due_at(0), None);
        assert_eq!(Schedule::new(0, 0.0, 10.0).due_at(0), None);
    }

    #[test]
    fn phases_follow_each_other_with_grace() {
        let t = Timeline::new(0, 30.0, 3.0, true, true);
        assert_eq!(t.presence, (0, 30_000_000));
        assert_eq!(t.chat, (33_000_000, 63_000_000));
        assert_eq!(t.end, 66_000_000);
        let chat_only = Timeline::new(5, 10.0, 2.0, false, true);
        assert_eq!(chat_only.presence, (5, 5));
        assert_eq!(chat_only.chat, (5, 10_000_005));
        assert_eq!(chat_only.end, 12_000_005);
    }

    #[test]
    fn clients_split_evenly_within_the_socket_limit() {
        assert_eq!(
            split(19_900, 9_000, 1),
            [(0, 6634), (6634, 6633), (13_267, 6633)]
        );
        assert_eq!(split(500, 9_000, 1), [(0, 500)]);
        assert_eq!(split(500, 9_000, 2), [(0, 250), (250, 250)]);
        assert_eq!(split(3, 9_000, 5).len(), 3);
        assert!(split(0, 9_000, 2).is_empty());
        let total: f64 = split(19_900, 9_000, 1)
            .iter()
            .map(|&(_, n)| share(1000.0, n, 19_900))
            .sum();
        assert!((total - 1000.0).abs() < 1e-9);
    }
}
