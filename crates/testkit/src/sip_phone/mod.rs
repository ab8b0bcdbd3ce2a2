//! The SIP test phone: the sans-IO user agent of `sip_ua` (the same one the server's call
//! control uses towards the switch), and [`udp::UdpPhone`], which runs it on a UDP socket
//! with the real clock.

pub use sip_ua::*;
pub mod udp;
