//! Secrets sealed at rest (issue 20): a person's TOTP secret is stored encrypted with the
//! data folder's key, so a stolen database dump does not give away anyone's second factor.
//!
//! XChaCha20-Poly1305 (an AEAD) with a fresh random 24-byte nonce per secret; the person's
//! staff id is the associated data, so a sealed secret copied to another person's row does
//! not open. Stored as `v1:` followed by base64 of nonce ‖ ciphertext ‖ tag. A plain TOTP
//! secret is base32 (`A`–`Z`, `2`–`7`) and never holds a `:`, so the two cannot be
//! confused.
//!
//! Pure: the nonce is an argument ([`fresh_nonce`] draws one); no I/O besides that.

use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};

/// Length of the key in bytes.
pub const KEY_LEN: usize = 32;
/// Length of a nonce in bytes.
pub const NONCE_LEN: usize = 24;
/// The prefix of the current format.
const V1: &str = "v1:";
const BASE64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The key that seals secrets at rest. Its `Debug` never shows the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretsKey([u8; KEY_LEN]);

impl SecretsKey {
    /// A key from its bytes.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> SecretsKey {
        SecretsKey(bytes)
    }

    /// A key from exactly [`KEY_LEN`] bytes (a key file's contents); `None` otherwise.
    pub fn from_slice(bytes: &[u8]) -> Option<SecretsKey> {
        Some(SecretsKey(bytes.try_into().ok()?))
    }

    /// A new random key from the operating system.
    pub fn generate() -> Result<SecretsKey, getrandom::Error> {
        let mut bytes = [0u8; KEY_LEN];
        getrandom::fill(&mut bytes)?;
        Ok(SecretsKey(bytes))
    }

    /// The bytes, to write the key file.
    pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&Key::from(self.0))
    }
}

impl std::fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretsKey(redacted)")
    }
}

/// Why a stored secret does not open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnsealError {
    /// The value is a plain (never sealed) secret.
    #[error("the secret is stored unencrypted")]
    NotSealed,
    /// A format this build does not know (written by a newer Durchwahl?).
    #[error("unknown format {0:?} (written by a newer Durchwahl?)")]
    UnknownVersion(String),
    /// Not valid base64, or too short to hold a nonce and a tag.
    #[error("the sealed value is malformed")]
    Malformed,
    /// The tag does not match: another key, another person, or a changed value.
    #[error("the sealed value does not open with this key for this person")]
    Inauthentic,
}

/// Whether `stored` is in a sealed format (any version), rather than a plain secret.
pub fn is_sealed(stored: &str) -> bool {
    stored.contains(':')
}

/// A fresh random nonce from the operating system.
pub fn fresh_nonce() -> Result<[u8; NONCE_LEN], getrandom::Error> {
    let mut nonce = [0u8; NONCE_LEN];
    getrandom::fill(&mut nonce)?;
    Ok(nonce)
}

/// Seals `secret` of person `staff_id` with `key`, using `nonce` (never use one twice).
pub fn seal(key: &SecretsKey, staff_id: i64, secret: &str, nonce: [u8; NONCE_LEN]) -> String {
    let aad = associated_data(staff_id);
    let sealed = key
        .cipher()
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: secret.as_bytes(),
                aad: &aad,
            },
        )
        // Only fails for messages near 256 GiB.
        .expect("a secret of a few bytes seals");
    let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    format!("{V1}{}", BASE64.encode(out))
}

/// Opens what [`seal`] made for person `staff_id`.
pub fn unseal(key: &SecretsKey, staff_id: i64, stored: &str) -> Result<String, UnsealError> {
    let Some(body) = stored.strip_prefix(V1) else {
        return Err(match stored.split_once(':') {
            Some((version, _)) => UnsealError::UnknownVersion(version.to_string()),
            None => UnsealError::NotSealed,
        });
    };
    let bytes = BASE64.decode(body).map_err(|_| UnsealError::Malformed)?;
    // A nonce and a 16-byte tag at least.
    if bytes.len() < NONCE_LEN + 16 {
        return Err(UnsealError::Malformed);
    }
    let (nonce, sealed) = bytes.split_at(NONCE_LEN);
    let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| UnsealError::Malformed)?;
    let aad = associated_data(staff_id);
    let plain = key
        .cipher()
        .decrypt(
            &XNonce::from(nonce),
            Payload {
                msg: sealed,
                aad: &aad,
            },
        )
        .map_err(|_| UnsealError::Inauthentic)?;
    String::from_utf8(plain).map_err(|_| UnsealError::Malformed)
}

