//! The day's plan sets each person's work location in presence, through the same path
//! as a person setting it by hand (`Live::set_manual`), so every team panel updates live.
//! Office → office, mobile → home office, a business trip → on the road; leave, sickness
//! and days off leave the location alone, as do days without a plan.
//!
//! A location the person set by hand today is kept: the store remembers what the plan
//! last set (`tw_presence_marks`); when the stored presence changed today to another
//! location than that, the person chose it, and their choice stands for the day.

use crate::error::ApiError;
use crate::AppState;
use jiff::civil::{DateTime, Time};
use planner::calendar::HalfDay;
use planner::week::{Absence, Location};
use presence::{Location as Where, Manual, State as PresenceState};

/// When the afternoon starts unless `[desks] afternoon_starts` says otherwise
/// ([`AppState::afternoon_starts`]).
pub const AFTERNOON: Time = Time::constant(13, 0, 0, 0);

/// The half of the day at `now`, the afternoon starting at `afternoon`.
pub fn half_at(now: DateTime, afternoon: Time) -> HalfDay {
    if now.time() < afternoon {
        HalfDay::Morning
    } else {
        HalfDay::Afternoon
    }
}

/// The presence location a planned location sets, if any.
pub fn presence_location(location: Location) -> Option<Where> {
    match location {
        Location::Office => Some(Where::Office),
        Location::Mobile => Some(Where::HomeOffice),
        Location::Away(Absence::BusinessTrip) => Some(Where::OnTheRoad),
        Location::Away(_) | Location::Off => None,
    }
}

/// Sets the presence location of `people` from their plan for the current half-day;
/// returns how many were changed.
pub async fn follow_plan(state: &AppState, people: &[i64]) -> Result<usize, ApiError> {
    let now = super::local_now(state);
    let today = now.date();
    let half = half_at(now, state.afternoon_starts);
    let mut changed = 0;
    for &person in people {
        let planned = state
            .store
            .planned_halves_of(person, today, today)
            .await?
            .into_iter()
            .find(|h| h.half == half);
        let Some(target) = planned.and_then(|h| presence_location(h.location)) else {
            continue;
        };
        let stored = state.store.presence_now(person).await?;
        let mark = state.store.presence_mark(person).await?;
        if let Some(p) = &stored {
            let changed_today =
                planner::calendar::local_time(p.changed_ms.div_euclid(1000)).date() == today;
            let ours = mark
                .as_ref()
                .is_some_and(|(day, l)| *day == today && p.location.as_deref() == Some(l));
            if changed_today && !ours {
                continue;
            }
            if p.location.as_deref() == Some(target.as_str()) {
                state
                    .store
                    .set_presence_mark(person, today, target.as_str())
                    .await?;
                continue;
            }
        }
        let manual = match &stored {
            Some(p) => Manual {
                state: PresenceState::parse(&p.state)
                    .ok()
                    .filter(|s| *s != PresenceState::Available),
                location: Some(target),
                note: p.note.clone(),
                until_ms: p.until_ms,
            },
            None => Manual {
                location: Some(target),
                ..Manual::default()
            },
        };
        state.live.set_manual(person, manual).await?;
        state
            .store
            .set_presence_mark(person, today, target.as_str())
            .await?;
        changed += 1;
    }
    Ok(changed)
}

/// Sets the presence location of everyone with a plan today (the server's task, at start
/// and at each half-day boundary).
pub async fn follow_plan_everyone(state: &AppState) -> Result<usize, ApiError> {
    let today = super::local_now(state).date();
    let mut people: Vec<i64> = state
        .store
        .planned_halves_on(today)
        .await?
        .iter()
        .map(|h| h.staff_id)
        .collect();
    people.dedup();
    follow_plan(state, &people).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn halves_and_locations() {
        let monday = date(2025, 3, 10);
        assert_eq!(
            half_at(monday.at(12, 59, 0, 0), AFTERNOON),
            HalfDay::Morning
        );
        assert_eq!(
            half_at(monday.at(13, 0, 0, 0), AFTERNOON),
            HalfDay::Afternoon
        );
        let half_past_eleven = Time::constant(11, 30, 0, 0);
        assert_eq!(
            half_at(monday.at(11, 29, 0, 0), half_past_eleven),
            HalfDay::Morning
        );
        assert_eq!(
            half_at(monday.at(11, 30, 0, 0), half_past_eleven),
            HalfDay::Afternoon
        );
        assert_eq!(presence_location(Location::Mobile), Some(Where::HomeOffice));
        assert_eq!(presence_location(Location::Away(Absence::Leave)), None);
    }
}
