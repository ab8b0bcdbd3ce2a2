//! Who holds an item on which days: loans (from the day lent to the day due, and past it
//! until the item is back) and reservations (a range of days ahead). For one item no two
//! of them ever overlap; lending converts the borrower's own reservation for those days
//! and is refused over anyone else's.

use super::{EquipmentError, ItemId, ItemState};
use crate::ids::PersonId;
use jiff::civil::Date;
use jiff::ToSpan;

/// The longest reservation, in days (a pool is for sharing).
pub const MAX_RESERVATION_DAYS: i64 = 30;

/// How far ahead a reservation may start, in days: the pool is for the coming weeks, not
/// for holding devices the whole year.
pub const MAX_DAYS_AHEAD: i64 = 90;

/// How many open reservations (not yet over, of any item) one person may hold, so that
/// nobody can reserve a whole kind away.
pub const MAX_OPEN_RESERVATIONS: usize = 3;
/// The longest loan, in days from today to the due day.
pub const MAX_LOAN_DAYS: i64 = 365;

/// Days from `first` to `last`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateRange {
    /// The first day.
    pub first: Date,
    /// The last day (not before the first).
    pub last: Date,
}

impl DateRange {
    /// The range, or [`EquipmentError::Backwards`].
    pub fn new(first: Date, last: Date) -> Result<DateRange, EquipmentError> {
        if last < first {
            return Err(EquipmentError::Backwards { first, last });
        }
        Ok(DateRange { first, last })
    }

    /// Whether the two share a day.
    pub fn overlaps(&self, other: &DateRange) -> bool {
        self.first <= other.last && other.first <= self.last
    }

    /// How many days it has.
    pub fn days(&self) -> i64 {
        i64::from((self.last - self.first).get_days()) + 1
    }
}

/// What a claim on an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClaimKind {
    /// It is lent (not yet returned); the range ends on the due day.
    Loan,
    /// It is reserved for those days.
    Reservation {
        /// Offered to the first on the waiting list when it came back (else asked for).
        offered: bool,
    },
}

/// A loan not yet returned, or a reservation not cancelled, of one item.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Claim {
    /// The loan's or reservation's id.
    pub id: i64,
    /// The item.
    pub item: ItemId,
    /// Who.
    pub person: PersonId,
    /// Its days.
    pub range: DateRange,
    /// Loan or reservation.
    pub kind: ClaimKind,
}

impl Claim {
    /// The days it keeps the item from others as of `today`: an overdue loan keeps it
    /// until it is back, so at least until today.
    pub fn held(&self, today: Date) -> DateRange {
        match self.kind {
            ClaimKind::Loan => DateRange {
                first: self.range.first,
                last: self.range.last.max(today),
            },
            ClaimKind::Reservation { .. } => self.range,
        }
    }

    fn is_loan(&self) -> bool {
        self.kind == ClaimKind::Loan
    }

    fn taken(&self, today: Date) -> EquipmentError {
        EquipmentError::Taken {
            claim: self.id,
            range: self.held(today),
            loan: self.is_loan(),
        }
    }
}

/// Whether `person` may reserve the item for `range` as of `today`: the range starts
/// today or later and is at most [`MAX_RESERVATION_DAYS`] long, the item is in the pool,
/// and no loan or reservation of it (theirs included) shares a day with it. `claims` are
/// the item's open loans and reservations.
pub fn check_reservation(
    state: ItemState,
    claims: &[Claim],
    range: DateRange,
    today: Date,
) -> Result<(), EquipmentError> {
    if range.first < today {
        return Err(EquipmentError::Past { day: range.first });
    }
    if range.days() > MAX_RESERVATION_DAYS {
        return Err(EquipmentError::TooLong {
            max: MAX_RESERVATION_DAYS,
        });
    }
    if (range.first - today).get_days() as i64 > MAX_DAYS_AHEAD {
        return Err(EquipmentError::TooFarAhead {
            max: MAX_DAYS_AHEAD,
        });
    }
    if state == ItemState::Retired {
        return Err(EquipmentError::Retired);
    }
    match claims.iter().find(|c| c.held(today).overlaps(&range)) {
        Some(claim) => Err(claim.taken(today)),
        None => Ok(()),
    }
}

/// Whether the item is free for every day of `range` (in the pool, nobody holds it then).
pub fn free_for(state: ItemState, claims: &[Claim], range: DateRange, today: Date) -> bool {
    state != ItemState::Retired && !claims.iter().any(|c| c.held(today).overlaps(&range))
}

/// A loan the planner allows: its days, and the borrower's own reservations it takes
/// the place of (the store ends them in the same transaction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoanPlan {
    /// From today to the due day.
    pub range: DateRange,
    /// The borrower's reservations within those days.
    pub consumes: Vec<i64>,
}

