//! Digest authentication, server side (RFC 3261 §22, RFC 8760; RFC 7616 for the
//! algorithm details). Pure: the time, the nonce salt and the server secret come in as
//! arguments; no clock, no randomness, no store.
//!
//! - Only HA1 values are stored ([`ha1`], once per [`Algorithm`] when provisioning); a
//!   password never reaches [`Authenticator::verify`].
//! - Challenges offer SHA-256, then MD5 (RFC 8760: most preferred first), always with
//!   `qop="auth"`; answers without `qop=auth` are refused.
//! - A nonce is `hex(issued | salt | HMAC-SHA256(secret, issued | salt | realm)[..16])`:
//!   challenges leave no state behind. Only the counts of answered nonces are kept, in a
//!   bounded [`NonceCounts`] the caller owns.
//!
//! The whole flow, a phone registering extension 2301:
//! ```
//! use sip::digest::{self, Algorithm, Authenticator, Challenge, Credentials};
//! use sip::digest::{NonceCounts, NonceKey, Verdict};
//! use sip::Method;
//!
//! let key = NonceKey::new(b"32 random bytes from the config.".to_vec());
//! let auth = Authenticator::new("pbx.example", key, 300);
//! let mut counts = NonceCounts::new(10_000);
//! // Provisioning stored this, never the password.
//! let stored = digest::ha1(Algorithm::Sha256, "2301", "pbx.example", "correct horse");
//!
//! // 1. A REGISTER without credentials: 401 with two WWW-Authenticate lines.
//! let now = 1_700_000_000; // unix seconds
//! let [preferred, _md5] = auth.challenges(now, 0x5eed_1234, false);
//! let header = preferred.to_string(); // one WWW-Authenticate value
//! assert!(header.starts_with(r#"Digest realm="pbx.example", nonce=""#));
//! assert!(header.ends_with(r#"algorithm=SHA-256, qop="auth""#));
//!
//! // 2. The phone answers the first challenge it can.
//! let challenge = Challenge::parse(&header.into()).unwrap();
//! let its_ha1 = digest::ha1(challenge.algorithm, "2301", &challenge.realm, "correct horse");
//! let register = Method::Register;
//! let uri = "sip:pbx.example";
//! let answer = Credentials::answer(&challenge, "2301", uri, "0a4f113b", 1, &register, &its_ha1);
//! let authorization = answer.to_string();
//!
//! // 3. The server parses the Authorization value and checks it with the stored HA1.
//! let credentials = Credentials::parse(&authorization.into()).unwrap();
//! match auth.verify(now + 2, &mut counts, &register, &credentials, &stored) {
//!     Verdict::Ok(who) => assert_eq!(who.username(), "2301"),
//!     other => panic!("{other:?}"),
//! }
//! // The same answer again is a replay; once the nonce lifetime is over it is stale.
//! let again = auth.verify(now + 3, &mut counts, &register, &credentials, &stored);
//! assert_eq!(again, Verdict::Replay);
//! let late = auth.verify(now + 300, &mut counts, &register, &credentials, &stored);
//! assert_eq!(late, Verdict::Stale);
//! ```

use crate::method::Method;
use crate::params::{is_token, is_token_char, split_list, trim};
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;

