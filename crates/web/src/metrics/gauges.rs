//! Figures that exist in the server's state anyway, read at scrape time and set as gauges
//! just before the text is rendered: open WebSockets (`live`), the database pool, the
//! chat writer's queue, and what the server's services answer ([`ServiceFigures`]).
//! Every gauge is set on every scrape, a figure nobody could read to NaN, so none shows
//! a stale value.

use super::names::{
    CALLS, DB_POOL_IDLE, DB_POOL_MAX, DB_POOL_OPEN, DB_WRITE_QUEUE, GATEWAY_USERS, HOTLINE_AGENTS,
    HOTLINE_WAITING, MEDIA_LEGS, SIP_DEVICES, SIP_REGISTRATIONS, WEBSOCKET_CLIENTS,
};
use super::services::{ServiceCounts, ServiceFigures};
use crate::AppState;
use ::metrics::gauge;

/// The states a logged-in agent can be in, each set on every scrape (0 when nobody is).
pub const AGENT_STATES: [&str; 5] = ["ready", "ringing", "on_call", "wrap_up", "paused"];

/// Reads the figures and sets their gauges.
pub async fn set(state: &AppState, services: Option<&dyn ServiceFigures>) {
    gauge!(WEBSOCKET_CLIENTS).set(state.live.connections() as f64);
    let pool = state.store.pool_status();
    gauge!(DB_POOL_OPEN).set(f64::from(pool.open));
    gauge!(DB_POOL_IDLE).set(f64::from(pool.idle));
    gauge!(DB_POOL_MAX).set(f64::from(pool.max));
    gauge!(DB_WRITE_QUEUE, "queue" => "chat").set(state.live.write_queue() as f64);
    let now_ms = state.live.now_ms();
    for name in state.gateway.registry.table().keys() {
        gauge!(GATEWAY_USERS, "app" => name.clone()).set(state.gateway.users(name, now_ms) as f64);
    }
    let counts = match services {
        Some(services) => services.read().await,
        None => ServiceCounts::default(),
    };
    set_services(&counts);
}

/// The services' gauges; NaN for each that did not answer.
fn set_services(counts: &ServiceCounts) {
    let or_nan = |v: Option<u64>| v.map_or(f64::NAN, |v| v as f64);
    let sip = counts.sip;
    gauge!(SIP_REGISTRATIONS).set(or_nan(sip.map(|s| s.registrations)));
    gauge!(SIP_DEVICES).set(or_nan(sip.map(|s| s.devices)));
    gauge!(DB_WRITE_QUEUE, "queue" => "registrations").set(or_nan(sip.map(|s| s.write_queue)));
    let calls = counts.calls.as_ref();
    gauge!(CALLS).set(or_nan(calls.map(|c| c.calls)));
    gauge!(HOTLINE_WAITING).set(or_nan(calls.map(|c| c.waiting)));
    for state in AGENT_STATES {
        let agents = calls.map(|c| {
            c.agents
                .iter()
                .filter(|(s, _)| *s == state)
                .map(|(_, n)| n)
                .sum()
        });
        gauge!(HOTLINE_AGENTS, "state" => state).set(or_nan(agents));
    }
    gauge!(MEDIA_LEGS).set(or_nan(counts.media_legs));
}