/// Whether the item may be lent to `person` from `today` until `due`: the item is in
/// the pool and not lent, the due day is today or later (at most [`MAX_LOAN_DAYS`]), and
/// nobody else reserved it for any of those days. The borrower's own reservations
/// within them are picked up by the loan.
pub fn check_loan(
    state: ItemState,
    claims: &[Claim],
    person: PersonId,
    today: Date,
    due: Date,
) -> Result<LoanPlan, EquipmentError> {
    if due < today {
        return Err(EquipmentError::Past { day: due });
    }
    let range = DateRange::new(today, due)?;
    if range.days() > MAX_LOAN_DAYS + 1 {
        return Err(EquipmentError::TooLong { max: MAX_LOAN_DAYS });
    }
    match state {
        ItemState::Retired => return Err(EquipmentError::Retired),
        ItemState::Lent { person: to, due } => {
            return Err(EquipmentError::Lent {
                due,
                to_you: to == person,
            })
        }
        ItemState::Available => {}
    }
    let mut consumes = Vec::new();
    for claim in claims.iter().filter(|c| c.held(today).overlaps(&range)) {
        match claim.kind {
            ClaimKind::Reservation { .. } if claim.person == person => consumes.push(claim.id),
            _ => return Err(claim.taken(today)),
        }
    }
    Ok(LoanPlan { range, consumes })
}

/// Whether a loan due on `due` is overdue on `today`: the due day has passed.
pub fn is_overdue(due: Date, today: Date) -> bool {
    due < today
}

/// Whether to remind the borrower today: overdue, and not yet reminded today (at most
/// one reminder per loan and day).
pub fn reminder_due(due: Date, last_reminded: Option<Date>, today: Date) -> bool {
    is_overdue(due, today) && last_reminded.is_none_or(|day| day < today)
}

