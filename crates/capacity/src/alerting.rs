//! When a figure staying red is worth a mail: a state machine per figure. Red in every
//! sample for `red_minutes` gives one [`Alert::Red`] for the episode; below red (green or
//! amber) in every sample for [`CLEAR_MINUTES`] after that gives [`Alert::Cleared`] and
//! ends the episode. A red spike shorter than `red_minutes` gives nothing.
//!
//! A value nobody could read (unknown) counts neither way: it breaks a red run before the
//! alert (no alert on a guess) and a calm run after it (no all-clear on a guess).
//!
//! The shell feeds every sample and then drains the alerts:
//!
//! ```
//! use capacity::{Alert, Alerting, Figure, Key, MINUTE_MS};
//! let mut alerting = Alerting::new(5);
//! let cpu = Figure::of(Key::Cpu);
//! for minute in 0..=5 {
//!     alerting.handle_sample(minute * MINUTE_MS, &cpu, 3.9, Some(4.0));
//! }
//! let Some(Alert::Red { since, .. }) = alerting.poll_alert() else { panic!() };
//! assert_eq!(since, 0);
//! assert_eq!(alerting.poll_alert(), None);
//! for minute in 6..=11 {
//!     alerting.handle_sample(minute * MINUTE_MS, &cpu, 1.0, Some(4.0));
//! }
//! assert!(matches!(alerting.poll_alert(), Some(Alert::Cleared { .. })));
//! ```

use crate::figure::Figure;
use crate::level::{level, Level};
use crate::MINUTE_MS;
use std::collections::{HashMap, VecDeque};

/// Minutes a figure must stay red before the alert, unless configured otherwise.
pub const RED_MINUTES: u32 = 5;
/// Minutes a figure must stay below red before the all-clear.
pub const CLEAR_MINUTES: u32 = 5;

/// What the administrators are told.
#[derive(Debug, Clone, PartialEq)]
pub enum Alert {
    /// `key` has been red since `since` (Unix milliseconds); `value` of `limit` now.
    Red {
        /// The figure.
        key: Figure,
        /// Its value at the alert.
        value: f64,
        /// Its limit at the alert.
        limit: f64,
        /// The first red sample of the episode.
        since: i64,
    },
    /// `key`, red since `red_since`, has been below red since `since`.
    Cleared {
        /// The figure.
        key: Figure,
        /// Its value at the all-clear.
        value: f64,
        /// Its limit (none: the figure has none any more).
        limit: Option<f64>,
        /// The first red sample of the episode.
        red_since: i64,
        /// The first sample below red.
        since: i64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    /// Not red, or red not long enough.
    Calm,
    /// Red in every sample since `since`; not alerted yet.
    Red { since: i64 },
    /// Alerted; below red in every sample since `below_since`, if the last was.
    Alerted {
        since: i64,
        below_since: Option<i64>,
    },
}

/// The alert state of every figure.
#[derive(Debug, Clone)]
pub struct Alerting {
    red_ms: i64,
    clear_ms: i64,
    states: HashMap<Figure, State>,
    alerts: VecDeque<Alert>,
}

impl Alerting {
    /// Alerts after `red_minutes` (at least 1) red minutes, clears after
    /// [`CLEAR_MINUTES`].
    pub fn new(red_minutes: u32) -> Alerting {
        Alerting {
            red_ms: i64::from(red_minutes.max(1)) * MINUTE_MS,
            clear_ms: i64::from(CLEAR_MINUTES) * MINUTE_MS,
            states: HashMap::new(),
            alerts: VecDeque::new(),
        }
    }

