//! The waiting list per kind: when no item of a kind is free, a person joins its list;
//! the list is served first come, first served (by the time of joining, then the entry's
//! id). An item that comes back (or whose offer ran out) is offered to the first person
//! waiting for its kind.
//!
//! The offer is a reservation for [`OFFER_DAYS`] days, not a loan: lending is a hand-over
//! that the equipment manager records when the person collects the item, and a loan
//! written before it would show a device as held by someone who does not have it (and
//! remind them of it when overdue). If they do not come within the days, the reservation
//! runs out and the next sweep offers the item to the next in line.

use super::schedule::{free_for, plus, Claim, DateRange};
use super::{EquipmentError, ItemId, ItemState, Kind};
use crate::ids::PersonId;
use jiff::civil::Date;

/// How many days an item that came back is kept for the first person waiting.
pub const OFFER_DAYS: i64 = 3;

/// A person waiting for a kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WaitingEntry {
    /// The entry's id.
    pub id: i64,
    /// Who.
    pub person: PersonId,
    /// For what.
    pub kind: Kind,
    /// When they joined (Unix milliseconds).
    pub since_ms: i64,
}

fn queue(list: &[WaitingEntry], kind: Kind) -> Vec<&WaitingEntry> {
    let mut queue: Vec<&WaitingEntry> = list.iter().filter(|e| e.kind == kind).collect();
    queue.sort_by_key(|e| (e.since_ms, e.id));
    queue
}

/// `person`'s place on the list for `kind` (1: next), if they wait.
pub fn position(list: &[WaitingEntry], person: PersonId, kind: Kind) -> Option<usize> {
    queue(list, kind)
        .iter()
        .position(|e| e.person == person)
        .map(|i| i + 1)
}

/// Whether `person` may join the list for `kind`: not already on it, and no item of
/// the kind is free today (`free_today`: how many are).
pub fn check_join(
    list: &[WaitingEntry],
    person: PersonId,
    kind: Kind,
    free_today: usize,
) -> Result<(), EquipmentError> {
    if position(list, person, kind).is_some() {
        return Err(EquipmentError::AlreadyWaiting { kind });
    }
    if free_today > 0 {
        return Err(EquipmentError::OneIsFree { kind });
    }
    Ok(())
}

/// An item kept for the first person waiting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// The item.
    pub item: ItemId,
    /// For whom.
    pub person: PersonId,
    /// Their waiting entry (it ends with the offer).
    pub entry: i64,
    /// The days it is kept for them: today and the next [`OFFER_DAYS`]` - 1`.
    pub range: DateRange,
}