/// Why a Digest header value cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    /// The scheme is not `Digest` (e.g. `Basic`).
    #[error("the authentication scheme is not Digest")]
    NotDigest,
    /// The value does not follow `Digest name=value, …` (RFC 3261 §25.1).
    #[error("parameter {position}: expected {expected}")]
    Syntax {
        /// Which parameter, counting from 1.
        position: usize,
        /// What should have been there.
        expected: &'static str,
    },
    /// A parameter given twice.
    #[error("the parameter {name} appears more than once")]
    Duplicate {
        /// The parameter.
        name: &'static str,
    },
    /// A required parameter is absent.
    #[error("the parameter {name} is missing")]
    Missing {
        /// The parameter.
        name: &'static str,
    },
    /// A value that is malformed or not supported: an algorithm other than MD5 and SHA-256
    /// (`-sess` included), a qop other than auth, `userhash=true` (RFC 7616 §3.4.4), an nc
    /// that is not eight lower-case hex digits above zero (RFC 7616 §3.4).
    #[error("unsupported or malformed value {value:?} of {name}")]
    BadValue {
        /// The parameter.
        name: &'static str,
        /// What arrived.
        value: String,
    },
    /// Credentials for a realm this server does not serve.
    #[error("the realm {got:?} is not {expected:?}")]
    WrongRealm {
        /// Our realm.
        expected: String,
        /// The realm in the credentials.
        got: String,
    },
    /// A nonce this server did not issue (or issued for another realm or secret).
    #[error("the nonce was not issued by this server")]
    ForgedNonce,
}

/// A digest algorithm (RFC 7616 §3.3, RFC 8760).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// `MD5`, the default when no `algorithm` is named; kept for old phones.
    Md5,
    /// `SHA-256`, preferred.
    Sha256,
}

impl Algorithm {
    /// The name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Sha256 => "SHA-256",
        }
    }

    /// The algorithm of an `algorithm=` value (case-insensitive).
    pub fn parse(value: &str) -> Result<Algorithm, DigestError> {
        [Algorithm::Sha256, Algorithm::Md5]
            .into_iter()
            .find(|a| value.eq_ignore_ascii_case(a.name()))
            .ok_or_else(|| bad_value("algorithm", value))
    }

    /// Lower-case hex of H(part1:part2:…).
    fn hash(self, parts: &[&[u8]]) -> String {
        fn joined<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut hasher = D::new();
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    hasher.update(b":");
                }
                hasher.update(part);
            }
            hasher.finalize().to_vec()
        }
        match self {
            Algorithm::Md5 => hex(&joined::<md5::Md5>(parts)),
            Algorithm::Sha256 => hex(&joined::<Sha256>(parts)),
        }
    }
}

/// HA1 = H(username:realm:password) in lower-case hex (RFC 7616 §3.4.2): the only form
/// in which a SIP password is stored, once per algorithm.
pub fn ha1(algorithm: Algorithm, username: &str, realm: &str, password: &str) -> String {
    algorithm.hash(&[username.as_bytes(), realm.as_bytes(), password.as_bytes()])
}

fn bad_value(name: &'static str, value: &str) -> DigestError {
    DigestError::BadValue {
        name,
        value: value.to_owned(),
    }
}

/// Lower-case hex of `bytes` (digests, nonces, tags).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let digit = |d: u8| char::from(DIGITS[usize::from(d)]);
    bytes
        .iter()
        .flat_map(|b| [digit(b >> 4), digit(b & 15)])
        .collect()
}

/// Lower-case hex only, so that each nonce has one spelling (a second spelling would get
/// counts of its own and slip past the replay check).
pub fn unhex<const N: usize>(text: &str) -> Option<[u8; N]> {
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    if text.len() != 2 * N {
        return None;
    }
    let mut out = [0; N];
    for (i, pair) in text.as_bytes().chunks_exact(2).enumerate() {
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

/// Compares without an early exit, so timing does not tell how much of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// HMAC-SHA256 (RFC 2104) of the concatenated `parts`.
fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > block.len() {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    parts.iter().for_each(|part| inner.update(part));
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

/// The server secret nonces are signed with (from the config; 32 random bytes). Its
/// `Debug` output hides it.
#[derive(Clone)]
pub struct NonceKey(Vec<u8>);

impl NonceKey {
    /// Wraps the secret.
    pub fn new(secret: Vec<u8>) -> NonceKey {
        NonceKey(secret)
    }
}

impl fmt::Debug for NonceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NonceKey(<redacted>)")
    }
}

/// One `Digest` challenge: the value of one `WWW-Authenticate` or `Proxy-Authenticate`
/// line. `Display` writes it; [`Challenge::parse`] reads it (for test peers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The protection realm.
    pub realm: String,
    /// The server's nonce.
    pub nonce: String,
    /// The algorithm the answer must use.
    pub algorithm: Algorithm,
    /// The last answer was right, only its nonce had expired (RFC 7616 §3.3).
    pub stale: bool,
}

