//! `/metrics` on the server: the token from `[metrics]`, and the services asked for their
//! figures at scrape time. The SIP switch and call control each answer an ask on their
//! own loop, between two inputs, from the state they keep anyway; each media thread
//! counts its legs. A service that does not answer within [`ANSWER_WITHIN`] (or whose ask
//! queue is full) is left out of that scrape (its gauges read NaN): a scrape never waits
//! long and never piles asks onto a busy service.

use crate::call_service::figures::FiguresAsk as CallAsk;
use crate::media_service::MediaHandle;
use crate::sip_service::FiguresAsk as SipAsk;
use anyhow::Context;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use web::metrics::services::{Pending, ServiceCounts, ServiceFigures};

/// How long a scrape waits for a service's answer.
pub const ANSWER_WITHIN: Duration = Duration::from_millis(500);

/// Asks a service's queue holds at most (more: the service is busy, the ask is dropped).
pub const ASKS_QUEUED: usize = 4;

/// Where the services hear asks for their figures.
#[derive(Debug)]
pub struct Services {
    /// The SIP switch's loop.
    pub sip: mpsc::Sender<SipAsk>,
    /// Call control's loop.
    pub calls: mpsc::Sender<CallAsk>,
    /// The media threads.
    pub media: MediaHandle,
}

impl ServiceFigures for Services {
    fn read(&self) -> Pending<'_, ServiceCounts> {
        Box::pin(async move {
            let media = tokio::time::timeout(ANSWER_WITHIN, self.media.legs());
            let (sip, calls, media) = tokio::join!(ask(&self.sip), ask(&self.calls), media);
            ServiceCounts {
                sip,
                calls,
                media_legs: media.ok().flatten().map(|n| n as u64),
            }
        })
    }
}

async fn ask<T>(service: &mpsc::Sender<oneshot::Sender<T>>) -> Option<T> {
    let (reply, answer) = oneshot::channel();
    service.try_send(reply).ok()?;
    tokio::time::timeout(ANSWER_WITHIN, answer).await.ok()?.ok()
}

/// `state` with `/metrics` on when `[metrics]` has a token (its file is read now). The
/// services are shared: the capacity sampler asks them too, with or without `[metrics]`.
pub fn with_metrics(
    state: web::AppState,
    config: &web::MetricsConfig,
    services: std::sync::Arc<dyn ServiceFigures>,
) -> anyhow::Result<web::AppState> {
    let Some(token) = config.token().map_err(anyhow::Error::msg)? else {
        return Ok(state);
    };
    let metrics = web::metrics::Metrics::new(token)
        .map_err(anyhow::Error::msg)
        .context("/metrics cannot be set up")?;
    tracing::info!("metrics at /metrics (bearer token from [metrics])");
    Ok(state.with_metrics(metrics.with_services(services)))
}
