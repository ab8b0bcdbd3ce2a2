//! The key that signs the identity tokens the gateway hands to upstreams (Ed25519 through
//! aws-lc-rs), its key id (the RFC 7638 thumbprint) and the public key set upstreams
//! verify with at `/.well-known/jwks.json`.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The signing key. Its private half never leaves this value (not in `Debug` either).
pub struct IdentitySigner {
    key: Ed25519KeyPair,
    kid: String,
}

impl std::fmt::Debug for IdentitySigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentitySigner")
            .field("kid", &self.kid)
            .finish()
    }
}

/// A key file that does not hold an Ed25519 key.
#[derive(Debug, thiserror::Error)]
#[error("the gateway's signing key is not an Ed25519 key in PKCS#8")]
pub struct BadKey;

impl IdentitySigner {
    /// A key from its PKCS#8 document (as [`IdentitySigner::generate_pkcs8`] makes it).
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<Self, BadKey> {
        let key = Ed25519KeyPair::from_pkcs8(pkcs8)
            .or_else(|_| Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8))
            .map_err(|_| BadKey)?;
        let thumbprint = gateway::identity::thumbprint_input(key.public_key().as_ref());
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(thumbprint.as_bytes()));
        Ok(IdentitySigner { key, kid })
    }

    /// A new key's PKCS#8 document.
    pub fn generate_pkcs8() -> Vec<u8> {
        // The system's random generator failing is not something to go on from.
        Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map(|doc| doc.as_ref().to_vec())
            .expect("the system's random number generator failed")
    }

    /// A key that lives only as long as this process (tests, and servers started without
    /// a data folder).
    pub fn ephemeral() -> Self {
        Self::from_pkcs8(&Self::generate_pkcs8()).expect("a key just made is valid")
    }

    /// The key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// A signed token for these claims.
    pub fn sign(&self, claims: &gateway::identity::Claims) -> String {
        let input = gateway::identity::signing_input(&self.kid, claims);
        let signature = self.key.sign(input.as_bytes());
        gateway::identity::token(&input, signature.as_ref())
    }

    /// The public key set.
    pub fn jwks(&self) -> serde_json::Value {
        gateway::identity::jwks(&self.kid, self.key.public_key().as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::{UnparsedPublicKey, ED25519};

    #[test]
    fn tokens_verify_with_the_published_key_and_keys_survive_their_file() {
        let pkcs8 = IdentitySigner::generate_pkcs8();
        let signer = IdentitySigner::from_pkcs8(&pkcs8).unwrap();
        assert_eq!(
            IdentitySigner::from_pkcs8(&pkcs8).unwrap().kid(),
            signer.kid()
        );
        let claims = gateway::identity::Claims {
            iss: "durchwahl".into(),
            aud: "akte".into(),
            sub: "a".into(),
            name: "A".into(),
            unit: "U".into(),
            roles: vec![],
            amr: vec!["pwd".into()],
            iat: 1,
            exp: 61,
            jti: "j".into(),
        };
        let token = signer.sign(&claims);
        let (input, signature) = token.rsplit_once('.').unwrap();
        let jwks = signer.jwks();
        let x = URL_SAFE_NO_PAD
            .decode(jwks["keys"][0]["x"].as_str().unwrap())
            .unwrap();
        let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
        let key = UnparsedPublicKey::new(&ED25519, &x);
        assert!(key.verify(input.as_bytes(), &signature).is_ok());
        assert!(key.verify(b"other", &signature).is_err());
        assert!(IdentitySigner::from_pkcs8(b"not a key").is_err());
        assert!(!format!("{signer:?}").contains(&URL_SAFE_NO_PAD.encode(&pkcs8)));
    }
}
