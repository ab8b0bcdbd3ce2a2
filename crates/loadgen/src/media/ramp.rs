//! Which call count to try next, pure: double from the start until a step fails (or the
//! ceiling), then bisect between the largest pass and the smallest failure until they are
//! within the resolution.

/// The search for the largest passing call count.
#[derive(Debug, Clone)]
pub struct Ramp {
    start: usize,
    ceiling: usize,
    /// Largest passing count so far.
    best_pass: Option<usize>,
    /// Smallest failing count so far.
    first_fail: Option<usize>,
    /// Stop bisecting when the gap is at most this fraction of the pass (or 10 calls).
    resolution: f64,
}

impl Ramp {
    /// Starts at `start` calls, never above `ceiling`.
    pub fn new(start: usize, ceiling: usize, resolution: f64) -> Self {
        Ramp {
            start: start.max(1),
            ceiling: ceiling.max(start.max(1)),
            best_pass: None,
            first_fail: None,
            resolution,
        }
    }

    /// Records a step's outcome.
    pub fn record(&mut self, calls: usize, passed: bool) {
        if passed {
            self.best_pass = Some(self.best_pass.map_or(calls, |p| p.max(calls)));
        } else {
            self.first_fail = Some(self.first_fail.map_or(calls, |f| f.min(calls)));
        }
    }

    /// The largest passing count so far.
    pub fn best(&self) -> Option<usize> {
        self.best_pass
    }

    /// The next count to try; `None` when the answer is known.
    pub fn next(&self) -> Option<usize> {
        match (self.best_pass, self.first_fail) {
            (None, None) => Some(self.start),
            (Some(pass), None) if pass >= self.ceiling => None,
            (Some(pass), None) => Some((pass * 2).min(self.ceiling)),
            (pass, Some(fail)) => {
                let pass = pass.unwrap_or(0);
                let gap = fail.saturating_sub(pass);
                let enough = ((pass as f64 * self.resolution) as usize).max(10);
                if gap <= enough {
                    return None;
                }
                let mid = pass + gap / 2;
                // Round numbers read better; keep strictly between pass and fail.
                let step = if gap > 200 {
                    50
                } else if gap > 40 {
                    10
                } else {
                    1
                };
                let rounded = (mid / step) * step;
                Some(if rounded > pass { rounded } else { mid })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(capacity: usize, start: usize, ceiling: usize) -> (Option<usize>, Vec<usize>) {
        let mut ramp = Ramp::new(start, ceiling, 0.05);
        let mut tried = Vec::new();
        while let Some(n) = ramp.next() {
            assert!(!tried.contains(&n), "{n} twice: {tried:?}");
            tried.push(n);
            ramp.record(n, n <= capacity);
        }
        (ramp.best(), tried)
    }

    #[test]
    fn doubles_then_bisects_to_five_per_cent() {
        let (best, tried) = search(1234, 50, 100_000);
        assert_eq!(&tried[..7], &[50, 100, 200, 400, 800, 1600, 1200]);
        let best = best.unwrap();
        assert!(
            best <= 1234 && best as f64 >= 1234.0 * 0.95 - 10.0,
            "{best} {tried:?}"
        );
        assert!(tried.len() <= 12, "{tried:?}");
    }

    #[test]
    fn stops_at_the_ceiling_and_below_the_start() {
        assert_eq!(search(10_000, 50, 300).0, Some(300));
        let (best, tried) = search(7, 50, 1000);
        assert_eq!(tried[0], 50);
        assert!(best.is_none() || best.unwrap() <= 7, "{best:?} {tried:?}");
        assert!(tried.len() <= 4, "{tried:?}");
    }
}
