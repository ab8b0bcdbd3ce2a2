//! `[auth.oidc]`: single sign-on through an OpenID Connect provider (Keycloak, ADFS,
//! Entra ID). Absent: no single sign-on, and its routes answer 404.

use openidconnect::url::{Host, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Where the provider sends the browser back to: this path on our origin.
pub const CALLBACK_PATH: &str = "/api/v1/auth/oidc/callback";

/// Standard claims other than these three cannot name a person (a display name is no
/// login); any claim the standard does not know (`upn`, `samaccountname`, …) can.
const STANDARD_CLAIMS: &[&str] = &[
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "profile",
    "picture",
    "website",
    "email_verified",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "phone_number",
    "phone_number_verified",
    "address",
    "updated_at",
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "acr",
    "amr",
    "azp",
    "at_hash",
    "c_hash",
];

/// `[auth.oidc]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    /// The provider's issuer URL; its discovery document is at
    /// `<issuer>/.well-known/openid-configuration`.
    pub issuer: String,
    /// Our client id at the provider.
    pub client_id: String,
    /// Our client secret at the provider.
    #[serde(serialize_with = "redacted")]
    pub client_secret: SecretString,
    /// The full URL of our callback, as registered at the provider, e.g.
    /// `https://durchwahl.example/api/v1/auth/oidc/callback`.
    pub redirect_url: String,
    /// Scopes asked for; must include `openid`.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// The ID-token claim that holds our login (lower-cased before it is compared).
    #[serde(default = "default_login_claim")]
    pub login_claim: String,
    /// Whether the provider's own second factor (`amr`) stands in for ours.
    #[serde(default)]
    pub accept_provider_mfa: bool,
    /// The `amr` values (RFC 8176) that count as a second factor.
    #[serde(default = "default_mfa_amr")]
    pub mfa_amr: Vec<String>,
    /// The name of the sign-in service on the button ("Mit <label> anmelden").
    #[serde(default = "default_label")]
    pub label: String,
    /// Extra trusted CA certificates (PEM) for the provider's TLS, besides the system's.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Whether people who do not come from the LDAP directory (CSV imports, the first
    /// administrator) may sign in through the provider too. Off by default: a login
    /// claim that users can edit at some providers must not reach a local
    /// administrator. Turn it on where the provider is the only directory.
    #[serde(default)]
    pub local_accounts: bool,
}

fn redacted<S: serde::Serializer>(_: &SecretString, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str("[REDACTED]")
}

fn default_scopes() -> Vec<String> {
    ["openid", "profile", "email"].map(String::from).to_vec()
}

fn default_login_claim() -> String {
    "preferred_username".into()
}

fn default_mfa_amr() -> Vec<String> {
    ["mfa", "otp", "hwk", "swk", "sms", "fido"]
        .map(String::from)
        .to_vec()
}

fn default_label() -> String {
    "Single Sign-On".into()
}

impl PartialEq for OidcConfig {
    fn eq(&self, other: &Self) -> bool {
        let plain = |c: &OidcConfig| {
            (
                c.issuer.clone(),
                c.client_id.clone(),
                c.client_secret.expose_secret().to_owned(),
                c.redirect_url.clone(),
                c.scopes.clone(),
                c.login_claim.clone(),
                c.accept_provider_mfa,
                c.mfa_amr.clone(),
                c.label.clone(),
                c.ca_file.clone(),
                c.local_accounts,
            )
        };
        plain(self) == plain(other)
    }
}

