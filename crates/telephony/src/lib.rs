//! Durchwahl's SIP element, sans-IO: the registrar for the provisioned devices, digest
//! checks of every device request against the device table, a forking stateful proxy
//! that rings every registered device of a person (with call forwarding), and the
//! notifier for busy lamps, presence and message-waiting lamps.
//!
//! The contract of the core ([`Switch`]): feed what arrives and the time in
//! (`handle_datagram`, `handle_message`, `handle_saved`, `handle_closed`,
//! `handle_presence`, `handle_voicemail`, `handle_timeout`, `set_accounts`,
//! `set_forwarding`), then drain `poll_transmit` (bytes to send) and `poll_notice`
//! (bindings to save, presence changes, chat messages, voicemail counts to look up) until
//! both are empty, and sleep until `poll_timeout`. Every
//! deadline of every part is in `poll_timeout`; nothing waits for another timer.
//!
//! ```
//! use bytes::Bytes;
//! use telephony::{Account, Accounts, Flow, Notice, Settings, Switch};
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
//!
//! // A phone registers: challenged (401), then its answer passes the digest check and
//! // the binding goes to the store; the phone hears 200 only once it is committed.
//! let ha1 = sip::digest::ha1(sip::digest::Algorithm::Md5, "2401-1", "pbx.example", "pw");
//! switch.set_accounts(1_000, Accounts::new([Account {
//!     device_id: 1, person_id: 7, sip_username: "2401-1".into(), extension: "2401".into(),
//!     ha1_md5: ha1.as_str().into(), ha1_sha256: telephony::accounts::Ha1::NONE, enabled: true,
//! }]));
//! let register = |cseq: u32, auth: &str| Bytes::from(format!(
//!     "REGISTER sip:pbx.example SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9:5070;branch=z9hG4bKr{cseq}\r\n\
//!      From: <sip:2401-1@pbx.example>;tag=r\r\nTo: <sip:2401-1@pbx.example>\r\nCall-ID: r1\r\n\
//!      CSeq: {cseq} REGISTER\r\nContact: <sip:2401-1@192.0.2.9:5070>\r\nMax-Forwards: 70\r\n{auth}\r\n"));
//! switch.handle_datagram(2_000, from, register(1, "")).unwrap();
//! let challenge = switch.poll_transmit().unwrap();
//! let text = String::from_utf8(challenge.data.to_vec()).unwrap();
//! assert!(text.starts_with("SIP/2.0 401 Unauthorized\r\n"));
//! let line = text.lines().find(|l| l.contains("MD5")).unwrap();
//! let challenge = sip::digest::Challenge::parse(&Bytes::from(line[18..].to_owned())).unwrap();
//! let uri = "sip:pbx.example";
//! let answer = sip::digest::Credentials::answer(&challenge, "2401-1", uri, "c", 1,
//!     &sip::Method::Register, &ha1);
//! switch.handle_datagram(2_000, from, register(2, &format!("Authorization: {answer}\r\n"))).unwrap();
//! assert!(switch.poll_transmit().is_none(), "no 200 before the store committed");
//! let Some(Notice::Save { ticket, .. }) = switch.poll_notice() else { panic!() };
//! assert_eq!(switch.poll_notice(), Some(Notice::Devices { person_id: 7, online: true }));
//! switch.handle_saved(2_010, ticket, true);
//! assert!(switch.poll_transmit().unwrap().data.starts_with(b"SIP/2.0 200 OK\r\n"));
//! // The binding runs out in an hour (the default): the shell wakes the switch then.
//! assert_eq!(switch.poll_timeout(), Some(2_000 + 3_600_000));
//! ```
//!
//! Inside, the switch is a facade over parts that own their state: the gate (protection
//! and digest checks), the registrar, the proxy (with the pure routing decision in
//! [`route`]) and the notifier; `docs/switch.md` describes them and how they talk.
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
pub mod identity;
mod mailboxes;
mod message;
mod notice;
mod notifier;
pub mod pidf;
pub mod protection;
mod proxy;
mod raised;
mod registrar;
pub mod relay;
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
