//! Meeting-room bookings by the time of day: a room is booked for a stretch of one day in
//! quarter hours (09:00–10:30), never twice for overlapping times. Desks are booked by the
//! half-day (`desks`); a meeting lasts an hour, so rooms are booked by the clock.
//!
//! The rules: the stretch starts before it ends, both on a quarter hour; it does not lie
//! in the past (the quarter hour under way may still be booked: a meeting that starts now);
//! it is at most [`HORIZON_DAYS`] ahead; and it overlaps no booking of the same room that
//! still holds (touching is not overlapping: 09:00–10:00 and 10:00–11:00 both stand). The
//! store keeps the last rule under concurrent bookings by booking one room at a time.

use crate::calendar::{add_days, GermanDate};
use jiff::civil::{Date, DateTime, Time};

/// How far ahead a room can be booked.
pub const HORIZON_DAYS: i64 = 400;

/// Minutes in the booking grid.
pub const STEP_MINUTES: i8 = 15;

/// A stretch of one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Slot {
    /// The day.
    pub date: Date,
    /// From (inclusive).
    pub from: Time,
    /// Until (exclusive).
    pub to: Time,
}

impl Slot {
    /// Whether the two share a moment (same day, and each starts before the other ends).
    pub fn overlaps(&self, other: &Slot) -> bool {
        self.date == other.date && self.from < other.to && other.from < self.to
    }

    /// `09:00–10:30`.
    pub fn clock(&self) -> String {
        format!(
            "{}–{}",
            self.from.strftime("%H:%M"),
            self.to.strftime("%H:%M")
        )
    }
}

fn on_grid(t: Time) -> bool {
    t.second() == 0 && t.subsec_nanosecond() == 0 && t.minute() % STEP_MINUTES == 0
}

/// The start of the quarter hour `now` lies in.
fn quarter_of(now: DateTime) -> DateTime {
    let minute = now.minute() - now.minute() % STEP_MINUTES;
    now.date().at(now.hour(), minute, 0, 0)
}

/// Why a stretch cannot be booked, in German for the person booking.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SlotRefused(pub String);

/// Checks `slot` on its own at `now` (local time): see the module's rules.
pub fn check_slot(slot: &Slot, now: DateTime) -> Result<(), SlotRefused> {
    let bad = |why: String| Err(SlotRefused(why));
    if !on_grid(slot.from) || !on_grid(slot.to) {
        return bad("Räume werden in Viertelstunden gebucht (z. B. 09:00 bis 10:30).".into());
    }
    if slot.from >= slot.to {
        return bad(format!(
            "Der Beginn ({}) muss vor dem Ende ({}) liegen.",
            slot.from.strftime("%H:%M"),
            slot.to.strftime("%H:%M")
        ));
    }
    if slot.date.to_datetime(slot.from) < quarter_of(now) {
        return bad(format!(
            "{} am {} liegt in der Vergangenheit.",
            slot.clock(),
            GermanDate(slot.date)
        ));
    }
    if slot.date > add_days(now.date(), HORIZON_DAYS) {
        return bad(format!(
            "Räume können höchstens {HORIZON_DAYS} Tage im Voraus gebucht werden."
        ));
    }
    Ok(())
}

/// The first of `held` (bookings of the same room that still hold, with their ids) that
/// `slot` overlaps.
pub fn first_overlap<'a, I>(held: I, slot: &Slot) -> Option<i64>
where
    I: IntoIterator<Item = (i64, &'a Slot)>,
{
    held.into_iter()
        .find(|(_, other)| other.overlaps(slot))
        .map(|(id, _)| id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};
    use proptest::prelude::*;

    fn slot(from: (i8, i8), to: (i8, i8)) -> Slot {
        Slot {
            date: date(2026, 12, 8),
            from: time(from.0, from.1, 0, 0),
            to: time(to.0, to.1, 0, 0),
        }
    }

    fn now() -> DateTime {
        date(2026, 12, 8).at(9, 20, 0, 0)
    }

    #[test]
    fn touching_is_not_overlapping() {
        assert!(!slot((9, 0), (10, 0)).overlaps(&slot((10, 0), (11, 0))));
        assert!(slot((9, 0), (10, 15)).overlaps(&slot((10, 0), (11, 0))));
        assert!(slot((9, 0), (12, 0)).overlaps(&slot((10, 0), (11, 0))));
        let mut other_day = slot((9, 0), (12, 0));
        other_day.date = date(2026, 12, 9);
        assert!(!other_day.overlaps(&slot((9, 0), (12, 0))));
    }

    #[test]
    fn quarter_hours_forwards_and_not_in_the_past() {
        assert!(
            check_slot(&slot((9, 15), (10, 30)), now()).is_ok(),
            "the quarter under way"
        );
        assert!(
            check_slot(&slot((9, 0), (10, 0)), now()).is_err(),
            "began before the quarter"
        );
        assert!(
            check_slot(&slot((10, 5), (11, 0)), now()).is_err(),
            "not on the grid"
        );
        assert!(check_slot(&slot((11, 0), (11, 0)), now()).is_err(), "empty");
        assert!(
            check_slot(&slot((12, 0), (11, 0)), now()).is_err(),
            "backwards"
        );
        let mut far = slot((9, 30), (10, 0));
        far.date = add_days(now().date(), HORIZON_DAYS + 1);
        assert!(check_slot(&far, now()).is_err(), "too far ahead");
        far.date = add_days(now().date(), HORIZON_DAYS);
        assert!(check_slot(&far, now()).is_ok());
    }

    #[test]
    fn the_first_overlap_is_named() {
        let a = slot((9, 0), (10, 0));
        let b = slot((10, 0), (11, 0));
        let held = [(1, &a), (2, &b)];
        assert_eq!(first_overlap(held, &slot((10, 30), (11, 30))), Some(2));
        assert_eq!(first_overlap(held, &slot((11, 0), (12, 0))), None);
    }

    fn any_slot() -> impl Strategy<Value = Slot> {
        (0i8..96, 1i8..=16).prop_map(|(start, len)| {
            let from = i32::from(start) * 15;
            let to = (from + i32::from(len) * 15).min(23 * 60 + 45);
            let t = |m: i32| time((m / 60) as i8, (m % 60) as i8, 0, 0);
            Slot {
                date: date(2026, 12, 8),
                from: t(from),
                to: t(to.max(from)),
            }
        })
    }

    proptest! {
        /// Booking greedily with the overlap check never leaves two holding bookings of a
        /// room that share a moment, and overlap is symmetric.
        #[test]
        fn accepted_bookings_never_share_a_moment(asked in proptest::collection::vec(any_slot(), 1..40)) {
            let mut held: Vec<(i64, Slot)> = Vec::new();
            for (i, s) in asked.iter().enumerate() {
                if s.from >= s.to { continue; }
                if first_overlap(held.iter().map(|(id, s)| (*id, s)), s).is_none() {
                    held.push((i as i64, *s));
                }
            }
            for (i, (_, a)) in held.iter().enumerate() {
                for (_, b) in &held[i + 1..] {
                    prop_assert!(!a.overlaps(b));
                    prop_assert_eq!(a.overlaps(b), b.overlaps(a));
                }
            }
        }
    }
}
