//! Registering the phone's Contact (RFC 3261 §10.2): one Call-ID for all its REGISTERs,
//! the CSeq counting up (§10.2.4), and a 401 or 407 answered once with digest
//! credentials (§22.2, RFC 7616); a second challenge for the same attempt is a failure,
//! unless it says the nonce was only stale.

use super::{request, PhoneEvent, Purpose, SipPhone};
use bytes::Bytes;
use sip::name_addr::NameAddr;
use sip::{HeaderName, Message, Method};

/// The registration state of a phone.
pub(super) struct Registration {
    call_id: Bytes,
    from_tag: String,
    cseq: u32,
    /// The expiry asked for by the attempt in progress.
    expires: u32,
    /// Whether the attempt in progress already carries credentials.
    answered: bool,
}

impl Registration {
    pub fn new(call_id: String, from_tag: String) -> Registration {
        Registration {
            call_id: Bytes::from(call_id),
            from_tag,
            cseq: 0,
            expires: 0,
            answered: false,
        }
    }

    pub fn call_id(&self) -> Bytes {
        self.call_id.clone()
    }
}

impl SipPhone {
    /// Registers the phone's Contact for an hour ([`PhoneEvent::Registered`] when done).
    pub fn register(&mut self, now: i64) {
        self.send_register(now, 3600, None);
    }

    /// Removes the phone's Contact (Expires: 0).
    pub fn unregister(&mut self, now: i64) {
        self.send_register(now, 0, None);
    }

    fn registrar_uri(&self) -> String {
        format!("sip:{}", self.account.domain)
    }

    fn send_register(&mut self, now: i64, expires: u32, credentials: Option<(HeaderName, String)>) {
        let r = &mut self.registration;
        r.cseq += 1;
        r.expires = expires;
        r.answered = credentials.is_some();
        let (cseq, tag) = (r.cseq, r.from_tag.clone());
        let call_id = String::from_utf8_lossy(&r.call_id).into_owned();
        let aor = self.aor();
        let mut headers = vec![
            (HeaderName::From, format!("{aor};tag={tag}")),
            (HeaderName::To, aor),
            (HeaderName::CallId, call_id),
            (HeaderName::CSeq, format!("{cseq} REGISTER")),
            (HeaderName::Contact, self.contact()),
            (HeaderName::Expires, expires.to_string()),
        ];
        headers.extend(credentials);
        let message = request(Method::Register, &self.registrar_uri(), &headers, None);
        if self.send_request(now, message, Purpose::Register).is_err() {
            self.events
                .push_back(PhoneEvent::RegistrationFailed { code: 500 });
        }
    }

    /// A final response to a REGISTER (provisional ones change nothing).
    pub(super) fn registration_response(&mut self, now: i64, response: &Message) {
        let code = response.code().unwrap_or(0);
        let current =
            sip::cseq::CSeq::parse(response.header(&HeaderName::CSeq).unwrap_or(&Bytes::new()))
                .is_some_and(|c| c.seq == self.registration.cseq);
        if code < 200 || !current {
            return;
        }
        let expires = self.registration.expires;
        match code {
            200..=299 => {
                let local = self.local.to_string();
                let granted = granted_expiry(response, &local).unwrap_or(expires);
                self.events
                    .push_back(PhoneEvent::Registered { expires: granted });
            }
            401 | 407 => {
                let (challenge, answer) = if code == 401 {
                    (HeaderName::WwwAuthenticate, HeaderName::Authorization)
                } else {
                    (
                        HeaderName::ProxyAuthenticate,
                        HeaderName::ProxyAuthorization,
                    )
                };
                let challenges = response.header_values(&challenge);
                let uri = self.registrar_uri();
                match self.credentials(&challenges, &Method::Register, &uri) {
                    Some((c, value)) if !self.registration.answered || c.stale => {
                        self.send_register(now, expires, Some((answer, value)));
                    }
                    _ => self
                        .events
                        .push_back(PhoneEvent::RegistrationFailed { code }),
                }
            }
            _ => self
                .events
                .push_back(PhoneEvent::RegistrationFailed { code }),
        }
    }
}

/// The expiry the registrar granted our Contact: its `expires` parameter in the 2xx, or
/// the Expires header (RFC 3261 §10.2.4). `local` picks our Contact among the AOR's.
fn granted_expiry(response: &Message, local: &str) -> Option<u32> {
    let from_contact = response
        .header_values(&HeaderName::Contact)
        .iter()
        .filter_map(|c| NameAddr::parse(c).ok())
        .filter(|c| String::from_utf8_lossy(&c.uri).contains(local))
        .find_map(|c| {
            c.param("expires")
                .flatten()
                .and_then(|v| std::str::from_utf8(v).ok()?.parse().ok())
        });
    from_contact.or_else(|| {
        std::str::from_utf8(response.header(&HeaderName::Expires)?)
            .ok()?
            .trim()
            .parse()
            .ok()
    })
}
