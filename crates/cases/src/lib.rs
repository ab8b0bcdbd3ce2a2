//! The case database behind a hotline (issue 16), pure: the case form an administrator
//! designs per hotline (`form`), the values of a case checked and normalised against it
//! (`values`, with `phone` and `email`), the states a case moves through (`state`), the
//! appointment slots citizens are booked into (`slot`), when closed cases are due for
//! deletion (`retention`) and the spreadsheet export (`export`).
//!
//! No SQL, no clocks, no I/O: the store keeps forms and values as the JSON written here
//! and enforces slot capacity in the database; the time comes in as a parameter (Unix
//! seconds, like the store's `*_at` columns). Every refusal names the field in German,
//! the language of the people who fill in the forms.

#![deny(missing_docs)]

pub mod email;
pub mod export;
pub mod field_error;
pub mod form;
pub mod form_error;
pub mod form_spec;
pub mod normalise;
pub mod phone;
pub mod refusal;
pub mod retention;
pub mod slot;
pub mod state;
pub mod values;

mod german;

pub use email::normalise_email;
pub use field_error::{FieldError, Problem};
pub use form::{Field, FieldKind, FieldSpec, FormDefinition, FormError, FormSpec, KindName};
pub use phone::normalise_phone;
pub use refusal::Refusal;
pub use retention::{cutoff, is_due};
pub use slot::{NewSlot, SlotError};
pub use state::{CaseState, StateChange, TransitionError};
pub use values::{revise, CaseValues, Revision, SlotChange};
