//! The facts the planner needs, read from the store: a person's agreement in force, their
//! stored week over the default one, and for a unit the whole `RotationInput` (members with
//! offices, agreements, wishes, days away and mobile days outside the plan; the unit's
//! minimum and offices; the service agreement's limits and working days).

use crate::error::ApiError;
use crate::mobile_work::required_rules;
use crate::AppState;
use jiff::civil::Date;
use planner::calendar::{add_days, HalfDay, WeekdaySet, YearMonth};
use planner::ids::{OfficeId, PersonId, UnitId};
use planner::rotation::{Member, Office, RotationInput};
use planner::terms::{DaysPattern, Terms};
use planner::week::{Location, Week};
use std::collections::{BTreeMap, HashMap};
use store::{PlannedHalf, UnitMember};

/// The working days when the service agreement is not set up yet.
pub(crate) async fn workdays(state: &AppState) -> Result<WeekdaySet, ApiError> {
    Ok(crate::mobile_work::current_rules(state)
        .await?
        .map_or(WeekdaySet::MONDAY_TO_FRIDAY, |r| r.workdays))
}

/// The person's agreement in force (approved, or revoked but not yet ended), if any.
pub(crate) async fn terms_of(state: &AppState, staff_id: i64) -> Result<Option<Terms>, ApiError> {
    Ok(state
        .store
        .agreements_of(staff_id)
        .await?
        .iter()
        .find_map(|row| row.to_planner().active_terms()))
}

/// Laid over `week`: the stored halves that fall in it.
pub(crate) fn overlay(week: &mut Week, halves: &[PlannedHalf]) {
    for half in halves {
        if let Some(day) = week.day_mut(half.day) {
            match half.half {
                HalfDay::Morning => day.morning = half.location,
                HalfDay::Afternoon => day.afternoon = half.location,
            }
        }
    }
}

/// `staff_id`'s week from `monday`: what they planned over the default (office on working
/// days, off on the others).
pub(crate) async fn week_of(
    state: &AppState,
    staff_id: i64,
    monday: Date,
    workdays: WeekdaySet,
) -> Result<Week, ApiError> {
    let mut week = Week::containing(monday, workdays);
    let halves = state
        .store
        .planned_halves_of(staff_id, week.monday(), add_days(week.monday(), 6))
        .await?;
    overlay(&mut week, &halves);
    Ok(week)
}

/// Days with any mobile half per month, from stored halves, leaving out `from..=to`.
pub(crate) fn mobile_days_outside(
    halves: &[PlannedHalf],
    from: Date,
    to: Date,
) -> BTreeMap<YearMonth, u16> {
    let mut days: Vec<Date> = halves
        .iter()
        .filter(|h| h.location == Location::Mobile && (h.day < from || h.day > to))
        .map(|h| h.day)
        .collect();
    days.dedup();
    let mut per_month = BTreeMap::new();
    for day in days {
        *per_month.entry(YearMonth::of(day)).or_insert(0) += 1;
    }
    per_month
}

/// The first and last day of the months `from..=to` touches.
pub(crate) fn month_span(from: Date, to: Date) -> (Date, Date) {
    let first = from.first_of_month();
    let last = to.last_of_month();
    (first, last)
}

/// Everything the planner needs to plan `unit_id`, and the names to tell people by.
pub(crate) struct UnitFacts {
    /// The planner's input.
    pub input: RotationInput,
    /// The unit's members, by name.
    pub members: Vec<UnitMember>,
    /// Staff id → name.
    pub names: HashMap<i64, String>,
    /// Office id → name.
    pub offices: HashMap<i64, String>,
}

