//! Desk sharing (issue 19): bookings nobody checked in to are released, so the desk is
//! free for others. `[desks]` says when: `release_after_minutes` after the start of the
//! booked half-day (a whole day's booking counts from the morning's start). The rule is
//! the planner's (`planner::desks::due_for_release`); this is only the timer around it,
//! on the runtime's clock, once a minute, and the audit line of each release.

use jiff::civil::{DateTime, Time};
use live::SharedClock;
use planner::desks::{due_for_release, ReleasePolicy};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use store::{AuditEntry, Store};

/// How often due bookings are looked for.
pub const EVERY: Duration = Duration::from_secs(60);

/// How many days back unchecked bookings are still looked for (a server that was down
/// over a weekend releases them when it is up again).
const LOOK_BACK_DAYS: i64 = 7;

/// `[desks]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DesksConfig {
    /// Whether unchecked bookings are released at all.
    pub release_unchecked: bool,
    /// When the morning starts (`HH:MM`, local time).
    pub morning_starts: String,
    /// When the afternoon starts (`HH:MM`, local time).
    pub afternoon_starts: String,
    /// Minutes after the start of the booked half-day until an unchecked booking is
    /// released (0 to 720).
    pub release_after_minutes: u32,
}

impl Default for DesksConfig {
    fn default() -> Self {
        DesksConfig {
            release_unchecked: true,
            morning_starts: "08:00".into(),
            afternoon_starts: "13:00".into(),
            release_after_minutes: 60,
        }
    }
}

fn clock_time(key: &str, value: &str) -> Result<Time, String> {
    value
        .parse::<Time>()
        .map_err(|_| format!("[desks] {key} {value:?} is not a time like \"08:00\""))
}

impl DesksConfig {
    /// Checks the values.
    pub fn validate(&self) -> Result<(), String> {
        self.policy().map(|_| ())
    }

    /// When the afternoon half-day starts (checked at start: see [`Self::validate`]).
    pub fn afternoon_start(&self) -> Result<Time, String> {
        clock_time("afternoon_starts", &self.afternoon_starts)
    }

    /// The planner's release policy: each half-day's start plus the minutes.
    pub fn policy(&self) -> Result<ReleasePolicy, String> {
        let morning = clock_time("morning_starts", &self.morning_starts)?;
        let afternoon = clock_time("afternoon_starts", &self.afternoon_starts)?;
        if morning >= afternoon {
            return Err("[desks] the afternoon must start after the morning".into());
        }
        if self.release_after_minutes > 720 {
            return Err("[desks] release_after_minutes must be 0 to 720".into());
        }
        let after = jiff::Span::new().minutes(i64::from(self.release_after_minutes));
        let by = |start: Time| {
            start
                .checked_add(after)
                .map_err(|_| "[desks] the release would fall after midnight".to_string())
        };
        let (morning_by, afternoon_by) = (by(morning)?, by(afternoon)?);
        if morning_by < morning || afternoon_by < afternoon {
            return Err("[desks] the release would fall after midnight".into());
        }
        Ok(ReleasePolicy {
            morning_by,
            afternoon_by,
        })
    }
}

/// The administration's calendar: bookings are for local days.
fn local(unix_ms: i64) -> DateTime {
    let zone = jiff::tz::TimeZone::get("Europe/Berlin").unwrap_or(jiff::tz::TimeZone::UTC);
    let at = jiff::Timestamp::from_millisecond(unix_ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    zone.to_datetime(at)
}

/// Sweeps now and then every [`EVERY`], until the task is aborted.
pub async fn run(store: Store, clock: SharedClock, policy: ReleasePolicy) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let now_ms = clock.now_ms();
        if let Err(error) = sweep(&store, &policy, now_ms).await {
            tracing::warn!(%error, "unchecked desk bookings could not be released");
        }
    }
}

/// Releases the bookings due at `now_ms` (Unix milliseconds), each with an audit line;
/// returns their ids. A check-in meanwhile wins (the store releases only what is still
/// booked).
pub async fn sweep(
    store: &Store,
    policy: &ReleasePolicy,
    now_ms: i64,
) -> Result<Vec<i64>, store::StoreError> {
    let now = local(now_ms);
    let today = now.date();
    let first = today.saturating_sub(jiff::Span::new().days(LOOK_BACK_DAYS));
    let bookings: Vec<_> = store
        .desk_bookings_between(first, today)
        .await?
        .iter()
        .map(|b| b.to_planner())
        .collect();
    let due = due_for_release(&bookings, policy, now);
    if due.is_empty() {
        return Ok(Vec::new());
    }
    let released = store.release_desk_bookings(&due, now_ms).await?;
    for id in &released {
        let booking = bookings.iter().find(|b| b.id == *id);
        let detail = match booking {
            Some(b) => format!(
                "booking {} of desk {} on {} {}: not checked in",
                id.0, b.space.0, b.date, b.part
            ),
            None => format!("booking {}: not checked in", id.0),
        };
        store
            .audit(&AuditEntry {
                at: now_ms.div_euclid(1000),
                actor: None,
                action: "desks.released".into(),
                target: None,
                source: None,
                detail,
            })
            .await?;
    }
    if !released.is_empty() {
        tracing::info!(count = released.len(), "released unchecked desk bookings");
    }
    Ok(released.into_iter().map(|id| id.0).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::time;

    #[test]
    fn the_default_releases_an_hour_into_each_half_day() {
        let policy = DesksConfig::default().policy().unwrap();
        assert_eq!(policy.morning_by, time(9, 0, 0, 0));
        assert_eq!(policy.afternoon_by, time(14, 0, 0, 0));
    }

    #[test]
    fn bad_values_are_refused() {
        let bad = |c: DesksConfig| c.validate().unwrap_err();
        assert!(bad(DesksConfig {
            morning_starts: "8 Uhr".into(),
            ..DesksConfig::default()
        })
        .contains("morning_starts"));
        assert!(bad(DesksConfig {
            afternoon_starts: "07:00".into(),
            ..DesksConfig::default()
        })
        .contains("after the morning"));
        assert!(bad(DesksConfig {
            release_after_minutes: 721,
            ..DesksConfig::default()
        })
        .contains("0 to 720"));
        assert!(bad(DesksConfig {
            afternoon_starts: "23:30".into(),
            release_after_minutes: 60,
            ..DesksConfig::default()
        })
        .contains("midnight"));
    }
}
