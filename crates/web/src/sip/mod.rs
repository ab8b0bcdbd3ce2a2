//! SIP over WebSocket (RFC 7118) at `/sip`, handed to the SIP service.

pub mod socket;
