//! Durchwahl's SIP element, sans-IO: the registrar for the provisioned devices, digest
//! checks of every device request against the device table, and a forking stateful proxy
//! that rings every registered device of a person.
//!
//! The contract of the core ([`Switch`]): feed what arrives and the time in
//! (`handle_datagram`, `handle_message`, `handle_saved`, `handle_timeout`), then drain
//! `poll_transmit` (bytes to send) and `poll_notice` (bindings to save, presence
//! changes), and sleep until `poll_timeout`.
//!
//! ```
//! use bytes::Bytes;
//! use telephony::{Accounts, Flow, Settings, Switch};
//! let settings = Settings::new("pbx.example", "192.0.2.1:5060".parse().unwrap());
//! let key = sip::digest::NonceKey::new(vec![7; 32]);
//! let mut switch = Switch::new(settings, Accounts::default(), key, 42);
//! let ping = "OPTIONS sip:pbx.example SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9:5070;branch=z9hG4bK1\r\n\
//!             From: <sip:probe@pbx.example>;tag=a\r\nTo: <sip:pbx.example>\r\nCall-ID: p1\r\n\
//!             CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n\r\n";
//! let from = Flow::udp("192.0.2.9:5070".parse().unwrap());
//! switch.handle_datagram(1_000, from, Bytes::from(ping)).unwrap();
//! let out = switch.poll_transmit().unwrap();
//! assert_eq!(out.peer, from);
//! assert!(out.data.starts_with(b"SIP/2.0 200 OK\r\n"));
//! // The switch answered as a UAS, statelessly: nothing waits for a timer.
//! assert_eq!(switch.poll_timeout(), None);
//! ```
#![deny(missing_docs)]

pub mod accounts;
mod context;
pub mod dialog_contacts;
pub mod dialog_info;
pub mod dialogs;
pub mod flow;
pub mod forwarding;
mod gate;
pub mod headers;
mod message;
mod notice;
mod notifier;
pub mod pidf;
pub mod protection;
mod proxy;
mod raised;
mod registrar;
pub mod route;
mod settings;
pub mod subscriptions;
pub mod switch;
mod timed;
mod wire;
mod xml;

pub use accounts::{Account, Accounts};
pub use flow::{Flow, Transport};
pub use notice::Notice;
pub use settings::Settings;
pub use switch::Switch;
