//! The day's plan sets each person's work location in presence (issue 19, the team's
//! week): at start, and whenever the half-day changes (the afternoon begins, a new day
//! begins). What a planned location means and when a hand-set location is kept is
//! `web::team_week::presence`; changes of today's plan through the API apply it at once
//! there. This is only the timer: once a minute it looks whether the half-day changed.

use jiff::civil::{Date, DateTime, Time};
use planner::calendar::HalfDay;
use std::time::Duration;
use web::team_week::presence::{follow_plan_everyone, half_at};

/// How often the half-day is looked at.
pub const EVERY: Duration = Duration::from_secs(60);

/// The half-day `now` falls in (the afternoon from `afternoon`): the task acts when it
/// changes.
pub fn half_day(now: DateTime, afternoon: Time) -> (Date, HalfDay) {
    (now.date(), half_at(now, afternoon))
}

/// Runs until aborted.
pub async fn run(state: web::AppState) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last = None;
    loop {
        tick.tick().await;
        let now = half_day(
            planner::calendar::local_time(state.now()),
            state.afternoon_starts,
        );
        if last == Some(now) {
            continue;
        }
        match follow_plan_everyone(&state).await {
            Ok(changed) => {
                last = Some(now);
                if changed > 0 {
                    tracing::info!(changed, "presence locations set from the day's plan");
                }
            }
            // The next tick tries again.
            Err(error) => tracing::warn!(?error, "presence locations from the plan failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_half_day_changes_when_the_afternoon_starts_and_at_midnight() {
        let one = Time::constant(13, 0, 0, 0);
        let monday = date(2025, 3, 10);
        let morning = half_day(monday.at(8, 0, 0, 0), one);
        assert_eq!(morning, half_day(monday.at(12, 59, 59, 0), one));
        let afternoon = half_day(monday.at(13, 0, 0, 0), one);
        assert_ne!(morning, afternoon);
        assert_eq!(afternoon.1, HalfDay::Afternoon);
        assert_ne!(afternoon, half_day(date(2025, 3, 11).at(0, 0, 0, 0), one));
        let noon = Time::constant(12, 0, 0, 0);
        assert_eq!(
            half_day(monday.at(12, 30, 0, 0), noon).1,
            HalfDay::Afternoon
        );
    }
}