    /// `figure` was `value` of `limit` at `now_ms` (Unix milliseconds).
    pub fn handle_sample(&mut self, now_ms: i64, figure: &Figure, value: f64, limit: Option<f64>) {
        let now_level = level(value, limit);
        let state = self.states.get(figure).copied().unwrap_or(State::Calm);
        let next = match (state, now_level) {
            (State::Calm, Level::Red) => State::Red { since: now_ms },
            (State::Calm, _) => State::Calm,
            (State::Red { since }, Level::Red) => {
                if now_ms.saturating_sub(since) >= self.red_ms {
                    self.alerts.push_back(Alert::Red {
                        key: figure.clone(),
                        value,
                        // Red needs a limit: `level` is never red without one.
                        limit: limit.unwrap_or(f64::NAN),
                        since,
                    });
                    State::Alerted {
                        since,
                        below_since: None,
                    }
                } else {
                    State::Red { since }
                }
            }
            (State::Red { .. }, _) => State::Calm,
            (State::Alerted { since, .. }, Level::Red | Level::Unknown) => State::Alerted {
                since,
                below_since: None,
            },
            (State::Alerted { since, below_since }, Level::Green | Level::Amber) => {
                let below = below_since.unwrap_or(now_ms);
                if now_ms.saturating_sub(below) >= self.clear_ms {
                    self.alerts.push_back(Alert::Cleared {
                        key: figure.clone(),
                        value,
                        limit,
                        red_since: since,
                        since: below,
                    });
                    State::Calm
                } else {
                    State::Alerted {
                        since,
                        below_since: Some(below),
                    }
                }
            }
        };
        match next {
            State::Calm => self.states.remove(figure),
            other => self.states.insert(figure.clone(), other),
        };
    }

    /// The next alert to send, oldest first.
    pub fn poll_alert(&mut self) -> Option<Alert> {
        self.alerts.pop_front()
    }

    /// Forgets the figures `keep` refuses (an application no longer published), without
    /// an all-clear.
    pub fn retain(&mut self, keep: impl Fn(&Figure) -> bool) {
        self.states.retain(|figure, _| keep(figure));
    }

