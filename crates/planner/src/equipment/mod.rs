//! The pool of scarce equipment (headsets, cameras, laptops, mobile phones, …): what an
//! item is and where it stands, who holds it for which days (`schedule`: loans and
//! reservations, never two overlapping for one item), and who waits for a kind when none
//! is free (`waiting`: first come, first served, and the offer of an item that comes
//! back).
//!
//! Pure like the rest of the planner: today and the store's rows come in as arguments,
//! a decision or a refusal with its German reason goes out. The store keeps the
//! guarantee under concurrent requests by asking this check inside one write transaction
//! per item (see `store::mobile_work::equipment`).
//!
//! ```
//! use jiff::civil::date;
//! use planner::equipment::{check_loan, Claim, ClaimKind, DateRange, ItemId, ItemState};
//! use planner::ids::PersonId;
//!
//! let today = date(2025, 3, 3);
//! // Ben reserved the camera for Wednesday and Thursday.
//! let ben = Claim {
//!     id: 1,
//!     item: ItemId(7),
//!     person: PersonId(2),
//!     range: DateRange::new(date(2025, 3, 5), date(2025, 3, 6))?,
//!     kind: ClaimKind::Reservation { offered: false },
//! };
//! // Anna may borrow it until Tuesday, not until Friday.
//! let until_tuesday = check_loan(ItemState::Available, &[ben.clone()], PersonId(1), today, date(2025, 3, 4))?;
//! assert!(until_tuesday.consumes.is_empty());
//! let err = check_loan(ItemState::Available, &[ben], PersonId(1), today, date(2025, 3, 7)).unwrap_err();
//! assert!(err.to_string().contains("reserviert"));
//! # Ok::<(), planner::equipment::EquipmentError>(())
//! ```

mod schedule;
mod waiting;

pub use schedule::{
    check_loan, check_reservation, free_for, is_overdue, reminder_due, Claim, ClaimKind, DateRange,
    LoanPlan, MAX_DAYS_AHEAD, MAX_LOAN_DAYS, MAX_OPEN_RESERVATIONS, MAX_RESERVATION_DAYS,
};
pub use waiting::{check_join, offers, position, Offer, WaitingEntry, OFFER_DAYS};

use crate::calendar::GermanDate;
use crate::ids::PersonId;
use jiff::civil::Date;

/// One item of the pool (its store row id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemId(pub i64);

/// What kind of equipment an item is; the waiting lists are per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// A headset.
    Headset,
    /// A (web) camera.
    Camera,
    /// A laptop.
    Laptop,
    /// A mobile phone.
    MobilePhone,
    /// Anything else.
    Other,
}

impl Kind {
    /// Every kind, in the order pages list them.
    pub const ALL: [Kind; 5] = [
        Kind::Headset,
        Kind::Camera,
        Kind::Laptop,
        Kind::MobilePhone,
        Kind::Other,
    ];

    /// The key the API and the store use.
    pub fn key(self) -> &'static str {
        match self {
            Kind::Headset => "headset",
            Kind::Camera => "camera",
            Kind::Laptop => "laptop",
            Kind::MobilePhone => "mobile_phone",
            Kind::Other => "other",
        }
    }

    /// The kind of a key.
    pub fn parse(key: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// The German name.
    pub fn german(self) -> &'static str {
        match self {
            Kind::Headset => "Headset",
            Kind::Camera => "Kamera",
            Kind::Laptop => "Laptop",
            Kind::MobilePhone => "Mobiltelefon",
            Kind::Other => "Sonstiges Gerät",
        }
    }
}

/// Where an item stands as a whole (its reservations are [`Claim`]s beside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemState {
    /// In the pool.
    Available,
    /// Lent to someone until a due day (it may be overdue).
    Lent {
        /// Who has it.
        person: PersonId,
        /// The day it is due back.
        due: Date,
    },
    /// Out of the pool for good (broken, lost, replaced); its history stays.
    Retired,
}

/// Why a step with equipment is refused. The texts are German, for the person asking.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EquipmentError {
    /// The item is no longer in the pool.
    #[error("Das Gerät ist ausgemustert.")]
    Retired,
    /// The item is lent out.
    #[error("Das Gerät ist bis {} verliehen.", GermanDate(*due))]
    Lent {
        /// Its due day.
        due: Date,
        /// Whether to the person asking.
        to_you: bool,
    },
    /// Someone holds the item for (some of) the days asked for.
    #[error("Das Gerät ist vom {} bis {} {}.", GermanDate(range.first), GermanDate(range.last),
        if *loan { "verliehen" } else { "reserviert" })]
    Taken {
        /// The claim in the way.
        claim: i64,
        /// Its days.
        range: DateRange,
        /// A loan (else a reservation).
        loan: bool,
    },
    /// The item is not lent, so it cannot come back.
    #[error("Das Gerät ist nicht verliehen.")]
    NotLent,
    /// The last day is before the first.
    #[error("Der letzte Tag ({}) liegt vor dem ersten ({}).", GermanDate(*last), GermanDate(*first))]
    Backwards {
        /// The first day.
        first: Date,
        /// The last day.
        last: Date,
    },
    /// A day in the past.
    #[error("Der {} liegt in der Vergangenheit.", GermanDate(*day))]
    Past {
        /// The day.
        day: Date,
    },
    /// Longer than allowed.
    #[error("Höchstens {max} Tage am Stück.")]
    TooLong {
        /// The most days.
        max: i64,
    },
    /// The person already waits for this kind.
    #[error("Sie stehen schon auf der Warteliste für {}.", kind.german())]
    AlreadyWaiting {
        /// The kind.
        kind: Kind,
    },
    /// The reservation would start too far ahead.
    #[error("Reservierungen können höchstens {max} Tage im Voraus beginnen.")]
    TooFarAhead {
        /// The most days ahead.
        max: i64,
    },
    /// The person holds the most open reservations already.
    #[error("Sie haben schon {max} offene Reservierungen; mehr sind nicht möglich.")]
    TooMany {
        /// The most open reservations.
        max: usize,
    },
    /// An item of the kind is free: reserve it instead of waiting.
    #[error("Es ist ein Gerät der Art {} frei; bitte reservieren Sie es, statt zu warten.", kind.german())]
    OneIsFree {
        /// The kind.
        kind: Kind,
    },
}

impl EquipmentError {
    /// A stable code for clients (`retired`, `lent`, `taken`, `not_lent`, `backwards`,
    /// `past`, `too_long`, `already_waiting`, `one_is_free`, `too_far_ahead`, `too_many`).
    pub fn code(&self) -> &'static str {
        match self {
            EquipmentError::Retired => "retired",
            EquipmentError::Lent { .. } => "lent",
            EquipmentError::Taken { .. } => "taken",
            EquipmentError::NotLent => "not_lent",
            EquipmentError::Backwards { .. } => "backwards",
            EquipmentError::Past { .. } => "past",
            EquipmentError::TooLong { .. } => "too_long",
            EquipmentError::AlreadyWaiting { .. } => "already_waiting",
            EquipmentError::OneIsFree { .. } => "one_is_free",
            EquipmentError::TooFarAhead { .. } => "too_far_ahead",
            EquipmentError::TooMany { .. } => "too_many",
        }
    }
}
