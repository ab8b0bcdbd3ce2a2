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
//! - [`mail_text`]: the notification e-mail's subject and text.

#![deny(missing_docs)]

mod date;
mod error;
pub mod greeting;
mod language;
pub mod mail_text;
pub mod mwi;
pub mod retention;
pub mod trim;

pub use date::Date;
pub use error::Error;
pub use greeting::{Absence, Greeting, Greetings};
pub use language::Language;
pub use mail_text::{Delivery, MailText, Notice};
pub use mwi::Summary;
