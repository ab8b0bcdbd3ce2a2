//! Answering an accepted SUBSCRIBE (RFC 6665 §4.2.1.1): the 200, and the NOTIFY owed
//! after it.

use super::notify::Ending;
use super::{Package, SubId};
use bytes::Bytes;
use sip::{HeaderName, Message};

/// What the switch does after a 2xx to a SUBSCRIBE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Then {
    /// Send the current state with [`super::Subscriptions::notify`] (RFC 6665 §4.2.1.2:
    /// at once after accepting or refreshing).
    Notify(SubId),
    /// Expires was 0 (an unsubscription or a fetch): send the final NOTIFY.
    Final(Box<Ending>),
}

/// A SUBSCRIBE accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The 200 (RFC 6665 deprecates 202) with our To tag, Contact and Expires.
    pub response: Message,
    /// The package, to pick the body of the NOTIFY.
    pub package: Package,
    /// The watched person.
    pub watched: i64,
    /// The NOTIFY owed.
    pub then: Then,
}

/// The 200 to a SUBSCRIBE (RFC 6665 §4.2.1.1): To tag, our Contact, the Expires granted.
pub(super) fn ok(request: &Message, contact: &Bytes, expires: u32, tag: Option<&str>) -> Message {
    let mut reply = request.response(200, "OK", tag);
    reply.push(HeaderName::Contact, contact.clone());
    reply.push(HeaderName::Expires, Bytes::from(expires.to_string()));
    reply
}
