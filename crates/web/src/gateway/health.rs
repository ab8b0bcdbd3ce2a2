//! The upstreams' health, shown on the administrators' page: every proxied application's
//! `health_path` is asked every [`INTERVAL`] (the server's timer calls [`check_all`]); a
//! 2xx or 3xx answer within the application's timeout is healthy.

use super::Gateway;
use gateway::app::Kind;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often the server checks.
pub const INTERVAL: Duration = Duration::from_secs(30);

/// The last check of one upstream.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Whether it answered with 2xx or 3xx in time.
    pub ok: bool,
    /// When it was checked, Unix seconds.
    pub checked_at: i64,
    /// The status it answered with.
    pub status: Option<u16>,
    /// How long it took, in milliseconds.
    pub latency_ms: Option<u64>,
    /// Why it failed (no answer, timeout), in German.
    pub error: Option<String>,
}

/// The last checks, by application.
#[derive(Debug, Default)]
pub struct HealthBoard {
    checks: Mutex<HashMap<String, Health>>,
}

impl HealthBoard {
    /// The last check of `app`.
    pub fn get(&self, app: &str) -> Option<Health> {
        self.lock().get(app).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Health>> {
        self.checks.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Checks every proxied application once, at the same time, and keeps the results
/// (removed applications are forgotten).
pub async fn check_all(gateway: &Gateway, now_secs: i64) {
    let table = gateway.registry.table();
    let checks = table.values().filter_map(|published| {
        let (Kind::Proxy { upstream, .. }, Some(client)) = (&published.app.kind, &published.client)
        else {
            return None;
        };
        let url = format!("{}{}", upstream.origin(), published.app.health_path);
        let timeout = Duration::from_secs(u64::from(published.app.timeout_secs));
        let name = published.app.name.as_str().to_string();
        let client = client.clone();
        Some(async move {
            let started = Instant::now();
            let answer = tokio::time::timeout(timeout, client.get(url).send()).await;
            let latency_ms = Some(started.elapsed().as_millis() as u64);
            let health = match answer {
                Ok(Ok(r)) => Health {
                    ok: r.status().is_success() || r.status().is_redirection(),
                    checked_at: now_secs,
                    status: Some(r.status().as_u16()),
                    latency_ms,
                    error: None,
                },
                Ok(Err(_)) => Health {
                    ok: false,
                    checked_at: now_secs,
                    status: None,
                    latency_ms,
                    error: Some("Die Anwendung ist nicht erreichbar.".into()),
                },
                Err(_) => Health {
                    ok: false,
                    checked_at: now_secs,
                    status: None,
                    latency_ms,
                    error: Some("Die Anwendung hat nicht rechtzeitig geantwortet.".into()),
                },
            };
            (name, health)
        })
    });
    let results = futures_util::future::join_all(checks).await;
    let mut board = gateway.health.lock();
    board.retain(|name, _| table.contains_key(name));
    board.extend(results);
}