impl Challenge {
    /// Parses a challenge that offers `qop="auth"` (possibly among others).
    pub fn parse(value: &Bytes) -> Result<Challenge, DigestError> {
        let params = AuthParams::parse(value)?;
        let qop = params.required("qop")?;
        if !qop
            .split(',')
            .any(|q| q.trim().eq_ignore_ascii_case("auth"))
        {
            return Err(bad_value("qop", qop));
        }
        Ok(Challenge {
            realm: params.required("realm")?.to_owned(),
            nonce: params.required("nonce")?.to_owned(),
            algorithm: params.algorithm()?,
            stale: params.flag("stale")?,
        })
    }
}

impl fmt::Display for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (realm, nonce) = (Quoted(&self.realm), Quoted(&self.nonce));
        write!(f, "Digest realm={realm}, nonce={nonce}, ")?;
        write!(f, "algorithm={}, qop=\"auth\"", self.algorithm.name())?;
        if self.stale {
            f.write_str(", stale=true")?;
        }
        Ok(())
    }
}

/// The client's answer: the value of an `Authorization` or `Proxy-Authorization` line
/// (RFC 3261 §22.4, RFC 7616 §3.4), `qop` always `auth`. `Display` writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user (for Durchwahl, the extension or device login).
    pub username: String,
    /// The realm answered.
    pub realm: String,
    /// The server's nonce, echoed.
    pub nonce: String,
    /// The digest-uri (the Request-URI as the client sent it).
    pub uri: String,
    /// The client's request-digest, hex.
    pub response: String,
    /// The algorithm (MD5 when the client names none, RFC 7616 §3.4).
    pub algorithm: Algorithm,
    /// The client's nonce.
    pub cnonce: String,
    /// The nonce count: how many requests the client sent with this nonce.
    pub nc: u32,
    /// The challenge's opaque value, echoed.
    pub opaque: Option<String>,
}

impl Credentials {
    /// Parses a `Digest` credentials value: parameters in any order, names
    /// case-insensitive, values quoted or not, unknown parameters ignored.
    pub fn parse(value: &Bytes) -> Result<Credentials, DigestError> {
        let mut params = AuthParams::parse(value)?;
        if params.flag("userhash")? {
            return Err(bad_value("userhash", "true"));
        }
        let qop = params.required("qop")?;
        if !qop.eq_ignore_ascii_case("auth") {
            return Err(bad_value("qop", qop));
        }
        let nc = params.required("nc")?;
        let nc = unhex::<4>(nc)
            .map(u32::from_be_bytes)
            .filter(|n| *n != 0)
            .ok_or_else(|| bad_value("nc", nc))?;
        let algorithm = params.algorithm()?;
        // The texts move out of the parameters (every request from a device is parsed).
        Ok(Credentials {
            username: params.take_required("username")?,
            realm: params.take_required("realm")?,
            nonce: params.take_required("nonce")?,
            uri: params.take_required("uri")?,
            response: params.take_required("response")?,
            algorithm,
            cnonce: params.take_required("cnonce")?,
            nc,
            opaque: params.take("opaque")?,
        })
    }

    /// The client side: the answer to `challenge` for a request `method` to `uri`.
    pub fn answer(
        challenge: &Challenge,
        username: &str,
        uri: &str,
        cnonce: &str,
        nc: u32,
        method: &Method,
        ha1: &str,
    ) -> Credentials {
        let mut answer = Credentials {
            username: username.to_owned(),
            realm: challenge.realm.clone(),
            nonce: challenge.nonce.clone(),
            uri: uri.to_owned(),
            response: String::new(),
            algorithm: challenge.algorithm,
            cnonce: cnonce.to_owned(),
            nc,
            opaque: None,
        };
        answer.response = answer.expected_response(method, ha1);
        answer
    }

