//! Appointment slots (e.g. the test appointments of a swab centre): a span of time with a
//! number of places. Administrators and supervisors add them one by one or as a day's
//! series ("Monday 08:00–12:00, every 15 minutes, 10 places each"); cases book them
//! through an appointment field. That no slot takes more bookings than it has places is
//! the store's part (one conditional update in the booking's transaction).

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

/// At most this many places in a slot.
pub const MAX_CAPACITY: u32 = 10_000;
/// A slot lasts at most a day.
pub const MAX_SLOT_SECS: i64 = 86_400;
/// At most this many slots are added at once.
pub const MAX_SLOTS: usize = 500;
/// A series' slots last at least this many minutes …
pub const MIN_MINUTES: u32 = 5;
/// … and at most this many.
pub const MAX_MINUTES: u32 = 480;

/// A slot to add (Unix seconds, end exclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewSlot {
    /// When it begins.
    pub starts_at: i64,
    /// When it ends.
    pub ends_at: i64,
    /// How many bookings it takes.
    pub capacity: u32,
}

/// Why slots cannot be added; `position` counts from 1 in the order given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlotError {
    /// No slots given.
    #[error("Es wurden keine Termine angegeben.")]
    Nothing,
    /// More than [`MAX_SLOTS`].
    #[error("{count} Termine auf einmal sind zu viele; höchstens {max} sind möglich.")]
    TooMany {
        /// How many.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The end is not after the start.
    #[error("Termin {position}: Das Ende liegt nicht nach dem Beginn.")]
    EndNotAfterStart {
        /// Which slot.
        position: usize,
    },
    /// Longer than a day.
    #[error("Termin {position}: Ein Termin dauert höchstens 24 Stunden.")]
    TooLong {
        /// Which slot.
        position: usize,
    },
    /// Capacity not within 1 and [`MAX_CAPACITY`].
    #[error("Termin {position}: {capacity} Plätze gehen nicht; erlaubt sind 1 bis 10000.")]
    Capacity {
        /// Which slot.
        position: usize,
        /// What arrived.
        capacity: u32,
    },
    /// Begins before now.
    #[error("Termin {position} beginnt in der Vergangenheit.")]
    InThePast {
        /// Which slot.
        position: usize,
    },
    /// The same span twice in one request.
    #[error("Termin {position} kommt in der Liste mehrmals vor.")]
    Duplicate {
        /// The second occurrence.
        position: usize,
    },
    /// A series step outside [`MIN_MINUTES`]..=[`MAX_MINUTES`].
    #[error("{minutes} Minuten je Termin gehen nicht; erlaubt sind 5 bis 480 Minuten.")]
    Step {
        /// What arrived.
        minutes: u32,
    },
    /// A series whose span holds no slot.
    #[error("Zwischen {from} und {until} Uhr passt kein Termin von {minutes} Minuten.")]
    EmptySeries {
        /// The series' start.
        from: String,
        /// The series' end.
        until: String,
        /// The step.
        minutes: u32,
    },
}

impl SlotError {
    /// A stable code for what is wrong.
    pub fn code(&self) -> &'static str {
        match self {
            SlotError::Nothing => "no_slots",
            SlotError::TooMany { .. } => "too_many_slots",
            SlotError::EndNotAfterStart { .. } => "end_not_after_start",
            SlotError::TooLong { .. } => "slot_too_long",
            SlotError::Capacity { .. } => "capacity_out_of_range",
            SlotError::InThePast { .. } => "slot_in_the_past",
            SlotError::Duplicate { .. } => "slot_duplicate",
            SlotError::Step { .. } => "step_out_of_range",
            SlotError::EmptySeries { .. } => "empty_series",
        }
    }
}

/// Checks slots to add at `now`: the first problem in the order given.
pub fn check(slots: &[NewSlot], now: i64) -> Result<(), SlotError> {
    if slots.is_empty() {
        return Err(SlotError::Nothing);
    }
    if slots.len() > MAX_SLOTS {
        return Err(SlotError::TooMany {
            count: slots.len(),
            max: MAX_SLOTS,
        });
    }
    let mut seen = std::collections::HashSet::new();
    for (i, slot) in slots.iter().enumerate() {
        let position = i + 1;
        if slot.ends_at <= slot.starts_at {
            return Err(SlotError::EndNotAfterStart { position });
        }
        if slot.ends_at - slot.starts_at > MAX_SLOT_SECS {
            return Err(SlotError::TooLong { position });
        }
        if !(1..=MAX_CAPACITY).contains(&slot.capacity) {
            return Err(SlotError::Capacity {
                position,
                capacity: slot.capacity,
            });
        }
        if slot.starts_at < now {
            return Err(SlotError::InThePast { position });
        }
        if !seen.insert((slot.starts_at, slot.ends_at)) {
            return Err(SlotError::Duplicate { position });
        }
    }
    Ok(())
}

