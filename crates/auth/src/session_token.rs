//! Session and CSRF tokens: 256 random bits in base64url. The browser holds the token;
//! the database holds only its hash, so a leaked table cannot be replayed as cookies.

use std::fmt;

use crate::codes::sha256_hex;

/// Random bytes in a token: 256 bits, beyond any guessing.
const TOKEN_BYTES: usize = 32;
/// RFC 4648 §5, safe in cookies, headers and URLs without escaping.
const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A session token as handed to the browser: 43 base64url characters. Debug never
/// shows it.
/// No `PartialEq`: tokens are found by [`token_hash`], never compared directly.
#[derive(Clone)]
pub struct SessionToken(String);

impl SessionToken {
    /// A fresh random token.
    pub fn generate() -> Self {
        Self(random_token())
    }

    /// The token text, for the cookie.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(***)")
    }
}

/// Hex SHA-256 of a token as presented, the form the database stores and looks up.
/// A fast hash suffices: the token has 256 random bits, so nothing can be guessed
/// from the hash, and the lookup by hash needs no constant-time comparison.
pub fn token_hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

/// A fresh CSRF token, in the same format as a session token.
pub fn generate_csrf_token() -> String {
    random_token()
}

/// 32 random bytes in base64url without padding (RFC 4648 §5 and §3.2).
fn random_token() -> String {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).expect("the operating system random generator failed");
    base64url(&bytes)
}

/// Base64url without padding: each 3 bytes become 4 symbols, a final 1 or 2 bytes
/// become 2 or 3.
fn base64url(bytes: &[u8]) -> String {
    let mut text = String::with_capacity((bytes.len() * 4).div_ceil(3));
    for chunk in bytes.chunks(3) {
        let group = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            text.push(BASE64URL[(group >> (18 - 6 * i)) as usize & 63] as char);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn assert_token_shape(token: &str) {
        assert_eq!(token.len(), 43, "{token}");
        assert!(token.bytes().all(|b| BASE64URL.contains(&b)), "{token}");
    }

    #[test]
    fn base64url_known_vectors() {
        // RFC 4648 §10, without padding, and the two symbols that differ from base64.
        let vectors: [(&[u8], &str); 7] = [
            (b"", ""),
            (b"f", "Zg"),
            (b"fo", "Zm8"),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg"),
            (b"foobar", "Zm9vYmFy"),
            (&[0xfb, 0xff], "-_8"),
        ];
        for (bytes, text) in vectors {
            assert_eq!(base64url(bytes), text);
        }
    }

    #[test]
    fn tokens_are_43_base64url_chars_and_unique() {
        let tokens: HashSet<String> = (0..1000)
            .map(|_| SessionToken::generate().as_str().to_owned())
            .chain((0..1000).map(|_| generate_csrf_token()))
            .collect();
        assert_eq!(tokens.len(), 2000);
        for token in &tokens {
            assert_token_shape(token);
        }
    }

    #[test]
    fn debug_is_redacted() {
        let token = SessionToken::generate();
        let debug = format!("{token:?}");
        assert_eq!(debug, "SessionToken(***)");
        assert!(!debug.contains(token.as_str()));
    }

    #[test]
    fn hash_is_stable_and_distinct() {
        let token = SessionToken::generate();
        assert_eq!(token_hash(token.as_str()), token_hash(token.as_str()));
        assert_ne!(
            token_hash(token.as_str()),
            token_hash(&generate_csrf_token())
        );
        // FIPS 180-4 example "abc".
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(token_hash(token.as_str()).len(), 64);
    }
}
