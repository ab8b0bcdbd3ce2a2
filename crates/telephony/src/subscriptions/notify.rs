//! Writing the NOTIFYs of a subscription: the dialog it lives in (RFC 3261 §12.1.1, we
//! are the UAS; §12.2.1.1 for the requests we send in it) and the NOTIFY's own headers
//! (RFC 6665 §4.2.1). What goes out carries no Via: the switch adds its own with a fresh
//! branch, as for every request it sends.

use super::request::Asked;
use super::{Body, New, Package, Reason, SubId};
use crate::flow::{Flow, Transport};
use crate::headers::host_port;
use bytes::Bytes;
use sip::{Header, HeaderName, Message, Method, StartLine};
use std::net::SocketAddr;

/// Our Contact (`<sip:192.0.2.1:5060>`, with `;transport=tcp` for a TCP flow and so on;
/// TLS and WebSocket subscribers send their in-dialog requests over their connection).
pub fn contact_for(addr: SocketAddr, transport: Transport) -> Bytes {
    let hp = host_port(addr);
    Bytes::from(match transport {
        Transport::Udp => format!("<sip:{hp}>"),
        other => format!(
            "<sip:{hp};transport={}>",
            other.via_token().to_ascii_lowercase()
        ),
    })
}

/// A subscription: the dialog it lives in (RFC 3261 §12.1.1, we are the UAS) and what it
/// watches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Its name in the table.
    pub id: SubId,
    /// The package.
    pub package: Package,
    /// The watched person.
    pub watched: i64,
    /// The subscribing device.
    pub subscriber: String,
    /// Where the SUBSCRIBE or its latest refresh came from.
    pub flow: Flow,
    /// When it runs out, Unix ms.
    pub expires_at: i64,
    pub(super) event: Bytes,
    pub(super) resource: String,
    pub(super) call_id: Bytes,
    pub(super) local_tag: Bytes,
    pub(super) remote_tag: Bytes,
    pub(super) local_uri: Bytes,
    pub(super) remote: Bytes,
    pub(super) target: Bytes,
    pub(super) route_set: Vec<Bytes>,
    pub(super) contact: Bytes,
    pub(super) remote_cseq: u32,
    pub(super) cseq: u32,
    pub(super) version: u32,
    pub(super) in_flight: Option<(u32, i64)>,
    pub(super) pending: Option<Body>,
}

impl Subscription {
    /// A new subscription from a checked SUBSCRIBE without To tag.
    pub(super) fn new(id: SubId, now: i64, request: &Message, asked: Asked, new: New<'_>) -> Self {
        let header = |name: HeaderName| request.header(&name).cloned().unwrap_or_default();
        let resource = match &request.start {
            StartLine::Request { uri, .. } => String::from_utf8_lossy(uri).into_owned(),
            StartLine::Response { .. } => String::new(),
        };
        Subscription {
            id,
            package: asked.package,
            watched: new.watched,
            subscriber: new.subscriber.to_owned(),
            flow: new.flow,
            expires_at: now + i64::from(asked.expires) * 1000,
            event: header(HeaderName::Event),
            resource,
            call_id: asked.call_id,
            local_tag: Bytes::copy_from_slice(new.tag.as_bytes()),
            remote_tag: asked.from_tag.unwrap_or_default(),
            local_uri: header(HeaderName::To),
            remote: header(HeaderName::From),
            target: asked.target.unwrap_or_default(),
            // RFC 3261 §12.1.1: the UAS keeps the Record-Route entries in their order.
            route_set: request.header_values(&HeaderName::RecordRoute),
            contact: new.contact,
            remote_cseq: asked.cseq,
            cseq: 0,
            version: 0,
            in_flight: None,
            pending: None,
        }
    }

    pub(super) fn deadline(&self) -> i64 {
        self.in_flight
            .map_or(self.expires_at, |(_, at)| at.min(self.expires_at))
    }

