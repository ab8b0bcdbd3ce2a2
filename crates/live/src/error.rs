//! What can go wrong in the live runtime, for its shells to map (HTTP status codes,
//! WebSocket error frames, SIP answers). Messages meant for people are German.

use store::StoreError;

/// An error of the live runtime.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// Not a member of that chat room.
    #[error("Sie sind nicht Mitglied dieses Raums.")]
    NotMember,
    /// A rule refuses this; the message says which.
    #[error("{0}")]
    Refused(String),
    /// Nothing there.
    #[error("{0}")]
    NotFound(String),
    /// Bad input; nothing was changed.
    #[error("{0}")]
    BadRequest(String),
    /// The change conflicts with what is stored; nothing was changed.
    #[error("{0}")]
    Conflict(String),
    /// Too fast: try again after this many seconds.
    #[error("too many requests; try again in {0} seconds")]
    TooManyRequests(u64),
    /// Overloaded (a full queue) or stopping: try again later.
    #[error("{0}")]
    Unavailable(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
