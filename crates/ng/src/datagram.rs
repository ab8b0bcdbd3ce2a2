//! The frame around every ng message: `cookie SP bencoded-dictionary`. The cookie matches
//! a reply to its request (and lets a server answer a retransmission from a cache).

use crate::bencode::{self, Value, MAX_INPUT};
use crate::Error;
use std::collections::BTreeMap;

/// The cookie of a datagram, for answering even a request whose dictionary is invalid.
pub fn cookie(datagram: &[u8]) -> Result<&str, Error> {
    let space = datagram
        .iter()
        .position(|&b| b == b' ')
        .ok_or(Error::NoCookie)?;
    let cookie = &datagram[..space];
    if cookie.is_empty() || !cookie.iter().all(u8::is_ascii_graphic) {
        return Err(Error::BadCookie);
    }
    // All ASCII, so this cannot fail; no panic either way.
    std::str::from_utf8(cookie).map_err(|_| Error::BadCookie)
}

/// Splits a datagram into its cookie and its dictionary.
pub fn split(datagram: &[u8]) -> Result<(String, BTreeMap<Vec<u8>, Value>), Error> {
    if datagram.len() > MAX_INPUT {
        return Err(Error::TooLong {
            len: datagram.len(),
            max: MAX_INPUT,
        });
    }
    let cookie = cookie(datagram)?;
    match bencode::decode(&datagram[cookie.len() + 1..])? {
        Value::Dict(entries) => Ok((cookie.to_owned(), entries)),
        _ => Err(Error::NotADictionary),
    }
}

/// `cookie SP dictionary`.
pub fn join(cookie: &str, dict: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(cookie.len() + 64);
    out.extend_from_slice(cookie.as_bytes());
    out.push(b' ');
    dict.encode_into(&mut out);
    out
}

/// Reads the text under `key`; `Ok(None)` when absent.
pub fn optional_text(
    dict: &BTreeMap<Vec<u8>, Value>,
    key: &'static str,
) -> Result<Option<String>, Error> {
    match dict.get(key.as_bytes()) {
        None => Ok(None),
        Some(Value::Bytes(b)) => String::from_utf8(b.clone())
            .map(Some)
            .map_err(|_| Error::NotUtf8 { key }),
        Some(_) => Err(Error::WrongType {
            key,
            expected: "a string",
        }),
    }
}

/// Reads the text under `key`, which must be there.
pub fn text(dict: &BTreeMap<Vec<u8>, Value>, key: &'static str) -> Result<String, Error> {
    optional_text(dict, key)?.ok_or(Error::MissingKey { key })
}

/// Reads a list of strings under `key`; empty when absent.
pub fn text_list(dict: &BTreeMap<Vec<u8>, Value>, key: &'static str) -> Result<Vec<String>, Error> {
    let Some(value) = dict.get(key.as_bytes()) else {
        return Ok(Vec::new());
    };
    let wrong = Error::WrongType {
        key,
        expected: "a list of strings",
    };
    let items = value.as_list().ok_or(wrong.clone())?;
    items
        .iter()
        .map(|item| {
            let bytes = item.as_bytes().ok_or(wrong.clone())?;
            String::from_utf8(bytes.to_vec()).map_err(|_| Error::NotUtf8 { key })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_is_everything_before_the_first_space() {
        assert_eq!(cookie(b"5323_1 d7:command4:pinge"), Ok("5323_1"));
        assert_eq!(cookie(b"d7:command4:pinge"), Err(Error::NoCookie));
        assert_eq!(cookie(b" d7:command4:pinge"), Err(Error::BadCookie));
        assert_eq!(cookie(b"a\x01b de"), Err(Error::BadCookie));
        assert_eq!(cookie("\u{e9} de".as_bytes()), Err(Error::BadCookie));
    }

    #[test]
    fn split_needs_a_dictionary() {
        assert_eq!(split(b"c le"), Err(Error::NotADictionary));
        assert!(matches!(
            split(b"c d"),
            Err(Error::UnexpectedEnd { offset: 1 })
        ));
        let (c, d) = split(b"c d1:ai1ee").unwrap();
        assert_eq!((c.as_str(), d.len()), ("c", 1));
    }
}
