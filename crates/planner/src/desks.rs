//! Desk and room bookings by the day or half-day: the conflict check (no space twice for
//! the same time, and optionally no person in two places at once), check-in, and the
//! release of bookings nobody checked in to by a configurable time of day — a function
//! of the bookings and "now", with the next release time returned as a deadline.
//!
//! The store keeps the guarantee under concurrent bookings (one row per half-day, a
//! unique index, see [`DayPart::halves`]); this is the rule it enforces.

use crate::calendar::DayPart;
use crate::error::PlannerError;
use crate::ids::{BookingId, PersonId, SpaceId};
use jiff::civil::{Date, DateTime, Time};

/// Where a booking stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BookingState {
    /// Booked, not yet checked in.
    Booked,
    /// Checked in (by the QR code on the desk or in the app).
    CheckedIn,
    /// Released because nobody checked in in time.
    Released,
    /// Cancelled by the person.
    Cancelled,
}

/// A booking.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Booking {
    /// Which.
    pub id: BookingId,
    /// The desk or room.
    pub space: SpaceId,
    /// Who.
    pub person: PersonId,
    /// The day.
    pub date: Date,
    /// Which part of it.
    pub part: DayPart,
    /// Where it stands.
    pub state: BookingState,
}

impl Booking {
    /// Whether it still holds the space.
    pub fn holds(&self) -> bool {
        matches!(self.state, BookingState::Booked | BookingState::CheckedIn)
    }
}

/// A booking asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BookingRequest {
    /// The desk or room.
    pub space: SpaceId,
    /// Who.
    pub person: PersonId,
    /// The day.
    pub date: Date,
    /// Which part of it.
    pub part: DayPart,
}

/// Checks `request` against `existing` bookings of the same kind of space (desks with
/// desks, rooms with rooms): the space must be free for the whole part asked for, and
/// with `one_per_person` the person must not hold another space at that time.
pub fn check_request(
    existing: &[Booking],
    request: &BookingRequest,
    one_per_person: bool,
) -> Result<(), PlannerError> {
    let overlapping = existing
        .iter()
        .filter(|b| b.holds() && b.date == request.date && b.part.overlaps(request.part));
    for booking in overlapping {
        if booking.space == request.space {
            return Err(PlannerError::SpaceTaken {
                space: request.space,
                date: request.date,
                part: request.part,
                by: booking.id,
            });
        }
        if one_per_person && booking.person == request.person {
            return Err(PlannerError::PersonAlreadyBooked {
                date: request.date,
                booking: booking.id,
            });
        }
    }
    Ok(())
}

/// Why a desk in a team's zone cannot be booked, in German for the person booking.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ZoneRefused(pub String);

/// Team zones: a desk in a unit's zone belongs to that team. Its members (`in_team`: the
/// person's unit is the zone's unit or one below it) book it any day; others only on the
/// day itself (`day == today`), when whatever the team left free that morning is
/// everyone's. Desks outside any zone (`zone` is `None`) are everyone's.
pub fn zone_allows(
    zone: Option<&str>,
    in_team: bool,
    day: Date,
    today: Date,
) -> Result<(), ZoneRefused> {
    match zone {
        Some(unit) if !in_team && day != today => Err(ZoneRefused(format!(
            "Der Platz gehört zur Teamzone von {unit}. Andere können ihn nur am selben \
             Tag buchen, wenn er dann noch frei ist."
        ))),
        _ => Ok(()),
    }
}

/// When unchecked bookings are released: by `morning_by` for bookings that include the
/// morning, by `afternoon_by` for afternoon bookings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReleasePolicy {
    /// E.g. 10:00.
    pub morning_by: Time,
    /// E.g. 14:00.
    pub afternoon_by: Time,
}

impl ReleasePolicy {
    /// The last moment to check in to `booking`; from then on it is released.
    pub fn deadline(&self, booking: &Booking) -> DateTime {
        let time = match booking.part {
            DayPart::Whole | DayPart::Morning => self.morning_by,
            DayPart::Afternoon => self.afternoon_by,
        };
        booking.date.to_datetime(time)
    }
}