    /// The right `response` for these parameters (RFC 7616 §3.4.1 with qop=auth):
    /// H(HA1:nonce:nc:cnonce:auth:H(method:uri)).
    pub fn expected_response(&self, method: &Method, ha1: &str) -> String {
        let ha2 = self
            .algorithm
            .hash(&[method.as_bytes(), self.uri.as_bytes()]);
        let nc = format!("{:08x}", self.nc);
        let (nonce, cnonce) = (self.nonce.as_bytes(), self.cnonce.as_bytes());
        let parts = [
            ha1.as_bytes(),
            nonce,
            nc.as_bytes(),
            cnonce,
            b"auth",
            ha2.as_bytes(),
        ];
        self.algorithm.hash(&parts)
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let q = Quoted;
        write!(f, "Digest username={}, ", q(&self.username))?;
        write!(f, "realm={}, nonce={}, ", q(&self.realm), q(&self.nonce))?;
        write!(f, "uri={}, response={}, ", q(&self.uri), q(&self.response))?;
        write!(
            f,
            "algorithm={}, cnonce={}, ",
            self.algorithm.name(),
            q(&self.cnonce)
        )?;
        write!(f, "qop=auth, nc={:08x}", self.nc)?;
        match &self.opaque {
            Some(opaque) => write!(f, ", opaque={}", Quoted(opaque)),
            None => Ok(()),
        }
    }
}

/// Writes a quoted-string, escaping `"` and `\` (RFC 3261 §25.1).
struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        // Runs without `"` or `\` go out whole; each of those gets a backslash.
        let mut rest = self.0;
        while let Some(at) = rest.find(['"', '\\']) {
            f.write_str(&rest[..at])?;
            f.write_str("\\")?;
            f.write_str(&rest[at..=at])?;
            rest = &rest[at + 1..];
        }
        f.write_str(rest)?;
        f.write_str("\"")
    }
}

/// The `name=value` pairs after `Digest`, values unquoted.
struct AuthParams(Vec<(Bytes, String)>);

impl AuthParams {
    fn parse(value: &Bytes) -> Result<AuthParams, DigestError> {
        let value = trim(value);
        let scheme = value.iter().take_while(|c| is_token_char(**c)).count();
        if !value[..scheme].eq_ignore_ascii_case(b"Digest") {
            return Err(DigestError::NotDigest);
        }
        let mut params = Vec::new();
        // Commas inside quoted strings do not split (RFC 3261 §25.1, params::split_list).
        for (i, param) in split_list(&value.slice(scheme..)).into_iter().enumerate() {
            let syntax = |expected| DigestError::Syntax {
                position: i + 1,
                expected,
            };
            let eq = param.iter().position(|c| *c == b'=');
            let eq = eq.ok_or(syntax("name=value"))?;
            let name = trim(&param.slice(..eq));
            if !is_token(&name) {
                return Err(syntax("a token before ="));
            }
            let raw = value_of(&trim(&param.slice(eq + 1..)));
            let raw = raw.ok_or(syntax("a token or a quoted string after ="))?;
            let value = String::from_utf8(raw).map_err(|_| syntax("UTF-8 text"))?;
            params.push((name, value));
        }
        Ok(AuthParams(params))
    }

    /// The value of a parameter (name case-insensitive); given twice is an error.
    fn get(&self, name: &'static str) -> Result<Option<&str>, DigestError> {
        let same = |(n, _): &&(Bytes, String)| n.eq_ignore_ascii_case(name.as_bytes());
        let mut found = self.0.iter().filter(same);
        match (found.next(), found.next()) {
            (_, Some(_)) => Err(DigestError::Duplicate { name }),
            (first, None) => Ok(first.map(|(_, v)| v.as_str())),
        }
    }

    fn required(&self, name: &'static str) -> Result<&str, DigestError> {
        self.get(name)?.ok_or(DigestError::Missing { name })
    }

