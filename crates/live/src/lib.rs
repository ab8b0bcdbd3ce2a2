//! Durchwahl's runtime without HTTP: what the server keeps alive between requests and
//! shares between its shells (the web API and WebSocket gateway, the SIP service).
//!
//! - [`Live`]: people's presence (the pure [`presence::Hub`]) and its fan-out to open
//!   connections, chat room members, per-person limits, signed-in sessions.
//! - [`chat`]: writing messages (checks, one writer task that acknowledges only what is
//!   stored), the files behind attachments.
//! - [`bus`]: how parts learn what others changed (people's states, devices, forwarding,
//!   the directory) without polling the database.
//! - [`clock`]: the one clock everything asks, fake in tests.
//! - [`provisioning`]: SIP devices with their generated passwords.
//!
//! Nothing here knows HTTP: the frames clients get are rendered by the shell through
//! [`Frames`], errors are [`LiveError`] for the shell to map.
#![deny(missing_docs)]

pub mod bus;
pub mod calls;
pub mod chat;
pub mod clock;
pub mod config;
pub mod connections;
mod error;
pub mod frames;
pub mod hotlines;
mod limits;
mod live;
mod people;
pub mod provisioning;
pub mod sessions;
mod settings;
pub mod trunks;

pub use bus::{Bus, Change};
pub use clock::{Clock, SharedClock};
pub use connections::Outbound;
pub use error::LiveError;
pub use frames::{Frame, Frames};
pub use live::{Admission, Live, CHAT_WRITE_QUEUE};
pub use people::Person;
pub use settings::LiveSettings;
