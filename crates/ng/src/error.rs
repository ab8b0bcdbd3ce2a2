//! The one error type of this crate: why a datagram is not bencode or not an ng message.

/// Why bytes are not a bencoded value or not an ng message. Offsets count bytes from the
/// start of the bencoded part (after the cookie and its space).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The input is longer than one UDP datagram can be.
    #[error("{len} bytes are over the limit of {max}")]
    TooLong {
        /// Bytes given.
        len: usize,
        /// The most accepted.
        max: usize,
    },
    /// The input ends inside a value.
    #[error("the input ends at byte {offset} inside a value")]
    UnexpectedEnd {
        /// Where more was expected.
        offset: usize,
    },
    /// A byte that cannot start or continue the value being read.
    #[error("unexpected byte {found:#04x} at byte {offset}, expected {expected}")]
    UnexpectedByte {
        /// Where.
        offset: usize,
        /// The byte found.
        found: u8,
        /// What was allowed there.
        expected: &'static str,
    },
    /// An integer or a string length with a leading zero, `-0`, or no digits: bencode
    /// has exactly one spelling per number.
    #[error("number at byte {offset} is not canonical (no digits, a leading zero or -0)")]
    NonCanonicalNumber {
        /// Where the number starts.
        offset: usize,
    },
    /// An integer beyond 64 bits, or a string length beyond the address space.
    #[error("number at byte {offset} is too large")]
    NumberTooLarge {
        /// Where the number starts.
        offset: usize,
    },
    /// A string whose length runs past the end of the input.
    #[error("string at byte {offset} claims {len} bytes but {left} follow")]
    StringBeyondEnd {
        /// Where the length starts.
        offset: usize,
        /// The claimed length.
        len: usize,
        /// Bytes left in the input.
        left: usize,
    },
    /// Lists and dictionaries nested deeper than the limit.
    #[error("nesting deeper than {max} at byte {offset}")]
    TooDeep {
        /// Where the limit was crossed.
        offset: usize,
        /// The deepest nesting accepted.
        max: usize,
    },
    /// A dictionary key that appeared before in the same dictionary.
    #[error("duplicate dictionary key at byte {offset}")]
    DuplicateKey {
        /// Where the second copy starts.
        offset: usize,
    },
    /// Bytes after a complete value.
    #[error("{left} bytes after the value, from byte {offset}")]
    TrailingData {
        /// Where the extra bytes start.
        offset: usize,
        /// How many.
        left: usize,
    },
    /// No space separates the cookie from the bencoded dictionary.
    #[error("no space after the cookie")]
    NoCookie,
    /// The cookie is empty or holds bytes other than printable ASCII.
    #[error("the cookie is empty or not printable ASCII")]
    BadCookie,
    /// The message is bencode but not a dictionary.
    #[error("the message is not a dictionary")]
    NotADictionary,
    /// A key the command needs is absent.
    #[error("key {key:?} is missing")]
    MissingKey {
        /// The key.
        key: &'static str,
    },
    /// A key holds another kind of value than the protocol says.
    #[error("key {key:?} should be {expected}")]
    WrongType {
        /// The key.
        key: &'static str,
        /// What the protocol says it holds.
        expected: &'static str,
    },
    /// A key that must hold text holds bytes that are not UTF-8.
    #[error("key {key:?} is not UTF-8")]
    NotUtf8 {
        /// The key.
        key: &'static str,
    },
}