    /// Whether `figure` is in an alerted episode.
    pub fn is_alerted(&self, figure: &Figure) -> bool {
        matches!(self.states.get(figure), Some(State::Alerted { .. }))
    }
}

impl Default for Alerting {
    fn default() -> Self {
        Alerting::new(RED_MINUTES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figure::Key;
    use proptest::prelude::*;

    const LIMIT: Option<f64> = Some(10.0);
    const RED: f64 = 9.5;
    const AMBER: f64 = 8.0;

    fn drain(a: &mut Alerting) -> Vec<Alert> {
        std::iter::from_fn(|| a.poll_alert()).collect()
    }

    #[test]
    fn red_for_red_minutes_alerts_once_and_five_calm_minutes_clear() {
        let mut a = Alerting::new(5);
        let f = Figure::of(Key::DbPool);
        for m in 0..5 {
            a.handle_sample(m * MINUTE_MS, &f, RED, LIMIT);
        }
        assert!(drain(&mut a).is_empty(), "four minutes are not five");
        a.handle_sample(5 * MINUTE_MS, &f, 10.0, LIMIT);
        assert_eq!(
            drain(&mut a),
            vec![Alert::Red {
                key: f.clone(),
                value: 10.0,
                limit: 10.0,
                since: 0
            }]
        );
        for m in 6..60 {
            a.handle_sample(m * MINUTE_MS, &f, RED, LIMIT);
        }
        assert!(drain(&mut a).is_empty(), "one alert per episode");
        // Amber is below red; a red minute in between starts the calm count again.
        for m in 60..64 {
            a.handle_sample(m * MINUTE_MS, &f, AMBER, LIMIT);
        }
        a.handle_sample(64 * MINUTE_MS, &f, RED, LIMIT);
        for m in 65..70 {
            a.handle_sample(m * MINUTE_MS, &f, 1.0, LIMIT);
        }
        assert!(drain(&mut a).is_empty());
        a.handle_sample(70 * MINUTE_MS, &f, 1.0, LIMIT);
        assert_eq!(
            drain(&mut a),
            vec![Alert::Cleared {
                key: f.clone(),
                value: 1.0,
                limit: LIMIT,
                red_since: 0,
                since: 65 * MINUTE_MS
            }]
        );
        assert!(!a.is_alerted(&f));
    }

    #[test]
    fn unknown_breaks_a_red_run_and_figures_are_separate() {
        let mut a = Alerting::new(2);
        let cpu = Figure::of(Key::Cpu);
        let app = Figure::gateway_users("e-akte");
        a.handle_sample(0, &cpu, RED, LIMIT);
        a.handle_sample(0, &app, 1.0, Some(1.0));
        a.handle_sample(MINUTE_MS, &cpu, f64::NAN, LIMIT);
        a.handle_sample(MINUTE_MS, &app, 1.0, Some(1.0));
        a.handle_sample(2 * MINUTE_MS, &cpu, RED, LIMIT);
        a.handle_sample(2 * MINUTE_MS, &app, 1.0, Some(1.0));
        let alerts = drain(&mut a);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert!(matches!(&alerts[0], Alert::Red { key, .. } if *key == app));
        // Without a limit a figure is never red.
        let calls = Figure::of(Key::Calls);
        for m in 0..10 {
            a.handle_sample(m * MINUTE_MS, &calls, 1e9, None);
        }
        assert!(drain(&mut a).is_empty());
    }

    /// A sample: minutes since the last one (0–3) and its level.
    fn samples() -> impl Strategy<Value = Vec<(i64, u8)>> {
        proptest::collection::vec((0i64..4 * MINUTE_MS, 0u8..4), 0..400)
    }

    fn value_of(kind: u8) -> f64 {
        match kind {
            0 => 1.0,
            1 => AMBER,
            2 => RED,
            _ => f64::NAN,
        }
    }

    proptest! {
        #[test]
        fn never_two_red_alerts_in_one_episode(steps in samples(), red_minutes in 1u32..8) {
            let mut a = Alerting::new(red_minutes);
            let f = Figure::of(Key::Memory);
            let mut now = 1_700_000_000_000;
            let mut alerted = false;
            for (dt, kind) in steps {
                now += dt;
                a.handle_sample(now, &f, value_of(kind), LIMIT);
                for alert in drain(&mut a) {
                    match alert {
                        Alert::Red { .. } => {
                            prop_assert!(!alerted, "a second red alert in one episode");
                            alerted = true;
                        }
                        Alert::Cleared { .. } => {
                            prop_assert!(alerted, "an all-clear without an alert");
                            alerted = false;
                        }
                    }
                }
            }
        }

        #[test]
        fn every_red_alert_follows_red_minutes_of_red_samples(
            steps in samples(), red_minutes in 1u32..8,
        ) {
            let mut a = Alerting::new(red_minutes);
            let f = Figure::of(Key::Disk);
            let mut now = 0;
            let mut seen: Vec<(i64, u8)> = Vec::new();
            for (dt, kind) in steps {
                now += dt;
                a.handle_sample(now, &f, value_of(kind), LIMIT);
                seen.push((now, kind));
                if let Some(Alert::Red { since, .. }) = a.poll_alert() {
                    prop_assert!(now - since >= i64::from(red_minutes) * MINUTE_MS);
                    prop_assert!(seen.iter().filter(|(at, _)| *at >= since).all(|(_, k)| *k == 2));
                    prop_assert!(seen.iter().any(|(at, _)| *at == since));
                }
            }
        }

        #[test]
        fn spikes_shorter_than_red_minutes_never_alert(
            runs in proptest::collection::vec((1usize..20, 0u8..4), 0..60),
            red_minutes in 2u32..8,
        ) {
            // Red runs of fewer samples than red_minutes, a minute apart, between calm
            // or unknown samples.
            let mut a = Alerting::new(red_minutes);
            let f = Figure::of(Key::Connections);
            let mut now = 0;
            for (len, kind) in runs {
                let len = if kind == 2 { len.min(red_minutes as usize) } else { len };
                for _ in 0..len {
                    now += MINUTE_MS;
                    a.handle_sample(now, &f, value_of(kind), LIMIT);
                }
                now += MINUTE_MS;
                a.handle_sample(now, &f, 1.0, LIMIT);
            }
            prop_assert_eq!(a.poll_alert(), None);
        }
    }
}
