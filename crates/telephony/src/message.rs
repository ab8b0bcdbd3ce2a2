//! Text messages (RFC 3428 MESSAGE) between people: besides going to the receiver's
//! phones like any request (the proxy forks them), a plain-text MESSAGE belongs in the two
//! people's chat; the proxy raises it for the shell as [`Notice::Message`].

use crate::accounts::{Accounts, Target as Named};
use crate::notice::Notice;
use sip::{HeaderName, Message};

/// The chat message a MESSAGE from `from_person` to `user` (a Request-URI user) makes:
/// plain text, not empty, to another person of ours.
pub(crate) fn to_chat(
    accounts: &Accounts,
    from_person: i64,
    user: &str,
    request: &Message,
) -> Option<Notice> {
    let to_person = match accounts.target(user) {
        Named::Extension(ext) => accounts.devices_of(ext).first().map(|a| a.person_id),
        Named::Device(account) => Some(account.person_id),
        Named::Unknown => None,
    }?;
    let plain = request
        .header(&HeaderName::ContentType)
        .is_some_and(|t| t.len() >= 10 && t[..10].eq_ignore_ascii_case(b"text/plain"));
    let text = std::str::from_utf8(&request.body).ok().map(str::trim)?;
    (plain && to_person != from_person && !text.is_empty()).then(|| Notice::Message {
        from_person,
        to_person,
        text: text.to_owned(),
    })
}
