//! One clock for the whole runtime. Everything that asks "what time is it" (sessions,
//! presence deadlines, chat timestamps, the SIP switch) asks a [`Clock`], so a test can
//! run the server on a [`FakeClock`] and move time on instead of sleeping.

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// A source of the current time.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Unix milliseconds now.
    fn now_ms(&self) -> i64;

    /// Unix seconds now.
    fn now_secs(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }
}

/// The clock handed around (cheap to clone).
pub type SharedClock = Arc<dyn Clock>;

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64)
    }
}

/// The system clock as a [`SharedClock`].
pub fn system() -> SharedClock {
    Arc::new(SystemClock)
}

/// A clock that stands still until a test moves it.
#[derive(Debug, Default)]
pub struct FakeClock(AtomicI64);

impl FakeClock {
    /// A clock showing `unix_ms`.
    pub fn at(unix_ms: i64) -> Arc<FakeClock> {
        Arc::new(FakeClock(AtomicI64::new(unix_ms)))
    }

    /// Moves the clock on by `ms`.
    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::AcqRel);
    }

    /// Sets the clock to `unix_ms`.
    pub fn set(&self, unix_ms: i64) {
        self.0.store(unix_ms, Ordering::Release);
    }
}

impl Clock for FakeClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fake_clock_moves_only_when_told() {
        let clock = FakeClock::at(1_700_000_000_500);
        assert_eq!(
            (clock.now_ms(), clock.now_secs()),
            (1_700_000_000_500, 1_700_000_000)
        );
        clock.advance(600);
        assert_eq!(clock.now_secs(), 1_700_000_001);
        let shared: SharedClock = clock.clone();
        clock.set(5);
        assert_eq!(shared.now_ms(), 5);
        assert!(SystemClock.now_secs() > 1_700_000_000);
    }
}
