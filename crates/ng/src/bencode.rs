//! Bencode (BitTorrent BEP 3), the encoding of ng messages: byte strings `4:spam`,
//! integers `i42e`, lists `l...e` and dictionaries `d...e`.
//!
//! Decoding is strict where the encoding is unambiguous: numbers have one spelling (no
//! leading zeros, no `-0`), dictionary keys are byte strings and unique, nothing may follow
//! the value, nesting and size are bounded. It is lenient in one place: dictionary keys
//! need not be sorted, because rtpengine itself sends `d3:sdp...6:result2:oke`.
//! Encoding always writes sorted keys, so `decode(encode(v)) == v` for every value and
//! `encode(decode(b)) == b` for every canonical `b`.

use crate::Error;
use std::collections::BTreeMap;

/// The deepest nesting of lists and dictionaries accepted (ng messages use two levels).
pub const MAX_DEPTH: usize = 32;

/// The longest input accepted: the largest UDP payload.
pub const MAX_INPUT: usize = 65_535;

/// A bencoded value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A byte string (text in ng messages, but bencode does not say so).
    Bytes(Vec<u8>),
    /// A signed 64-bit integer.
    Int(i64),
    /// A list.
    List(Vec<Value>),
    /// A dictionary, keys in byte order.
    Dict(BTreeMap<Vec<u8>, Value>),
}

impl Value {
    /// The bytes of a byte string.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The integer.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The items of a list.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// The entries of a dictionary.
    pub fn as_dict(&self) -> Option<&BTreeMap<Vec<u8>, Value>> {
        match self {
            Value::Dict(d) => Some(d),
            _ => None,
        }
    }

    /// The value under `key` when this is a dictionary.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_dict()?.get(key.as_bytes())
    }

    /// The bencoded bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_into(&mut out);
        out
    }

    /// Appends the bencoded bytes to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            Value::Bytes(b) => encode_bytes(b, out),
            Value::Int(i) => {
                out.push(b'i');
                out.extend_from_slice(i.to_string().as_bytes());
                out.push(b'e');
            }
            Value::List(items) => {
                out.push(b'l');
                for item in items {
                    item.encode_into(out);
                }
                out.push(b'e');
            }
            Value::Dict(entries) => {
                out.push(b'd');
                for (key, value) in entries {
                    encode_bytes(key, out);
                    value.encode_into(out);
                }
                out.push(b'e');
            }
        }
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::Bytes(text.as_bytes().to_vec())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::Bytes(text.into_bytes())
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl<const N: usize> From<[(&str, Value); N]> for Value {
    /// A dictionary from text keys.
    fn from(entries: [(&str, Value); N]) -> Self {
        Value::Dict(
            entries
                .into_iter()
                .map(|(k, v)| (k.as_bytes().to_vec(), v))
                .collect(),
        )
    }
}

fn encode_bytes(bytes: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(bytes.len().to_string().as_bytes());
    out.push(b':');
    out.extend_from_slice(bytes);
}

/// Decodes exactly one value that fills all of `input`.
pub fn decode(input: &[u8]) -> Result<Value, Error> {
    if input.len() > MAX_INPUT {
        return Err(Error::TooLong {
            len: input.len(),
            max: MAX_INPUT,
        });
    }
    let mut decoder = Decoder { input, pos: 0 };
    let value = decoder.value(0)?;
    if decoder.pos < input.len() {
        return Err(Error::TrailingData {
            offset: decoder.pos,
            left: input.len() - decoder.pos,
        });
    }
    Ok(value)
}

struct Decoder<'a> {
    input: &'a [u8],
    pos: usize,
}

