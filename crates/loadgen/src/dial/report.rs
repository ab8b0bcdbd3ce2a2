//! The dial benchmark's figures: exact nearest-rank percentiles over every call (a
//! thousand samples need no histogram) and the ratio goal / p99. Pure.

use std::collections::BTreeMap;
use std::fmt::Write;

/// Percentiles of one measure, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures {
    /// Samples.
    pub count: usize,
    /// Median.
    pub p50: u64,
    /// 95th percentile.
    pub p95: u64,
    /// 99th percentile.
    pub p99: u64,
    /// Largest.
    pub max: u64,
}

/// The ⌈q·n⌉-th smallest of `sorted` (nearest rank).
fn rank(sorted: &[u64], q: f64) -> u64 {
    let n = sorted.len();
    let k = ((q * n as f64).ceil() as usize).clamp(1, n);
    sorted[k - 1]
}

impl Figures {
    /// The figures of `samples` (µs); `None` when there are none.
    pub fn of(samples: &[u64]) -> Option<Figures> {
        if samples.is_empty() {
            return None;
        }
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        Some(Figures {
            count: sorted.len(),
            p50: rank(&sorted, 0.50),
            p95: rank(&sorted, 0.95),
            p99: rank(&sorted, 0.99),
            max: sorted[sorted.len() - 1],
        })
    }

    /// goal / p99: 1.0 or more meets the goal.
    pub fn ratio(&self, goal_ms: f64) -> f64 {
        goal_ms * 1000.0 / (self.p99.max(1) as f64)
    }
}

/// What the run saw.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Calls asked for.
    pub calls: usize,
    /// Calls at a time.
    pub concurrency: usize,
    /// Dial → `call.state` `ringing` at the caller, µs, one per completed call.
    pub ringing: Vec<u64>,
    /// Dial → `call.incoming` at the callee, µs.
    pub incoming: Vec<u64>,
    /// Failed calls by why.
    pub failures: BTreeMap<String, u64>,
    /// Seconds the calls took, all together.
    pub seconds: f64,
}

fn ms(micros: u64) -> f64 {
    micros as f64 / 1000.0
}

/// The report: a line per measure with p50/p95/p99/max and goal/p99, then a verdict.
/// Returns the text and whether every call completed and both ratios are at least 1.
pub fn render(outcome: &Outcome, goal_ms: f64) -> (String, bool) {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "== dial to ringing: {} calls, {} at a time, in {:.1} s (goal: p99 under {goal_ms} ms; \
         no anchor product to compare with, the ratio is goal/p99)",
        outcome.calls, outcome.concurrency, outcome.seconds
    );
    let _ = writeln!(
        out,
        "{:<34} {:>6} {:>8} {:>8} {:>8} {:>8} {:>7}",
        "measure", "calls", "p50 ms", "p95 ms", "p99 ms", "max ms", "ratio"
    );
    let mut pass = outcome.failures.is_empty();
    for (name, samples) in [
        ("caller: dial -> call.state ringing", &outcome.ringing),
        ("callee: dial -> call.incoming", &outcome.incoming),
    ] {
        match Figures::of(samples) {
            Some(f) => {
                let ratio = f.ratio(goal_ms);
                pass &= ratio >= 1.0;
                let _ = writeln!(
                    out,
                    "{name:<34} {:>6} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {ratio:>7.2}",
                    f.count,
                    ms(f.p50),
                    ms(f.p95),
                    ms(f.p99),
                    ms(f.max)
                );
            }
            None => {
                pass = false;
                let _ = writeln!(out, "{name:<34} {:>6}", 0);
            }
        }
    }
    let failed: u64 = outcome.failures.values().sum();
    let _ = writeln!(out, "failed calls: {failed}");
    for (why, n) in &outcome.failures {
        let _ = writeln!(out, "  {n} × {why}");
    }
    let _ = writeln!(
        out,
        "verdict: {}",
        if pass {
            "PASS (every call rang, both ratios >= 1.0)"
        } else {
            "FAIL"
        }
    );
    (out, pass)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<u64> = (1..=1000).rev().collect();
        let f = Figures::of(&samples).unwrap();
        assert_eq!(
            (f.count, f.p50, f.p95, f.p99, f.max),
            (1000, 500, 950, 990, 1000)
        );
        let one = Figures::of(&[7]).unwrap();
        assert_eq!((one.p50, one.p99, one.max), (7, 7, 7));
        assert_eq!(Figures::of(&[]), None);
        // 150 ms goal, p99 of 75 ms: ratio 2.
        let f = Figures::of(&[75_000]).unwrap();
        assert!((f.ratio(150.0) - 2.0).abs() < 1e-9);
    }

    #[test]
    fn the_verdict_needs_every_call_and_both_ratios() {
        let mut outcome = Outcome {
            calls: 3,
            concurrency: 1,
            ringing: vec![10_000, 20_000, 30_000],
            incoming: vec![9_000, 19_000, 29_000],
            ..Outcome::default()
        };
        let (text, pass) = render(&outcome, 150.0);
        assert!(pass, "{text}");
        assert!(text.contains("30.00"), "{text}");
        assert!(text.contains(" 5.00\n"), "ratio 150/30: {text}");
        outcome.incoming.push(200_000);
        assert!(
            !render(&outcome, 150.0).1,
            "a p99 of 200 ms misses the goal"
        );
        outcome.incoming.pop();
        outcome.failures.insert("timeout".into(), 1);
        let (text, pass) = render(&outcome, 150.0);
        assert!(!pass && text.contains("1 × timeout"), "{text}");
    }
}
