//! The unit's minimum in the office, kept after a plan was accepted: a person who moves a
//! half-day of an accepted plan from the office to mobile work is refused (422 at that
//! half) when fewer than the unit's minimum would then be in the office. Leave, sickness
//! and business trips are never refused: only a change to mobile work is checked, and
//! only on days an accepted plan of the unit covers (before that, nobody's office days
//! are planned and there is nothing to count).

use crate::error::{ApiError, FieldIssue};
use crate::AppState;
use jiff::civil::Date;
use planner::calendar::{add_days, GermanDate, HalfDay};
use planner::week::{Location, Week};
use store::PlannedHalf;

/// A half-day the change would leave short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Short {
    /// The day's index in the week (0: Monday).
    pub day: usize,
    /// Which half.
    pub half: HalfDay,
    /// How many would be in the office.
    pub in_office: u16,
    /// The unit's minimum that day.
    pub min: u16,
}

/// The halves of `after` that `me` moves from the office (as `stored`, the unit's planned
/// halves, has them) to mobile work while fewer than `min` (per weekday, Monday first)
/// others are planned in the office then; only on days `covered` by an accepted plan.
pub(crate) fn short_halves(
    me: i64,
    after: &Week,
    stored: &[PlannedHalf],
    min: [u16; 7],
    covered: impl Fn(Date) -> bool,
) -> Vec<Short> {
    let mut short = Vec::new();
    for (i, day) in after.days.iter().enumerate() {
        let date = after.date(i);
        let needed = min[i];
        if needed == 0 || !covered(date) {
            continue;
        }
        for half in [HalfDay::Morning, HalfDay::Afternoon] {
            let at = |h: &&PlannedHalf| h.day == date && h.half == half;
            let was_office = stored
                .iter()
                .filter(at)
                .any(|h| h.staff_id == me && h.location == Location::Office);
            if !was_office || day.at(half) != Location::Mobile {
                continue;
            }
            let others = stored
                .iter()
                .filter(at)
                .filter(|h| h.staff_id != me && h.location == Location::Office)
                .count();
            let in_office = u16::try_from(others).unwrap_or(u16::MAX);
            if in_office < needed {
                short.push(Short {
                    day: i,
                    half,
                    in_office,
                    min: needed,
                });
            }
        }
    }
    short
}

/// Checks `week` of `me` (a member of the unit `unit_path`) against the unit's minimum in
/// the office on the days an accepted plan covers; `Ok` when nothing falls short.
pub(crate) async fn check(
    state: &AppState,
    me: i64,
    unit_path: &str,
    week: &Week,
) -> Result<(), ApiError> {
    let Some(unit) = state.store.unit_id_by_path(unit_path).await? else {
        return Ok(());
    };
    let rules = state.store.unit_rotation_rules(unit).await?;
    if rules.min_in_office.iter().all(|m| *m == 0) {
        return Ok(());
    }
    let plans = state.store.rotation_plans(unit).await?;
    let covered = |date: Date| {
        plans.iter().any(|p| {
            date >= p.first_monday && date <= add_days(p.first_monday, 7 * i64::from(p.weeks) - 1)
        })
    };
    let (monday, sunday) = (week.monday(), add_days(week.monday(), 6));
    if !(0..7).any(|i| covered(add_days(monday, i))) {
        return Ok(());
    }
    let stored = state
        .store
        .planned_halves_in_unit(unit, monday, sunday)
        .await?;
    let short = short_halves(me, week, &stored, rules.min_in_office, covered);
    if short.is_empty() {
        return Ok(());
    }
    let fields: Vec<FieldIssue> = short
        .iter()
        .map(|s| {
            let (key, words) = match s.half {
                HalfDay::Morning => ("morning", "vormittags"),
                HalfDay::Afternoon => ("afternoon", "nachmittags"),
            };
            let message = format!(
                "Am {} {words} wären dann nur {} statt mindestens {} Personen im Büro \
                 (Plan der Einheit); bitte sprechen Sie die Änderung mit der Leitung ab.",
                GermanDate(week.date(s.day)),
                s.in_office,
                s.min
            );
            FieldIssue {
                field: format!("days[{}].{key}", s.day),
                problem: "unit_minimum",
                message,
            }
        })
        .collect();
    Err(ApiError::Unprocessable {
        message: fields
            .iter()
            .map(|f| f.message.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use planner::calendar::WeekdaySet;
    use planner::week::Day;

    fn half(staff_id: i64, day: Date, half: HalfDay, location: Location) -> PlannedHalf {
        PlannedHalf {
            staff_id,
            day,
            half,
            location,
        }
    }

    #[test]
    fn only_a_move_to_mobile_below_the_minimum_on_a_planned_day() {
        use jiff::civil::Weekday::*;
        let monday = date(2026, 12, 14);
        let tuesday = date(2026, 12, 15);
        let workdays = WeekdaySet::of(&[Monday, Tuesday, Wednesday, Thursday, Friday]);
        let mut week = Week::new(monday, workdays).unwrap();
        // Tuesday: 1 (me), 2, 3 in the office all day; the minimum is 3.
        let mut stored = Vec::new();
        for staff in [1, 2, 3] {
            for h in [HalfDay::Morning, HalfDay::Afternoon] {
                stored.push(half(staff, tuesday, h, Location::Office));
            }
        }
        let min = [0, 3, 0, 0, 0, 0, 0];
        let all = |_: Date| true;
        assert!(
            short_halves(1, &week, &stored, min, all).is_empty(),
            "no change"
        );
        week.days[1].morning = Location::Mobile;
        assert_eq!(
            short_halves(1, &week, &stored, min, all),
            [Short {
                day: 1,
                half: HalfDay::Morning,
                in_office: 2,
                min: 3
            }]
        );
        // Not on a day no accepted plan covers; never for leave.
        assert!(short_halves(1, &week, &stored, min, |_| false).is_empty());
        week.days[1] = Day::whole(Location::Away(planner::week::Absence::Leave));
        assert!(short_halves(1, &week, &stored, min, all).is_empty());
        // A fourth person in the office: moving to mobile leaves three, enough.
        stored.push(half(4, tuesday, HalfDay::Morning, Location::Office));
        week.days[1].morning = Location::Mobile;
        assert!(short_halves(1, &week, &stored, min, all).is_empty());
    }
}