impl Decoder<'_> {
    fn peek(&self) -> Result<u8, Error> {
        self.input
            .get(self.pos)
            .copied()
            .ok_or(Error::UnexpectedEnd { offset: self.pos })
    }

    fn value(&mut self, depth: usize) -> Result<Value, Error> {
        match self.peek()? {
            b'i' => {
                self.pos += 1;
                let i = self.integer()?;
                Ok(Value::Int(i))
            }
            b'0'..=b'9' => Ok(Value::Bytes(self.bytes()?.to_vec())),
            b'l' | b'd' if depth >= MAX_DEPTH => Err(Error::TooDeep {
                offset: self.pos,
                max: MAX_DEPTH,
            }),
            b'l' => {
                self.pos += 1;
                let mut items = Vec::new();
                while self.peek()? != b'e' {
                    items.push(self.value(depth + 1)?);
                }
                self.pos += 1;
                Ok(Value::List(items))
            }
            b'd' => {
                self.pos += 1;
                let mut entries = BTreeMap::new();
                while self.peek()? != b'e' {
                    let key_at = self.pos;
                    if !self.peek()?.is_ascii_digit() {
                        return Err(self.unexpected("a byte-string key or 'e'"));
                    }
                    let key = self.bytes()?.to_vec();
                    let value = self.value(depth + 1)?;
                    if entries.insert(key, value).is_some() {
                        return Err(Error::DuplicateKey { offset: key_at });
                    }
                }
                self.pos += 1;
                Ok(Value::Dict(entries))
            }
            _ => Err(self.unexpected("'i', 'l', 'd' or a digit")),
        }
    }

    fn unexpected(&self, expected: &'static str) -> Error {
        match self.input.get(self.pos) {
            Some(&found) => Error::UnexpectedByte {
                offset: self.pos,
                found,
                expected,
            },
            None => Error::UnexpectedEnd { offset: self.pos },
        }
    }

    /// `<digits>e` after the `i`, optionally negative.
    fn integer(&mut self) -> Result<i64, Error> {
        let start = self.pos;
        let negative = self.peek()? == b'-';
        if negative {
            self.pos += 1;
        }
        let digits_at = self.pos;
        let mut value: i64 = 0;
        while self.peek()?.is_ascii_digit() {
            let digit = i64::from(self.input[self.pos] - b'0');
            // Accumulate towards the sign so that i64::MIN fits.
            value = value
                .checked_mul(10)
                .and_then(|v| {
                    if negative {
                        v.checked_sub(digit)
                    } else {
                        v.checked_add(digit)
                    }
                })
                .ok_or(Error::NumberTooLarge { offset: start })?;
            self.pos += 1;
        }
        let digits = &self.input[digits_at..self.pos];
        let leading_zero = digits.len() > 1 && digits[0] == b'0';
        if digits.is_empty() || leading_zero || (negative && value == 0) {
            return Err(Error::NonCanonicalNumber { offset: start });
        }
        if self.peek()? != b'e' {
            return Err(self.unexpected("a digit or 'e'"));
        }
        self.pos += 1;
        Ok(value)
    }

    /// `<length>:<bytes>`.
    fn bytes(&mut self) -> Result<&[u8], Error> {
        let start = self.pos;
        let mut len: usize = 0;
        while self.peek()?.is_ascii_digit() {
            let digit = usize::from(self.input[self.pos] - b'0');
            len = len
                .checked_mul(10)
                .and_then(|l| l.checked_add(digit))
                .ok_or(Error::NumberTooLarge { offset: start })?;
            self.pos += 1;
        }
        if self.pos - start > 1 && self.input[start] == b'0' {
            return Err(Error::NonCanonicalNumber { offset: start });
        }
        if self.peek()? != b':' {
            return Err(self.unexpected("a digit or ':'"));
        }
        self.pos += 1;
        let left = self.input.len() - self.pos;
        if len > left {
            return Err(Error::StringBeyondEnd {
                offset: start,
                len,
                left,
            });
        }
        let bytes = &self.input[self.pos..self.pos + len];
        self.pos += len;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ok(text: &str) -> Value {
        decode(text.as_bytes()).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn err(text: &[u8]) -> Error {
        decode(text).unwrap_err()
    }

    #[test]
    fn decodes_the_bep3_examples() {
        assert_eq!(ok("4:spam"), Value::from("spam"));
        assert_eq!(ok("0:"), Value::Bytes(vec![]));
        assert_eq!(ok("i3e"), Value::Int(3));
        assert_eq!(ok("i-3e"), Value::Int(-3));
        assert_eq!(ok("i0e"), Value::Int(0));
        assert_eq!(
            ok("l4:spam4:eggse"),
            Value::List(vec!["spam".into(), "eggs".into()])
        );
        assert_eq!(
            ok("d3:cow3:moo4:spam4:eggse"),
            Value::from([("cow", "moo".into()), ("spam", "eggs".into())])
        );
        assert_eq!(ok("le"), Value::List(vec![]));
        assert_eq!(ok("de"), Value::Dict(BTreeMap::new()));
    }

    #[test]
    fn integers_at_the_edges() {
        assert_eq!(ok("i9223372036854775807e"), Value::Int(i64::MAX));
        assert_eq!(ok("i-9223372036854775808e"), Value::Int(i64::MIN));
        assert_eq!(
            err(b"i9223372036854775808e"),
            Error::NumberTooLarge { offset: 1 }
        );
        assert_eq!(
            err(b"i-9223372036854775809e"),
            Error::NumberTooLarge { offset: 1 }
        );
    }

    #[test]
    fn rejects_non_canonical_numbers() {
        for bad in ["i-0e", "i03e", "ie", "i-e", "03:abc"] {
            assert!(
                matches!(err(bad.as_bytes()), Error::NonCanonicalNumber { .. }),
                "{bad}"
            );
        }
    }

    #[test]
    fn accepts_unsorted_keys_as_rtpengine_sends_them_and_encodes_sorted() {
        let v = ok("d3:sdp3:v=06:result2:oke");
        assert_eq!(v.get("result"), Some(&Value::from("ok")));
        assert_eq!(v.encode(), b"d6:result2:ok3:sdp3:v=0e");
    }

    #[test]
    fn rejects_malformed_input_with_the_place() {
        assert_eq!(err(b""), Error::UnexpectedEnd { offset: 0 });
        assert_eq!(
            err(b"4:spa"),
            Error::StringBeyondEnd {
                offset: 0,
                len: 4,
                left: 3
            }
        );
        assert_eq!(err(b"i1"), Error::UnexpectedEnd { offset: 2 });
        assert_eq!(err(b"l4:spam"), Error::UnexpectedEnd { offset: 7 });
        assert_eq!(err(b"i1ei2e"), Error::TrailingData { offset: 3, left: 3 });
        assert_eq!(err(b"d1:ai1e1:ai2ee"), Error::DuplicateKey { offset: 7 });
        assert!(matches!(
            err(b"di1ei2ee"),
            Error::UnexpectedByte {
                offset: 1,
                found: b'i',
                ..
            }
        ));
        assert!(matches!(
            err(b"x"),
            Error::UnexpectedByte {
                offset: 0,
                found: b'x',
                ..
            }
        ));
        assert!(matches!(
            err(b"i1x"),
            Error::UnexpectedByte { offset: 2, .. }
        ));
        assert!(matches!(
            err(b"4x"),
            Error::UnexpectedByte { offset: 1, .. }
        ));
        assert_eq!(
            err(b"99999999999999999999999:"),
            Error::NumberTooLarge { offset: 0 }
        );
    }

    #[test]
    fn bounds_nesting_and_size() {
        let deep = |n: usize| format!("{}{}", "l".repeat(n), "e".repeat(n));
        assert!(decode(deep(MAX_DEPTH).as_bytes()).is_ok());
        assert_eq!(
            err(deep(MAX_DEPTH + 1).as_bytes()),
            Error::TooDeep {
                offset: MAX_DEPTH,
                max: MAX_DEPTH
            }
        );
        // Far deeper than the stack would allow without the bound.
        assert!(matches!(
            err(deep(1_000_000).as_bytes()),
            Error::TooLong { .. }
        ));
        assert!(matches!(
            err("l".repeat(60_000).as_bytes()),
            Error::TooDeep { .. }
        ));
        let big = format!("{}:{}", MAX_INPUT, "x".repeat(MAX_INPUT));
        assert!(matches!(err(big.as_bytes()), Error::TooLong { .. }));
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            any::<i64>().prop_map(Value::Int),
            proptest::collection::vec(any::<u8>(), 0..20).prop_map(Value::Bytes),
        ];
        leaf.prop_recursive(4, 64, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::List),
                proptest::collection::btree_map(
                    proptest::collection::vec(any::<u8>(), 0..8),
                    inner,
                    0..6
                )
                .prop_map(Value::Dict),
            ]
        })
    }

    proptest! {
        #[test]
        fn encode_then_decode_round_trips(v in value()) {
            let bytes = v.encode();
            prop_assert_eq!(decode(&bytes), Ok(v));
        }

        #[test]
        fn decode_never_panics_and_re_encodes_canonically(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Ok(v) = decode(&bytes) {
                // A decoded value encodes to the same bytes unless its keys were unsorted.
                let again = v.encode();
                prop_assert_eq!(decode(&again), Ok(v));
            }
        }

        #[test]
        fn decode_never_panics_on_bencode_like_bytes(
            bytes in proptest::collection::vec(prop_oneof![
                Just(b'i'), Just(b'l'), Just(b'd'), Just(b'e'), Just(b':'), Just(b'-'),
                Just(b'0'), Just(b'1'), Just(b'2'), Just(b'9'), any::<u8>()
            ], 0..200)
        ) {
            let _ = decode(&bytes);
        }
    }
}
