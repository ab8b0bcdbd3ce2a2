//! Time-based one-time passwords (RFC 6238) as a pure function of (secret, code, now,
//! last used step). `totp-rs` computes the HOTP value; the acceptance window and the
//! replay rule are ours, because they are the security decision.

use std::fmt;

use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, TOTP};

/// Code length. Six digits is what every authenticator app shows by default.
pub const DIGITS: usize = 6;
/// Time step X in seconds (RFC 6238 §5.2 recommends 30).
pub const PERIOD: u64 = 30;
/// Length of a generated secret: 160 bits, the length RFC 4226 §4 (R6) recommends.
pub const SECRET_LEN: usize = 20;

/// RFC 4648 §6, the alphabet authenticator apps expect in the `secret` parameter.
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Why a submitted TOTP code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    /// Not six digits (spaces anywhere are allowed and ignored).
    #[error("the code must consist of {DIGITS} digits")]
    Malformed,
    /// Six digits, but not the code of the current step or a neighbouring one.
    #[error("the code is not correct")]
    Wrong,
    /// Correct for a step at or before the last accepted one.
    #[error("the code has already been used")]
    Replayed,
}

/// The shared secret K of RFC 4226 §5.1. Debug never shows it.
#[derive(Clone)]
pub struct TotpSecret(Vec<u8>);

impl TotpSecret {
    /// A new random secret of [`SECRET_LEN`] bytes from the operating system.
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; SECRET_LEN];
        getrandom::fill(&mut bytes).expect("the operating system random generator failed");
        Self(bytes)
    }

    /// Wraps stored secret bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// Decodes RFC 4648 base32 without padding, ignoring case and whitespace. `None` for
    /// an empty secret, a character outside the alphabet (including `=`), a length that
    /// no byte string encodes to, or non-zero trailing bits (RFC 4648 §3.5), so that
    /// every accepted input has exactly one meaning.
    pub fn from_base32(text: &str) -> Option<Self> {
        let mut bytes = Vec::with_capacity(text.len() * 5 / 8);
        let (mut buffer, mut bits) = (0u32, 0u32);
        for c in text.chars().filter(|c| !c.is_whitespace()) {
            let upper = c.to_ascii_uppercase() as u32;
            let value = BASE32.iter().position(|&a| u32::from(a) == upper)? as u32;
            buffer = (buffer << 5) | value;
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                bytes.push((buffer >> bits) as u8);
                buffer &= (1 << bits) - 1;
            }
        }
        // RFC 4648 §6: a final quantum is 2, 4, 5 or 7 symbols; the other lengths leave
        // a whole unused symbol (5 or more bits) behind.
        if bytes.is_empty() || bits >= 5 || buffer != 0 {
            return None;
        }
        Some(Self(bytes))
    }

    /// Encodes as upper-case RFC 4648 base32 without padding, as the Key URI wants it.
    pub fn to_base32(&self) -> String {
        let mut text = String::with_capacity((self.0.len() * 8).div_ceil(5));
        let (mut buffer, mut bits) = (0u32, 0u32);
        for &byte in &self.0 {
            buffer = (buffer << 8) | u32::from(byte);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                text.push(BASE32[(buffer >> bits) as usize & 31] as char);
            }
            buffer &= (1 << bits) - 1;
        }
        if bits > 0 {
            text.push(BASE32[(buffer << (5 - bits)) as usize & 31] as char);
        }
        text
    }

    /// The raw secret, for storage.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// A `totp-rs` generator for this secret. `new_unchecked` because stored secrets
    /// are trusted and length policy belongs to [`TotpSecret::generate`].
    fn generator(&self) -> TOTP {
        TOTP::new_unchecked(Algorithm::SHA1, DIGITS, 0, PERIOD, self.0.clone())
    }
}

impl fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpSecret(***)")
    }
}

/// The `otpauth://` Key URI that authenticator apps read from a QR code (Google
/// Authenticator "Key Uri Format"). The issuer appears both as label prefix and as
/// parameter, as that document recommends for older and newer apps alike.
pub fn otpauth_uri(secret: &TotpSecret, issuer: &str, account: &str) -> String {
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}\
         &algorithm=SHA1&digits={DIGITS}&period={PERIOD}",
        account = percent_encode(account),
        secret = secret.to_base32(),
    )
}

