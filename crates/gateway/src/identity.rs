//! Who is asking, for the upstream: a short-lived JWT (RFC 7519) in compact JWS form
//! (RFC 7515) with EdDSA over Ed25519 (RFC 8037), and the JWK set (RFC 7517) at
//! `/.well-known/jwks.json` the upstream verifies it with. The shell signs: this module
//! builds the signing input and assembles the token around the signature.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;

/// How long a token is valid, in seconds.
pub const LIFETIME_SECS: i64 = 60;
/// The header that carries the token to the upstream.
pub const HEADER: &str = "x-durchwahl-identity";

/// The claims of a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Claims {
    /// The issuer (`[gateway] issuer`).
    pub iss: String,
    /// The application's name.
    pub aud: String,
    /// The login.
    pub sub: String,
    /// The display name.
    pub name: String,
    /// The unit path.
    pub unit: String,
    /// The role names.
    pub roles: Vec<String>,
    /// How the session was signed in (RFC 8176 values: `pwd`, `otp`, `sms`, …).
    pub amr: Vec<String>,
    /// Issued at, Unix seconds.
    pub iat: i64,
    /// Expires, Unix seconds.
    pub exp: i64,
    /// A unique id.
    pub jti: String,
}

/// The `amr` values (RFC 8176) for a session's sign-in method as the store records it.
pub fn amr(how: &str) -> Vec<String> {
    let second = match how {
        "totp" => Some("otp"),
        "sms" => Some("sms"),
        "recovery" => Some("kba"),
        _ => None,
    };
    let first = if how == "oidc" { "fed" } else { "pwd" };
    std::iter::once(first)
        .chain(second)
        .map(str::to_string)
        .collect()
}

/// Whether a session signed in by `how` used a second factor.
pub fn has_second_factor(how: &str) -> bool {
    matches!(how, "totp" | "sms" | "recovery")
}

#[derive(Serialize)]
struct JwsHeader<'a> {
    alg: &'static str,
    typ: &'static str,
    kid: &'a str,
}

/// The signing input (`base64url(header).base64url(claims)`) of a token signed with the
/// key `kid`.
pub fn signing_input(kid: &str, claims: &Claims) -> String {
    let header = JwsHeader {
        alg: "EdDSA",
        typ: "JWT",
        kid,
    };
    // Serialising plain structs of strings and numbers cannot fail.
    let header = serde_json::to_vec(&header).unwrap_or_default();
    let claims = serde_json::to_vec(claims).unwrap_or_default();
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    )
}

/// The token: the signing input and the signature over it.
pub fn token(signing_input: &str, signature: &[u8]) -> String {
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// The JWK set with one Ed25519 public key.
pub fn jwks(kid: &str, public_key: &[u8]) -> serde_json::Value {
    serde_json::json!({
        "keys": [{
            "kty": "OKP",
            "crv": "Ed25519",
            "alg": "EdDSA",
            "use": "sig",
            "kid": kid,
            "x": URL_SAFE_NO_PAD.encode(public_key),
        }]
    })
}

/// A key id for a public key: the RFC 7638 thumbprint is computed by the shell (it needs
/// SHA-256); this is the JSON it hashes.
pub fn thumbprint_input(public_key: &[u8]) -> String {
    format!(
        r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(public_key)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_has_three_parts_and_the_claims() {
        let claims = Claims {
            iss: "durchwahl".into(),
            aud: "akte".into(),
            sub: "mmueller".into(),
            name: "Maria Müller".into(),
            unit: "Bauamt".into(),
            roles: vec!["user".into()],
            amr: amr("totp"),
            iat: 100,
            exp: 160,
            jti: "x".into(),
        };
        let input = signing_input("k1", &claims);
        let token = token(&input, &[1, 2, 3]);
        let parts: Vec<_> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header["alg"], "EdDSA");
        assert_eq!(header["kid"], "k1");
        let body: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(body["name"], "Maria Müller");
        assert_eq!(body["amr"], serde_json::json!(["pwd", "otp"]));
        assert_eq!(parts[2], "AQID");
    }

    #[test]
    fn methods() {
        assert_eq!(amr("password"), ["pwd"]);
        assert_eq!(amr("oidc"), ["fed"]);
        assert!(
            has_second_factor("sms") && !has_second_factor("password") && !has_second_factor("")
        );
    }
}