/// The rotation input of `unit_id` for `weeks` weeks from `first_monday` (409 while the
/// service agreement is not set up).
pub(crate) async fn unit_facts(
    state: &AppState,
    unit_id: i64,
    first_monday: Date,
    weeks: u8,
) -> Result<UnitFacts, ApiError> {
    let rules = required_rules(state).await?;
    let unit_rules = state.store.unit_rotation_rules(unit_id).await?;
    let members = state.store.unit_members(unit_id).await?;
    let workdays = workdays(state).await?;
    let last = add_days(first_monday, 7 * i64::from(weeks) - 1);
    let (month_first, month_last) = month_span(first_monday, last);
    let halves = state
        .store
        .planned_halves_in_unit(unit_id, month_first, month_last)
        .await?;
    let office_of: HashMap<i64, i64> = unit_rules
        .offices
        .iter()
        .flat_map(|o| o.members.iter().map(move |m| (*m, o.id)))
        .collect();
    let mut planned_members = Vec::with_capacity(members.len());
    for member in &members {
        let terms = terms_of(state, member.id).await?;
        let mut wishes = state.store.mobile_wishes(member.id).await?;
        // No wishes said: the agreement's fixed weekdays are the wish.
        if wishes.is_empty() {
            if let Some(Terms {
                pattern: DaysPattern::Weekdays(days),
                ..
            }) = terms
            {
                wishes = days;
            }
        }
        let own: Vec<PlannedHalf> = halves
            .iter()
            .filter(|h| h.staff_id == member.id)
            .copied()
            .collect();
        // A working day the person set to away or off (half or whole) is not the plan's
        // to fill: the planner must not put them in the office then.
        let mut away: Vec<Date> = own
            .iter()
            .filter(|h| match h.location {
                Location::Away(_) => true,
                Location::Off => workdays.contains(h.day.weekday()),
                Location::Office | Location::Mobile => false,
            })
            .filter(|h| h.day >= first_monday && h.day <= last)
            .map(|h| h.day)
            .collect();
        for absence in state.store.absences_of(member.id, first_monday).await? {
            let mut day = absence.first_day.max(first_monday);
            while day <= absence.last_day.min(last) {
                away.push(day);
                day = add_days(day, 1);
            }
        }
        away.sort_unstable();
        away.dedup();
        let mobile_elsewhere = mobile_days_outside(&own, first_monday, last)
            .into_iter()
            .map(|(month, days)| (month, u8::try_from(days).unwrap_or(u8::MAX)))
            .collect();
        planned_members.push(Member {
            person: PersonId(member.id),
            office: office_of.get(&member.id).map(|o| OfficeId(*o)),
            terms,
            wishes,
            away,
            pins: vec![],
            mobile_elsewhere,
        });
    }
    // Public holidays of the administration's state are no working days of the plan.
    let closed = match crate::mobile_work::holiday_state(state).await? {
        Some(land) => closed_days(land, first_monday, last),
        None => Vec::new(),
    };
    let input = RotationInput {
        unit: UnitId(unit_id),
        first_monday,
        weeks,
        workdays: rules.workdays,
        closed,
        min_in_office: unit_rules.min_in_office,
        limits: rules.limits,
        offices: unit_rules
            .offices
            .iter()
            .map(|o| Office {
                id: OfficeId(o.id),
                seats: o.seats,
            })
            .collect(),
        members: planned_members,
    };
    Ok(UnitFacts {
        input,
        names: members
            .iter()
            .map(|m| (m.id, m.display_name.clone()))
            .collect(),
        members,
        offices: unit_rules
            .offices
            .iter()
            .map(|o| (o.id, o.name.clone()))
            .collect(),
    })
}

/// The public holidays of `land` from `first` to `last` (both included).
fn closed_days(land: queues::holidays::State, first: Date, last: Date) -> Vec<Date> {
    let mut closed = Vec::new();
    let mut day = first;
    while day <= last {
        if queues::holidays::is_holiday(land, day) {
            closed.push(day);
        }
        day = add_days(day, 1);
    }
    closed
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    #[test]
    fn a_state_s_public_holidays_are_closed() {
        let by = queues::holidays::State::BY;
        assert_eq!(
            super::closed_days(by, date(2026, 12, 21), date(2027, 1, 10)),
            [
                date(2026, 12, 25),
                date(2026, 12, 26),
                date(2027, 1, 1),
                date(2027, 1, 6)
            ]
        );
        let be = queues::holidays::State::BE;
        assert!(
            super::closed_days(be, date(2027, 1, 2), date(2027, 1, 10)).is_empty(),
            "Epiphany is Bavarian, not Berlin's"
        );
    }
}
