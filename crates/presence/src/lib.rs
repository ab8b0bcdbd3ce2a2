//! Presence, watches, chat rules and fan-out for Durchwahl. Pure: no sockets, no clocks,
//! no SQL. Times come in as Unix milliseconds; the shells in `web` and `server` feed the
//! [`Hub`] and deliver what it returns.
#![deny(missing_docs)]

pub mod chat_text;
pub mod duty;
pub mod flood;
pub mod hub;
pub mod merge;
pub mod privacy;
pub mod room_rules;
pub mod state;

pub use duty::Duty;
pub use flood::{FloodGuard, Verdict, WindowBudget};
pub use hub::{ConnId, Entry, Event, Hub, PersonId};
pub use merge::Signals;
pub use privacy::{Audience, Privacy, View};
pub use room_rules::{Actor, RoomFacts, RoomKind};
pub use state::{Location, Manual, State};

/// Why a presence or chat request is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PresenceError {
    /// Not a presence state.
    #[error("unknown presence state {0:?}")]
    UnknownState(String),
    /// Not a work location.
    #[error("unknown location {0:?}")]
    UnknownLocation(String),
    /// Not an audience for privacy settings.
    #[error("unknown audience {0:?}: expected organisation, unit or nobody")]
    UnknownAudience(String),
    /// Calls and meetings set this state, not people.
    #[error("{0:?} is set by calls and meetings, not by hand")]
    NotManual(State),
    /// The status note is too long.
    #[error("the note is longer than {max} characters")]
    NoteTooLong {
        /// The limit.
        max: usize,
    },
    /// The status note holds control characters.
    #[error("the note contains control characters")]
    NoteControlCharacters,
    /// `until` is not in the future.
    #[error("until must be in the future")]
    UntilInPast,
    /// A message without text or file.
    #[error("the message is empty")]
    EmptyMessage,
    /// A message over the limit.
    #[error("the message is longer than {max} characters")]
    MessageTooLong {
        /// The limit.
        max: usize,
    },
    /// A message with control characters.
    #[error("the message contains control characters")]
    MessageControlCharacters,
    /// A room name that is empty, too long or holds control characters.
    #[error("a room name needs 1 to {max} characters without control characters")]
    RoomName {
        /// The limit.
        max: usize,
    },
    /// A room name holding a character that changes how it is shown without being seen
    /// (`directory::display_text::is_hidden`).
    #[error("the room name contains the invisible character {0}, which can make it display as something else; remove it")]
    RoomNameHidden(directory::display_text::HiddenChar),
    /// Not a member of the room.
    #[error("not a member of this room")]
    NotMember,
    /// Only administrators manage this room.
    #[error("only administrators manage this room's members")]
    AdminOnly,
    /// Direct and unit rooms have fixed members.
    #[error("this room's members are fixed")]
    FixedMembers,
    /// Members may only remove themselves.
    #[error("members may leave, not remove others")]
    OnlyLeave,
    /// Only the author may change a message.
    #[error("only the author may change a message")]
    NotAuthor,
    /// A deleted message stays deleted.
    #[error("the message is deleted")]
    MessageDeleted,
}
