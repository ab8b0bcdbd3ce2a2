//! Flood control: a token bucket over one client's incoming frames (or one person's chat
//! writes, whichever road they take), and a budget of rarer actions per time window (rooms
//! a person creates per hour).

/// What to do with an incoming frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Handle it.
    Allow,
    /// Drop it and tell the client.
    Drop,
    /// The client keeps flooding: close the connection.
    Close,
}

/// A token bucket: `rate` frames per second, bursts of `burst`. After `3 × burst` dropped
/// frames without a pause the client is closed.
#[derive(Debug, Clone)]
pub struct FloodGuard {
    rate_per_s: u32,
    burst: u32,
    /// Tokens in thousandths, to refill smoothly.
    milli_tokens: u64,
    last_ms: i64,
    dropped: u32,
}

impl FloodGuard {
    /// A full bucket.
    pub fn new(rate_per_s: u32, burst: u32, now_ms: i64) -> FloodGuard {
        FloodGuard {
            rate_per_s,
            burst,
            milli_tokens: u64::from(burst) * 1000,
            last_ms: now_ms,
            dropped: 0,
        }
    }

    /// Takes a token for one frame arriving at `now_ms`.
    pub fn check(&mut self, now_ms: i64) -> Verdict {
        let elapsed = (now_ms - self.last_ms).max(0) as u64;
        self.last_ms = self.last_ms.max(now_ms);
        let cap = u64::from(self.burst) * 1000;
        self.milli_tokens = (self.milli_tokens + elapsed * u64::from(self.rate_per_s)).min(cap);
        if self.milli_tokens >= 1000 {
            self.milli_tokens -= 1000;
            if self.milli_tokens == cap - 1000 {
                // A full bucket again: the client paused, forgive earlier drops.
                self.dropped = 0;
            }
            return Verdict::Allow;
        }
        self.dropped += 1;
        if self.dropped >= 3 * self.burst {
            Verdict::Close
        } else {
            Verdict::Drop
        }
    }
}

/// At most `max` actions per window of `window_ms`. The window starts with the first
/// action after the previous window ended (fixed windows: a pure counter, no history).
#[derive(Debug, Clone)]
pub struct WindowBudget {
    max: u32,
    window_ms: i64,
    start_ms: i64,
    used: u32,
}

impl WindowBudget {
    /// A budget of `max` actions per `window_ms`, none used.
    pub fn new(max: u32, window_ms: i64) -> WindowBudget {
        WindowBudget {
            max,
            window_ms,
            start_ms: i64::MIN,
            used: 0,
        }
    }

    /// Takes one action at `now_ms`, or says how many milliseconds until the window ends.
    pub fn take(&mut self, now_ms: i64) -> Result<(), i64> {
        if now_ms.saturating_sub(self.start_ms) >= self.window_ms {
            self.start_ms = now_ms;
            self.used = 0;
        }
        if self.used >= self.max {
            return Err((self.start_ms + self.window_ms - now_ms).max(1));
        }
        self.used += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_budgets_refill_when_the_window_ends() {
        let hour = 3_600_000;
        let mut b = WindowBudget::new(3, hour);
        for t in [10, 20, 30] {
            assert_eq!(b.take(t), Ok(()));
        }
        assert_eq!(b.take(40), Err(hour - 30));
        assert_eq!(b.take(10 + hour - 1), Err(1));
        assert_eq!(b.take(10 + hour), Ok(()), "a new window");
        let mut none = WindowBudget::new(0, hour);
        assert!(none.take(0).is_err());
    }

    #[test]
    fn bursts_then_rate_then_close() {
        let mut g = FloodGuard::new(20, 40, 0);
        for _ in 0..40 {
            assert_eq!(g.check(0), Verdict::Allow);
        }
        assert_eq!(g.check(0), Verdict::Drop);
        // 50 ms later one token is back (20/s).
        assert_eq!(g.check(50), Verdict::Allow);
        assert_eq!(g.check(50), Verdict::Drop);
        let mut last = Verdict::Drop;
        for _ in 0..200 {
            last = g.check(50);
            if last == Verdict::Close {
                break;
            }
        }
        assert_eq!(last, Verdict::Close);
    }

    #[test]
    fn steady_clients_are_never_dropped() {
        let mut g = FloodGuard::new(20, 40, 0);
        for i in 0..10_000 {
            assert_eq!(g.check(i * 50), Verdict::Allow);
        }
    }

    #[test]
    fn a_pause_forgives() {
        let mut g = FloodGuard::new(20, 40, 0);
        for _ in 0..100 {
            g.check(0);
        }
        assert_eq!(g.check(10_000), Verdict::Allow);
        for _ in 0..39 {
            assert_eq!(g.check(10_000), Verdict::Allow);
        }
        for _ in 0..(3 * 40 - 1) {
            assert_eq!(g.check(10_000), Verdict::Drop);
        }
        assert_eq!(g.check(10_000), Verdict::Close);
    }
}