    /// The next NOTIFY (RFC 6665 §4.2.1; RFC 3261 §12.2.1.1 for the dialog's headers).
    /// Only loose routing: the route set goes into Route as it is, the Request-URI is
    /// the subscriber's Contact.
    pub(super) fn build(
        &mut self,
        now: i64,
        body: Option<Body>,
        ending: Option<Reason>,
    ) -> Message {
        self.cseq += 1;
        let mut headers = Vec::with_capacity(12 + self.route_set.len());
        let mut push = |name: HeaderName, value: Bytes| headers.push(Header { name, value });
        for route in &self.route_set {
            push(HeaderName::Route, route.clone());
        }
        push(HeaderName::MaxForwards, Bytes::from_static(b"70"));
        let mut from = self.local_uri.to_vec();
        from.extend_from_slice(b";tag=");
        from.extend_from_slice(&self.local_tag);
        push(HeaderName::From, Bytes::from(from));
        push(HeaderName::To, self.remote.clone());
        push(HeaderName::CallId, self.call_id.clone());
        push(
            HeaderName::CSeq,
            Bytes::from(format!("{} NOTIFY", self.cseq)),
        );
        push(HeaderName::Contact, self.contact.clone());
        push(HeaderName::Event, self.event.clone());
        let state = match ending {
            Some(reason) => format!("terminated;reason={}", reason.as_str()),
            None => {
                let left = ((self.expires_at - now).max(0) + 999) / 1000;
                format!("active;expires={left}")
            }
        };
        push(HeaderName::SubscriptionState, Bytes::from(state));
        let xml = body.map(|body| match body {
            Body::Dialog(mut doc) => {
                // RFC 4235 §4.1: versions count per subscription, from 0.
                doc.entity.clone_from(&self.resource);
                doc.version = self.version;
                self.version = self.version.wrapping_add(1);
                doc.to_xml()
            }
            Body::Presence(mut doc) => {
                doc.entity.clone_from(&self.resource);
                doc.to_xml()
            }
            // RFC 3842: no version or entity; the Message-Account is in the text already.
            Body::MessageSummary(text) => text,
        });
        if xml.is_some() {
            let content_type = Bytes::from_static(self.package.content_type().as_bytes());
            push(HeaderName::ContentType, content_type);
        }
        Message {
            start: StartLine::Request {
                method: Method::Notify,
                uri: self.target.clone(),
            },
            headers,
            body: xml.map(Bytes::from).unwrap_or_default(),
        }
    }
}

/// A NOTIFY to send: push a Via, then send it in a client transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Where.
    pub flow: Flow,
    /// The NOTIFY, without Via.
    pub message: Message,
}

/// A subscription that is over and owed its final NOTIFY (`Subscription-State:
/// terminated`). It is out of the table already; dropping it sends nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ending {
    pub(super) sub: Subscription,
    pub(super) reason: Reason,
}

impl Ending {
    pub(super) fn new(sub: Subscription, reason: Reason) -> Ending {
        Ending { sub, reason }
    }

    /// What it watched, to pick the body.
    pub fn package(&self) -> Package {
        self.sub.package
    }

    /// Whom it watched.
    pub fn watched(&self) -> i64 {
        self.sub.watched
    }

    /// Why it ended.
    pub fn reason(&self) -> Reason {
        self.reason
    }

    /// The final NOTIFY, with the current state when given (RFC 6665 §4.1.2.3, §4.4.3:
    /// an unsubscription or a fetch gets the state one last time). It does not wait for a NOTIFY in
    /// flight: whatever the phone answers, the subscription is over.
    pub fn notify(mut self, body: Option<Body>) -> Outgoing {
        let body = body.filter(|b| b.package() == self.sub.package);
        let message = self.sub.build(self.sub.expires_at, body, Some(self.reason));
        Outgoing {
            flow: self.sub.flow,
            message,
        }
    }
}
