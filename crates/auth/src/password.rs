//! Passwords: argon2id hashing with OWASP's parameters and a minimum policy.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::cell::RefCell;
use subtle::ConstantTimeEq;

/// Stored hashes asking for more memory than this are refused (a tampered hash must not
/// make a sign-in allocate gigabytes).
const MAX_MEMORY_KIB: u32 = 256 * 1024;

thread_local! {
    /// The argon2 working area of this thread, kept between verifications. Sign-ins are
    /// verified on a few dedicated threads, so memory stays at threads × 19 MiB; allocating
    /// it anew each time lets the allocator keep many such areas (measured: 223 MiB peak
    /// during 600 sign-ins, see bench/sign_in.sh) and costs page faults.
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Shortest password accepted (BSI IT-Grundschutz ORP.4 and NIST 800-63B ask for length
/// over complexity rules).
pub const MIN_LENGTH: usize = 10;
/// Longest password accepted, so hashing cost stays bounded.
pub const MAX_LENGTH: usize = 256;

/// Passwords too common to allow, compared case-insensitively.
const COMMON: &[&str] = &[
    "1234567890",
    "12345678910",
    "0123456789",
    "qwertzuiop",
    "qwertyuiop",
    "passwort123",
    "password123",
    "passwort1234",
    "password1234",
    "hallo12345",
    "sommer2020",
    "sommer2021",
    "winter2020",
    "winter2021",
    "willkommen1",
    "willkommen123",
    "geheim1234",
    "schalke04!",
    "landratsamt",
    "landratsamt1",
    "verwaltung1",
    "verwaltung123",
    "passwortpasswort",
    "abcdefghij",
    "1q2w3e4r5t",
    "asdfghjkl1",
    "iloveyou12",
    "123456789a",
    "aaaaaaaaaa",
];

/// Why a password was refused or could not be checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    /// Shorter than [`MIN_LENGTH`].
    #[error("the password must have at least {MIN_LENGTH} characters")]
    TooShort,
    /// Longer than [`MAX_LENGTH`].
    #[error("the password must have at most {MAX_LENGTH} characters")]
    TooLong,
    /// On the list of common passwords, or the login itself.
    #[error("the password is too easy to guess; choose another")]
    TooCommon,
    /// The stored hash is not a valid PHC string.
    #[error("the stored password hash is not valid")]
    BadHash,
}

/// argon2id, m = 19 MiB, t = 2, p = 1 (OWASP Password Storage Cheat Sheet).
fn hasher() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("constant parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Checks the policy for a new password of `login`.
pub fn check_policy(login: &str, password: &str) -> Result<(), PasswordError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(PasswordError::TooShort);
    }
    if length > MAX_LENGTH {
        return Err(PasswordError::TooLong);
    }
    let lower = password.to_lowercase();
    if lower == login.to_lowercase() || COMMON.contains(&lower.as_str()) {
        return Err(PasswordError::TooCommon);
    }
    Ok(())
}

/// Hashes a password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with valid parameters and salt cannot fail")
        .to_string()
}

/// Whether `password` matches the stored hash (compared in constant time). The algorithm
/// and its parameters are read from the stored PHC string.
pub fn verify_password(password: &str, stored: &str) -> Result<bool, PasswordError> {
    let parsed = PasswordHash::new(stored).map_err(|_| PasswordError::BadHash)?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(|_| PasswordError::BadHash)?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(|_| PasswordError::BadHash)?
        .unwrap_or(Version::V0x13);
    let params = Params::try_from(&parsed).map_err(|_| PasswordError::BadHash)?;
    if params.m_cost() > MAX_MEMORY_KIB {
        return Err(PasswordError::BadHash);
    }
    let mut salt_buffer = [0u8; 64];
    let salt = parsed
        .salt
        .ok_or(PasswordError::BadHash)?
        .decode_b64(&mut salt_buffer)
        .map_err(|_| PasswordError::BadHash)?;
    let expected = parsed.hash.ok_or(PasswordError::BadHash)?;
    let mut computed = vec![0u8; expected.len()];
    let blocks = params.block_count();
    BLOCKS
        .with(|area| {
            let mut area = area.borrow_mut();
            if area.len() < blocks {
                area.resize(blocks, Block::default());
            }
            Argon2::new(algorithm, version, params).hash_password_into_with_memory(
                password.as_bytes(),
                salt,
                &mut computed,
                &mut area[..blocks],
            )
        })
        .map_err(|_| PasswordError::BadHash)?;
    Ok(computed.ct_eq(expected.as_bytes()).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_salted() {
        let a = hash_password("Korrekt Pferd Batterie");
        let b = hash_password("Korrekt Pferd Batterie");
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify_password("Korrekt Pferd Batterie", &a).unwrap());
        assert!(!verify_password("korrekt pferd batterie", &a).unwrap());
        assert_eq!(
            verify_password("x", "not a hash"),
            Err(PasswordError::BadHash)
        );
    }

    #[test]
    fn parameters_come_from_the_stored_hash() {
        let light = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(64, 1, 1, None).unwrap(),
        );
        let salt = SaltString::generate(&mut OsRng);
        let stored = light
            .hash_password(b"Korrekt Pferd", &salt)
            .unwrap()
            .to_string();
        assert!(verify_password("Korrekt Pferd", &stored).unwrap());
        assert!(!verify_password("Korrekt Pferd!", &stored).unwrap());
        // And the big working area of a default hash is reused afterwards.
        let default = hash_password("Korrekt Pferd Batterie");
        assert!(verify_password("Korrekt Pferd Batterie", &default).unwrap());
        assert!(verify_password("Korrekt Pferd", &stored).unwrap());
        let greedy = stored.replace("m=64", "m=4194304");
        assert_eq!(
            verify_password("Korrekt Pferd", &greedy),
            Err(PasswordError::BadHash)
        );
    }

    #[test]
    fn policy() {
        assert_eq!(
            check_policy("m.mueller", "kurz"),
            Err(PasswordError::TooShort)
        );
        assert_eq!(
            check_policy("m.mueller", "Passwort123"),
            Err(PasswordError::TooCommon)
        );
        assert_eq!(
            check_policy("verwaltung1", "Verwaltung1"),
            Err(PasswordError::TooCommon)
        );
        assert_eq!(
            check_policy("m.mueller", &"x".repeat(300)),
            Err(PasswordError::TooLong)
        );
        assert_eq!(check_policy("m.mueller", "Grüne Wiese am Inn"), Ok(()));
    }
}
