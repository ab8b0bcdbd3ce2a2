//! One-time codes sent by SMS. The caller sends the code, stores the challenge, deletes
//! it after the first success, and counts failures with [`crate::throttle`]: six digits
//! are only safe together with the short validity and the attempt limit.

use subtle::ConstantTimeEq;

use crate::codes::sha256_hex;

/// How long a code may be used: five minutes covers slow SMS delivery.
pub const SMS_CODE_VALIDITY_SECS: u64 = 300;
/// Digits in an SMS code.
const DIGITS: usize = 6;
/// 10^6 distinct codes.
const CODE_SPACE: u32 = 1_000_000;

/// What is stored between sending a code and checking it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsChallenge {
    /// Hex SHA-256 of the six digits. With only 10^6 codes this does not resist
    /// guessing; it keeps the code out of the database and logs, while expiry and
    /// throttling are what protect it.
    pub code_hash: String,
    /// First Unix second at which the code is no longer accepted.
    pub expires_at: u64,
}

/// Why an SMS code was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SmsError {
    /// The challenge's validity has ended; a new code must be requested.
    #[error("the code has expired; request a new one")]
    Expired,
    /// Six digits, but not the code that was sent.
    #[error("the code is not correct")]
    Wrong,
    /// Not six digits (spaces anywhere are allowed and ignored).
    #[error("the code must consist of {DIGITS} digits")]
    Malformed,
}

/// A fresh six-digit code to send and the challenge to store, valid from `now` for
/// [`SMS_CODE_VALIDITY_SECS`].
pub fn new_sms_challenge(now: u64) -> (String, SmsChallenge) {
    let code = format!("{:06}", uniform_below_code_space());
    let challenge = SmsChallenge {
        code_hash: sha256_hex(code.as_bytes()),
        expires_at: now.saturating_add(SMS_CODE_VALIDITY_SECS),
    };
    (code, challenge)
}

/// Checks `code` against `challenge` at `now`. Expiry is reported before anything
/// else, since the only useful next step then is a new code.
pub fn verify_sms(challenge: &SmsChallenge, code: &str, now: u64) -> Result<(), SmsError> {
    if now >= challenge.expires_at {
        return Err(SmsError::Expired);
    }
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SmsError::Malformed);
    }
    let hash = sha256_hex(code.as_bytes());
    if hash.as_bytes().ct_eq(challenge.code_hash.as_bytes()).into() {
        Ok(())
    } else {
        Err(SmsError::Wrong)
    }
}

/// A uniform number below 10^6. Rejection sampling: `x % 10^6` alone would favour the
/// low codes, because 2^32 is not a multiple of 10^6.
fn uniform_below_code_space() -> u32 {
    // The largest multiple of 10^6 not above u32::MAX: 4,294 × 10^6.
    const LIMIT: u32 = (u32::MAX / CODE_SPACE) * CODE_SPACE;
    loop {
        let mut bytes = [0u8; 4];
        getrandom::fill(&mut bytes).expect("the operating system random generator failed");
        let x = u32::from_le_bytes(bytes);
        // Rejects about 0.02 % of draws.
        if x < LIMIT {
            return x % CODE_SPACE;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_700_000_000;

    #[test]
    fn sent_code_verifies_until_expiry() {
        let (code, challenge) = new_sms_challenge(NOW);
        assert_eq!(code.len(), 6);
        assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
        assert_eq!(challenge.expires_at, NOW + SMS_CODE_VALIDITY_SECS);
        assert_eq!(verify_sms(&challenge, &code, NOW), Ok(()));
        let spaced = format!(" {} {} ", &code[..3], &code[3..]);
        assert_eq!(verify_sms(&challenge, &spaced, NOW + 299), Ok(()));
        assert_eq!(
            verify_sms(&challenge, &code, challenge.expires_at),
            Err(SmsError::Expired)
        );
        assert_eq!(
            verify_sms(&challenge, &code, NOW + 10_000),
            Err(SmsError::Expired)
        );
    }

    #[test]
    fn wrong_and_malformed_codes() {
        let (code, challenge) = new_sms_challenge(NOW);
        let other = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % CODE_SPACE);
        assert_eq!(verify_sms(&challenge, &other, NOW), Err(SmsError::Wrong));
        for bad in ["", "12345", "1234567", "12a456", "１２３４５６", "-12345"] {
            assert_eq!(
                verify_sms(&challenge, bad, NOW),
                Err(SmsError::Malformed),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn challenge_stores_only_the_hash() {
        let (code, challenge) = new_sms_challenge(NOW);
        assert_eq!(challenge.code_hash.len(), 64);
        assert_eq!(challenge.code_hash, sha256_hex(code.as_bytes()));
    }

    #[test]
    fn codes_spread_over_all_digits() {
        // Leading zeros must be kept and every digit must turn up in every position.
        let codes: Vec<String> = (0..500).map(|_| new_sms_challenge(NOW).0).collect();
        for position in 0..DIGITS {
            let mut seen = [false; 10];
            for code in &codes {
                seen[usize::from(code.as_bytes()[position] - b'0')] = true;
            }
            // A digit is missing from 500 draws with probability 0.9^500 < 1e-22.
            assert!(seen.iter().all(|&s| s), "position {position}");
        }
    }
}