/// Binds a sealed secret to its column and person.
fn associated_data(staff_id: i64) -> Vec<u8> {
    format!("durchwahl totp_factors.secret staff_id={staff_id}").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    fn key(byte: u8) -> SecretsKey {
        SecretsKey::from_bytes([byte; KEY_LEN])
    }

    #[test]
    fn round_trip_and_the_stored_form() {
        let sealed = seal(&key(1), 42, SECRET, [7; NONCE_LEN]);
        assert!(sealed.starts_with("v1:") && is_sealed(&sealed), "{sealed}");
        assert!(!sealed.contains(SECRET));
        assert_eq!(unseal(&key(1), 42, &sealed), Ok(SECRET.to_string()));
        // nonce 24 + secret 32 + tag 16 bytes, base64 with padding.
        assert_eq!(sealed.len(), 3 + 72 / 3 * 4);
    }

    #[test]
    fn fresh_nonces_make_different_values_for_the_same_secret() {
        let a = seal(&key(1), 42, SECRET, fresh_nonce().unwrap());
        let b = seal(&key(1), 42, SECRET, fresh_nonce().unwrap());
        assert_ne!(a, b);
        assert_eq!(unseal(&key(1), 42, &a), unseal(&key(1), 42, &b));
    }

    #[test]
    fn another_key_or_person_does_not_open_it() {
        let sealed = seal(&key(1), 42, SECRET, [7; NONCE_LEN]);
        assert_eq!(unseal(&key(2), 42, &sealed), Err(UnsealError::Inauthentic));
        assert_eq!(unseal(&key(1), 43, &sealed), Err(UnsealError::Inauthentic));
    }

    #[test]
    fn any_changed_byte_is_detected() {
        let sealed = seal(&key(1), 42, SECRET, [7; NONCE_LEN]);
        let bytes = BASE64.decode(&sealed[3..]).unwrap();
        for i in 0..bytes.len() {
            let mut tampered = bytes.clone();
            tampered[i] ^= 0x01;
            let stored = format!("v1:{}", BASE64.encode(&tampered));
            assert_eq!(
                unseal(&key(1), 42, &stored),
                Err(UnsealError::Inauthentic),
                "byte {i}"
            );
        }
        let cut = format!("v1:{}", BASE64.encode(&bytes[..bytes.len() - 1]));
        assert_eq!(unseal(&key(1), 42, &cut), Err(UnsealError::Inauthentic));
    }

    #[test]
    fn plain_malformed_and_unknown_values_are_told_apart() {
        assert!(!is_sealed(SECRET));
        assert_eq!(unseal(&key(1), 42, SECRET), Err(UnsealError::NotSealed));
        assert_eq!(
            unseal(&key(1), 42, "v1:not base64!"),
            Err(UnsealError::Malformed)
        );
        assert_eq!(
            unseal(&key(1), 42, &format!("v1:{}", BASE64.encode([0u8; 39]))),
            Err(UnsealError::Malformed)
        );
        assert_eq!(
            unseal(&key(1), 42, "v2:AAAA"),
            Err(UnsealError::UnknownVersion("v2".into()))
        );
    }

    #[test]
    fn keys_come_from_32_bytes_and_never_print() {
        assert!(SecretsKey::from_slice(&[0; 31]).is_none());
        assert!(SecretsKey::from_slice(&[0; 33]).is_none());
        let k = SecretsKey::from_slice(&[0xAB; 32]).unwrap();
        assert_eq!(k.as_bytes(), &[0xAB; 32]);
        assert_eq!(format!("{k:?}"), "SecretsKey(redacted)");
        assert_ne!(
            SecretsKey::generate().unwrap(),
            SecretsKey::generate().unwrap()
        );
    }
}
