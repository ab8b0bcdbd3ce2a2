//! Call control as a sans-IO core: the server is the far end of every browser's call
//! (a back-to-back user agent), so hold, transfer, ringing every browser of a person,
//! call waiting, history and presence are decided here, in one place.
//!
//! The shell feeds commands from browsers ([`Command`]), the results of media requests
//! and media events, and the time; it drains [`Output`]s: frames for people or one
//! connection, commands for the media engine, presence changes and history records.
//!
//! ```
//! use calls::{Calls, Command, Output, Party, Target};
//! let mut calls = Calls::new(60_000);
//! let anna = Party::person(1, "Anna Schneider", "2001", "a.schneider", "Bürgeramt");
//! let bernd = Party::person(2, "Bernd Meier", "2002", "b.meier", "Bürgeramt");
//! let call = calls
//!     .handle_command(0, 1, 10, Command::Dial { from: anna, target: Target::Browser(bernd), sdp: "v=0…".into() })
//!     .unwrap();
//! assert_eq!(call.to_string(), "c1");
//! while let Some(out) = calls.poll_output() {
//!     // Output::Media(CreateWebRtc …): make Anna's leg; Output::Frame(…): ring Bernd.
//!     let _ = out;
//! }
//! assert_eq!(calls.poll_timeout(), Some(60_000)); // no answer by then: ended
//! ```

mod call;
mod command;
mod desk;
mod fax;
mod frames;
mod hotline;
pub mod numbers;
mod output;
mod party;
mod voicemail;

pub use command::{Command, Refusal, Target};
pub use desk::{phone_codec, CallbackRequest, Calls};
pub use fax::FaxEvent;
pub use frames::{CallFrame, CallState, Direction, EndReason, ViaHotline};
pub use hotline::HotlineEvent;
pub use output::{MediaCommand, Output, Record, SipCommand, To};
pub use party::{CallId, Conn, LegRef, Party, SipRef, Via};
pub use voicemail::VoicemailEvent;