/// `day` moved by `days`.
pub(super) fn plus(day: Date, days: i64) -> Date {
    day.saturating_add(days.days())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn day(d: i8) -> Date {
        date(2025, 3, d)
    }

    fn range(a: i8, b: i8) -> DateRange {
        DateRange::new(day(a), day(b)).unwrap()
    }

    fn claim(id: i64, person: i64, a: i8, b: i8, kind: ClaimKind) -> Claim {
        Claim {
            id,
            item: ItemId(1),
            person: PersonId(person),
            range: range(a, b),
            kind,
        }
    }

    const RESERVED: ClaimKind = ClaimKind::Reservation { offered: false };

    #[test]
    fn reservations_never_share_a_day() {
        let claims = [claim(1, 2, 5, 6, RESERVED)];
        let ok = |r| check_reservation(ItemState::Available, &claims, r, day(3));
        assert!(ok(range(3, 4)).is_ok());
        assert!(ok(range(7, 9)).is_ok());
        let err = ok(range(4, 5)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Das Gerät ist vom Mi, 05.03.2025 bis Do, 06.03.2025 reserviert."
        );
        assert_eq!(err.code(), "taken");
        assert_eq!(
            ok(range(2, 3)).unwrap_err(),
            EquipmentError::Past { day: day(2) }
        );
        assert_eq!(
            DateRange::new(day(5), day(4)).unwrap_err().code(),
            "backwards"
        );
        assert_eq!(ok(range(3, 3)).map(|_| range(3, 3).days()), Ok(1));
        let long = DateRange::new(day(3), plus(day(3), MAX_RESERVATION_DAYS)).unwrap();
        assert_eq!(ok(long).unwrap_err().code(), "too_long");
        let last_ahead = plus(day(3), MAX_DAYS_AHEAD);
        let ahead = |first| DateRange::new(first, first).unwrap();
        assert!(ok(ahead(last_ahead)).is_ok());
        assert_eq!(
            ok(ahead(plus(last_ahead, 1))).unwrap_err().code(),
            "too_far_ahead"
        );
        assert_eq!(
            check_reservation(ItemState::Retired, &[], range(3, 3), day(3)),
            Err(EquipmentError::Retired)
        );
    }

    #[test]
    fn an_overdue_loan_holds_the_item_until_it_is_back() {
        let loan = claim(1, 2, 1, 3, ClaimKind::Loan);
        let claims = [loan.clone()];
        // On the 5th the loan is two days overdue: today is held, tomorrow is not.
        assert!(!free_for(
            ItemState::Available,
            &claims,
            range(5, 5),
            day(5)
        ));
        assert!(free_for(ItemState::Available, &claims, range(6, 6), day(5)));
        assert_eq!(loan.held(day(5)), range(1, 5));
        assert!(is_overdue(day(3), day(4)));
        assert!(!is_overdue(day(3), day(3)));
    }

    #[test]
    fn lending_picks_up_own_reservations_and_respects_others() {
        let claims = [claim(1, 1, 3, 4, RESERVED), claim(2, 2, 8, 9, RESERVED)];
        let plan = check_loan(ItemState::Available, &claims, PersonId(1), day(3), day(7)).unwrap();
        assert_eq!(plan.consumes, vec![1]);
        assert_eq!(plan.range, range(3, 7));
        let err =
            check_loan(ItemState::Available, &claims, PersonId(1), day(3), day(8)).unwrap_err();
        assert!(matches!(
            err,
            EquipmentError::Taken {
                claim: 2,
                loan: false,
                ..
            }
        ));
        let err =
            check_loan(ItemState::Available, &claims, PersonId(2), day(3), day(3)).unwrap_err();
        assert!(
            matches!(err, EquipmentError::Taken { claim: 1, .. }),
            "{err}"
        );
        let lent = ItemState::Lent {
            person: PersonId(1),
            due: day(7),
        };
        assert_eq!(
            check_loan(lent, &[], PersonId(2), day(3), day(4)),
            Err(EquipmentError::Lent {
                due: day(7),
                to_you: false
            })
        );
        assert_eq!(
            check_loan(ItemState::Available, &[], PersonId(2), day(3), day(2)),
            Err(EquipmentError::Past { day: day(2) })
        );
    }

    #[test]
    fn one_reminder_a_day_once_overdue() {
        assert!(!reminder_due(day(5), None, day(5)));
        assert!(reminder_due(day(5), None, day(6)));
        assert!(!reminder_due(day(5), Some(day(6)), day(6)));
        assert!(reminder_due(day(5), Some(day(6)), day(7)));
    }

    #[derive(Debug, Clone)]
    enum Step {
        Reserve {
            item: i64,
            person: i64,
            first: i8,
            len: i8,
        },
        Lend {
            item: i64,
            person: i64,
            len: i8,
        },
        Return {
            item: i64,
        },
        Cancel {
            index: usize,
        },
        NextDay,
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (0i64..2, 0i64..4, 0i8..10, 0i8..5).prop_map(|(item, person, first, len)| {
                Step::Reserve {
                    item,
                    person,
                    first,
                    len,
                }
            }),
            (0i64..2, 0i64..4, 0i8..6).prop_map(|(item, person, len)| Step::Lend {
                item,
                person,
                len
            }),
            (0i64..2).prop_map(|item| Step::Return { item }),
            (0usize..8).prop_map(|index| Step::Cancel { index }),
            Just(Step::NextDay),
        ]
    }

    proptest! {
        /// Whatever is asked in whatever order, over days passing, the days the loans and
        /// reservations of one item were granted for never overlap. (An overdue loan
        /// still keeps the item from a reservation after its due day; that is the
        /// borrower's delay, which the reminders are for, not a double booking.)
        #[test]
        fn claims_of_one_item_never_overlap(steps in proptest::collection::vec(step(), 1..80)) {
            let mut today = day(1);
            let mut claims: Vec<Claim> = Vec::new();
            for (next_id, step) in (1i64..).zip(steps) {
                let of = |claims: &[Claim], item: i64| -> Vec<Claim> {
                    claims.iter().filter(|c| c.item == ItemId(item)).cloned().collect()
                };
                let state = |claims: &[Claim], item: i64| {
                    claims.iter()
                        .find(|c| c.item == ItemId(item) && c.kind == ClaimKind::Loan)
                        .map_or(ItemState::Available, |c| ItemState::Lent { person: c.person, due: c.range.last })
                };
                match step {
                    Step::Reserve { item, person, first, len } => {
                        let first = plus(today, first.into());
                        let r = DateRange::new(first, plus(first, len.into())).unwrap();
                        if check_reservation(state(&claims, item), &of(&claims, item), r, today).is_ok() {
                            claims.push(Claim { id: next_id, item: ItemId(item), person: PersonId(person), range: r, kind: RESERVED });
                        }
                    }
                    Step::Lend { item, person, len } => {
                        let due = plus(today, len.into());
                        if let Ok(plan) = check_loan(state(&claims, item), &of(&claims, item), PersonId(person), today, due) {
                            claims.retain(|c| !plan.consumes.contains(&c.id));
                            claims.push(Claim { id: next_id, item: ItemId(item), person: PersonId(person), range: plan.range, kind: ClaimKind::Loan });
                        }
                    }
                    Step::Return { item } => claims.retain(|c| !(c.item == ItemId(item) && c.kind == ClaimKind::Loan)),
                    Step::Cancel { index } => {
                        if index < claims.len() && claims[index].kind != ClaimKind::Loan {
                            claims.remove(index);
                        }
                    }
                    Step::NextDay => {
                        today = plus(today, 1);
                        // Reservations that are over are no longer claims.
                        claims.retain(|c| c.kind == ClaimKind::Loan || c.range.last >= today);
                    }
                }
                for (i, a) in claims.iter().enumerate() {
                    for b in &claims[i + 1..] {
                        prop_assert!(
                            a.item != b.item || !a.range.overlaps(&b.range),
                            "{a:?} and {b:?} on {today}"
                        );
                    }
                }
            }
        }
    }
}