    /// [`AuthParams::get`], moving the value out (each name is taken once).
    fn take(&mut self, name: &'static str) -> Result<Option<String>, DigestError> {
        let same = |(n, _): &(Bytes, String)| n.eq_ignore_ascii_case(name.as_bytes());
        let Some(at) = self.0.iter().position(same) else {
            return Ok(None);
        };
        if self.0[at + 1..].iter().any(same) {
            return Err(DigestError::Duplicate { name });
        }
        Ok(Some(std::mem::take(&mut self.0[at].1)))
    }

    fn take_required(&mut self, name: &'static str) -> Result<String, DigestError> {
        self.take(name)?.ok_or(DigestError::Missing { name })
    }

    fn flag(&self, name: &'static str) -> Result<bool, DigestError> {
        Ok(self
            .get(name)?
            .is_some_and(|v| v.eq_ignore_ascii_case("true")))
    }

    fn algorithm(&self) -> Result<Algorithm, DigestError> {
        self.get("algorithm")?
            .map_or(Ok(Algorithm::Md5), Algorithm::parse)
    }
}

/// A token as it is, or the content of a quoted string (RFC 3261 §25.1); `None` for
/// anything else (an unclosed quote, text after the closing one, a control character).
fn value_of(raw: &[u8]) -> Option<Vec<u8>> {
    let Some(quoted) = raw.strip_prefix(b"\"") else {
        return is_token(raw).then(|| raw.to_vec());
    };
    let mut out = Vec::with_capacity(quoted.len());
    let mut rest = quoted.iter();
    while let Some(&c) = rest.next() {
        match c {
            b'"' => return rest.as_slice().is_empty().then_some(out),
            b'\\' => out.push(*rest.next()?),
            b'\t' => out.push(c),
            0..=0x1f | 0x7f => return None,
            _ => out.push(c),
        }
    }
    None
}

/// Proof that a request's credentials were right; only [`Authenticator::verify`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    username: String,
    algorithm: Algorithm,
}

impl Authenticated {
    /// The user the request comes from.
    pub fn username(&self) -> &str {
        &self.username
    }

    /// The algorithm the client used (to see which phones still need MD5).
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
}

/// The outcome of [`Authenticator::verify`]. Every outcome but `Ok` is answered with a
/// fresh challenge (401 or 407, [`Authenticator::challenges`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The answer is right and fresh.
    Ok(Authenticated),
    /// The answer is right but the nonce expired (or its count was evicted): challenge with
    /// `stale=true`, so the phone retries with the new nonce without asking its user.
    Stale,
    /// Unusable credentials (another realm, a forged nonce): challenge, `stale=false`.
    Invalid(DigestError),
    /// The answer is right but its `nc` is not above the last one accepted for this nonce:
    /// a replayed (or reordered) request. Challenge again; `stale=true` is safe.
    Replay,
    /// The response does not match: wrong password or unknown user. Challenge with
    /// `stale=false`; counting failures is the caller's policy.
    WrongAnswer,
}

/// A realm's challenger and checker, holding the nonce secret.
#[derive(Debug, Clone)]
pub struct Authenticator {
    realm: String,
    key: NonceKey,
    lifetime: u64,
}

impl Authenticator {
    /// For `realm`, nonces signed with `key` and valid for `lifetime_secs` (e.g. 300).
    pub fn new(realm: impl Into<String>, key: NonceKey, lifetime_secs: u64) -> Authenticator {
        let (realm, lifetime) = (realm.into(), lifetime_secs);
        Authenticator {
            realm,
            key,
            lifetime,
        }
    }

    /// The protection realm.
    pub fn realm(&self) -> &str {
        &self.realm
    }

    fn mac(&self, issued: u64, salt: u64) -> [u8; 16] {
        let (issued, salt) = (issued.to_be_bytes(), salt.to_be_bytes());
        let mac = hmac_sha256(&self.key.0, &[&issued, &salt, self.realm.as_bytes()]);
        mac[..16].try_into().expect("16 of 32 bytes")
    }