/// The bookings to release at `now`: not checked in, deadline reached.
pub fn due_for_release(
    bookings: &[Booking],
    policy: &ReleasePolicy,
    now: DateTime,
) -> Vec<BookingId> {
    bookings
        .iter()
        .filter(|b| b.state == BookingState::Booked && policy.deadline(b) <= now)
        .map(|b| b.id)
        .collect()
}

/// The next moment after `now` a booking falls due for release, like `poll_timeout`.
pub fn next_release(
    bookings: &[Booking],
    policy: &ReleasePolicy,
    now: DateTime,
) -> Option<DateTime> {
    bookings
        .iter()
        .filter(|b| b.state == BookingState::Booked)
        .map(|b| policy.deadline(b))
        .filter(|deadline| *deadline > now)
        .min()
}

/// Whether `person` may check in to `booking` at `now`: their own booking, for today,
/// still held, and before its release deadline. Checking in twice is fine.
pub fn check_in(
    booking: &Booking,
    person: PersonId,
    now: DateTime,
    policy: &ReleasePolicy,
) -> Result<(), PlannerError> {
    if booking.person != person {
        return Err(PlannerError::CheckIn("Die Buchung gehört jemand anderem."));
    }
    match booking.state {
        BookingState::CheckedIn => return Ok(()),
        BookingState::Released => {
            return Err(PlannerError::CheckIn(
                "Die Buchung wurde bereits freigegeben.",
            ))
        }
        BookingState::Cancelled => return Err(PlannerError::CheckIn("Die Buchung ist storniert.")),
        BookingState::Booked => {}
    }
    if booking.date != now.date() {
        return Err(PlannerError::CheckIn(
            "Die Buchung gilt für einen anderen Tag.",
        ));
    }
    if policy.deadline(booking) <= now {
        return Err(PlannerError::CheckIn(
            "Die Zeit zum Einchecken ist abgelaufen.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};
    use proptest::prelude::*;

    fn booking(id: i64, space: i64, person: i64, part: DayPart) -> Booking {
        Booking {
            id: BookingId(id),
            space: SpaceId(space),
            person: PersonId(person),
            date: date(2025, 3, 3),
            part,
            state: BookingState::Booked,
        }
    }

    fn request(space: i64, person: i64, part: DayPart) -> BookingRequest {
        BookingRequest {
            space: SpaceId(space),
            person: PersonId(person),
            date: date(2025, 3, 3),
            part,
        }
    }

    fn policy() -> ReleasePolicy {
        ReleasePolicy {
            morning_by: time(10, 0, 0, 0),
            afternoon_by: time(14, 0, 0, 0),
        }
    }

    #[test]
    fn a_space_is_never_booked_twice_for_the_same_time() {
        let existing = vec![booking(1, 7, 1, DayPart::Morning)];
        assert!(check_request(&existing, &request(7, 2, DayPart::Afternoon), true).is_ok());
        let err = check_request(&existing, &request(7, 2, DayPart::Whole), true).unwrap_err();
        assert_eq!(
            err,
            PlannerError::SpaceTaken {
                space: SpaceId(7),
                date: date(2025, 3, 3),
                part: DayPart::Whole,
                by: BookingId(1)
            }
        );
        assert_eq!(
            err.to_string(),
            "Platz 7 ist am Mo, 03.03.2025 ganztägig bereits gebucht."
        );
        let err = check_request(&existing, &request(8, 1, DayPart::Morning), true).unwrap_err();
        assert!(matches!(err, PlannerError::PersonAlreadyBooked { .. }));
        assert!(check_request(&existing, &request(8, 1, DayPart::Morning), false).is_ok());
        let mut released = existing.clone();
        released[0].state = BookingState::Released;
        assert!(check_request(&released, &request(7, 2, DayPart::Whole), true).is_ok());
    }

    #[test]
    fn unchecked_bookings_are_released_after_the_deadline() {
        let mut bookings = vec![
            booking(1, 1, 1, DayPart::Whole),
            booking(2, 2, 2, DayPart::Afternoon),
            booking(3, 3, 3, DayPart::Morning),
        ];
        bookings[2].state = BookingState::CheckedIn;
        let at = |h, m| date(2025, 3, 3).at(h, m, 0, 0);
        assert_eq!(due_for_release(&bookings, &policy(), at(9, 59)), vec![]);
        assert_eq!(
            next_release(&bookings, &policy(), at(9, 59)),
            Some(at(10, 0))
        );
        assert_eq!(
            due_for_release(&bookings, &policy(), at(10, 0)),
            vec![BookingId(1)]
        );
        assert_eq!(
            next_release(&bookings, &policy(), at(10, 0)),
            Some(at(14, 0))
        );
        assert_eq!(
            due_for_release(&bookings, &policy(), at(14, 0)),
            vec![BookingId(1), BookingId(2)]
        );
        assert_eq!(next_release(&bookings, &policy(), at(14, 0)), None);
    }

    #[test]
    fn check_in_rules() {
        let b = booking(1, 1, 1, DayPart::Whole);
        let at = |h| date(2025, 3, 3).at(h, 0, 0, 0);
        assert!(check_in(&b, PersonId(1), at(8), &policy()).is_ok());
        assert!(check_in(&b, PersonId(2), at(8), &policy()).is_err());
        assert!(check_in(&b, PersonId(1), at(10), &policy()).is_err());
        assert!(check_in(&b, PersonId(1), date(2025, 3, 2).at(8, 0, 0, 0), &policy()).is_err());
        let mut done = b.clone();
        done.state = BookingState::CheckedIn;
        assert!(check_in(&done, PersonId(1), at(16), &policy()).is_ok());
    }

    fn part() -> impl Strategy<Value = DayPart> {
        prop_oneof![
            Just(DayPart::Whole),
            Just(DayPart::Morning),
            Just(DayPart::Afternoon)
        ]
    }

    proptest! {
        /// Whatever is asked in whatever order, what is accepted never overlaps.
        #[test]
        fn accepted_bookings_never_overlap(
            requests in proptest::collection::vec((0i64..4, 0i64..6, 0i64..2, part()), 1..60),
            one_per_person in any::<bool>(),
        ) {
            let mut accepted: Vec<Booking> = Vec::new();
            for (i, (space, person, day, part)) in requests.into_iter().enumerate() {
                let request = BookingRequest {
                    space: SpaceId(space),
                    person: PersonId(person),
                    date: date(2025, 3, 3 + day as i8),
                    part,
                };
                let free = !accepted.iter().any(|b| {
                    b.space == request.space && b.date == request.date && b.part.overlaps(part)
                });
                let person_free = !one_per_person || !accepted.iter().any(|b| {
                    b.person == request.person && b.date == request.date && b.part.overlaps(part)
                });
                let result = check_request(&accepted, &request, one_per_person);
                prop_assert_eq!(result.is_ok(), free && person_free);
                if result.is_ok() {
                    accepted.push(Booking {
                        id: BookingId(i as i64),
                        space: request.space,
                        person: request.person,
                        date: request.date,
                        part,
                        state: BookingState::Booked,
                    });
                }
            }
            for (i, a) in accepted.iter().enumerate() {
                for b in &accepted[i + 1..] {
                    let same_time = a.date == b.date && a.part.overlaps(b.part);
                    prop_assert!(!(same_time && a.space == b.space));
                }
            }
        }
    }

    #[test]
    fn a_team_zone_is_the_team_s_and_everyone_s_on_the_day() {
        let today = jiff::civil::date(2026, 12, 7);
        let tomorrow = jiff::civil::date(2026, 12, 8);
        assert!(zone_allows(None, false, tomorrow, today).is_ok());
        assert!(zone_allows(Some("Bauamt"), true, tomorrow, today).is_ok());
        assert!(zone_allows(Some("Bauamt"), false, today, today).is_ok());
        let refused = zone_allows(Some("Bauamt"), false, tomorrow, today).unwrap_err();
        assert!(
            refused.to_string().contains("Teamzone von Bauamt"),
            "{refused}"
        );
    }
}
