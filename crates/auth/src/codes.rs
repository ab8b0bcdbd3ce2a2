//! Single-use codes shown to a person once: recovery codes and the code printed in an
//! enrolment letter. Only their hash is stored.

use sha2::{Digest, Sha256};

/// Crockford's base32 alphabet in lower case: no i, l, o or u. Thirty-two symbols give
/// exactly five bits each, so a random byte masked to five bits picks one without bias.
/// [`normalize_code`] reads o as 0 and i or l as 1, so those misreadings still work.
pub const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// Recovery codes handed out at once.
pub const RECOVERY_CODE_COUNT: usize = 10;
/// Symbols in a recovery code: 12 × 5 = 60 bits.
pub const RECOVERY_CODE_LEN: usize = 12;
/// Symbols in an enrolment-letter code: 16 × 5 = 80 bits, as a letter may lie around
/// for days before it is used.
pub const LETTER_CODE_LEN: usize = 16;
/// Symbols between two '-' when a code is shown.
const GROUP: usize = 4;
const SIP_PASSWORD_LEN: usize = 20;

/// Ten fresh, distinct recovery codes such as `7kx2-m9qd-0hvt`.
pub fn generate_recovery_codes() -> Vec<String> {
    let mut codes: Vec<String> = Vec::with_capacity(RECOVERY_CODE_COUNT);
    while codes.len() < RECOVERY_CODE_COUNT {
        let code = random_code(RECOVERY_CODE_LEN);
        // A repeat is a 2^-60 event; skipping it keeps "ten codes" literally true.
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes
}

/// A fresh enrolment-letter code such as `7kx2-m9qd-0hvt-a3ef`.
pub fn generate_letter_code() -> String {
    random_code(LETTER_CODE_LEN)
}

/// A fresh SIP device password such as `7kx2-m9qd-0hvt-a3ef-x9k2` (100 random bits, easy
/// to type into a desk phone's keypad menu). Only its digests are stored.
pub fn generate_sip_password() -> String {
    random_code(SIP_PASSWORD_LEN)
}

/// The canonical form of a typed code: lower case, without spaces or '-', with o read
/// as 0 and i or l as 1 (Crockford's decoding rule).
pub fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_lowercase() {
            'o' => '0',
            'i' | 'l' => '1',
            lower => lower,
        })
        .collect()
}

/// Hex SHA-256 of the normalised code, the only form that is stored.
///
/// A fast hash is enough here, unlike for passwords: the codes are random with at least
/// 60 bits of entropy, so a leaked hash cannot be reversed by guessing, and a salt or a
/// slow hash would only make the lookup by hash impossible or costly.
pub fn hash_code(code: &str) -> String {
    sha256_hex(normalize_code(code).as_bytes())
}

/// Lower-case hex SHA-256, shared by the modules that store only a digest.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(2 * digest.len());
    for byte in digest {
        hex.push(HEX[usize::from(byte >> 4)] as char);
        hex.push(HEX[usize::from(byte & 15)] as char);
    }
    hex
}

/// `len` random symbols, grouped by four with '-' for reading aloud and typing.
fn random_code(len: usize) -> String {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).expect("the operating system random generator failed");
    let mut code = String::with_capacity(len + len / GROUP);
    for (i, byte) in bytes.iter().enumerate() {
        if i > 0 && i % GROUP == 0 {
            code.push('-');
        }
        code.push(ALPHABET[usize::from(byte & 31)] as char);
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn assert_shape(code: &str, groups: usize) {
        let parts: Vec<&str> = code.split('-').collect();
        assert_eq!(parts.len(), groups, "{code}");
        for part in parts {
            assert_eq!(part.len(), GROUP, "{code}");
            assert!(part.bytes().all(|b| ALPHABET.contains(&b)), "{code}");
        }
        assert_eq!(normalize_code(code), code.replace('-', ""));
    }

    #[test]
    fn alphabet_is_32_unambiguous_symbols() {
        let set: HashSet<u8> = ALPHABET.iter().copied().collect();
        assert_eq!(set.len(), 32);
        for confusable in b"ilou" {
            assert!(!set.contains(confusable));
        }
    }

    #[test]
    fn recovery_codes_have_the_promised_shape() {
        let codes = generate_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODE_COUNT);
        let distinct: HashSet<&String> = codes.iter().collect();
        assert_eq!(distinct.len(), codes.len());
        for code in &codes {
            assert_eq!(code.len(), 14);
            assert_shape(code, 3);
        }
        assert_ne!(generate_recovery_codes(), codes);
    }

    #[test]
    fn letter_codes_have_the_promised_shape() {
        let code = generate_letter_code();
        assert_eq!(code.len(), 19);
        assert_shape(&code, 4);
        assert_ne!(generate_letter_code(), code);
    }

    #[test]
    fn sip_passwords_have_the_promised_shape() {
        let password = generate_sip_password();
        assert_eq!(password.len(), 24);
        assert_shape(&password, 5);
        assert_ne!(generate_sip_password(), password);
    }

    #[test]
    fn every_symbol_turns_up() {
        // 1,200 symbols: a given one is missing with probability (31/32)^1200 < 1e-16.
        let seen: HashSet<char> = (0..10)
            .flat_map(|_| {
                generate_recovery_codes()
                    .concat()
                    .chars()
                    .collect::<Vec<_>>()
            })
            .filter(|&c| c != '-')
            .collect();
        assert_eq!(seen.len(), 32);
    }

    #[test]
    fn normalisation_makes_typing_variants_equal() {
        assert_eq!(normalize_code("ABCD-efgh 2345"), "abcdefgh2345");
        assert_eq!(normalize_code(" abcd\tefgh-2345 "), "abcdefgh2345");
        assert_eq!(normalize_code("O0-Il1"), "00111");
        assert_eq!(hash_code("ABCD-efgh 2345"), hash_code("abcdefgh2345"));
        assert_ne!(hash_code("abcdefgh2345"), hash_code("abcdefgh2346"));
    }

    #[test]
    fn hash_is_hex_sha256() {
        // FIPS 180-4 example "abc".
        assert_eq!(
            hash_code("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