    /// A nonce issued at `now_secs` (unix seconds). `salt` must differ for every nonce
    /// of one key (nonces issued in the same second must differ, or their clients' counts
    /// would collide); a counter does, and keeps [`NonceCounts`] eviction in issue order.
    /// The HMAC makes nonces unforgeable whatever the salt.
    pub fn nonce(&self, now_secs: u64, salt: u64) -> String {
        let mut raw = [0; 32];
        raw[..8].copy_from_slice(&now_secs.to_be_bytes());
        raw[8..16].copy_from_slice(&salt.to_be_bytes());
        raw[16..].copy_from_slice(&self.mac(now_secs, salt));
        hex(&raw)
    }

    /// When a nonce was issued and its salt, if this authenticator issued it.
    fn issued(&self, nonce: &str) -> Option<(u64, u64)> {
        let raw = unhex::<32>(nonce)?;
        let word = |at: usize| u64::from_be_bytes(raw[at..at + 8].try_into().expect("8 bytes"));
        let (issued, salt) = (word(0), word(8));
        constant_time_eq(&self.mac(issued, salt), &raw[16..]).then_some((issued, salt))
    }

    /// The challenges for a 401 (`WWW-Authenticate`) or 407 (`Proxy-Authenticate`), one
    /// header line each in this order: SHA-256, then MD5, sharing one fresh nonce.
    pub fn challenges(&self, now_secs: u64, salt: u64, stale: bool) -> [Challenge; 2] {
        let nonce = self.nonce(now_secs, salt);
        [Algorithm::Sha256, Algorithm::Md5].map(|algorithm| Challenge {
            realm: self.realm.clone(),
            nonce: nonce.clone(),
            algorithm,
            stale,
        })
    }

    /// The same challenges as [`Authenticator::challenges`], already written as header
    /// values (the hot path of every 401 and 407, so without the formatting machinery).
    pub fn challenge_values(&self, now_secs: u64, salt: u64, stale: bool) -> [Bytes; 2] {
        let nonce = self.nonce(now_secs, salt);
        let realm = Quoted(&self.realm).to_string();
        [Algorithm::Sha256, Algorithm::Md5].map(|algorithm| {
            let mut v = String::with_capacity(realm.len() + nonce.len() + 70);
            for part in [
                "Digest realm=",
                &realm,
                ", nonce=\"",
                &nonce,
                "\", algorithm=",
            ] {
                v.push_str(part);
            }
            v.push_str(algorithm.name());
            v.push_str(", qop=\"auth\"");
            if stale {
                v.push_str(", stale=true");
            }
            Bytes::from(v)
        })
    }

    /// Checks an answer to a request `method` at `now_secs`. `ha1` is the one stored for
    /// `credentials.username` and `credentials.algorithm` (the username is not part of the
    /// digest, so the HA1 is what ties the answer to the user; for an unknown user, answer
    /// as for [`Verdict::WrongAnswer`]). A right answer's `nc` is recorded in `counts`.
    pub fn verify(
        &self,
        now_secs: u64,
        counts: &mut NonceCounts,
        method: &Method,
        credentials: &Credentials,
        ha1: &str,
    ) -> Verdict {
        self.verify_request(now_secs, counts, method, credentials, ha1, None)
    }

