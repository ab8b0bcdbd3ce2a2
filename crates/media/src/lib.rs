//! Call media as a sans-IO core: what each leg of a call sends and receives, decided
//! from the datagrams and the time the shell feeds in. No sockets, no clocks.
//!
//! - [`sdp`]: offer/answer for RTP/AVP legs (SIP phones, the trunk), and
//!   [`sdp::t38`] for a fax call's switch to T.38 (`m=image … udptl t38`);
//! - [`rtp`], [`rewrite`], [`latch`]: the relay's work on each packet (RFC 3550
//!   headers, one continuous stream per leg, symmetric RTP behind home routers);
//! - [`dtmf`]: RFC 4733 telephone-events, relayed, generated and recognised;
//! - [`webrtc_leg`]: browser legs through str0m (ICE-lite, DTLS-SRTP, RTCP);
//! - [`mixer`]: G.711 legs that hear several others at once (listening in, whispering);
//! - [`player`], [`opus_voice`], [`recorder`]: our own audio into a leg (prompts,
//!   greetings; Opus encoded for browsers that speak it) and what a leg says, recorded;
//! - [`terminal`]: our own end of a leg that listens and speaks itself (a fax modem),
//!   or on a leg switched to T.38 gets and sends its UDPTL datagrams, untouched;
//! - [`engine`]: the legs of all calls and how they are bridged or mixed, and phone
//!   legs switched to T.38 ([`Engine::t38_offer`]), whose datagrams go to their
//!   terminal instead of being relayed.

pub mod codec;
pub mod dtmf;
pub mod engine;
pub mod latch;
pub mod mixer;
pub mod opus_voice;
pub mod player;
pub mod recorder;
pub mod rewrite;
pub mod rtcp;
pub mod rtp;
pub mod rtp_leg;
pub mod sdp;
pub mod terminal;
pub mod webrtc_leg;

pub use codec::{Codec, Negotiated};
pub use engine::{Engine, EngineError, Event, LegId, Socket, Transmit};
pub use player::{Frame, Player};
pub use sdp::t38::T38Agreed;