/// Which free items go to whom on `today`: per kind, the items free for the whole offer
/// (by id) to the people waiting longest, one each. `items` are the pool's items with
/// their kind and state, `claims` every open loan and reservation.
pub fn offers(
    items: &[(ItemId, Kind, ItemState)],
    claims: &[Claim],
    list: &[WaitingEntry],
    today: Date,
) -> Vec<Offer> {
    let range = DateRange {
        first: today,
        last: plus(today, OFFER_DAYS - 1),
    };
    let mut made = Vec::new();
    for kind in Kind::ALL {
        let mut free: Vec<ItemId> = items
            .iter()
            .filter(|(item, k, state)| {
                let own: Vec<Claim> = claims.iter().filter(|c| c.item == *item).cloned().collect();
                *k == kind && free_for(*state, &own, range, today)
            })
            .map(|(item, _, _)| *item)
            .collect();
        free.sort();
        for (item, entry) in free.into_iter().zip(queue(list, kind)) {
            made.push(Offer {
                item,
                person: entry.person,
                entry: entry.id,
                range,
            });
        }
    }
    made
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::equipment::ClaimKind;
    use jiff::civil::date;
    use proptest::prelude::*;

    fn entry(id: i64, person: i64, kind: Kind, since_ms: i64) -> WaitingEntry {
        WaitingEntry {
            id,
            person: PersonId(person),
            kind,
            since_ms,
        }
    }

    #[test]
    fn first_come_first_served_per_kind() {
        let list = [
            entry(1, 1, Kind::Camera, 300),
            entry(2, 2, Kind::Camera, 100),
            entry(3, 3, Kind::Laptop, 50),
            entry(4, 4, Kind::Camera, 100),
        ];
        assert_eq!(position(&list, PersonId(2), Kind::Camera), Some(1));
        assert_eq!(position(&list, PersonId(4), Kind::Camera), Some(2));
        assert_eq!(position(&list, PersonId(1), Kind::Camera), Some(3));
        assert_eq!(position(&list, PersonId(3), Kind::Laptop), Some(1));
        assert_eq!(position(&list, PersonId(3), Kind::Camera), None);
        assert_eq!(
            check_join(&list, PersonId(1), Kind::Camera, 0),
            Err(EquipmentError::AlreadyWaiting { kind: Kind::Camera })
        );
        assert_eq!(
            check_join(&list, PersonId(5), Kind::Headset, 1)
                .unwrap_err()
                .to_string(),
            "Es ist ein Gerät der Art Headset frei; bitte reservieren Sie es, statt zu warten."
        );
        assert!(check_join(&list, PersonId(5), Kind::Camera, 0).is_ok());
    }

    #[test]
    fn a_returned_item_is_kept_for_the_first_in_line() {
        let today = date(2025, 3, 3);
        let items = [
            (ItemId(10), Kind::Camera, ItemState::Available),
            (ItemId(11), Kind::Camera, ItemState::Retired),
            (ItemId(12), Kind::Camera, ItemState::Available),
            (ItemId(20), Kind::Laptop, ItemState::Available),
        ];
        // Camera 12 is reserved from the day after tomorrow: not free for a whole offer.
        let claims = [Claim {
            id: 1,
            item: ItemId(12),
            person: PersonId(9),
            range: DateRange::new(date(2025, 3, 5), date(2025, 3, 5)).unwrap(),
            kind: ClaimKind::Reservation { offered: false },
        }];
        let list = [
            entry(1, 1, Kind::Camera, 300),
            entry(2, 2, Kind::Camera, 100),
        ];
        let made = offers(&items, &claims, &list, today);
        assert_eq!(
            made,
            vec![Offer {
                item: ItemId(10),
                person: PersonId(2),
                entry: 2,
                range: DateRange::new(today, date(2025, 3, 5)).unwrap(),
            }]
        );
    }

    proptest! {
        /// Positions are 1, 2, … in the order of joining, whatever the order of the rows,
        /// and the offers go to the longest waiting, at most one item each.
        #[test]
        fn the_longest_waiting_is_served_first(
            joins in proptest::collection::vec((0i64..6, 0i64..1000), 0..12),
            free in 0usize..4,
        ) {
            let mut list: Vec<WaitingEntry> = Vec::new();
            for (i, (person, since)) in joins.into_iter().enumerate() {
                if check_join(&list, PersonId(person), Kind::Camera, 0).is_ok() {
                    list.push(entry(i as i64, person, Kind::Camera, since));
                }
            }
            let mut by_time = list.clone();
            by_time.sort_by_key(|e| (e.since_ms, e.id));
            for (i, e) in by_time.iter().enumerate() {
                prop_assert_eq!(position(&list, e.person, Kind::Camera), Some(i + 1));
            }
            list.reverse();
            let items: Vec<_> = (0..free as i64).map(|i| (ItemId(i), Kind::Camera, ItemState::Available)).collect();
            let made = offers(&items, &[], &list, date(2025, 3, 3));
            prop_assert_eq!(made.len(), free.min(by_time.len()));
            for (offer, first) in made.iter().zip(&by_time) {
                prop_assert_eq!(offer.person, first.person);
            }
        }
    }
}
