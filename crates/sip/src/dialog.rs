//! Dialogs (RFC 3261 §12) and changing the session inside one (§14). Sans-IO, above the
//! transaction layer: the dialog layer makes the requests the transaction user hands to
//! [`crate::transaction::Transactions`], and takes the requests and responses that layer
//! passes up.
//!
//! * [`Dialog`] — one dialog at one end: made by [`Dialog::uas`] from a received INVITE,
//!   or by [`Dialog::uac`] from our INVITE and a response with a To tag. It keeps the
//!   dialog state of §12 (ID, local and remote CSeq, URIs, remote target, route set,
//!   secure flag) and the INVITE usage: one INVITE transaction at most in each direction,
//!   glare (491, and the randomised retry of §14.1), the offer that waits for its answer
//!   (RFC 3264), 2xx retransmission until the ACK (§13.3.1.4), and termination.
//! * [`UacInvite`] — our INVITE and the dialogs its responses make when a proxy forks
//!   it: the first 2xx confirms its dialog, a 2xx for any other is acknowledged and
//!   ended with BYE (§13.2.2.4).
//!
//! The contract, as for the transaction layer: feed inputs with `handle_*` (a request, a
//! response, a transaction timeout, the clock) and commands ([`Dialog::request`],
//! [`Dialog::ack`], [`Dialog::respond`]); then drain `poll_event`, `poll_request` (the
//! requests the layer sends on its own) and `poll_response` (2xx retransmissions), and
//! call `handle_timeout` at `poll_timeout`. Requests come without Via: the shell knows
//! the transport only after resolving [`next_hop`], so it puts the Via (with a fresh
//! branch) on top. Decisions worth knowing:
//!
//! * **Strict routers** (a first route without `lr`) are supported, as §12.2.1.1 says;
//!   see [`RouteSet`].
//! * **Termination**: 481, 408 and no response end the usage, which for an INVITE
//!   dialog is the dialog (a SUBSCRIBE, NOTIFY or REFER only ends its subscription);
//!   404, 410, 416, 482–485, 502 and 604 end the dialog; everything else only its
//!   transaction (RFC 5057 §5.1; see [`effect`]). BYE ends it either way.
//! * **Randomness** comes from [`Settings::seed`], drawn by the shell; the core has no
//!   generator of its own state to hide, so a test replays a run exactly.
//!
//! Alice calls Bob, Bob answers and hangs up, each on its own transaction layer:
//!
//! ```
//! use bytes::Bytes;
//! use sip::dialog::{Dialog, Event, Reason, Settings, UacInvite};
//! use sip::transaction::{Event as TxEvent, Timers, Transactions};
//! use sip::{parse_datagram, HeaderName, Method};
//!
//! // The network of this example: what one side transmits arrives at the other.
//! fn wire(from: &mut Transactions<&'static str>, to: &mut Transactions<&'static str>, sender: &'static str) {
//!     while let Some(transmit) = from.poll_transmit() {
//!         let message = parse_datagram(transmit.data).unwrap();
//!         match message.method() {
//!             Some(_) => to.handle_request(0, message, sender, false),
//!             None => to.handle_response(0, message),
//!         }
//!     }
//! }
//! let via = |branch: &str| Bytes::from(format!("SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK{branch}"));
//! let mut alice_tx = Transactions::new(Timers::default());
//! let mut bob_tx = Transactions::new(Timers::default());
//!
//! // Alice's INVITE, Via included (a CANCEL would reuse it).
//! let invite = parse_datagram(Bytes::from_static(
//!     b"INVITE sip:bob@biloxi.example SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1\r\n\
//!       Max-Forwards: 70\r\nFrom: Alice <sip:alice@atlanta.example>;tag=9fxced76sl\r\n\
//!       To: Bob <sip:bob@biloxi.example>\r\nCall-ID: 3848276298220188511@atlanta.example\r\n\
//!       CSeq: 1 INVITE\r\nContact: <sip:alice@192.0.2.10>\r\nContent-Length: 0\r\n\r\n",
//! ))?;
//! let mut call = UacInvite::new(invite.clone(), Settings { seed: 7, ..Settings::default() })?;
//! alice_tx.send_request(0, invite, "bob", false)?;
//! wire(&mut alice_tx, &mut bob_tx, "alice");
//!
//! // Bob's side: the INVITE makes his dialog; his 200 confirms it.
//! let Some(TxEvent::Request { key, message: invite, .. }) = bob_tx.poll_event() else { panic!() };
//! let settings = Settings { seed: 8, ..Settings::default() };
//! let mut bob = Dialog::uas(&invite, b"8321234356", b"<sip:bob@192.0.2.20>", settings)?;
//! let ok = bob.response(&invite, 200, "OK");
//! bob.respond(0, &invite, &ok)?;
//! bob_tx.respond(0, &key, &ok)?;
//! assert_eq!(bob.poll_event(), Some(Event::Confirmed));
//! // Until Alice's ACK arrives, the 2xx is sent again at T1, 2·T1, … (RFC 3261 §13.3.1.4).
//! assert_eq!(bob.poll_timeout(), Some(500));
//! wire(&mut bob_tx, &mut alice_tx, "bob");
//!
//! // Alice's side: the 200 confirms her dialog; she acknowledges it.
//! let Some(TxEvent::Response { message: ok, .. }) = alice_tx.poll_event() else { panic!() };
//! call.handle_response(0, &ok)?;
//! let Some((id, Event::Confirmed)) = call.poll_event() else { panic!() };
//! let alice = call.dialog_mut(&id).unwrap();
//! assert_eq!(&alice.remote_target()[..], b"sip:bob@192.0.2.20");
//! let mut ack = alice.ack(None)?;
//! ack.push_front(HeaderName::Via, via("2"));
//! bob_tx.handle_request(0, ack, "alice", false); // an ACK of a 2xx skips the transactions
//! let Some(TxEvent::Ack { message: ack, .. }) = bob_tx.poll_event() else { panic!() };
//! bob.handle_request(&ack)?;
//! assert_eq!(bob.poll_timeout(), None);
//!
//! // Bob hangs up.
//! let mut bye = bob.request(10, Method::Bye, None)?;
//! assert!(bye.header(&HeaderName::CSeq).unwrap().ends_with(b" BYE"));
//! bye.push_front(HeaderName::Via, via("3"));
//! bob_tx.send_request(10, bye, "alice", false)?;
//! wire(&mut bob_tx, &mut alice_tx, "bob");
//! let Some(TxEvent::Request { key, message: bye, .. }) = alice_tx.poll_event() else { panic!() };
//! call.handle_request(&bye)?;
//! assert_eq!(call.poll_event(), Some((id.clone(), Event::Terminated { reason: Reason::RemoteBye })));
//! let ok = call.dialog(&id).unwrap().response(&bye, 200, "OK");
//! call.respond(10, &bye, &ok)?;
//! alice_tx.respond(10, &key, &ok)?;
//! wire(&mut alice_tx, &mut bob_tx, "alice");
//! let Some(TxEvent::Response { message: ok, .. }) = bob_tx.poll_event() else { panic!() };
//! bob.handle_response(10, &ok)?;
//! assert_eq!(bob.poll_event(), Some(Event::Terminated { reason: Reason::LocalBye }));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod error;
mod forks;
mod glare;
mod id;
mod incoming;
mod offer;
mod outgoing;
mod request;
mod route;
mod state;
mod termination;

pub use error::DialogError;
pub use forks::UacInvite;
pub use glare::{retry_delay, Random, RETRY_OTHER_MS, RETRY_OWNER_MS, RETRY_STEP_MS};
pub use id::DialogId;
pub use offer::{carries_sdp, Body, Offer};
pub use route::{next_hop, RouteSet};
pub use state::{Dialog, Event, Phase, Role, Settings};
pub use termination::{effect, is_subscription_method, Effect, Reason};

#[cfg(test)]
mod tests;
