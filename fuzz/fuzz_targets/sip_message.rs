//! Any bytes into the SIP parser, as a datagram and as a stream (sip::fuzzing::message says
//! which invariants hold). Seeds: RFC 4475 and RFC 3261 §24; an ordinary test in the sip
//! crate runs the body over them.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| sip::fuzzing::message(data));
