//! Voicemail, pure: the rules of issue 17's voicemail without sockets, clocks, files or
//! SQL. The shells (call control, the store, the web client's handlers, the mail outbox)
//! pass inputs and the time in and carry the decisions out.
//!
//! - [`greeting`]: which greeting a caller hears (absence until its last day, personal,
//!   or the built-in default in the owner's language).
//! - [`trim`]: how much of a recording is kept (the silence at the end cut, nothing kept
//!   when nothing was said).
//! - [`retention`]: which messages are due for deletion.
//! - [`mwi`]: the message-waiting body of RFC 3842 for desk phones' lamps.
//! - [`menu`]: the `*98` phone menu as a state machine (its key map is in its docs).
//! - [`mail_text`]: the notification e-mail's subject and text.
//!
//! The menu follows the house contract: feed an input, then drain `poll_action` until it
//! gives `None`; when waiting, call `handle_timeout` at `poll_timeout`.
//!
//! ```
//! use voicemail::menu::{Action, Clip, Menu, Message, Say};
//!
//! let mut menu = Menu::start(vec![Message {
//!     id: 7,
//!     caller_number: Some("2001".into()),
//!     heard: false,
//!     duration_ms: 9_000,
//! }]);
//! let drain = |menu: &mut Menu| std::iter::from_fn(|| menu.poll_action()).collect::<Vec<_>>();
//!
//! // "Sie haben eine neue Nachricht."
//! assert_eq!(drain(&mut menu), [Action::Play(vec![Say::Clip(Clip::OneNewMessage)])]);
//! let now = 1_796_601_600_000; // Unix ms
//! menu.handle_played(now);
//! // "Nachricht von zwei null null eins", then the recording.
//! assert_eq!(
//!     drain(&mut menu),
//!     [Action::Play(vec![
//!         Say::Clip(Clip::MessageFrom),
//!         Say::Digits("2001".into()),
//!         Say::Recording(7),
//!     ])]
//! );
//! // Played to its end: heard, and the help follows.
//! menu.handle_played(now + 12_000);
//! assert_eq!(
//!     drain(&mut menu),
//!     [
//!         Action::MarkHeard(7),
//!         Action::Play(vec![Say::Clip(Clip::Menu), Say::Clip(Clip::MenuCallBack)]),
//!     ]
//! );
//! menu.handle_played(now + 20_000);
//! assert_eq!(menu.poll_timeout(), Some(now + 20_000 + voicemail::menu::WAIT_MS));
//! // 7: deleted; there is no other message, so goodbye.
//! menu.handle_digit('7');
//! assert_eq!(
//!     drain(&mut menu),
//!     [
//!         Action::Delete(7),
//!         Action::Play(vec![
//!             Say::Clip(Clip::Deleted),
//!             Say::Clip(Clip::NoMore),
//!             Say::Clip(Clip::Goodbye),
//!         ]),
//!     ]
//! );
//! menu.handle_played(now + 25_000);
//! assert_eq!(drain(&mut menu), [Action::Hangup]);
//! assert!(menu.is_done());
//! ```

#![deny(missing_docs)]

mod date;
mod error;
pub mod greeting;
mod language;
pub mod mail_text;
pub mod menu;
pub mod mwi;
pub mod retention;
pub mod trim;

pub use date::Date;
pub use error::Error;
pub use greeting::{Absence, Greeting, Greetings};
pub use language::Language;
pub use mail_text::{Delivery, MailText, Notice};
pub use menu::{Action, Clip, Menu, Message, Say};
pub use mwi::Summary;
