//! Where in-dialog requests to a peer on a connection go. A browser softphone's Contact
//! is a made-up `*.invalid` URI (RFC 7118 §5.2), and a phone on TLS or TCP sits behind a
//! connection whose port its Contact does not name: requests to such a Contact can only
//! take the connection the dialog was made over. The registered Contact leads there too,
//! but a dialog's Contact may differ from it (JsSIP adds `;ob`), and a caller need not
//! be registered at all: so the Contacts of dialog-creating requests and of their 2xx
//! answers that came over a connection are kept here until that connection closes.

use crate::flow::Flow;
use sip::name_addr::NameAddr;
use sip::{HeaderName, Message};
use std::collections::HashMap;

/// Contacts kept, at most (further ones are not kept: their dialogs fall back to the
/// Contact's address).
pub const MAX_CONTACTS: usize = 50_000;

/// Contact URI → the connection it came over.
#[derive(Debug, Default)]
pub struct DialogContacts {
    by_contact: HashMap<Box<[u8]>, Flow>,
}

impl DialogContacts {
    /// Notes the Contact of `message` (a dialog-creating request, or its 2xx) that came
    /// over `flow`, when that is a connection.
    pub fn note(&mut self, message: &Message, flow: Flow) {
        if !flow.transport.reliable() {
            return;
        }
        let Some(uri) = message
            .header(&HeaderName::Contact)
            .and_then(|c| NameAddr::parse(c).ok())
            .map(|a| a.uri)
        else {
            return;
        };
        if self.by_contact.len() < MAX_CONTACTS || self.by_contact.contains_key(&uri[..]) {
            self.by_contact.insert(Box::from(&uri[..]), flow);
        }
    }

    /// The connection a request to `uri` takes, if it is a noted Contact.
    pub fn get(&self, uri: &[u8]) -> Option<Flow> {
        self.by_contact.get(uri).copied()
    }

    /// The connection `flow` closed: its Contacts lead nowhere now.
    pub fn closed(&mut self, flow: Flow) {
        if !self.by_contact.is_empty() {
            self.by_contact.retain(|_, f| *f != flow);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::Transport;
    use bytes::Bytes;

    fn invite(contact: &str) -> Message {
        let text = format!(
            "INVITE sip:100@pbx.example SIP/2.0\r\nVia: SIP/2.0/WS x.invalid;branch=z9hG4bK1\r\n\
             From: <sip:200-1@pbx.example>;tag=a\r\nTo: <sip:100@pbx.example>\r\nCall-ID: c\r\n\
             CSeq: 1 INVITE\r\nContact: {contact}\r\nContent-Length: 0\r\n\r\n"
        );
        sip::parse_datagram(Bytes::from(text)).unwrap()
    }

    #[test]
    fn contacts_over_connections_are_kept_until_the_connection_closes() {
        let ws = Flow::new(Transport::Ws, "10.0.0.7:51234".parse().unwrap());
        let udp = Flow::udp("10.0.0.1:5060".parse().unwrap());
        let mut contacts = DialogContacts::default();
        contacts.note(&invite("<sip:k3v9@d.invalid;transport=ws;ob>"), ws);
        contacts.note(&invite("<sip:100-1@10.0.0.1>"), udp);
        assert_eq!(
            contacts.get(b"sip:k3v9@d.invalid;transport=ws;ob"),
            Some(ws)
        );
        assert_eq!(
            contacts.get(b"sip:100-1@10.0.0.1"),
            None,
            "UDP: the URI leads there"
        );
        contacts.closed(ws);
        assert_eq!(contacts.get(b"sip:k3v9@d.invalid;transport=ws;ob"), None);
    }
}
