//! Text messages (RFC 3428 MESSAGE) between people: besides going to the receiver's
//! phones like any request (the proxy forks them), a plain-text MESSAGE belongs in the two
//! people's chat; the switch hands it to the shell as [`Notice::Message`].

use crate::accounts::Target as Named;
use crate::switch::{Notice, Switch};
use sip::{HeaderName, Message};

impl Switch {
    /// A text MESSAGE for a person goes into the two people's chat as well (the phones
    /// get it too, when registered). Not to oneself, not other content types.
    pub(crate) fn message_to_chat(&mut self, from_person: i64, user: &str, request: &Message) {
        let to_person = match self.accounts.target(user) {
            Named::Extension(ext) => self.accounts.devices_of(ext).first().map(|a| a.person_id),
            Named::Device(account) => Some(account.person_id),
            Named::Unknown => None,
        };
        let plain = request
            .header(&HeaderName::ContentType)
            .is_some_and(|t| t.len() >= 10 && t[..10].eq_ignore_ascii_case(b"text/plain"));
        let text = std::str::from_utf8(&request.body).ok().map(str::trim);
        if let (Some(to_person), true, Some(text)) = (to_person, plain, text) {
            if to_person != from_person && !text.is_empty() {
                self.notices.push_back(Notice::Message {
                    from_person,
                    to_person,
                    text: text.to_owned(),
                });
            }
        }
    }
}