/// A day's series in `zone`: slots of `minutes` from `from` while they end by `until`,
/// each with `capacity` places, checked at `now` like [`check`].
pub fn series(
    day: Date,
    from: Time,
    until: Time,
    minutes: u32,
    capacity: u32,
    zone: &TimeZone,
    now: i64,
) -> Result<Vec<NewSlot>, SlotError> {
    if !(MIN_MINUTES..=MAX_MINUTES).contains(&minutes) {
        return Err(SlotError::Step { minutes });
    }
    // Wall-clock times to instants in the zone (a time in the spring-forward gap moves
    // on by the gap, as jiff's "compatible" rule does).
    let instant = |t: Time| -> Option<i64> {
        zone.to_timestamp(day.to_datetime(t))
            .ok()
            .map(|ts| ts.as_second())
    };
    let empty = || SlotError::EmptySeries {
        from: from.strftime("%H:%M").to_string(),
        until: until.strftime("%H:%M").to_string(),
        minutes,
    };
    let (Some(first), Some(last)) = (instant(from), instant(until)) else {
        return Err(empty());
    };
    let step = i64::from(minutes) * 60;
    let mut slots = Vec::new();
    let mut start = first;
    while start + step <= last && slots.len() <= MAX_SLOTS {
        slots.push(NewSlot {
            starts_at: start,
            ends_at: start + step,
            capacity,
        });
        start += step;
    }
    if slots.is_empty() {
        return Err(empty());
    }
    check(&slots, now)?;
    Ok(slots)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    /// 2026-03-05T08:00:00Z.
    const T: i64 = 1_772_697_600;

    fn slot(start: i64, minutes: i64, capacity: u32) -> NewSlot {
        NewSlot {
            starts_at: start,
            ends_at: start + minutes * 60,
            capacity,
        }
    }

    #[test]
    fn sensible_slots_pass_and_each_problem_is_named() {
        assert_eq!(check(&[slot(T, 15, 10), slot(T + 900, 15, 1)], T), Ok(()));
        assert_eq!(check(&[], T), Err(SlotError::Nothing));
        assert_eq!(
            check(&[slot(T, 15, 10), slot(T, 0, 10)], T),
            Err(SlotError::EndNotAfterStart { position: 2 })
        );
        assert_eq!(
            check(&[slot(T, 24 * 60 + 1, 1)], T),
            Err(SlotError::TooLong { position: 1 })
        );
        let e = check(&[slot(T, 15, 0)], T).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Termin 1: 0 Plätze gehen nicht; erlaubt sind 1 bis 10000."
        );
        assert_eq!(
            check(&[slot(T, 15, 10_001)], T).unwrap_err().code(),
            "capacity_out_of_range"
        );
        assert_eq!(
            check(&[slot(T - 1, 15, 1)], T),
            Err(SlotError::InThePast { position: 1 })
        );
        assert_eq!(
            check(&[slot(T, 15, 1), slot(T, 15, 5)], T),
            Err(SlotError::Duplicate { position: 2 })
        );
        let many: Vec<NewSlot> = (0..501).map(|i| slot(T + i * 900, 15, 1)).collect();
        assert_eq!(check(&many, T).unwrap_err().code(), "too_many_slots");
    }

    #[test]
    fn a_morning_series_in_berlin_winter_time() {
        let berlin = TimeZone::fixed(jiff::tz::offset(1));
        let slots = series(
            date(2026, 3, 5),
            time(9, 0, 0, 0),
            time(10, 10, 0, 0),
            15,
            10,
            &berlin,
            T,
        )
        .unwrap();
        // 09:00 local is 08:00 UTC; four slots fit before 10:10, the fifth would not.
        assert_eq!(slots.len(), 4);
        assert_eq!(slots[0], slot(T, 15, 10));
        assert_eq!(slots[3], slot(T + 45 * 60, 15, 10));
    }

    #[test]
    fn series_refuse_odd_steps_empty_spans_and_the_past() {
        let utc = TimeZone::UTC;
        let day = date(2026, 3, 5);
        let run = |from, until, minutes| series(day, from, until, minutes, 5, &utc, T);
        assert_eq!(
            run(time(8, 0, 0, 0), time(9, 0, 0, 0), 4),
            Err(SlotError::Step { minutes: 4 })
        );
        let e = run(time(8, 0, 0, 0), time(8, 10, 0, 0), 15).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Zwischen 08:00 und 08:10 Uhr passt kein Termin von 15 Minuten."
        );
        assert_eq!(
            run(time(7, 0, 0, 0), time(9, 0, 0, 0), 30),
            Err(SlotError::InThePast { position: 1 })
        );
        // A whole day of five-minute slots is still one request (287 < 500).
        let day_long = series(
            day.tomorrow().unwrap(),
            time(0, 0, 0, 0),
            time(23, 59, 0, 0),
            5,
            1,
            &utc,
            T,
        );
        assert_eq!(day_long.map(|s| s.len()), Ok(287));
    }
}
