//! SIP request methods (RFC 3261 §7.1 and the extensions Durchwahl speaks).

use bytes::Bytes;

/// A request method. Methods are case-sensitive (RFC 3261 §7.1); unknown ones are kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Method {
    /// RFC 3261.
    Invite,
    /// RFC 3261.
    Ack,
    /// RFC 3261.
    Bye,
    /// RFC 3261.
    Cancel,
    /// RFC 3261.
    Register,
    /// RFC 3261.
    Options,
    /// RFC 6665.
    Subscribe,
    /// RFC 6665.
    Notify,
    /// RFC 3428.
    Message,
    /// RFC 3515.
    Refer,
    /// RFC 6086.
    Info,
    /// RFC 3311.
    Update,
    /// RFC 3262.
    Prack,
    /// RFC 3903.
    Publish,
    /// Any other token.
    Other(Bytes),
}

const KNOWN: [(Method, &str); 14] = [
    (Method::Invite, "INVITE"),
    (Method::Ack, "ACK"),
    (Method::Bye, "BYE"),
    (Method::Cancel, "CANCEL"),
    (Method::Register, "REGISTER"),
    (Method::Options, "OPTIONS"),
    (Method::Subscribe, "SUBSCRIBE"),
    (Method::Notify, "NOTIFY"),
    (Method::Message, "MESSAGE"),
    (Method::Refer, "REFER"),
    (Method::Info, "INFO"),
    (Method::Update, "UPDATE"),
    (Method::Prack, "PRACK"),
    (Method::Publish, "PUBLISH"),
];

impl Method {
    /// The method of a token (the caller checked it is a token).
    pub fn from_token(token: Bytes) -> Method {
        KNOWN
            .iter()
            .find(|(_, name)| name.as_bytes() == token.as_ref())
            .map_or(Method::Other(token), |(m, _)| m.clone())
    }

    /// Its name on the wire.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Method::Other(b) => b,
            known => KNOWN
                .iter()
                .find(|(m, _)| m == known)
                .map_or(&b""[..], |(_, name)| name.as_bytes()),
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from_utf8_lossy(self.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_other() {
        assert_eq!(
            Method::from_token(Bytes::from_static(b"INVITE")),
            Method::Invite
        );
        // Case-sensitive: "invite" is an extension method, not INVITE.
        let lower = Method::from_token(Bytes::from_static(b"invite"));
        assert_eq!(lower, Method::Other(Bytes::from_static(b"invite")));
        assert_eq!(lower.as_bytes(), b"invite");
        for (m, name) in KNOWN {
            assert_eq!(m.as_bytes(), name.as_bytes());
        }
    }
}
