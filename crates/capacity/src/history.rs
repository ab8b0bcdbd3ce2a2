//! The last 24 hours of every figure, one sample per minute: a ring of [`POINTS`] slots
//! per figure, indexed by the minute of the sample's time, so memory stays the same
//! however long the server runs. A later sample in the same minute replaces the earlier
//! one; a sample older than what a slot holds is ignored (times that go back a little
//! after a restart do not overwrite newer data). Values that are not numbers are gaps.
//!
//! ```
//! use capacity::{Figure, History, Key, MINUTE_MS};
//! let mut history = History::default();
//! let cpu = Figure::of(Key::Cpu);
//! history.handle_sample(0, &cpu, 0.5);
//! history.handle_sample(MINUTE_MS, &cpu, 0.7);
//! history.handle_sample(MINUTE_MS + 1_000, &cpu, 0.8); // same minute: replaces
//! assert_eq!(history.series(&cpu, 2 * MINUTE_MS), vec![(0, 0.5), (MINUTE_MS + 1_000, 0.8)]);
//! // A day later the first minutes have left the window.
//! assert!(history.series(&cpu, 25 * 60 * MINUTE_MS).is_empty());
//! ```

use crate::figure::Figure;
use crate::MINUTE_MS;
use std::collections::HashMap;

/// Samples kept per figure: a day of minutes.
pub const POINTS: usize = 24 * 60;

/// One day of minutes in milliseconds.
pub const WINDOW_MS: i64 = POINTS as i64 * MINUTE_MS;

/// Every figure's last 24 hours.
#[derive(Debug, Clone, Default)]
pub struct History {
    rings: HashMap<Figure, Ring>,
}

#[derive(Debug, Clone)]
struct Ring {
    /// `(at_ms, value)` by `minute % POINTS`.
    slots: Box<[Option<(i64, f64)>]>,
}

impl Ring {
    fn new() -> Ring {
        Ring {
            slots: vec![None; POINTS].into_boxed_slice(),
        }
    }

    fn in_window(at_ms: i64, now_ms: i64) -> bool {
        let (at, now) = (minute(at_ms), minute(now_ms));
        at <= now && at > now - POINTS as i64
    }
}

fn minute(at_ms: i64) -> i64 {
    at_ms.div_euclid(MINUTE_MS)
}

impl History {
    /// Records `value` of `figure` at `now_ms` (Unix milliseconds).
    pub fn handle_sample(&mut self, now_ms: i64, figure: &Figure, value: f64) {
        if !value.is_finite() {
            return;
        }
        let ring = match self.rings.get_mut(figure) {
            Some(ring) => ring,
            None => self.rings.entry(figure.clone()).or_insert_with(Ring::new),
        };
        let slot = &mut ring.slots[minute(now_ms).rem_euclid(POINTS as i64) as usize];
        match slot {
            Some((at, _)) if minute(*at) > minute(now_ms) || *at > now_ms => {}
            _ => *slot = Some((now_ms, value)),
        }
    }

    /// `figure`'s samples of the 24 hours up to `now_ms`, oldest first, at most
    /// [`POINTS`].
    pub fn series(&self, figure: &Figure, now_ms: i64) -> Vec<(i64, f64)> {
        let Some(ring) = self.rings.get(figure) else {
            return Vec::new();
        };
        let mut out: Vec<(i64, f64)> = ring
            .slots
            .iter()
            .flatten()
            .filter(|(at, _)| Ring::in_window(*at, now_ms))
            .copied()
            .collect();
        out.sort_by_key(|(at, _)| *at);
        out
    }

    /// Forgets figures with no sample in the 24 hours up to `now_ms` (an application
    /// removed a day ago).
    pub fn forget_stale(&mut self, now_ms: i64) {
        self.rings.retain(|_, ring| {
            ring.slots
                .iter()
                .flatten()
                .any(|(at, _)| Ring::in_window(*at, now_ms))
        });
    }

    /// The figures it holds.
    pub fn figures(&self) -> impl Iterator<Item = &Figure> {
        self.rings.keys()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figure::Key;
    use proptest::prelude::*;

    #[test]
    fn a_day_and_a_minute_wraps_without_growing() {
        let mut h = History::default();
        let f = Figure::of(Key::Calls);
        for m in 0..(POINTS as i64 + 1) {
            h.handle_sample(m * MINUTE_MS, &f, m as f64);
        }
        let now = POINTS as i64 * MINUTE_MS;
        let s = h.series(&f, now);
        assert_eq!(s.len(), POINTS);
        assert_eq!(s.first(), Some(&(MINUTE_MS, 1.0)));
        assert_eq!(s.last(), Some(&(now, POINTS as f64)));
    }

    #[test]
    fn gaps_stay_gaps_and_old_samples_do_not_overwrite() {
        let mut h = History::default();
        let f = Figure::gateway_users("e-akte");
        h.handle_sample(10 * MINUTE_MS, &f, 1.0);
        h.handle_sample(12 * MINUTE_MS, &f, f64::NAN);
        h.handle_sample(13 * MINUTE_MS, &f, 3.0);
        h.handle_sample(13 * MINUTE_MS - 1, &f, 9.0); // an earlier sample of minute 12
        h.handle_sample(10 * MINUTE_MS - POINTS as i64 * MINUTE_MS, &f, 7.0); // a day before
        assert_eq!(
            h.series(&f, 14 * MINUTE_MS),
            vec![
                (10 * MINUTE_MS, 1.0),
                (13 * MINUTE_MS - 1, 9.0),
                (13 * MINUTE_MS, 3.0)
            ]
        );
    }

    #[test]
    fn stale_figures_are_forgotten() {
        let mut h = History::default();
        let gone = Figure::gateway_users("alt");
        let kept = Figure::of(Key::Cpu);
        h.handle_sample(0, &gone, 1.0);
        h.handle_sample(WINDOW_MS, &kept, 1.0);
        h.forget_stale(WINDOW_MS);
        assert_eq!(h.figures().collect::<Vec<_>>(), vec![&kept]);
    }

    proptest! {
        #[test]
        fn series_is_sorted_in_window_and_bounded(
            steps in proptest::collection::vec((0i64..5 * MINUTE_MS, -1.0f64..1e9), 1..3000),
            start in -1_000_000_000_000i64..4_000_000_000_000i64,
        ) {
            let mut h = History::default();
            let f = Figure::of(Key::Memory);
            let mut now = start;
            for (dt, v) in steps {
                now += dt;
                h.handle_sample(now, &f, v);
            }
            let s = h.series(&f, now);
            prop_assert!(s.len() <= POINTS);
            prop_assert!(s.windows(2).all(|w| minute(w[0].0) < minute(w[1].0)));
            prop_assert!(s.iter().all(|(at, _)| *at <= now && *at > now - WINDOW_MS - MINUTE_MS));
            prop_assert_eq!(s.last().map(|p| p.0), Some(now));
        }
    }
}
