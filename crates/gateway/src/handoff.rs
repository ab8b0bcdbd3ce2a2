//! Applications on a host name of their own: the browser holds no Durchwahl cookie there
//! (the session cookie belongs to Durchwahl's host alone), so a signed-in person is handed
//! over. Durchwahl's host issues a one-time code for the person's session and the
//! application ([`Handoffs::handle_issue`]); the application's host redeems it within
//! [`CODE_LIFETIME_MS`] ([`Handoffs::handle_redeem`]) and sets a cookie of its own whose
//! token stands for that session, at that application only ([`Handoffs::session_of`]).
//! Every request there is then checked against the live session behind the token, so a
//! sign-out at Durchwahl ends it there too. The shell draws the random codes and tokens
//! and keeps only their hashes here.

use std::collections::HashMap;

/// How long a code may take from Durchwahl's host to the application's.
pub const CODE_LIFETIME_MS: i64 = 60_000;
/// Host tokens kept at most; beyond, the oldest are dropped (their people are handed over
/// again on their next request, unnoticed).
pub const TOKENS_KEPT: usize = 100_000;

#[derive(Debug, Clone)]
struct Pending {
    session: String,
    app: String,
    expires_ms: i64,
}

#[derive(Debug, Clone)]
struct HostToken {
    session: String,
    app: String,
    issued_ms: i64,
}

/// Why a code is not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BadCode {
    /// Unknown, used already, or for another application.
    #[error("Der Anmeldecode ist unbekannt oder wurde schon benutzt.")]
    Unknown,
    /// Too old.
    #[error("Der Anmeldecode ist abgelaufen.")]
    Expired,
}

/// The codes under way and the host tokens handed out.
#[derive(Debug, Default)]
pub struct Handoffs {
    codes: HashMap<String, Pending>,
    tokens: HashMap<String, HostToken>,
}

impl Handoffs {
    /// A code (its hash) for `session` (its token's hash) at `app`.
    pub fn handle_issue(&mut self, code: String, session: String, app: &str, now_ms: i64) {
        self.codes.retain(|_, p| p.expires_ms > now_ms);
        self.codes.insert(
            code,
            Pending {
                session,
                app: app.to_string(),
                expires_ms: now_ms + CODE_LIFETIME_MS,
            },
        );
    }

    /// Redeems a code (its hash) at `app` for a host token (its hash). A code counts once.
    pub fn handle_redeem(
        &mut self,
        code: &str,
        app: &str,
        token: String,
        now_ms: i64,
    ) -> Result<(), BadCode> {
        let pending = self.codes.remove(code).ok_or(BadCode::Unknown)?;
        if pending.app != app {
            return Err(BadCode::Unknown);
        }
        if pending.expires_ms <= now_ms {
            return Err(BadCode::Expired);
        }
        if self.tokens.len() >= TOKENS_KEPT {
            let mut by_age: Vec<(i64, String)> = self
                .tokens
                .iter()
                .map(|(k, t)| (t.issued_ms, k.clone()))
                .collect();
            by_age.sort_unstable();
            for (_, key) in by_age.into_iter().take(TOKENS_KEPT / 10) {
                self.tokens.remove(&key);
            }
        }
        self.tokens.insert(
            token,
            HostToken {
                session: pending.session,
                app: app.to_string(),
                issued_ms: now_ms,
            },
        );
        Ok(())
    }

    /// The session (its token's hash) a host token (its hash) stands for at `app`.
    pub fn session_of(&self, token: &str, app: &str) -> Option<&str> {
        self.tokens
            .get(token)
            .filter(|t| t.app == app)
            .map(|t| t.session.as_str())
    }

    /// Forgets a host token whose session has ended.
    pub fn handle_ended(&mut self, token: &str) {
        self.tokens.remove(token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_counts_once_for_its_application_within_a_minute() {
        let mut h = Handoffs::default();
        h.handle_issue("c1".into(), "s1".into(), "akte", 0);
        assert_eq!(
            h.handle_redeem("c1", "bau", "t0".into(), 10),
            Err(BadCode::Unknown)
        );
        h.handle_issue("c1".into(), "s1".into(), "akte", 0);
        assert_eq!(h.handle_redeem("c1", "akte", "t1".into(), 10), Ok(()));
        assert_eq!(
            h.handle_redeem("c1", "akte", "t2".into(), 20),
            Err(BadCode::Unknown)
        );
        assert_eq!(h.session_of("t1", "akte"), Some("s1"));
        assert_eq!(h.session_of("t1", "bau"), None);
        assert_eq!(h.session_of("t2", "akte"), None);
        h.handle_issue("c2".into(), "s2".into(), "akte", 0);
        assert_eq!(
            h.handle_redeem("c2", "akte", "t3".into(), CODE_LIFETIME_MS),
            Err(BadCode::Expired)
        );
        h.handle_ended("t1");
        assert_eq!(h.session_of("t1", "akte"), None);
    }

    #[test]
    fn tokens_stay_bounded() {
        let mut h = Handoffs::default();
        for i in 0..(TOKENS_KEPT + 5) {
            h.handle_issue(format!("c{i}"), "s".into(), "a", i as i64);
            h.handle_redeem(&format!("c{i}"), "a", format!("t{i}"), i as i64)
                .unwrap();
        }
        assert!(h.tokens.len() <= TOKENS_KEPT);
        assert!(h
            .session_of(&format!("t{}", TOKENS_KEPT + 4), "a")
            .is_some());
        assert!(h.session_of("t0", "a").is_none());
    }
}