/// RFC 3986 §2.1 percent-encoding of UTF-8 bytes; only the unreserved characters of
/// §2.3 stay literal, so ':' (the label separator), spaces and umlauts are all escaped.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The six-digit code for `unix_time` (RFC 6238 §4.2: T = floor(unix_time / 30)).
pub fn code_at(secret: &TotpSecret, unix_time: u64) -> String {
    secret.generator().generate(unix_time)
}

/// Checks `code` at `unix_time` and returns the time step it belongs to; the caller
/// stores that step and passes it back as `last_used_step` next time.
///
/// RFC 6238 §5.2 allows the step before and after the current one for clock drift.
/// RFC 6238 §5.2 also asks that a code be accepted only once: any step at or before
/// `last_used_step` is [`TotpError::Replayed`], which also stops an older code from
/// being used after a newer one.
///
/// ```
/// use auth::totp::{code_at, verify, TotpError, TotpSecret};
///
/// let secret = TotpSecret::generate();
/// let now = 1_700_000_000;
/// let code = code_at(&secret, now);
/// // The shell stores the returned step with the factor…
/// let last_used = verify(&secret, &code, now, None).unwrap();
/// // …and passes it back, so the same code is refused ten seconds later.
/// assert_eq!(verify(&secret, &code, now + 10, Some(last_used)), Err(TotpError::Replayed));
/// ```
pub fn verify(
    secret: &TotpSecret,
    code: &str,
    unix_time: u64,
    last_used_step: Option<u64>,
) -> Result<u64, TotpError> {
    let code: Vec<u8> = code.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if code.len() != DIGITS || !code.iter().all(u8::is_ascii_digit) {
        return Err(TotpError::Malformed);
    }
    let generator = secret.generator();
    let now = unix_time / PERIOD;
    let mut matched = None;
    let mut replayed = false;
    for step in [now.checked_sub(1), Some(now), now.checked_add(1)]
        .into_iter()
        .flatten()
    {
        let Some(time) = step.checked_mul(PERIOD) else {
            continue;
        };
        // Every candidate is computed and compared, so the time taken does not tell
        // how close a guess came.
        let equal: bool = generator.generate(time).as_bytes().ct_eq(&code).into();
        if equal && last_used_step.is_some_and(|last| step <= last) {
            replayed = true;
        } else if equal && matched.is_none() {
            matched = Some(step);
        }
    }
    match matched {
        Some(step) => Ok(step),
        None if replayed => Err(TotpError::Replayed),
        None => Err(TotpError::Wrong),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// RFC 6238 Appendix B and RFC 4226 Appendix D: the ASCII seed "12345678901234567890".
    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(b"12345678901234567890".to_vec())
    }

    #[test]
    fn rfc6238_appendix_b_sha1() {
        // The RFC prints 8 digits; a 6-digit code is their last six (RFC 4226 §5.3).
        let rows = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (time, eight) in rows {
            assert_eq!(code_at(&rfc_secret(), time), eight[2..], "T = {time}");
        }
    }

    #[test]
    fn rfc4226_appendix_d_hotp() {
        let values = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, value) in values.iter().enumerate() {
            let time = counter as u64 * PERIOD;
            assert_eq!(code_at(&rfc_secret(), time), *value, "counter {counter}");
            assert_eq!(verify(&rfc_secret(), value, time, None), Ok(counter as u64));
        }
    }

    #[test]
    fn drift_of_one_step_is_accepted_two_is_not() {
        let s = rfc_secret();
        let now = 1_700_000_015;
        let step = now / PERIOD;
        let at = |offset: i64| code_at(&s, (step as i64 + offset) as u64 * PERIOD);
        assert_eq!(verify(&s, &at(0), now, None), Ok(step));
        assert_eq!(verify(&s, &at(-1), now, None), Ok(step - 1));
        assert_eq!(verify(&s, &at(1), now, None), Ok(step + 1));
        assert_eq!(verify(&s, &at(-2), now, None), Err(TotpError::Wrong));
        assert_eq!(verify(&s, &at(2), now, None), Err(TotpError::Wrong));
    }

    #[test]
    fn a_step_is_usable_once_and_never_after_a_newer_one() {
        let s = rfc_secret();
        let now = 1_700_000_015;
        let step = now / PERIOD;
        let current = code_at(&s, now);
        let replayed = Err(TotpError::Replayed);
        let used = verify(&s, &current, now, None).unwrap();
        assert_eq!(verify(&s, &current, now + 5, Some(used)), replayed);
        let newer = code_at(&s, now + PERIOD);
        assert_eq!(verify(&s, &newer, now, Some(step)), Ok(step + 1));
        assert_eq!(verify(&s, &current, now, Some(step + 1)), replayed);
        assert_eq!(verify(&s, "000000", now, Some(step)), Err(TotpError::Wrong));
    }

    #[test]
    fn step_zero_has_no_previous_step() {
        let s = rfc_secret();
        assert_eq!(verify(&s, "755224", 0, None), Ok(0));
        assert_eq!(verify(&s, "287082", 29, None), Ok(1));
    }

    #[test]
    fn malformed_codes_and_spaces() {
        let s = rfc_secret();
        let time = 59;
        let bad = [
            "",
            "12345",
            "1234567",
            "12345a",
            "１２３４５６",
            "12-345",
            "+12345",
        ];
        for code in bad {
            let result = verify(&s, code, time, None);
            assert_eq!(result, Err(TotpError::Malformed), "{code:?}");
        }
        let code = code_at(&s, time);
        let spaced = format!(" {} {} \t", &code[..3], &code[3..]);
        assert_eq!(verify(&s, &spaced, time, None), Ok(1));
    }

    #[test]
    fn base32_known_vectors() {
        // RFC 4648 §10.
        let vectors = [
            ("f", "MY"),
            ("fo", "MZXQ"),
            ("foo", "MZXW6"),
            ("foob", "MZXW6YQ"),
        ];
        for (plain, encoded) in vectors.into_iter().chain([("foobar", "MZXW6YTBOI")]) {
            let secret = TotpSecret::from_bytes(plain.as_bytes().to_vec());
            assert_eq!(secret.to_base32(), encoded);
            let decoded = TotpSecret::from_base32(encoded).unwrap();
            assert_eq!(decoded.as_bytes(), plain.as_bytes());
        }
        let lenient = TotpSecret::from_base32(" mzxw 6ytb oi ").unwrap();
        assert_eq!(lenient.as_bytes(), b"foobar");
    }

    #[test]
    fn base32_rejects_what_no_secret_encodes_to() {
        let bad = [
            "",
            "   ",
            "M",
            "MZ",
            "MZX",
            "MZXW6Y",
            "MZXW6YTBOI======",
            "MZ1Q",
        ];
        for bad in bad {
            assert!(TotpSecret::from_base32(bad).is_none(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn base32_round_trip(bytes in proptest::collection::vec(any::<u8>(), 1..64)) {
            let encoded = TotpSecret::from_bytes(bytes.clone()).to_base32();
            let lower = encoded.to_lowercase();
            let decoded = TotpSecret::from_base32(&lower).unwrap();
            prop_assert_eq!(decoded.as_bytes(), &bytes[..]);
        }
    }

    #[test]
    fn generated_secrets_are_random_and_redacted() {
        let a = TotpSecret::generate();
        let b = TotpSecret::generate();
        assert_eq!(a.as_bytes().len(), SECRET_LEN);
        assert_eq!(a.to_base32().len(), 32);
        assert_ne!(a.as_bytes(), b.as_bytes());
        assert_eq!(format!("{a:?}"), "TotpSecret(***)");
    }

    #[test]
    fn key_uri_encodes_issuer_and_account() {
        let s = TotpSecret::from_bytes(b"foobar".to_vec());
        let uri = otpauth_uri(&s, "Landratsamt Müllheim", "jörg.größ@amt:de");
        assert_eq!(
            uri,
            "otpauth://totp/Landratsamt%20M%C3%BCllheim:j%C3%B6rg.gr%C3%B6%C3%9F%40amt%3Ade\
             ?secret=MZXW6YTBOI&issuer=Landratsamt%20M%C3%BCllheim\
             &algorithm=SHA1&digits=6&period=30"
        );
    }
}