impl OidcConfig {
    /// A section with these four and every other setting at its default.
    pub fn new(issuer: &str, client_id: &str, client_secret: &str, redirect_url: &str) -> Self {
        OidcConfig {
            issuer: issuer.into(),
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret),
            redirect_url: redirect_url.into(),
            scopes: default_scopes(),
            login_claim: default_login_claim(),
            accept_provider_mfa: false,
            mfa_amr: default_mfa_amr(),
            label: default_label(),
            ca_file: None,
            local_accounts: false,
        }
    }

    /// Why the section cannot be used, if it cannot.
    pub fn validate(&self) -> Result<(), String> {
        let issuer = web_url("issuer", &self.issuer)?;
        if issuer.query().is_some() || issuer.fragment().is_some() {
            return Err("[auth.oidc] issuer must have no query or fragment".into());
        }
        let redirect = web_url("redirect_url", &self.redirect_url)?;
        if redirect.path() != CALLBACK_PATH || redirect.query().is_some() {
            return Err(format!(
                "[auth.oidc] redirect_url must be our origin followed by {CALLBACK_PATH}, \
                 e.g. https://durchwahl.example{CALLBACK_PATH}"
            ));
        }
        if self.client_id.trim().is_empty() {
            return Err("[auth.oidc] client_id is empty".into());
        }
        if self.client_secret.expose_secret().is_empty() {
            return Err("[auth.oidc] client_secret is empty".into());
        }
        if !self.scopes.iter().any(|s| s == "openid") {
            return Err("[auth.oidc] scopes must include \"openid\"".into());
        }
        if let Some(bad) = self.scopes.iter().find(|s| !is_token(s)) {
            return Err(format!("[auth.oidc] scope {bad:?} is not a scope name"));
        }
        let claim = self.login_claim.as_str();
        if !is_token(claim) || STANDARD_CLAIMS.contains(&claim) {
            return Err(format!(
                "[auth.oidc] login_claim {claim:?} cannot hold a login: use \
                 preferred_username, email, sub, upn or another claim your provider sends"
            ));
        }
        if self.accept_provider_mfa && self.mfa_amr.is_empty() {
            return Err("[auth.oidc] accept_provider_mfa needs at least one mfa_amr value".into());
        }
        let label = self.label.trim();
        if label.is_empty() || label.chars().count() > 60 {
            return Err("[auth.oidc] label must have 1 to 60 characters".into());
        }
        Ok(())
    }

    /// Where the provider may send the browser after signing out there: our origin.
    pub fn origin(&self) -> Option<String> {
        let url = Url::parse(&self.redirect_url).ok()?;
        Some(format!("{}/", url.origin().ascii_serialization()))
    }
}

/// An `https://` URL, or `http://` on the loopback (a provider on the same machine).
fn web_url(name: &str, text: &str) -> Result<Url, String> {
    let url =
        Url::parse(text).map_err(|e| format!("[auth.oidc] {name} {text:?} is not a URL: {e}"))?;
    let loopback = match url.host() {
        Some(Host::Domain(d)) => d == "localhost",
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if loopback => Ok(url),
        _ => Err(format!(
            "[auth.oidc] {name} must be an https:// URL (http:// only on this machine)"
        )),
    }
}

/// A scope or claim name: printable ASCII without spaces or quotes.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keycloak() -> OidcConfig {
        OidcConfig::new(
            "https://sso.lra.example/realms/lra",
            "durchwahl",
            "geheim-123",
            "https://durchwahl.lra.example/api/v1/auth/oidc/callback",
        )
    }

    #[test]
    fn a_good_section_passes_and_keeps_its_secret() {
        let config = keycloak();
        assert_eq!(config.validate(), Ok(()));
        assert!(!format!("{config:?}").contains("geheim"));
        let written = serde_json::to_string(&config).unwrap();
        assert!(!written.contains("geheim"), "{written}");
        assert_eq!(
            config.origin().as_deref(),
            Some("https://durchwahl.lra.example/")
        );
    }

    #[test]
    fn defaults_fill_what_is_left_out() {
        let config: OidcConfig = serde_json::from_value(serde_json::json!({
            "issuer": "https://login.microsoftonline.com/t-1/v2.0",
            "client_id": "c", "client_secret": "s",
            "redirect_url": "https://dw.example/api/v1/auth/oidc/callback",
        }))
        .unwrap();
        assert_eq!(
            config,
            OidcConfig::new(&config.issuer, "c", "s", &config.redirect_url)
        );
        assert_eq!(config.login_claim, "preferred_username");
        assert!(config.mfa_amr.contains(&"mfa".to_string()));
    }

    #[test]
    fn mistakes_say_what_is_wrong() {
        type Spoil = fn(&mut OidcConfig);
        let cases: [(Spoil, &str); 8] = [
            (|c| c.issuer = "http://sso.lra.example".into(), "issuer"),
            (|c| c.issuer = "kein url".into(), "issuer"),
            (
                |c| c.redirect_url = "https://dw.example/callback".into(),
                "redirect_url",
            ),
            (
                |c| c.client_secret = SecretString::from(""),
                "client_secret",
            ),
            (|c| c.scopes = vec!["profile".into()], "openid"),
            (|c| c.login_claim = "name".into(), "login_claim"),
            (
                |c| {
                    c.accept_provider_mfa = true;
                    c.mfa_amr.clear();
                },
                "mfa_amr",
            ),
            (|c| c.label = " ".into(), "label"),
        ];
        for (spoil, says) in cases {
            let mut config = keycloak();
            spoil(&mut config);
            let why = config.validate().unwrap_err();
            assert!(why.contains(says), "{says}: {why}");
        }
        let mut local = keycloak();
        local.issuer = "http://127.0.0.1:5556/dex".into();
        assert_eq!(local.validate(), Ok(()), "http on the loopback");
    }
}
