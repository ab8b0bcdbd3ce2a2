//! The dialog ID (RFC 3261 §12): Call-ID, local tag and remote tag, and which dialog a
//! received message belongs to — a request by its To tag (ours) and From tag (theirs,
//! §12.2.2), a response to our request the other way round (§12.2.1.2). Also the few
//! header readings the dialog layer shares.

use super::DialogError;
use crate::cseq::CSeq;
use crate::header_name::HeaderName;
use crate::message::Message;
use crate::name_addr::NameAddr;
use crate::uri::{Scheme, Uri};
use bytes::Bytes;

/// Identifies a dialog at one user agent. Compared byte for byte: Call-IDs are
/// case-sensitive (RFC 3261 §20.8), and tags are opaque tokens.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DialogId {
    /// The Call-ID.
    pub call_id: Bytes,
    /// Our tag (From in our requests, To in theirs).
    pub local_tag: Bytes,
    /// Their tag.
    pub remote_tag: Bytes,
}

impl DialogId {
    /// The dialog a received request belongs to: its To tag is ours, its From tag theirs.
    /// `None` when a tag or the Call-ID is missing: a request without a To tag creates a
    /// dialog rather than belonging to one (RFC 3261 §12.2.2).
    pub fn of_request(request: &Message) -> Option<DialogId> {
        Some(DialogId {
            call_id: request.header(&HeaderName::CallId)?.clone(),
            local_tag: tag(request, HeaderName::To)?,
            remote_tag: tag(request, HeaderName::From)?,
        })
    }

    /// The dialog a response to one of our requests belongs to: its From tag is ours, its
    /// To tag theirs. `None` without a To tag (a 100, or a response that makes none).
    pub fn of_response(response: &Message) -> Option<DialogId> {
        Some(DialogId {
            call_id: response.header(&HeaderName::CallId)?.clone(),
            local_tag: tag(response, HeaderName::From)?,
            remote_tag: tag(response, HeaderName::To)?,
        })
    }

    /// Whether a message carries this Call-ID and these two tags, ours in `local` (To of
    /// a received request, From of a received response).
    pub(crate) fn matches(&self, message: &Message, local: HeaderName, remote: HeaderName) -> bool {
        message.header(&HeaderName::CallId) == Some(&self.call_id)
            && tag(message, local).as_ref() == Some(&self.local_tag)
            && tag(message, remote).as_ref() == Some(&self.remote_tag)
    }
}

/// The `tag` of the From or To header.
pub(crate) fn tag(message: &Message, header: HeaderName) -> Option<Bytes> {
    NameAddr::parse(message.header(&header)?)
        .ok()?
        .tag()
        .cloned()
}

/// A name-addr header the dialog needs (From, To).
pub(crate) fn addr(
    message: &Message,
    header: HeaderName,
    name: &'static str,
) -> Result<NameAddr, DialogError> {
    message
        .header(&header)
        .and_then(|v| NameAddr::parse(v).ok())
        .ok_or(DialogError::Malformed { header: name })
}

/// The CSeq of a message.
pub(crate) fn cseq(message: &Message) -> Result<CSeq, DialogError> {
    message
        .header(&HeaderName::CSeq)
        .and_then(CSeq::parse)
        .ok_or(DialogError::Malformed { header: "CSeq" })
}

/// The Call-ID of a message.
pub(crate) fn call_id(message: &Message) -> Result<&Bytes, DialogError> {
    message
        .header(&HeaderName::CallId)
        .filter(|v| !v.is_empty())
        .ok_or(DialogError::Malformed { header: "Call-ID" })
}

/// The URI of the first Contact, when there is one: a dialog's remote target (RFC 3261
/// §12.1.1, §12.1.2). A `*`, or a URI that is not SIP or SIPS, is malformed here.
pub(crate) fn contact_uri(message: &Message) -> Result<Option<Bytes>, DialogError> {
    let Some(first) = message
        .header_values(&HeaderName::Contact)
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let malformed = DialogError::Malformed { header: "Contact" };
    let contact = NameAddr::parse(&first).map_err(|_| malformed.clone())?;
    match Uri::parse(&contact.uri) {
        Ok(uri) if uri.scheme != Scheme::Tel => Ok(Some(contact.uri)),
        _ => Err(malformed),
    }
}

/// Whether a URI is `sips:`.
pub(crate) fn is_sips(uri: &[u8]) -> bool {
    uri.len() > 5 && uri[..5].eq_ignore_ascii_case(b"sips:")
}

/// A copy of `b` that does not keep the whole received datagram alive: a dialog lasts as
/// long as its call, the datagram only as long as its handling.
pub(crate) fn own(b: &[u8]) -> Bytes {
    Bytes::copy_from_slice(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse_datagram;

    fn message(text: &'static str) -> Message {
        parse_datagram(Bytes::from_static(text.as_bytes())).unwrap()
    }

    #[test]
    fn requests_and_responses_name_the_dialog_from_their_side() {
        let bye = message(
            "BYE sip:alice@pc33.atlanta.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.4;branch=z9hG4bKnashds10\r\n\
             From: Bob <sip:bob@biloxi.com>;tag=a6c85cf\r\nTo: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n\
             Call-ID: a84b4c76e66710\r\nCSeq: 231 BYE\r\nContent-Length: 0\r\n\r\n",
        );
        // At Alice, who receives it: her tag is in To.
        let at_alice = DialogId::of_request(&bye).unwrap();
        assert_eq!(&at_alice.local_tag[..], b"1928301774");
        assert_eq!(&at_alice.remote_tag[..], b"a6c85cf");
        // Bob receives the 200 to his BYE: his tag is in From.
        let ok = bye.response(200, "OK", None);
        let at_bob = DialogId::of_response(&ok).unwrap();
        assert_eq!(&at_bob.local_tag[..], b"a6c85cf");
        assert_eq!(at_bob.call_id, at_alice.call_id);
        assert!(at_alice.matches(&bye, HeaderName::To, HeaderName::From));
        assert!(!at_alice.matches(&bye, HeaderName::From, HeaderName::To));
        // No To tag: a dialog-creating request, which belongs to no dialog yet.
        let invite = message(
            "INVITE sip:bob@biloxi.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\
             From: <sip:a@x>;tag=1\r\nTo: <sip:bob@biloxi.com>\r\nCall-ID: c\r\n\
             CSeq: 1 INVITE\r\nContact: *\r\nContent-Length: 0\r\n\r\n",
        );
        assert_eq!(DialogId::of_request(&invite), None);
        assert_eq!(
            contact_uri(&invite),
            Err(DialogError::Malformed { header: "Contact" })
        );
        assert!(is_sips(b"SIPS:bob@x") && !is_sips(b"sip:bob@x"));
    }
}