    /// [`Authenticator::verify`] for an element that answers statelessly: `request`
    /// identifies the request (a hash of its top Via branch and sent-by), and the latest
    /// request accepted for a nonce is accepted again when it comes again with the same
    /// count (a retransmission whose answer was lost; it can only repeat what it did).
    /// Any other repeated count is a replay.
    pub fn verify_request(
        &self,
        now_secs: u64,
        counts: &mut NonceCounts,
        method: &Method,
        credentials: &Credentials,
        ha1: &str,
        request: Option<u64>,
    ) -> Verdict {
        if credentials.realm != self.realm {
            let (expected, got) = (self.realm.clone(), credentials.realm.clone());
            return Verdict::Invalid(DigestError::WrongRealm { expected, got });
        }
        let Some((issued, salt)) = self.issued(&credentials.nonce) else {
            return Verdict::Invalid(DigestError::ForgedNonce);
        };
        let expected = credentials.expected_response(method, ha1);
        let given = credentials.response.to_ascii_lowercase();
        // Before the age: RFC 7616 §3.3 sets stale only when the digest is right, so a
        // wrong password is never retried silently.
        if !constant_time_eq(expected.as_bytes(), given.as_bytes()) {
            return Verdict::WrongAnswer;
        }
        if now_secs < issued || now_secs - issued >= self.lifetime {
            return Verdict::Stale;
        }
        let nc = credentials.nc;
        match counts.record(now_secs, self.lifetime, (issued, salt), nc, request) {
            Count::Fresh => Verdict::Ok(Authenticated {
                username: credentials.username.clone(),
                algorithm: credentials.algorithm,
            }),
            Count::Replay => Verdict::Replay,
            Count::Evicted => Verdict::Stale,
        }
    }
}

/// The highest `nc` accepted per live nonce (RFC 7616 §3.4: a server detects replays by
/// watching the count rise). Bounded: entries leave when their nonce expires; when full,
/// the oldest (by issue second, then salt) is evicted and every nonce ordered no later
/// than it counts as stale, so an eviction may cost a phone a retry but never lets a
/// replay through. With salts that grow with every challenge (a counter), that order is
/// the issue order and a storm evicts only nonces older than every one still tracked.
#[derive(Debug, Clone)]
pub struct NonceCounts {
    capacity: usize,
    /// (issued, salt) of a nonce: they identify it, the MAC follows from them. The value:
    /// the highest count, and which request it came with (if the caller said).
    last: BTreeMap<(u64, u64), (u32, Option<u64>)>,
    evicted_up_to: Option<(u64, u64)>,
}

enum Count {
    Fresh,
    Replay,
    Evicted,
}

impl NonceCounts {
    /// Empty, holding at most `capacity` nonces (at least one).
    pub fn new(capacity: usize) -> NonceCounts {
        let capacity = capacity.max(1);
        let (last, evicted_up_to) = (BTreeMap::new(), None);
        NonceCounts {
            capacity,
            last,
            evicted_up_to,
        }
    }

    /// How many nonces are tracked.
    pub fn len(&self) -> usize {
        self.last.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.last.is_empty()
    }

    fn is_evicted(&self, key: (u64, u64)) -> bool {
        self.evicted_up_to.is_some_and(|up_to| key <= up_to)
    }

    /// Drops entries whose nonce expired or was evicted (the map is ordered by issue time).
    fn prune(&mut self, now_secs: u64, lifetime: u64) {
        while let Some(&(issued, salt)) = self.last.keys().next() {
            if now_secs.saturating_sub(issued) < lifetime && !self.is_evicted((issued, salt)) {
                break;
            }
            self.last.pop_first();
        }
    }

    fn record(
        &mut self,
        now_secs: u64,
        lifetime: u64,
        key: (u64, u64),
        nc: u32,
        request: Option<u64>,
    ) -> Count {
        self.prune(now_secs, lifetime);
        if self.is_evicted(key) {
            return Count::Evicted;
        }
        match self.last.get(&key) {
            Some(&(last, seen)) if nc == last && request.is_some() && seen == request => {
                return Count::Fresh; // the same request again
            }
            Some(&(last, _)) if nc <= last => return Count::Replay,
            _ if nc == 0 => return Count::Replay,
            _ => {}
        }
        self.last.insert(key, (nc, request));
        if self.last.len() > self.capacity {
            if let Some((oldest, _)) = self.last.pop_first() {
                self.evicted_up_to = Some(self.evicted_up_to.map_or(oldest, |e| e.max(oldest)));
            }
            self.prune(now_secs, lifetime);
        }
        Count::Fresh
    }
}

#[cfg(test)]
mod tests;
