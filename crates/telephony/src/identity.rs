//! Who calls, as the switch knows it: a device authenticated with its digest credentials
//! may put anything into its `From`. Before the switch passes such a request on, the
//! `From` URI's user becomes the device's own name when it named someone else, so that
//! call control, which decides by the caller (`*98` plays the caller's own box, outside
//! numbers follow the caller's permission), never acts for a person the device does not
//! belong to. The display name and the tag stay as the phone sent them.

use bytes::Bytes;

/// `from` with its URI's user set to `device` (the authenticated device's name), unless it
/// already names the device or its person's `extension`; `None`: nothing to change (or no
/// SIP URI to find).
pub fn own_from(from: &[u8], device: &str, extension: &str) -> Option<Bytes> {
    let text = std::str::from_utf8(from).ok()?;
    let start = text.find("sip:").or_else(|| text.find("sips:"))?;
    let scheme_end = start + text[start..].find(':')? + 1;
    let rest = &text[scheme_end..];
    let at = rest.find('@')?;
    // A user part must end before the URI does.
    if rest[..at].contains(['>', ';', ' ']) {
        return None;
    }
    let user = &rest[..at];
    if user == device || user == extension {
        return None;
    }
    let mut owned = String::with_capacity(text.len() + device.len());
    owned.push_str(&text[..scheme_end]);
    owned.push_str(device);
    owned.push_str(&rest[at..]);
    Some(Bytes::from(owned))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_that_names_someone_else_is_named_as_itself() {
        let forged = own_from(b"\"Anna\" <sip:2501@pbx.example>;tag=x1", "2502-1", "2502");
        assert_eq!(
            forged.as_deref(),
            Some(&b"\"Anna\" <sip:2502-1@pbx.example>;tag=x1"[..])
        );
        let bare = own_from(b"sip:2501@pbx.example;tag=9", "2502-1", "2502");
        assert_eq!(bare.as_deref(), Some(&b"sip:2502-1@pbx.example;tag=9"[..]));
    }

    #[test]
    fn its_own_name_or_extension_stays_as_sent() {
        for own in [
            &b"<sip:2502-1@pbx.example>;tag=a"[..],
            b"\"Dora\" <sip:2502@192.0.2.1:5060>;tag=b",
        ] {
            assert_eq!(own_from(own, "2502-1", "2502"), None);
        }
        assert_eq!(own_from(b"<tel:+4930123>;tag=c", "2502-1", "2502"), None);
        assert_eq!(own_from(b"<sip:pbx.example>;tag=d", "2502-1", "2502"), None);
    }
}
