//! The access gateway (issue 20, `docs/gateway.md`): internal web applications published
//! behind Durchwahl's sign-in. `/apps/NAME/…` is checked per request against the
//! person's live session and the application's rule (`proxy.rs`, the decisions are the
//! pure `gateway` crate's) and forwarded with the person's identity as a signed token
//! (`signer.rs`, keys at `/.well-known/jwks.json`, `jwks.rs`), WebSockets included
//! (`upgrade.rs`); headers in and out are filtered in `headers.rs`, refusals rendered in
//! `refusal.rs`. Administrators publish applications (`admin.rs`), people see theirs in
//! the portal "Meine Anwendungen" (`portal.rs`); the server checks the upstreams' health
//! (`health.rs`). An application may have a host name of its own instead of a path; the
//! person is then handed over by a one-time code (`host.rs`). Every access and refusal
//! goes to the audit log, never the content.

pub mod admin;
pub mod headers;
pub mod health;
pub mod host;
pub mod jwks;
pub mod portal;
pub mod proxy;
pub mod refusal;
pub mod registry;
pub mod signer;
pub mod upgrade;

use crate::AppState;
use gateway::access_log::AccessLog;
use gateway::handoff::Handoffs;
use gateway::identity::Claims;
use gateway::occupancy::{Admission, Occupancy};
use std::collections::HashMap;
use std::sync::Mutex;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The gateway's state, shared by every request.
#[derive(Debug)]
pub struct Gateway {
    /// The published applications.
    pub registry: registry::Registry,
    /// The key that signs identity tokens.
    pub signer: signer::IdentitySigner,
    /// The tokens' issuer (`[gateway] issuer`).
    pub issuer: String,
    /// The upstreams' health, by application.
    pub health: health::HealthBoard,
    /// Durchwahl's own address (`[gateway] portal_url`, e.g. `https://durchwahl.lra.example`),
    /// where applications on their own host names send people to be handed over; none:
    /// no application may have a host name of its own.
    pub portal: Option<String>,
    handoffs: Mutex<Handoffs>,
    occupancy: Mutex<HashMap<String, Occupancy>>,
    access_log: Mutex<AccessLog>,
    tokens: Mutex<HashMap<(i64, String), CachedToken>>,
}

/// A token is handed out again while it has this long left, so a page's fifty requests
/// cost one signature.
const TOKEN_REUSE_SECS: i64 = 30;
/// Cached tokens beyond which expired ones are dropped.
const TOKENS_KEPT: usize = 20_000;

impl Gateway {
    /// A gateway with no applications yet, signing with `signer`.
    pub fn new(signer: signer::IdentitySigner, issuer: String) -> Self {
        Gateway {
            registry: registry::Registry::default(),
            signer,
            issuer,
            health: health::HealthBoard::default(),
            portal: None,
            handoffs: Mutex::default(),
            occupancy: Mutex::default(),
            access_log: Mutex::default(),
            tokens: Mutex::default(),
        }
    }

    /// With Durchwahl's own address for handing people over to applications on their own
    /// host names (scheme and host, no path).
    pub fn with_portal(mut self, portal: Option<String>) -> Self {
        self.portal = portal.map(|p| p.trim_end_matches('/').to_string());
        self
    }

    /// Applies `f` to the handovers under way.
    pub(crate) fn handoffs<T>(&self, f: impl FnOnce(&mut Handoffs) -> T) -> T {
        f(&mut lock(&self.handoffs))
    }

    /// Reads the published applications from the store again.
    pub async fn reload(&self, store: &store::Store) -> Result<(), store::StoreError> {
        self.registry.load(store.gateway_apps().await?);
        Ok(())
    }

    /// A request of `person` to `app` at `now_ms` against its cap.
    pub fn admit(&self, app: &str, person: i64, now_ms: i64, cap: Option<u32>) -> Admission {
        let mut all = lock(&self.occupancy);
        all.entry(app.to_string())
            .or_default()
            .handle_request(person, now_ms, cap)
    }

    /// The people using `app` now.
    pub fn users(&self, app: &str, now_ms: i64) -> usize {
        lock(&self.occupancy)
            .get(app)
            .map_or(0, |o| o.users(now_ms))
    }

    /// Whether an admitted request starts a new access (for the audit log).
    pub fn is_new_access(&self, person: i64, app: &str, now_ms: i64) -> bool {
        lock(&self.access_log).handle_admitted(person, app, now_ms)
    }

    /// Whether a refusal is to be recorded.
    pub fn is_refusal_to_record(
        &self,
        person: Option<i64>,
        app: &str,
        reason: &'static str,
        now_ms: i64,
    ) -> bool {
        lock(&self.access_log).handle_refused(person, app, reason, now_ms)
    }

    /// The identity token for `session` with `claims`: the last one signed for the same
    /// session and application while it has [`TOKEN_REUSE_SECS`] left and says the same
    /// (a changed name, unit or role gets a new token at once), else a fresh one.
    pub fn token(&self, session: i64, now: i64, claims: Claims) -> String {
        let key = (session, claims.aud.clone());
        let said = format!(
            "{}\n{}\n{}\n{}\n{:?}\n{:?}",
            claims.iss, claims.sub, claims.name, claims.unit, claims.roles, claims.amr
        );
        let mut tokens = lock(&self.tokens);
        if let Some(cached) = tokens.get(&key) {
            if cached.exp - now >= TOKEN_REUSE_SECS && cached.said == said {
                return cached.token.clone();
            }
        }
        if tokens.len() > TOKENS_KEPT {
            tokens.retain(|_, cached| cached.exp > now);
        }
        let token = self.signer.sign(&claims);
        tokens.insert(
            key,
            CachedToken {
                token: token.clone(),
                exp: claims.exp,
                said,
            },
        );
        token
    }

    /// The host name of `[gateway] portal_url`, for `X-Forwarded-Host`.
    pub fn portal_host(&self) -> Option<String> {
        let (_, rest) = self.portal.as_deref()?.split_once("://")?;
        Some(rest.split('/').next().unwrap_or(rest).to_string())
    }
}

/// A signed token kept for reuse, with what it says.
#[derive(Debug)]
struct CachedToken {
    token: String,
    exp: i64,
    said: String,
}

/// The person asking, from their session.
pub(crate) fn visitor(
    account: &store::Account,
    session: &store::SessionRow,
) -> gateway::decision::Visitor {
    gateway::decision::Visitor {
        unit: account.unit.clone(),
        roles: account.roles,
        features: account.features,
        second_factor: gateway::identity::has_second_factor(&session.how),
    }
}

/// The circumstances of a request from `client` at `now_secs`: the office networks of
/// `[auth] office_networks`, the local weekday and time in the administration's zone.
pub(crate) fn circumstances(
    state: &AppState,
    client: std::net::IpAddr,
    now_secs: i64,
) -> gateway::decision::Circumstances {
    let local = planner::calendar::local_time(now_secs);
    gateway::decision::Circumstances {
        from_office: state
            .auth
            .office_networks
            .iter()
            .any(|n| n.contains(client)),
        weekday: local.weekday().to_monday_one_offset() as u8,
        minute_of_day: local.hour() as u16 * 60 + local.minute() as u16,
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The documented routes: the portal, the administrators' and the key set.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(portal::mine))
        .routes(routes!(admin::list, admin::publish))
        .routes(routes!(admin::replace, admin::remove))
        .routes(routes!(jwks::key_set))
        .routes(routes!(host::handoff))
}
